//! `grade`: a whole class at once.
//!
//! Each folder in SUBMISSIONS is one student's work. For each, the lesson
//! crates are built in a scratch workspace made of the course's own files
//! around the student's `src/` folders, and checked by the course's checker,
//! each lesson under a time limit, in a checker process that is stopped with
//! everything it started when the limit passes. Submissions are graded
//! `--jobs` at a time; whatever happens to one (it does not compile, hangs,
//! crashes the checks) becomes its row, and the batch goes on.
//!
//! Written to `--out`: `grades.csv` and `checks.csv` (see
//! [`report::gradebook`]), and for each student `feedback.md` and a
//! Gradescope `results.json`, all of them once every submission is graded
//! (no program of any student runs any more). Scratch workspaces and the
//! shared target folder live in `.grading/` inside it, so that grading again
//! is quick.
//!
//! Folders whose name starts with `.` are skipped, and said so. A student's
//! folder in the output has the student's name unless that would collide
//! with the grader's own files (`grades.csv`...) or with another student's
//! folder (names equal but for case): it then gets a suffix, said so too.
//!
//! - [`course`]: the course every submission is graded against;
//! - [`submission`]: finding a student's crates and laying out their workspace;
//! - [`grader`]: building and checking one submission.

mod course;
mod grader;
mod submission;

use crate::harness::process::interrupted;
use crate::harness::text::printable;
use crate::lessons::{Lesson, LESSONS};
use crate::report::{self, StudentReport, StudentStatus};
use anyhow::{bail, Context, Result};
use course::Course;
use grader::Grader;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

#[derive(clap::Args, Debug)]
#[command(after_help = "Example:\n  cargo run -p checker -- grade submissions/ --lessons 1-3 --out grades/")]
pub struct Args {
    /// The folder of submissions: one folder per student, named for them,
    /// holding their `exercises/` folder or a copy of the whole course.
    #[arg(value_name = "SUBMISSIONS")]
    submissions: PathBuf,

    /// The lessons to grade, e.g. `1,3-5`. By default, every lesson.
    #[arg(long, value_name = "LIST", value_parser = parse_lessons)]
    lessons: Option<LessonList>,

    /// Where to write grades.csv, checks.csv and a folder per student.
    #[arg(long, value_name = "DIR", default_value = "grades")]
    out: PathBuf,

    /// How many submissions to grade at the same time.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=64))]
    jobs: u16,

    /// Seconds one submission's build may take before it is stopped.
    #[arg(long, value_name = "SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..))]
    build_timeout: u64,

    /// Seconds one lesson's checks may take before they are stopped. By
    /// default each lesson gets enough for every one of its checks to wait
    /// out its deadlines and still report check by check: 6 s per check
    /// (scaled by SOCKETLINGS_SLOW) plus 20 s, e.g. 74 s for 9 checks.
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    lesson_timeout: Option<u64>,

    /// The cargo target folder every submission's build shares. By default,
    /// `.grading/target` inside the --out folder.
    #[arg(long, value_name = "DIR")]
    target_dir: Option<PathBuf>,

    /// Grade without the sandbox, where the kernel offers none (no
    /// Landlock): programs are still contained and limited, but can read and
    /// write what the grader can. Every student's feedback says so.
    #[arg(long)]
    no_sandbox: bool,
}

impl Args {
    /// `--no-sandbox` was given.
    pub fn no_sandbox(&self) -> bool {
        self.no_sandbox
    }
}

/// The note every student's feedback carries when grading ran unsandboxed.
const NO_SANDBOX_NOTE: &str = "Grading ran without a sandbox (--no-sandbox): your programs were contained and \
                               limited, but not kept from the rest of the machine.";

/// Stops with a clear message when the sandbox `grade` needs is missing;
/// returns the notes for every student's feedback.
fn sandbox_notes() -> Result<Vec<String>> {
    if crate::os::policy().mode == crate::os::Mode::Off {
        eprintln!("Grading without a sandbox (--no-sandbox): every student's feedback will say so.");
        return Ok(vec![NO_SANDBOX_NOTE.to_string()]);
    }
    let support = crate::os::support();
    if !support.sandbox {
        bail!(
            "this machine cannot sandbox the students' programs: it lacks {}.\nRun grade on Linux 6.12 or \
             later (Landlock ABI 6), or pass --no-sandbox to grade without a sandbox (each student's feedback \
             will say so).",
            support.missing.join("; and ")
        );
    }
    eprintln!("Sandbox: Landlock ABI {}; programs contained by {}.", support.landlock_abi, support.containment);
    Ok(Vec::new())
}

