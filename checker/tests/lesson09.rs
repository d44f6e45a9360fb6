//! Lesson 9, framing: the solution passes, the skeleton fails, each broken
//! program is rejected by exactly the checks made for its mistake, and
//! correct variants pass.

use crate::common::*;

const SET_GET: &str = "a value set with `S` is answered `O`, and `G` gets it back";
const MISSING: &str = "`D` removes a key, and a missing key gets `N` from `G` and `D`";
const BYTE_AT_A_TIME: &str = "a frame written one byte at a time gets one answer";
const TWO_HUNDRED: &str = "200 requests in one write are answered in order";
const EVERY_BYTE: &str = "keys and values holding every byte value (0, `\\n`, 255 …) round-trip";
const EMPTY: &str = "an empty value is stored, and `G` answers `O` alone";
const LARGEST: &str = "the largest value a frame can carry is stored and got back";
const TOO_LARGE: &str = "a frame declaring 2 GiB is answered `E` at once and the connection closed";
const HALF: &str = "half a frame and a close change nothing, and other clients are still served";
const SHARED: &str = "two connections share one store";
const TWENTY: &str = "20 clients setting distinct keys at once all succeed";
const MALFORMED: &str = "a malformed body gets `E` and the next request on the same connection is answered";
const CLIENT_FRAMES: &str = "the client sends each command as the exact frame";
const CLIENT_PRINTS: &str = "the client prints each answer as soon as it arrives, while stdin is still open";
const CLIENT_PIECES: &str = "the client prints answers in order when they arrive split and joined oddly";
const CLIENT_REFUSED: &str = "the client reports a refused connection without panicking";
const CLIENT_CLOSED: &str = "the client reports a server that closes before answering";

const SERVER: &[&str] = &[
    SET_GET,
    MISSING,
    BYTE_AT_A_TIME,
    TWO_HUNDRED,
    EVERY_BYTE,
    EMPTY,
    LARGEST,
    TOO_LARGE,
    HALF,
    SHARED,
    TWENTY,
    MALFORMED,
];

#[test]
fn solution_passes_every_check() {
    assert_solution_passes("lesson9");
}

#[test]
fn skeleton_fails_and_says_where_to_start() {
    assert_skeleton_fails("lesson9");
}

/// (fixture, every check it may fail)
const BROKEN: &[(&str, &[&str])] = &[
    // One read taken as one frame: pieces, sticky frames, a long body and a
    // cut frame all go wrong.
    ("l9-one-read", &[BYTE_AT_A_TIME, TWO_HUNDRED, LARGEST, HALF]),
    // The length little-endian: no frame is understood at all.
    ("l9-little-endian", SERVER),
    // The length read whole, the body with one `read`: a body in pieces is
    // cut, and a read into an empty body waits for data that is not coming.
    ("l9-body-in-one-read", &[BYTE_AT_A_TIME, LARGEST, HALF, MALFORMED]),
    ("l9-alloc-first", &[TOO_LARGE]),
    ("l9-limit-off-by-one", &[LARGEST]),
    ("l9-too-large-silent", &[TOO_LARGE]),
    // Each connection its own store: every check across connections.
    ("l9-store-per-connection", &[HALF, SHARED, TWENTY]),
    ("l9-panics-on-malformed", &[MALFORMED]),
    ("l9-empty-is-missing", &[EMPTY]),
    ("l9-text-keys", &[EVERY_BYTE]),
    ("l9-delete-always-ok", &[MISSING]),
    ("l9-client-trims", &[CLIENT_FRAMES]),
    ("l9-client-buffered", &[CLIENT_PRINTS]),
    ("l9-client-one-read", &[CLIENT_PIECES]),
    ("l9-client-unwraps", &[CLIENT_REFUSED, CLIENT_CLOSED]),
    ("l9-client-quiet-on-close", &[CLIENT_CLOSED]),
];

#[test]
fn each_check_rejects_exactly_the_programs_broken_for_it() {
    assert_each_check_rejects_exactly("lesson9", BROKEN);
}

#[test]
fn legitimate_variants_pass() {
    assert_variants_pass(
        "lesson9",
        &[
            // Answers (and the client's requests) written in several pieces,
            // with pauses between them.
            ("l9-pieces", &[]),
            // A server that reads through a `BufReader`.
            ("l9-buffered", &[]),
            // A client that sends each request as soon as it reads its line
            // and prints the answers from another thread (pipelining).
            ("l9-client-pipelined", &[]),
        ],
    );
}

#[test]
fn a_little_endian_length_is_told_so() {
    let run = run_fixture("lesson9", "l9-little-endian");
    let failure = run.failure(SET_GET);
    assert!(failure["got"].as_str().unwrap().contains("[len 0x10000000 = 268435456]"), "{failure}");
    assert!(failure["hint"].as_str().unwrap().contains("big-endian"), "{failure}");
}

#[test]
fn a_server_that_trusts_the_length_is_shown_only_the_prefix_was_sent() {
    let run = run_fixture("lesson9", "l9-alloc-first");
    let failure = run.failure(TOO_LARGE);
    assert!(failure["did"].as_str().unwrap().contains("[len 0x80000000 = 2147483648], and no body"), "{failure}");
}

#[cfg(unix)]
#[test]
fn the_python_example_passes() {
    let Some(example) = python_example("lesson09.py") else { return };
    let run = passing_run("lesson9", &example);
    assert_eq!(run.code, 0, "failed: {:?}\n{}", run.failed(), run.stdout);
}
