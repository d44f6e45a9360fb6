//! What the report says beside pass and fail: the compiler's warnings,
//! hints chosen from what was seen, "Start here", the advice under
//! `--cmd`, and `hint` answering from the last run.

use crate::common::*;
use std::path::Path;

/// The human report of lesson 1 for `fixture NAME`, without colour.
fn report_of(name: &str) -> String {
    let cmd = format!("{} {name}", fixture_path().display());
    let out = checker().args(["lesson1", "--cmd", &cmd]).env("NO_COLOR", "1").output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The hint line under the check whose name starts with `check`.
fn hint_under(report: &str, check: &str) -> String {
    let block = report.split(" ✗ ").find(|b| b.starts_with(check)).unwrap_or_else(|| panic!("no {check}:\n{report}"));
    let line = block.lines().find(|l| l.trim_start().starts_with("hint")).unwrap_or_else(|| panic!("{block}"));
    line.trim_start().trim_start_matches("hint").trim().to_string()
}

#[test]
fn a_reply_cut_short_by_a_small_buffer_gets_the_buffer_hint_not_the_content_one() {
    let report = report_of("l1-small-buffer");
    let hello = hint_under(&report, "the server answers `hello`");
    assert!(hello.contains("stops after 4 of 5 bytes"), "{hello}\n{report}");
    let ascii = hint_under(&report, "the server upper-cases ASCII letters only");
    assert!(ascii.contains("stops after 4 of"), "{ascii}\n{report}");
    assert!(!ascii.contains("SS") && !ascii.contains("trim"), "a hint against what was seen:\n{ascii}");
}

#[test]
fn an_exit_and_an_address_in_use_on_every_port_get_their_own_hints() {
    let report = report_of("exit-at-once");
    let accepts = hint_under(&report, "the server accepts a connection");
    assert!(accepts.contains("exited with status 3") && accepts.contains("stderr"), "{accepts}");
    let report = report_of("l1-fixed-port");
    let accepts = hint_under(&report, "the server accepts a connection");
    assert!(accepts.contains("Bind the ADDR you are given"), "{accepts}\n{report}");
}

#[test]
fn under_cmd_hints_speak_of_sockets_and_the_advice_keeps_the_cmd() {
    let report = report_of("l1-no-uppercase");
    let hello = hint_under(&report, "the server answers `hello`");
    assert!(hello.contains("`recv`") && hello.contains("`sendall`"), "{hello}");
    assert!(!hello.contains("stream.read") && !hello.contains("write_all"), "{hello}");
    assert!(report.contains("hint lesson1 --cmd '"), "the advice keeps --cmd:\n{report}");
    // Every check passes: the Next line checks the same way.
    let passing = report_of("l1-correct");
    assert!(passing.contains("Next: cargo run -p checker -- lesson2 --cmd '"), "{passing}");
}

#[test]
fn start_here_names_the_first_failing_check_s_cause() {
    let report = report_of("l1-no-uppercase");
    let start = report.lines().find(|l| l.starts_with("Start here:")).unwrap_or_else(|| panic!("{report}"));
    assert!(start.contains("the check \"the server answers `hello` with `HELLO`\""), "{start}");
    assert!(start.contains("expected \"HELLO\""), "{start}");
}

/// A scratch copy of the course (the skeletons as shipped) whose lesson 1
/// is the solution plus `extra` appended to its server.
fn course_with_lesson1(extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(pristine_course(), dir.path(), &["target", ".git", ".socketlings-backup"]);
    let crate_dir = dir.path().join("exercises/lesson01-basic-tcp/src");
    let _ = std::fs::remove_dir_all(&crate_dir);
    copy_tree(&course_root().join("solutions/lesson01-basic-tcp/src"), &crate_dir, &[]);
    let server = crate_dir.join("server.rs");
    let text = std::fs::read_to_string(&server).unwrap();
    std::fs::write(&server, format!("{text}\n{extra}")).unwrap();
    dir
}

fn check_lesson1(root: &Path, what: &str) -> (Option<i32>, String) {
    let out = checker().args([what, "lesson1", "--root"]).arg(root).env("NO_COLOR", "1").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.code(), format!("{stdout}{}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn the_compiler_s_warnings_come_above_the_checks_and_hint_answers_from_the_last_run() {
    let course = course_with_lesson1(
        "#[allow(dead_code)]\nfn unused(buf: &[u8]) -> usize {\n    let n = buf.len();\n    buf.len()\n}\n",
    );
    let root = course.path();
    let out = checker().args(["lesson1", "--root"]).arg(root).env("NO_COLOR", "1").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("⚠ the compiler has 1 warning about your crate"), "{stdout}");
    assert!(stdout.contains("unused variable: `n`"), "in the compiler's words:\n{stdout}");
    let warning = stdout.find("unused variable").unwrap();
    let first_check = stdout.find(" ✓ ").unwrap();
    assert!(warning < first_check, "above the checks:\n{stdout}");
    assert!(!stdout.contains('\x1b'), "no colour off a terminal:\n{stdout}");

    // Nothing changed since: `hint` answers from that run.
    let (code, text) = check_lesson1(root, "hint");
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("From the last run"), "{text}");
    // A saved change: it checks again.
    let server = root.join("exercises/lesson01-basic-tcp/src/server.rs");
    let source = std::fs::read_to_string(&server).unwrap();
    std::fs::write(&server, format!("{source}\n// changed\n")).unwrap();
    let (code, text) = check_lesson1(root, "hint");
    assert_eq!(code, Some(0), "{text}");
    assert!(!text.contains("From the last run"), "{text}");
    assert!(text.contains("Every check passes"), "{text}");
}
