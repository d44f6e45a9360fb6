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
    // One call does all three. It fails if the address is malformed or the
    // port is already taken ("address in use"); `?` hands that to `main`.
    TcpListener::bind(addr)
}

/// accept: wait for one client and return the connection to it.
fn accept_one(listener: &TcpListener) -> io::Result<TcpStream> {
    // `accept` blocks until a client connects. The address it also returns
    // is the client's; this server has no use for it.
    let (stream, _client_addr) = listener.accept()?;
    Ok(stream)
}

/// recv: one read of at most MAX_MESSAGE bytes.
fn receive(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut buf = [0u8; MAX_MESSAGE];
    // `read` blocks until at least one byte arrives and returns how many it
    // put in `buf`; only `buf[..n]` is the message. (0 would mean the client
    // closed without sending anything: then we answer with nothing.)
    //
    // One read taken as "the message" is a simplification, and we say so:
    // TCP keeps no message boundaries, so a longer message, or one sent in
    // pieces, may take several reads. It works here because the message is
    // short and sent in one write on loopback. Lesson 3 removes it: there,
    // messages end with `\n`, and we read until we see one.
    let n = stream.read(&mut buf)?;
    Ok(buf[..n].to_vec())
}

/// send: write every byte of `reply`.
fn send(stream: &mut TcpStream, reply: &[u8]) -> io::Result<()> {
    // `write` may take only part of the buffer; `write_all` loops until all
    // of it is handed to the system (Python's `sendall`).
    stream.write_all(reply)
}

/// The answer: ASCII letters upper-cased, every other byte unchanged.
fn shout(message: &[u8]) -> Vec<u8> {
    // Working on bytes, not `str`: a message need not be valid UTF-8, and
    // `é` or `ß` must pass through untouched.
    message.to_ascii_uppercase()
}
