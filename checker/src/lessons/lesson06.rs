//! Lesson 6: HTTP. A static file server over HTTP/1.1: request heads in,
//! status lines, headers and exact bodies out, connections kept alive, and
//! no file outside the root, whatever the path says.

use super::{Check, Lesson};
use crate::harness::http::{self, first_line, get, request, Framing, Response};
use crate::harness::{checker_trouble, text, Conn, Ctx, End, Failure, Outcome, Received, Served};
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub static LESSON: Lesson = Lesson {
    number: 6,
    slug: "http",
    title: "HTTP file server",
    usage: &["server HOST:PORT ROOT [--idle-timeout-ms MS]"],
    checks: &[
        Check {
            name: "a response has a status line, CRLF line ends and a `Content-Length` that matches its body",
            points: 2,
            hint: "A response is `HTTP/1.1 200 OK\\r\\n`, header lines `Name: value\\r\\n`, an empty line \
                   `\\r\\n`, then the body. `Content-Length` is the body's size in bytes.",
            run: well_formed,
        },
        Check {
            name: "the status line says `HTTP/1.1`",
            points: 1,
            hint: "This server speaks HTTP/1.1: every status line starts with `HTTP/1.1 `, in capitals, \
                   whatever the version of the request.",
            run: status_line_version,
        },
        Check {
            name: "a text file is sent byte for byte",
            points: 1,
            hint: "Send the file's bytes as they are on disk: no trimming, no added newline, no change of \
                   line ends.",
            run: text_file,
        },
        Check {
            name: "a binary file (PNG) holding every byte value is sent byte for byte",
            points: 2,
            hint: "Read files as bytes (`fs::read`, or better `io::copy` from the `File`), never as a \
                   `String`: an image is not UTF-8.",
            run: binary_file,
        },
        Check {
            name: "`Content-Type` follows the file's extension",
            points: 1,
            hint: "Map the extension to a media type: html → text/html, css → text/css, js → \
                   text/javascript, json → application/json, txt → text/plain, png → image/png, jpg → \
                   image/jpeg, svg → image/svg+xml, anything else → application/octet-stream.",
            run: content_types,
        },
        Check {
            name: "`HEAD` gets the same headers as `GET` and no body",
            points: 1,
            hint: "For HEAD, write the status line and headers (with the `Content-Length` the body would \
                   have) and stop there.",
            run: head_request,
        },
        Check {
            name: "`/` and a directory serve its `index.html` (`/sub` may redirect to `/sub/`); a directory \
                   without one is `404` or `403`",
            points: 1,
            hint: "When the path names a directory, serve `index.html` inside it (or, for a path without its \
                   trailing `/`, redirect with `301` and `Location: /sub/`); when there is none, answer 404 (403 \
                   says the same: nothing to show).",
            run: directory_index,
        },
        Check {
            name: "a percent-encoded path is decoded (`%20` is a space)",
            points: 1,
            hint: "A path arrives percent-encoded: `%20` is the byte 0x20, `%C3%A9` the two bytes of `é`. \
                   Decode to bytes, then to UTF-8, before looking for the file.",
            run: percent_decoding,
        },
        Check {
            name: "a query string (`?a=1`) is ignored",
            points: 1,
            hint: "Cut the target at the first `?`: what follows is the query, not part of the file's name.",
            run: query_ignored,
        },
        Check {
            name: "a missing file is `404 Not Found` with a small body",
            points: 1,
            hint: "When the file does not exist, answer `HTTP/1.1 404 Not Found` with a short body saying so.",
            run: not_found,
        },
        Check {
            name: "after a `404` the connection stays open for the next request",
            points: 1,
            hint: "A missing file is an answer like any other, not a reason to hang up: after the 404, go back \
                   and read the next request on the same connection.",
            run: open_after_404,
        },
        Check {
            name: "a malformed request is `400 Bad Request`",
            points: 1,
            hint: "A request line is exactly `METHOD TARGET VERSION`; the target starts with `/`; the \
                   version looks like `HTTP/1.1`; every header line has a colon. Anything else: 400.",
            run: bad_requests,
        },
        Check {
            name: "a method other than GET and HEAD is `405` with `Allow: GET, HEAD`, or `501`",
            points: 1,
            hint: "Only GET and HEAD make sense for files: answer any other method with `405 Method Not \
                   Allowed` and an `Allow: GET, HEAD` header (or `501 Not Implemented`).",
            run: method_not_allowed,
        },
        Check {
            name: "an HTTP version the server does not speak (`HTTP/2.0`, `HTTP/3.0`) is `505`",
            points: 1,
            hint: "`HTTP/2.0` is well formed but not a version this server speaks: answer `505 HTTP Version \
                   Not Supported`. (`HTTP/1.2` would be served as 1.1: same major version.)",
            run: version_not_supported,
        },
        Check {
            name: "a request head over 8 KiB is refused with `431` (or `400`)",
            points: 1,
            hint: "Count the bytes of the head as you read it; past 8 KiB stop reading and answer `431 \
                   Request Header Fields Too Large`, so one client cannot fill your memory.",
            run: head_too_large,
        },
        Check {
            name: "`..` in the path never reaches a file outside the root",
            points: 2,
            hint: "Split the path at `/` and refuse any `..` segment (403); never hand the path to the file \
                   system as it came.",
            run: plain_traversal,
        },
        Check {
            name: "percent-encoded `..` and `/` (`%2e%2e`, `%2f`) never reach a file outside the root",
            points: 2,
            hint: "Decode first, check after: `%2e%2e` is `..` and `%2f` is `/` once decoded, so look for \
                   `..` segments in the decoded path.",
            run: encoded_traversal,
        },
        Check {
            name: "a path that decodes to an absolute path (`//…`, `/%2f…`) never leaves the root",
            points: 2,
            hint: "In Rust, `root.join(\"/etc/x\")` is `/etc/x`: joining an absolute path drops the root. \
                   Push the path's segments one by one, skipping empty ones.",
            run: absolute_paths,
        },
        Check {
            name: "a symbolic link inside the root that points outside it is never followed",
            points: 1,
            hint: "`canonicalize` the file's path (it resolves symbolic links) and refuse it with 403 unless \
                   it still `starts_with` the canonical root.",
            run: symlink_out,
        },
        Check {
            name: "two requests on one connection are both answered (keep-alive)",
            points: 2,
            hint: "HTTP/1.1 keeps the connection open: after a response, go back and read the next request \
                   on the same connection, until the client closes or asks for `Connection: close`.",
            run: keep_alive,
        },
        Check {
            name: "a request body is read and discarded before the next request",
            points: 1,
            hint: "After the head, read exactly `Content-Length` bytes of body and throw them away \
                   (`io::copy(&mut reader.by_ref().take(n), &mut io::sink())`), or they are read as the \
                   start of the next request.",
            run: body_discarded,
        },
        Check {
            name: "two requests sent in one write are answered in order",
            points: 1,
            hint: "Keep one `BufReader` for the whole connection: the bytes it read past the first request \
                   are the start of the second. A new reader per request loses them.",
            run: pipelined,
        },
        Check {
            name: "`Connection: close`, and HTTP/1.0, get their answer and then the connection closes",
            points: 1,
            hint: "After answering a request with `Connection: close` (or an HTTP/1.0 request without \
                   `Connection: keep-alive`), close the connection.",
            run: honours_close,
        },
        Check {
            name: "a connection left silent is closed after the idle time (`--idle-timeout-ms`)",
            points: 1,
            hint: "Set a read timeout of `--idle-timeout-ms` on each connection (`set_read_timeout`); when a \
                   read times out, drop the connection.",
            run: idle_close,
        },
        Check {
            name: "a request head trickled in one byte at a time is cut off after the idle time",
            points: 1,
            hint: "A read timeout starts again with every read, so a client sending one byte at a time \
                   never trips it. Give the whole head a deadline: before each read, set the read \
                   timeout to the time left until then, and close the connection when none is left.",
            run: trickled_head,
        },
        Check {
            name: "a request that arrives in small pieces is answered",
            points: 1,
            hint: "One `read` returns what has arrived so far, perhaps a single byte. Read lines until the \
                   empty line that ends the head (`BufRead::read_line`).",
            run: request_in_pieces,
        },
        Check {
            name: "a client that sends half a request and stalls does not hold up another client",
            points: 2,
            hint: "Serve each connection on its own thread: a client that stops halfway then blocks only \
                   its own thread.",
            run: stalled_client,
        },
    ],
};

