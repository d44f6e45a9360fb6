//! Showing bytes to a person: escaped, shortened, with a caret under the
//! first byte that differs from what was expected.

/// At most this many bytes of a buffer are shown; the rest is summarised.
const SHOW: usize = 160;

/// `bytes` as a quoted string: printable UTF-8 as is, `\n`, `\r`, `\t`,
/// `\"`, `\\` and `\xNN` for the rest. Long buffers are cut in the middle.
pub fn escape(bytes: &[u8]) -> String {
    if bytes.len() <= SHOW {
        return format!("\"{}\"", escape_inner(bytes));
    }
    let head = &bytes[..SHOW - 32];
    let tail = &bytes[bytes.len() - 24..];
    format!(
        "\"{}\" … {} more bytes … \"{}\" ({} bytes in all)",
        escape_inner(head),
        bytes.len() - head.len() - tail.len(),
        escape_inner(tail),
        bytes.len()
    )
}

fn escape_inner(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => {
                    let mut buf = [0; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        out.push_str(&format!("\\x{b:02x}"));
                    }
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// Where `got` first differs from `expected`: `None` when they are equal.
/// A `got` that stops early differs at its end.
pub fn first_difference(expected: &[u8], got: &[u8]) -> Option<usize> {
    let same = expected.iter().zip(got).take_while(|(a, b)| a == b).count();
    (same < expected.len().max(got.len())).then_some(same)
}

/// Expected and got, one above the other, windowed around the first
/// difference, with a caret line under it. Returns (expected, got, caret).
pub fn aligned(expected: &[u8], got: &[u8], at: usize) -> (String, String, String) {
    // Show the difference with some context, never more than SHOW bytes.
    let start = at.saturating_sub(40);
    let window = |b: &[u8]| -> String {
        let lo = start.min(b.len());
        let hi = (at + 60).min(b.len());
        let mut s = String::new();
        if lo > 0 {
            s.push('…');
        }
        s.push('"');
        s.push_str(&escape_inner(&b[lo..hi]));
        s.push('"');
        if hi < b.len() {
            s.push_str(&format!("… ({} bytes in all)", b.len()));
        }
        s
    };
    let prefix_width =
        usize::from(start > 0) + 1 + escape_inner(&got[start.min(got.len())..at.min(got.len())]).chars().count();
    let exp_prefix_width = usize::from(start > 0)
        + 1
        + escape_inner(&expected[start.min(expected.len())..at.min(expected.len())]).chars().count();
    let width = prefix_width.max(exp_prefix_width);
    let caret = format!("{}^ first difference, at byte {at}", " ".repeat(width));
    (window(expected), window(got), caret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_and_invalid_bytes() {
        assert_eq!(escape("a\r\n\0\"é".as_bytes()), "\"a\\r\\n\\x00\\\"é\"");
        assert_eq!(escape(b"\xff"), "\"\\xff\"");
    }

    #[test]
    fn long_buffers_are_cut() {
        let shown = escape(&[b'a'; 1000]);
        assert!(shown.contains("1000 bytes in all"), "{shown}");
        assert!(shown.len() < 300);
    }

    #[test]
    fn finds_the_first_difference() {
        assert_eq!(first_difference(b"HELLO", b"HELLO"), None);
        assert_eq!(first_difference(b"HELLO", b"HeLLO"), Some(1));
        assert_eq!(first_difference(b"HELLO", b"HEL"), Some(3));
        assert_eq!(first_difference(b"HE", b"HELLO"), Some(2));
    }

    #[test]
    fn caret_stands_under_the_difference() {
        let (exp, got, caret) = aligned(b"HELLO", b"HeLLO", 1);
        assert_eq!(exp, "\"HELLO\"");
        assert_eq!(got, "\"HeLLO\"");
        assert_eq!(caret.find('^'), Some(2));
    }
}
