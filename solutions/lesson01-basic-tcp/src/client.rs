// The client side of lesson 1: send one message, print the answer.
//
// A TCP client needs fewer steps than a server:
//
//   socket → connect → send → recv (until the server closes) → close
//
// `TcpStream::connect` creates the socket and connects it in one call. If no
// server is listening there, it fails with "connection refused": we return
// that error (the `?` operator does it) and `main` prints it.
//
// TCP is a byte stream, not a sequence of messages: the server's answer may
// arrive in several pieces, so one `read` is not enough. We keep reading
// until `read` returns 0, which means the server closed the connection.

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
    TcpStream::connect(addr)
}

/// recv until the server closes the connection.
fn receive_all(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    // `read_to_end` calls `read` again and again, appending to `reply`,
    // until a read returns 0: the server has closed its side.
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply)?;
    Ok(reply)
}

/// Print the reply bytes exactly as received, then a newline.
fn print_reply(reply: &[u8]) -> io::Result<()> {
    // Bytes, not a `String`: whatever the server sent is shown unchanged.
    let mut out = io::stdout().lock();
    out.write_all(reply)?;
    out.write_all(b"\n")?;
    out.flush()
}
