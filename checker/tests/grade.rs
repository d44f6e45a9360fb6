//! `checker grade`: a folder of submissions in, the class's files out.
//!
//! Each test makes a SUBMISSIONS folder of students built from the course's
//! own crates (a copy of the solution, the untouched skeleton, a crate that
//! does not compile, a server that never answers...), grades lesson 1, and
//! reads the files. Every test shares one cargo target folder, so lesson
//! crates compile quickly and dependencies once.

use crate::common::*;
use crate::grading::*;

/// A server that binds and never accepts: every server check waits its
/// deadline out. It gives up after 30 s, so nothing outlives a failed test
/// for long. (It cannot record its pid anywhere: the sandbox lets it write
/// only its own scratch folder. Tests find it by its command line.)
const SILENT_SERVER: &str = r#"
use std::io;
use std::net::TcpListener;
use std::time::Duration;

pub fn run(addr: &str) -> io::Result<()> {
    let listener = TcpListener::bind(addr)?;
    std::thread::sleep(Duration::from_secs(30));
    drop(listener);
    Ok(())
}
"#;

/// A `main.rs` the compiler works on for ever: a constant computed by a loop
/// of 10^15 steps, with the lint that would stop it allowed.
const ENDLESS_BUILD: &str = r#"
#[allow(long_running_const_eval)]
const FOREVER: u64 = {
    let mut i = 0u64;
    while i < 1_000_000_000_000_000 {
        i += 1;
    }
    i
};

fn main() {
    println!("{FOREVER}");
}
"#;

#[test]
fn four_students_get_their_rows_and_no_process_survives() {
    let class = Class::new();
    class.solved("alice", &[LESSON1.to_string()]);
    class.skeleton("bob");
    let carol = class.skeleton("carol");
    let server = carol.join("src/server.rs");
    let code = std::fs::read_to_string(&server).unwrap();
    std::fs::write(&server, code.replace("io::Result<TcpListener>", "io::Result<Nope>")).unwrap();
    let dave = class.skeleton("dave");
    std::fs::write(dave.join("src/server.rs"), SILENT_SERVER).unwrap();

    // Deadlines four times longer: dave's checks would take 20 s or more,
    // the 8 s limit stops them; the others finish well within it.
    let envs = [("SOCKETLINGS_SLOW", "4")];
    class.grade(&["--lessons", "1", "--lesson-timeout", "8", "--jobs", "2"], &envs);

    let max = lesson1_max();
    let expected = format!(
        "student,lesson01,total,max,status\n\
         alice,{max},{max},{max},ok\n\
         bob,0,0,{max},ok\n\
         carol,0,0,{max},build_error\n\
         dave,0,0,{max},timeout\n"
    );
    assert_eq!(class.read("grades.csv"), expected);

    let checks = class.read("checks.csv");
    let mut rows = checks.lines();
    assert_eq!(rows.next(), Some("student,lesson,check,points,max,passed"));
    let rows: Vec<&str> = rows.collect();
    let per_student = rows.len() / 4;
    assert!(per_student > 0 && rows.len() == 4 * per_student, "every student has a row per check:\n{checks}");
    assert!(rows.iter().filter(|r| r.starts_with("alice,")).all(|r| r.ends_with(",true")), "{checks}");
    assert!(rows.iter().filter(|r| !r.starts_with("alice,")).all(|r| r.ends_with(",false")), "{checks}");

    let carol_feedback = class.read("carol/feedback.md");
    assert!(carol_feedback.contains("does not compile"), "{carol_feedback}");
    assert!(carol_feedback.contains("error[E0425]"), "the compiler's own words: {carol_feedback}");
    assert!(!carol_feedback.contains("\u{1b}["), "no colour in files");
    let dave_feedback = class.read("dave/feedback.md");
    assert!(dave_feedback.contains("did not finish within 8 s"), "{dave_feedback}");
    let bob_feedback = class.read("bob/feedback.md");
    assert!(bob_feedback.contains("todo!()"), "the skeleton is told where to start: {bob_feedback}");

    let alice = class.results("alice");
    assert_eq!(alice["score"].as_u64(), Some(max));
    let tests = alice["tests"].as_array().unwrap();
    assert_eq!(tests.len(), per_student);
    assert!(tests.iter().all(|t| t["status"] == "passed" && t["score"] == t["max_score"]));
    let carol = class.results("carol");
    assert_eq!(carol["score"], 0);
    assert!(carol["tests"].as_array().unwrap().iter().all(|t| t["status"] == "failed"));

    // Dave's server ran (his lesson timed out), and was stopped with its checker.
    let left = processes_under(class.dir.path());
    assert!(left.is_empty(), "processes outlived grade: {left:?}");
}