const HELLO: &[u8] = b"Hello from the checker!\nThis file ends with a newline.\n";
const INDEX: &[u8] = b"<!doctype html>\n<title>socketlings</title>\n<h1>It works!</h1>\n";
const SUB_INDEX: &[u8] = b"<!doctype html>\n<h1>The sub folder</h1>\n";
const SPACED: &[u8] = b"a file whose name has a space\n";
const CAFE: &[u8] = "un caf\u{e9} au lait\n".as_bytes();
const STYLE: &[u8] = b"body { font-family: sans-serif; }\n";
/// A text with CRLF line ends, spaces at the ends of lines and an empty last line.
const NOTES: &[u8] = b"  notes, indented\r\nwith CRLF line ends and trailing spaces   \r\n\r\n";
/// The file placed next to ROOT: its contents must never be served.
const SECRET: &[u8] = b"socketlings secret: this file lies outside ROOT and must never be served\n";

/// A PNG signature followed by every byte value, CR and LF among them.
fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    for round in 0..4u8 {
        bytes.extend((0..=255u8).map(|b| b.wrapping_add(round)));
    }
    bytes.extend_from_slice(b"IEND");
    bytes
}

/// The folder the server serves, in a scratch folder that also holds the
/// secret file (beside ROOT, not in it).
struct Site {
    scratch: tempfile::TempDir,
    root: PathBuf,
}

