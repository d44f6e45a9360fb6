//! Lesson 2, the looping server: the solution passes, the skeleton fails,
//! and each broken program is rejected by the check made for its mistake.

use crate::common::*;

#[test]
fn solution_passes_every_check() {
    assert_solution_passes("lesson2");
}

#[test]
fn skeleton_fails_and_says_where_to_start() {
    assert_skeleton_fails("lesson2");
}

const ONE: &str = "one message is echoed exactly";
const FIVE: &str = "five messages on one connection are each echoed before the next is sent";
const THREE: &str = "three clients one after another are all served by the same process";
const SILENT: &str = "a client that connects and closes without sending does not stop the server";
const RESET: &str = "a client that resets the connection does not stop the server";
const MIB: &str = "a 1 MiB payload is echoed complete and in order while the checker is still sending";
const HALF_CLOSE: &str = "after the client half-closes, the server sends back everything and then closes";
const LINES: &str = "the client sends each stdin line and prints each answer in order";

/// (fixture, every check it may fail)
const BROKEN: &[(&str, &[&str])] = &[
    ("l2-whole-buffer", &[ONE, FIVE, MIB, HALF_CLOSE]),
    ("l2-read-to-end", &[ONE, FIVE, THREE, SILENT, RESET, MIB]),
    ("l2-echo-first-only", &[FIVE, MIB]),
    ("l2-exit-after-first", &[THREE, SILENT, RESET]),
    ("l2-panic-on-silent-client", &[SILENT]),
    ("l2-crash-on-reset", &[RESET]),
    ("l2-never-close", &[HALF_CLOSE]),
    ("l2-client-no-final-newline", &[LINES]),
    ("l2-client-prints-input", &[LINES]),
    ("l2-client-ignores-empty-line", &["the client stops at an empty line, closes the connection and exits 0"]),
    ("l2-client-waits-for-server", &["the client exits 0 without hanging when stdin is empty"]),
];

#[test]
fn each_check_rejects_exactly_the_programs_broken_for_it() {
    assert_each_check_rejects_exactly("lesson2", BROKEN);
}

#[test]
fn legitimate_variants_pass() {
    // Each read echoed in two writes: the echo is the bytes, not the writes.
    assert_variants_pass("lesson2", &[("l2-echo-split", &[])]);
}

#[test]
fn a_whole_buffer_echo_shows_the_extra_bytes() {
    let run = run_fixture("lesson2", "l2-whole-buffer");
    let failure = run.failure(ONE);
    assert!(failure["meaning"].as_str().unwrap().contains("996 more bytes"), "{failure}");
    assert!(failure["hint"].as_str().unwrap().contains("buf[..n]"), "{failure}");
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
