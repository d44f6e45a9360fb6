//! Lesson 6, the HTTP file server: the solution passes, the skeleton fails,
//! and each broken server is rejected by the check made for its mistake.

mod common;
use common::*;

#[test]
fn solution_passes_every_check() {
    assert_solution_passes("lesson6");
}

#[test]
fn skeleton_fails_and_says_where_to_start() {
    assert_skeleton_fails("lesson6");
}

/// (fixture, the check that must reject it)
const BROKEN: &[(&str, &str)] = &[
    ("l6-no-length", "a response has a status line, CRLF line ends and a `Content-Length` that matches its body"),
    ("l6-trim-text", "a text file is sent byte for byte"),
    ("l6-string-only", "a binary file (PNG) holding every byte value is sent byte for byte"),
    ("l6-plain-type", "`Content-Type` follows the file's extension"),
    ("l6-head-body", "`HEAD` gets the same headers as `GET` and no body"),
    ("l6-no-index", "`/` and a directory serve its `index.html`; a directory without one is 404"),
    ("l6-no-decode", "a percent-encoded path is decoded (`%20` is a space)"),
    ("l6-keep-query", "a query string (`?a=1`) is ignored"),
    ("l6-missing-200", "a missing file is `404 Not Found` with a small body and its `Content-Length`"),
    ("l6-no-400", "a malformed request is `400 Bad Request`"),
    ("l6-any-method", "a method other than GET and HEAD is `405` with `Allow: GET, HEAD`"),
    ("l6-any-version", "an HTTP version other than 1.0 and 1.1 is `505`"),
    ("l6-no-limit", "a request head over 8 KiB is `431`"),
    ("l6-join-raw", "`..` in the path never reaches a file outside the root"),
    ("l6-check-before-decode", "percent-encoded `..` and `/` (`%2e%2e`, `%2f`) never reach a file outside the root"),
    ("l6-join-absolute", "a path that decodes to an absolute path (`//…`, `/%2f…`) never leaves the root"),
    ("l6-close-always", "two requests on one connection are both answered (keep-alive)"),
    ("l6-reader-per-request", "two requests sent in one write are answered in order"),
    ("l6-never-close", "`Connection: close`, and HTTP/1.0, get their answer and then the connection closes"),
    ("l6-single-read", "a request that arrives in small pieces is answered"),
    ("l6-sequential", "a client that sends half a request and stalls does not hold up another client"),
];

#[test]
fn each_check_rejects_the_program_broken_for_it() {
    assert_each_check_rejects_its_broken_program("lesson6", BROKEN);
}

#[test]
fn a_server_without_content_length_is_told_why_it_matters() {
    let run = run_fixture("lesson6", "l6-no-length");
    let failure =
        run.failure("a response has a status line, CRLF line ends and a `Content-Length` that matches its body");
    assert!(failure["got"].as_str().unwrap().contains("no `Content-Length` header"), "{failure}");
    assert!(failure["hint"].as_str().unwrap().contains("Content-Length"), "{failure}");
}

#[test]
fn traversal_that_leaks_the_secret_says_so() {
    let run = run_fixture("lesson6", "l6-join-raw");
    let failure = run.failure("`..` in the path never reaches a file outside the root");
    assert!(failure["got"].as_str().unwrap().contains("a file outside ROOT"), "{failure}");
}

#[test]
fn a_server_that_closes_after_every_request_fails_only_the_keep_alive_checks() {
    let run = run_fixture("lesson6", "l6-close-always");
    assert_eq!(
        run.failed(),
        [
            "two requests on one connection are both answered (keep-alive)",
            "two requests sent in one write are answered in order"
        ]
    );
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
