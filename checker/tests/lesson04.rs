//! Lesson 4, UDP: the solution passes, the skeleton fails, and each broken
//! program is rejected by the check made for its mistake.

mod common;
use common::*;

#[test]
fn solution_passes_every_check() {
    assert_solution_passes("lesson4");
}

#[test]
fn skeleton_fails_and_says_where_to_start() {
    assert_skeleton_fails("lesson4");
}

/// (fixture, the check that must reject it)
const BROKEN: &[(&str, &str)] = &[
    ("l4-fixed-reply-addr", "a datagram is echoed exactly, to the sender's own address"),
    ("l4-fixed-reply-addr", "two sockets on different ports each get their own answer"),
    ("l4-joins-datagrams", "three datagrams sent back to back come back as three datagrams"),
    ("l4-small-buffer", "an 8000-byte datagram comes back whole"),
    ("l4-exit-on-empty", "an empty datagram is answered, and the server keeps serving"),
    ("l4-client-newline", "the client sends exactly MESSAGE as one datagram"),
    ("l4-client-prints-message", "the client prints the answer and exits 0"),
    ("l4-client-no-resend", "the client sends again after its timeout when no answer comes"),
    ("l4-client-resends-at-once", "the client sends again after its timeout when no answer comes"),
    ("l4-client-never-gives-up", "the client gives up after R+1 tries, about (R+1)·T ms, with a non-zero exit"),
];

#[test]
fn each_check_rejects_the_program_broken_for_it() {
    assert_each_check_rejects_its_broken_program("lesson4", BROKEN);
}

#[test]
fn a_small_buffer_is_explained_as_truncation() {
    let run = run_fixture("lesson4", "l4-small-buffer");
    assert_eq!(run.failed(), ["an 8000-byte datagram comes back whole"]);
    let failure = run.failure("an 8000-byte datagram comes back whole");
    assert!(failure["meaning"].as_str().unwrap().contains("only the first 1024 bytes"), "{failure}");
}
