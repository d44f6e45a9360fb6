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

#[allow(unused_imports)] // you will use them
use std::io::{self, BufRead, BufReader, Write};
#[allow(unused_imports)]
use std::net::{Shutdown, TcpStream};
#[allow(unused_imports)]
use std::sync::mpsc;
#[allow(unused_imports)]
use std::thread;
use std::time::Duration;

/// How long we wait for the server to close after our stdin ended.
#[allow(dead_code)] // you will use it in `run`
const DRAIN: Duration = Duration::from_secs(2);

/// What ended first.
#[allow(dead_code)] // you will send them from your two threads
enum Ended {
    Stdin(io::Result<()>),
    Server(io::Result<()>),
}

/// Join as `name`, send each line of stdin, print each line of the room.
pub fn run(addr: &str, name: &str) -> io::Result<()> {
    // TODO: connect (a refused connection is an error: return it with `?`,
    // `main` prints it), `try_clone` the stream so each direction has its
    // own handle, and send `name` and `\n`: our first line is our name.
    // Then make an `mpsc::channel()` and start two threads with
    // `thread::Builder::new().spawn(…)?` (where `thread::spawn` would panic,
    // it returns an error): one sends `Ended::Server(print_lines(…))`, the
    // other `Ended::Stdin(send_lines(…))`. Wait for the first message:
    // the server ended → return its result. Stdin ended → wait at most
    // `DRAIN` more (`recv_timeout`) for the server to close, then return.
    // Pitfall: do not wait for the server's reply before reading stdin, or
    // for stdin before printing the room: both must go on at once.
    let _ = (addr, name); // only so the skeleton compiles without warnings: delete this line
    todo!("step 7: connect, send the name, and run both directions at once")
}

/// Print each line from the server as it arrives, until it closes.
#[allow(dead_code)] // you will call it from `run`
fn print_lines(stream: TcpStream) -> io::Result<()> {
    // TODO: wrap the stream in a `BufReader` and `read_until(b'\n', …)`
    // into a `Vec<u8>` until it returns 0 (the server closed). Write each
    // line to `io::stdout()` and `flush()`, then `clear()` the buffer.
    // Pitfall: standard output in a pipe is not flushed at each line: without
    // `flush`, the checker sees nothing until we exit.
    let _ = stream; // only so the skeleton compiles without warnings: delete this line
    todo!("step 7: print the server's lines as they arrive")
}

/// Send each line of stdin, then shut down our side of the connection.
#[allow(dead_code)] // you will call it from `run`
fn send_lines(stream: &mut TcpStream) -> io::Result<()> {
    // TODO: `read_until(b'\n', …)` each line of `io::stdin().lock()` and
    // `write_all` it (give a last line without `\n` its `\n`: the server
    // only acts on whole lines). At the end of stdin, shut down the
    // writing half of the stream only (`Shutdown::Write`): the server sees
    // the end of our stream and says we left, while we can still read.
    let _ = stream; // only so the skeleton compiles without warnings: delete this line
    todo!("step 7: send stdin's lines, then shut down the writing side")
}
