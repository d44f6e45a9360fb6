// The server of lesson 7: receive files into a directory, one per connection.
//
// TCP delivers a stream of bytes, not messages: two writes may arrive glued
// together, one write may arrive in pieces. So a protocol has to say where
// each part ends. Ours sends a header of two lines, then the contents:
//
//   photo.jpg\n              ← the file's name, one line
//   52344\n                  ← its size in bytes, in decimal digits
//   (exactly 52344 bytes)    ← the file itself, any bytes at all
//
// and the server answers one line: `OK 52344` once the file is safely in the
// directory, or `ERR <reason>` if it refused it.
//
// Three rules make the server one we can trust:
//
// - Stream, never hold: a file may be bigger than memory, so we copy it in
//   chunks (`io::copy`), and exactly `size` bytes of it (`Read::take`).
// - The name comes from the network, so it is hostile until checked. A name
//   like `../../.bashrc` must never become a path outside the directory.
// - All or nothing: we write to a temporary file in the directory and rename
//   it to its real name only once every byte is on disk. A connection that
//   breaks halfway leaves nothing behind, and nobody ever sees half a file
//   under the real name.
//
// The plumbing (listening, a thread per connection, the reply, closing) is
// written for you; the header and the file are your work.

// `OpenOptions` opens your temporary file, and `read_until` is a method of
// `BufRead`: keep the imports.
#[allow(unused_imports)]
use std::fs::{self, File, OpenOptions};
#[allow(unused_imports)]
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// The longest file name we accept, in bytes (the usual limit of file systems).
const MAX_NAME: usize = 255;

/// The most bytes we read for the name line: a name one byte too long, plus "\r\n".
/// Reading at most this much means a client cannot make us store an endless line.
const NAME_LINE_LIMIT: u64 = MAX_NAME as u64 + 3;

/// The most bytes we read for the size line (a u64 has at most 20 digits).
const SIZE_LINE_LIMIT: u64 = 32;

/// A client that sends nothing for this long is dropped, as if it had hung up.
const IDLE: Duration = Duration::from_secs(30);

/// After the reply, how long we keep reading (and discarding) what the client
/// still sends, so that closing does not reset the connection.
const LINGER: Duration = Duration::from_millis(500);

