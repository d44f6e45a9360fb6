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
// Run the checks with `cargo run -p checker -- lesson3`.

// `lines`, `read_line` and `write_all` come from these traits: keep the import.
#[allow(unused_imports)]
use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
#[allow(unused_imports)]
use std::thread;

/// Accept clients forever, each on its own thread.
pub fn run(addr: &str) -> io::Result<()> {
    let listener = TcpListener::bind(addr)?;
    loop {
        match listener.accept() {
            Ok((stream, peer)) => serve_in_thread(stream, peer, handle_client),
            Err(err) => eprintln!("accept failed: {err}"),
        }
    }
}

/// Run `handle(stream)` on a new thread, and return at once.
fn serve_in_thread(stream: TcpStream, peer: SocketAddr, handle: fn(TcpStream) -> io::Result<()>) {
    // TODO: `thread::spawn(move || ...)`: the `move` closure takes the stream
    // into the thread, which then owns the connection. In the thread, call
    // `handle(stream)` and print its error, if any, with `eprintln!` (name
    // the peer). Do not wait for the thread (no `join`): go back to accept.
    let _ = (&stream, handle); // delete this line once you use them
    todo!("spawn a thread that owns the stream from {peer} and runs handle(stream)")
}

/// Welcome one client, then answer its lines until `exit` or the end.
fn handle_client(stream: TcpStream) -> io::Result<()> {
    // TODO: clone the stream for writing (`try_clone`), send `Welcome!\n`,
    // then loop over `BufReader::new(stream).lines()`: for each line, `answer`
    // it and write the reply, or stop on `None`. The loop ends by itself when
    // the client closes; a read error (`?`) ends this thread only.
    todo!("welcome the client at {:?} and answer its lines", stream.peer_addr())
}

/// The reply to one line, or `None` for `exit`.
#[allow(dead_code)] // you will call it from `handle_client`
fn answer(line: &str) -> Option<String> {
    // TODO: drop a trailing `\r` (telnet sends `\r\n`); `exit` gives `None`;
    // anything else gives `Hello, <name>!` and a `\n`.
    todo!("answer the line {line:?}")
}
