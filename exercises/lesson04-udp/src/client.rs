// The client side of lesson 4: send a datagram, wait for the answer with a
// timeout, and send again if none comes.
//
// UDP promises nothing: a datagram may be lost, and so may the answer. So a
// client never waits forever. It sets a read timeout, and when `recv_from`
// gives up (the error kind is `WouldBlock` on Unix, `TimedOut` on Windows)
// it sends again, a bounded number of times.
//
// `run` is written for you; read it first. It calls your steps: `bind_local`,
// then `ask`, which sends and calls `wait_for_answer` for each try, and
// `no_answer` when every try timed out.
//
// Run the checks with `cargo run -p checker -- lesson4`.

use std::io::{self, ErrorKind, Write};
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
// `Instant` measures what is left of a time-out: keep the import.
#[allow(unused_imports)]
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
    // TODO: step 1, bind. A UDP client binds too: the server's answer needs
    // an address to come back to. Port 0 lets the system choose a free port
    // (the page's "Python to Rust" table has the call). Pitfall: an IPv4
    // socket cannot send to an IPv6 server, nor the other way round: bind on
    // the loopback address of the server's family (`SocketAddr::is_ipv4`).
    let _ = server; // only so the skeleton compiles without warnings: delete this line
    todo!("step 1: bind a UDP socket on a free loopback port")
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
    // TODO: step 2, the retry loop (the page's "Timeouts and resending").
    // Each try sends the whole message again with `send_to`, then lets
    // `wait_for_answer` wait. An answer ends the loop; a try that timed out
    // leads to the next one. Pitfall: count the tries: `retries` is the
    // number of *re*-sends, so there are `retries + 1` tries in all, and the
    // loop must end even when the server never answers.
    let _ = (socket, server, message, timeout, retries, buf); // only so the skeleton compiles without warnings: delete this line
    todo!("step 2: send and wait, at most `retries + 1` tries")
}

/// Wait at most `timeout` for a datagram from `server`; `None` if none came.
#[allow(dead_code)] // you will call it from `ask`
fn wait_for_answer(
    socket: &UdpSocket,
    server: SocketAddr,
    timeout: Duration,
    buf: &mut [u8],
) -> io::Result<Option<usize>> {
    // TODO: step 3, the time-out. A plain `recv_from` may wait forever; look
    // up `UdpSocket::set_read_timeout`, and `is_timeout` below to tell a
    // timeout (`Ok(None)`) from a real error (return it). `recv_from` also
    // says who sent the datagram. Pitfall: anyone may send to your port, and
    // a datagram from another address is not the answer, however it looks.
    // Drop it and keep waiting, but only for the rest of `timeout`
    // (`Instant` measures it), or a stream of strangers keeps you forever.
    let _ = (socket, server, timeout, buf); // only so the skeleton compiles without warnings: delete this line
    todo!("step 3: wait for the server's answer, with a time-out")
}

/// The error when every try timed out: `main` prints it, and exits non-zero.
fn no_answer(tries: u32, timeout: Duration) -> io::Error {
    // TODO: step 4, the error. Giving up is a failure, not a success: build
    // an `io::Error` (look up `io::Error::new` and its `ErrorKind`s) whose
    // message says how many tries of how long went unanswered. `main`
    // prints it on stderr; then the exit status is not 0, and whoever ran
    // the client knows.
    let _ = (tries, timeout); // only so the skeleton compiles without warnings: delete this line
    todo!("step 4: the error that says no answer came")
}

/// A read timeout shows up as `WouldBlock` or `TimedOut`, depending on the system.
#[allow(dead_code)] // you will call it from `wait_for_answer`
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
