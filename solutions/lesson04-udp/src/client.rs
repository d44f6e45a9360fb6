// The client side of lesson 4: send a datagram, wait for the answer with a
// timeout, and send again if none comes.
//
// UDP promises nothing: a datagram may be lost, and so may the answer. So a
// client never waits forever. It sets a read timeout, and when `recv_from`
// gives up (the error kind is `WouldBlock` on Unix, `TimedOut` on Windows)
// it sends again, a bounded number of times.

use std::io::{self, ErrorKind, Write};
use std::net::UdpSocket;
use std::time::Duration;

/// Send `message` to `addr`; wait `timeout` for the answer, resend at most
/// `retries` times; print the answer.
pub fn run(addr: &str, message: &str, timeout: Duration, retries: u32) -> io::Result<()> {
    // Port 0: the system picks a free port for us; the server answers there.
    let socket = UdpSocket::bind("127.0.0.1:0")?;
    socket.set_read_timeout(Some(timeout))?;
    let mut buf = vec![0u8; 65_507];
    for _try in 0..=retries {
        socket.send_to(message.as_bytes(), addr)?;
        match socket.recv_from(&mut buf) {
            Ok((n, _from)) => return print_answer(&buf[..n]),
            Err(err) if is_timeout(&err) => continue,
            Err(err) => return Err(err),
        }
    }
    let tries = retries + 1;
    Err(io::Error::new(ErrorKind::TimedOut, format!("no answer after {tries} tries of {} ms", timeout.as_millis())))
}

/// A read timeout shows up as `WouldBlock` or `TimedOut`, depending on the system.
fn is_timeout(err: &io::Error) -> bool {
    matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// Print the answer's bytes and a newline.
fn print_answer(answer: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(answer)?;
    out.write_all(b"\n")?;
    out.flush()
}