impl Site {
    fn create() -> std::io::Result<Site> {
        let scratch = crate::harness::process::scratch_dir("http")?;
        let root = scratch.path().join("site");
        std::fs::create_dir_all(root.join("sub"))?;
        std::fs::create_dir_all(root.join("empty"))?;
        std::fs::write(scratch.path().join("secret.txt"), SECRET)?;
        let files: &[(&str, &[u8])] = &[
            ("index.html", INDEX),
            ("hello.txt", HELLO),
            ("style.css", STYLE),
            ("app.js", b"console.log('hi');\n"),
            ("data.json", b"{\"ok\": true}\n"),
            ("notes.txt", NOTES),
            ("logo.png", &png()),
            ("pixel.png", b"not a real PNG: the type comes from the name\n"),
            ("photo.jpg", b"not a real JPEG either\n"),
            ("icon.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n"),
            ("data.bin", b"\x00\x01\x02 unknown kind of file"),
            ("with space.txt", SPACED),
            ("caf\u{e9}.txt", CAFE),
            ("sub/index.html", SUB_INDEX),
            ("sub/page.txt", HELLO),
        ];
        for (name, bytes) in files {
            std::fs::write(root.join(name), bytes)?;
        }
        // A link inside ROOT to the secret beside it: following it leaves ROOT.
        #[cfg(unix)]
        std::os::unix::fs::symlink("../secret.txt", root.join("link.txt"))?;
        Ok(Site { scratch, root })
    }

    fn secret(&self) -> PathBuf {
        self.scratch.path().join("secret.txt")
    }
}

/// A server started on a fresh site.
struct Http {
    served: Served,
    site: Site,
}

impl Http {
    fn conn(&mut self, ctx: &mut Ctx) -> Result<Conn, Failure> {
        self.served.conn(ctx)
    }

    /// Sends `request` on a new connection and expects status `code` (or one
    /// of `codes`), with the response never carrying the secret file. A body
    /// without `Content-Length` is read to the close: framing is the
    /// business of the check named for it.
    fn expect(&mut self, ctx: &mut Ctx, request: &[u8], codes: &[u16]) -> Result<Response, Failure> {
        let mut conn = self.conn(ctx)?;
        let did = format!("sent `{}` on a new connection", first_line(request));
        let expected = describe_codes(codes);
        let head_only = request.starts_with(b"HEAD ");
        let response = http::exchange(&mut conn, request, head_only, Framing::Http, ctx.timing.reply(), &did)
            .map_err(|f| Failure { expected: format!("{expected}; {}", f.expected), ..f })?;
        if carries_secret(&response) {
            return Err(self.leaked(did, expected, &response));
        }
        if !response.is(codes) {
            return Err(Failure::new(did, expected, response.summary()));
        }
        Ok(response)
    }

    /// Expects `200` and exactly `body` for `target`.
    fn expect_file(&mut self, ctx: &mut Ctx, target: &str, body: &[u8]) -> Outcome {
        let response = self.expect(ctx, &get(target, true), &[200])?;
        same_body(&format!("sent `GET {target} HTTP/1.1`"), body, &response)
    }

    /// The response carried the secret file.
    fn leaked(&self, did: String, expected: String, response: &Response) -> Failure {
        Failure::new(
            did,
            expected,
            format!("the contents of {}, a file outside ROOT: {}", self.site.secret().display(), response.summary()),
        )
    }
}

