//! Lesson 5, UDP broadcast: the solution passes, the skeleton fails, and
//! each broken program is rejected by the check made for its mistake. Every
//! run picks its ports from the system, so runs in parallel do not share one.

mod common;
use common::*;

#[test]
fn solution_passes_every_check() {
    assert_solution_passes("lesson5");
}

#[test]
fn skeleton_fails_and_says_where_to_start() {
    assert_skeleton_fails("lesson5");
}

/// (fixture, the check that must reject it)
const BROKEN: &[(&str, &str)] = &[
    ("l5-no-broadcast", "the sender's broadcast reaches a receiver (SO_BROADCAST is set)"),
    ("l5-no-broadcast", "two receivers on the same port both get every datagram of the sender"),
    ("l5-fixed-count", "the sender honours --count and --interval-ms"),
    ("l5-no-interval", "the sender honours --count and --interval-ms"),
    ("l5-buffered", "the receiver prints a broadcast as soon as it arrives"),
    ("l5-no-source", "the receiver prints the sender's real address and port"),
    ("l5-no-reuse", "two receivers on the same port both start and both print each broadcast"),
];

#[test]
fn each_check_rejects_the_program_broken_for_it() {
    assert_each_check_rejects_its_broken_program("lesson5", BROKEN);
}

#[test]
fn a_sender_without_so_broadcast_is_told_the_option() {
    let run = run_fixture("lesson5", "l5-no-broadcast");
    let failure = run.failure("the sender's broadcast reaches a receiver (SO_BROADCAST is set)");
    assert!(failure["hint"].as_str().unwrap().contains("SO_BROADCAST"), "{failure}");
    assert!(failure.to_string().contains("Permission denied"), "its stderr is shown: {failure}");
}

#[test]
fn a_receiver_without_reuse_is_told_the_option() {
    let run = run_fixture("lesson5", "l5-no-reuse");
    assert_eq!(run.failed(), ["two receivers on the same port both start and both print each broadcast"]);
    let failure = run.failure("two receivers on the same port both start and both print each broadcast");
    assert!(failure["hint"].as_str().unwrap().contains("SO_REUSEADDR"), "{failure}");
}
