// The server side of lesson 1: answer exactly one client, then exit.
//
// A TCP server goes through the same steps in every language:
//
//   socket → bind → listen → accept → recv → send → close
//
// In Rust, `TcpListener::bind` does the first three at once: it creates the
// socket, binds it to the address and starts listening. `accept` then waits
// (it *blocks*) until a client connects, and hands back a `TcpStream`: a new
// socket for talking to that one client. The listener itself only ever
// accepts; all reading and writing goes through the stream.
//
// Run the checks with `cargo run -p checker -- lesson1`.

// `read` and `write_all` are methods of these two traits: keep the import.
#[allow(unused_imports)]
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};

/// The most bytes we read from the client: one message, one read.
const MAX_MESSAGE: usize = 1024;

/// Serve exactly one client: read one message, answer it upper-cased, close.
pub fn run(addr: &str) -> io::Result<()> {
    let listener = listen(addr)?;
    let mut stream = accept_one(&listener)?;
    let message = receive(&mut stream)?;
    send(&mut stream, &shout(&message))?;
    // Returning drops `stream` and `listener`: that is Rust's `close()`.
    Ok(())
}

/// socket + bind + listen.
fn listen(addr: &str) -> io::Result<TcpListener> {
    // TODO: create a listening socket bound to `addr`. In Python this is
    // `socket()`, `bind((host, port))` and `listen()`; in Rust it is one call
    // that returns an `io::Result<TcpListener>`.
    let _ = addr; // only so the skeleton compiles without warnings: delete this line
    todo!("bind and listen on the address with TcpListener::bind")
}

/// accept: wait for one client and return the connection to it.
fn accept_one(listener: &TcpListener) -> io::Result<TcpStream> {
    // TODO: wait for a client with `listener.accept()`. It returns the new
    // stream *and* the client's address; we only need the stream.
    let _ = listener; // only so the skeleton compiles without warnings: delete this line
    todo!("accept one connection on the listener and return its TcpStream")
}

/// recv: one read of at most MAX_MESSAGE bytes.
fn receive(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    // TODO: make a buffer of MAX_MESSAGE bytes and call `stream.read` once.
    // `read` returns how many bytes arrived (it may be fewer than the buffer
    // holds): return only those bytes, e.g. `buf[..n].to_vec()`.
    let _ = stream; // only so the skeleton compiles without warnings: delete this line
    todo!("read once from the connection into a {MAX_MESSAGE}-byte buffer")
}

/// send: write every byte of `reply`.
fn send(stream: &mut TcpStream, reply: &[u8]) -> io::Result<()> {
    // TODO: `write` may write only part of a buffer; `write_all` keeps going
    // until every byte is written (Python's `sendall`).
    let _ = stream; // only so the skeleton compiles without warnings: delete this line
    todo!("write all {} bytes of the reply to the connection", reply.len())
}

/// The answer: ASCII letters upper-cased, every other byte unchanged.
fn shout(message: &[u8]) -> Vec<u8> {
    // TODO: the bytes may not be ASCII (or even UTF-8): change only the
    // ASCII letters. The standard library has a method on `[u8]` for this.
    todo!("upper-case the ASCII letters of {message:?}")
}
