// The server of lesson 6: HTTP/1.1 over TCP, a thread per connection.
//
// HTTP is text over a TCP stream. The client sends a request head (a request
// line, header lines, an empty line) and perhaps a body; the server answers
// with a status line, headers, an empty line and the body. Nothing on the
// wire marks where one message ends: the empty line ends a head, and the
// `Content-Length` header says how many body bytes follow.
//
// HTTP/1.1 keeps the connection open after a response, so one connection
// carries request after request:
//
//   loop { read head → skip any request body → answer → write response }
//
// until the client closes, asks for `Connection: close`, or takes longer
// than the idle time to send its next request. A client may also send several requests in
// one write (pipelining): they sit in our read buffer, and we answer them in
// order.
//
// This file is the plumbing, and it is written for you: listening, a thread
// per connection, the loop above, choosing the answer, closing politely.
// The HTTP itself is in `request.rs`, `files.rs` and `response.rs`.

use crate::files::{content_type, resolve_path};
use crate::request::{parse_request, read_head, wants_close, Head, Request};
use crate::response::{write_response, Response, Status, FORBIDDEN, HEAD_TOO_LARGE, METHOD_NOT_ALLOWED, NOT_FOUND};
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, SyncSender};
use std::sync::OnceLock;
use std::thread;
use std::time::{Duration, Instant};

/// The most connections we serve at once. Each costs a thread and a file
/// descriptor, and a process has only so many (often 1,024): without a cap,
/// a crowd of slow clients takes them all and `accept` fails for everyone
/// else. Past the cap, a new connection gets `503` at once and is closed.
const MAX_CONNECTIONS: usize = 512;

/// The answer when we are full. Written by hand: it must not depend on
/// anything that could block or fail.
const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n\
    Content-Length: 24\r\nRetry-After: 1\r\nConnection: close\r\n\r\n503 Service Unavailable\n";

/// The largest request body we read (and throw away) to keep a connection
/// open. We serve files and use no body; a client that announces a larger
/// one gets its answer with `Connection: close` instead, so that nobody can
/// keep us reading gigabytes, even for a request we refuse.
const MAX_DISCARD: u64 = 64 * 1024;

/// After a response that ends the connection, how long we keep reading (and
/// discarding) what the client still sends, so that closing does not reset it.
const LINGER: Duration = Duration::from_millis(500);

/// Serve the files under `root` on `addr`, each connection on its own thread.
pub fn run(addr: &str, root: &Path, idle: Duration) -> io::Result<()> {
    let root = canonical_dir(root)?;
    let listener = TcpListener::bind(addr)?;
    println!("serving {} at http://{}/", root.display(), listener.local_addr()?);

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
        let Some(slot) = Slot::take() else {
            // Full: a small answer that fits the empty send buffer (so the
            // write cannot block the accept loop), then close.
            let _ = stream.set_nonblocking(true);
            let _ = (&stream).write_all(BUSY);
            continue;
        };
        // The thread owns its stream, its slot and a copy of the root: a slow
        // or idle client blocks only its own thread, never the accept loop.
        // `Builder::spawn` returns an error where `thread::spawn` would panic
        // (no memory for one more thread): then only this connection is dropped.
        let root = root.clone();
        let spawned = thread::Builder::new().spawn(move || {
            let _slot = slot;
            match handle_connection(stream, peer, &root, idle) {
                Ok(()) => {}
                // A read or write that timed out: the client took longer than
                // `idle`, and dropping the stream hangs up on it.
                Err(err) if is_timeout(&err) => {}
                Err(err) => eprintln!("error: {peer}: {err}"),
            }
        });
        if let Err(err) = spawned {
            eprintln!("error: {peer}: no thread for it ({err}): connection dropped");
        }
    }
}

/// One of the MAX_CONNECTIONS places; given back when dropped, however the
/// connection's thread ends.
struct Slot;

static SERVED: AtomicUsize = AtomicUsize::new(0);

impl Slot {
    fn take() -> Option<Slot> {
        if SERVED.fetch_add(1, Ordering::Relaxed) < MAX_CONNECTIONS {
            Some(Slot)
        } else {
            SERVED.fetch_sub(1, Ordering::Relaxed);
            None
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        SERVED.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The reading end of a connection, with a deadline. A read timeout alone
/// starts again with every read: a client that sends one byte every few
/// seconds would never trip it, and would hold its thread for ever. Here
/// every read waits only for what is left until `until`.
struct Deadline<'a> {
    stream: &'a TcpStream,
    until: Instant,
}

impl Read for Deadline<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        self.stream.read(buf)
    }
}

/// The absolute, symlink-free form of `root`, which must be a directory.
fn canonical_dir(root: &Path) -> io::Result<PathBuf> {
    let named = |err: io::Error| io::Error::new(err.kind(), format!("{}: {err}", root.display()));
    let root = fs::canonicalize(root).map_err(named)?;
    if !root.is_dir() {
        let err = io::Error::new(io::ErrorKind::InvalidInput, "not a directory");
        return Err(named(err));
    }
    Ok(root)
}

