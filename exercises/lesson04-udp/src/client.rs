// The client side of lesson 4: send a datagram, wait for the answer with a
// timeout, and send again if none comes.
//
// UDP promises nothing: a datagram may be lost, and so may the answer. So a
// client never waits forever. It sets a read timeout, and when `recv_from`
// gives up (the error kind is `WouldBlock` on Unix, `TimedOut` on Windows)
// it sends again, a bounded number of times.

use std::io::{self, ErrorKind, Write};
#[allow(unused_imports)]
use std::net::UdpSocket;
use std::time::Duration;

/// Send `message` to `addr`; wait `timeout` for the answer, resend at most
/// `retries` times; print the answer.
pub fn run(addr: &str, message: &str, timeout: Duration, retries: u32) -> io::Result<()> {
    // TODO: bind a UdpSocket to "127.0.0.1:0" (the system picks the port),
    // set its read timeout to `timeout`, then try at most `retries + 1`
    // times: `send_to` the message, `recv_from` the answer; on an answer
    // `print_answer` it and return; on a timeout (`is_timeout`) try again;
    // on any other error return it. After the last try, return an error
    // saying no answer came (`main` prints it and exits non-zero).
    todo!("send {message:?} to {addr}, wait {timeout:?} for an answer, at most {} tries", retries + 1)
}

/// A read timeout shows up as `WouldBlock` or `TimedOut`, depending on the system.
#[allow(dead_code)] // you will call it from `run`
fn is_timeout(err: &io::Error) -> bool {
    matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// Print the answer's bytes and a newline.
#[allow(dead_code)] // you will call it from `run`
fn print_answer(answer: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(answer)?;
    out.write_all(b"\n")?;
    out.flush()
}