/// The lesson numbers given with `--lessons`.
#[derive(Clone, Debug)]
struct LessonList(Vec<u8>);

/// `1,3-5` → [1, 3, 4, 5].
fn parse_lessons(list: &str) -> Result<LessonList, String> {
    let mut numbers = Vec::new();
    for item in list.split(',').map(str::trim).filter(|item| !item.is_empty()) {
        let number = |text: &str| {
            let text = text.trim();
            let digits = text.strip_prefix("lesson").unwrap_or(text);
            digits.parse::<u8>().map_err(|_| format!("`{text}` is not a lesson number (write e.g. `1,3-5`)"))
        };
        match item.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (number(from)?, number(to)?);
                if from > to {
                    return Err(format!("`{item}` is an empty range"));
                }
                numbers.extend(from..=to);
            }
            None => numbers.push(number(item)?),
        }
    }
    if numbers.is_empty() {
        return Err("name at least one lesson, e.g. `1,3-5`".to_string());
    }
    Ok(LessonList(numbers))
}

/// Keeps the programs being checked out of this process: on Linux, no
/// process of the same user (without `CAP_SYS_PTRACE`) can then trace it,
/// read its memory or open its files through `/proc/PID/fd`, such as the
/// pipe a child checker prints its report on. The grader and each child
/// checker it runs call this first. (A program's own process, once it has
/// started, is dumpable again: this changes nothing for it.)
#[cfg(target_os = "linux")]
pub fn keep_programs_out() {
    let _ = nix::sys::prctl::set_dumpable(false);
}

#[cfg(not(target_os = "linux"))]
pub fn keep_programs_out() {}

/// Grades every submission and writes the files; the exit status is 0 once
/// every submission has its row, whatever the scores.
pub fn grade(root: &Path, args: &Args) -> Result<u8> {
    keep_programs_out();
    let lessons = selected_lessons(root, args.lessons.as_ref().map(|list| list.0.as_slice()))?;
    let ids: Vec<String> = lessons.iter().map(|l| l.id()).collect();
    let out = &args.out;
    let (mut students, skipped) = submissions(&args.submissions, out)?;
    for name in &skipped {
        eprintln!("Skipped `{}`: a folder whose name starts with `.` is not a submission.", printable(name));
    }
    let renamed = name_outputs(&mut students);
    let course = Course::read(root, lessons)?;
    let notes = sandbox_notes()?;
    std::fs::create_dir_all(out).with_context(|| format!("Failed to create the output folder {}", out.display()))?;
    let grading = out.join(".grading");
    let grader = Grader {
        course,
        checker: std::env::current_exe().context("Failed to find the checker's own executable")?,
        work: absolute(&grading.join("work"))?,
        target_dir: absolute(&args.target_dir.clone().unwrap_or_else(|| grading.join("target")))?,
        build_limit: Duration::from_secs(args.build_timeout),
        lesson_limit: args.lesson_timeout.map(Duration::from_secs),
        build_lock: Mutex::new(()),
    };
    let progress = Progress::new(students.len());
    let reports = grade_all(&grader, &students, usize::from(args.jobs), &progress, &notes);
    progress.finish();
    if interrupted() {
        bail!("interrupted: grades.csv and checks.csv were not written");
    }
    // Every student's checks have ended: only now are the files written.
    let errors: Vec<String> =
        reports.iter().filter_map(|report| write_student(out, report).err()).map(|e| format!("{e:#}")).collect();
    write_file(&out.join("grades.csv"), report::gradebook::grades(&reports, &ids)?.as_bytes())?;
    write_file(&out.join("checks.csv"), report::gradebook::checks(&reports)?.as_bytes())?;
    if !errors.is_empty() {
        bail!("the grades are written, but some students' files are not:\n{}", printable(&errors.join("\n")));
    }
    println!("{}", summary(&reports, out, &skipped, &renamed));
    Ok(0)
}

