//! The hint a failed check shows: the failure's own, or one keyed on
//! what the bytes show (a short read, a missing line end, bytes too many,
//! text decoded in pieces), or the check's; and [`socket_words`], the same
//! hint for a program in any language.

use crate::harness::{End, Failure};

/// The hint for a failure, first that applies:
/// 1. the program stopped at a `todo!()`: write that part;
/// 2. the bytes that came are right but stop short: a read returns at
///    most a buffer's worth (a content hint would contradict what was seen);
/// 3. the hint the check gave for this way of failing (refused, exited,
///    address in use on every port...);
/// 4. the right bytes, then more: send only what the answer holds;
/// 5. a text decoded piece by piece (U+FFFD where the message had a
///    letter of several bytes);
/// 6. otherwise the check's own hint, about the concept it tests.
pub fn choose_hint(failure: &Failure, check_hint: &str, todo: Option<&str>) -> String {
    if let Some(todo) = todo {
        return format!(
            "Your program reached a todo!() that is not written yet: {todo}. Write that part, then run the checker again."
        );
    }
    let (expected, got) = match &failure.diff {
        Some((expected, got)) => (expected.as_slice(), got.as_slice()),
        None => (&[][..], &[][..]),
    };
    if let Some(hint) = short_read_hint(failure, expected, got) {
        return hint;
    }
    if let Some(hint) = &failure.hint {
        return hint.clone();
    }
    if let Some(hint) = extra_bytes_hint(expected, got) {
        return hint;
    }
    let replacement = "\u{fffd}".as_bytes();
    if got.windows(3).any(|w| w == replacement) && !expected.windows(3).any(|w| w == replacement) {
        return "Your program sent U+FFFD (the replacement character, `�`) where the message had a letter: it \
                decoded bytes as text, and a letter of several bytes was cut in two (by a read that ended in \
                its middle) or was not valid text. Work on the bytes themselves."
            .to_string();
    }
    check_hint.to_string()
}

/// A read of the connection (not a datagram) that ended too soon, with
/// every byte right so far.
fn short_read_hint(failure: &Failure, expected: &[u8], got: &[u8]) -> Option<String> {
    let short = failure.end.is_some() && !got.is_empty() && got.len() < expected.len() && expected.starts_with(got);
    if !short {
        return None;
    }
    if matches!(&expected[got.len()..], b"\n" | b"\r\n") {
        return Some(
            "The line is right, but its line end (`\\n`) never came: end each line you send with a newline, \
             and flush it if your program buffers what it writes."
                .to_string(),
        );
    }
    let (how, flush) = match &failure.end {
        Some(End::Reset) => ("then the connection was reset", ""),
        Some(End::Closed | End::ClosedAsAsked) => ("then your program closed the connection", ""),
        Some(End::TimedOut(_)) => {
            ("then nothing more came", " If your program wrote the rest, it may sit in a buffer: flush it.")
        }
        _ => ("then it stopped", ""),
    };
    Some(format!(
        "The reply is right so far, but it stops after {} of {} bytes, {how}.{flush} One `read` returns at \
         most what fits in the buffer, and only what has arrived yet: make the buffer big enough for the \
         whole message, or read again until you have it, and send all of the answer with `write_all`.",
        got.len(),
        expected.len()
    ))
}

/// The right answer, then more: zero bytes from a buffer, or anything else.
fn extra_bytes_hint(expected: &[u8], got: &[u8]) -> Option<String> {
    if expected.is_empty() || got.len() <= expected.len() || !got.starts_with(expected) {
        return None;
    }
    let extra = &got[expected.len()..];
    Some(if extra.iter().all(|&b| b == 0) {
        "The answer is followed by zero bytes: the rest of a buffer. Send only the n bytes the read \
         returned (`&buf[..n]`), not the whole buffer."
            .to_string()
    } else {
        format!(
            "The answer is right, then {} more came: send exactly the answer, nothing after it.",
            crate::harness::text::escape(extra)
        )
    })
}