/// Answer requests on one connection until it is time to close it.
fn handle_connection(stream: TcpStream, peer: SocketAddr, root: &Path, idle: Duration) -> io::Result<()> {
    // Without a deadline, a client that connects and says nothing would hold
    // this thread for ever. Reads wait until the deadline of `reader` below;
    // a write blocked for longer than `idle` fails too.
    stream.set_write_timeout(Some(idle))?;
    // A response can leave in two writes: the head from our buffer, then
    // the file, which `io::copy` hands to the kernel directly. By default
    // TCP holds back a second small write until the first is acknowledged,
    // and the client delays that acknowledgement (up to 40 ms on Linux)
    // hoping to piggyback it on data of its own: every response would stall.
    // TCP_NODELAY sends each write at once.
    stream.set_nodelay(true)?;

    // ONE buffered reader for the whole connection. It may read past the end
    // of this request into the next one (pipelining); those bytes stay in its
    // buffer for the next `read_head`. A new BufReader per request would lose
    // them. `&TcpStream` implements Read and Write, so reader and writer
    // share the one socket.
    let mut reader = BufReader::new(Deadline { stream: &stream, until: Instant::now() });
    let mut out = BufWriter::new(&stream);

    loop {
        // The next request's head, and its body if we read one, must all
        // arrive within `idle`, however slowly the bytes trickle in.
        reader.get_mut().until = Instant::now() + idle;
        let lines = match read_head(&mut reader)? {
            Head::Lines(lines) => lines,
            Head::Closed => return Ok(()),
            Head::TooLarge => return refuse(&mut out, &stream, peer, "", HEAD_TOO_LARGE),
        };
        // A head we cannot parse, or an HTTP version we do not speak: we
        // cannot trust where the next request would start, so we answer and
        // close.
        let request = match parse_request(&lines) {
            Ok(request) => request,
            Err(status) => return refuse(&mut out, &stream, peer, &lines[0], status),
        };

        // A body we have no use for (a GET with `Content-Length`) is still on
        // the wire: read and discard it, or it would be taken for the next
        // request. Fewer bytes than announced means the client closed.
        // A large one is not worth reading: we answer, then close.
        let body = request.content_length;
        let skip_body = body > MAX_DISCARD;
        if !skip_body && io::copy(&mut (&mut reader).take(body), &mut io::sink())? < body {
            return Ok(());
        }

        let close = skip_body || wants_close(&request);
        let response = answer(&request, root);
        log(peer, &lines[0], &response);
        write_response(&mut out, response, request.method == "HEAD", close)?;
        if close {
            linger(&stream);
            return Ok(());
        }
    }
}

/// The response to a well-formed request: the file, or the error saying why not.
fn answer(request: &Request, root: &Path) -> Response {
    // We only read files: any other method (POST, PUT, DELETE...) is 405, and
    // `write_response` adds the `Allow` header that says what would work.
    if request.method != "GET" && request.method != "HEAD" {
        return Response::error(METHOD_NOT_ALLOWED);
    }
    // `resolve_path` says which file, or which error (400, 403, 404).
    let path = match resolve_path(root, &request.target) {
        Ok(path) => path,
        Err(status) => return Response::error(status),
    };
    // We open the file but do not read it: `write_response` streams it.
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::PermissionDenied => return Response::error(FORBIDDEN),
        Err(_) => return Response::error(NOT_FOUND),
    };
    // `resolve_path` checked a path, and `open` followed it again a moment
    // later: whoever can write inside ROOT could swap a folder for a link
    // in between. So we check what we actually opened.
    if !opened_inside(&file, &path, root) {
        return Response::error(FORBIDDEN);
    }
    Response::file(file, content_type(&path)).unwrap_or_else(|_| Response::error(NOT_FOUND))
}

/// Is the open `file` the one at `path`, inside `root`? On Linux,
/// `/proc/self/fd/N` names the file an open descriptor really is. Elsewhere
/// on Unix, we compare the open file's device and inode with `path`'s now,
/// which narrows the race without closing it (the page's "Going further"
/// gives the real fix).
fn opened_inside(file: &File, path: &Path, root: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        if let Ok(real) = fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())) {
            return real.starts_with(root);
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let (Ok(open), Ok(named)) = (file.metadata(), fs::metadata(path)) else { return false };
        open.dev() == named.dev() && open.ino() == named.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path, root);
        true
    }
}

/// Answer `status` to a request we will not go on from, and close.
fn refuse(
    out: &mut BufWriter<&TcpStream>,
    stream: &TcpStream,
    peer: SocketAddr,
    request_line: &str,
    status: Status,
) -> io::Result<()> {
    let response = Response::error(status);
    log(peer, request_line, &response);
    write_response(out, response, false, true)?;
    linger(stream);
    Ok(())
}

/// Close politely. If we close a socket while unread bytes from the client
/// sit in its receive buffer, the system sends a reset (RST) instead of a
/// normal close, and the client may lose our last response before it reads
/// it. So we first shut down our sending side (the client reads the response,
/// then end of stream), then read and discard whatever still comes, for a
/// short bounded time. Dropping the stream afterwards closes it.
fn linger(stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + LINGER;
    let mut reader = stream;
    let mut buf = [0u8; 4096];
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

/// One line per response on stdout: who asked, what, and what we answered.
fn log(peer: SocketAddr, request_line: &str, response: &Response) {
    // Writing to stdout blocks when nobody reads it (a full pipe): a
    // connection must never wait for that. So connections hand their lines
    // to one logging thread through a bounded queue, and a line that finds
    // the queue full is dropped.
    static LOG: OnceLock<SyncSender<String>> = OnceLock::new();
    let queue = LOG.get_or_init(|| {
        let (sender, lines) = mpsc::sync_channel::<String>(1024);
        // Without the thread, `lines` is dropped and every line with it.
        let _ = thread::Builder::new().spawn(move || {
            for line in lines {
                // `writeln!` rather than `println!`: a closed stdout must not panic.
                let _ = writeln!(io::stdout(), "{line}");
            }
        });
        sender
    });
    let _ = queue.try_send(format!("{peer} {request_line:?} {} {}", response.status, response.content_length));
}

/// True for the error a read or write returns when its timeout expires
/// (`WouldBlock` on Unix, `TimedOut` on Windows and from `Deadline`).
fn is_timeout(err: &io::Error) -> bool {
    matches!(err.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)
}
