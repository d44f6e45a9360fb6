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

use std::io::{self, BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

/// Accept clients forever, each on its own thread.
pub fn run(addr: &str) -> io::Result<()> {
    let listener = TcpListener::bind(addr)?;
    let mut failing = false;
    loop {
        match listener.accept() {
            Ok((stream, peer)) => {
                failing = false;
                // `move` gives the stream to the thread: it owns its connection
                // and closes it when it is done. The accept loop keeps nothing.
                // `Builder::spawn` returns an error where `thread::spawn` would
                // panic (the system refuses a thread when memory or its thread
                // limit runs out): then only this connection is dropped.
                let spawned = thread::Builder::new().spawn(move || {
                    if let Err(err) = handle_client(stream) {
                        eprintln!("client {peer}: {err}");
                    }
                });
                if let Err(err) = spawned {
                    eprintln!("client {peer}: no thread for it ({err}): connection dropped");
                }
            }
            Err(err) => {
                // Out of file descriptors, say: the next `accept` would fail
                // the same way at once. Pause a moment instead of spinning,
                // and report only the first error of a burst.
                if !failing {
                    eprintln!("accept failed: {err} (retrying)");
                }
                failing = true;
                thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

/// Welcome one client, then answer its lines until `exit` or the end.
fn handle_client(stream: TcpStream) -> io::Result<()> {
    let mut writer = stream.try_clone()?;
    writer.write_all(b"Welcome!\n")?;
    // `lines()` waits for whole lines however the bytes arrive, and ends when
    // a read returns 0 (the client closed). A reset ends it with an error,
    // which ends this thread only.
    for line in BufReader::new(stream).lines() {
        let line = line?;
        match answer(&line) {
            Some(reply) => writer.write_all(reply.as_bytes())?,
            None => break,
        }
    }
    // Returning drops both handles: this connection, and only it, closes.
    Ok(())
}

/// The reply to one line, or `None` for `exit`.
fn answer(line: &str) -> Option<String> {
    // `lines()` removed the `\n`; a client such as telnet also sends `\r`.
    let name = line.trim_end_matches('\r');
    (name != "exit").then(|| format!("Hello, {name}!\n"))
}
