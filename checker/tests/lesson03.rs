//! Lesson 3, the threaded server: the solution passes, the skeleton fails,
//! and each broken program is rejected by the check made for its mistake.

use crate::common::*;

#[test]
fn solution_passes_every_check() {
    assert_solution_passes("lesson3");
}

#[test]
fn skeleton_fails_and_says_where_to_start() {
    assert_skeleton_fails("lesson3");
}

const CR: &str = "a `\\r\\n` line end is read as the end of the line";

const WELCOME: &str = "the server sends `Welcome!` to a new client";

/// Every server check: each starts by reading the welcome line, the sign
/// that a connection is served.
const SERVER: &[&str] = &[
    WELCOME,
    "the server answers a name with `Hello, <name>!`",
    CR,
    "`exit` closes that connection only",
    "a second client is served while the first stays connected and silent",
    "50 clients connected at once each get exactly their own answers",
    "a line that arrives in two pieces gets one answer",
    "two lines that arrive in one piece get two answers",
    "non-ASCII names round-trip (张伟, Zoë)",
    "a client that leaves without `exit`, or resets, disturbs no one",
    LONG,
];

const LONG: &str = "a line longer than 1,000 bytes closes that connection only";

/// (fixture, every check it may fail)
const BROKEN: &[(&str, &[&str])] = &[
    ("l3-no-welcome", SERVER),
    // Every check but the welcome's (the first) reads a greeting.
    ("l3-no-comma", SERVER.split_at(1).1),
    ("l3-keeps-cr", &[CR]),
    ("l3-cr-ends-line", &[CR]),
    ("l3-exit-ends-server", &["`exit` closes that connection only"]),
    // One client at a time: every check with two clients connected fails.
    (
        "l3-sequential",
        &[
            "a second client is served while the first stays connected and silent",
            "`exit` closes that connection only",
            "50 clients connected at once each get exactly their own answers",
            "a client that leaves without `exit`, or resets, disturbs no one",
        ],
    ),
    ("l3-shared-name", &["50 clients connected at once each get exactly their own answers"]),
    (
        "l3-per-read",
        &["a line that arrives in two pieces gets one answer", "two lines that arrive in one piece get two answers"],
    ),
    ("l3-ascii-only", &["non-ASCII names round-trip (张伟, Zoë)"]),
    ("l3-exit-on-error", &["a client that leaves without `exit`, or resets, disturbs no one"]),
    ("l3-no-line-cap", &[LONG]),
    ("l3-client-no-welcome", &["the client prints the welcome and each answer in order"]),
    ("l3-client-no-exit", &["the client sends `exit` at the end and exits 0"]),
];

#[test]
fn each_check_rejects_exactly_the_programs_broken_for_it() {
    assert_each_check_rejects_exactly("lesson3", BROKEN);
}

#[test]
fn a_carriage_return_taken_for_a_line_end_is_told_so() {
    let run = run_fixture("lesson3", "l3-cr-ends-line");
    let failure = run.failure(CR);
    assert!(failure["hint"].as_str().unwrap().contains("Hello, !"), "{failure}");
}

#[test]
fn a_one_at_a_time_server_is_told_to_use_threads() {
    let run = run_fixture("lesson3", "l3-sequential");
    let failure = run.failure("a second client is served while the first stays connected and silent");
    assert!(failure["meaning"].as_str().unwrap().contains("one connection at a time"), "{failure}");
    assert!(failure["hint"].as_str().unwrap().contains("thread::spawn"), "{failure}");
}

#[test]
fn a_server_that_reads_once_per_message_fails_only_the_boundary_checks() {
    let run = run_fixture("lesson3", "l3-per-read");
    assert_eq!(
        run.failed(),
        ["a line that arrives in two pieces gets one answer", "two lines that arrive in one piece get two answers"]
    );
}

#[cfg(unix)]
#[test]
fn a_python_threaded_server_passes_and_its_one_at_a_time_twin_fails() {
    let Some(example) = python_example("lesson03.py") else { return };
    let run = passing_run("lesson3", &example);
    assert_eq!(run.code, 0, "failed: {:?}\n{}", run.failed(), run.stdout);
    let run = run_json(&["lesson3", "--cmd", &example], &[("ONE_AT_A_TIME", "1")]);
    run.assert_fails("a second client is served while the first stays connected and silent");
}
