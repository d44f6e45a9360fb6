// The client side of lesson 2: send the lines typed on stdin, one at a time,
// and print the server's answer to each.
//
// The server answers with an echo, so each answer is one line too. We send a
// line, then read up to the next `\n` from the stream before sending the
// next one. A `BufReader` over the stream does the waiting for the `\n`: one
// `read` may return half a line, or more than one.

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
    writer.write_all(format!("{line}\n").as_bytes())
}

/// Read one answer line from the server and print it.
fn print_answer(answers: &mut BufReader<TcpStream>) -> io::Result<()> {
    let mut answer = String::new();
    // 0 bytes: the server closed the connection before answering.
    if answers.read_line(&mut answer)? == 0 {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the server closed the connection"));
    }
    // A locked stdout and `write_all`: a closed stdout is an error we
    // return, where `print!` would panic.
    let mut out = io::stdout().lock();
    out.write_all(answer.as_bytes())?;
    out.flush()
}
