//! `checker grade` against hostile students: each attack of a submission
//! on its own grade or on its classmates' changes nothing but the
//! attacker's own row, and the attacker's feedback says what was refused.
//!
//! The hostile programs are the fixture binary's (`checker/fixtures`): a
//! student's `main.rs` execs it in the mode named, so the fixture runs as
//! the student's program, started by a child checker of the grader.

use crate::common::*;
use crate::grading::*;
use std::path::Path;

/// A student's `main.rs` that becomes the fixture program `mode`.
fn exec_fixture(mode: &str) -> String {
    format!(
        r#"use std::os::unix::process::CommandExt;

fn main() {{
    let error = std::process::Command::new({path:?}).arg({mode:?}).args(std::env::args().skip(1)).exec();
    eprintln!("could not run the fixture: {{error}}");
    std::process::exit(1);
}}
"#,
        path = fixture_path().display().to_string(),
    )
}

impl Class {
    /// A student whose lesson 1 program is the fixture program `mode`.
    fn hostile(&self, student: &str, mode: &str) {
        let dir = self.skeleton(student);
        std::fs::write(dir.join("src/main.rs"), exec_fixture(mode)).unwrap();
    }
}

/// The row of `student` in grades.csv.
fn row(grades: &str, student: &str) -> String {
    grades
        .lines()
        .find(|l| l.starts_with(&format!("{student},")))
        .unwrap_or_else(|| panic!("{student}: {grades}"))
        .to_string()
}

#[cfg(target_os = "linux")]
#[test]
fn forged_reports_and_rewritten_results_change_no_grade() {
    let class = Class::new();
    class.solved("alice", &[LESSON1.to_string()]);
    // Writes a report of 9999 points to the checker's --output file and
    // stdout, and kills the checker.
    class.hostile("mallory", "forge-report");
    // The same, without killing the checker, on every check.
    class.hostile("oscar", "forge-report-quietly");
    // Writes over every classmate's results.json and feedback.md, and grades.csv.
    class.hostile("trudy", "overwrite-classmates");
    // Prints a clipboard write, a window title, a screen clear, CR, C1.
    class.hostile("pat", "print-escapes");

    class.grade(
        &["--lessons", "1", "--jobs", "2", "--allow-read", &fixture_path().display().to_string()],
        &[("SOCKETLINGS_SLOW", "0.5")],
    );
    let max = lesson1_max();
    let grades = class.read("grades.csv");
    assert_eq!(row(&grades, "alice"), format!("alice,{max},{max},{max},ok"));
    // Under the sandbox the kill is refused and the checker finishes: mallory
    // gets what the checks themselves give its program, far from full marks;
    // without a sandbox the killed checker leaves no result (a crash, 0).
    let mallory_row = row(&grades, "mallory");
    let mallory = class.read("mallory/feedback.md");
    assert!(
        mallory_row == format!("mallory,0,0,{max},crash") || mallory_row.ends_with(&format!(",{max},ok")),
        "{mallory_row}\n{mallory}"
    );
    let mallory_score: u32 = mallory_row.split(',').nth(1).unwrap().parse().unwrap();
    assert!(mallory_score * 4 < max as u32, "the forger earned little: {mallory_row}\n{mallory}");
    // Its forged stdout reaches the checker's report only without a sandbox,
    // and then the report is not trusted.
    let oscar_row = row(&grades, "oscar");
    let oscar = class.read("oscar/feedback.md");
    assert!(
        oscar_row == format!("oscar,0,0,{max},crash") || oscar_row.ends_with(&format!(",{max},ok")),
        "{oscar_row}\n{oscar}"
    );
    let oscar_score: u32 = oscar_row.split(',').nth(1).unwrap().parse().unwrap();
    assert!(oscar_score * 4 < max as u32, "the forger earned little: {oscar_row}\n{oscar}");
    assert_eq!(row(&grades, "trudy"), format!("trudy,0,0,{max},ok"));
    assert!(row(&grades, "pat").ends_with(&format!(",{max},ok")), "{grades}");
    assert!(!grades.contains("9999") && !class.read("checks.csv").contains("9999"), "{grades}");

    assert!(mallory.contains("stopped without a result") || !mallory_row.ends_with("crash"), "{mallory}");
    assert!(oscar.contains("the report of this lesson was not trusted") || oscar_row.ends_with("ok"), "{oscar}");

    // Escape sequences are shown, not obeyed.
    let pat = class.read("pat/feedback.md");
    assert!(
        pat.contains(r"copy\x1b]52;c;Zm9yZ2Vk\x07title\x1b]0;pwned\x07clear\x1b[2Jover\rwritten \u{9b}31mC1\x7f"),
        "{pat}"
    );
    assert!(!pat.chars().any(|c| c.is_control() && c != '\n'), "no raw control character in feedback.md:\n{pat}");
    let results = class.read("pat/results.json");
    assert!(!results.contains("\\u001b") && !results.contains('\u{9b}'), "{results}");

    // Grading again: this time trudy finds her classmates' files from the
    // first run, and writes over them while the others are graded. The
    // files are written once every program has ended: the grader's stand.
    let files = ["grades.csv", "checks.csv", "alice/feedback.md", "alice/results.json"];
    let first: Vec<String> = files.iter().map(|f| class.read(f)).collect();
    class.grade(
        &["--lessons", "1", "--jobs", "2", "--allow-read", &fixture_path().display().to_string()],
        &[("SOCKETLINGS_SLOW", "0.5")],
    );
    for (file, before) in files.iter().zip(&first) {
        assert_eq!(&class.read(file), before, "{file} is the grader's");
    }
    let left = processes_under(class.dir.path());
    assert!(left.is_empty(), "processes outlived grade: {left:?}");
}

