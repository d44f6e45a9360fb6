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
const BACKLOG: i32 = 128;

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
        thread::spawn(move || {
            if let Err(err) = handle_connection(&stream, idle) {
                eprintln!("error: {err}");
            }
        });
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
    // TODO: build the listening socket step by step with `socket2`:
    // 1. `Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?`:
    //    Python's `socket(AF_INET, SOCK_STREAM)`, IPv4 or IPv6 as `addr` is;
    // 2. `set_reuse_address(true)` (SO_REUSEADDR): a restarted server binds
    //    at once, even while old connections linger in TIME_WAIT;
    // 3. `set_reuse_port(true)` (SO_REUSEPORT), only on Unix: put
    //    `#[cfg(unix)]` on that line. Several processes may then listen on
    //    one port, if all of them set it;
    // 4. `bind(&addr.into())`: options count only if set before this;
    // 5. `listen(BACKLOG)`;
    // 6. return `socket.into()`: a `Socket` converts into a std `TcpListener`.
    todo!("create a socket with SO_REUSEADDR and SO_REUSEPORT, bind it to {addr} and listen (backlog {BACKLOG})")
}

/// Print `listening on <address>` with the address we really got.
fn print_listening(listener: &TcpListener) -> io::Result<()> {
    // TODO: `listener.local_addr()?` is Python's `getsockname()`: the address
    // the socket is really bound to. With port 0 the system chose a free port
    // at `bind`, and this is the only way to learn which. Print
    // `listening on <that address>` on stdout, and flush: whoever started
    // the server waits for this line before connecting.
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
    // TODO: two options, both settable with std alone:
    // - `set_nodelay(true)` (TCP_NODELAY): turn off Nagle's algorithm, which
    //   holds back a small write while an earlier one is unacknowledged;
    // - `set_read_timeout(Some(idle))` (SO_RCVTIMEO, Python's `settimeout`):
    //   a `read` that waits longer than `idle` fails instead of blocking on.
    let _ = stream; // only so the skeleton compiles without warnings: delete this line
    todo!("set TCP_NODELAY and a read timeout of {idle:?} on the connection")
}

/// Print `connected <peer>` and send `you are <peer>` to the client.
fn greet(stream: &TcpStream) -> io::Result<()> {
    // TODO: `stream.peer_addr()?` is Python's `getpeername()`: the address
    // and port of the other end. Print `connected <peer>` on stdout (flush
    // it), then send `you are <peer>\n` to the client with `write_all`.
    // (To write through a `&TcpStream`, name the parameter `mut stream`:
    // `&TcpStream` implements `Write` too.)
    let _ = stream; // only so the skeleton compiles without warnings: delete this line
    todo!("print `connected <peer>` and send `you are <peer>` to the connection")
}

/// Echo each line back, until the client closes or stays silent too long.
fn echo_lines(stream: &TcpStream) -> io::Result<()> {
    // TODO: make one `BufReader::new(stream)` for the whole connection, then
    // loop on `reader.by_ref().take(MAX_LINE).read_until(b'\n', &mut line)`
    // (clear `line` first each time):
    // - `Ok(0)`: the client closed its side: return `Ok(())`;
    // - `Ok(_)`: write the line back with `write_all` (`mut stream`, as in
    //   `greet`);
    // - an error for which `is_timeout` is true: nothing came for the idle
    //   time. Send `timeout\n` and return: the connection closes;
    // - any other error: return it.
    let _ = stream; // only so the skeleton compiles without warnings: delete this line
    todo!("echo lines (at most {MAX_LINE} bytes each) on the connection until the end or a timeout")
}

/// True for the error a read returns when its timeout expires: `WouldBlock`
/// (EAGAIN) on Unix, `TimedOut` on Windows.
// Your `echo_lines` calls this; until then the compiler would warn that nothing does.
#[allow(dead_code)]
fn is_timeout(err: &io::Error) -> bool {
    // TODO: a timed-out read does not say "timeout" the same way everywhere:
    // `matches!` its `err.kind()` against both kinds.
    todo!("is {err} a read timeout (WouldBlock or TimedOut)?")
}
