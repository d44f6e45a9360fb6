//! Lesson 6, the HTTP file server: the solution passes, the skeleton fails,
//! and each broken server is rejected by the check made for its mistake.

use crate::common::*;

#[test]
fn solution_passes_every_check() {
    assert_solution_passes("lesson6");
}

#[test]
fn skeleton_fails_and_says_where_to_start() {
    assert_skeleton_fails("lesson6");
}

const FRAMING: &str = "a response has a status line, CRLF line ends and a `Content-Length` that matches its body";
const STATUS_LINE: &str = "the status line says `HTTP/1.1`";
const TEXT: &str = "a text file is sent byte for byte";
const BINARY: &str = "a binary file (PNG) holding every byte value is sent byte for byte";
const TYPES: &str = "`Content-Type` follows the file's extension";
const HEAD: &str = "`HEAD` gets the same headers as `GET` and no body";
const INDEX: &str = "`/` and a directory serve its `index.html` (`/sub` may redirect to `/sub/`); a directory \
                     without one is `404` or `403`";
const DECODE: &str = "a percent-encoded path is decoded (`%20` is a space)";
const QUERY: &str = "a query string (`?a=1`) is ignored";
const NOT_FOUND: &str = "a missing file is `404 Not Found` with a small body";
const OPEN_AFTER_404: &str = "after a `404` the connection stays open for the next request";
const BAD_REQUEST: &str = "a malformed request is `400 Bad Request`";
const METHOD: &str = "a method other than GET and HEAD is `405` with `Allow: GET, HEAD`, or `501`";
const VERSION: &str = "an HTTP version the server does not speak (`HTTP/2.0`, `HTTP/3.0`) is `505`";
const TOO_LARGE: &str = "a request head over 8 KiB is refused with `431` (or `400`)";
const DOT_DOT: &str = "`..` in the path never reaches a file outside the root";
const ENCODED: &str = "percent-encoded `..` and `/` (`%2e%2e`, `%2f`) never reach a file outside the root";
const ABSOLUTE: &str = "a path that decodes to an absolute path (`//…`, `/%2f…`) never leaves the root";
const SYMLINK: &str = "a symbolic link inside the root that points outside it is never followed";
const KEEP_ALIVE: &str = "two requests on one connection are both answered (keep-alive)";
const BODY: &str = "a request body is read and discarded before the next request";
const PIPELINED: &str = "two requests sent in one write are answered in order";
const CLOSE: &str = "`Connection: close`, and HTTP/1.0, get their answer and then the connection closes";
const IDLE: &str = "a connection left silent is closed after the idle time (`--idle-timeout-ms`)";
const TRICKLE: &str = "a request head trickled in one byte at a time is cut off after the idle time";
const PIECES: &str = "a request that arrives in small pieces is answered";
const STALLED: &str = "a client that sends half a request and stalls does not hold up another client";

/// The checks about where a path may lead.
const PATH_SAFETY: &[&str] = &[DOT_DOT, ENCODED, ABSOLUTE];

/// (fixture, exactly the checks it fails)
const BROKEN: &[(&str, &[&str])] = &[
    // No `Content-Length`, so it closes after every response: what needs a
    // second request on the connection fails too.
    ("l6-no-length", &[FRAMING, OPEN_AFTER_404, KEEP_ALIVE, PIPELINED]),
    ("l6-http10-status", &[STATUS_LINE]),
    ("l6-line-by-line", &[TEXT]),
    ("l6-string-only", &[BINARY]),
    ("l6-plain-type", &[TYPES]),
    ("l6-head-body", &[HEAD]),
    ("l6-no-index", &[INDEX]),
    ("l6-no-decode", &[DECODE]),
    ("l6-keep-query", &[QUERY]),
    // `/empty/` has no index.html, so it is a missing file too.
    ("l6-missing-200", &[NOT_FOUND, INDEX]),
    ("l6-close-on-404", &[OPEN_AFTER_404]),
    ("l6-no-400", &[BAD_REQUEST]),
    ("l6-any-method", &[METHOD]),
    ("l6-any-version", &[VERSION]),
    ("l6-no-limit", &[TOO_LARGE]),
    // `%2e%2e` decodes to `..`, which it joins as it came.
    ("l6-join-raw", &[DOT_DOT, ENCODED]),
    ("l6-check-before-decode", &[ENCODED]),
    ("l6-join-absolute", &[ABSOLUTE]),
    ("l6-follow-links", &[SYMLINK]),
    ("l6-close-always", &[OPEN_AFTER_404, KEEP_ALIVE, PIPELINED]),
    ("l6-keep-body", &[BODY]),
    ("l6-reader-per-request", &[PIPELINED]),
    ("l6-never-close", &[CLOSE]),
    ("l6-no-idle", &[IDLE, TRICKLE]),
    ("l6-per-read-idle", &[TRICKLE]),
    // One read per request loses the second of two sent together, and takes
    // the first byte of a trickled head for a whole (malformed) head.
    ("l6-single-read", &[PIECES, PIPELINED, TRICKLE]),
    ("l6-sequential", &[STALLED]),
];

#[test]
fn each_broken_server_fails_exactly_its_checks() {
    assert_each_check_rejects_exactly("lesson6", BROKEN);
}

