//! Lesson 6's framing checks: a status line that says `HTTP/1.1`, CRLF
//! line ends, and a `Content-Length` that matches the body.

use super::site::start;
use crate::harness::http::{self, get, Framing, Response};
use crate::harness::{text, Conn, Ctx, Failure, Outcome};
use std::time::Duration;

/// Every line of a response head ends in CRLF, and every header line has a colon.
fn head_lines(did: &str, response: &Response) -> Outcome {
    let head = String::from_utf8_lossy(&response.head);
    for (i, line) in head.split_inclusive('\n').enumerate() {
        if !line.ends_with("\r\n") {
            return Err(Failure::new(
                did,
                "every line of the head to end in `\\r\\n` (CRLF)",
                format!("line {} of the head, {}, ends in a bare `\\n`", i + 1, text::escape(line.as_bytes())),
            ));
        }
        let line = line.trim_end();
        if i > 0 && !line.is_empty() && !line.contains(':') {
            return Err(Failure::new(
                did,
                "header lines of the form `Name: value`",
                format!("the header line {line:?}, which has no colon"),
            ));
        }
    }
    Ok(())
}

/// The framing rule, judged here and nowhere else: a file comes with its
/// `Content-Length`; an error comes with its own, or ends by closing the
/// connection (RFC 9112 §6.3); and no byte follows the announced body.
pub(super) fn well_formed(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let within = ctx.timing.reply();
    let cases = [("/hello.txt", Framing::Strict), ("/no-such-file.txt", Framing::Http)];
    for (target, framing) in cases {
        let mut conn = http.conn(ctx)?;
        let did = format!("sent `GET {target} HTTP/1.1` with `Connection: close` and read the response");
        let response = http::exchange(&mut conn, &get(target, true), false, framing, within, &did)?;
        head_lines(&did, &response)?;
        if !response.close_delimited {
            nothing_after_body(&mut conn, &response, ctx.timing.ms(150), &did)?;
        }
    }
    Ok(())
}

/// With the body read, nothing more may follow before the close: a
/// `Content-Length` smaller than the body leaves the rest on the wire.
fn nothing_after_body(conn: &mut Conn, response: &Response, within: Duration, did: &str) -> Outcome {
    let extra = conn.read_to_close(1 << 16, within);
    if extra.bytes.is_empty() {
        return Ok(());
    }
    Err(Failure::new(
        did,
        format!("exactly `Content-Length: {}` bytes of body, then nothing", response.body.len()),
        format!("more bytes after them: {}", text::escape(&extra.bytes)),
    )
    .hint("`Content-Length` counts every byte of the body: use the length of the bytes you send."))
}

pub(super) fn status_line_version(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    for target in ["/hello.txt", "/no-such-file.txt"] {
        let mut conn = http.conn(ctx)?;
        let did = format!("sent `GET {target} HTTP/1.1`");
        let response = http::exchange(&mut conn, &get(target, true), false, Framing::Http, ctx.timing.reply(), &did)?;
        if !response.status_line.starts_with("HTTP/1.1 ") {
            return Err(Failure::new(
                did,
                "a status line that starts with `HTTP/1.1 `",
                format!("{:?}", response.status_line),
            )
            .diff(*b"HTTP/1.1 ", response.status_line.as_bytes()));
        }
    }
    Ok(())
}
