//! A raw HTTP/1.1 client for the checks: it sends exactly the bytes a check
//! gives it (malformed requests included) and reads responses framed the
//! way HTTP frames them: a head that ends with an empty line, then exactly
//! `Content-Length` bytes of body, or, without `Content-Length`, a body that
//! ends when the server closes the connection (RFC 9112 §6.3). How strict
//! the reading is, the check says with a [`Framing`]: only the check named
//! for framing insists on `Content-Length`.

use super::net::{Conn, End};
use super::text::escape;
use super::Failure;
use std::time::Duration;

/// The longest response head the checker reads.
const MAX_HEAD: usize = 64 * 1024;

/// The longest response body the checker reads.
const MAX_BODY: usize = 1 << 20;

/// How a check reads a response's body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// `Content-Length` is required and must be met: for the check named
    /// for framing, and no other.
    Strict,
    /// As HTTP/1.1 reads a response: `Content-Length` bytes when the header
    /// is there, else everything until the server closes the connection.
    Http,
    /// As [`Framing::Http`], but a body cut short (fewer bytes than
    /// announced, or no close) is kept as it came: for checks that look
    /// only at what a response carries, such as path safety.
    Salvage,
}

/// A response as it came off the wire.
#[derive(Debug)]
pub struct Response {
    /// The head exactly as received, empty line included.
    pub head: Vec<u8>,
    /// The status line, without its line end.
    pub status_line: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The body ended when the server closed the connection (no `Content-Length`).
    pub close_delimited: bool,
}

impl Response {
    /// The value of the first header called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// "`Allow: GET`" or "no `Allow` header", for reports.
    pub fn describe_header(&self, name: &str) -> String {
        match self.header(name) {
            Some(value) => format!("`{name}: {value}`"),
            None => format!("no `{name}` header"),
        }
    }

    /// The status is one of `codes`.
    pub fn is(&self, codes: &[u16]) -> bool {
        codes.contains(&self.status)
    }

    /// The media type of `Content-Type`, without parameters, lower case.
    pub fn media_type(&self) -> Option<String> {
        self.header("content-type").map(|t| t.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
    }

    /// "HTTP/1.1 404 Not Found, body \"…\"" for reports.
    pub fn summary(&self) -> String {
        let mut text = format!("the status line {:?}", self.status_line);
        if !self.body.is_empty() {
            let shown = &self.body[..self.body.len().min(80)];
            let more =
                if self.body.len() > 80 { format!(" … ({} bytes in all)", self.body.len()) } else { String::new() };
            text.push_str(&format!(" and the body {}{more}", escape(shown)));
        }
        text
    }
}

/// Where the head ends in `bytes`: just after the first empty line (CRLF or
/// a bare LF, so a server with bare line ends is still understood and can
/// be told about it by the check that looks at line ends).
fn head_end(bytes: &[u8]) -> Option<usize> {
    let mut line_start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            let line = &bytes[line_start..i];
            if line.is_empty() || line == b"\r" {
                return Some(i + 1);
            }
            line_start = i + 1;
        }
    }
    None
}

/// Reads one response from `conn`. `head_only` is for a `HEAD` request: no
/// body follows its head, whatever `Content-Length` says.
pub fn read_response(
    conn: &mut Conn,
    head_only: bool,
    framing: Framing,
    within: Duration,
    did: &str,
) -> Result<Response, Failure> {
    let mut response = read_head(conn, within, did)?;
    if head_only || response.status == 204 || response.status == 304 || (100..200).contains(&response.status) {
        return Ok(response);
    }
    let Some(length) = response.header("content-length") else {
        return read_to_close(conn, response, framing, within, did);
    };
    let Ok(length) = length.parse::<usize>() else {
        if framing == Framing::Salvage {
            return Ok(response);
        }
        return Err(Failure::new(
            did,
            "`Content-Length` to be a number of bytes",
            format!("`Content-Length: {length}`"),
        ));
    };
    let body = conn.read_exact(length.min(MAX_BODY), within);
    if !body.complete() && framing != Framing::Salvage {
        return Err(Failure::new(
            did,
            format!("{length} body bytes, as `Content-Length` said"),
            format!("{} body bytes: {}", body.bytes.len(), body.describe()),
        )
        .meaning(
            "Fewer body bytes came than `Content-Length` announced: the header or the body is wrong (count \
             bytes, not characters: `body.len()` of the bytes you send).",
        ));
    }
    response.body = body.bytes;
    Ok(response)
}