/// Receive files into `dir`, each connection on its own thread, until killed.
pub fn run(addr: &str, dir: &Path) -> io::Result<()> {
    if !fs::metadata(dir)?.is_dir() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{}: not a directory", dir.display())));
    }
    let listener = TcpListener::bind(addr)?;
    log(format_args!("receiving files into {} on {}", dir.display(), listener.local_addr()?));

    loop {
        let (stream, peer) = match listener.accept() {
            Ok(pair) => pair,
            Err(err) => {
                // Too many open files, say: report it, give the other
                // connections a moment to finish, and go on accepting.
                eprintln!("error: accept: {err}");
                thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        // The thread owns its stream (and a copy of the directory's path): a
        // slow upload holds only its own thread, never the accept loop.
        let dir = dir.to_path_buf();
        thread::spawn(move || handle_connection(stream, peer, &dir));
    }
}

/// One upload: receive it, answer `OK <size>` or `ERR <reason>`, close.
fn handle_connection(stream: TcpStream, peer: SocketAddr, dir: &Path) {
    // Without a timeout, a client that stops sending halfway would hold this
    // thread, and its temporary file, forever.
    let _ = stream.set_read_timeout(Some(IDLE));

    // ONE buffered reader for header and body. When it reads the header, it
    // may well get the first bytes of the file in the same read: they stay in
    // its buffer, and the body is read through the same reader, so not one
    // byte is lost. `&TcpStream` implements `Read`, so the stream stays ours
    // for writing the reply.
    let mut reader = BufReader::new(&stream);
    let reply = match receive_upload(&mut reader, dir) {
        Ok((name, size)) => {
            log(format_args!("{peer} saved {name:?} ({size} bytes)"));
            format!("OK {size}\n")
        }
        Err(err) => {
            log(format_args!("{peer} refused: {err}"));
            format!("ERR {err}\n")
        }
    };
    // If the client is gone (it hung up halfway), nobody is left to tell:
    // a failed write is not worth more than that.
    let _ = (&stream).write_all(reply.as_bytes());
    linger(&stream);
}

/// Read the header, check it, then receive the file. Returns its name and size.
fn receive_upload(reader: &mut BufReader<&TcpStream>, dir: &Path) -> io::Result<(String, u64)> {
    // Each line is checked as soon as it is read: a bad name is refused at
    // once, before we wait for anything more.
    let name = parse_name(&read_line(reader, NAME_LINE_LIMIT, "name")?)?;
    let size = parse_size(&read_line(reader, SIZE_LINE_LIMIT, "size")?)?;
    save_file(reader, dir, &name, size)?;
    Ok((name, size))
}

/// Read one header line of at most `limit` bytes; return it without "\n" or "\r\n".
fn read_line(reader: &mut BufReader<&TcpStream>, limit: u64, what: &str) -> io::Result<Vec<u8>> {
    // TODO: one header line, read from `reader` (the page's "Reading the
    // header and the body from one buffer"). Look up `BufRead::read_until`,
    // and `Read::take` on `reader.by_ref()` to read at most `limit` bytes, so
    // a client sending an endless line cannot make you store it. Then how the
    // line ends tells what happened:
    // - a '\n': the line, without its "\n" or "\r\n" (`strip_suffix`);
    // - no '\n' and `limit` bytes: too long, refuse it with `refusal`;
    // - no '\n' and fewer bytes: the stream ended, an `UnexpectedEof` error.
    // Pitfall: read through this one `reader`, never the stream itself: bytes
    // it has already buffered would be lost.
    let _ = reader; // only so the skeleton compiles without warnings: delete this line
    todo!("read the {what} line, at most {limit} bytes")
}

/// Check the name line: it becomes a file name in DIR, so it must be one
/// plain name, nothing that could point elsewhere.
fn parse_name(line: &[u8]) -> io::Result<String> {
    // TODO: this name becomes a file in DIR, and it comes from the network:
    // hostile until checked (the page's "A name from the network is hostile").
    // Refuse, with `refusal` and a reason in a few words: an empty name; one
    // over MAX_NAME bytes; one holding '/', '\\' or a NUL byte (a path such
    // as `../../.bashrc`, or a name the system would cut short); `.` and `..`;
    // and a name that is not UTF-8 (look up `String::from_utf8`). Pitfall:
    // check the bytes as they came, before anything turns them into a path.
    let _ = line; // only so the skeleton compiles without warnings: delete this line
    todo!("check the file name: one plain name, nothing that points elsewhere")
}

/// Check the size line: decimal digits only.
fn parse_size(line: &[u8]) -> io::Result<u64> {
    // TODO: the size line is decimal digits, one or more, and nothing else
    // (the page's "The protocol"). Look up `u8::is_ascii_digit` and
    // `str::parse`. Pitfall: `parse::<u64>` alone also accepts "+12"; check
    // the digits first. A number too big for a u64 is refused too, with
    // `refusal`.
    let _ = line; // only so the skeleton compiles without warnings: delete this line
    todo!("turn the size line into a number, digits only")
}

/// Receive the file under a temporary name in `dir`, then rename it to `dir/name`.
fn save_file(reader: &mut BufReader<&TcpStream>, dir: &Path, name: &str, size: u64) -> io::Result<()> {
    let temp = temp_path(dir);
    // TODO: all or nothing (the page's "All or nothing: temporary file, then
    // rename"): write the body into a new file at `temp`, and only once every
    // byte is on disk give it its real name in `dir`. Look up `OpenOptions`
    // (and its `create_new`, which refuses a file that already exists),
    // `write_body` below, and `fs::rename`. Pitfalls: never write to
    // `dir/name` directly, or a broken upload leaves half a file under the
    // real name; and when anything fails, remove the temporary file before
    // returning the error, so that nothing new appears in `dir`.
    let _ = (reader, name, size, temp); // only so the skeleton compiles without warnings: delete this line
    todo!("receive the file under a temporary name, then rename it")
}

/// Copy exactly `size` bytes from the connection into `file`, and onto the disk.
// Your `save_file` calls this; until then the compiler would warn that nothing does.
#[allow(dead_code)]
fn write_body(reader: &mut BufReader<&TcpStream>, file: File, size: u64) -> io::Result<()> {
    // TODO: exactly `size` bytes from the connection into `file`, and onto
    // the disk (the page's "Streaming: chunks, not the whole file"). Look up
    // `io::copy` with `Read::take` (in chunks, never the whole file in
    // memory), and `File::sync_all`. Pitfalls: read from `reader`, not from
    // the stream: it may already hold the first bytes of the file, read
    // along with the header; fewer than `size` bytes means the client hung
    // up early, an `UnexpectedEof` error; and until `sync_all` returns, the
    // bytes may sit in the system's memory: only then may `save_file` rename.
    let _ = (reader, file, size); // only so the skeleton compiles without warnings: delete this line
    todo!("copy exactly `size` bytes into the file, then sync it")
}

/// A fresh name for a temporary file in `dir`, never the same twice.
fn temp_path(dir: &Path) -> PathBuf {
    // The process id and a counter make it unique, even with four uploads of
    // the same name at once. It does not contain the uploaded name: a name of
    // 255 bytes plus anything would be over the system's limit. The leading
    // dot hides it from a plain `ls`.
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".upload-{}-{n}.part", process::id()))
}

/// The error for a header we refuse; its message goes back as `ERR <message>`.
// Your `read_line`, `parse_name` and `parse_size` use this.
#[allow(dead_code)]
fn refusal(reason: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, reason)
}

/// Close politely. If we close a socket while unread bytes from the client
/// sit in its receive buffer (the body of a file we refused, say), the system
/// sends a reset (RST) instead of a normal close, and the client may lose our
/// reply before it reads it. So we first shut down our sending side (the
/// client reads the reply, then end of stream), then read and discard what
/// still comes, for a short bounded time. Dropping the stream then closes it.
fn linger(stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + LINGER;
    let mut reader = stream;
    let mut buf = [0u8; 8192];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        // 0 = the client closed too; an error = timeout or reset: either way, done.
        match reader.read(&mut buf) {
            Ok(n) if n > 0 => continue,
            _ => return,
        }
    }
}

/// One line on stdout. `writeln!` rather than `println!`: a closed stdout
/// must not panic a connection's thread.
fn log(line: std::fmt::Arguments) {
    let _ = writeln!(io::stdout().lock(), "{line}");
}
