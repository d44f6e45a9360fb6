// The client side of lesson 4: send a datagram, wait for the answer with a
// timeout, and send again if none comes.
//
// UDP promises nothing: a datagram may be lost, and so may the answer. So a
// client never waits forever. It sets a read timeout, and when `recv_from`
// gives up (the error kind is `WouldBlock` on Unix, `TimedOut` on Windows)
// it sends again, a bounded number of times.

use std::io::{self, ErrorKind, Write};
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::time::{Duration, Instant};

/// The largest UDP payload over IPv4: a buffer this big never cuts an answer.
const MAX_DATAGRAM: usize = 65_507;

/// Send `message` to `addr`; wait `timeout` for the answer, resend at most
/// `retries` times; print the answer.
pub fn run(addr: &str, message: &str, timeout: Duration, retries: u32) -> io::Result<()> {
    let server = resolve(addr)?;
    let socket = bind_local(server)?;
    let mut buf = vec![0u8; MAX_DATAGRAM];
    match ask(&socket, server, message.as_bytes(), timeout, retries, &mut buf)? {
        Some(n) => print_answer(&buf[..n]),
        None => Err(no_answer(retries + 1, timeout)),
    }
}

/// `HOST:PORT` to one socket address: the one answers must come from.
fn resolve(addr: &str) -> io::Result<SocketAddr> {
    addr.to_socket_addrs()?.next().ok_or_else(|| io::Error::new(ErrorKind::InvalidInput, format!("{addr}: no address")))
}

/// Our own socket, on a port the system picks, in the server's family.
fn bind_local(server: SocketAddr) -> io::Result<UdpSocket> {
    // Port 0: the system picks a free port for us; the server answers there.
    // An IPv4 socket cannot send to an IPv6 address, nor the other way.
    UdpSocket::bind(if server.is_ipv4() { "127.0.0.1:0" } else { "[::1]:0" })
}

/// Send `message`, wait for the answer; at most `retries` more times. The
/// answer's length in `buf`, or `None` when every try timed out.
fn ask(
    socket: &UdpSocket,
    server: SocketAddr,
    message: &[u8],
    timeout: Duration,
    retries: u32,
    buf: &mut [u8],
) -> io::Result<Option<usize>> {
    // 1 + `retries` tries: a bounded loop, so the client always ends.
    for _try in 0..=retries {
        socket.send_to(message, server)?;
        if let Some(n) = wait_for_answer(socket, server, timeout, buf)? {
            return Ok(Some(n));
        }
    }
    Ok(None)
}

/// Wait at most `timeout` for a datagram from `server`; `None` if none came.
fn wait_for_answer(
    socket: &UdpSocket,
    server: SocketAddr,
    timeout: Duration,
    buf: &mut [u8],
) -> io::Result<Option<usize>> {
    // Anyone may send a datagram to our port: `recv_from` says who did. A
    // datagram from anywhere else is not our answer, however it looks, so we
    // drop it and wait for the rest of the time we had.
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(None);
        }
        socket.set_read_timeout(Some(left))?;
        match socket.recv_from(buf) {
            Ok((n, from)) if from == server => return Ok(Some(n)),
            Ok(_) => continue,
            Err(err) if is_timeout(&err) => return Ok(None),
            Err(err) => return Err(err),
        }
    }
}

/// The error when every try timed out: `main` prints it, and exits non-zero.
fn no_answer(tries: u32, timeout: Duration) -> io::Error {
    io::Error::new(ErrorKind::TimedOut, format!("no answer after {tries} tries of {} ms", timeout.as_millis()))
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
