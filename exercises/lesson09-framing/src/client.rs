// The client side of lesson 9: commands from stdin, answers on stdout.
//
// Each line of stdin (`set KEY VALUE`, `get KEY`, `del KEY`) becomes one
// request frame; each answer frame becomes one line of output: `OK`,
// `VALUE <value>`, `NOT FOUND` or `ERROR <message>`.

#[allow(unused_imports)] // you will use them in `run`
use crate::frame::{read_frame, write_frame};
#[allow(unused_imports)] // `lines` and `flush` come from these traits
use std::io::{self, BufRead, Write};
#[allow(unused_imports)]
use std::net::TcpStream;

/// Send each command of stdin, print each answer.
pub fn run(addr: &str) -> io::Result<()> {
    // TODO: connect (a refused connection is an error returned with `?`),
    // then for each line of `io::stdin().lock().lines()`: build its request
    // with `request` (print a bad line's message on stderr and skip it),
    // `write_frame` it, `read_frame` the answer and print `show`'s line.
    // `Ok(None)` from `read_frame` means the server closed before answering:
    // an error. Pitfall: standard output in a pipe is not flushed at each
    // line: `flush()` after each answer, so it is seen now, not at exit.
    let _ = addr; // only so the skeleton compiles without warnings: delete this line
    todo!("connect, then send each command as a frame and print each answer")
}

/// The operation byte and the request body for one command line.
#[allow(dead_code)] // you will call it from `run`
fn request(line: &str) -> Result<(u8, Vec<u8>), &'static str> {
    // TODO: `set KEY VALUE` gives `S`, `get KEY` gives `G`, `del KEY` gives
    // `D`; the body is the operation byte, the key's length as one byte, the
    // key, and for `set` the value. `split_once(' ')` cuts at the first
    // space. Pitfall: the value is the rest of the line, spaces and all:
    // do not trim it; and a key is 1 to 255 bytes (`u8::try_from`).
    let _ = line; // only so the skeleton compiles without warnings: delete this line
    todo!("turn one command line into an operation byte and a request body")
}

/// The line to print for the answer to a request with operation `op`.
#[allow(dead_code)] // you will call it from `run`
fn show(op: u8, answer: &[u8]) -> io::Result<String> {
    // TODO: `O` answers a `G` with the value: `VALUE <value>`; other `O`s
    // print `OK`. `N` prints `NOT FOUND`, `E` prints `ERROR <message>`.
    // Values are bytes: `String::from_utf8_lossy` shows them. Any other
    // status byte is an `InvalidData` error.
    let _ = (op, answer); // only so the skeleton compiles without warnings: delete this line
    todo!("turn an answer frame into the line to print")
}
