//! Expectations on the wire, each one call that fails with the wording the
//! report shows: bytes or a line from the program ([`expect_bytes`],
//! [`expect_line`]), a message sent ([`send_or_fail`]) and its answer
//! ([`exchange`]), and the connection closed with nothing more
//! ([`expect_closed`]).

use super::{Conn, Failure, Outcome};
use std::time::Duration;

/// Reads `expected.len()` bytes from `conn` and compares them.
pub fn expect_bytes(conn: &mut Conn, expected: &[u8], within: Duration, did: &str) -> Outcome {
    let got = conn.read_exact(expected.len(), within);
    if got.complete() && got.bytes == expected {
        Ok(())
    } else {
        Err(Failure::mismatch(did, expected, &got))
    }
}

/// Reads one line from `conn` and compares it with `expected` (without its
/// line end; `\r\n` and `\n` both end a line).
pub fn expect_line(conn: &mut Conn, expected: &str, within: Duration, did: &str) -> Outcome {
    let got = conn.read_line(within);
    let line = got.bytes.strip_suffix(b"\n").map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    if got.complete() && line == Some(expected.as_bytes()) {
        return Ok(());
    }
    Err(Failure::mismatch(did, format!("{expected}\n").as_bytes(), &got))
}

/// Sends `message` on `conn` and expects `expected` back.
pub fn exchange(conn: &mut Conn, message: &[u8], expected: &[u8], within: Duration, did: &str) -> Outcome {
    send_or_fail(conn, message, within, did)?;
    expect_bytes(conn, expected, within, did)
}

/// Sends all of `bytes` on `conn`. A send that fails found the connection
/// closed or reset, or the program no longer reading: the failure says so.
pub fn send_or_fail(conn: &mut Conn, bytes: &[u8], within: Duration, did: &str) -> Outcome {
    conn.send(bytes, within).map_err(|end| {
        let got = end.describe();
        let got = got.strip_prefix("then ").unwrap_or(&got).to_string();
        Failure::new(did, "your program to keep the connection open and read what was sent", got)
            .meaning_of(&end)
            .ended(end)
    })
}

/// The program closes the connection within `within`, sending nothing
/// more; `expected` says when it should ("the connection to close after
/// the response").
pub fn expect_closed(conn: &mut Conn, within: Duration, did: &str, expected: &str) -> Outcome {
    let after = conn.closed_within(within);
    if after.complete() && after.bytes.is_empty() {
        return Ok(());
    }
    Err(Failure::new(did, expected, after.describe()))
}
