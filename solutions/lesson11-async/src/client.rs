// The client side of lesson 11: join the room, type, read the others.
//
// Lesson 10's client gave each direction a thread. One task can wait on
// both with `tokio::select!`: a line from the server, or a line typed.
//
// When stdin ends we shut down our sending side, which the server reads as
// "this user left", and keep printing what the room still sends until the
// server closes the connection, or `DRAIN` has passed.

use std::io::{self, BufRead, Write};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

/// How long we wait for the server to close after our stdin ended.
const DRAIN: Duration = Duration::from_secs(2);

/// Join as `name`, send each line of stdin, print each line of the room.
pub async fn run(addr: &str, name: &str) -> io::Result<()> {
    let socket = TcpStream::connect(addr).await?;
    let (from_server, mut to_server) = socket.into_split();
    let mut from_server = BufReader::new(from_server);
    // Our first line is our name; the server's `name?` may come before or
    // after it reaches the server: it reads lines in order either way.
    to_server.write_all(format!("{name}\n").as_bytes()).await?;

    let mut typed = stdin_lines()?;
    let mut out = io::stdout();
    let mut line = Vec::new();
    loop {
        tokio::select! {
            // `read_until` is cancel safe: when the other branch wins, the
            // bytes read so far stay in `line`.
            read = from_server.read_until(b'\n', &mut line) => {
                if read? == 0 {
                    return Ok(()); // the server closed
                }
                print(&mut out, &mut line)?;
            }
            typed = typed.recv() => match typed {
                Some(typed) => to_server.write_all(&typed).await?,
                None => break, // the end of stdin
            },
        }
    }

    // FIN: "no more from us". The server answers by closing.
    to_server.shutdown().await?;
    let rest = async {
        while from_server.read_until(b'\n', &mut line).await? > 0 {
            print(&mut out, &mut line)?;
        }
        io::Result::Ok(())
    };
    // The server kept the connection open past `DRAIN`: we leave anyway.
    tokio::time::timeout(DRAIN, rest).await.unwrap_or(Ok(()))
}

/// Print one line from the server, now.
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
