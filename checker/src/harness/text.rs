//! Showing bytes to a person: escaped, shortened, with a caret under the
//! first byte that differs from what was expected.
//!
//! Whatever a program prints may hold control characters and escape
//! sequences (a clipboard write, a window title, a screen clear). Before
//! any of it reaches a terminal or a file, [`printable`] shows them escaped:
//! `\x1b`, `\r`, `\x07`, `\u{9b}`.

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
    for piece in pieces(bytes) {
        out.push_str(&piece.shown);
    }
    out
}

/// One character (or one byte that is not UTF-8) as shown: where it starts
/// in the bytes, and its escaped text.
struct Piece {
    start: usize,
    shown: String,
}

/// `bytes` cut into what [`escape`] shows for each character or stray byte.
fn pieces(bytes: &[u8]) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut at = 0;
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            let shown = match c {
                '\n' => "\\n".to_string(),
                '\r' => "\\r".to_string(),
                '\t' => "\\t".to_string(),
                '"' => "\\\"".to_string(),
                '\\' => "\\\\".to_string(),
                c if needs_escape(c) => {
                    let mut shown = String::new();
                    push_escaped(&mut shown, c);
                    shown
                }
                c => c.to_string(),
            };
            out.push(Piece { start: at, shown });
            at += c.len_utf8();
        }
        for b in chunk.invalid() {
            out.push(Piece { start: at, shown: format!("\\x{b:02x}") });
            at += 1;
        }
    }
    out
}

