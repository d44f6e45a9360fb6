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
use std::io::{self, BufRead, Read};

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
    #[allow(dead_code)] // your `wants_close` reads it
    pub version: (u8, u8),
    /// `(name, value)` pairs in the order sent; the value is trimmed.
    pub headers: Vec<(String, String)>,
    /// The size of the body that follows the head (0 without `Content-Length`).
    pub content_length: u64,
}

impl Request {
    /// The value of the first header called `name`. Header names ignore case:
    /// `content-length` and `Content-Length` are the same header.
    #[allow(dead_code)] // your `wants_close` calls it
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Read one request head: lines up to the empty line that ends it.
pub fn read_head(reader: &mut impl BufRead) -> io::Result<Head> {
    // TODO: read the head's lines, up to the empty line that ends it, and
    // return them in `Head::Lines` (the page's "The request" and "Where a
    // message ends"). Look up `BufRead::read_until`: it reads one line,
    // waiting for as many packets as it takes, and returns 0 at end of stream.
    // Pitfalls:
    // - a client may send a head that never ends: count the bytes, and past
    //   MAX_HEAD answer `Head::TooLarge`. Counting after the read is too late,
    //   a single endless line would already sit in memory: cap each read with
    //   `Read::take` on `reader.by_ref()` (so the reader stays usable);
    // - end of stream before the empty line (0 bytes, or a last line without
    //   '\n') is `Head::Closed`: nobody is left to answer;
    // - lines end in "\r\n", but accept a bare "\n" too;
    // - empty lines *before* the request line are leftovers: skip them.
    let _ = reader; // only so the skeleton compiles without warnings: delete this line
    todo!("read the lines of a request head (at most {MAX_HEAD} bytes)")
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
    // TODO: a request line is exactly three parts separated by single spaces:
    // method, target, version (the page's "The protocol", Requests). Anything
    // else is `Err(BAD_REQUEST)`, and so is a target that is not a path (not
    // starting with '/'). Look up `str::split` and slice patterns. Pitfall:
    // two spaces in a row give an empty part, which is not a method or a
    // target; the version token is checked later, by `parse_version`.
    let _ = line; // only so the skeleton compiles without warnings: delete this line
    todo!("split the request line into method, target and version")
}

/// `HTTP/1.1` → `Some((1, 1))`. Anything not `HTTP/<digit>.<digit>` → `None`.
pub fn parse_version(token: &str) -> Option<(u8, u8)> {
    // TODO: the token is `HTTP/`, a digit, '.', a digit, and nothing more.
    // Look up `str::strip_prefix`, then match on the bytes of the rest (a
    // byte pattern such as `b'0'..=b'9'`). Pitfall: the name is case-sensitive,
    // `http/1.1` is not a version; and `HTTP/1.10` or `HTTP/11` are not either.
    let _ = token; // only so the skeleton compiles without warnings: delete this line
    todo!("read the two digits of the HTTP version")
}

/// Split `Name: value` at the first colon.
pub fn parse_header(line: &str) -> Result<(String, String), Status> {
    // TODO: a header line is a name, a colon, a value (the page's "The
    // request"). Look up `str::split_once` and `str::trim`. Pitfalls: split at
    // the *first* colon only (values such as `Host: localhost:8080` hold more);
    // a line with no colon, an empty name, or a space or tab inside the name
    // is `Err(BAD_REQUEST)`; the spaces around the value are not part of it.
    let _ = line; // only so the skeleton compiles without warnings: delete this line
    todo!("split the header line into name and value")
}

/// Should the connection close after answering this request?
pub fn wants_close(request: &Request) -> bool {
    // TODO: the version and the `Connection` header decide (the page's "One
    // connection, many requests"): HTTP/1.1 keeps the connection unless told
    // `close`; HTTP/1.0 closes unless told `keep-alive`. `Request::header`
    // finds the header whatever the case of its name. Pitfall: its value is a
    // comma-separated list of tokens, in any case: `Keep-Alive` and
    // `foo, close` count too.
    let _ = request; // only so the skeleton compiles without warnings: delete this line
    todo!("decide whether the connection closes after this request")
}
