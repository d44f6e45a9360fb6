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
//
// Run the checks with `cargo run -p checker -- lesson2`.

// `read` and `write_all` are methods of these two traits: keep the import.
#[allow(unused_imports)]
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};

/// Bytes read at a time. Any size works: the echo goes out piece by piece.
const CHUNK: usize = 4096;

/// Serve clients one after another, forever.
pub fn run(addr: &str) -> io::Result<()> {
    let listener = TcpListener::bind(addr)?;
    // The outer loop, written for you: this is what lesson 1's server did
    // once. An `accept` error concerns one connection attempt only, so we
    // report it and keep accepting.
    loop {
        match listener.accept() {
            Ok((stream, peer)) => serve_client(stream, &peer.to_string()),
            Err(err) => eprintln!("accept failed: {err}"),
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
fn echo(stream: TcpStream) -> io::Result<()> {
    // TODO: loop: `read` into a CHUNK-byte buffer; if it returned 0 the
    // client closed, so return Ok(()); otherwise `write_all` exactly the
    // `n` bytes read, at once. Do not wait for the end of the stream before
    // answering: a client that is still sending must get its echo.
    let _ = stream; // only so the skeleton compiles without warnings: delete this line
    todo!("echo the connection in pieces of at most {CHUNK} bytes until a read returns 0")
}
