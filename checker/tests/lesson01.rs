//! Lesson 1, basic TCP: the solution passes, the skeleton fails, and each
//! broken program is rejected by the check made for its mistake.

mod common;
use common::*;

#[test]
fn solution_passes_every_check() {
    assert_solution_passes("lesson1");
}

#[test]
fn skeleton_fails_and_says_where_to_start() {
    assert_skeleton_fails("lesson1");
}

/// (fixture, the check that must reject it)
const BROKEN: &[(&str, &str)] = &[
    ("never-bind", "the server accepts a connection"),
    ("l1-no-uppercase", "the server answers `hello` with `HELLO`"),
    ("l1-unicode-uppercase", "the server upper-cases ASCII letters only (digits, punctuation, é, ß, ü unchanged)"),
    ("l1-close-before-reply", "the server answers `hello` with `HELLO`"),
    ("l1-never-close", "the server closes the connection after replying"),
    ("l1-no-exit", "the server exits with status 0 after its one client"),
    ("l1-exit-1", "the server exits with status 0 after its one client"),
    ("l1-client-newline", "the client sends exactly MESSAGE"),
    ("l1-client-prints-message", "the client prints exactly the reply and exits with status 0"),
    ("l1-client-one-read", "the client prints the whole reply when it arrives in two parts"),
    ("l1-client-panics", "the client reports a refused connection without panicking"),
    ("l1-client-silent-failure", "the client reports a refused connection without panicking"),
];

#[test]
fn each_check_rejects_the_program_broken_for_it() {
    assert_each_check_rejects_its_broken_program("lesson1", BROKEN);
}

#[test]
fn a_broken_server_fails_only_where_it_is_broken() {
    // One mistake, one failed check: the rest of the report stays green.
    let run = run_fixture("lesson1", "l1-unicode-uppercase");
    assert_eq!(run.failed(), ["the server upper-cases ASCII letters only (digits, punctuation, é, ß, ü unchanged)"]);
    let run = run_fixture("lesson1", "l1-client-one-read");
    assert_eq!(run.failed(), ["the client prints the whole reply when it arrives in two parts"]);
}

#[test]
fn a_wrong_answer_is_shown_with_a_caret() {
    let run = run_fixture("lesson1", "l1-no-uppercase");
    let failure = run.failure("the server answers `hello` with `HELLO`");
    let difference = failure["difference"].as_array().expect("a difference is shown");
    assert_eq!(difference[0], "\"HELLO\"");
    assert_eq!(difference[1], "\"hello\"");
    assert!(difference[2].as_str().unwrap().starts_with(" ^ first difference, at byte 0"), "{difference:?}");
    let transcript = failure["transcript"].to_string();
    assert!(transcript.contains("\\\"hello\\\""), "the transcript shows the bytes sent: {transcript}");
}

#[cfg(unix)]
#[test]
fn python_programs_can_be_checked_with_cmd() {
    // Python is not needed for the course; when it is here, the example from
    // the docs proves that a program in another language can be checked.
    if std::process::Command::new("python3").arg("--version").output().is_err() {
        eprintln!("python3 is not installed: nothing to run");
        return;
    }
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/src/examples/lesson01.py");
    let run = run_json(&["lesson1", "--cmd", &format!("python3 {example}")], &[]);
    assert_eq!(run.code, 0, "failed: {:?}\n{}", run.failed(), run.stdout);
}