#[test]
fn a_build_that_never_ends_is_stopped_at_its_limit() {
    let class = Class::new();
    let erin = class.skeleton("erin");
    std::fs::write(erin.join("src/main.rs"), ENDLESS_BUILD).unwrap();
    class.grade(&["--lessons", "1", "--build-timeout", "3"], &[]);
    assert_eq!(class.read("grades.csv").lines().nth(1), Some(format!("erin,0,0,{},timeout", lesson1_max()).as_str()));
    let feedback = class.read("erin/feedback.md");
    assert!(feedback.contains("did not finish within 3 s"), "{feedback}");
    let left = processes_under(class.dir.path());
    assert!(left.is_empty(), "cargo and the compiler were stopped: {left:?}");
}

#[test]
fn a_student_who_edited_the_checker_is_graded_by_the_course_checker() {
    let class = Class::new();
    // A whole copy of the course, unpacked one folder deep, with its checker
    // "fixed" to pass everything, its workspace and lesson manifests edited,
    // and a build script and a test that would fail if they were used.
    let copy = class.submissions().join("eve").join("socketlings-main");
    copy_dir(&pristine_exercises().join(LESSON1), &copy.join("exercises").join(LESSON1));
    copy_dir(&course().join("checker"), &copy.join("checker"));
    std::fs::write(copy.join("checker/src/lessons/lesson01.rs"), "// every check passes now\n").unwrap();
    let manifest = std::fs::read_to_string(course().join("Cargo.toml")).unwrap();
    std::fs::write(copy.join("Cargo.toml"), manifest.replace("unsafe_code = \"deny\"", "unsafe_code = \"allow\""))
        .unwrap();
    let lesson = copy.join("exercises").join(LESSON1);
    let lesson_manifest = std::fs::read_to_string(lesson.join("Cargo.toml")).unwrap();
    std::fs::write(lesson.join("Cargo.toml"), lesson_manifest.replace("[package]", "[package]\nbuild = \"build.rs\""))
        .unwrap();
    std::fs::write(lesson.join("build.rs"), "fn main() { panic!(\"the student's build script ran\") }\n").unwrap();
    std::fs::create_dir_all(lesson.join("tests")).unwrap();
    std::fs::write(lesson.join("tests/mine.rs"), "#[test]\nfn always() {}\n").unwrap();

    class.grade(&["--lessons", "1"], &[]);

    let grades = class.read("grades.csv");
    assert_eq!(grades.lines().nth(1), Some(format!("eve,0,0,{},ok", lesson1_max()).as_str()), "{grades}");
    let feedback = class.read("eve/feedback.md");
    for said in [
        "found in `socketlings-main/exercises`",
        "Your copy of `checker/` differs from the course's (`src/lessons/lesson01.rs`)",
        "Your workspace `Cargo.toml` differs",
        "Cargo.toml` differs from the course's",
        "also holds `build.rs`, `tests`: not used",
    ] {
        assert!(feedback.contains(said), "the feedback says {said:?}:\n{feedback}");
    }
    let results = class.results("eve");
    assert!(results["output"].as_str().unwrap().contains("checker/"), "{results}");
}

