// The client side of lesson 11: join the room, type, read the others.
// Your last step: `print` and `stdin_lines` are written for you.
//
// Lesson 10's client gave each direction a thread. One task can wait on
// both with `tokio::select!`: a line from the server, or a line typed.
//
// When stdin ends we shut down our sending side, which the server reads as
// "this user left", and keep printing what the room still sends until the
// server closes the connection, or `DRAIN` has passed.

use std::io::{self, BufRead, Write};
use std::time::Duration;
#[allow(unused_imports)] // you will use them in `run`
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
#[allow(unused_imports)]
use tokio::net::TcpStream;
use tokio::sync::mpsc;

/// How long we wait for the server to close after our stdin ended.
const DRAIN: Duration = Duration::from_secs(2);

/// Join as `name`, send each line of stdin, print each line of the room.
pub async fn run(addr: &str, name: &str) -> io::Result<()> {
    // TODO (step 6, the client): `TcpStream::connect(addr).await?` (a
    // refused connection is an error returned with `?`: `main` prints it
    // and exits non-zero), `into_split()`, a `BufReader` on the read half;
    // write your name and `\n` first. Then loop over a `tokio::select!` of
    // `from_server.read_until(b'\n', &mut line)` (0 bytes: the server
    // closed, return; else `print` the line) and `typed.recv()` from
    // `stdin_lines()` (a line: `write_all` it; `None`: stdin ended, leave
    // the loop). After it, `shutdown().await` the write half (FIN) and keep
    // printing until the server closes, for at most `DRAIN`
    // (`tokio::time::timeout`). Pitfall: keep the `select!` branch to the
    // read itself and print in its body: a branch dropped half way through
    // printing would print the line twice.
    let _ = (addr, name, DRAIN); // only so the skeleton compiles without warnings: delete this line
    todo!("connect, send the name, then select! between the server and stdin")
}

/// Print one line from the server, now.
#[allow(dead_code)] // you will call it from `run`
///
/// A plain blocking write: a line to a terminal or a pipe takes a moment,
/// and this task has nobody else to keep waiting. A server must not do
/// this: its thread is shared by thousands of tasks.
fn print(out: &mut io::Stdout, line: &mut Vec<u8>) -> io::Result<()> {
    // Bytes, not `String`: a line that is not UTF-8 is still printed. And
    // flushed: stdout in a pipe is not flushed at each line.
    out.write_all(line)?;
    out.flush()?;
    line.clear();
    Ok(())
}

/// The lines of stdin, each ending in `\n`, read on a thread of their own.
#[allow(dead_code)] // you will call it from `run`
///
/// `tokio::io::stdin` reads on a thread too, one that nobody can interrupt:
/// the runtime would wait for it at exit, until the user pressed Enter. A
/// thread of our own is simply left behind when `main` returns.
fn stdin_lines() -> io::Result<mpsc::Receiver<Vec<u8>>> {
    let (sender, lines) = mpsc::channel(16);
    std::thread::Builder::new().spawn(move || {
        let mut stdin = io::stdin().lock();
        loop {
            let mut line = Vec::new();
            // An error reading stdin ends it like its end does.
            if !matches!(stdin.read_until(b'\n', &mut line), Ok(n) if n > 0) {
                return; // dropping `sender` tells the task: `recv` gives `None`
            }
            // A last line without `\n` gets one: the server only acts on
            // whole lines.
            if line.last() != Some(&b'\n') {
                line.push(b'\n');
            }
            // A thread may block, a task may not: `blocking_send` is the
            // thread's way in, and waits while the channel is full.
            if sender.blocking_send(line).is_err() {
                return; // the task is gone
            }
        }
    })?;
    Ok(lines)
}
