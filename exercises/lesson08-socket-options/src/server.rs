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

// Your functions need these (`socket2` to build the socket, `read_until`,
// `take`, `write_all`...): keep the imports.
#[allow(unused_imports)]
use socket2::{Domain, Protocol, Socket, Type};
#[allow(unused_imports)]
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
    // TODO: the listening socket, step by step, as the top of this file
    // draws it (the page's "Socket options", "`SO_REUSEADDR`: restart at
    // once" and "`SO_REUSEPORT`: several processes, one port"). Look up
    // `socket2::Socket` (`new`, `set_reuse_address`, `set_reuse_port`, `bind`,
    // `listen`), `Domain::for_address` (IPv4 or IPv6, as `addr` is), and the
    // `From` conversion of a `Socket` into a std `TcpListener`. Pitfalls:
    // - an option counts only if it is set before `bind`: that is where the
    //   system decides whether the port is free;
    // - `set_reuse_port` exists on Unix only (`#[cfg(unix)]`), and so does the
    //   meaning of SO_REUSEADDR we want here (on Windows it lets another
    //   socket take over the port);
    // - `socket2` binds a `SockAddr`, which converts from a `SocketAddr`.
    let _ = addr; // only so the skeleton compiles without warnings: delete this line
    todo!("create a socket with SO_REUSEADDR and SO_REUSEPORT, bind it and listen (backlog {BACKLOG})")
}

/// Print `listening on <address>` with the address we really got.
fn print_listening(listener: &TcpListener) -> io::Result<()> {
    // TODO: with port 0 the system chose a free port at `bind`, and only the
    // socket knows which: ask it (Python's `getsockname()`; the page's "Whose
    // address? `local_addr` and `peer_addr`"). Print `listening on <address>`
    // on stdout. Pitfall: flush it: whoever started the server waits for this
    // line before connecting, and stdout may hold it back in a buffer.
    let _ = listener; // only so the skeleton compiles without warnings: delete this line
    todo!("print `listening on <address>` for the listener, and flush")
}

/// One client: options, greeting, then echo until it leaves or goes quiet.
fn handle_connection(stream: &TcpStream, idle: Duration) -> io::Result<()> {
    configure(stream, idle)?;
    greet(stream)?;
    echo_lines(stream)
}

/// Set this connection's options: no Nagle delay, and a read timeout.
fn configure(stream: &TcpStream, idle: Duration) -> io::Result<()> {
    // TODO: two options that `std` can set itself (the page's "`TCP_NODELAY`:
    // no waiting for small writes" and "Timeouts: `set_read_timeout`"): turn
    // off Nagle's algorithm, which holds back a small write while an earlier
    // one is unacknowledged; and give reads a timeout of `idle`, so that a
    // silent client makes `read` fail instead of blocking forever. Look up the
    // `set_*` methods of `TcpStream`. Pitfall: a client that sends but never
    // reads fills the buffers until *your* write blocks; a write timeout of
    // the same length (`set_write_timeout`) ends that too.
    let _ = (stream, idle); // only so the skeleton compiles without warnings: delete this line
    todo!("set TCP_NODELAY and a read timeout on the connection")
}

/// Print `connected <peer>` and send `you are <peer>` to the client.
fn greet(stream: &TcpStream) -> io::Result<()> {
    // TODO: who is on the other end, as this connection sees it (Python's
    // `getpeername()`; the page's "Whose address? `local_addr` and
    // `peer_addr`"). Print `connected <peer>` on stdout, flushed, then send
    // `you are <peer>\n` to the client. Look up the address methods of
    // `TcpStream` and `Write::write_all`. Pitfall: to write through a
    // `&TcpStream`, name the parameter `mut stream`: `&TcpStream` implements
    // `Write` too.
    let _ = stream; // only so the skeleton compiles without warnings: delete this line
    todo!("print `connected <peer>` and send `you are <peer>` to the connection")
}

/// Echo each line back, until the client closes or stays silent too long.
fn echo_lines(stream: &TcpStream) -> io::Result<()> {
    // TODO: send each line back as it comes, until the client closes (a read
    // of 0 bytes: return `Ok(())`) or stays silent for the idle time: then
    // send `timeout\n` and return, which closes the connection (the page's
    // "The protocol"). Look up `BufReader`, `BufRead::read_until`, and
    // `Read::take` on `reader.by_ref()` to read at most MAX_LINE bytes at a
    // time. `is_timeout` tells the read timeout from other errors, which you
    // return. Pitfalls: make *one* `BufReader` for the whole connection (what
    // it read past one line is the start of the next); clear your line buffer
    // before each read, as `read_until` appends; write with `mut stream`, as
    // in `greet`.
    let _ = stream; // only so the skeleton compiles without warnings: delete this line
    todo!("echo lines (at most {MAX_LINE} bytes each) until the end or a timeout")
}

/// True for the error a read returns when its timeout expires: `WouldBlock`
/// (EAGAIN) on Unix, `TimedOut` on Windows.
// Your `echo_lines` calls this; until then the compiler would warn that nothing does.
#[allow(dead_code)]
fn is_timeout(err: &io::Error) -> bool {
    // TODO: a read that timed out does not say so the same way everywhere
    // (the page's "Timeouts: `set_read_timeout`"): look up `io::ErrorKind`,
    // and `matches!` the error's kind against both. Pitfall: matching one
    // kind only works on one family of systems.
    let _ = err; // only so the skeleton compiles without warnings: delete this line
    todo!("tell whether a read error is a timeout (WouldBlock or TimedOut)")
}
