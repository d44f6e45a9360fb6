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
    // TODO: the server needs the file's name, not where it sits on your disk:
    // `photos/2024/cat.jpg` is sent as `cat.jpg`. Look up `Path::file_name`
    // and `OsStr::to_str`; both answer `None` in the cases to refuse (a path
    // such as `..`, a name that is not UTF-8). Pitfall: the name goes in a
    // header *line*: a '\n' or '\r' in it would break the header. Refuse those
    // too, with an `io::Error` of kind `InvalidInput` that names the path.
    let _ = path; // only so the skeleton compiles without warnings: delete this line
    todo!("take the file name, without its directory")
}

/// Open the file and find its size, without reading it.
fn open(path: &Path) -> io::Result<(File, u64)> {
    // TODO: the size goes in the header before any byte of the file, so it
    // must be known without reading the file. Look up `File::open` and
    // `File::metadata` (its `len` and `is_file`). Pitfall: a directory opens
    // too, on Unix: refuse what is not a plain file, with an error.
    let _ = path; // only so the skeleton compiles without warnings: delete this line
    todo!("open the file and find its size")
}

/// Send the header, then exactly `size` bytes of the file.
fn send_file(stream: &mut TcpStream, name: &str, file: File, size: u64) -> io::Result<()> {
    // TODO: the header, then the contents (the page's "The protocol", and
    // "Streaming: chunks, not the whole file"). Look up `Write::write_all` for
    // the header, and `io::copy` with `Read::take` to stream the file in
    // chunks, never the whole file in memory. Pitfalls: send exactly the
    // `size` you announced: no more if the file grew meanwhile, and if fewer
    // went out (it shrank), return an error, or the server waits for the
    // rest; and `write` may send only part of a buffer, `write_all` never.
    let _ = (stream, name, file, size); // only so the skeleton compiles without warnings: delete this line
    todo!("send the header, then the file, to the connection")
}

/// Wait for the server's one-line answer; return it without its line end.
fn read_reply(stream: &TcpStream) -> io::Result<String> {
    // TODO: the answer is one line, and like any TCP data it may come in
    // pieces: read up to its '\n' (the page's "No message boundaries"). Look
    // up `BufReader` and `BufRead::read_until`, and `Read::take` to bound the
    // line. Return it without its "\n" or "\r\n" (`String::from_utf8_lossy`
    // makes it text). Pitfall: end of stream before any '\n' means the server
    // closed without answering: that is an `UnexpectedEof` error, not a reply.
    let _ = stream; // only so the skeleton compiles without warnings: delete this line
    todo!("read the server's one-line answer, at most {MAX_REPLY} bytes")
}
