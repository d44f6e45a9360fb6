//! Lesson 6: HTTP. A static file server over HTTP/1.1: request heads in,
//! status lines, headers and exact bodies out, connections kept alive, and
//! no file outside the root, whatever the path says.

use super::{Check, Lesson};
use crate::harness::http::{self, first_line, get, request, Response};
use crate::harness::{checker_trouble, text, Conn, Ctx, Failure, Outcome, Served};
use std::path::PathBuf;
use std::time::Duration;

pub static LESSON: Lesson = Lesson {
    number: 6,
    slug: "http",
    title: "HTTP file server",
    usage: &["server HOST:PORT ROOT"],
    checks: &[
        Check {
            name: "a response has a status line, CRLF line ends and a `Content-Length` that matches its body",
            points: 2,
            hint: "A response is `HTTP/1.1 200 OK\\r\\n`, header lines `Name: value\\r\\n`, an empty line \
                   `\\r\\n`, then the body. `Content-Length` is the body's size in bytes.",
            run: well_formed,
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
            name: "`/` and a directory serve its `index.html`; a directory without one is 404",
            points: 1,
            hint: "When the path names a directory, serve `index.html` inside it; when there is none, \
                   answer 404.",
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
            name: "a missing file is `404 Not Found` with a small body and its `Content-Length`",
            points: 1,
            hint: "When the file does not exist, answer `HTTP/1.1 404 Not Found` with a short body and a \
                   `Content-Length` that counts it.",
            run: not_found,
        },
        Check {
            name: "a malformed request is `400 Bad Request`",
            points: 1,
            hint: "A request line is exactly `METHOD TARGET VERSION`; the target starts with `/`; the \
                   version looks like `HTTP/1.1`; every header line has a colon. Anything else: 400.",
            run: bad_requests,
        },
        Check {
            name: "a method other than GET and HEAD is `405` with `Allow: GET, HEAD`",
            points: 1,
            hint: "Only GET and HEAD make sense for files: answer any other method with `405 Method Not \
                   Allowed` and an `Allow: GET, HEAD` header.",
            run: method_not_allowed,
        },
        Check {
            name: "an HTTP version other than 1.0 and 1.1 is `505`",
            points: 1,
            hint: "`HTTP/2.0` or `HTTP/1.2` is well formed but not a version this server speaks: answer \
                   `505 HTTP Version Not Supported`.",
            run: version_not_supported,
        },
        Check {
            name: "a request head over 8 KiB is `431`",
            points: 1,
            hint: "Count the bytes of the head as you read it; past 8 KiB stop reading and answer `431 \
                   Request Header Fields Too Large`, so one client cannot fill your memory.",
            run: head_too_large,
        },
        Check {
            name: "`..` in the path never reaches a file outside the root",
            points: 2,
            hint: "Split the path at `/` and refuse any `..` segment (403 or 404); never hand the path \
                   to the file system as it came.",
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
            name: "two requests on one connection are both answered (keep-alive)",
            points: 2,
            hint: "HTTP/1.1 keeps the connection open: after a response, go back and read the next request \
                   on the same connection, until the client closes or asks for `Connection: close`.",
            run: keep_alive,
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
        let scratch = tempfile::Builder::new().prefix("socketlings-http-").tempdir()?;
        crate::harness::process::remove_on_interrupt(scratch.path());
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
            ("logo.png", &png()),
            ("photo.jpg", b"\xff\xd8\xff\xe0 not a real photo"),
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
    /// of `codes`), with the response never carrying the secret file.
    fn expect(&mut self, ctx: &mut Ctx, request: &[u8], codes: &[u16]) -> Result<Response, Failure> {
        let mut conn = self.conn(ctx)?;
        let did = format!("sent `{}` on a new connection", first_line(request));
        let expected = describe_codes(codes);
        let response = http::exchange(&mut conn, request, request.starts_with(b"HEAD "), ctx.timing.reply(), &did)
            .map_err(|f| Failure { expected: format!("{expected}; {}", f.expected), ..f })?;
        if contains(&response.head, SECRET) || contains(&response.body, SECRET) {
            return Err(Failure::new(
                did,
                expected,
                format!(
                    "the contents of {}, a file outside ROOT: {}",
                    self.site.secret().display(),
                    response.summary()
                ),
            ));
        }
        if !codes.contains(&response.status) {
            return Err(Failure::new(did, expected, response.summary()));
        }
        Ok(response)
    }

    /// Expects `200` and exactly `body` for `target`.
    fn expect_file(&mut self, ctx: &mut Ctx, target: &str, body: &[u8]) -> Outcome {
        let response = self.expect(ctx, &get(target, true), &[200])?;
        same_body(&format!("sent `GET {target} HTTP/1.1`"), body, &response)
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
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The body must be exactly `expected`.
fn same_body(did: &str, expected: &[u8], response: &Response) -> Outcome {
    if response.body == expected {
        return Ok(());
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
    let site = Site::create().map_err(|e| checker_trouble("create the folder to serve", &e))?;
    // The secret beside ROOT is readable too: the sandbox must not hide a
    // server that serves it.
    ctx.grant_read(site.scratch.path());
    let root = site.root.display().to_string();
    let served = ctx.start_server(|addr| vec!["server".into(), addr.into(), root.clone()])?.into();
    Ok(Http { served, site })
}

fn well_formed(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let mut conn = http.conn(ctx)?;
    let did = "sent `GET /hello.txt HTTP/1.1` and read the response";
    let response = http::exchange(&mut conn, &get("/hello.txt", false), false, ctx.timing.reply(), did)?;
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
    if response.status != 200 || !response.status_line.starts_with("HTTP/1.") {
        return Err(Failure::new(did, "the status line `HTTP/1.1 200 OK`", format!("{:?}", response.status_line)));
    }
    nothing_after_body(&mut conn, &response, ctx, did)?;
    same_body(did, HELLO, &response)
}

fn text_file(ctx: &mut Ctx) -> Outcome {
    start(ctx)?.expect_file(ctx, "/hello.txt", HELLO)
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
        ("/logo.png", &["image/png"]),
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
    let response = http::exchange(&mut conn, &request("HEAD", "/hello.txt", true), true, ctx.timing.reply(), did)?;
    if response.status != 200 {
        return Err(Failure::new(did, describe_codes(&[200]), response.summary()));
    }
    let length = HELLO.len().to_string();
    if response.header("content-length") != Some(length.as_str()) {
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

fn directory_index(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    http.expect_file(ctx, "/", INDEX)?;
    http.expect_file(ctx, "/sub/", SUB_INDEX)?;
    http.expect_file(ctx, "/sub", SUB_INDEX)?;
    http.expect(ctx, &get("/empty/", true), &[404]).map(drop)
}

fn percent_decoding(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    http.expect_file(ctx, "/with%20space.txt", SPACED)?;
    http.expect_file(ctx, "/caf%C3%A9.txt", CAFE)
}

fn query_ignored(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    http.expect_file(ctx, "/hello.txt?a=1&b=two", HELLO)?;
    http.expect_file(ctx, "/?page=2", INDEX)
}

fn not_found(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let mut conn = http.conn(ctx)?;
    let did = "sent `GET /no-such-file.txt HTTP/1.1`";
    let response = http::exchange(&mut conn, &get("/no-such-file.txt", false), false, ctx.timing.reply(), did)?;
    if response.status != 404 {
        return Err(Failure::new(did, describe_codes(&[404]), response.summary()));
    }
    if response.body.is_empty() {
        return Err(Failure::new(did, "a small body saying what went wrong", "an empty body"));
    }
    nothing_after_body(&mut conn, &response, ctx, did)
}

/// With the body read, nothing more may follow: a `Content-Length` smaller
/// than the body leaves the rest on the wire.
fn nothing_after_body(conn: &mut Conn, response: &Response, ctx: &Ctx, did: &str) -> Outcome {
    let extra = conn.read_any(ctx.timing.ms(150));
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
        let response = http.expect(ctx, request, &[405])?;
        let allow = response.header("allow").unwrap_or_default().to_ascii_uppercase();
        let methods: Vec<&str> = allow.split(',').map(str::trim).collect();
        if !methods.contains(&"GET") || !methods.contains(&"HEAD") {
            return Err(Failure::new(
                format!("sent `{}`", first_line(request)),
                "an `Allow: GET, HEAD` header",
                response.describe_header("Allow"),
            ));
        }
    }
    Ok(())
}

fn version_not_supported(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    http.expect(ctx, b"GET /hello.txt HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n", &[505])?;
    http.expect(ctx, b"GET /hello.txt HTTP/1.2\r\nHost: 127.0.0.1\r\n\r\n", &[505]).map(drop)
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
    let response = http::read_response(&mut conn, false, ctx.timing.reply(), &did);
    drop(conn);
    let _ = sending.join();
    let response =
        response.map_err(|f| Failure { expected: format!("{}; {}", describe_codes(&[431]), f.expected), ..f })?;
    if response.status == 431 {
        Ok(())
    } else {
        Err(Failure::new(did, describe_codes(&[431]), response.summary()))
    }
}

/// Each target must be refused with 403 or 404 and never serve the secret.
fn refuses(ctx: &mut Ctx, http: &mut Http, targets: &[String]) -> Outcome {
    for target in targets {
        http.expect(ctx, &get(target, true), &[403, 404])?;
    }
    Ok(())
}

fn plain_traversal(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let targets = ["/../secret.txt", "/sub/../../secret.txt", "/./../secret.txt"].map(String::from);
    refuses(ctx, &mut http, &targets)
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
    refuses(ctx, &mut http, &targets)
}

fn absolute_paths(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let secret = http.site.secret().display().to_string();
    let encoded = secret.replace('/', "%2f");
    let targets = [format!("/{secret}"), format!("/{encoded}")];
    refuses(ctx, &mut http, &targets)
}

fn keep_alive(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let mut conn = http.conn(ctx)?;
    let within = ctx.timing.reply();
    let response =
        http::exchange(&mut conn, &get("/hello.txt", false), false, within, "sent `GET /hello.txt HTTP/1.1`")?;
    same_body("sent `GET /hello.txt HTTP/1.1`", HELLO, &response)?;
    let did = "sent `GET /style.css HTTP/1.1` on the same connection, after the first response";
    let response = http::exchange(&mut conn, &get("/style.css", false), false, within, did).map_err(|f| {
        f.hint(
            "HTTP/1.1 keeps the connection open: after a response, go back and read the next request on \
             the same connection.",
        )
    })?;
    same_body(did, STYLE, &response)
}

fn pipelined(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let mut conn = http.conn(ctx)?;
    let within = ctx.timing.reply();
    let mut both = get("/hello.txt", false);
    both.extend(get("/style.css", false));
    let did = "sent `GET /hello.txt` and `GET /style.css` together in one write";
    let first = http::exchange(&mut conn, &both, false, within, did)?;
    same_body(&format!("{did}; this is the first response"), HELLO, &first)?;
    let second = http::read_response(&mut conn, false, within, &format!("{did}; waited for the second response"))?;
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
    http::exchange(&mut conn, &get("/hello.txt", true), false, within, did)?;
    expect_close(&mut conn, did, within)?;
    let mut conn = http.conn(ctx)?;
    let did = "sent `GET /hello.txt HTTP/1.0` (HTTP/1.0 closes unless it asks for keep-alive)";
    http::exchange(&mut conn, b"GET /hello.txt HTTP/1.0\r\n\r\n", false, within, did)?;
    expect_close(&mut conn, did, within)
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
    let response = http::read_response(&mut conn, false, within, did)?;
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
    }

    #[test]
    fn codes_are_described_with_their_reasons() {
        assert_eq!(describe_codes(&[403, 404]), "a `403 Forbidden` or `404 Not Found` response");
    }
}
