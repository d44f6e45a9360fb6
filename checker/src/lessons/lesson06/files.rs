//! Lesson 6's checks on what is served: files byte for byte, their types,
//! `HEAD`, directories, decoded paths, and the error statuses (404, 400,
//! 405 or 501, 505, 431).

use super::site::{describe_codes, png, same_body, start, CAFE, HELLO, INDEX, NOTES, SPACED, STYLE, SUB_INDEX};
use crate::harness::http::{self, first_line, get, request, Framing};
use crate::harness::{text, Ctx, Failure, Outcome};

pub(super) fn text_file(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    http.expect_file(ctx, "/hello.txt", HELLO)?;
    http.expect_file(ctx, "/notes.txt", NOTES)
}

pub(super) fn binary_file(ctx: &mut Ctx) -> Outcome {
    start(ctx)?.expect_file(ctx, "/logo.png", &png())
}

pub(super) fn content_types(ctx: &mut Ctx) -> Outcome {
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

pub(super) fn head_request(ctx: &mut Ctx) -> Outcome {
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

pub(super) fn directory_index(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    http.expect_file(ctx, "/", INDEX)?;
    http.expect_file(ctx, "/sub/", SUB_INDEX)?;
    // Without its slash: the index itself, or a redirect that adds the slash.
    let did = "sent `GET /sub HTTP/1.1`";
    let expected = "`200 OK` with `sub/index.html`, or a redirect (`301`, `308`) with `Location: /sub/`";
    let response =
        http.expect(ctx, &get("/sub", true), &[200, 301, 302, 307, 308]).map_err(|f| f.expected(expected))?;
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

pub(super) fn percent_decoding(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    http.expect_file(ctx, "/with%20space.txt", SPACED)?;
    http.expect_file(ctx, "/caf%C3%A9.txt", CAFE)
}

pub(super) fn query_ignored(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    http.expect_file(ctx, "/hello.txt?a=1&b=two", HELLO)?;
    http.expect_file(ctx, "/style.css?v=2", STYLE)
}

pub(super) fn not_found(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let did = "sent `GET /no-such-file.txt HTTP/1.1`";
    let response = http.expect(ctx, &get("/no-such-file.txt", true), &[404])?;
    if response.body.is_empty() {
        return Err(Failure::new(did, "a small body saying what went wrong", "an empty body"));
    }
    Ok(())
}

pub(super) fn open_after_404(ctx: &mut Ctx) -> Outcome {
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

pub(super) fn bad_requests(ctx: &mut Ctx) -> Outcome {
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

pub(super) fn method_not_allowed(ctx: &mut Ctx) -> Outcome {
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

pub(super) fn version_not_supported(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    // Another major version: `HTTP/1.2` would be served as 1.1 (RFC 9110 §2.5).
    http.expect(ctx, b"GET /hello.txt HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n", &[505])?;
    http.expect(ctx, b"GET /hello.txt HTTP/3.0\r\nHost: 127.0.0.1\r\n\r\n", &[505]).map(drop)
}

pub(super) fn head_too_large(ctx: &mut Ctx) -> Outcome {
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
    let response = response.map_err(|f| {
        let expected = format!("{}; {}", describe_codes(&codes), f.expected);
        f.expected(expected)
    })?;
    if response.is(&codes) {
        Ok(())
    } else {
        Err(Failure::new(did, describe_codes(&codes), response.summary()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_is_judged_by_its_path() {
        assert_eq!(location_path("/sub/"), "/sub/");
        assert_eq!(location_path("http://127.0.0.1:8080/sub/"), "/sub/");
        assert_eq!(location_path("//127.0.0.1:8080/sub/"), "/sub/");
        assert_eq!(location_path("http://127.0.0.1:8080"), "/");
    }
}
