//! Expectations a check states in one call, each failing with the
//! wording the report shows: bytes or a line on a connection, an exchange,
//! a client's error exit.

use super::status::describe_status;
use super::{text, Conn, Ctx, Failure, Outcome, Program};
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
    conn.send(message, within).map_err(|end| Failure::new(did, "to send the message", end.describe()))?;
    expect_bytes(conn, expected, within, did)
}

/// The program (a client that met an error: a refused connection, a server
/// that closed early) exits non-zero with a message on stderr, without a panic.
pub fn expect_error_exit(ctx: &Ctx, client: &mut Program, did: &str) -> Outcome {
    let expected = "a short error on stderr and a non-zero exit status, without a panic";
    let Some(status) = client.wait_exit(ctx.timing.exit()) else {
        return Err(Failure::new(did, expected, "the client was still running")
            .hint("An error here ends the client: return it instead of retrying or waiting forever."));
    };
    let (err, _) = client.stderr().snapshot();
    let err = String::from_utf8_lossy(&err);
    if status.success() {
        return Err(Failure::new(did, expected, "exit status 0")
            .hint("The client could not do its work: return the error from `run` so `main` exits non-zero."));
    }
    if err.contains("panicked at") || err.contains("Traceback (most recent call last)") {
        return Err(Failure::new(did, expected, format!("a crash: {}", text::crash_line(&err))));
    }
    if err.trim().is_empty() {
        return Err(Failure::new(did, expected, format!("{}, with nothing on stderr", describe_status(status)))
            .hint("Say what went wrong on stderr (`eprintln!`), e.g. `error: Connection refused`."));
    }
    Ok(())
}
