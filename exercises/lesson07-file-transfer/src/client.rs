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

// Your functions need these (`OsStr::to_str`, `read_until`, `take`,
// `write_all`): keep the imports.
#[allow(unused_imports)]
use std::ffi::OsStr;
use std::fs::File;
#[allow(unused_imports)]
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::Path;

/// The longest reply line we read, in bytes.
const MAX_REPLY: u64 = 1024;

/// Send the file at `path` to the server at `addr`; print its answer.
/// Succeeds only if the answer is `OK`.
pub fn run(addr: &str, path: &Path) -> io::Result<()> {
    let name = file_name(path)?;
    let (file, size) = open(path)?;
    let mut stream = TcpStream::connect(addr)?;

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

    println!("{reply}");
    if reply.split(' ').next() == Some("OK") {
        Ok(())
    } else {
        Err(io::Error::other("the server did not accept the file"))
    }
}

/// The name we send: the last part of `path`, without its directory.
fn file_name(path: &Path) -> io::Result<&str> {
    // TODO: the server needs the name, not where the file sits on your disk:
    // `photos/2024/cat.jpg` is sent as `cat.jpg`. `path.file_name()` gives
    // that part (`None` for paths like `..`), `OsStr::to_str` turns it into
    // a `&str` (`None` if it is not UTF-8). A name containing '\n' or '\r'
    // cannot go in a header line either. In all those cases return an error
    // (`io::ErrorKind::InvalidInput`) that names the path.
    todo!("take the file name of {}", path.display())
}

/// Open the file and find its size, without reading it.
fn open(path: &Path) -> io::Result<(File, u64)> {
    // TODO: `File::open`, then `file.metadata()?`: its `len()` is the size in
    // bytes, known without reading the contents. If `is_file()` is false
    // (a directory, say), return an error instead.
    todo!("open {} and read its size from its metadata", path.display())
}

/// Send the header, then exactly `size` bytes of the file.
fn send_file(stream: &mut TcpStream, name: &str, file: File, size: u64) -> io::Result<()> {
    // TODO: write the header `{name}\n{size}\n` with `write_all`. Then stream
    // the contents: `io::copy(&mut file.take(size), stream)?` reads a chunk
    // from the file, writes it all to the socket, and repeats; `take(size)`
    // sends no more than announced even if the file grew meanwhile. If it
    // copied fewer than `size` bytes (the file shrank), return an error: the
    // server would be left waiting for the rest.
    let _ = (&stream, &file); // only so the skeleton compiles without warnings: delete this line
    todo!("send the header for {name:?} ({size} bytes), then the file, to the connection")
}

/// Wait for the server's one-line answer; return it without its line end.
fn read_reply(stream: &TcpStream) -> io::Result<String> {
    // TODO: the answer may come in pieces, like any TCP data: read up to the
    // '\n' with `BufReader::new(stream).take(MAX_REPLY).read_until(...)`
    // (the `take` guards against an endless line). Return the line without
    // "\n" or "\r\n" (`String::from_utf8_lossy` makes it text). No '\n'
    // before the end of the stream means the server closed without
    // answering: return an `UnexpectedEof` error.
    let _ = stream; // only so the skeleton compiles without warnings: delete this line
    todo!("read one line, at most {MAX_REPLY} bytes, from the connection")
}
