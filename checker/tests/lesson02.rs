//! Lesson 2, the looping server: the solution passes, the skeleton fails,
//! and each broken program is rejected by the check made for its mistake.

mod common;
use common::*;

#[test]
fn solution_passes_every_check() {
    assert_solution_passes("lesson2");
}

#[test]
fn skeleton_fails_and_says_where_to_start() {
    assert_skeleton_fails("lesson2");
}

/// (fixture, the check that must reject it)
const BROKEN: &[(&str, &str)] = &[
    ("l2-read-to-end", "one message is echoed exactly"),
    ("l2-echo-first-only", "five messages on one connection are each echoed before the next is sent"),
    ("l2-exit-after-first", "three clients one after another are all served by the same process"),
    ("l2-panic-on-silent-client", "a client that connects and closes without sending does not stop the server"),
    ("l2-crash-on-reset", "a client that resets the connection does not stop the server"),
    ("l2-read-to-end", "a 1 MiB payload is echoed complete and in order while the checker is still sending"),
    ("l2-never-close", "after the client half-closes, the server sends back everything and then closes"),
    ("l2-client-no-final-newline", "the client sends each stdin line and prints each answer in order"),
    ("l2-client-prints-input", "the client sends each stdin line and prints each answer in order"),
    ("l2-client-ignores-empty-line", "the client stops at an empty line, closes the connection and exits 0"),
    ("l2-client-waits-for-server", "the client exits 0 without hanging when stdin is empty"),
];

#[test]
fn each_check_rejects_the_program_broken_for_it() {
    assert_each_check_rejects_its_broken_program("lesson2", BROKEN);
}

#[test]
fn a_server_that_crashes_on_reset_fails_only_that_check() {
    let run = run_fixture("lesson2", "l2-crash-on-reset");
    assert_eq!(run.failed(), ["a client that resets the connection does not stop the server"]);
    let failure = run.failure("a client that resets the connection does not stop the server");
    assert!(failure["got"].as_str().unwrap().contains("exited"), "{failure}");
}

#[test]
fn a_server_that_waits_for_the_end_is_told_why() {
    let run = run_fixture("lesson2", "l2-read-to-end");
    let failure = run.failure("a 1 MiB payload is echoed complete and in order while the checker is still sending");
    assert!(failure["hint"].as_str().unwrap().contains("end of the stream"), "{failure}");
}
