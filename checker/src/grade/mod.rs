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
//! - [`grader`]: building and checking one submission;
//! - [`trust`]: whether a child checker's report can be trusted;
//! - [`args`]: the command line of `grade`;
//! - [`progress`]: the progress bar and the summary at the end.

mod args;
mod course;
mod grader;
mod progress;
mod submission;
mod trust;

use args::sandbox_notes;
pub use args::Args;
use progress::{summary, Progress};

use crate::harness::process::interrupted;
use crate::harness::text::printable;
use crate::lessons::{Lesson, LESSONS};
use crate::report::{self, StudentReport};
use anyhow::{bail, Context, Result};
use course::Course;
use grader::Grader;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

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
