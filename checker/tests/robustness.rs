//! Hostile programs: each fails fast with a clear message, and no process
//! started by the checker outlives it, even when the checker is interrupted.

use crate::common::*;
use std::time::{Duration, Instant};

/// Runs the checker on a hostile fixture, recording the pids of every
/// fixture process in a scratch folder (which the sandbox lets them write:
/// `--allow-write`); returns the run and those pids. The usual deadlines:
/// a fixture that behaves in part (accepts, say) must be seen doing it while
/// the other tests keep the machine busy.
fn run_hostile(lesson: &str, name: &str) -> (Run, Vec<u32>) {
    run_hostile_with(lesson, name, &[])
}

/// [`run_hostile`], with `envs` set for the checker.
fn run_hostile_with(lesson: &str, name: &str, envs: &[(&str, &str)]) -> (Run, Vec<u32>) {
    let pids = tempfile::tempdir().unwrap();
    let dir = pids.path().to_str().unwrap();
    let envs = [envs, &[("FIXTURE_PIDS", dir)]].concat();
    let run = run_json(&[lesson, "--cmd", &fixture(name), "--allow-write", dir], &envs);
    (run, read_pids(pids.path()))
}

#[test]
fn a_program_that_exits_at_once_is_reported_with_its_status_and_stderr() {
    let (run, pids) = run_hostile("lesson1", "exit-at-once");
    run.assert_fails("the server accepts a connection");
    let failure = run.failure("the server accepts a connection");
    assert!(failure["got"].as_str().unwrap().contains("exited with status 3"), "{failure}");
    assert!(failure.to_string().contains("giving up at once"), "its stderr is relayed: {failure}");
    assert_all_gone(&pids);
}

#[test]
fn a_program_that_never_binds_fails_within_the_deadlines() {
    let started = Instant::now();
    let (run, pids) = run_hostile("lesson1", "never-bind");
    assert!(run.passed().is_empty(), "nothing passes: {:?}", run.passed());
    assert_eq!(run.code, 1);
    assert!(started.elapsed() < Duration::from_secs(60));
    assert_all_gone(&pids);
}

#[test]
fn a_program_that_binds_but_never_answers_is_told_nothing_came() {
    let (mut run, mut pids) = run_hostile("lesson1", "bind-no-answer");
    if run.failed().iter().any(|c| c == "the server accepts a connection") {
        // A second look, as the tables take one: the suite may have kept the
        // fixture from its `accept` for the whole deadline.
        assert_all_gone(&pids);
        (run, pids) = run_hostile_with("lesson1", "bind-no-answer", &[("SOCKETLINGS_SLOW", "3")]);
    }
    run.assert_passes("the server accepts a connection");
    let failure = run.failure("the server answers `hello` with `HELLO`");
    assert!(failure["got"].as_str().unwrap().starts_with("nothing within"), "{failure}");
    assert_all_gone(&pids);
}

#[test]
fn a_program_that_answers_but_never_exits_is_stopped() {
    let (run, pids) = run_hostile("lesson1", "answer-then-hang");
    run.assert_passes("the server answers `hello` with `HELLO`");
    run.assert_fails("the server exits with status 0 after its one client");
    assert_all_gone(&pids);
}

#[test]
fn a_program_that_floods_stdout_is_cut_short() {
    let (run, pids) = run_hostile("lesson1", "flood");
    let failure = run.failure("the server accepts a connection");
    let program = &failure["programs"][0];
    assert!(program["stdout"].as_array().unwrap().len() <= 12, "only a tail is shown");
    assert!(program["omitted_bytes"].as_u64().unwrap() > 0, "{program}");
    assert!(run.stdout.len() < 1 << 20, "the report stays small: {} bytes", run.stdout.len());
    assert_all_gone(&pids);
}

#[test]
fn grandchildren_are_killed_with_the_program() {
    let (run, pids) = run_hostile("lesson1", "spawn-child");
    assert_eq!(run.code, 1);
    assert!(pids.len() >= 2, "the fixture and its child both ran: {pids:?}");
    assert_all_gone(&pids);
}

#[cfg(unix)]
#[test]
fn an_interrupted_checker_leaves_no_process_behind() {
    let pids = tempfile::tempdir().unwrap();
    let mut checker = std::process::Command::new(assert_cmd::cargo::cargo_bin("checker"))
        .args(["lesson1", "--cmd", &fixture("spawn-child")])
        .arg("--allow-write")
        .arg(pids.path())
        .env("FIXTURE_PIDS", pids.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while read_pids(pids.path()).len() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = std::process::Command::new("kill").args(["-INT", &checker.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let code = loop {
        if let Some(status) = checker.try_wait().unwrap() {
            break status.code();
        }
        assert!(Instant::now() < deadline, "the checker stops when interrupted");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(code, Some(130));
    assert_all_gone(&read_pids(pids.path()));
}
