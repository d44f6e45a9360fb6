// The client of lesson 7: send one file, print the server's answer.
//
// What goes on the wire is the header, two lines, then the contents:
//
//   photo.jpg\n              ← the file's own name, without its directory
//   52344\n                  ← its size in bytes
//   (exactly 52344 bytes)
//
// The size comes first so the server knows where the file ends: after
// exactly that many bytes. It cannot wait for us to close the connection,
// because we still need the connection to hear its answer, one line:
// `OK 52344` or `ERR <reason>`.
//
// Like the server, we never load the file into memory: `io::copy` streams it
// from the file to the socket in chunks.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::Path;
use std::time::Duration;

/// The longest reply line we read, in bytes.
const MAX_REPLY: u64 = 1024;

/// How long we wait for the server to take more of the file, or to answer,
/// before we give up on it. Generous: after the last byte the server still
/// writes the file to disk before it answers.
const PATIENCE: Duration = Duration::from_secs(60);

/// Send the file at `path` to the server at `addr`; print its answer.
/// Succeeds only if the answer is `OK`.
pub fn run(addr: &str, path: &Path) -> io::Result<()> {
    let name = file_name(path)?;
    let (file, size) = open(path)?;
    let mut stream = TcpStream::connect(addr)?;
    // Without time-outs, a server that stops reading (or never answers)
    // would keep us waiting forever.
    stream.set_write_timeout(Some(PATIENCE))?;
    stream.set_read_timeout(Some(PATIENCE))?;

    // A server that refuses our header answers at once and closes, while we
    // are still sending: our writes then fail (broken pipe, reset), but its
    // answer is waiting for us. So a failed send is not the end: we tell the
    // server nothing more is coming, then read the answer all the same.
    let sent = send_file(&mut stream, name, file, size);
    if sent.is_err() {
        let _ = stream.shutdown(Shutdown::Write);
    }
    let reply = match read_reply(&stream) {
        Ok(reply) => reply,
        // No answer at all: the error that came first tells the most.
        Err(err) => return Err(sent.err().unwrap_or(err)),
    };

    // A locked stdout and `writeln!`: if stdout is closed, we get an error
    // to return, where `println!` would panic.
    writeln!(io::stdout().lock(), "{reply}")?;
    if reply.split(' ').next() == Some("OK") {
        Ok(())
    } else {
        Err(io::Error::other("the server did not accept the file"))
    }
}

/// The name we send: the last part of `path`, without its directory.
fn file_name(path: &Path) -> io::Result<&str> {
    // The server needs the name, not where the file sits on our disk:
    // `photos/2024/cat.jpg` is sent as `cat.jpg`. `file_name` is `None` for
    // paths like `..` or `/`; `to_str` is `None` if the name is not UTF-8.
    let name = path.file_name().and_then(OsStr::to_str);
    match name {
        // A line break would end the name line early: the header cannot carry it.
        Some(name) if !name.contains(['\n', '\r']) => Ok(name),
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}: no file name that can be sent", path.display()),
        )),
    }
}

/// Open the file and find its size, without reading it.
fn open(path: &Path) -> io::Result<(File, u64)> {
    // The size comes from the file's metadata (`stat`), which the system
    // keeps: no need to read the contents to count them.
    let named = |err: io::Error| io::Error::new(err.kind(), format!("{}: {err}", path.display()));
    let file = File::open(path).map_err(named)?;
    let metadata = file.metadata().map_err(named)?;
    if !metadata.is_file() {
        return Err(named(io::Error::new(io::ErrorKind::InvalidInput, "not a file")));
    }
    Ok((file, metadata.len()))
}

/// Send the header, then exactly `size` bytes of the file.
fn send_file(stream: &mut TcpStream, name: &str, file: File, size: u64) -> io::Result<()> {
    // `write_all` keeps writing until the whole header is sent.
    stream.write_all(format!("{name}\n{size}\n").as_bytes())?;
    // `io::copy` reads a chunk from the file, writes it all to the socket,
    // and repeats until the file ends. `take(size)` makes sure we send no
    // more than we announced, even if the file grew meanwhile.
    let copied = io::copy(&mut file.take(size), stream)?;
    // And if it shrank, we sent fewer: the server would wait for the rest.
    if copied < size {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("the file ended after {copied} of {size} bytes"),
        ));
    }
    Ok(())
}

/// Wait for the server's one-line answer; return it without its line end.
fn read_reply(stream: &TcpStream) -> io::Result<String> {
    // The answer may come in pieces like any TCP data: `read_until` reads
    // until the '\n'. A bounded `take` keeps a broken server from feeding us
    // an endless line.
    let mut line = Vec::new();
    BufReader::new(stream).take(MAX_REPLY).read_until(b'\n', &mut line)?;
    match line.strip_suffix(b"\n") {
        Some(line) => Ok(String::from_utf8_lossy(line.strip_suffix(b"\r").unwrap_or(line)).into_owned()),
        // No '\n' before the end of the stream: the server closed (or
        // crashed) before it finished its answer.
        None => Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the server closed the connection without an answer")),
    }
}
