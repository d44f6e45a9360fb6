// The server side of lesson 2: an echo server that never stops.
//
// Lesson 1's server served one client and exited. A real server loops twice:
//
//   outer loop: accept a client          (one after another, forever)
//   inner loop: read → write it back     (until the client goes away)
//
// A read that returns 0 bytes means the client closed its side: that ends
// the inner loop, and we go back to `accept`. A read or write that *fails*
// (the client crashed, or reset the connection) also ends only that client:
// nothing one client does may take the server down.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

/// Bytes read at a time. Any size works: the echo goes out piece by piece.
const CHUNK: usize = 4096;

/// Serve clients one after another, forever.
pub fn run(addr: &str) -> io::Result<()> {
    let listener = TcpListener::bind(addr)?;
    let mut failing = false;
    loop {
        // An error here (say, the system is out of file descriptors) is
        // about this one connection attempt: keep accepting. But not at
        // once: the next `accept` would fail the same way, and a loop that
        // retries at full speed burns a core and floods the log. So we pause
        // a moment, and report only the first error of a burst.
        match listener.accept() {
            Ok((stream, peer)) => {
                failing = false;
                serve_client(stream, &peer.to_string());
            }
            Err(err) => {
                if !failing {
                    eprintln!("accept failed: {err} (retrying)");
                }
                failing = true;
                thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

/// The inner loop for one client; its errors end only this connection.
fn serve_client(stream: TcpStream, peer: &str) {
    // We report a failed connection on stderr and drop it: dropping the
    // stream closes it, and `run` goes back to `accept`.
    if let Err(err) = echo(stream) {
        eprintln!("client {peer}: {err}");
    }
}

/// Write back every byte as it arrives, until the client closes.
fn echo(mut stream: TcpStream) -> io::Result<()> {
    let mut buf = [0u8; CHUNK];
    loop {
        // `read` returns as soon as *some* bytes have arrived, not when the
        // client is done: answering each piece at once is what lets a client
        // that is still sending receive its echo.
        let n = stream.read(&mut buf)?;
        if n == 0 {
            // End of stream: the client closed (or half-closed) its side.
            // Everything it sent has been echoed; returning drops the stream.
            return Ok(());
        }
        // `write` may take only part of the buffer; `write_all` loops until
        // every byte is handed over (Python's `sendall`, not `send`).
        stream.write_all(&buf[..n])?;
    }
}