/// "a `404` response", "a `403` or `404` response"
fn describe_codes(codes: &[u16]) -> String {
    let names: Vec<String> = codes.iter().map(|c| format!("`{c} {}`", reason(*c))).collect();
    format!("a {} response", names.join(" or "))
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The first words of the secret file: enough to see it, even cut short.
const SECRET_MARK: &[u8] = b"socketlings secret";

fn carries_secret(response: &Response) -> bool {
    contains(&response.head, SECRET_MARK) || contains(&response.body, SECRET_MARK)
}

/// The body must be exactly `expected`.
fn same_body(did: &str, expected: &[u8], response: &Response) -> Outcome {
    if response.body == expected {
        return Ok(());
    }
    if response.status != 200 {
        return Err(Failure::new(did, format!("`200 OK` and the file's {} bytes", expected.len()), response.summary()));
    }
    let mut failure = Failure::new(
        did,
        format!("the file's {} bytes", expected.len()),
        format!("{} body bytes: {}", response.body.len(), text::escape(&response.body)),
    );
    failure.diff = Some((expected.to_vec(), response.body.clone()));
    Err(failure)
}

fn start(ctx: &mut Ctx) -> Result<Http, Failure> {
    start_with(ctx, &[])
}

/// Starts the server with `options` after `server ADDR ROOT`.
fn start_with(ctx: &mut Ctx, options: &[String]) -> Result<Http, Failure> {
    let site = Site::create().map_err(|e| checker_trouble("create the folder to serve", &e))?;
    // The secret beside ROOT is readable too: the sandbox must not hide a
    // server that serves it.
    ctx.grant_read(site.scratch.path());
    let root = site.root.display().to_string();
    let served = ctx
        .start_server(|addr| {
            let mut args = vec!["server".to_string(), addr.to_string(), root.clone()];
            args.extend_from_slice(options);
            args
        })?
        .into();
    Ok(Http { served, site })
}

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
fn well_formed(ctx: &mut Ctx) -> Outcome {
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

fn status_line_version(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    for target in ["/hello.txt", "/no-such-file.txt"] {
        let mut conn = http.conn(ctx)?;
        let did = format!("sent `GET {target} HTTP/1.1`");
        let response = http::exchange(&mut conn, &get(target, true), false, Framing::Http, ctx.timing.reply(), &did)?;
        if !response.status_line.starts_with("HTTP/1.1 ") {
            let mut failure =
                Failure::new(did, "a status line that starts with `HTTP/1.1 `", format!("{:?}", response.status_line));
            failure.diff = Some((b"HTTP/1.1 ".to_vec(), response.status_line.as_bytes().to_vec()));
            return Err(failure);
        }
    }
    Ok(())
}

fn text_file(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    http.expect_file(ctx, "/hello.txt", HELLO)?;
    http.expect_file(ctx, "/notes.txt", NOTES)
}

fn binary_file(ctx: &mut Ctx) -> Outcome {
    start(ctx)?.expect_file(ctx, "/logo.png", &png())
}

fn content_types(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let types: &[(&str, &[&str])] = &[
        ("/index.html", &["text/html"]),
        ("/style.css", &["text/css"]),
        ("/app.js", &["text/javascript", "application/javascript"]),
        ("/data.json", &["application/json"]),
        ("/hello.txt", &["text/plain"]),
        ("/pixel.png", &["image/png"]),
        ("/photo.jpg", &["image/jpeg"]),
        ("/icon.svg", &["image/svg+xml"]),
        ("/data.bin", &["application/octet-stream"]),
    ];
    for (target, wanted) in types {
        let response = http.expect(ctx, &get(target, true), &[200])?;
        let got = response.media_type();
        if !got.as_deref().is_some_and(|t| wanted.contains(&t)) {
            return Err(Failure::new(
                format!("sent `GET {target} HTTP/1.1`"),
                format!("`Content-Type: {}`", wanted[0]),
                response.describe_header("Content-Type"),
            ));
        }
    }
    Ok(())
}

fn head_request(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let mut conn = http.conn(ctx)?;
    let did = "sent `HEAD /hello.txt HTTP/1.1` with `Connection: close`";
    let request = request("HEAD", "/hello.txt", true);
    let response = http::exchange(&mut conn, &request, true, Framing::Http, ctx.timing.reply(), did)?;
    if response.status != 200 {
        return Err(Failure::new(did, describe_codes(&[200]), response.summary()));
    }
    // RFC 9110 §8.6: a response to HEAD may leave `Content-Length` out,
    // but when it sends one, it is the size GET would send.
    let length = HELLO.len().to_string();
    if response.header("content-length").is_some_and(|l| l != length) {
        return Err(Failure::new(
            did,
            format!("`Content-Length: {length}`, the size GET would send"),
            response.describe_header("Content-Length"),
        ));
    }
    if response.media_type().as_deref() != Some("text/plain") {
        return Err(Failure::new(
            did,
            "`Content-Type: text/plain`, as for GET",
            response.describe_header("Content-Type"),
        ));
    }
    let after = conn.read_any(ctx.timing.ms(300));
    if !after.bytes.is_empty() {
        return Err(Failure::new(did, "nothing after the head: HEAD has no body", text::escape(&after.bytes)));
    }
    Ok(())
}

/// The status codes that redirect a directory asked for without its slash.
const REDIRECTS: &[u16] = &[301, 302, 307, 308];

fn directory_index(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    http.expect_file(ctx, "/", INDEX)?;
    http.expect_file(ctx, "/sub/", SUB_INDEX)?;
    // Without its slash: the index itself, or a redirect that adds the slash.
    let did = "sent `GET /sub HTTP/1.1`";
    let expected = "`200 OK` with `sub/index.html`, or a redirect (`301`, `308`) with `Location: /sub/`";
    let response = http
        .expect(ctx, &get("/sub", true), &[200, 301, 302, 307, 308])
        .map_err(|f| Failure { expected: expected.into(), ..f })?;
    if response.status == 200 {
        same_body(did, SUB_INDEX, &response)?;
    } else if REDIRECTS.contains(&response.status) {
        let location = response.header("location").unwrap_or_default();
        if location_path(location) != "/sub/" {
            return Err(Failure::new(did, expected, response.describe_header("Location")));
        }
    }
    // Nothing to serve: not found, or refused (as nginx and lighttpd answer).
    http.expect(ctx, &get("/empty/", true), &[404, 403]).map(drop)
}

/// The path of a `Location`: `/sub/` for `/sub/` and for `http://127.0.0.1:8080/sub/`.
fn location_path(location: &str) -> &str {
    let Some(rest) = location.strip_prefix("http://").or_else(|| location.strip_prefix("//")) else {
        return location;
    };
    rest.find('/').map_or("/", |slash| &rest[slash..])
}

fn percent_decoding(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    http.expect_file(ctx, "/with%20space.txt", SPACED)?;
    http.expect_file(ctx, "/caf%C3%A9.txt", CAFE)
}

fn query_ignored(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    http.expect_file(ctx, "/hello.txt?a=1&b=two", HELLO)?;
    http.expect_file(ctx, "/style.css?v=2", STYLE)
}

fn not_found(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let did = "sent `GET /no-such-file.txt HTTP/1.1`";
    let response = http.expect(ctx, &get("/no-such-file.txt", true), &[404])?;
    if response.body.is_empty() {
        return Err(Failure::new(did, "a small body saying what went wrong", "an empty body"));
    }
    Ok(())
}

fn open_after_404(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let mut conn = http.conn(ctx)?;
    let within = ctx.timing.reply();
    // Which status came is the business of the check for missing files.
    let did = "sent `GET /no-such-file.txt HTTP/1.1`";
    http::exchange(&mut conn, &get("/no-such-file.txt", false), false, Framing::Http, within, did)?;
    let did = "sent `GET /hello.txt HTTP/1.1` on the same connection, after the answer to the missing file";
    let response = http::exchange(&mut conn, &get("/hello.txt", false), false, Framing::Http, within, did)?;
    same_body(did, HELLO, &response)
}

fn bad_requests(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let requests: &[&[u8]] = &[
        b"GARBAGE\r\n\r\n",
        b"GET hello.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET /hello.txt HTTX/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        b"GET /hello.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nthis line has no colon\r\n\r\n",
    ];
    for request in requests {
        http.expect(ctx, request, &[400])?;
    }
    Ok(())
}

fn method_not_allowed(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let requests: &[&[u8]] = &[
        b"POST /hello.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 7\r\nConnection: close\r\n\r\nname=ok",
        b"DELETE /hello.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    ];
    for request in requests {
        // RFC 9110 allows both: 405 names the methods that would work, 501
        // says the method is not implemented at all.
        let response = http.expect(ctx, request, &[405, 501])?;
        if response.status == 501 {
            continue;
        }
        let allow = response.header("allow").unwrap_or_default().to_ascii_uppercase();
        let methods: Vec<&str> = allow.split(',').map(str::trim).collect();
        if !methods.contains(&"GET") || !methods.contains(&"HEAD") {
            return Err(Failure::new(
                format!("sent `{}`", first_line(request)),
                "with `405`, an `Allow: GET, HEAD` header",
                response.describe_header("Allow"),
            ));
        }
    }
    Ok(())
}

fn version_not_supported(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    // Another major version: `HTTP/1.2` would be served as 1.1 (RFC 9110 §2.5).
    http.expect(ctx, b"GET /hello.txt HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n", &[505])?;
    http.expect(ctx, b"GET /hello.txt HTTP/3.0\r\nHost: 127.0.0.1\r\n\r\n", &[505]).map(drop)
}

fn head_too_large(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let mut conn = http.conn(ctx)?;
    let mut request = b"GET /hello.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n".to_vec();
    for i in 0..256 {
        request.extend_from_slice(format!("X-Filler-{i:03}: {}\r\n", "a".repeat(240)).as_bytes());
    }
    request.extend_from_slice(b"\r\n");
    let did = format!("sent `GET /hello.txt HTTP/1.1` with a head of {} KiB", request.len() / 1024);
    // Written from a second thread: a server that stops reading after 8 KiB
    // would leave a plain write blocked.
    let sending = conn.send_in_background(&request, ctx.timing.reply());
    let response = http::read_response(&mut conn, false, Framing::Salvage, ctx.timing.reply(), &did);
    drop(conn);
    let _ = sending.join();
    let codes = [431, 400];
    let response =
        response.map_err(|f| Failure { expected: format!("{}; {}", describe_codes(&codes), f.expected), ..f })?;
    if response.is(&codes) {
        Ok(())
    } else {
        Err(Failure::new(did, describe_codes(&codes), response.summary()))
    }
}

/// No answer to `target` may carry the secret. Any refusal (4xx), any
/// redirect, and any file from inside ROOT (a server may cut the path at
/// `%00`) pass; a body without `Content-Length` is read to the close, and
/// a body cut short is judged as it came: framing is another check's.
fn never_outside(ctx: &mut Ctx, http: &mut Http, targets: &[String]) -> Outcome {
    serves_files(ctx, http)?;
    let within = ctx.timing.reply();
    for target in targets {
        let mut conn = http.conn(ctx)?;
        let did = format!("sent `GET {target} HTTP/1.1`");
        let expected = "a refusal (a 4xx status such as `403 Forbidden`) or a file from inside ROOT";
        let mut response = http::exchange(&mut conn, &get(target, true), false, Framing::Salvage, within, &did)
            .map_err(|f| {
                let hint = f.hint.clone().unwrap_or_else(|| {
                    "No complete response came for this path. Answer every request, and refuse a path that \
                     leaves the root with 403."
                        .into()
                });
                Failure { expected: format!("{expected}; {}", f.expected), ..f }.hint(hint)
            })?;
        // Whatever else comes before the close (we asked for it) must not be the secret either.
        let rest = conn.read_to_close(1 << 16, ctx.timing.ms(50));
        response.body.extend_from_slice(&rest.bytes);
        if carries_secret(&response) {
            return Err(http.leaked(did, expected.into(), &response));
        }
        if !(200..500).contains(&response.status) {
            return Err(Failure::new(did, expected, response.summary()).hint(
                "The secret did not leak, but a path that leaves the root is the client's mistake, not a \
                 failure of the server: refuse it with 403.",
            ));
        }
    }
    Ok(())
}

/// A refusal means something only from a server that serves files: first
/// `/hello.txt` must come back with `200` (its bytes are another check's).
fn serves_files(ctx: &mut Ctx, http: &mut Http) -> Outcome {
    http.expect(ctx, &get("/hello.txt", true), &[200]).map(drop).map_err(|f| {
        f.hint(
            "Before the paths it must refuse, the checker asks for `/hello.txt`, which must be served: a \
             server that refuses everything keeps every file safe, but it is not a file server yet.",
        )
    })
}

fn plain_traversal(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let targets = ["/../secret.txt", "/sub/../../secret.txt", "/./../secret.txt"].map(String::from);
    never_outside(ctx, &mut http, &targets)
}

fn encoded_traversal(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let targets = [
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/..%2fsecret.txt",
        "/sub/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/hello.txt%00/../../secret.txt",
    ]
    .map(String::from);
    never_outside(ctx, &mut http, &targets)
}

fn absolute_paths(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let secret = http.site.secret().display().to_string();
    let encoded = secret.replace('/', "%2f");
    let targets = [format!("/{secret}"), format!("/{encoded}")];
    never_outside(ctx, &mut http, &targets)
}

fn symlink_out(ctx: &mut Ctx) -> Outcome {
    if cfg!(not(unix)) {
        return Ok(());
    }
    let mut http = start(ctx)?;
    serves_files(ctx, &mut http)?;
    let mut conn = http.conn(ctx)?;
    let did = "sent `GET /link.txt HTTP/1.1`, where ROOT/link.txt is a symbolic link to ../secret.txt".to_string();
    let expected = "a refusal: a 4xx status such as `403 Forbidden`";
    let response =
        http::exchange(&mut conn, &get("/link.txt", true), false, Framing::Salvage, ctx.timing.reply(), &did)?;
    if carries_secret(&response) {
        return Err(http.leaked(did, expected.into(), &response));
    }
    if !(400..500).contains(&response.status) {
        return Err(Failure::new(did, expected, response.summary()));
    }
    Ok(())
}

fn keep_alive(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let mut conn = http.conn(ctx)?;
    let within = ctx.timing.reply();
    let did = "sent `GET /hello.txt HTTP/1.1`";
    let response = http::exchange(&mut conn, &get("/hello.txt", false), false, Framing::Http, within, did)?;
    same_body(did, HELLO, &response)?;
    let did = "sent `GET /style.css HTTP/1.1` on the same connection, after the first response";
    let response =
        http::exchange(&mut conn, &get("/style.css", false), false, Framing::Http, within, did).map_err(|f| {
            f.hint(
                "HTTP/1.1 keeps the connection open: after a response, go back and read the next request on \
                 the same connection.",
            )
        })?;
    same_body(did, STYLE, &response)
}

fn body_discarded(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let mut conn = http.conn(ctx)?;
    let within = ctx.timing.reply();
    let did = "sent `GET /hello.txt HTTP/1.1` with `Content-Length: 5` and the body `hello`";
    let with_body = b"GET /hello.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello";
    // The answer to this one is not judged: RFC 9110 §9.3.1 lets a server
    // refuse a GET with a body (lighttpd answers 400). What matters is where
    // the next request starts.
    let first = http::exchange(&mut conn, with_body, false, Framing::Http, within, did)?;
    let did = "then sent `GET /style.css HTTP/1.1` on the same connection";
    let second = http::exchange(&mut conn, &get("/style.css", false), false, Framing::Http, within, did);
    match second {
        Ok(response) if response.status == 200 => same_body(did, STYLE, &response),
        // A server that said it would close, and closed, read no body as a request.
        Err(_) if first.header("connection").is_some_and(|c| c.to_ascii_lowercase().contains("close")) => Ok(()),
        Ok(response) => Err(Failure::new(did, describe_codes(&[200]), response.summary()).hint(
            "The 5 body bytes of the first request were read as the start of the next one (`helloGET \
             /style.css ...`): after the head, read `Content-Length` bytes and throw them away.",
        )),
        Err(failure) => Err(failure),
    }
}

fn pipelined(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let mut conn = http.conn(ctx)?;
    let within = ctx.timing.reply();
    let mut both = get("/hello.txt", false);
    both.extend(get("/style.css", false));
    let did = "sent `GET /hello.txt` and `GET /style.css` together in one write";
    let first = http::exchange(&mut conn, &both, false, Framing::Http, within, did)?;
    same_body(&format!("{did}; this is the first response"), HELLO, &first)?;
    let waited = format!("{did}; waited for the second response");
    let second = http::read_response(&mut conn, false, Framing::Http, within, &waited)?;
    same_body(&format!("{did}; this is the second response"), STYLE, &second)
}

/// After the response, the server must close: the next read is the end.
fn expect_close(conn: &mut Conn, did: &str, within: Duration) -> Outcome {
    let after = conn.closed_within(within);
    if after.complete() && after.bytes.is_empty() {
        return Ok(());
    }
    Err(Failure::new(did, "the connection to close after the response", after.describe()))
}

fn honours_close(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let within = ctx.timing.reply();
    let mut conn = http.conn(ctx)?;
    let did = "sent `GET /hello.txt HTTP/1.1` with `Connection: close`";
    http::exchange(&mut conn, &get("/hello.txt", true), false, Framing::Http, within, did)?;
    expect_close(&mut conn, did, within)?;
    // Our side closes too, so a server that lingers is not kept waiting.
    drop(conn);
    let mut conn = http.conn(ctx)?;
    let did = "sent `GET /hello.txt HTTP/1.0` (HTTP/1.0 closes unless it asks for keep-alive)";
    http::exchange(&mut conn, b"GET /hello.txt HTTP/1.0\r\n\r\n", false, Framing::Http, within, did)?;
    expect_close(&mut conn, did, within)
}

/// Starts the server with a short `--idle-timeout-ms`; returns it and that time.
fn start_idle(ctx: &mut Ctx) -> Result<(Http, u128), Failure> {
    let idle = ctx.timing.ms(100).as_millis().max(1);
    let options = ["--idle-timeout-ms".to_string(), idle.to_string()];
    let http = start_with(ctx, &options).map_err(|f| {
        if f.cannot_run {
            return f;
        }
        f.hint(format!(
            "This check starts the server with `--idle-timeout-ms {idle}` after ROOT: accept that option \
             (the idle time in milliseconds, 10000 when it is not given)."
        ))
    })?;
    Ok((http, idle))
}

/// Nothing, or a `408 Request Timeout` (RFC 9110 §15.5.9): what a server
/// may send before it hangs up on a slow client.
fn quiet_close(bytes: &[u8]) -> bool {
    bytes.is_empty() || bytes.starts_with(b"HTTP/1.1 408") || bytes.starts_with(b"HTTP/1.0 408")
}

fn idle_close(ctx: &mut Ctx) -> Outcome {
    let (mut http, idle) = start_idle(ctx)?;
    let mut conn = http.conn(ctx)?;
    // One request first: a server that drops every connection at once (or
    // crashes) is not closing idle connections.
    let did = "sent `GET /hello.txt HTTP/1.1`";
    http::exchange(&mut conn, &get("/hello.txt", false), false, Framing::Http, ctx.timing.reply(), did)?;
    conn.note("the checker sends nothing more on this connection");
    let within = ctx.timing.reply() + Duration::from_millis(idle as u64);
    let did = format!(
        "started the server with `--idle-timeout-ms {idle}`, sent `GET /hello.txt HTTP/1.1`, read the response, \
         then sent nothing"
    );
    let after = conn.closed_within(within);
    if matches!(after.end, End::Complete | End::ClosedAsAsked | End::Reset) && quiet_close(&after.bytes) {
        return Ok(());
    }
    Err(Failure::new(did, format!("the connection to be closed after about {idle} ms of silence"), after.describe()))
}

fn trickled_head(ctx: &mut Ctx) -> Outcome {
    let (mut http, idle) = start_idle(ctx)?;
    let mut conn = http.conn(ctx)?;
    // One request first: a server that drops every connection at once (or
    // crashes) is not cutting off slow heads.
    let did = "sent `GET /hello.txt HTTP/1.1`";
    http::exchange(&mut conn, &get("/hello.txt", false), false, Framing::Http, ctx.timing.reply(), did)?;
    let idle_time = Duration::from_millis(idle as u64);
    let step = (idle_time / 4).max(Duration::from_millis(1));
    let did = format!(
        "started the server with `--idle-timeout-ms {idle}`, sent `GET /hello.txt HTTP/1.1`, read the response, \
         then sent the next request head one byte every {} ms, never ending it",
        step.as_millis()
    );
    conn.note(&format!("the checker now sends one byte every {} ms", step.as_millis()));
    let started = Instant::now();
    let give_up = started + idle_time * 4 + ctx.timing.reply();
    let mut head = b"GET /hello.txt HTTP/1.1\r\nX-Slow: ".iter().copied().chain(std::iter::repeat(b'a'));
    let mut got = Vec::new();
    while Instant::now() < give_up {
        let byte = head.next().unwrap_or(b'a');
        // A send that fails finds the connection closed (or reset) already.
        let end = match conn.send(&[byte], ctx.timing.reply()) {
            Err(end) => end,
            Ok(()) => {
                let after = conn.closed_within(step);
                got.extend_from_slice(&after.bytes);
                after.end
            }
        };
        match end {
            End::TimedOut(_) => continue,
            End::Closed | End::ClosedAsAsked | End::Reset | End::Error(_) if quiet_close(&got) => return Ok(()),
            end => {
                let got = Received { bytes: got, end };
                return Err(Failure::new(did, "the connection closed, with nothing sent or a `408`", got.describe()));
            }
        }
    }
    Err(Failure::new(
        did,
        format!("the connection closed about {idle} ms after the response, the head still unfinished"),
        format!("it was still open {} ms after the response", started.elapsed().as_millis()),
    ))
}

fn request_in_pieces(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let mut conn = http.conn(ctx)?;
    let within = ctx.timing.reply();
    let did = "sent `GET /hello.txt HTTP/1.1` in 6 pieces, 30 ms apart";
    let pieces: &[&[u8]] = &[b"GE", b"T /hel", b"lo.txt HTTP/1.1\r", b"\nHost: 127.0.0.1\r\n", b"\r", b"\n"];
    for piece in pieces {
        conn.send(piece, within).map_err(|end| Failure::new(did, "to send the request", end.describe()))?;
        std::thread::sleep(Duration::from_millis(30));
    }
    let response = http::read_response(&mut conn, false, Framing::Http, within, did)?;
    same_body(did, HELLO, &response)
}

fn stalled_client(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let mut stalled = http.conn(ctx)?;
    let half = b"GET /hello.txt HTTP/1.1\r\nHost: 127";
    stalled
        .send(half, ctx.timing.reply())
        .map_err(|end| Failure::new("sent half a request", "to send it", end.describe()))?;
    stalled.note("the checker sends nothing more on this connection");
    std::thread::sleep(Duration::from_millis(50));
    let result = http.expect_file(ctx, "/hello.txt", HELLO).map_err(|f| Failure {
        did: format!("left a first connection with half a request, then on a second connection {}", f.did),
        meaning: Some(
            "The second client waited while the first was stalled: the server handles one connection \
             at a time."
                .into(),
        ),
        ..f
    });
    drop(stalled);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_site_keeps_the_secret_outside_root() {
        let site = Site::create().unwrap();
        assert!(site.secret().exists());
        assert!(!site.secret().starts_with(&site.root));
        assert_eq!(std::fs::read(site.root.join("logo.png")).unwrap(), png());
        assert!((0..=255u8).all(|b| png().contains(&b)));
        #[cfg(unix)]
        assert_eq!(site.root.join("link.txt").canonicalize().unwrap(), site.secret().canonicalize().unwrap());
    }

    #[test]
    fn codes_are_described_with_their_reasons() {
        assert_eq!(describe_codes(&[403, 404]), "a `403 Forbidden` or `404 Not Found` response");
    }

    #[test]
    fn a_location_is_judged_by_its_path() {
        assert_eq!(location_path("/sub/"), "/sub/");
        assert_eq!(location_path("http://127.0.0.1:8080/sub/"), "/sub/");
        assert_eq!(location_path("//127.0.0.1:8080/sub/"), "/sub/");
        assert_eq!(location_path("http://127.0.0.1:8080"), "/");
    }
}
