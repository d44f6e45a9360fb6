//! Lesson 3, the threaded server: the solution passes, the skeleton fails,
//! and each broken program is rejected by the check made for its mistake.

mod common;
use common::*;

#[test]
fn solution_passes_every_check() {
    assert_solution_passes("lesson3");
}

#[test]
fn skeleton_fails_and_says_where_to_start() {
    assert_skeleton_fails("lesson3");
}

/// (fixture, the check that must reject it)
const BROKEN: &[(&str, &str)] = &[
    ("l3-no-welcome", "the server sends `Welcome!` to a new client"),
    ("l3-no-comma", "the server answers a name with `Hello, <name>!`"),
    ("l3-keeps-cr", "a `\\r\\n` line end is read as the end of the line"),
    ("l3-exit-ends-server", "`exit` closes that connection only"),
    ("l3-sequential", "a second client is served while the first stays connected and silent"),
    ("l3-shared-name", "50 clients connected at once each get exactly their own answers"),
    ("l3-per-read", "a line that arrives in two pieces gets one answer"),
    ("l3-per-read", "two lines that arrive in one piece get two answers"),
    ("l3-ascii-only", "non-ASCII names round-trip (张伟, Zoë)"),
    ("l3-exit-on-error", "a client that leaves without `exit`, or resets, disturbs no one"),
    ("l3-client-no-welcome", "the client prints the welcome and each answer in order"),
    ("l3-client-no-exit", "the client sends `exit` at the end and exits 0"),
];

#[test]
fn each_check_rejects_the_program_broken_for_it() {
    assert_each_check_rejects_its_broken_program("lesson3", BROKEN);
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
    if std::process::Command::new("python3").arg("--version").output().is_err() {
        eprintln!("python3 is not installed: nothing to run");
        return;
    }
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/src/examples/lesson03.py");
    let run = run_json(&["lesson3", "--cmd", &format!("python3 {example}")], &[]);
    assert_eq!(run.code, 0, "failed: {:?}\n{}", run.failed(), run.stdout);
    let run = run_json(&["lesson3", "--cmd", &format!("python3 {example}")], &[("ONE_AT_A_TIME", "1")]);
    run.assert_fails("a second client is served while the first stays connected and silent");
}