/// The lessons `--lessons` names; by default every lesson the course has a
/// crate for (a course still being written may have checks before crates).
fn selected_lessons(root: &Path, numbers: Option<&[u8]>) -> Result<Vec<&'static Lesson>> {
    let Some(numbers) = numbers else {
        let (present, absent): (Vec<&Lesson>, Vec<&Lesson>) =
            LESSONS.iter().partition(|lesson| course::has_crate(root, lesson));
        for lesson in absent {
            eprintln!("Lesson {} is not graded: the course has no {} crate.", lesson.number, lesson.exercise_dir());
        }
        if present.is_empty() {
            bail!("the course at {} has no lesson crates under exercises/", root.display());
        }
        return Ok(present);
    };
    if let Some(unknown) = numbers.iter().find(|&&n| !LESSONS.iter().any(|l| l.number == n)) {
        let known: Vec<String> = LESSONS.iter().map(|l| l.number.to_string()).collect();
        bail!("there is no lesson {unknown}: the lessons are {}", known.join(", "));
    }
    Ok(LESSONS.iter().copied().filter(|l| numbers.contains(&l.number)).collect())
}

/// One submission: the student's name (the folder's), the folder holding
/// the student's files in the output, and the submission's folder.
struct Student {
    name: String,
    folder: String,
    path: PathBuf,
}

/// The students' folders, sorted by name (`out` left out), and the folders
/// skipped because their name starts with `.`.
fn submissions(dir: &Path, out: &Path) -> Result<(Vec<Student>, Vec<String>)> {
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("Failed to read the submissions folder {}", dir.display()))?;
    let out = out.canonicalize().ok();
    let mut students = Vec::new();
    let mut skipped = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("Failed to read {}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if !path.is_dir() || path.canonicalize().ok() == out {
            continue;
        }
        if name.starts_with('.') {
            skipped.push(name);
            continue;
        }
        students.push(Student { folder: name.clone(), name, path });
    }
    students.sort_by(|a, b| (&a.name, &a.path).cmp(&(&b.name, &b.path)));
    skipped.sort();
    if students.is_empty() {
        bail!("{} holds no submissions: it should hold one folder per student", dir.display());
    }
    Ok((students, skipped))
}

/// The grader's own names in the output folder, which no student's folder takes.
const OUTPUTS: &[&str] = &["grades.csv", "checks.csv"];

/// Gives each student a folder name of their own in the output: their name,
/// or, when it is one of [`OUTPUTS`] or already taken (names equal but for
/// case, or for bytes that are not UTF-8), their name with `~2`, `~3`...
/// Returns what was renamed, as (name, folder).
fn name_outputs(students: &mut [Student]) -> Vec<(String, String)> {
    let mut taken: Vec<String> = OUTPUTS.iter().map(|o| o.to_lowercase()).collect();
    let mut renamed = Vec::new();
    for student in students.iter_mut() {
        let mut folder = student.name.clone();
        let mut n = 1;
        while taken.contains(&folder.to_lowercase()) {
            n += 1;
            folder = format!("{}~{n}", student.name);
        }
        taken.push(folder.to_lowercase());
        if folder != student.name {
            eprintln!(
                "The files of `{}` are in the folder `{}`: its name is taken by {}.",
                printable(&student.name),
                printable(&folder),
                if OUTPUTS.contains(&student.name.to_lowercase().as_str()) {
                    "a file of the grader"
                } else {
                    "another student"
                }
            );
            renamed.push((student.name.clone(), folder.clone()));
        }
        student.folder = folder;
    }
    renamed
}

/// Grades `students`, `jobs` at a time. Reports come back in the order of
/// `students` (none, for students not graded when grading was interrupted).
fn grade_all(
    grader: &Grader,
    students: &[Student],
    jobs: usize,
    progress: &Progress,
    notes: &[String],
) -> Vec<StudentReport> {
    let next = AtomicUsize::new(0);
    let reports: Mutex<Vec<Option<StudentReport>>> = Mutex::new(students.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(students.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(student) = students.get(i) else { return };
                progress.start(&student.name);
                let mut report = grader.grade(&student.name, &student.folder, &student.path);
                report.notes.extend(notes.iter().cloned());
                // Interrupted: what came back is not a grade, keep nothing.
                if interrupted() {
                    return;
                }
                progress.done(&report);
                reports.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(report);
            });
        }
    });
    let reports = reports.into_inner().unwrap_or_else(|e| e.into_inner());
    // Every submission has its report, unless grading was interrupted.
    reports.into_iter().flatten().collect()
}

