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
//! `--exe` and `--format json`) is a [`Program`] with a grace period: on
//! SIGTERM its handler kills the process groups of the programs it started,
//! then it exits; SIGKILL follows after the grace period. A crash of the
//! checks cannot take the batch down either: it becomes a row.
//!
//! The lesson's report comes back on the child checker's stdout, a pipe
//! that the programs it checks never get (theirs are its own pipes), rather
//! than in a file whose name they could read on its command line. It counts
//! only if the child checker exited by itself, and only once [`validate`](super::trust::validate)d
//! against the course's registry: the lesson and its checks, in order, each
//! within its points, the score their sum. Anything else scores 0, "not
//! trusted".

use super::course::Course;
use super::submission::{self, Found, Work};
use super::trust::read_report;
use crate::build::{self, Build};
use crate::harness::{describe_status, Program, Timing};
use crate::lessons::Lesson;
use crate::os::Grants;
use crate::report::{LessonReport, LessonStatus, Report, StudentReport, StudentStatus};
use crate::run;
use anyhow::{Context, Result};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a child checker has to stop its programs after SIGTERM.
const CHILD_GRACE: Duration = Duration::from_secs(2);

/// Lines of a crashed checker's stderr kept in the feedback.
const STDERR_LINES: usize = 20;

/// How long one check may take at most, at `SOCKETLINGS_SLOW=1`: a program
/// that never listens makes a check wait out the start deadline (3 s), one
/// that never answers the reply deadline (1 s), one that never exits the
/// exit deadline (2 s).
pub const CHECK_BUDGET_MS: u64 = 6000;

/// Added to each lesson's limit: starting the checker, and a loaded machine.
pub const LESSON_MARGIN: Duration = Duration::from_secs(20);

/// How long `lesson`'s checks may take by default: long enough for every
/// check to wait out its deadlines and still report, check by check.
pub fn lesson_limit(lesson: &Lesson) -> Duration {
    let per_check = Timing::from_env().ms(CHECK_BUDGET_MS);
    per_check * u32::try_from(lesson.checks.len()).unwrap_or(u32::MAX) + LESSON_MARGIN
}

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
    /// `--lesson-timeout`: every lesson's limit; `None`: each lesson's own
    /// ([`lesson_limit`]).
    pub lesson_limit: Option<Duration>,
    /// One build at a time: cargo would wait for the target folder anyway,
    /// and an executable must be linked out before the next build.
    pub build_lock: Mutex<()>,
}

