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

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

/// The longest line we answer, in bytes, not counting its line end.
const MAX_LINE: usize = 1000;

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
    let mut reader = BufReader::new(stream);
    while let Some(line) = next_line(&mut reader)? {
        match answer(&line) {
            Some(reply) => writer.write_all(reply.as_bytes())?,
            None => break,
        }
    }
    // Returning drops both handles: this connection, and only it, closes.
    Ok(())
}

/// The next line without its line end, or `None` when the client closed.
/// A line longer than `MAX_LINE` is an error, which closes the connection.
fn next_line(reader: &mut BufReader<TcpStream>) -> io::Result<Option<String>> {
    // `read_line` waits for a whole line however the bytes arrive, and keeps
    // what follows the `\n` for the next call. `take` stops it after the
    // longest line we accept plus a `\r\n`: a line still without its `\n`
    // by then is too long. A read of 0 bytes means the client closed; a
    // reset is an error, which ends this thread only.
    let limit = MAX_LINE as u64 + 2;
    let mut line = String::new();
    if reader.by_ref().take(limit).read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let ended = line.ends_with('\n');
    // Clients such as telnet end their lines with `\r\n`.
    let name = line.trim_end_matches(['\r', '\n']);
    if name.len() > MAX_LINE || (!ended && line.len() as u64 == limit) {
        let why = format!("a line longer than {MAX_LINE} bytes: connection closed");
        return Err(io::Error::new(io::ErrorKind::InvalidData, why));
    }
    Ok(Some(name.to_string()))
}

/// The reply to one line, or `None` for `exit`.
fn answer(line: &str) -> Option<String> {
    // `next_line` has already removed the line end.
    (line != "exit").then(|| format!("Hello, {line}!\n"))
}
