//! The folder lesson 6's server serves, and the server started on it.
//!
//! [`Site`] builds ROOT in a scratch folder, with a secret file beside it
//! (never to be served); [`Http`] is the server started on a fresh site,
//! with the expectations every check uses: a status, a file, no secret.

use crate::harness::http::{self, first_line, get, Framing, Response};
use crate::harness::{checker_trouble, text, Conn, Ctx, Failure, Outcome, ScratchFolder, Served};
use std::path::PathBuf;

pub(super) const HELLO: &[u8] = b"Hello from the checker!\nThis file ends with a newline.\n";
pub(super) const INDEX: &[u8] = b"<!doctype html>\n<title>socketlings</title>\n<h1>It works!</h1>\n";
pub(super) const SUB_INDEX: &[u8] = b"<!doctype html>\n<h1>The sub folder</h1>\n";
pub(super) const SPACED: &[u8] = b"a file whose name has a space\n";
pub(super) const CAFE: &[u8] = "un caf\u{e9} au lait\n".as_bytes();
pub(super) const STYLE: &[u8] = b"body { font-family: sans-serif; }\n";
/// A text with CRLF line ends, spaces at the ends of lines and an empty last line.
pub(super) const NOTES: &[u8] = b"  notes, indented\r\nwith CRLF line ends and trailing spaces   \r\n\r\n";
/// The file placed next to ROOT: its contents must never be served.
pub(super) const SECRET: &[u8] = b"socketlings secret: this file lies outside ROOT and must never be served\n";

/// A PNG signature followed by every byte value, CR and LF among them.
pub(super) fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    for round in 0..4u8 {
        bytes.extend((0..=255u8).map(|b| b.wrapping_add(round)));
    }
    bytes.extend_from_slice(b"IEND");
    bytes
}

/// The folder the server serves (ROOT), in a scratch folder that also
/// holds the secret file (beside ROOT, not in it).
pub(super) type Site = ScratchFolder;

/// ROOT with every file the checks ask for, the secret beside it, and a
/// link inside ROOT to the secret.
pub(super) fn create_site() -> std::io::Result<Site> {
    let site = ScratchFolder::create("http", "site")?;
    std::fs::create_dir_all(site.dir().join("empty"))?;
    std::fs::write(secret(&site), SECRET)?;
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
    site.write(files)?;
    // A link inside ROOT to the secret beside it: following it leaves ROOT.
    #[cfg(unix)]
    std::os::unix::fs::symlink("../secret.txt", site.dir().join("link.txt"))?;
    Ok(site)
}

/// The secret file beside ROOT: its contents must never be served.
pub(super) fn secret(site: &Site) -> PathBuf {
    site.beside("secret.txt")
}

/// A server started on a fresh site.
pub(super) struct Http {
    pub(super) served: Served,
    pub(super) site: Site,
}

impl Http {
    pub(super) fn conn(&mut self, ctx: &mut Ctx) -> Result<Conn, Failure> {
        self.served.conn(ctx)
    }

    /// Sends `request` on a new connection and expects status `code` (or one
    /// of `codes`), with the response never carrying the secret file. A body
    /// without `Content-Length` is read to the close: framing is the
    /// business of the check named for it.
    pub(super) fn expect(&mut self, ctx: &mut Ctx, request: &[u8], codes: &[u16]) -> Result<Response, Failure> {
        let mut conn = self.conn(ctx)?;
        let did = format!("sent `{}` on a new connection", first_line(request));
        let expected = describe_codes(codes);
        let head_only = request.starts_with(b"HEAD ");
        let response =
            http::exchange(&mut conn, request, head_only, Framing::Http, ctx.timing.reply(), &did).map_err(|f| {
                let expected = format!("{expected}; {}", f.expected);
                f.expected(expected)
            })?;
        if carries_secret(&response) {
            return Err(self.leaked(did, expected, &response));
        }
        if !response.is(codes) {
            return Err(Failure::new(did, expected, response.summary()));
        }
        Ok(response)
    }

    /// Expects `200` and exactly `body` for `target`.
    pub(super) fn expect_file(&mut self, ctx: &mut Ctx, target: &str, body: &[u8]) -> Outcome {
        let response = self.expect(ctx, &get(target, true), &[200])?;
        same_body(&format!("sent `GET {target} HTTP/1.1`"), body, &response)
    }

    /// The response carried the secret file.
    pub(super) fn leaked(&self, did: String, expected: String, response: &Response) -> Failure {
        Failure::new(
            did,
            expected,
            format!("the contents of {}, a file outside ROOT: {}", secret(&self.site).display(), response.summary()),
        )
    }
}

/// "a `404` response", "a `403` or `404` response"
pub(super) fn describe_codes(codes: &[u16]) -> String {
    let names: Vec<String> = codes.iter().map(|c| format!("`{c} {}`", reason(*c))).collect();
    format!("a {} response", names.join(" or "))
}

pub(super) fn reason(code: u16) -> &'static str {
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

pub(super) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The first words of the secret file: enough to see it, even cut short.
pub(super) const SECRET_MARK: &[u8] = b"socketlings secret";

pub(super) fn carries_secret(response: &Response) -> bool {
    contains(&response.head, SECRET_MARK) || contains(&response.body, SECRET_MARK)
}

/// The body must be exactly `expected`.
pub(super) fn same_body(did: &str, expected: &[u8], response: &Response) -> Outcome {
    if response.body == expected {
        return Ok(());
    }
    if response.status != 200 {
        return Err(Failure::new(did, format!("`200 OK` and the file's {} bytes", expected.len()), response.summary()));
    }
    Err(Failure::new(
        did,
        format!("the file's {} bytes", expected.len()),
        format!("{} body bytes: {}", response.body.len(), text::escape(&response.body)),
    )
    .diff(expected, response.body.clone()))
}

pub(super) fn start(ctx: &mut Ctx) -> Result<Http, Failure> {
    start_with(ctx, &[])
}

/// Starts the server with `options` after `server ADDR ROOT`.
pub(super) fn start_with(ctx: &mut Ctx, options: &[String]) -> Result<Http, Failure> {
    let site = create_site().map_err(|e| checker_trouble("create the folder to serve", &e))?;
    // The secret beside ROOT is readable too: the sandbox must not hide a
    // server that serves it.
    ctx.grant_read(site.scratch());
    let root = site.dir().display().to_string();
    let served = ctx
        .start_server(|addr| {
            let mut args = vec!["server".to_string(), addr.to_string(), root.clone()];
            args.extend_from_slice(options);
            args
        })?
        .into();
    Ok(Http { served, site })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_site_keeps_the_secret_outside_root() {
        let site = create_site().unwrap();
        assert!(secret(&site).exists());
        assert!(!secret(&site).starts_with(site.dir()));
        assert_eq!(std::fs::read(site.dir().join("logo.png")).unwrap(), png());
        assert!((0..=255u8).all(|b| png().contains(&b)));
        #[cfg(unix)]
        assert_eq!(site.dir().join("link.txt").canonicalize().unwrap(), secret(&site).canonicalize().unwrap());
    }

    #[test]
    fn codes_are_described_with_their_reasons() {
        assert_eq!(describe_codes(&[403, 404]), "a `403 Forbidden` or `404 Not Found` response");
    }
}