#[cfg(unix)]
#[test]
fn links_are_refused_and_a_missing_main_costs_one_lesson() {
    let class = Class::new();
    class.solved("alice", &[LESSON1.to_string()]);
    let alice = class.submissions().join("alice/exercises").join(LESSON1);
    // Bob's lesson folder is a link to alice's.
    std::fs::create_dir_all(class.submissions().join("bob/exercises")).unwrap();
    std::os::unix::fs::symlink(&alice, class.submissions().join("bob/exercises").join(LESSON1)).unwrap();
    // Carol's server.rs is a link to alice's.
    class.solved("carol", &[LESSON1.to_string()]);
    let carol = class.submissions().join("carol/exercises").join(LESSON1);
    std::fs::remove_file(carol.join("src/server.rs")).unwrap();
    std::os::unix::fs::symlink(alice.join("src/server.rs"), carol.join("src/server.rs")).unwrap();
    // Dan solved lesson 1, and his lesson 2 crate has no main.rs.
    let lesson2 = std::fs::read_dir(course().join("exercises"))
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .find(|name| name.starts_with("lesson02"))
        .expect("the course has lesson 2");
    class.solved("dan", &[LESSON1.to_string(), lesson2.clone()]);
    std::fs::remove_file(class.submissions().join("dan/exercises").join(&lesson2).join("src/main.rs")).unwrap();

    // Erin's lesson 2 crate keeps cargo from loading the workspace (two
    // binaries named `dup`): her lesson 1 is graded all the same.
    class.solved("erin", &[LESSON1.to_string(), lesson2.clone()]);
    let erin_bin = class.submissions().join("erin/exercises").join(&lesson2).join("src/bin");
    std::fs::create_dir_all(erin_bin.join("dup")).unwrap();
    std::fs::write(erin_bin.join("dup.rs"), "fn main() {}\n").unwrap();
    std::fs::write(erin_bin.join("dup/main.rs"), "fn main() {}\n").unwrap();

    class.grade(&["--lessons", "1,2"], &[]);
    let max = lesson1_max();
    let grades = class.read("grades.csv");
    assert!(row(&grades, "alice").starts_with(&format!("alice,{max},0,{max},")), "{grades}");
    assert!(row(&grades, "bob").starts_with("bob,0,0,0,"), "{grades}");
    assert!(row(&grades, "carol").starts_with("carol,0,0,0,"), "{grades}");
    assert!(row(&grades, "carol").ends_with(",build_error"), "{grades}");
    assert!(row(&grades, "dan").starts_with(&format!("dan,{max},0,{max},")), "lesson 1 is not lost: {grades}");
    assert!(row(&grades, "dan").ends_with(",build_error"), "{grades}");

    assert!(row(&grades, "erin").starts_with(&format!("erin,{max},0,{max},")), "lesson 1 is not lost: {grades}");
    let erin = class.read("erin/feedback.md");
    assert!(erin.contains("duplicate binary name"), "cargo's words: {erin}");

    let bob = class.read("bob/feedback.md");
    assert!(bob.contains(&format!("exercises/{LESSON1} is a symbolic link: links are not followed")), "{bob}");
    let carol = class.read("carol/feedback.md");
    assert!(
        carol.contains(&format!("exercises/{LESSON1}/src/server.rs is a symbolic link: links are not followed")),
        "{carol}"
    );
    let dan = class.read("dan/feedback.md");
    assert!(dan.contains(&format!("exercises/{lesson2} has no src/main.rs")), "{dan}");
}

