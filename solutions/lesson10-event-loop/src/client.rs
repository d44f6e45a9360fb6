// The client side of lesson 10: join the room, type, read the others.
//
// Two things can happen at any moment: the user types a line, or the room
// sends one. The server waits on both at once with `poll`; a client this
// small can afford the simpler way: a thread for each direction, each
// blocking in its own `read`, and the main thread waiting for either to end.
//
// When stdin ends we shut down our sending side, which the server reads as
// "this user left", and keep printing what the room still sends until the
// server closes the connection, or `DRAIN` has passed.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// How long we wait for the server to close after our stdin ended.
const DRAIN: Duration = Duration::from_secs(2);

/// What ended first.
enum Ended {
    Stdin(io::Result<()>),
    Server(io::Result<()>),
}

/// Join as `name`, send each line of stdin, print each line of the room.
pub fn run(addr: &str, name: &str) -> io::Result<()> {
    let stream = TcpStream::connect(addr)?;
    let from_server = stream.try_clone()?;
    let mut to_server = stream;
    // Our first line is our name; the server's `name?` may come before or
    // after it reaches the server: it reads lines in order either way.
    to_server.write_all(format!("{name}\n").as_bytes())?;

    let (ended, why) = mpsc::channel();
    let server_ended = ended.clone();
    // `Builder::spawn` returns an error where `thread::spawn` would panic.
    thread::Builder::new().spawn(move || server_ended.send(Ended::Server(print_lines(from_server))))?;
    thread::Builder::new().spawn(move || ended.send(Ended::Stdin(send_lines(&mut to_server))))?;

    // A thread can only end by sending, so `recv` fails only if both are
    // gone, which they cannot be before sending: `Err` is handled anyway.
    match why.recv() {
        Ok(Ended::Server(result)) => result,
        Ok(Ended::Stdin(result)) => {
            result?;
            match why.recv_timeout(DRAIN) {
                Ok(Ended::Server(result)) => result,
                // The server kept the connection open: we leave anyway.
                _ => Ok(()),
            }
        }
        Err(_) => Ok(()),
    }
}

/// Print each line from the server as it arrives, until it closes.
fn print_lines(stream: TcpStream) -> io::Result<()> {
    let mut reader = BufReader::new(stream);
    let mut out = io::stdout();
    let mut line = Vec::new();
    // `read_until` collects one whole line, whatever pieces it came in;
    // 0 bytes means the server closed. Bytes, not `String`: a line that is
    // not UTF-8 is still printed.
    while reader.read_until(b'\n', &mut line)? > 0 {
        // Standard output in a pipe is not flushed at each line: flush, so
        // the line is seen now, not when we exit.
        out.write_all(&line)?;
        out.flush()?;
        line.clear();
    }
    Ok(())
}

/// Send each line of stdin, then shut down our side of the connection.
fn send_lines(stream: &mut TcpStream) -> io::Result<()> {
    let mut stdin = io::stdin().lock();
    let mut line = Vec::new();
    while stdin.read_until(b'\n', &mut line)? > 0 {
        // A last line without `\n` gets one: the server only acts on whole lines.
        if line.last() != Some(&b'\n') {
            line.push(b'\n');
        }
        stream.write_all(&line)?;
        line.clear();
    }
    // FIN: "no more from us". The server answers by closing, which ends
    // `print_lines`.
    stream.shutdown(Shutdown::Write)
}
