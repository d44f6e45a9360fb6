// The client side of lesson 9: commands from stdin, answers on stdout.
//
// Each line of stdin (`set KEY VALUE`, `get KEY`, `del KEY`) becomes one
// request frame; each answer frame becomes one line of output. We send a
// request, wait for its answer and print it before we read the next line,
// so every answer is on screen as soon as it arrives.

use crate::frame::{read_frame, write_frame};
use std::io::{self, BufRead, Write};
use std::net::TcpStream;

/// Send each command of stdin, print each answer.
pub fn run(addr: &str) -> io::Result<()> {
    let mut stream = TcpStream::connect(addr)?;
    let mut out = io::stdout().lock();
    for line in io::stdin().lock().lines() {
        let line = line?;
        let (op, request) = match request(&line) {
            Ok(parsed) => parsed,
            Err(why) => {
                eprintln!("skipped {line:?}: {why}");
                continue;
            }
        };
        write_frame(&mut stream, &request)?;
        let answer = read_frame(&mut stream)?.ok_or_else(|| {
            io::Error::new(io::ErrorKind::UnexpectedEof, "the server closed the connection before answering")
        })?;
        writeln!(out, "{}", show(op, &answer)?)?;
        // Standard output may be a pipe, which Rust does not flush at each
        // line: flush, so the answer is seen now, not at exit.
        out.flush()?;
    }
    Ok(())
}

/// The operation byte and the request body for one command line.
fn request(line: &str) -> Result<(u8, Vec<u8>), &'static str> {
    let (command, rest) = line.split_once(' ').ok_or("expected `set KEY VALUE`, `get KEY` or `del KEY`")?;
    let (op, key, value) = match command {
        // The value is the rest of the line, spaces and all.
        "set" => {
            let (key, value) = rest.split_once(' ').ok_or("expected `set KEY VALUE`")?;
            (b'S', key, value)
        }
        "get" => (b'G', rest, ""),
        "del" => (b'D', rest, ""),
        _ => return Err("unknown command: use set, get or del"),
    };
    let key_len = u8::try_from(key.len()).ok().filter(|&n| n > 0).ok_or("a key is 1 to 255 bytes")?;
    Ok((op, [&[op, key_len], key.as_bytes(), value.as_bytes()].concat()))
}

/// The line to print for the answer to a request with operation `op`.
fn show(op: u8, answer: &[u8]) -> io::Result<String> {
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    match answer {
        [b'O', value @ ..] if op == b'G' => Ok(format!("VALUE {}", text(value))),
        [b'O', ..] => Ok("OK".to_string()),
        [b'N', ..] => Ok("NOT FOUND".to_string()),
        [b'E', message @ ..] => Ok(format!("ERROR {}", text(message))),
        _ => Err(io::Error::new(io::ErrorKind::InvalidData, "an answer with no known status byte")),
    }
}