#[test]
fn names_a_spreadsheet_would_run_are_text_and_dot_folders_are_listed() {
    let class = Class::new();
    for name in ["=1+1", "@SUM(A1:A2)", "-2", "+1", "grades.csv", "Zoe", "zoe", ".hidden"] {
        std::fs::create_dir_all(class.submissions().join(name).join("notes")).unwrap();
    }
    class.solved(".hidden", &[LESSON1.to_string()]);
    let out = class.grade(&["--lessons", "1"], &[]);
    let grades = class.read("grades.csv");
    let names: Vec<&str> = grades.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(names, ["'+1", "'-2", "'=1+1", "'@SUM(A1:A2)", "Zoe", "grades.csv", "zoe"], "{grades}");
    assert!(class.read("checks.csv").lines().skip(1).all(|l| l.starts_with(['\'', 'Z', 'z', 'g'])));

    // A student called grades.csv does not take the grader's file.
    assert!(class.out().join("grades.csv").is_file());
    assert!(class.read("grades.csv~2/feedback.md").contains("# Feedback: grades.csv"));
    // Names equal but for case get folders of their own.
    assert!(class.read("Zoe/feedback.md").contains("# Feedback: Zoe"));
    assert!(class.read("zoe~2/feedback.md").contains("# Feedback: zoe"));

    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Skipped `.hidden`"), "{stderr}");
    assert!(stdout.contains("Skipped (the name starts with `.`): `.hidden`"), "{stdout}");
    assert!(stdout.contains("The files of `grades.csv` are in `grades.csv~2`"), "{stdout}");
    assert!(!Path::new(&class.out().join(".hidden")).exists());
}

/// Whether this test runs as root (`Uid:` in /proc/self/status).
#[cfg(target_os = "linux")]
fn running_as_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("Uid:")).and_then(|ids| ids.split_whitespace().next()) == Some("0")
}

/// A program can open its parent's pipes through `/proc/PPID/fd/` when it
/// runs as the same user. The checker that `grade` runs (`--exe`) keeps
/// them out of reach: a program writing made-up reports into its stdout
/// gets none of them in. The same program against a plain run (`--cmd`)
/// shows that the attack works where nothing stops it.
#[cfg(target_os = "linux")]
#[test]
fn a_program_cannot_write_into_its_checkers_report() {
    use std::os::unix::fs::PermissionsExt;
    let as_root = running_as_root();
    if as_root && std::process::Command::new("setpriv").arg("--version").output().is_err() {
        eprintln!("skipped: running as root, and setpriv is not installed to run the checker as another user");
        return;
    }
    // Copies every user can run, in a folder every user can write.
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path();
    std::fs::set_permissions(bin, std::fs::Permissions::from_mode(0o777)).unwrap();
    let checker = bin.join("checker");
    std::fs::copy(assert_cmd::cargo::cargo_bin("checker"), &checker).unwrap();
    std::fs::copy(fixture_path(), bin.join("fixture")).unwrap();
    let forge = bin.join("forge");
    std::fs::write(&forge, format!("#!/bin/sh\nexec {} forge-report-quietly \"$@\"\n", bin.join("fixture").display()))
        .unwrap();
    for file in [&checker, &bin.join("fixture"), &forge] {
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let run = |how: &str| -> String {
        let out = bin.join(format!("{}.json", how.trim_start_matches('-')));
        let shell = format!(
            "{} lesson1 {how} {} --format json --root {} 2>/dev/null | cat > {}",
            checker.display(),
            forge.display(),
            course().display(),
            out.display()
        );
        let mut cmd = std::process::Command::new(if as_root { "setpriv" } else { "sh" });
        if as_root {
            cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups", "sh"]);
        }
        let status = cmd.arg("-c").arg(&shell).env("SOCKETLINGS_SLOW", "0.5").status().unwrap();
        assert!(status.success(), "{shell}");
        std::fs::read_to_string(&out).unwrap()
    };
    let plain = run("--cmd");
    if !plain.contains("9999") {
        eprintln!("skipped: this system keeps a program from its parent's pipes already");
        return;
    }
    let graded = run("--exe");
    assert!(!graded.contains("9999"), "a made-up report got into the checker's stdout:\n{graded}");
    let report: serde_json::Value = serde_json::from_str(&graded).expect("stdout is the checker's one report");
    assert_eq!(report["score"], 0);
}