/// `text` (a program's output, or anything that may hold some) safe to show
/// on a terminal: line breaks and tabs as they are, every other control
/// character escaped (`\x1b`, `\r`, `\x07`, `\x7f`, `\u{9b}`), and so the
/// escape sequences they start (`ESC ] 52 ;` …) are shown, not obeyed.
/// Characters that reorder text (bidirectional overrides) are escaped too.
pub fn printable(text: &str) -> String {
    if !text.chars().any(|c| c != '\n' && c != '\t' && needs_escape(c)) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            c if needs_escape(c) => push_escaped(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Like [`printable`], but colour sequences (`ESC [ 1;31 m`, as cargo's
/// coloured diagnostics hold) are kept: they change colours, nothing else.
pub fn printable_keep_colour(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\u{1b}') {
        out.push_str(&printable(&rest[..at]));
        let seq = &rest[at..];
        let params =
            seq.strip_prefix("\u{1b}[").map(|p| p.bytes().take_while(|b| b.is_ascii_digit() || *b == b';').count());
        match params {
            Some(n) if seq.as_bytes().get(2 + n) == Some(&b'm') => {
                out.push_str(&seq[..3 + n]);
                rest = &seq[3 + n..];
            }
            _ => {
                out.push_str("\\x1b");
                rest = &seq[1..];
            }
        }
    }
    out.push_str(&printable(rest));
    out
}

/// Control characters (C0, DEL, C1) and the bidirectional controls that
/// make text read in another order than it is stored.
fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn push_escaped(out: &mut String, c: char) {
    use std::fmt::Write;
    let _ = match c {
        '\r' => write!(out, "\\r"),
        '\t' => write!(out, "\\t"),
        '\n' => write!(out, "\\n"),
        c if c.is_ascii() => write!(out, "\\x{:02x}", u32::from(c)),
        c => write!(out, "\\u{{{:x}}}", u32::from(c)),
    };
}

/// The column (in characters) at which the escaped text of `bytes` shows
/// the character that holds byte `at`: a multibyte character is one
/// column, an escaped byte four.
fn column_of(bytes: &[u8], at: usize) -> usize {
    let pieces = pieces(bytes);
    let mut column = 0;
    for (i, piece) in pieces.iter().enumerate() {
        let end = pieces.get(i + 1).map_or(bytes.len(), |next| next.start);
        if at < end {
            return column;
        }
        column += piece.shown.chars().count();
    }
    column
}

/// The line that says why a program crashed, from its stderr: `panicked at
/// PLACE: MESSAGE` for a Rust panic (which starts with an empty line), the
/// last line of a Python traceback, or else the first line that is not empty.
pub fn crash_line(stderr: &str) -> String {
    let mut lines = stderr.lines();
    while let Some(line) = lines.next() {
        if let Some(at) = line.find("panicked at ") {
            let place = line[at + "panicked at ".len()..].trim_end_matches(':');
            let message = lines.next().unwrap_or_default().trim();
            return format!("panicked at {place}: {message}");
        }
        if line.starts_with("Traceback (most recent call last)") {
            return stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default().trim().to_string();
        }
    }
    stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("(nothing on stderr)").trim().to_string()
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
    // Under the character of `got` that holds the first wrong byte, as the
    // got line shows it (bytes before `at` are the same in both).
    let lo = start.min(got.len());
    let hi = (at + 60).min(got.len());
    let width = usize::from(start > 0) + 1 + column_of(&got[lo..hi], at - lo);
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
    fn terminal_controls_are_shown_not_obeyed() {
        let hostile = "copy\u{1b}]52;c;aGk=\u{7}clear\u{1b}[2J\rover\u{9b}31m\u{7f}\u{202e}end\n\tnext";
        let shown = printable(hostile);
        assert_eq!(shown, "copy\\x1b]52;c;aGk=\\x07clear\\x1b[2J\\rover\\u{9b}31m\\x7f\\u{202e}end\n\tnext");
        assert!(!shown.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
        assert_eq!(printable("plain é ✓"), "plain é ✓");
        assert_eq!(escape("\u{9b}".as_bytes()), "\"\\u{9b}\"");
    }

    #[test]
    fn colours_are_kept_where_asked_and_nothing_else() {
        let text = "\u{1b}[1;31merror\u{1b}[0m: \u{1b}]0;title\u{7}\u{1b}[2J";
        assert_eq!(printable_keep_colour(text), "\u{1b}[1;31merror\u{1b}[0m: \\x1b]0;title\\x07\\x1b[2J");
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
    fn caret_stands_under_the_difference_after_multibyte_characters() {
        // "é" is two bytes but one column; the caret stands under the "X".
        let (_, got, caret) = aligned("ééé!".as_bytes(), "éééX".as_bytes(), 6);
        assert_eq!(got, "\"éééX\"");
        assert_eq!(caret.find('^').map(|i| caret[..i].chars().count()), got.chars().position(|c| c == 'X'));
        // A difference inside a character points at that character.
        let (_, got, caret) = aligned("aé".as_bytes(), "aÉ".as_bytes(), 2);
        assert_eq!(caret.find('^'), got.chars().position(|c| c == 'É'));
        // An escaped byte is four columns, and the caret follows it.
        let (_, got, caret) = aligned(b"\x01\x02ab", b"\x01\x02aX", 3);
        assert_eq!(caret.find('^'), got.find('X'));
    }

    #[test]
    fn a_crash_is_named_by_its_panic_or_last_traceback_line() {
        let panic = "\nthread 'main' (5106) panicked at src/client.rs:39:55:\ncalled `Result::unwrap()` on an `Err` value\nnote: run with `RUST_BACKTRACE=1`\n";
        assert_eq!(crash_line(panic), "panicked at src/client.rs:39:55: called `Result::unwrap()` on an `Err` value");
        let traceback =
            "Traceback (most recent call last):\n  File \"x.py\", line 3\nConnectionRefusedError: [Errno 111]\n\n";
        assert_eq!(crash_line(traceback), "ConnectionRefusedError: [Errno 111]");
        assert_eq!(crash_line("\n\n"), "(nothing on stderr)");
    }

    #[test]
    fn caret_stands_under_the_difference() {
        let (exp, got, caret) = aligned(b"HELLO", b"HeLLO", 1);
        assert_eq!(exp, "\"HELLO\"");
        assert_eq!(got, "\"HeLLO\"");
        assert_eq!(caret.find('^'), Some(2));
    }
}
