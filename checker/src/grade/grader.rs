//! Grading one submission: lay out its scratch workspace, build it, then run
//! each lesson's checks in a checker process of its own.
//!
//! Builds run one at a time, in a target folder every submission shares (so
//! dependencies compile once); each executable is then linked into the
//! submission's own `bin/`, where the next build cannot replace it.
//!
//! Why a checker process per lesson rather than a thread: a lesson that goes
//! over its time limit must be stopped with every program it started, and a
//! thread cannot be stopped. The child checker (this same executable, with
//! `--exe` and `--format json --output FILE`) is a [`Program`] with a grace
//! period: on SIGTERM its handler kills the process groups of the programs
//! it started, then it exits; SIGKILL follows after the grace period. A
//! crash of the checks cannot take the batch down either: it becomes a row.

use super::course::Course;
use super::submission::{self, Work};
use crate::build::{self, Build};
use crate::harness::{describe_status, Program};
use crate::lessons::Lesson;
use crate::os::Grants;
use crate::report::{LessonReport, LessonStatus, Report, StudentReport, StudentStatus};
use crate::run;
use anyhow::{Context, Result};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// How long a child checker has to stop its programs after SIGTERM.
const CHILD_GRACE: Duration = Duration::from_secs(2);

/// Lines of a crashed checker's stderr kept in the feedback.
const STDERR_LINES: usize = 20;

/// Everything shared by the grading of every submission.
pub struct Grader {
    pub course: Course,
    /// This executable: the checker run for each lesson.
    pub checker: PathBuf,
    /// Where the scratch workspaces live (one folder per student).
    pub work: PathBuf,
    /// The target folder all builds share.
    pub target_dir: PathBuf,
    pub build_limit: Duration,
    pub lesson_limit: Duration,
    /// One build at a time: cargo would wait for the target folder anyway,
    /// and an executable must be linked out before the next build.
    pub build_lock: Mutex<()>,
}

