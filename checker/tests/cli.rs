//! The command line itself: lesson names, usage errors, formats, exit status.

use crate::common::*;
use predicates::prelude::*;

#[test]
fn every_spelling_of_a_lesson_is_accepted() {
    for name in ["lesson1", "lesson01", "1", "basic-tcp"] {
        let run = run_json(&[name, "--solution"], &[]);
        assert_eq!(run.code, 0, "{name}");
        assert_eq!(run.json["lessons"][0]["lesson"], "lesson01");
    }
}

#[test]
fn an_unknown_lesson_is_a_usage_error_listing_the_lessons() {
    checker().arg("lesson99").assert().code(2).stderr(
        predicate::str::contains("there is no lesson `lesson99`").and(predicate::str::contains("lesson1  basic TCP")),
    );
}

#[test]
fn an_unknown_flag_is_a_usage_error() {
    checker().args(["lesson1", "--bogus"]).assert().code(2);
}

#[test]
fn cmd_and_solution_do_not_go_together() {
    checker().args(["lesson1", "--solution", "--cmd", "x"]).assert().code(2);
}

#[test]
fn a_command_that_cannot_start_exits_with_status_2() {
    let run = run_json(&["lesson1", "--cmd", "/nonexistent/program"], &[]);
    assert_eq!(run.code, 2);
    assert_eq!(run.json["lessons"][0]["status"], "cannot_run");
}

#[test]
fn a_crate_that_does_not_compile_shows_the_compiler_errors_and_exits_2() {
    // A scratch copy of the workspace with lesson 1 broken.
    let scratch = tempfile::tempdir().unwrap();
    copy_tree(pristine_course(), scratch.path(), &["target", ".git"]);
    let server = scratch.path().join("exercises/lesson01-basic-tcp/src/server.rs");
    let code = std::fs::read_to_string(&server).unwrap();
    std::fs::write(
        &server,
        code.replace("fn listen(addr: &str) -> io::Result<TcpListener>", "fn listen(addr: &str) -> io::Result<Nope>"),
    )
    .unwrap();
    let out = checker().args(["lesson1", "--root"]).arg(scratch.path()).env("NO_COLOR", "1").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("does not compile"), "{stdout}");
    assert!(stdout.contains("error[E0425]"), "the compiler's own message: {stdout}");
    assert!(!stdout.contains("\"reason\""), "no cargo JSON: {stdout}");
}

#[test]
fn json_is_the_only_thing_on_stdout() {
    let run = run_json(&["lesson1", "--solution"], &[]);
    let lesson = &run.json["lessons"][0];
    assert_eq!(lesson["status"], "checked");
    assert_eq!(lesson["score"], lesson["max_score"]);
    for check in lesson["checks"].as_array().unwrap() {
        for key in ["name", "passed", "points", "max_points", "message", "duration_ms"] {
            assert!(!check[key].is_null(), "{key} in {check}");
        }
    }
}

#[test]
fn human_output_without_a_terminal_has_no_colour() {
    checker().args(["lesson1", "--solution"]).assert().code(0).stdout(
        predicate::str::contains("✓ the server accepts a connection").and(predicate::str::contains("\u{1b}[").not()),
    );
}

#[test]
fn the_overview_lists_every_lesson() {
    // Every lesson at once, beside the other tests: the deadlines get room,
    // since this test is about the list, not about timing.
    checker()
        .arg("--solution")
        .env("SOCKETLINGS_SLOW", "3")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("basic TCP").and(predicate::str::contains("passed")));
    checker().arg("list").assert().stdout(predicate::str::contains("basic TCP"));
}