/// A response without `Content-Length`: wrong when `framing` is strict;
/// otherwise its body ends at the close (RFC 9112 §6.3).
fn read_to_close(
    conn: &mut Conn,
    mut response: Response,
    framing: Framing,
    within: Duration,
    did: &str,
) -> Result<Response, Failure> {
    if framing == Framing::Strict {
        return Err(Failure::new(
            did,
            "a `Content-Length` header saying how many body bytes follow",
            format!("{} and no `Content-Length` header", response.summary()),
        )
        .hint(
            "Without `Content-Length` the client cannot tell where the body ends except by waiting for \
             the connection to close, which HTTP/1.1 keeps open. Send `Content-Length: <bytes>` in \
             every response.",
        ));
    }
    // RFC 9112 §6.3: without a length, the body ends at close (a reset
    // ends it too, abruptly: what came before it is the body).
    let body = conn.read_to_close(MAX_BODY, within);
    response.body = body.bytes;
    response.close_delimited = true;
    if matches!(body.end, End::Complete | End::ClosedAsAsked | End::Reset) || framing == Framing::Salvage {
        return Ok(response);
    }
    Err(Failure::new(
        did,
        "a `Content-Length` header, or the connection closing at the end of the body",
        format!("{} with no `Content-Length`, {}", response.summary(), body.end.describe()),
    )
    .meaning(
        "Without `Content-Length` the body ends only when the connection closes, and this one stayed \
         open: the client cannot tell the response is over.",
    )
    .hint("Send `Content-Length: <bytes>` in every response."))
}

