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
    for line in io::stdin().lock().lines() {
        let line = line?;
        // An empty line ends the session, as the end of input does.
        if line.is_empty() {
            break;
        }
        send_line(&mut writer, &line)?;
        print_answer(&mut answers)?;
    }
    // Returning drops both handles: the connection is closed.
    Ok(())
}

/// Send `line` and its newline (`lines()` removed it, even from a last line
/// that had none).
fn send_line(writer: &mut TcpStream, line: &str) -> io::Result<()> {
    // TODO: write the line's bytes and a `\n` with `write_all`.
    let _ = writer; // only so the skeleton compiles without warnings: delete this line
    todo!("send {line:?} and a newline on the connection")
}

/// Read one answer line from the server and print it.
fn print_answer(answers: &mut BufReader<TcpStream>) -> io::Result<()> {
    // TODO: `read_line` into a String; 0 bytes means the server closed
    // before answering: return an error. Otherwise print the line as it is
    // (it ends with its own `\n`) and flush stdout.
    let _ = answers; // only so the skeleton compiles without warnings: delete this line
    todo!("read one line from the connection and print it")
}