/// Servers that differ from the solution where RFC 9110 and 9112 allow it.
#[test]
fn legitimate_variants_pass() {
    assert_variants_pass(
        "lesson6",
        &[
            // 400 to traversal, 501 to other methods, 400 to an oversized
            // head, 301 to a directory without its slash, HTTP/1.2 served as 1.1.
            ("l6v-nginx-like", &[]),
            // 308 with an absolute URL in `Location`.
            ("l6v-redirect-308", &[]),
            // Error bodies end at the close, without `Content-Length`; so a
            // 404 closes the connection, which the lesson asks it not to.
            ("l6v-close-errors", &[OPEN_AFTER_404]),
            // Cuts the path at `%00` and serves the file inside ROOT.
            ("l6v-cut-nul", &[]),
        ],
    );
}

#[test]
fn a_server_without_content_length_is_told_why_it_matters() {
    let run = run_fixture("lesson6", "l6-no-length");
    let failure = run.failure(FRAMING);
    assert!(failure["got"].as_str().unwrap().contains("no `Content-Length` header"), "{failure}");
    assert!(failure["hint"].as_str().unwrap().contains("Content-Length"), "{failure}");
}

#[test]
fn traversal_that_leaks_the_secret_says_so() {
    let run = run_fixture("lesson6", "l6-join-raw");
    let failure = run.failure(DOT_DOT);
    assert!(failure["got"].as_str().unwrap().contains("a file outside ROOT"), "{failure}");
}

/// Refusing everything keeps the secret safe, but earns no path-safety point.
#[test]
fn a_server_that_refuses_everything_earns_no_safety_point() {
    let run = run_fixture("lesson6", "l6-refuse-all");
    for check in PATH_SAFETY.iter().chain([&SYMLINK]) {
        run.assert_fails(check);
        let failure = run.failure(check);
        assert!(failure["hint"].as_str().unwrap().contains("not a file server yet"), "{failure}");
    }
}

#[test]
fn a_body_read_as_the_next_request_is_named() {
    let run = run_fixture("lesson6", "l6-keep-body");
    let failure = run.failure(BODY);
    assert!(failure["hint"].as_str().unwrap().contains("helloGET"), "{failure}");
}

/// Runs the checks against the real server behind `fixture` when `program`
/// is installed (`None` when it is not, with a message saying so). Deadlines
/// are doubled: an interpreter takes its time to start, more so under load.
fn run_real_server(fixture_name: &str, program: &str, version_flag: &str) -> Option<Run> {
    if std::process::Command::new(program).arg(version_flag).output().is_err() {
        eprintln!("{program} is not installed: nothing to run");
        return None;
    }
    Some(run_json(&["lesson6", "--cmd", &fixture(fixture_name)], &[("SOCKETLINGS_SLOW", "2")]))
}

/// Python's `http.server` (HTTP/1.1), when python3 is installed: it never
/// serves a file outside its directory, but follows symbolic links, reads
/// a request body as the next request, and keeps a silent or slow client
/// for ever.
#[test]
fn python_http_server_is_judged_fairly() {
    // The interpreter itself, without `site`: see `python`.
    let Some(python) = python() else { return };
    let cmd = fixture("l6-python-http-server");
    let run = run_json(&["lesson6", "--cmd", &cmd], &[("SOCKETLINGS_SLOW", "2"), ("FIXTURE_PYTHON", &python)]);
    for check in PATH_SAFETY {
        run.assert_passes(check);
    }
    for check in [BODY, IDLE, TRICKLE, SYMLINK] {
        run.assert_fails(check);
    }
    let failure = run.failure(BODY);
    assert!(failure["got"].as_str().unwrap().contains("helloGET"), "{failure}");
}

/// nginx and lighttpd, when installed: they refuse every path out of the
/// root (nginx with `400`), but follow a symbolic link out of it.
#[test]
fn nginx_and_lighttpd_never_leave_the_root() {
    for (fixture_name, program) in [("l6-nginx", "nginx"), ("l6-lighttpd", "lighttpd")] {
        let Some(run) = run_real_server(fixture_name, program, "-v") else { continue };
        for check in PATH_SAFETY {
            run.assert_passes(check);
        }
        for check in [INDEX, VERSION, BODY, PIPELINED] {
            run.assert_passes(check);
        }
        run.assert_fails(SYMLINK);
    }
}

/// The solution answers a real client: curl, when it is installed.
#[test]
fn the_solution_answers_curl() {
    if std::process::Command::new("curl").arg("--version").output().is_err() {
        eprintln!("curl is not installed: nothing to run");
        return;
    }
    let server = built_binary("lesson06-solution", "lesson06-solution");
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("index.html"), "<h1>Hello, socket!</h1>\n").unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = std::process::Command::new(server)
        .args(["server", &addr])
        .arg(site.path())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://{addr}/");
    // curl retries while the server starts; every step is bounded in time.
    let out = std::process::Command::new("curl")
        .args(["-si", "--max-time", "5", "--retry", "20", "--retry-connrefused", "--retry-delay", "0", &url, &url])
        .output();
    let _ = child.kill();
    let _ = child.wait();
    let out = out.unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "curl succeeds: {text}{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(text.matches("HTTP/1.1 200 OK\r\n").count(), 2, "{text}");
    assert_eq!(text.matches("Content-Length: 24\r\n").count(), 2, "{text}");
    assert!(text.ends_with("\r\n\r\n<h1>Hello, socket!</h1>\n"), "{text}");
}
