//! The learner's loop: `watch`, `hint`, `diff` and `reset`, run as a
//! learner runs them, with stdout not a terminal.

use crate::common::*;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

#[test]
fn hint_lists_the_hints_of_the_failing_checks_starting_with_where_to_start() {
    if !has_pristine_skeleton("lesson01-basic-tcp") {
        return;
    }
    let out = checker().args(["hint", "lesson1", "--root"]).arg(pristine_course()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("Start here: exercises/lesson01-basic-tcp/src/"), "{stdout}");
    assert!(stdout.contains("1. the server accepts a connection"), "{stdout}");
    assert!(stdout.contains("`TcpListener::bind(addr)`"), "the check's hint is shown:\n{stdout}");
    assert!(!stdout.contains('\x1b'), "no colour codes when stdout is not a terminal");
}

#[test]
fn hint_on_a_passing_lesson_points_at_the_diff() {
    let out = checker().args(["hint", "lesson1", "--solution"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("Every check passes") && stdout.contains("diff lesson1"), "{stdout}");
}

#[test]
fn diff_all_shows_the_whole_files_beside_the_solution() {
    if !has_pristine_skeleton("lesson01-basic-tcp") {
        return;
    }
    let out = checker().args(["diff", "lesson1", "--all", "--root"]).arg(pristine_course()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout.contains("--- exercises/lesson01-basic-tcp/src/server.rs"), "{stdout}");
    assert!(stdout.contains("+++ solutions/lesson01-basic-tcp/src/server.rs"), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with('-') && l.contains("todo!(")), "the todo!()s go away");
    assert!(stdout.lines().any(|l| l.starts_with("-//")), "comments are compared too:\n{stdout}");
    assert!(!stdout.contains('\x1b'), "no colour codes when stdout is not a terminal");
}

#[test]
fn diff_outside_git_shows_the_whole_files_and_says_why() {
    // The pristine course is a plain copy, with no git history.
    if !has_pristine_skeleton("lesson01-basic-tcp") {
        return;
    }
    let out = checker().args(["diff", "lesson1", "--root"]).arg(pristine_course()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout.contains("not in this folder's git history"), "{stdout}");
    assert!(stdout.contains("--- exercises/lesson01-basic-tcp/src/server.rs"), "{stdout}");
}

/// `checker diff lesson1` on `root`, its stdout.
fn diff_lesson1(root: &Path) -> String {
    let out = checker().args(["diff", "lesson1", "--root"]).arg(root).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

#[test]
fn diff_shows_only_the_functions_the_learner_was_asked_to_write() {
    if !has_git() {
        return;
    }
    let course = course_copy();
    let stdout = diff_lesson1(course.path());
    // `listen` held a todo!() in the skeleton; `run` was given.
    assert!(stdout.contains("--- exercises/lesson01-basic-tcp/src/server.rs  fn listen"), "{stdout}");
    assert!(stdout.contains("+++ solutions/lesson01-basic-tcp/src/server.rs  fn listen"), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with('-') && l.contains("todo!(")), "{stdout}");
    assert!(!stdout.contains("fn run"), "given functions are left out:\n{stdout}");
    assert!(!stdout.contains("main.rs"), "files without a todo!() are left out:\n{stdout}");
    assert!(!stdout.lines().any(|l| l.trim_start_matches(['-', '+', ' ']).trim_start().starts_with("//")), "{stdout}");
}

#[test]
fn diff_ignores_comment_only_changes() {
    if !has_git() {
        return;
    }
    let course = course_copy();
    let root = course.path();
    // The solution's code, with comments of the learner's own: no difference.
    let rewritten = |from: &str| {
        let text = std::fs::read_to_string(root.join("solutions/lesson01-basic-tcp/src").join(from)).unwrap();
        let mine: String =
            text.lines().filter(|l| !l.trim_start().starts_with("//")).map(|l| format!("{l}\n")).collect();
        std::fs::write(root.join("exercises/lesson01-basic-tcp/src").join(from), format!("// my notes\n{mine}"))
            .unwrap();
    };
    rewritten("server.rs");
    rewritten("client.rs");
    let stdout = diff_lesson1(root);
    assert!(stdout.contains("Your functions and the solution's hold the same code"), "{stdout}");
    assert!(!stdout.contains("---"), "{stdout}");

    // One real change shows, in its function only.
    let server = root.join("exercises/lesson01-basic-tcp/src/server.rs");
    let text = std::fs::read_to_string(&server).unwrap();
    std::fs::write(&server, text.replace("to_ascii_uppercase", "to_ascii_lowercase")).unwrap();
    let stdout = diff_lesson1(root);
    assert!(stdout.contains("fn shout"), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with('-') && l.contains("to_ascii_lowercase")), "{stdout}");
    assert!(!stdout.contains("fn listen"), "{stdout}");
}

fn has_git() -> bool {
    let found = std::process::Command::new("git").arg("--version").output().is_ok();
    if !found {
        eprintln!("git is not installed: nothing to run");
    }
    found
}

#[test]
fn a_passing_lesson_says_the_solution_can_now_be_compared() {
    let out = checker().args(["lesson1", "--solution"]).env("NO_COLOR", "1").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Next: cargo run -p checker -- lesson2"), "{stdout}");
    if !has_pristine_skeleton("lesson01-basic-tcp") {
        return;
    }
    let out = checker().args(["lesson1", "--root"]).arg(pristine_course()).env("NO_COLOR", "1").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("hint lesson1"), "a failing lesson points at the hints:\n{stdout}");
}

