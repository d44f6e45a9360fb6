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
// request: we read it line by line from the connection's one `BufReader`,
// never with a single `read`. And a client may send a head that never ends,
// so we stop reading after MAX_HEAD bytes.

use crate::response::{Status, BAD_REQUEST, NOT_IMPLEMENTED, VERSION_NOT_SUPPORTED};
use std::io::{self, BufRead, Read};

/// The largest request head we accept, in bytes (request line + headers).
pub const MAX_HEAD: usize = 8 * 1024;

/// What `read_head` found on the connection.
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
pub fn read_head(reader: &mut impl BufRead) -> io::Result<Head> {
    let mut lines = Vec::new();
    let mut total = 0;
    loop {
        // `take` caps what this line may read, so the whole head never costs
        // us more than MAX_HEAD + 1 bytes, whatever the client sends. It reads
        // through the same buffer: no byte of the next request is lost.
        let limit = (MAX_HEAD + 1 - total) as u64;
        let mut line = Vec::new();
        let n = reader.by_ref().take(limit).read_until(b'\n', &mut line)?;
        total += n;
        if total > MAX_HEAD {
            return Ok(Head::TooLarge);
        }
        // `read_until` stops at '\n' or at end of stream. 0 bytes, or a line
        // cut short, means the client closed: there is no request to answer.
        if !line.ends_with(b"\n") {
            return Ok(Head::Closed);
        }
        // Lines end in "\r\n"; we accept a bare "\n" as well.
        let line = line.strip_suffix(b"\n").unwrap_or(&line);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            // The empty line ends the head. (Empty lines *before* a request
            // line are leftovers from a previous message: we skip them.)
            if lines.is_empty() {
                continue;
            }
            return Ok(Head::Lines(lines));
        }
        // Heads are ASCII in practice; a stray non-UTF-8 byte becomes '�'
        // rather than an error.
        lines.push(String::from_utf8_lossy(line).into_owned());
    }
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
    // Exactly three parts, separated by single spaces: "GET  / HTTP/1.1"
    // (two spaces) gives an empty part and is refused like a missing one.
    let parts: Vec<&str> = line.split(' ').collect();
    let [method, target, version] = parts[..] else {
        return Err(BAD_REQUEST);
    };
    // We serve paths only: `*` or `http://host/x` are not for us.
    if method.is_empty() || !target.starts_with('/') {
        return Err(BAD_REQUEST);
    }
    Ok((method, target, version))
}

/// `HTTP/1.1` → `Some((1, 1))`. Anything not `HTTP/<digit>.<digit>` → `None`.
pub fn parse_version(token: &str) -> Option<(u8, u8)> {
    // The name is case-sensitive: `http/1.1` (or the `Http/1.1` some
    // tutorials send) is not a version.
    let digits = token.strip_prefix("HTTP/")?;
    match digits.as_bytes() {
        [major @ b'0'..=b'9', b'.', minor @ b'0'..=b'9'] => Some((major - b'0', minor - b'0')),
        _ => None,
    }
}

/// Split `Name: value` at the first colon.
pub fn parse_header(line: &str) -> Result<(String, String), Status> {
    // No colon, an empty name, or a space before the colon: not a header.
    let (name, value) = line.split_once(':').ok_or(BAD_REQUEST)?;
    if name.is_empty() || name.contains([' ', '\t']) {
        return Err(BAD_REQUEST);
    }
    // Spaces around the value are not part of it: `Host:  x ` is `x`.
    Ok((name.to_string(), value.trim().to_string()))
}

/// Should the connection close after answering this request?
pub fn wants_close(request: &Request) -> bool {
    // `Connection` holds a comma-separated list of tokens, in any case.
    let connection_says = |token: &str| {
        request.header("connection").is_some_and(|value| value.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    };
    // HTTP/1.1 keeps the connection open unless told `close`; HTTP/1.0
    // closes unless told `keep-alive`.
    if request.version == (1, 0) {
        !connection_says("keep-alive")
    } else {
        connection_says("close")
    }
}
