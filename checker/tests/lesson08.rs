//! Lesson 8, socket options: the solution passes, the skeleton fails, and
//! each broken program is rejected by the check made for its mistake.

use crate::common::*;

#[test]
fn solution_passes_every_check() {
    assert_solution_passes("lesson8");
}

#[test]
fn skeleton_fails_and_says_where_to_start() {
    assert_skeleton_fails("lesson8");
}

const REAL_ADDRESS: &str = "with port 0, the server prints the address it really got and accepts there";
const PEER: &str = "the peer address printed and sent is the checker's own address";
const ECHO: &str = "each line is echoed back";
const TWO: &str = "two servers on the same fixed port both bind and both serve";
const IDLE: &str = "an idle client gets `timeout` after about T ms and is closed";
const BUSY: &str = "a client that talks more often than every T ms is never cut off";
const RESTART: &str = "a server killed with a connection open starts again on the same port at once";

/// (fixture, every check it fails)
const BROKEN: &[(&str, &[&str])] = &[
    // Prints port 0: every check that connects to the printed address fails.
    ("l8-prints-requested", &[REAL_ADDRESS, PEER, ECHO, IDLE, BUSY]),
    ("l8-wrong-peer", &[PEER]),
    // Echoes nothing: the busy client's lines are not echoed either.
    ("l8-no-echo", &[ECHO, BUSY]),
    ("l8-no-reuseport", &[TWO]),
    ("l8-no-timeout", &[IDLE]),
    ("l8-timer-not-restarted", &[BUSY]),
    // Neither SO_REUSEADDR nor (so) SO_REUSEPORT.
    ("l8-no-reuse", &[TWO, RESTART]),
];

#[test]
fn each_check_rejects_exactly_its_broken_programs() {
    assert_each_check_rejects_exactly("lesson8", BROKEN);
}
