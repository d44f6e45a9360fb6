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
// until the client closes, asks for `Connection: close`, or stays silent
// longer than the idle timeout. A client may also send several requests in
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
use std::thread;
use std::time::{Duration, Instant};

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
        // The thread owns its stream (and a copy of the root): a slow or idle
        // client blocks only its own thread, never the accept loop.
        let root = root.clone();
        thread::spawn(move || match handle_connection(stream, peer, &root, idle) {
            Ok(()) => {}
            // A read or write that timed out: the client went quiet for
            // longer than `idle`, and dropping the stream hangs up on it.
            Err(err) if is_timeout(&err) => {}
            Err(err) => eprintln!("error: {peer}: {err}"),
        });
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
    // Without a timeout, a client that connects and says nothing would hold
    // this thread forever. With one, a blocked read or write fails instead.
    stream.set_read_timeout(Some(idle))?;
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
    let mut reader = BufReader::new(&stream);
    let mut out = BufWriter::new(&stream);

    loop {
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
    match File::open(&path).and_then(|file| Response::file(file, content_type(&path))) {
        Ok(response) => response,
        Err(err) if err.kind() == io::ErrorKind::PermissionDenied => Response::error(FORBIDDEN),
        Err(_) => Response::error(NOT_FOUND),
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
    // `writeln!` rather than `println!`: a closed stdout must not panic a connection.
    let _ = writeln!(io::stdout().lock(), "{peer} {request_line:?} {} {}", response.status, response.content_length);
}

/// True for the error a read or write returns when its timeout expires
/// (`WouldBlock` on Unix, `TimedOut` on Windows).
fn is_timeout(err: &io::Error) -> bool {
    matches!(err.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)
}
