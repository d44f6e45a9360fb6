//! Lesson 4, UDP: the solution passes, the skeleton fails, each broken
//! program fails exactly the checks declared for it, and legitimate variants
//! (answers out of order, a client slow to start, socat) pass.

use crate::common::*;

#[test]
fn solution_passes_every_check() {
    assert_solution_passes("lesson4");
}

#[test]
fn skeleton_fails_and_says_where_to_start() {
    assert_skeleton_fails("lesson4");
}

const ECHO: &str = "a datagram is echoed exactly, to the sender's own address";
const TWO: &str = "two sockets on different ports each get their own answer";
const THREE: &str = "three datagrams sent back to back come back as three datagrams";
const LARGE: &str = "an 8000-byte datagram comes back whole";
const EMPTY: &str = "an empty datagram is answered, and the server keeps serving";
const SENDS: &str = "the client sends exactly MESSAGE as one datagram";
const PRINTS: &str = "the client prints the answer and exits 0";
const RESENDS: &str = "the client sends again after its timeout when no answer comes";
const GIVES_UP: &str = "the client gives up after R+1 tries, about (R+1)·T ms, with a non-zero exit";

const SERVER_CHECKS: &[&str] = &[ECHO, TWO, THREE, LARGE, EMPTY];
const CLIENT_CHECKS: &[&str] = &[SENDS, PRINTS, RESENDS, GIVES_UP];

/// (fixture, every check it fails)
const BROKEN: &[(&str, &[&str])] = &[
    // Answers every datagram to the first sender it saw (the checker's probe).
    ("l4-fixed-reply-addr", SERVER_CHECKS),
    // Joins what arrives within 30 ms: socket A and B's datagrams too.
    ("l4-joins-datagrams", &[THREE]),
    ("l4-small-buffer", &[LARGE]),
    ("l4-exit-on-empty", &[EMPTY]),
    ("l4-client-newline", &[SENDS]),
    // Prints its own message instead of the answer (in both answered checks).
    ("l4-client-prints-message", &[PRINTS, RESENDS]),
    // Never resends: one try only, so it also gives up after 1 datagram.
    ("l4-client-no-resend", &[RESENDS, GIVES_UP]),
    // Resends every 5 ms: too many tries as well.
    ("l4-client-resends-at-once", &[RESENDS, GIVES_UP]),
    ("l4-client-never-gives-up", &[GIVES_UP]),
];

#[test]
fn each_check_rejects_exactly_its_broken_programs() {
    assert_each_check_rejects_exactly("lesson4", BROKEN);
}

#[test]
fn legitimate_variants_pass() {
    assert_variants_pass(
        "lesson4",
        &[
            // Answers datagrams that arrive together in reverse order: UDP promises no order.
            ("l4-out-of-order", &[]),
            // Waits its whole timeout before its first send, like an interpreter on a busy machine.
            ("l4-client-slow-start", &[]),
        ],
    );
}

#[test]
fn a_small_buffer_is_explained_as_truncation() {
    let run = run_fixture("lesson4", "l4-small-buffer");
    assert_eq!(run.failed(), [LARGE]);
    let failure = run.failure(LARGE);
    assert!(failure["meaning"].as_str().unwrap().contains("only the first 1024 bytes"), "{failure}");
}

#[test]
fn a_client_that_exits_at_once_fails_at_once_with_its_status() {
    let run = run_fixture("lesson4", "exit-at-once");
    for check in CLIENT_CHECKS {
        let failure = run.failure(check);
        assert!(failure["got"].as_str().unwrap().contains("exited with status 3"), "{failure}");
        assert_eq!(failure["programs"][0]["status"], "exited with status 3", "{failure}");
    }
}

/// `socat UDP-RECVFROM:PORT,fork EXEC:cat` answers each datagram from a
/// process of its own, so answers may come back in any order (a fork and an
/// exec per datagram: the deadlines are tripled, for a busy machine): it passes
/// every server check, in every run, except the empty datagram (socat
/// reads a 0-byte datagram as the end of its input and answers nothing).
#[test]
fn socat_as_a_forking_echo_server_passes_the_server_checks() {
    if std::process::Command::new("socat").arg("-V").output().is_err() {
        println!("skipped: socat is not installed");
        return;
    }
    // Four runs here (a busy suite); `for i in $(seq 20); do checker lesson4
    // --cmd "fixture l4-socat"; done` passed 20 out of 20 when measured.
    let runs =
        in_parallel(&[(); 4], |()| run_json(&["lesson4", "--cmd", &fixture("l4-socat")], &[("SOCKETLINGS_SLOW", "3")]));
    for run in runs {
        let wrongly: Vec<String> = run.failed().into_iter().filter(|c| c != EMPTY).collect();
        assert!(wrongly.is_empty(), "socat must pass {wrongly:?}\n{}", run.stdout);
    }
}

#[test]
fn a_server_that_binds_its_own_address_is_told_to_bind_the_one_given() {
    // The fixture binds this address, which the test holds: "address in use" on every port.
    let held = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let fixed = held.local_addr().unwrap().to_string();
    let run = run_json(
        &["lesson4", "--cmd", &fixture("l4-fixed-address")],
        &[("FIXTURE_FIXED_ADDR", &fixed), ("SOCKETLINGS_SLOW", "0.5")],
    );
    let failure = run.failure(ECHO);
    assert!(failure["hint"].as_str().unwrap().contains("Bind the ADDR you are given"), "{failure}");
    assert!(failure["meaning"].as_str().unwrap().contains("each of the 3 free ports"), "{failure}");
    assert!(!failure.to_string().contains("TIME_WAIT"), "{failure}");
}

/// A program that never answers is waited for once per role: the later
/// checks that start the same role are not run, and say why at once.
#[test]
fn a_role_that_never_becomes_ready_is_waited_for_once() {
    let run = run_fixture("lesson4", "never-bind");
    assert!(run.passed().is_empty(), "{:?}", run.passed());
    for (first, rest) in [(ECHO, &SERVER_CHECKS[1..]), (SENDS, &CLIENT_CHECKS[1..])] {
        assert!(run.failure(first).get("stopped_by").is_none(), "{}", run.failure(first));
        for check in rest {
            let failure = run.failure(check);
            assert_eq!(failure["stopped_by"], *first, "{failure}");
            assert!(failure["got"].as_str().unwrap().starts_with("not run: the "), "{failure}");
        }
    }
    // The human report gives the cause once and lists the checks it stopped.
    let out = checker()
        .args(["lesson4", "--cmd", &fixture("never-bind")])
        .env("NO_COLOR", "1")
        .env("SOCKETLINGS_SLOW", "0.5")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("for this cause, 4 later checks that start it the same way were not run"), "{text}");
    assert!(text.contains("for this cause, 3 later checks that start it the same way were not run"), "{text}");
    assert_eq!(text.matches("not run: the same cause (see above)").count(), 7, "{text}");
    assert_eq!(text.matches("     hint ").count(), 2, "one full failure per role:\n{text}");
}