#[test]
fn grading_again_writes_the_same_files() {
    let class = Class::new();
    class.solved("alice", &[LESSON1.to_string()]);
    class.skeleton("bob");
    std::fs::create_dir_all(class.submissions().join("frank/notes")).unwrap();
    class.grade(&["--lessons", "1"], &[]);
    let files = ["grades.csv", "checks.csv", "alice/feedback.md", "alice/results.json"];
    let first: Vec<String> = files.iter().map(|f| class.read(f)).collect();
    assert!(first[0].contains("\nfrank,0,0,"), "a submission with no lessons has its row: {}", first[0]);
    assert!(first[0].ends_with(",missing\n"), "{}", first[0]);
    class.grade(&["--lessons", "1"], &[]);
    for (file, before) in files.iter().zip(&first) {
        assert_eq!(&class.read(file), before, "{file} is the same on the second run");
    }
}

#[test]
fn the_solutions_of_every_lesson_get_full_marks() {
    let class = Class::new();
    let mut lessons: Vec<String> = std::fs::read_dir(course().join("solutions"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with("lesson"))
        .collect();
    lessons.sort();
    class.solved("model", &lessons);
    // No --lessons: every lesson the course has checks and a crate for.
    class.grade(&[], &[]);
    let grades = class.read("grades.csv");
    let header: Vec<&str> = grades.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = grades.lines().nth(1).unwrap().split(',').collect();
    assert!(header.contains(&"lesson01"), "a column per lesson: {grades}");
    assert_eq!(row.last(), Some(&"ok"), "{grades}");
    let (total, max) = (row[row.len() - 3], row[row.len() - 2]);
    assert_eq!(total, max, "full marks: {grades}");
    let checks = class.read("checks.csv");
    assert!(checks.lines().skip(1).all(|r| r.ends_with(",true")), "every check passes:\n{checks}");
    let results = class.results("model");
    assert!(results["tests"].as_array().unwrap().iter().all(|t| t["status"] == "passed"), "{results}");
}

#[cfg(unix)]
#[test]
fn an_interrupted_grade_leaves_no_process_behind() {
    use std::time::{Duration, Instant};
    let class = Class::new();
    let dave = class.skeleton("dave");
    std::fs::write(dave.join("src/server.rs"), SILENT_SERVER).unwrap();
    let mut grade = std::process::Command::new(assert_cmd::cargo::cargo_bin("checker"))
        .arg("grade")
        .arg(class.submissions())
        .arg("--out")
        .arg(class.out())
        .arg("--target-dir")
        .arg(shared_target())
        .args(["--lessons", "1"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait for the silent server to run (after the build), then interrupt.
    let deadline = Instant::now() + Duration::from_secs(120);
    let dave_bin = class.out().join(".grading/work/dave/bin");
    let pids: Vec<u32> = loop {
        let running = processes_under(&dave_bin);
        if !running.is_empty() {
            break running.into_iter().map(|(pid, _)| pid).collect();
        }
        assert!(Instant::now() < deadline, "the silent server starts");
        std::thread::sleep(Duration::from_millis(20));
    };
    let status = std::process::Command::new("kill").args(["-INT", &grade.id().to_string()]).status().unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let code = loop {
        if let Some(status) = grade.try_wait().unwrap() {
            break status.code();
        }
        assert!(Instant::now() < deadline, "grade stops when interrupted");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(code, Some(130));
    assert_all_gone(&pids);
    let left = processes_under(class.dir.path());
    assert!(left.is_empty(), "processes outlived grade: {left:?}");
}

#[test]
fn a_folder_without_submissions_or_an_unknown_lesson_is_a_usage_error() {
    let class = Class::new();
    let out = checker()
        .arg("grade")
        .arg(class.submissions())
        .args(["--lessons", "1", "--out"])
        .arg(class.out())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds no submissions"));
    class.skeleton("bob");
    let out = checker()
        .arg("grade")
        .arg(class.submissions())
        .args(["--lessons", "99", "--out"])
        .arg(class.out())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no lesson 99"));
}