impl Grader {
    /// Grades the submission in `dir`; whatever happens, a report comes back.
    /// `folder` is the student's own name among the outputs and scratch
    /// folders (unique, unlike `student`, which is how the row reads).
    pub fn grade(&self, student: &str, folder: &str, dir: &Path) -> StudentReport {
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| self.try_grade(student, folder, dir)));
        let error = match outcome {
            Ok(Ok(report)) => return report,
            Ok(Err(err)) => format!("The grader could not handle this submission: {err:#}"),
            Err(_) => "The grader failed on this submission (a bug in the checker).".to_string(),
        };
        let lessons = self.not_run_all(LessonStatus::Crashed, &error);
        StudentReport {
            student: student.to_string(),
            folder: folder.to_string(),
            status: StudentStatus::Crash,
            notes: vec![error],
            report: Report::new(lessons),
        }
    }

    fn try_grade(&self, student: &str, folder: &str, dir: &Path) -> Result<StudentReport> {
        let Some(mut work) = submission::find(&self.course, dir) else {
            let error = "No lesson crates were found: the submission should hold `exercises/lessonNN-…/src/` \
                         (or a copy of the whole course).";
            let lessons = self.not_run_all(LessonStatus::Missing, error);
            return Ok(StudentReport {
                student: student.to_string(),
                folder: folder.to_string(),
                status: StudentStatus::Missing,
                notes: vec![error.to_string()],
                report: Report::new(lessons),
            });
        };
        let scratch = self.work.join(folder);
        let (packages, refused) = submission::prepare(&self.course, folder, &scratch, &work)?;
        work.notes.extend(refused);
        let builds = if packages.is_empty() { Vec::new() } else { self.build(folder, &scratch, &work)? };
        let lessons = self.check_lessons(folder, &work, &builds);
        Ok(StudentReport {
            student: student.to_string(),
            folder: folder.to_string(),
            status: StudentStatus::of(&lessons),
            notes: work.notes,
            report: Report::new(lessons),
        })
    }

    fn check_lessons(&self, tag: &str, work: &Work, builds: &[(Vec<String>, Build)]) -> Vec<LessonReport> {
        work.crates
            .iter()
            .map(|(lesson, found)| {
                let bin = Course::bin_name(lesson, tag);
                if let Found::Absent { status, why } = found {
                    return not_run(lesson, *status, why);
                }
                let package = lesson.package(false);
                let built = builds.iter().find(|(packages, _)| packages.contains(&package)).map(|(_, built)| built);
                match built {
                    Some(built) if built.timed_out => not_run(lesson, LessonStatus::TimedOut, &built.messages),
                    Some(built) => match built.executables.get(&bin) {
                        Some(exe) => self.check(lesson, exe),
                        // The student reads the binary's name as the course spells it.
                        None => not_run(
                            lesson,
                            LessonStatus::BuildFailed,
                            &built.messages_for(&bin).replace(&bin, &lesson.package(false)),
                        ),
                    },
                    None => not_run(lesson, LessonStatus::BuildFailed, "The grader did not build this lesson."),
                }
            })
            .collect()
    }

    /// Builds the found crates in the shared target folder and links each
    /// lesson's executable into `scratch/bin`, under the lesson's package
    /// name. When cargo cannot load the workspace at all (one crate keeps it
    /// from it), each crate is built again on its own, so that the others
    /// are not lost with it.
    /// Returns each build with the packages it built.
    fn build(&self, tag: &str, scratch: &Path, work: &Work) -> Result<Vec<(Vec<String>, Build)>> {
        let _one_at_a_time = self.build_lock.lock().unwrap_or_else(|e| e.into_inner());
        let started = Instant::now();
        // The build reads the student's own workspace (the course's
        // manifests around their sources) and writes there and in the
        // shared target folder: nothing else of the course or the class.
        // Made here: cargo would make it beside itself, outside the sandbox.
        std::fs::create_dir_all(&self.target_dir)
            .with_context(|| format!("Failed to create {}", self.target_dir.display()))?;
        // Cargo also reads every `.cargo/config.toml` from its working folder
        // up: the course's own may be among them (a file it cannot read stops
        // it), and the course's is the instructor's, not a student's.
        let mut read = vec![scratch.to_path_buf()];
        read.extend(cargo_configs(&self.course.root));
        let grants = Grants { read, write: vec![scratch.to_path_buf(), self.target_dir.clone()] };
        let lessons: Vec<&Lesson> =
            work.crates.iter().filter(|(_, found)| matches!(found, Found::Crate(_))).map(|(l, _)| *l).collect();
        let packages: Vec<String> = lessons.iter().map(|l| l.package(false)).collect();
        let settings = build::Settings {
            color: false,
            target_dir: Some(&self.target_dir),
            limit: self.build_limit,
            sandbox: Some(grants),
        };
        let built = build::build(scratch, &packages, &settings)?;
        let unbuilt = |built: &Build, lesson: &Lesson| {
            let bin = Course::bin_name(lesson, tag);
            !built.executables.contains_key(&bin) && !built.diagnostics.contains_key(&bin)
        };
        let mut builds = vec![(packages.clone(), built)];
        if lessons.len() > 1 && !builds[0].1.timed_out && lessons.iter().all(|l| unbuilt(&builds[0].1, l)) {
            builds.clear();
            for lesson in &lessons {
                let limit = self.build_limit.saturating_sub(started.elapsed()).max(Duration::from_secs(1));
                submission::set_members(&self.course, scratch, &[submission::member(lesson)])?;
                let settings = build::Settings { limit, sandbox: settings.sandbox.clone(), ..settings };
                let package = lesson.package(false);
                let built = build::build(scratch, std::slice::from_ref(&package), &settings)?;
                builds.push((vec![package], built));
            }
        }
        let bin = scratch.join("bin");
        let _ = std::fs::remove_dir_all(&bin);
        std::fs::create_dir_all(&bin).with_context(|| format!("Failed to create {}", bin.display()))?;
        for (_, built) in &mut builds {
            for lesson in &self.course.lessons {
                let Some(exe) = built.executables.get_mut(&Course::bin_name(lesson, tag)) else { continue };
                let own = bin.join(lesson.package(false));
                // A hard link needs no open file (a copy being written cannot be
                // run while another thread starts a process); copy across devices.
                std::fs::hard_link(&*exe, &own)
                    .or_else(|_| std::fs::copy(&*exe, &own).map(drop))
                    .with_context(|| format!("Failed to link {} into {}", exe.display(), bin.display()))?;
                *exe = own;
            }
        }
        Ok(builds)
    }

    /// Runs `lesson`'s checks against `exe` in a checker of its own, and
    /// takes its report from the checker's stdout.
    fn check(&self, lesson: &Lesson, exe: &Path) -> LessonReport {
        let path = |p: &Path| p.to_string_lossy().into_owned();
        let mut argv = vec![
            path(&self.checker),
            lesson.id(),
            "--format".to_string(),
            "json".to_string(),
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
        let limit = self.lesson_limit.unwrap_or_else(|| lesson_limit(lesson));
        let Some(status) = checker.wait_exit(limit) else {
            // Dropping the checker stops it and every program it started.
            drop(checker);
            let error = format!(
                "The checks did not finish within {} s (--lesson-timeout) and were stopped, with every \
                 program they had started.",
                limit.as_secs()
            );
            return not_run(lesson, LessonStatus::TimedOut, &error);
        };
        checker.stdout().wait_closed(Duration::from_secs(1));
        let (stdout, dropped) = checker.stdout().snapshot();
        // Only a checker that ended by itself (0, 1 or 2) wrote a whole report.
        let report = match status.code() {
            Some(0..=2) if !stdout.is_empty() => Some(if dropped > 0 {
                Err(format!("it is longer than the {} bytes the grader reads", stdout.len()))
            } else {
                read_report(&stdout, lesson)
            }),
            _ => None,
        };
        match report {
            Some(Ok(report)) => report,
            Some(Err(why)) => not_run(
                lesson,
                LessonStatus::Untrusted,
                &format!("The report of this lesson was not trusted: {why}. The lesson scores 0."),
            ),
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

/// The cargo configuration folders (`.cargo/`) of the course and the folders
/// above it, and of the working folder and those above it: cargo reads them
/// all, wherever a build starts from.
fn cargo_configs(course: &Path) -> Vec<std::path::PathBuf> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut found: Vec<std::path::PathBuf> =
        course.ancestors().chain(cwd.ancestors()).map(|dir| dir.join(".cargo")).filter(|dir| dir.is_dir()).collect();
    found.dedup();
    found
}

/// The sandbox and limits of this grader, for a child checker's command line.
fn sandbox_args() -> Vec<String> {
    let policy = crate::os::policy();
    let kib = |bytes: u64| format!("{}K", bytes / 1024);
    let allowed = crate::os::allowed();
    let passed_on =
        allowed.read.iter().map(|p| ("--allow-read", p)).chain(allowed.write.iter().map(|p| ("--allow-write", p)));
    let mut args: Vec<String> =
        passed_on.flat_map(|(flag, path)| [flag.to_string(), path.display().to_string()]).collect();
    args.extend([
        "--sandbox".to_string(),
        policy.mode.as_str().to_string(),
        "--memory-limit".to_string(),
        kib(policy.limits.memory),
        "--process-limit".to_string(),
        policy.limits.processes.to_string(),
        "--file-size-limit".to_string(),
        kib(policy.limits.file_size),
    ]);
    args
}

pub(super) fn not_run(lesson: &Lesson, status: LessonStatus, error: &str) -> LessonReport {
    let source = lesson.exercise_dir();
    let program = format!("{} (built from {source})", lesson.package(false));
    run::not_run(lesson, program, Some(source), status, error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::LESSONS;

    #[test]
    fn each_lesson_has_time_for_every_check_to_time_out() {
        for lesson in LESSONS {
            let limit = lesson_limit(lesson);
            assert!(limit >= Duration::from_secs(3 * lesson.checks.len() as u64) + LESSON_MARGIN, "{}", lesson.id());
        }
    }
}
