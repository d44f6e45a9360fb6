//! Containment and the sandbox, tried as a hostile student would: children
//! that leave the process group, a checker killed with SIGKILL, a program
//! that reads outside its grants, replaces the checker or signals it, goes
//! over its limits; builds that read outside the submission. Nothing
//! survives, nothing outside is touched, and the report says what happened.
//!
//! Tests of the sandbox skip (with a message) where the kernel offers no
//! Landlock.

use crate::common::*;
use crate::grading::Class;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Whether this kernel enforces the strict sandbox (Landlock with signal
/// scoping), as the checker's own launcher finds it.
fn sandbox_available() -> bool {
    let checker = assert_cmd::cargo::cargo_bin("checker");
    let out = Command::new(&checker)
        .args(["__contain", "--mode", "strict", "--kind", "program", "--"])
        .arg(&checker)
        .env("SOCKETLINGS_CONTAIN_PROBE", "1")
        .output()
        .expect("the launcher runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let full = stderr.lines().any(|l| l.starts_with("sandbox: fully enforced"));
    let abi: u32 = stderr.rsplit("ABI ").next().and_then(|n| n.trim().trim_end_matches(')').parse().ok()).unwrap_or(0);
    if !(full && abi >= 6) {
        eprintln!("skipped: this kernel offers no Landlock sandbox with signal scoping ({})", stderr.trim());
        return false;
    }
    true
}

/// Runs `checker lesson1 --cmd FIXTURE` with `extra` arguments, fixtures
/// recording their pids; returns the run and those pids. The usual
/// deadlines, as in `robustness.rs`.
fn run_recorded(name: &str, extra: &[&str]) -> (Run, Vec<u32>) {
    let pids = tempfile::tempdir().unwrap();
    let dir = pids.path().to_str().unwrap();
    let cmd = fixture(name);
    let mut args = vec!["lesson1", "--cmd", &cmd, "--allow-write", dir];
    args.extend_from_slice(extra);
    let run = run_json(&args, &[("FIXTURE_PIDS", dir)]);
    (run, read_pids(pids.path()))
}

#[test]
fn a_child_in_a_session_of_its_own_does_not_outlive_the_checker() {
    let (run, pids) = run_recorded("setsid-server", &[]);
    // The child holds the port: the checker could connect to it.
    run.assert_passes("the server accepts a connection");
    assert!(pids.len() >= 2, "the program and its child both ran: {pids:?}");
    assert_all_gone(&pids);
}

#[test]
fn an_orphan_of_a_double_fork_does_not_outlive_the_checker() {
    let (run, pids) = run_recorded("double-fork", &[]);
    assert_eq!(run.code, 1);
    assert!(pids.len() >= 3, "the program, its child and its grandchild ran: {pids:?}");
    assert_all_gone(&pids);
}

#[test]
fn a_child_in_another_process_group_does_not_outlive_the_checker() {
    let (run, pids) = run_recorded("setpgid-child", &[]);
    assert_eq!(run.code, 1);
    assert!(pids.len() >= 2, "the program and its child both ran: {pids:?}");
    assert_all_gone(&pids);
}

/// Waits until `found` says yes, for at most `within`.
fn wait_until(within: Duration, what: &str, mut found: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !found() {
        assert!(Instant::now() < deadline, "{what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(unix)]
fn sigkill(pid: u32) {
    let status = Command::new("kill").args(["-KILL", &pid.to_string()]).status().unwrap();
    assert!(status.success());
}

#[cfg(unix)]
#[test]
fn a_checker_killed_with_sigkill_leaves_no_process_behind() {
    let pids = tempfile::tempdir().unwrap();
    let mut checker = Command::new(assert_cmd::cargo::cargo_bin("checker"))
        .args(["lesson1", "--cmd", &fixture("setsid-server"), "--allow-write"])
        .arg(pids.path())
        .env("FIXTURE_PIDS", pids.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_until(Duration::from_secs(20), "the program and its child start", || read_pids(pids.path()).len() >= 2);
    sigkill(checker.id());
    let _ = checker.wait();
    assert_all_gone(&read_pids(pids.path()));
}

/// Running processes whose command line contains `needle`.
#[cfg(target_os = "linux")]
fn running(needle: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else { continue };
        if String::from_utf8_lossy(&cmdline).contains(needle) && alive(pid) {
            found.push(pid);
        }
    }
    found
}

#[cfg(target_os = "linux")]
#[test]
fn a_checker_killed_with_sigkill_in_the_middle_of_lesson_7_leaves_no_process_behind() {
    // Built first, so that the checker starts checking at once.
    let solution = built_binary("lesson07-solution", "lesson07-solution");
    let needle = solution.display().to_string();
    let mut checker = Command::new(assert_cmd::cargo::cargo_bin("checker"))
        .args(["lesson7", "--solution"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut seen = Vec::new();
    wait_until(Duration::from_secs(60), "lesson 7's server starts", || {
        seen = running(&needle);
        !seen.is_empty()
    });
    sigkill(checker.id());
    let _ = checker.wait();
    assert_all_gone(&seen);
    wait_until(Duration::from_secs(3), "nothing of lesson 7 is left", || running(&needle).is_empty());
}

/// A checker killed outright (SIGKILL) cleans up nothing: the next checker
/// to start removes the scratch folders of checkers that are gone, and only
/// those (the folder's name holds the pid of the checker that made it).
#[cfg(target_os = "linux")]
#[test]
fn a_checker_removes_the_scratch_folders_of_checkers_that_are_gone() {
    let tmp = tempfile::tempdir().unwrap();
    // No pid is that high (the kernel's limit is 4,194,304); this test's own
    // process is alive.
    let gone = tmp.path().join("socketlings-files-999999999-AbCdEf");
    let alive = tmp.path().join(format!("socketlings-http-{}-AbCdEf", std::process::id()));
    let unrelated = tmp.path().join("socketlings-notes");
    for dir in [&gone, &alive, &unrelated] {
        std::fs::create_dir_all(dir.join("inbox")).unwrap();
    }
    checker().args(["lesson1", "--cmd", "/nonexistent/program"]).env("TMPDIR", tmp.path()).output().unwrap();
    assert!(!gone.exists(), "the folder of a checker that is gone is removed");
    assert!(alive.exists(), "the folder of a checker that runs is kept");
    assert!(unrelated.exists(), "a folder not named by a pid is kept");
}

/// A copy of the checker in a folder of its own, for attacks on its file.
struct Victim {
    dir: tempfile::TempDir,
}

impl Victim {
    fn new() -> Victim {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("bin")).unwrap();
        std::fs::copy(assert_cmd::cargo::cargo_bin("checker"), dir.path().join("bin/checker")).unwrap();
        std::fs::write(dir.path().join("secret.txt"), "the answers to every lesson").unwrap();
        Victim { dir }
    }

    fn checker(&self) -> PathBuf {
        self.dir.path().join("bin/checker")
    }

    /// Runs the copy on lesson 1 with the `attack` fixture, in `mode`;
    /// returns what the attacker said on stderr.
    fn attacked(&self, mode: &str) -> String {
        let out = Command::new(self.checker())
            .args(["lesson1", "--format", "json", "--sandbox", mode, "--cmd", &fixture("attack")])
            .env("FIXTURE_SECRET", self.dir.path().join("secret.txt"))
            .env("FIXTURE_CHECKER", self.checker())
            .env("FIXTURE_ANCESTOR", std::process::id().to_string())
            .env("SOCKETLINGS_SLOW", "0.2")
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!("{e}: {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
        });
        let failure = &json["lessons"][0]["checks"][0]["failure"];
        let lines = failure["programs"][0]["stderr"].as_array().cloned().unwrap_or_default();
        lines.iter().filter_map(|l| l.as_str()).collect::<Vec<_>>().join("\n")
    }

    fn untouched(&self) -> bool {
        let original = std::fs::read(assert_cmd::cargo::cargo_bin("checker")).unwrap();
        std::fs::read(self.checker()).unwrap() == original && !self.dir.path().join("bin/planted.sh").exists()
    }
}

#[track_caller]
fn assert_refused(said: &str, attack: &str) {
    assert!(said.contains(&format!("attack {attack}: refused")), "`{attack}` must be refused:\n{said}");
}

#[test]
fn a_strictly_sandboxed_program_cannot_read_outside_replace_the_checker_or_signal_it() {
    if !sandbox_available() {
        return;
    }
    let victim = Victim::new();
    let said = victim.attacked("strict");
    assert_refused(&said, "read-outside");
    assert!(!said.contains("the answers to every lesson"), "{said}");
    assert_refused(&said, "write-beside-checker");
    assert_refused(&said, "replace-checker");
    assert_refused(&said, "read-parent-cmdline");
    assert_refused(&said, "kill-parent");
    assert_refused(&said, "kill-ancestor");
    assert!(victim.untouched(), "the checker's file and folder are as they were");
}

#[test]
fn in_the_learners_sandbox_a_program_reads_everything_but_writes_only_its_own() {
    if !sandbox_available() {
        return;
    }
    let victim = Victim::new();
    let said = victim.attacked("learner");
    assert!(said.contains("attack read-outside: done the answers to every lesson"), "{said}");
    assert_refused(&said, "write-beside-checker");
    assert_refused(&said, "replace-checker");
    assert_refused(&said, "kill-parent");
    assert_refused(&said, "kill-ancestor");
    assert!(victim.untouched(), "the checker's file and folder are as they were");
}

/// The stderr lines shown for the first program of the first failed check.
fn program_stderr(run: &Run) -> String {
    let failed = run.failed();
    let first = failed.first().expect("a check failed");
    let lines = run.failure(first)["programs"][0]["stderr"].as_array().cloned().unwrap_or_default();
    lines.iter().filter_map(|l| l.as_str()).collect::<Vec<_>>().join("\n")
}

#[cfg(target_os = "linux")]
#[test]
fn sigterm_reaches_the_program_through_the_launcher_and_its_death_is_faithful() {
    use std::os::unix::process::ExitStatusExt;
    let Some(sleep) = ["/bin/sleep", "/usr/bin/sleep"].into_iter().find(|p| Path::new(p).exists()) else {
        eprintln!("skipped: no sleep program");
        return;
    };
    let mut launcher = Command::new(assert_cmd::cargo::cargo_bin("checker"))
        .args(["__contain", "--mode", "off", "--kind", "program", "--", sleep, "20"])
        .spawn()
        .unwrap();
    // Once the program runs, SIGTERM to the launcher is passed down to it.
    wait_until(Duration::from_secs(10), "the program starts", || {
        running(&format!("{sleep}\0")).iter().any(|&p| p != launcher.id())
    });
    let status = Command::new("kill").args(["-TERM", &launcher.id().to_string()]).status().unwrap();
    assert!(status.success());
    let status = launcher.wait().unwrap();
    assert_eq!(status.signal(), Some(15), "the launcher ends as the program did: {status:?}");
}

#[cfg(unix)]
#[test]
fn a_program_killed_by_a_signal_is_reported_killed_by_that_signal() {
    let (run, pids) = run_recorded("killed-by-sigterm", &[]);
    let failure = run.failure("the server accepts a connection");
    assert!(failure["got"].as_str().unwrap().contains("was killed by signal 15"), "{failure}");
    assert_all_gone(&pids);
}

#[test]
fn a_program_over_its_memory_limit_is_told_so_in_plain_words() {
    let (run, pids) = run_recorded("hog", &["--memory-limit", "64M"]);
    let stderr = program_stderr(&run);
    assert!(stderr.contains("your program used more than 64 MiB of memory"), "{stderr}");
    assert_all_gone(&pids);
}

#[test]
fn a_program_writing_a_file_over_the_limit_is_told_so_in_plain_words() {
    let (run, pids) = run_recorded("big-file", &["--file-size-limit", "1M"]);
    let stderr = program_stderr(&run);
    assert!(stderr.contains("your program wrote a file larger than 1 MiB"), "{stderr}");
    assert_all_gone(&pids);
}

// Builds in `grade`: they read the submission, never what is beside it.

/// Grades the class's lesson 1, one student at a time, with `args`; returns
/// grades.csv.
fn grade_lesson1(class: &Class, args: &[&str]) -> String {
    let mut all = vec!["--lessons", "1", "--jobs", "1"];
    all.extend_from_slice(args);
    class.grade(&all, &[]);
    class.read("grades.csv")
}

#[test]
fn builds_cannot_include_files_outside_the_submission() {
    if !sandbox_available() {
        return;
    }
    let class = Class::new();
    let secret = class.dir.path().join("instructor-only.txt");
    std::fs::write(&secret, "SECRET-ANSWER-KEY").unwrap();
    class.solved_lesson1("alice");
    // Mallory includes the instructor's file; Mallet compiles alice's server
    // out of the scratch folder beside his (alice is graded first).
    let mallory = class.solved_lesson1("mallory");
    let main = std::fs::read_to_string(mallory.join("src/main.rs")).unwrap();
    let stolen = format!("\nconst _STOLEN: &str = include_str!({:?});\n", secret.display().to_string());
    std::fs::write(mallory.join("src/main.rs"), main.clone() + &stolen).unwrap();
    let mallet = class.solved_lesson1("mallet");
    std::fs::remove_file(mallet.join("src/server.rs")).unwrap();
    let borrowed = main.replace(
        "mod server;",
        "#[path = \"../../../../alice/exercises/lesson01-basic-tcp/src/server.rs\"]\nmod server;",
    );
    assert_ne!(borrowed, main, "main.rs declares `mod server;`");
    std::fs::write(mallet.join("src/main.rs"), borrowed).unwrap();

    // Zed's constant needs 8 GiB to compile.
    let zed = class.solved_lesson1("zed");
    let huge = "\n#[allow(dead_code)]\nstatic BIG: [u8; 1 << 33] = [0; 1 << 33];\n";
    std::fs::write(zed.join("src/main.rs"), main.clone() + huge).unwrap();

    let grades = grade_lesson1(&class, &[]);
    let max = grades.lines().nth(1).unwrap().split(',').nth(3).unwrap().to_string();
    assert!(grades.contains(&format!("\nalice,{max},{max},{max},ok\n")), "alice keeps her grade:\n{grades}");
    assert!(grades.contains(&format!("\nmallet,0,0,{max},build_error\n")), "{grades}");
    assert!(grades.contains(&format!("\nmallory,0,0,{max},build_error\n")), "{grades}");
    let feedback = class.read("mallory/feedback.md");
    assert!(!feedback.contains("SECRET-ANSWER-KEY"), "the file's content never reaches feedback:\n{feedback}");
    assert!(feedback.contains("instructor-only.txt"), "the compiler says which file it could not read:\n{feedback}");
    assert!(grades.contains(&format!("\nzed,0,0,{max},build_error\n")), "{grades}");
    let feedback = class.read("zed/feedback.md");
    assert!(feedback.contains("The build used more than 1 GiB of memory"), "in plain words:\n{feedback}");
}

#[test]
fn seven_hundred_warnings_do_not_hide_a_correct_build() {
    let class = Class::new();
    let eve = class.solved_lesson1("eve");
    let warnings: String = (0..700).map(|i| format!("    let unused_{i} = 0;\n")).collect();
    let main = std::fs::read_to_string(eve.join("src/main.rs")).unwrap();
    let noisy = main + &format!("\n#[allow(dead_code)]\nfn noisy() {{\n{warnings}}}\n");
    std::fs::write(eve.join("src/main.rs"), noisy).unwrap();
    let grades = grade_lesson1(&class, &[]);
    let row: Vec<&str> = grades.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(row.last(), Some(&"ok"), "{grades}");
    assert_eq!(row[1], row[3], "full marks despite 700 warnings:\n{grades}");
}

#[test]
fn grading_without_the_sandbox_says_so_in_every_feedback() {
    let class = Class::new();
    class.solved_lesson1("alice");
    let grades = grade_lesson1(&class, &["--no-sandbox"]);
    assert!(grades.lines().nth(1).unwrap().ends_with(",ok"), "{grades}");
    let feedback = class.read("alice/feedback.md");
    assert!(feedback.contains("Grading ran without a sandbox"), "{feedback}");
}