/// Reads a response head: the status line and the headers.
fn read_head(conn: &mut Conn, within: Duration, did: &str) -> Result<Response, Failure> {
    let got = conn.read_until(within, |b| head_end(b).or_else(|| (b.len() > MAX_HEAD).then_some(b.len())));
    let head_text = String::from_utf8_lossy(&got.bytes).into_owned();
    if !got.complete() || head_end(&got.bytes).is_none() {
        let mut failure = Failure::new(did, "a response head: a status line, headers, an empty line", got.describe());
        failure = if got.end != End::Complete {
            failure.meaning_of(&got.end)
        } else {
            failure.got(format!("more than {MAX_HEAD} bytes without an empty line"))
        };
        if got.bytes.starts_with(b"HTTP/") && got.end == End::Closed {
            failure =
                failure.hint("The head ends with an empty line (`\\r\\n\\r\\n`): write it after the last header.");
        }
        return Err(failure);
    }
    let mut lines = head_text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let status_line = lines.next().unwrap_or_default().to_string();
    let status = parse_status_line(&status_line).ok_or_else(|| {
        Failure::new(did, "a status line such as `HTTP/1.1 200 OK`", format!("the line {status_line:?}")).hint(
            "The first line of a response is `HTTP/1.1`, a space, a three-digit status code, a space and \
             the reason: `HTTP/1.1 200 OK`.",
        )
    })?;
    let headers: Vec<(String, String)> = lines
        .take_while(|l| !l.is_empty())
        .map(|l| match l.split_once(':') {
            Some((name, value)) => (name.trim().to_string(), value.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect();
    Ok(Response { head: got.bytes, status_line, status, headers, body: Vec::new(), close_delimited: false })
}

/// The status code of `HTTP/<d>.<d> <ddd> <reason>`.
fn parse_status_line(line: &str) -> Option<u16> {
    let (version, rest) = line.split_once(' ')?;
    let digits = version.strip_prefix("HTTP/")?;
    let ok_version =
        digits.len() == 3 && digits.as_bytes()[1] == b'.' && digits.bytes().filter(u8::is_ascii_digit).count() == 2;
    let code = rest.get(..3)?;
    if !ok_version || !code.bytes().all(|b| b.is_ascii_digit()) || !(rest.len() == 3 || rest.as_bytes()[3] == b' ') {
        return None;
    }
    code.parse().ok()
}

/// Sends `request` and reads one response.
pub fn exchange(
    conn: &mut Conn,
    request: &[u8],
    head_only: bool,
    framing: Framing,
    within: Duration,
    did: &str,
) -> Result<Response, Failure> {
    conn.send(request, within).map_err(|end| Failure::new(did, "to send the request", end.describe()))?;
    read_response(conn, head_only, framing, within, did)
}

/// A GET request for `target` with a `Host` header.
pub fn get(target: &str, close: bool) -> Vec<u8> {
    request("GET", target, close)
}

/// A `method` request for `target` with a `Host` header, and `Connection:
/// close` when `close`.
pub fn request(method: &str, target: &str, close: bool) -> Vec<u8> {
    let connection = if close { "Connection: close\r\n" } else { "" };
    format!("{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: socketlings-checker\r\n{connection}\r\n")
        .into_bytes()
}

/// The first line of a request, for "did" texts: `GET /x HTTP/1.1`.
pub fn first_line(request: &[u8]) -> String {
    let line = request.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    String::from_utf8_lossy(line).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        assert_eq!(parse_status_line("HTTP/1.1 200 OK"), Some(200));
        assert_eq!(parse_status_line("HTTP/1.0 404 Not Found"), Some(404));
        assert_eq!(parse_status_line("HTTP/1.1 200"), Some(200));
        assert_eq!(parse_status_line("HTTP/1.1 20 OK"), None);
        assert_eq!(parse_status_line("GET / HTTP/1.1"), None);
        assert_eq!(parse_status_line("HTTP/11 200 OK"), None);
    }

    /// A connection on which a peer has written `bytes` and then closed.
    fn served(bytes: &'static [u8]) -> Conn {
        use std::io::Write;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut server, _) = listener.accept().unwrap();
        server.write_all(bytes).unwrap();
        drop(server);
        Conn::new(client, "conn 1".into(), Default::default())
    }

    fn read(bytes: &'static [u8], framing: Framing) -> Result<Response, Failure> {
        read_response(&mut served(bytes), false, framing, Duration::from_secs(5), "test")
    }

    #[test]
    fn a_body_without_content_length_ends_at_the_close() {
        let response = read(b"HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\nno way\n", Framing::Http).unwrap();
        assert_eq!((response.status, &response.body[..], response.close_delimited), (403, &b"no way\n"[..], true));
        let strict = read(b"HTTP/1.1 403 Forbidden\r\n\r\nno way\n", Framing::Strict).unwrap_err();
        assert!(strict.got.contains("no `Content-Length` header"), "{strict:?}");
    }

    #[test]
    fn a_body_cut_short_is_kept_only_when_salvaging() {
        let short = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
        assert!(read(short, Framing::Http).is_err());
        assert_eq!(read(short, Framing::Salvage).unwrap().body, b"abc");
        let exact = read(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcdef", Framing::Strict).unwrap();
        assert_eq!((exact.body.as_slice(), exact.close_delimited), (&b"abc"[..], false));
    }

    #[test]
    fn heads_end_at_the_first_empty_line() {
        assert_eq!(head_end(b"HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody"), Some(25));
        assert_eq!(head_end(b"HTTP/1.1 200 OK\nA: b\n\nbody"), Some(22));
        assert_eq!(head_end(b"HTTP/1.1 200 OK\r\nA: b\r\n"), None);
    }
}