/// `hint` in the words of sockets that every language shares (connect,
/// recv, sendall, close), for a program checked with `--cmd`: the Rust
/// calls a hint names are replaced by the socket call they make. A hint
/// that still speaks Rust after that says so.
pub fn socket_words(hint: &str) -> String {
    const WORDS: &[(&str, &str)] = &[
        (
            "`TcpListener::bind(addr)` does the first two, `listener.accept()` waits for a client",
            "`bind` and `listen` do the first two, `accept` waits for a client",
        ),
        ("(`TcpListener::bind` does both.)", "(`bind`, then `listen`.)"),
        ("`stream.read(&mut buf)`", "`recv`"),
        ("(`read_to_end`)", "(until `recv` returns no bytes)"),
        ("(`stream.write_all(message.as_bytes())`)", "(`sendall`)"),
        ("drop the `TcpStream` (return from the function)", "close the socket"),
        ("`TcpListener::bind`", "`bind` and `listen`"),
        ("`TcpStream::connect`", "`connect`"),
        ("`listener.accept()`", "`accept`"),
        ("`write_all`", "`sendall`"),
        ("One `read` returns", "One `recv` returns"),
        ("`read` returns 0", "`recv` returns no bytes"),
        ("`read`", "`recv`"),
        ("`UdpSocket`", "UDP socket"),
        ("`send_to`", "`sendto`"),
        ("`recv_from`", "`recvfrom`"),
        ("`[u8]::to_ascii_uppercase` changes a-z only", "upper-case a-z only"),
        (", an error returned from `main`,", ", an uncaught error,"),
    ];
    let mut text = hint.to_string();
    for (rust, socket) in WORDS {
        text = text.replace(rust, socket);
    }
    let still_rust = ["::", "`?`", "unwrap", "Ok(", "&mut", "&buf", ".as_bytes", "`main`", "TcpStream", "TcpListener"];
    if still_rust.iter().any(|r| text.contains(r)) {
        text = format!("In Rust terms: {text}");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const CHECK_HINT: &str = "`str::to_uppercase` would also turn `ß` into `SS`.";

    fn read(expected: &[u8], got: &[u8], end: End) -> Failure {
        Failure::new("sent it", "the answer", "something else").diff(expected, got).ended(end)
    }

    #[test]
    fn a_reply_right_so_far_that_stops_short_never_gets_the_content_hint() {
        let failure = read(b"HELLO", b"HELL", End::Reset).hint("Do not `trim` what you read.");
        let hint = choose_hint(&failure, CHECK_HINT, None);
        assert!(hint.contains("stops after 4 of 5 bytes, then the connection was reset"), "{hint}");
        assert!(!hint.contains('ß') && !hint.contains("trim"), "{hint}");
        let hint = choose_hint(&read(b"HELLO", b"HE", End::TimedOut(Duration::from_secs(1))), CHECK_HINT, None);
        assert!(hint.contains("flush"), "{hint}");
    }

    #[test]
    fn a_missing_line_end_is_named() {
        let hint = choose_hint(&read(b"HELLO\n", b"HELLO", End::TimedOut(Duration::from_secs(1))), CHECK_HINT, None);
        assert!(hint.contains("line end"), "{hint}");
    }

    #[test]
    fn extra_bytes_wrong_bytes_and_decoded_text_each_get_their_hint() {
        let zeros = choose_hint(&read(b"HI", b"HI\0\0\0", End::Closed), CHECK_HINT, None);
        assert!(zeros.contains("`&buf[..n]`"), "{zeros}");
        let extra = choose_hint(&read(b"HI", b"HI\n", End::Closed), CHECK_HINT, None);
        assert!(extra.contains("then \"\\n\" more came"), "{extra}");
        let replaced = choose_hint(&read("Ü".as_bytes(), "\u{fffd}".as_bytes(), End::Closed), CHECK_HINT, None);
        assert!(replaced.contains("U+FFFD"), "{replaced}");
        // Wrong bytes: the check's own hint is about exactly that.
        assert_eq!(choose_hint(&read(b"STRASSE", "STRAẞE".as_bytes(), End::Closed), CHECK_HINT, None), CHECK_HINT);
    }

    #[test]
    fn the_failure_s_own_hint_and_a_todo_come_first() {
        let refused = Failure::new("connected", "a server", "refused").hint("Nothing is listening.");
        assert_eq!(choose_hint(&refused, CHECK_HINT, None), "Nothing is listening.");
        let todo = choose_hint(&refused, CHECK_HINT, Some("src/server.rs:3 — the todo!() that says \"x\""));
        assert!(todo.starts_with("Your program reached a todo!()"), "{todo}");
        // A datagram cut short is not a stream read: its check says why.
        let datagram = refused.diff(*b"HELLO", *b"HEL");
        assert_eq!(choose_hint(&datagram, CHECK_HINT, None), "Nothing is listening.");
    }

    #[test]
    fn socket_words_replace_rust_calls_and_say_when_rust_is_left() {
        let lesson1 = crate::lessons::find("1").unwrap();
        let accept = socket_words(lesson1.checks[0].hint);
        assert!(accept.contains("`bind` and `listen`") && accept.contains("`accept`"), "{accept}");
        assert!(!accept.contains("TcpListener") && !accept.starts_with("In Rust terms"), "{accept}");
        let reply = socket_words(lesson1.checks[1].hint);
        assert!(reply.contains("`recv`") && reply.contains("`sendall`"), "{reply}");
        let rust = socket_words("Return the error with `?` instead of `unwrap()`.");
        assert!(rust.starts_with("In Rust terms: "), "{rust}");
    }
}
