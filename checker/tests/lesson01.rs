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
fn each_broken_program_is_rejected_by_its_check() {
    for (fixture, check) in BROKEN {
        let run = run_fixture("lesson1", fixture);
        run.assert_fails(check);
        // The mistake is one: the first check (the server accepts) still passes.
        run.assert_passes("the server accepts a connection");
    }
}

#[test]
fn every_check_is_proven_both_ways() {
    let lesson_checks: Vec<String> = run_json(&["lesson1", "--solution"], &[]).passed();
    for check in &lesson_checks {
        assert!(
            BROKEN.iter().any(|(_, c)| c == check) || check == "the server accepts a connection",
            "no broken program is rejected by `{check}`"
        );
    }
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

#[test]
fn a_server_that_never_accepts_fails_the_first_check() {
    let run = run_json(&["lesson1", "--cmd", &fixture("never-bind")], &[("SOCKETLINGS_SLOW", "0.2")]);
    run.assert_fails("the server accepts a connection");
    let failure = run.failure("the server accepts a connection");
    assert!(failure["hint"].as_str().unwrap().contains("bind"), "{failure}");
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
