// The client side of lesson 1: send one message, print the answer.
//
// A TCP client needs fewer steps than a server:
//
//   socket → connect → send → recv (until the server closes) → close
//
// `TcpStream::connect` creates the socket and connects it in one call. If no
// server is listening there, it fails with "connection refused": return that
// error (the `?` operator does it) and `main` prints it.
//
// TCP is a byte stream, not a sequence of messages: the server's answer may
// arrive in several pieces, so one `read` is not enough. Keep reading until
// `read` returns 0, which means the server closed the connection.

// `read_to_end` is a method of the `Read` trait: keep the import.
#[allow(unused_imports)]
use std::io::{self, Read, Write};
use std::net::TcpStream;

/// Connect to `addr`, send `message`, print the whole reply and a newline.
pub fn run(addr: &str, message: &str) -> io::Result<()> {
    let mut stream = connect(addr)?;
    stream.write_all(message.as_bytes())?;
    let reply = receive_all(&mut stream)?;
    print_reply(&reply)
}

/// socket + connect.
fn connect(addr: &str) -> io::Result<TcpStream> {
    // TODO: connect to `addr` with `TcpStream::connect`.
    let _ = addr; // only so the skeleton compiles without warnings: delete this line
    todo!("connect to the server with TcpStream::connect")
}

/// recv until the server closes the connection.
fn receive_all(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    // TODO: read until end of stream. `read_to_end` loops over `read` for
    // you and stops when a read returns 0.
    let _ = stream; // only so the skeleton compiles without warnings: delete this line
    todo!("read from the connection until the server closes the connection")
}

/// Print the reply bytes exactly as received, then a newline.
fn print_reply(reply: &[u8]) -> io::Result<()> {
    // TODO: write the bytes to stdout (`io::stdout().write_all`), then `b"\n"`.
    todo!("print the {} reply bytes and a newline on stdout", reply.len())
}
