//! The crowd's lines: the clients' names, the `* present:` line read only
//! where it can end, the message, and numbers as people write them.

/// How the line that lists the others starts.
pub(super) const PRESENT: &[u8; 10] = b"* present:";

/// The length of every client's name: 64³ names of 3 characters from
/// `A-Z a-z 0-9 _ -`.
pub(super) const NAME_LEN: usize = 3;

/// The length of a `* NAME joined\n` line.
pub(super) const JOINED_LEN: usize = NAME_LEN + 10;

/// The message one client sends to all the others.
pub(super) const MESSAGE: &[u8] = b"hello, everyone\n";

/// The part of a line a client keeps: enough for `name?`, the start of
/// `* present:` and the message line.
pub(super) const KEPT: usize = 128;

/// The `i`-th client's name: `aaa`, `aab`, … in the alphabet of names, all
/// of one length, short so that the half a million `joined` lines stay
/// short.
pub(super) fn name_of(i: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
    let digit = |place: u32| ALPHABET[i / ALPHABET.len().pow(place) % ALPHABET.len()] as char;
    (0..NAME_LEN as u32).rev().map(digit).collect()
}

/// How far a `* present:` line has been read. Every name in it is one of
/// the crowd's, [`NAME_LEN`] bytes: after `* present:`, the line can end
/// (or the next ` NAME` begin) only every `NAME_LEN + 1` bytes, and only
/// those bytes are looked at. A line that is not made that way is read
/// byte by byte (`odd`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(super) struct Scan {
    /// The line's first bytes.
    pub(super) head: [u8; PRESENT.len()],
    /// Bytes of the line before the current chunk.
    len: usize,
    /// Bytes at the start of the next chunk known to be inside a name.
    skip: usize,
    pub(super) names: usize,
    odd: bool,
}

impl Scan {
    /// Reads the next `bytes` of the line: where the line ends in them
    /// (just after its `\n`), if it does.
    pub(super) fn take(&mut self, bytes: &[u8]) -> Option<usize> {
        let mut i = self.skip;
        while i < bytes.len() {
            let at = self.len + i;
            let byte = bytes[i];
            if byte == b'\n' {
                self.len = at;
                return Some(i + 1);
            }
            if at < PRESENT.len() {
                self.head[at] = byte;
                self.odd |= at + 1 == PRESENT.len() && self.head != *PRESENT;
                i += 1;
            } else if self.odd {
                self.names += usize::from(byte == b' ');
                i += 1;
            } else if byte == b' ' {
                self.names += 1;
                i += 1 + NAME_LEN;
            } else {
                self.odd = true;
            }
        }
        self.skip = i - bytes.len();
        self.len += bytes.len();
        None
    }
}

/// Whether `line` is the message as relayed from `sender`.
pub(super) fn is_message(line: &[u8], sender: &str) -> bool {
    let text = &MESSAGE[..MESSAGE.len() - 1];
    line.strip_prefix(format!("[{sender}] ").as_bytes())
        .is_some_and(|rest| rest.strip_suffix(b"\r").unwrap_or(rest) == text)
}

/// Keeps the start of a line, at most [`KEPT`] bytes.
pub(super) fn keep(line: &mut Vec<u8>, part: &[u8]) {
    let room = KEPT.saturating_sub(line.len());
    line.extend_from_slice(&part[..part.len().min(room)]);
}

/// 10000 → "10,000"
pub(in crate::lessons::lesson11) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::lesson11::crowd::count::CLIENTS;

    #[test]
    fn names_are_short_distinct_and_valid() {
        let names: std::collections::HashSet<String> = (0..CLIENTS).map(name_of).collect();
        assert_eq!(names.len(), CLIENTS);
        assert!(names.iter().all(|n| n.len() == NAME_LEN));
        assert_eq!(name_of(0), "aaa");
        assert_eq!(name_of(65), "abb");
    }

    /// Feeds `line` in pieces of `size` bytes; the scan where it ended.
    fn scan_in_pieces(line: &[u8], size: usize) -> (Scan, usize) {
        let mut scan = Scan::default();
        for (k, piece) in line.chunks(size).enumerate() {
            if let Some(end) = scan.take(piece) {
                return (scan, k * size + end);
            }
        }
        panic!("no end found in {line:?}");
    }

    #[test]
    fn a_present_line_is_read_in_any_pieces() {
        let names: Vec<String> = (0..50).map(name_of).collect();
        let line = format!("* present: {}\nnext", names.join(" "));
        for size in 1..=12 {
            let (scan, end) = scan_in_pieces(line.as_bytes(), size);
            assert_eq!((scan.names, scan.odd, scan.head), (50, false, *PRESENT), "pieces of {size}");
            assert_eq!(end, line.len() - 4);
        }
        let (scan, _) = scan_in_pieces(b"* present:\n", 3);
        assert_eq!(scan.names, 0);
    }

    #[test]
    fn other_lines_are_read_byte_by_byte() {
        let (scan, end) = scan_in_pieces(b"* present: abcd ef\n", 5);
        assert!(scan.odd);
        assert_eq!((scan.names, end), (2, 19));
        let (scan, end) = scan_in_pieces(b"* aaa joined\n* present:\n", 4);
        assert_ne!(scan.head, *PRESENT);
        assert_eq!(end, 13);
    }

    #[test]
    fn counts_read_as_people_write_them() {
        assert_eq!(thousands(10_000), "10,000");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn the_message_is_known_with_or_without_a_carriage_return() {
        assert!(is_message(b"[a] hello, everyone", "a"));
        assert!(is_message(b"[a] hello, everyone\r", "a"));
        assert!(!is_message(b"[b] hello, everyone", "a"));
    }
}
