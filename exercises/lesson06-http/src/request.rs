// Reading and parsing an HTTP request head.
//
// A request is text, line by line, each line ended by "\r\n":
//
//   GET /index.html HTTP/1.1        ← request line: method, target, version
//   Host: 127.0.0.1:8080            ← header lines: `Name: value`
//   Accept: */*
//                                   ← an empty line: the head is over
//   (a body, only if a Content-Length header announced one)
//
// The head may arrive in several reads, or share a read with the next
// request: read it line by line from the connection's one `BufReader`, never
// with a single `read`. And a client may send a head that never ends: stop
// reading after MAX_HEAD bytes.
//
// Each function here answers either with its result or with the status code
// of the error response to send (`Err(BAD_REQUEST)` is a 400).

use crate::response::{Status, BAD_REQUEST, NOT_IMPLEMENTED, VERSION_NOT_SUPPORTED};
// `read_until` is a method of `BufRead`, `take` and `by_ref` of `Read`: keep the import.
#[allow(unused_imports)]
use std::io::{self, BufRead, BufReader, Read};
use std::net::TcpStream;

/// The largest request head we accept, in bytes (request line + headers).
pub const MAX_HEAD: usize = 8 * 1024;

/// What `read_head` found on the connection.
// Your `read_head` builds these; until then the compiler would warn that it
// never sees them built.
#[allow(dead_code)]
pub enum Head {
    /// The request line and the header lines, without their line ends.
    Lines(Vec<String>),
    /// End of stream: the client closed (or gave up in the middle of a head).
    Closed,
    /// More than MAX_HEAD bytes without the empty line: answer 431 and close.
    TooLarge,
}

/// A parsed request head.
pub struct Request {
    pub method: String,
    /// The path and query as sent, still percent-encoded: `/docs/a%20b.txt?x=1`.
    pub target: String,
    /// `(1, 1)` for `HTTP/1.1`.
    pub version: (u8, u8),
    /// `(name, value)` pairs in the order sent; the value is trimmed.
    pub headers: Vec<(String, String)>,
    /// The size of the body that follows the head (0 without `Content-Length`).
    pub content_length: u64,
}

impl Request {
    /// The value of the first header called `name`. Header names ignore case:
    /// `content-length` and `Content-Length` are the same header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Read one request head: lines up to the empty line that ends it.
pub fn read_head(reader: &mut BufReader<&TcpStream>) -> io::Result<Head> {
    // TODO: read lines until an empty one, and return them in `Head::Lines`.
    // - `reader.read_until(b'\n', &mut buf)` reads one line, waiting for as
    //   many packets as it takes; it returns 0 at end of stream.
    // - Count the bytes you read. Past MAX_HEAD, return `Head::TooLarge`.
    //   To never read (and store) much more than that, read each line through
    //   `reader.by_ref().take(limit)`, with `limit` what is left + 1.
    // - End of stream (0 bytes, or a last line without '\n'): `Head::Closed`.
    // - Strip the "\r\n" (accept a bare "\n" too) before storing a line.
    //   `String::from_utf8_lossy` turns the bytes into text.
    // - Skip empty lines that come *before* the request line.
    let _ = reader; // only so the skeleton compiles without warnings: delete this line
    todo!("read the lines of a request head (at most {MAX_HEAD} bytes) from the connection")
}

/// Build a `Request` from the head's lines, or say which error to answer.
pub fn parse_request(lines: &[String]) -> Result<Request, Status> {
    let (first, header_lines) = lines.split_first().ok_or(BAD_REQUEST)?;
    let (method, target, version) = parse_request_line(first)?;
    let version = parse_version(version).ok_or(BAD_REQUEST)?;
    // We speak HTTP/1.0 and 1.1. A later 1.x (`HTTP/1.2`) is answered as
    // 1.1, the highest we know of that major version (RFC 9110 §2.5);
    // another major version (`HTTP/2.0`) is well-formed but not ours.
    let version = match version {
        (1, 0) => (1, 0),
        (1, _) => (1, 1),
        _ => return Err(VERSION_NOT_SUPPORTED),
    };
    let headers = header_lines.iter().map(|line| parse_header(line)).collect::<Result<Vec<_>, _>>()?;
    let mut request =
        Request { method: method.to_string(), target: target.to_string(), version, headers, content_length: 0 };
    request.content_length = body_length(&request.headers)?;
    Ok(request)
}

/// The length of the body that follows the head, from its headers.
///
/// Where a body ends is the one thing client and server must agree on: if
/// they do not, bytes of one request are read as the start of another, and
/// a request smuggled inside a body gets answered (RFC 9112 §6.3, §11.2).
/// So anything ambiguous is refused, and the caller closes the connection:
/// - `Transfer-Encoding` (a chunked body, say) is a framing we do not
///   implement: 501, and with `Content-Length` beside it, 400;
/// - two `Content-Length` headers that disagree: 400;
/// - a `Content-Length` that is not only digits (`+5`, `5 `, `-1`): 400.
pub fn body_length(headers: &[(String, String)]) -> Result<u64, Status> {
    let named = |name: &'static str| headers.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v);
    let mut lengths = named("content-length");
    if named("transfer-encoding").next().is_some() {
        return Err(if lengths.next().is_some() { BAD_REQUEST } else { NOT_IMPLEMENTED });
    }
    let Some(first) = lengths.next() else { return Ok(0) };
    if lengths.any(|other| other != first) {
        return Err(BAD_REQUEST);
    }
    // `str::parse` would also take `+5`: the grammar is digits only.
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BAD_REQUEST);
    }
    first.parse().map_err(|_| BAD_REQUEST)
}

/// Split `GET /path HTTP/1.1` into method, target and version token.
pub fn parse_request_line(line: &str) -> Result<(&str, &str, &str), Status> {
    // TODO: split `line` at single spaces (`line.split(' ')`). Unless there
    // are exactly three parts, none empty, and the target starts with '/',
    // return `Err(BAD_REQUEST)`. The version is checked by `parse_version`.
    todo!("split the request line {line:?} into method, target and version")
}

/// `HTTP/1.1` → `Some((1, 1))`. Anything not `HTTP/<digit>.<digit>` → `None`.
pub fn parse_version(token: &str) -> Option<(u8, u8)> {
    // TODO: the token must be exactly `HTTP/`, a digit, '.', a digit
    // (case matters: `http/1.1` is not a version). `strip_prefix` and a
    // match on `as_bytes()` make this short; b'7' - b'0' is 7.
    todo!("read the two digits of the version {token:?}")
}

/// Split `Name: value` at the first colon.
pub fn parse_header(line: &str) -> Result<(String, String), Status> {
    // TODO: split at the first ':' (`split_once`). No colon, an empty name,
    // or a space or tab in the name: `Err(BAD_REQUEST)`. Trim the spaces
    // around the value.
    todo!("split the header line {line:?} into name and value")
}

/// Should the connection close after answering this request?
pub fn wants_close(request: &Request) -> bool {
    // TODO: HTTP/1.1 keeps the connection open unless the request says
    // `Connection: close`; HTTP/1.0 closes unless it says
    // `Connection: keep-alive`. The header's value is a comma-separated list
    // of tokens, in any case (`Keep-Alive`): use `request.header("connection")`.
    todo!(
        "decide whether HTTP/{}.{} with Connection: {:?} closes",
        request.version.0,
        request.version.1,
        request.header("connection")
    )
}
