//! Lesson 8, socket options: the solution passes, the skeleton fails, and
//! each broken program is rejected by the check made for its mistake.

mod common;
use common::*;

#[test]
fn solution_passes_every_check() {
    assert_solution_passes("lesson8");
}

#[test]
fn skeleton_fails_and_says_where_to_start() {
    assert_skeleton_fails("lesson8");
}

/// (fixture, the check that must reject it)
const BROKEN: &[(&str, &str)] = &[
    ("l8-prints-requested", "with port 0, the server prints the address it really got and accepts there"),
    ("l8-wrong-peer", "the peer address printed and sent is the checker's own address"),
    ("l8-no-echo", "each line is echoed back"),
    ("l8-no-reuseport", "two servers on the same fixed port both bind and both serve"),
    ("l8-no-timeout", "an idle client gets `timeout` after about T ms and is closed"),
    ("l8-timer-not-restarted", "a client that talks more often than every T ms is never cut off"),
    ("l8-no-reuse", "a server killed with a connection open starts again on the same port at once"),
];

#[test]
fn each_check_rejects_the_program_broken_for_it() {
    assert_each_check_rejects_its_broken_program("lesson8", BROKEN);
}

#[test]
fn each_option_left_out_fails_exactly_its_check() {
    for (fixture, check) in [
        ("l8-no-reuseport", "two servers on the same fixed port both bind and both serve"),
        ("l8-no-timeout", "an idle client gets `timeout` after about T ms and is closed"),
        ("l8-wrong-peer", "the peer address printed and sent is the checker's own address"),
    ] {
        assert_eq!(run_fixture("lesson8", fixture).failed(), [check], "{fixture}");
    }
}