/// `feedback.md` and `results.json` in the student's folder. Whatever was
/// there (from an earlier run, or put there by anyone) is replaced.
fn write_student(out: &Path, student: &StudentReport) -> Result<()> {
    let dir = out.join(&student.folder);
    if std::fs::symlink_metadata(&dir).is_ok_and(|m| !m.is_dir()) {
        std::fs::remove_file(&dir).with_context(|| format!("Failed to replace {}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("Failed to create {}", dir.display()))?;
    let feedback = report::feedback::render(student);
    write_file(&dir.join("feedback.md"), feedback.as_bytes())?;
    let results = report::gradescope::render(&student.report, None, &student.notes);
    write_file(&dir.join("results.json"), results.as_bytes())
}

/// Writes `path` afresh: a link or anything else already there is removed
/// first, never written through.
fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if std::fs::symlink_metadata(path).is_ok() {
        let _ = std::fs::remove_file(path);
    }
    std::fs::write(path, bytes).with_context(|| format!("Failed to write {}", path.display()))
}

fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path).with_context(|| format!("Failed to make {} absolute", path.display()))
}

/// "4 submissions graded: 2 ok, 1 build_error, 1 timeout. Wrote grades/grades.csv…"
/// and the folders skipped or renamed.
fn summary(reports: &[StudentReport], out: &Path, skipped: &[String], renamed: &[(String, String)]) -> String {
    let mut counts: Vec<(StudentStatus, usize)> = Vec::new();
    for report in reports {
        match counts.iter_mut().find(|(status, _)| *status == report.status) {
            Some((_, n)) => *n += 1,
            None => counts.push((report.status, 1)),
        }
    }
    counts.sort();
    let counts: Vec<String> = counts.iter().map(|(status, n)| format!("{n} {}", status.as_str())).collect();
    let mut text = format!(
        "{} submissions graded: {}.\nWrote {}, {} and a folder per student (feedback.md, results.json).",
        reports.len(),
        counts.join(", "),
        out.join("grades.csv").display(),
        out.join("checks.csv").display()
    );
    if !skipped.is_empty() {
        let names: Vec<String> = skipped.iter().map(|name| format!("`{}`", printable(name))).collect();
        text.push_str(&format!("\nSkipped (the name starts with `.`): {}.", names.join(", ")));
    }
    for (name, folder) in renamed {
        text.push_str(&format!("\nThe files of `{}` are in `{}`.", printable(name), printable(folder)));
    }
    text
}

/// A progress bar on a terminal; plain lines on stderr otherwise.
struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
    done: AtomicUsize,
}

impl Progress {
    fn new(total: usize) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {wide_msg}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress { bar, total, done: AtomicUsize::new(0) }
    }

    fn start(&self, student: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("grading {}", printable(student)));
        }
    }

    fn done(&self, student: &StudentReport) {
        let n = self.done.fetch_add(1, Ordering::SeqCst) + 1;
        let line = format!(
            "[{n}/{}] {}: {}/{} points, {}",
            self.total,
            printable(&student.student),
            student.report.score,
            student.report.max_score,
            student.status.as_str()
        );
        match &self.bar {
            Some(bar) => {
                bar.println(line);
                bar.inc(1);
            }
            None => eprintln!("{line}"),
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_lessons;

    #[test]
    fn lesson_lists_take_numbers_and_ranges() {
        assert_eq!(parse_lessons("1,3-5").map(|l| l.0), Ok(vec![1, 3, 4, 5]));
        assert_eq!(parse_lessons("lesson2").map(|l| l.0), Ok(vec![2]));
        assert!(parse_lessons("5-3").is_err());
        assert!(parse_lessons("x").is_err());
        assert!(parse_lessons("").is_err());
    }
}
