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

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
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
    remove_stale_temporaries(dir);
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
        // `Builder::spawn` reports a refused thread (no memory, thread limit)
        // as an error, where `thread::spawn` would panic and end the server:
        // then only this upload is dropped (its stream closes with the closure).
        let dir = dir.to_path_buf();
        if let Err(err) = thread::Builder::new().spawn(move || handle_connection(stream, peer, &dir)) {
            eprintln!("error: {peer}: no thread for this upload ({err}): connection dropped");
        }
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
    // `read_until` waits for as many packets as the line takes. Through
    // `take(limit)` it stops after `limit` bytes even if no '\n' comes, so a
    // client cannot fill our memory with one endless line. `by_ref` lends the
    // reader to `take` instead of giving it away: the body comes next.
    let mut line = Vec::new();
    reader.by_ref().take(limit).read_until(b'\n', &mut line)?;
    match line.strip_suffix(b"\n") {
        Some(line) => Ok(line.strip_suffix(b"\r").unwrap_or(line).to_vec()),
        // `limit` bytes and still no '\n': the line is too long.
        None if line.len() as u64 == limit => Err(refusal(&format!("{what} line too long"))),
        // Fewer bytes and no '\n': the stream ended (read returned 0).
        None => Err(io::Error::new(io::ErrorKind::UnexpectedEof, format!("connection ended in the {what} line"))),
    }
}

/// Check the name line: it becomes a file name in DIR, so it must be one
/// plain name, nothing that could point elsewhere.
fn parse_name(line: &[u8]) -> io::Result<String> {
    // `/` (and `\` on Windows) would make it a path: `../x` or `/etc/x`. NUL
    // ends a name for the system. `.` and `..` are the directory itself and
    // its parent. And no file system takes a name over 255 bytes.
    if line.is_empty() {
        return Err(refusal("empty name"));
    }
    if line.len() > MAX_NAME {
        return Err(refusal("name longer than 255 bytes"));
    }
    if line.iter().any(|&b| b == b'/' || b == b'\\' || b == 0) {
        return Err(refusal("name contains '/', '\\' or NUL"));
    }
    // Control characters (a line break, an escape sequence) would garble
    // every listing and log the name appears in.
    if line.iter().any(|&b| b.is_ascii_control()) {
        return Err(refusal("name contains a control character"));
    }
    if line == b"." || line == b".." {
        return Err(refusal("name is . or .."));
    }
    // Our temporary files live in DIR too: a client that named its upload
    // like another upload's temporary file would rename its own bytes over
    // that file halfway through, and the other client would get `OK` for a
    // file holding someone else's bytes. So their names are reserved.
    if line.starts_with(TEMP_PREFIX.as_bytes()) {
        return Err(refusal("names starting with .upload- are reserved"));
    }
    // Names are text: that keeps them the same on every system.
    String::from_utf8(line.to_vec()).map_err(|_| refusal("name is not UTF-8"))
}

/// Check the size line: decimal digits only.
fn parse_size(line: &[u8]) -> io::Result<u64> {
    // We check the digits ourselves: `str::parse::<u64>` would also take
    // "+12", and an empty line is no number either.
    if line.is_empty() || !line.iter().all(u8::is_ascii_digit) {
        return Err(refusal("size is not a number"));
    }
    // Only digits now, so the one way left to fail is a number over u64::MAX.
    let digits = std::str::from_utf8(line).map_err(|_| refusal("size is not a number"))?;
    digits.parse().map_err(|_| refusal("size too large"))
}

/// Receive the file under a temporary name in `dir`, then rename it to `dir/name`.
fn save_file(reader: &mut BufReader<&TcpStream>, dir: &Path, name: &str, size: u64) -> io::Result<()> {
    // `create_new` fails rather than open a file that already exists: the
    // temporary file is ours alone, and if that fails there is nothing of ours
    // to clean up.
    let temp = temp_path(dir);
    let file = OpenOptions::new().write(true).create_new(true).open(&temp)?;

    // The temporary file is in DIR itself, so `rename` moves no data: it
    // swaps in the new name in one step, replacing any file already called
    // `name`. Readers see the old file or the complete new one, never a part.
    let result =
        write_body(reader, file, size).and_then(|()| fs::rename(&temp, dir.join(name))).and_then(|()| sync_dir(dir));
    if result.is_err() {
        // The connection broke, the disk is full...: we remove what we
        // wrote, so nothing new appears in DIR.
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Copy exactly `size` bytes from the connection into `file`, and onto the disk.
fn write_body(reader: &mut BufReader<&TcpStream>, mut file: File, size: u64) -> io::Result<()> {
    // `io::copy` moves the bytes in chunks of a few KiB: a file of 10 GB
    // needs no more memory than one of 10 bytes. `take(size)` stops it after
    // exactly `size` bytes; it starts with what `reader` already buffered.
    // The `BufWriter` is there for speed: `io::copy` then reads straight
    // into its 256 KiB buffer and writes the file in pieces that large,
    // instead of 8 KiB at a time.
    let mut out = BufWriter::with_capacity(256 * 1024, &mut file);
    let mut body = Counted { inner: reader.take(size), count: 0 };
    let copied = io::copy(&mut body, &mut out);
    // Fewer bytes means `read` returned 0 before the end (the client hung
    // up), or failed: a reset, or the read timeout of a client that went
    // silent. Either way the answer says how far the upload got.
    let ended = |copied: u64| {
        io::Error::new(io::ErrorKind::UnexpectedEof, format!("connection ended after {copied} of {size} bytes"))
    };
    match copied {
        Ok(copied) if copied < size => return Err(ended(copied)),
        Ok(_) => {}
        Err(err) if is_connection_error(&err) => return Err(ended(body.count)),
        Err(err) => return Err(err),
    }
    out.flush()?;
    drop(out);
    // `write` only hands bytes to the system, which writes them to disk
    // later. `sync_all` waits until they are there: only then do we rename,
    // and only then do we answer OK.
    file.sync_all()
}

/// A reader that counts the bytes it hands out, so that an upload that breaks
/// off can say how far it got.
struct Counted<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// Errors that come from the connection (a reset, a silent client's
/// timeout), as opposed to the disk.
fn is_connection_error(err: &io::Error) -> bool {
    use io::ErrorKind::*;
    matches!(err.kind(), TimedOut | WouldBlock | ConnectionReset | ConnectionAborted | BrokenPipe)
}

/// After a rename, the new name is an entry in the directory, and the
/// directory is data the system also writes to disk later. Syncing the
/// directory makes the rename itself durable: `OK` means the file is there
/// after a power cut, under its name. (Unix only: Windows cannot open a
/// directory this way, and its renames are journaled.)
fn sync_dir(dir: &Path) -> io::Result<()> {
    if cfg!(unix) {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Temporary files of an earlier run that was killed halfway: nobody will
/// ever finish them, so we remove them at start-up.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(TEMP_PREFIX) && name.ends_with(".part") {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// How every temporary file's name starts. Upload names may not (see `parse_name`).
const TEMP_PREFIX: &str = ".upload-";

/// A fresh name for a temporary file in `dir`, never the same twice.
fn temp_path(dir: &Path) -> PathBuf {
    // The process id and a counter make it unique, even with four uploads of
    // the same name at once. It does not contain the uploaded name: a name of
    // 255 bytes plus anything would be over the system's limit. The leading
    // dot hides it from a plain `ls`.
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    dir.join(format!("{TEMP_PREFIX}{}-{n}.part", process::id()))
}

/// The error for a header we refuse; its message goes back as `ERR <message>`.
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