impl Grader {
    /// Grades the submission in `dir`; whatever happens, a report comes back.
    pub fn grade(&self, student: &str, dir: &Path) -> StudentReport {
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| self.try_grade(student, dir)));
        let error = match outcome {
            Ok(Ok(report)) => return report,
            Ok(Err(err)) => format!("The grader could not handle this submission: {err:#}"),
            Err(_) => "The grader failed on this submission (a bug in the checker).".to_string(),
        };
        let lessons = self.not_run_all(LessonStatus::Crashed, &error);
        StudentReport {
            student: student.to_string(),
            status: StudentStatus::Crash,
            notes: vec![error],
            report: Report::new(lessons),
        }
    }

    fn try_grade(&self, student: &str, dir: &Path) -> Result<StudentReport> {
        let Some(work) = submission::find(&self.course, dir) else {
            let error = "No lesson crates were found: the submission should hold `exercises/lessonNN-…/src/` \
                         (or a copy of the whole course).";
            let lessons = self.not_run_all(LessonStatus::Missing, error);
            return Ok(StudentReport {
                student: student.to_string(),
                status: StudentStatus::Missing,
                notes: vec![error.to_string()],
                report: Report::new(lessons),
            });
        };
        let scratch = self.work.join(student);
        let packages = submission::prepare(&self.course, student, &scratch, &work)?;
        let built = if packages.is_empty() { None } else { Some(self.build(student, &scratch, &packages)?) };
        let lessons = self.check_lessons(student, &work, built.as_ref(), &scratch);
        Ok(StudentReport {
            student: student.to_string(),
            status: StudentStatus::of(&lessons),
            notes: work.notes,
            report: Report::new(lessons),
        })
    }

    fn check_lessons(&self, student: &str, work: &Work, built: Option<&Build>, scratch: &Path) -> Vec<LessonReport> {
        work.crates
            .iter()
            .map(|&(lesson, ref found)| {
                let bin = Course::bin_name(lesson, student);
                match (found, built) {
                    (Some(_), Some(built)) if built.timed_out => {
                        not_run(lesson, LessonStatus::TimedOut, &built.messages)
                    }
                    (Some(_), Some(built)) => match built.executables.get(&bin) {
                        Some(exe) => self.check(lesson, exe, scratch),
                        // The student reads the binary's name as the course spells it.
                        None => not_run(
                            lesson,
                            LessonStatus::BuildFailed,
                            &built.messages_for(&bin).replace(&bin, &lesson.package(false)),
                        ),
                    },
                    _ => not_run(
                        lesson,
                        LessonStatus::Missing,
                        &format!("The submission has no folder exercises/{} (with a src/ inside).", lesson.folder()),
                    ),
                }
            })
            .collect()
    }

    /// Builds `packages` in the shared target folder and links each lesson's
    /// executable into `scratch/bin`, under the lesson's package name.
    fn build(&self, student: &str, scratch: &Path, packages: &[String]) -> Result<Build> {
        let _one_at_a_time = self.build_lock.lock().unwrap_or_else(|e| e.into_inner());
        // The build reads the student's own workspace (the course's
        // manifests around their sources) and writes there and in the
        // shared target folder: nothing else of the course or the class.
        // Made here: cargo would make it beside itself, outside the sandbox.
        std::fs::create_dir_all(&self.target_dir)
            .with_context(|| format!("Failed to create {}", self.target_dir.display()))?;
        let grants =
            Grants { read: vec![scratch.to_path_buf()], write: vec![scratch.to_path_buf(), self.target_dir.clone()] };
        let settings = build::Settings {
            color: false,
            target_dir: Some(&self.target_dir),
            limit: self.build_limit,
            sandbox: Some(grants),
        };
        let mut built = build::build(scratch, packages, &settings)?;
        let bin = scratch.join("bin");
        let _ = std::fs::remove_dir_all(&bin);
        std::fs::create_dir_all(&bin).with_context(|| format!("Failed to create {}", bin.display()))?;
        for lesson in &self.course.lessons {
            let Some(exe) = built.executables.get_mut(&Course::bin_name(lesson, student)) else { continue };
            let own = bin.join(lesson.package(false));
            // A hard link needs no open file (a copy being written cannot be
            // run while another thread starts a process); copy across devices.
            std::fs::hard_link(&*exe, &own)
                .or_else(|_| std::fs::copy(&*exe, &own).map(drop))
                .with_context(|| format!("Failed to link {} into {}", exe.display(), bin.display()))?;
            *exe = own;
        }
        Ok(built)
    }

    /// Runs `lesson`'s checks against `exe` in a checker of its own.
    fn check(&self, lesson: &Lesson, exe: &Path, scratch: &Path) -> LessonReport {
        let reports = scratch.join("reports");
        let file = reports.join(format!("{}.json", lesson.id()));
        let _ = std::fs::remove_file(&file);
        let _ = std::fs::create_dir_all(&reports);
        let path = |p: &Path| p.to_string_lossy().into_owned();
        let mut argv = vec![
            path(&self.checker),
            lesson.id(),
            "--format".to_string(),
            "json".to_string(),
            "--output".to_string(),
            path(&file),
            "--exe".to_string(),
            path(exe),
            "--root".to_string(),
            path(&self.course.root),
        ];
        argv.extend(sandbox_args());
        let mut checker = match Program::spawn("checker", &argv, false) {
            Ok(program) => program.with_grace(CHILD_GRACE),
            Err(err) => return not_run(lesson, LessonStatus::Crashed, &format!("The checker could not start: {err}")),
        };
        let Some(status) = checker.wait_exit(self.lesson_limit) else {
            // Dropping the checker stops it and every program it started.
            drop(checker);
            let error = format!(
                "The checks did not finish within {} s (--lesson-timeout) and were stopped, with every \
                 program they had started.",
                self.lesson_limit.as_secs()
            );
            return not_run(lesson, LessonStatus::TimedOut, &error);
        };
        match read_report(&file, lesson) {
            Some(report) => report,
            None => {
                let (stderr, _) = checker.stderr().snapshot();
                let stderr = String::from_utf8_lossy(&stderr);
                let lines: Vec<&str> = stderr.lines().collect();
                let tail = lines[lines.len().saturating_sub(STDERR_LINES)..].join("\n");
                let error =
                    format!("The checks stopped without a result: the checker {}.\n{tail}", describe_status(status));
                not_run(lesson, LessonStatus::Crashed, error.trim_end())
            }
        }
    }

    fn not_run_all(&self, status: LessonStatus, error: &str) -> Vec<LessonReport> {
        self.course.lessons.iter().map(|lesson| not_run(lesson, status, error)).collect()
    }
}

/// The sandbox and limits of this grader, for a child checker's command line.
fn sandbox_args() -> Vec<String> {
    let policy = crate::os::policy();
    let kib = |bytes: u64| format!("{}K", bytes / 1024);
    vec![
        "--sandbox".to_string(),
        policy.mode.as_str().to_string(),
        "--memory-limit".to_string(),
        kib(policy.limits.memory),
        "--process-limit".to_string(),
        policy.limits.processes.to_string(),
        "--file-size-limit".to_string(),
        kib(policy.limits.file_size),
    ]
}

/// The lesson's report written by a child checker, if it wrote one.
fn read_report(file: &Path, lesson: &Lesson) -> Option<LessonReport> {
    let text = std::fs::read_to_string(file).ok()?;
    let report: Report = serde_json::from_str(&text).ok()?;
    report.lessons.into_iter().next().filter(|l| l.number == lesson.number)
}

fn not_run(lesson: &Lesson, status: LessonStatus, error: &str) -> LessonReport {
    let source = format!("exercises/{}", lesson.folder());
    let program = format!("{} (built from {source})", lesson.package(false));
    run::not_run(lesson, program, Some(source), status, error.to_string())
}
