//! Lesson 1, basic TCP: the solution passes, the skeleton fails, and each
//! broken program is rejected by the check made for its mistake.

use crate::common::*;

#[test]
fn solution_passes_every_check() {
    assert_solution_passes("lesson1");
}

#[test]
fn skeleton_fails_and_says_where_to_start() {
    assert_skeleton_fails("lesson1");
}

const ACCEPTS: &str = "the server accepts a connection";
const HELLO: &str = "the server answers `hello` with `HELLO`";
const ASCII: &str =
    "the server upper-cases ASCII letters only (spaces, `\\r\\n`, digits, punctuation, é, ß, ü unchanged)";
const CLOSES: &str = "the server closes the connection after replying";
const EXITS: &str = "the server exits with status 0 after its one client";
const SERVER: &[&str] = &[ACCEPTS, HELLO, ASCII, CLOSES, EXITS];

/// (fixture, every check it may fail). A server that never answers cannot
/// pass the checks that need an answer: those fixtures declare them all.
const BROKEN: &[(&str, &[&str])] = &[
    ("l1-never-accept", SERVER),
    ("l1-no-uppercase", &[HELLO, ASCII]),
    ("l1-unicode-uppercase", &[ASCII]),
    ("l1-strip", &[ASCII]),
    ("l1-whole-buffer", &[HELLO, ASCII]),
    ("l1-close-before-reply", &[HELLO, ASCII]),
    ("l1-never-close", &[CLOSES, EXITS]),
    ("l1-no-exit", &[EXITS]),
    ("l1-exit-1", &[EXITS]),
    ("l1-client-newline", &["the client sends exactly MESSAGE"]),
    (
        "l1-client-prints-message",
        &[
            "the client prints exactly the reply and exits with status 0",
            "the client prints the whole reply when it arrives in two parts",
        ],
    ),
    ("l1-client-one-read", &["the client prints the whole reply when it arrives in two parts"]),
    ("l1-client-panics", &["the client reports a refused connection without panicking"]),
    ("l1-client-silent-failure", &["the client reports a refused connection without panicking"]),
];

#[test]
fn each_check_rejects_exactly_the_programs_broken_for_it() {
    assert_each_check_rejects_exactly("lesson1", BROKEN);
}

#[test]
fn legitimate_variants_pass() {
    // The reply in two writes, 30 ms apart: TCP carries bytes, not writes.
    assert_variants_pass("lesson1", &[("l1-two-writes", &[])]);
}

#[test]
fn a_whole_buffer_is_shown_after_the_reply() {
    let run = run_fixture("lesson1", "l1-whole-buffer");
    let failure = run.failure(HELLO);
    let difference = failure["difference"].as_array().expect("a difference is shown");
    assert!(difference[2].as_str().unwrap().contains("at byte 5"), "{difference:?}");
    assert!(failure["got"].as_str().unwrap().contains("\\x00"), "{failure}");
    assert!(failure["meaning"].as_str().unwrap().contains("1019 more bytes"), "{failure}");
}

#[test]
fn a_server_that_never_accepts_is_told_about_the_listen_queue() {
    let run = run_fixture("lesson1", "l1-never-accept");
    let failure = run.failure(ACCEPTS);
    if cfg!(target_os = "linux") {
        assert!(failure["got"].as_str().unwrap().contains("listen queue"), "{failure}");
    }
}

#[test]
fn a_broken_server_fails_only_where_it_is_broken() {
    // One mistake, one failed check: the rest of the report stays green.
    let run = run_fixture("lesson1", "l1-unicode-uppercase");
    assert_eq!(run.failed(), [ASCII]);
    let run = run_fixture("lesson1", "l1-client-one-read");
    assert_eq!(run.failed(), ["the client prints the whole reply when it arrives in two parts"]);
}

#[test]
fn a_wrong_answer_is_shown_with_a_caret() {
    let run = run_fixture("lesson1", "l1-no-uppercase");
    let failure = run.failure("the server answers `hello` with `HELLO`");
    let difference = failure["difference"].as_array().expect("a difference is shown");
    assert_eq!(difference[0], "\"HELLO\"");
    assert_eq!(difference[1], "\"hello\"");
    assert!(difference[2].as_str().unwrap().starts_with(" ^ first difference, at byte 0"), "{difference:?}");
    let transcript = failure["transcript"].to_string();
    assert!(transcript.contains("\\\"hello\\\""), "the transcript shows the bytes sent: {transcript}");
}

#[cfg(unix)]
#[test]
fn python_programs_can_be_checked_with_cmd() {
    // Python is not needed for the course; when it is here, the example from
    // the docs proves that a program in another language can be checked.
    let Some(example) = python_example("lesson01.py") else { return };
    let run = passing_run("lesson1", &example);
    assert_eq!(run.code, 0, "failed: {:?}\n{}", run.failed(), run.stdout);
}