/// A course folder of its own, under git, holding lesson 1's skeleton and
/// solution.
fn course_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let crates = [
        (pristine_exercises().join("lesson01-basic-tcp"), "exercises/lesson01-basic-tcp"),
        (course_root().join("solutions/lesson01-basic-tcp"), "solutions/lesson01-basic-tcp"),
    ];
    for (from, to) in crates {
        let to = root.join(to);
        std::fs::create_dir_all(to.join("src")).unwrap();
        std::fs::copy(from.join("Cargo.toml"), to.join("Cargo.toml")).unwrap();
        for entry in std::fs::read_dir(from.join("src")).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), to.join("src").join(entry.file_name())).unwrap();
        }
    }
    std::fs::write(root.join("Cargo.toml"), "[workspace]\nmembers = [\"exercises/*\", \"solutions/*\"]\n").unwrap();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(root)
            .args(["-c", "user.name=t", "-c", "user.email=t@localhost"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-qm", "course"]);
    // The learner's own commit on top must not count as the skeleton: here
    // there is no upstream, so HEAD is used; see the upstream test below.
    dir
}

#[test]
fn reset_asks_for_yes_without_a_terminal_then_restores_and_keeps_a_backup() {
    if !has_git() {
        return;
    }
    let course = course_copy();
    let root = course.path();
    let server = root.join("exercises/lesson01-basic-tcp/src/server.rs");
    let original = std::fs::read_to_string(&server).unwrap();
    std::fs::write(&server, "// my own work\n").unwrap();
    std::fs::write(root.join("exercises/lesson01-basic-tcp/src/extra.rs"), "// a file I added\n").unwrap();

    let out = checker().args(["reset", "lesson1", "--root"]).arg(root).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
    assert_eq!(std::fs::read_to_string(&server).unwrap(), "// my own work\n", "nothing changed without --yes");

    let out = checker().args(["reset", "lesson1", "--yes", "--root"]).arg(root).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(&server).unwrap(), original, "the skeleton is back");
    assert!(!root.join("exercises/lesson01-basic-tcp/src/extra.rs").exists());
    // At the course's root, where a `cargo clean` does not reach.
    let backups: Vec<_> = std::fs::read_dir(root.join(".socketlings-backup")).unwrap().flatten().collect();
    assert_eq!(backups.len(), 1);
    let saved = backups[0].path().join("src");
    assert_eq!(std::fs::read_to_string(saved.join("server.rs")).unwrap(), "// my own work\n");
    assert_eq!(std::fs::read_to_string(saved.join("extra.rs")).unwrap(), "// a file I added\n");
    assert!(stdout.contains(".socketlings-backup/lesson01-basic-tcp-"), "{stdout}");
    assert!(!stdout.contains("target/"), "{stdout}");
}

#[test]
fn reset_outside_git_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), "[workspace]\n").unwrap();
    let out = checker().args(["reset", "lesson1", "--yes", "--root"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("git"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Starts `checker watch lesson1` (plus `extra`), with its stdout read line
/// by line on a thread.
fn start_watch(root: &Path, extra: &[&str]) -> (Child, mpsc::Receiver<String>) {
    let exe = assert_cmd::cargo::cargo_bin("checker");
    let mut child = std::process::Command::new(exe)
        .args(["watch", "lesson1", "--root"])
        .arg(root)
        .args(extra)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    (child, rx)
}

/// Reads lines until one contains `text`, for at most `within`.
fn wait_for(rx: &mpsc::Receiver<String>, text: &str, within: Duration, seen: &mut Vec<String>) -> bool {
    let deadline = Instant::now() + within;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) => {
                let found = line.contains(text);
                seen.push(line);
                if found {
                    return true;
                }
            }
            Err(_) => return false,
        }
    }
    false
}

/// Saving a file (here: a new modification time, contents unchanged)
/// starts a second run.
fn assert_watch_reruns_on_save(extra: &[&str]) {
    // A course of its own: the files it touches are watched by no other test.
    let course = tempfile::tempdir().unwrap();
    copy_tree(pristine_course(), course.path(), &["target"]);
    let (mut child, rx) = start_watch(course.path(), extra);
    let mut seen = Vec::new();
    let first = wait_for(&rx, "Watching exercises/lesson01-basic-tcp", Duration::from_secs(120), &mut seen);
    let mut second = false;
    if first {
        let main = course.path().join("exercises/lesson01-basic-tcp/src/main.rs");
        // Touch the file a few times, in case the first touch lands before
        // the watcher is fully set up.
        for _ in 0..5 {
            std::fs::File::options().write(true).open(&main).unwrap().set_modified(SystemTime::now()).unwrap();
            if wait_for(&rx, "run 2 · lesson 1", Duration::from_secs(6), &mut seen) {
                second = true;
                break;
            }
        }
        second = second && wait_for(&rx, "Watching exercises/lesson01-basic-tcp", Duration::from_secs(60), &mut seen);
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(first, "watch ran the checks once:\n{}", seen.join("\n"));
    assert!(second, "saving a file ran them again:\n{}", seen.join("\n"));
    assert!(seen.iter().any(|l| l.contains("Lesson 1 · basic TCP")), "{}", seen.join("\n"));
}

#[test]
fn watch_runs_again_when_a_file_is_saved() {
    assert_watch_reruns_on_save(&[]);
}

#[test]
fn watch_poll_runs_again_when_a_file_is_saved() {
    assert_watch_reruns_on_save(&["--poll"]);
}
