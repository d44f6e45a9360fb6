// Writing an HTTP response.
//
// A response has the same shape as a request: a status line, header lines,
// an empty line, then the body.
//
//   HTTP/1.1 200 OK\r\n
//   Content-Type: text/html; charset=utf-8\r\n
//   Content-Length: 1234\r\n
//   \r\n
//   <!doctype html>...             (exactly 1234 bytes)
//
// `Content-Length` is how the client knows where the body ends. Without it,
// the only end a client could see is the connection closing, and HTTP/1.1
// wants to keep the connection for the next request. So every response
// carries it, and the body must be exactly that long.

use std::fs::File;
// `take` is a method of the `Read` trait: keep the import.
#[allow(unused_imports)]
use std::io::{self, BufWriter, Read, Write};
use std::net::TcpStream;

/// An HTTP status code: 200, 404...
pub type Status = u16;

// The codes this server answers. Named, so that `.ok_or(NOT_FOUND)?` knows
// its type (a bare `404` there would be taken for an `i32`).
pub const OK: Status = 200;
pub const BAD_REQUEST: Status = 400;
pub const FORBIDDEN: Status = 403;
pub const NOT_FOUND: Status = 404;
pub const METHOD_NOT_ALLOWED: Status = 405;
pub const HEAD_TOO_LARGE: Status = 431;
pub const NOT_IMPLEMENTED: Status = 501;
pub const VERSION_NOT_SUPPORTED: Status = 505;

/// The words that go with a status code on the status line.
pub fn reason(status: Status) -> &'static str {
    match status {
        OK => "OK",
        BAD_REQUEST => "Bad Request",
        FORBIDDEN => "Forbidden",
        NOT_FOUND => "Not Found",
        METHOD_NOT_ALLOWED => "Method Not Allowed",
        HEAD_TOO_LARGE => "Request Header Fields Too Large",
        NOT_IMPLEMENTED => "Not Implemented",
        VERSION_NOT_SUPPORTED => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

/// What follows the head.
// Your `write_response` reads these; until then the compiler would warn that
// nothing does.
#[allow(dead_code)]
pub enum Body {
    /// A short text, already in memory (the error pages).
    Text(String),
    /// A file, opened but not read: it is copied to the socket as we go.
    File(File),
}

/// A response, ready to be written.
pub struct Response {
    pub status: Status,
    #[allow(dead_code)] // your `write_response` reads it
    pub content_type: &'static str,
    /// The body's size in bytes, known before we send any of it.
    pub content_length: u64,
    #[allow(dead_code)] // the same: your `write_response` reads it
    pub body: Body,
}

impl Response {
    /// An error page: a one-line text body such as `404 Not Found`.
    pub fn error(status: Status) -> Response {
        let text = format!("{status} {}\n", reason(status));
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            content_length: text.len() as u64,
            body: Body::Text(text),
        }
    }

    /// `200 OK` with the contents of `file`; its size comes from the file system.
    pub fn file(file: File, content_type: &'static str) -> io::Result<Response> {
        let content_length = file.metadata()?.len();
        Ok(Response { status: OK, content_type, content_length, body: Body::File(file) })
    }
}

/// Write `response` to `out`: the head, then the body unless `head_only`
/// (the answer to HEAD). `close` adds `Connection: close`.
pub fn write_response(
    out: &mut BufWriter<&TcpStream>,
    response: Response,
    head_only: bool,
    close: bool,
) -> io::Result<()> {
    // TODO: the head, then the body (the page's "The response" and "Where a
    // message ends"; the exact lines are in "The protocol" → Responses):
    // the status line (always HTTP/1.1, with `reason`), `Content-Type`,
    // `Content-Length`, `Allow` for a 405, `Connection: close` when `close`,
    // then the empty line. Every line ends in "\r\n"; `write!` on `out`
    // formats straight into it. Then the body, unless `head_only`. Look up
    // `io::copy` and `Read::take` to stream a file: never read it whole into
    // memory. Pitfalls:
    // - HEAD gets the same `Content-Length` as GET, without the body;
    // - the client reads exactly `Content-Length` bytes: if the file shrank
    //   and fewer went out, return an error, or it waits for the rest;
    // - `out` is buffered: nothing leaves before `flush`.
    let _ = (out, response, head_only, close); // only so the skeleton compiles without warnings: delete this line
    todo!("write the response head, then its body")
}
