// The server of lesson 8: an echo server, built option by option.
//
// A socket is more than a pipe for bytes. It has addresses we can ask for
// (its own, and its peer's), and options that change how it behaves. Some
// must be set *before* `bind`, and `TcpListener::bind` gives us no moment
// for that: socket + bind + listen happen in one call. So we make the
// listening socket step by step with the `socket2` crate:
//
//   Socket::new → set options → bind → listen → into a std TcpListener
//
// then print the address we really got (with port 0, the system picks one),
// and serve each client on its own thread:
//
//   → "you are 127.0.0.1:51324"     who the client is, as we see it
//   ← "hello"  → "hello"            every line echoed
//   (nothing for T ms) → "timeout"  and we hang up

use socket2::{Domain, Protocol, Socket, Type};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::thread;
use std::time::Duration;

/// How many connections the system may queue for us before we `accept` them.
/// A burst of clients that arrives faster than we accept waits here; when the
/// queue is full, Linux drops the newcomers' handshakes silently, and they
/// hang or retry for seconds. `TcpListener::bind` asks for 128; 1,024 lets a
/// burst of a thousand clients in. (The system caps it at its own limit,
/// `net.core.somaxconn`: 4,096 on current Linux.)
const BACKLOG: i32 = 1024;

/// The longest piece we echo in one go; a longer line is echoed in pieces.
const MAX_LINE: u64 = 64 * 1024;

/// Listen on `addr` with our options, and echo lines on each connection.
pub fn run(addr: &str, idle: Duration) -> io::Result<()> {
    let listener = listen(resolve(addr)?)?;
    print_listening(&listener)?;

    loop {
        let stream = match listener.accept() {
            Ok((stream, _peer)) => stream,
            Err(err) => {
                // Too many open files, say: report it, give the other
                // connections a moment to finish, and go on accepting.
                eprintln!("error: accept: {err}");
                thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        // The thread owns its stream: an idle client holds only its own
        // thread, and the timeout gives even that back.
        // `Builder::spawn` reports a refused thread as an error, where
        // `thread::spawn` would panic: then only this connection is dropped.
        let spawned = thread::Builder::new().spawn(move || {
            if let Err(err) = handle_connection(&stream, idle) {
                eprintln!("error: {err}");
            }
        });
        if let Err(err) = spawned {
            eprintln!("error: no thread for a new connection ({err}): dropped");
        }
    }
}

/// `HOST:PORT` to one socket address (`socket2` takes addresses, not names).
fn resolve(addr: &str) -> io::Result<SocketAddr> {
    addr.to_socket_addrs()?
        .next()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, format!("{addr}: no address")))
}

/// socket + options + bind + listen, by hand.
fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    // The same `socket(AF_INET, SOCK_STREAM)` call as in Python: the family
    // follows the address (IPv4 or IPv6), the type is a byte stream, TCP.
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;

    // SO_REUSEADDR: bind even though connections of an earlier run of this
    // server still linger on the port in TIME_WAIT, so a restart works at
    // once. (`TcpListener::bind` sets it for us on Unix; by hand, it's ours.)
    // On Windows the same option means something else (another socket may
    // take over the port while we use it), and the system there allows the
    // restart anyway: so on Unix only.
    #[cfg(unix)]
    socket.set_reuse_address(true)?;
    // SO_REUSEPORT: several sockets, in several processes, may listen on the
    // same port if every one of them set it; the system then shares out the
    // new connections. Windows has no such option.
    #[cfg(unix)]
    socket.set_reuse_port(true)?;

    // Options only count if they are set before `bind`: that is where the
    // system checks whether the port is free.
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    // From here on it is an ordinary listener: std takes it over.
    Ok(socket.into())
}

/// Print `listening on <address>` with the address we really got.
fn print_listening(listener: &TcpListener) -> io::Result<()> {
    // `local_addr` is Python's `getsockname()`: it asks the system which
    // address the socket is bound to. With port 0 the system chose a free
    // port at `bind`, and this is the only way to learn which.
    let local = listener.local_addr()?;
    let mut out = io::stdout();
    writeln!(out, "listening on {local}")?;
    // Flushed now: whoever started us waits for this line to connect.
    out.flush()
}

/// One client: options, greeting, then echo until it leaves or goes quiet.
fn handle_connection(stream: &TcpStream, idle: Duration) -> io::Result<()> {
    configure(stream, idle)?;
    greet(stream)?;
    echo_lines(stream)
}

/// Set this connection's options: no Nagle delay, read and write timeouts.
fn configure(stream: &TcpStream, idle: Duration) -> io::Result<()> {
    // TCP_NODELAY turns off Nagle's algorithm, which holds back a small
    // write while an earlier one is unacknowledged, hoping to send both in
    // one packet. Good for bulk data; for short answers to short lines, it
    // adds waits of up to tens of milliseconds.
    stream.set_nodelay(true)?;
    // SO_RCVTIMEO (Python's `settimeout`): a `read` that waits longer than
    // `idle` gives up with an error instead of blocking forever. The wait
    // starts afresh with every `read` call, so it measures silence.
    stream.set_read_timeout(Some(idle))?;
    // SO_SNDTIMEO: likewise for `write`. A client that sends lines but never
    // reads our echoes fills its receive buffer, then ours, and then a write
    // would block forever, holding this thread. The same limit ends that.
    stream.set_write_timeout(Some(idle))
}

/// Print `connected <peer>` and send `you are <peer>` to the client.
fn greet(mut stream: &TcpStream) -> io::Result<()> {
    // `peer_addr` is Python's `getpeername()`: the address and port of the
    // other end, as this connection sees it. (`accept` also returns it.)
    let peer = stream.peer_addr()?;
    let mut out = io::stdout();
    writeln!(out, "connected {peer}")?;
    out.flush()?;
    stream.write_all(format!("you are {peer}\n").as_bytes())
}

/// Echo each line back, until the client closes or stays silent too long.
fn echo_lines(mut stream: &TcpStream) -> io::Result<()> {
    // One `BufReader` for the whole connection: the bytes it reads past one
    // line are the start of the next, and stay in its buffer.
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.by_ref().take(MAX_LINE).read_until(b'\n', &mut line) {
            // 0 bytes: the client closed its side. We are done, and the
            // thread's end drops the stream, which closes ours.
            Ok(0) => return Ok(()),
            // A line, or at the very end a last piece without '\n'.
            Ok(_) => stream.write_all(&line)?,
            // The read timeout fired: nothing came for `idle`. We say so and
            // close. (What came of an unfinished line is dropped.)
            Err(err) if is_timeout(&err) => return stream.write_all(b"timeout\n"),
            Err(err) => return Err(err),
        }
    }
}

/// True for the error a read returns when its timeout expires: `WouldBlock`
/// (EAGAIN) on Unix, `TimedOut` on Windows.
fn is_timeout(err: &io::Error) -> bool {
    matches!(err.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)
}
