//! Lesson 6: HTTP. A static file server over HTTP/1.1: request heads in,
//! status lines, headers and exact bodies out, connections kept alive, and
//! no file outside the root, whatever the path says.
//!
//! # Layout
//!
//! - this module: the lesson's table of checks;
//! - [`site`]: the folder the server serves (with a secret beside it) and
//!   the started server, [`site::Http`], with its expectations;
//! - [`framing`]: status lines, CRLF and `Content-Length`;
//! - [`files`]: files, types, directories and error statuses;
//! - [`paths`]: no path, encoded or linked, leaves the root;
//! - [`connections`]: keep-alive, pipelining, closing and idle time.

mod connections;
mod files;
mod framing;
mod paths;
mod site;

use super::{Check, Lesson};
use connections::{
    body_discarded, honours_close, idle_close, keep_alive, pipelined, request_in_pieces, stalled_client, trickled_head,
};
use files::{
    bad_requests, binary_file, content_types, directory_index, head_request, head_too_large, method_not_allowed,
    not_found, open_after_404, percent_decoding, query_ignored, text_file, version_not_supported,
};
use framing::{status_line_version, well_formed};
use paths::{absolute_paths, encoded_traversal, plain_traversal, symlink_out};

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
