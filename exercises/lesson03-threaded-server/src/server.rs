// The server side of lesson 3: a greeter that serves many clients at once.
//
// Lesson 2's server talked to one client at a time: while it sat in the
// inner loop, every other client waited. Here `accept` hands each new
// connection to a thread of its own and goes straight back to accepting,
// so an idle or slow client blocks nobody but itself.
//
// The protocol is line-based. TCP has no message boundaries: one read may
// hold half a line, or two lines. So we never treat "one read" as "one
// message": a `BufReader` collects bytes until a `\n` and hands us lines.
//
// A line is bounded: a client that sends bytes without ever a `\n` would
// otherwise make the server keep them all, until memory runs out. A line
// longer than `MAX_LINE` bytes (its line end not counted) closes that
// connection.
//
// Run the checks with `cargo run -p checker -- lesson3`.

// `lines` and `write_all` come from these traits: keep the import.
#[allow(unused_imports)]
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

/// The longest line we answer, in bytes, not counting its line end.
#[allow(dead_code)] // you will use it in `next_line`
const MAX_LINE: usize = 1000;

/// Accept clients forever, each on its own thread.
pub fn run(addr: &str) -> io::Result<()> {
    let listener = TcpListener::bind(addr)?;
    loop {
        match listener.accept() {
            Ok((stream, peer)) => {
                // TODO: start a thread that owns this connection and runs
                // `handle_client` on it, then go straight back to `accept`.
                // Look up `std::thread::spawn` (or `thread::Builder`, which
                // returns an error where `spawn` would panic) and `move`
                // closures (the page's "A thread per client"). Pitfalls: the
                // closure must *own* the stream, or it would borrow a value
                // the loop is about to drop; and never `join` the thread
                // here, or the loop waits for that client as in lesson 2.
                // An error of `handle_client` ends its thread only: print
                // it with `eprintln!`, naming the peer.
                let _ = (stream, peer); // only so the skeleton compiles without warnings: delete this line
                todo!("run handle_client on a thread of its own that owns the connection")
            }
            Err(err) => {
                // Out of file descriptors, say: the next `accept` would fail
                // the same way at once. Pause a moment instead of spinning.
                eprintln!("accept failed: {err} (retrying)");
                thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

/// Welcome one client, then answer its lines until `exit` or the end.
#[allow(dead_code)] // you will call it from `run`
fn handle_client(stream: TcpStream) -> io::Result<()> {
    // TODO: send `Welcome!\n`, then answer the client line by line with
    // `answer`, until it says `exit` or closes. Look up `TcpStream::try_clone`
    // (one handle to write, one to read) and `BufReader` (the page's "Lines,
    // not reads"): wrap the reading handle once, and take each line from it
    // with `next_line` until that gives `None`. A read error is returned
    // with `?` and ends this thread only. Pitfall: a new `BufReader` for
    // each line would lose the bytes the previous one had read ahead.
    let _ = stream; // only so the skeleton compiles without warnings: delete this line
    todo!("welcome the client and answer its lines")
}

/// The next line without its line end, or `None` when the client closed.
/// A line longer than `MAX_LINE` is an error, which closes the connection.
#[allow(dead_code)] // you will call it from `handle_client`
fn next_line(reader: &mut BufReader<TcpStream>) -> io::Result<Option<String>> {
    // TODO: read one line with `read_line`, which waits for the `\n` however
    // the bytes arrive; 0 bytes read means the client closed: `None`. Take
    // off the line end (`\n`, or the `\r\n` telnet sends). Bound it: look
    // up `Read::by_ref` and `Read::take` (`reader.by_ref().take(n)` reads at
    // most `n` bytes, then stops as if the stream ended) and the page's
    // "Bounded lines". A line longer than `MAX_LINE`, or still without its
    // `\n` after `MAX_LINE` bytes and a `\r\n`, is an error
    // (`io::Error::new(io::ErrorKind::InvalidData, ...)`). Pitfall: a plain
    // `read_line` keeps every byte a client sends until a `\n` that may
    // never come.
    let _ = reader; // only so the skeleton compiles without warnings: delete this line
    todo!("read one line of at most MAX_LINE bytes, without its line end")
}

/// The reply to one line, or `None` for `exit`.
#[allow(dead_code)] // you will call it from `handle_client`
fn answer(line: &str) -> Option<String> {
    // TODO: `exit` gives `None`; any other name gives `Hello, <name>!` and a
    // `\n`. `next_line` has already taken off the line end. Pitfall: if the
    // line end is still there, `exit\n` is taken for a name.
    let _ = line; // only so the skeleton compiles without warnings: delete this line
    todo!("answer one line: a greeting, or None for exit")
}
