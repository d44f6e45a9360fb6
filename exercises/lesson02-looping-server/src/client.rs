// The client side of lesson 2: send the lines typed on stdin, one at a time,
// and print the server's answer to each.
//
// The server answers with an echo, so each answer is one line too. We send a
// line, then read up to the next `\n` from the stream before sending the
// next one. A `BufReader` over the stream does the waiting for the `\n`: one
// `read` may return half a line, or more than one.

// `lines`, `read_line` and `write_all` come from these traits: keep the import.
#[allow(unused_imports)]
use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpStream;

/// Connect, then for each non-empty stdin line: send it, print the answer.
pub fn run(addr: &str) -> io::Result<()> {
    let stream = TcpStream::connect(addr)?;
    // Two handles on one connection: one to write, one (buffered) to read.
    let mut writer = stream.try_clone()?;
    let mut answers = BufReader::new(stream);
    // TODO: go through the lines typed on stdin, one at a time: `BufRead`
    // gives a locked stdin a method that yields lines (the page's "Python to
    // Rust" table). For each line, `send_line` it, then `print_answer`: one
    // answer per line, in order. An empty line ends the session, as the end
    // of input does. Careful: read an answer only after sending a line; with
    // nothing on stdin, the server has nothing to answer, and a read would
    // wait forever. Returning drops both handles: that closes the connection.
    let _ = (&mut writer, &mut answers); // only so the skeleton compiles without warnings: delete this line
    todo!("send each line of stdin and print the server's answer to it")
}

/// Send `line` and its newline (`lines()` removed it, even from a last line
/// that had none).
#[allow(dead_code)] // you will call it from `run`
fn send_line(writer: &mut TcpStream, line: &str) -> io::Result<()> {
    // TODO: write the line's bytes and a `\n` with `write_all`.
    let _ = writer; // only so the skeleton compiles without warnings: delete this line
    todo!("send the {} bytes of the line and a newline on the connection", line.len())
}

/// Read one answer line from the server and print it.
#[allow(dead_code)] // you will call it from `run`
fn print_answer(answers: &mut BufReader<TcpStream>) -> io::Result<()> {
    // TODO: `read_line` into a String; 0 bytes means the server closed
    // before answering: return an error. Otherwise print the line as it is
    // (it ends with its own `\n`) and flush stdout.
    let _ = answers; // only so the skeleton compiles without warnings: delete this line
    todo!("read one line from the connection and print it")
}
