//! Lesson 5, UDP broadcast: the solution passes, the skeleton fails, and
//! each broken program is rejected by the check made for its mistake. Every
//! run picks its ports from the system, so runs in parallel do not share one.

use crate::common::*;

#[test]
fn solution_passes_every_check() {
    assert_solution_passes("lesson5");
}

#[test]
fn skeleton_fails_and_says_where_to_start() {
    assert_skeleton_fails("lesson5");
}

const REACHES: &str = "the sender's broadcast reaches a receiver (SO_BROADCAST is set)";
const REACHES_TWO: &str = "two receivers on the same port both get every datagram of the sender";
const COUNT: &str = "the sender honours --count and --interval-ms";
const PRINTS: &str = "the receiver prints a broadcast as soon as it arrives";
const SOURCE: &str = "the receiver prints the sender's real address and port";
const TWO_RECEIVERS: &str = "two receivers on the same port both start and both print each broadcast";

/// (fixture, every check it fails)
const BROKEN: &[(&str, &[&str])] = &[
    // Without SO_BROADCAST the sender cannot send at all.
    ("l5-no-broadcast", &[REACHES, REACHES_TWO, COUNT]),
    ("l5-fixed-count", &[COUNT]),
    ("l5-no-interval", &[COUNT]),
    // Prints nothing while it runs: no receiver check sees a line.
    ("l5-buffered", &[PRINTS, SOURCE, TWO_RECEIVERS]),
    // Prints a start-up line before the datagrams.
    ("l5-banner", &[PRINTS]),
    // The message without its source: both checks that read the source.
    ("l5-no-source", &[SOURCE, TWO_RECEIVERS]),
    ("l5-no-reuse", &[TWO_RECEIVERS]),
];

#[test]
fn each_check_rejects_exactly_its_broken_programs() {
    assert_each_check_rejects_exactly("lesson5", BROKEN);
}

#[test]
fn a_banner_is_not_a_broadcast() {
    let run = run_fixture("lesson5", "l5-banner");
    let failure = run.failure(PRINTS);
    assert!(failure["got"].as_str().unwrap().contains("receiver ready on port"), "{failure}");
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
