//! The report: data first, then one renderer per format.
//!
//! A run produces a [`Report`]: one [`LessonReport`] per lesson checked, each
//! with a [`CheckReport`] per check. Renderers only read it:
//! - [`human`]: colour (when the terminal allows), ✓/✗, transcript, hint;
//! - [`json`]: one JSON document for scripts and graders (and read back by
//!   `grade`, which runs each lesson in a checker of its own);
//! - [`junit`]: JUnit XML, for CI systems;
//! - [`gradescope`]: Gradescope's `results.json`;
//! - [`feedback`]: one student's Markdown feedback (`grade`);
//! - [`gradebook`]: the CSV files of a class (`grade`).

pub mod feedback;
pub mod gradebook;
pub mod gradescope;
pub mod human;
pub mod json;
pub mod junit;

use crate::harness::transcript::Entry;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
pub struct Report {
    pub score: u32,
    pub max_score: u32,
    pub passed: bool,
    pub lessons: Vec<LessonReport>,
}

impl Report {
    pub fn new(lessons: Vec<LessonReport>) -> Report {
        Report {
            score: lessons.iter().map(|l| l.score).sum(),
            max_score: lessons.iter().map(|l| l.max_score).sum(),
            passed: lessons.iter().all(LessonReport::passed),
            lessons,
        }
    }

    /// 0 all checks passed; 1 a check failed; 2 a program could not be built or run.
    pub fn exit_code(&self) -> u8 {
        if self.lessons.iter().any(|l| l.status != LessonStatus::Checked) {
            2
        } else if self.passed {
            0
        } else {
            1
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LessonStatus {
    /// The checks ran (whatever their results).
    Checked,
    /// The crate did not compile.
    BuildFailed,
    /// The program could not be started at all.
    CannotRun,
    /// The checks did not finish within the time limit (`grade`).
    TimedOut,
    /// The checks stopped without a report (`grade`).
    Crashed,
    /// The submission has no crate for this lesson (`grade`).
    Missing,
    /// The lesson's report failed the grader's validation (`grade`): it
    /// scores 0.
    Untrusted,
}

impl LessonStatus {
    /// How the status reads in a table: "checked", "does not compile"...
    pub fn describe(self) -> &'static str {
        match self {
            LessonStatus::Checked => "checked",
            LessonStatus::BuildFailed => "does not compile",
            LessonStatus::CannotRun => "cannot run",
            LessonStatus::TimedOut => "timed out",
            LessonStatus::Crashed => "crashed",
            LessonStatus::Missing => "not submitted",
            LessonStatus::Untrusted => "not trusted",
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct LessonReport {
    /// "lesson01"
    pub lesson: String,
    pub number: u8,
    pub title: String,
    pub slug: String,
    /// What was run: a built binary or a `--cmd` command line.
    pub program: String,
    /// Where the code lives, when it is a crate of this workspace.
    pub source: Option<String>,
    pub status: LessonStatus,
    /// The compiler's or the system's words when status is not `checked`.
    pub error: Option<String>,
    pub score: u32,
    pub max_score: u32,
    pub checks: Vec<CheckReport>,
    /// Where the learner should start: the cause of the first check that
    /// fails (the `todo!()` it stopped at, or what it saw).
    pub start_here: Option<String>,
    /// The compiler's warnings about the learner's crate, when it had any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warnings: Option<crate::build::Warnings>,
}

impl LessonReport {
    pub fn passed(&self) -> bool {
        self.status == LessonStatus::Checked && self.checks.iter().all(|c| c.passed)
    }

    pub fn checks_passed(&self) -> usize {
        self.checks.iter().filter(|c| c.passed).count()
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct CheckReport {
    pub name: String,
    pub passed: bool,
    /// Points scored: `max_points` when passed, else 0.
    pub points: u32,
    pub max_points: u32,
    /// "passed", or what was expected and what came instead, in one line.
    pub message: String,
    pub duration_ms: u64,
    pub failure: Option<FailureReport>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct FailureReport {
    /// The check was not run: an earlier check (named here) saw the same
    /// program never become ready, and `got` says why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_by: Option<String>,
    pub did: String,
    pub expected: String,
    pub got: String,
    /// Expected and got windows with a caret line under the first difference.
    pub difference: Option<[String; 3]>,
    /// What the way it failed means on the wire, when that is known.
    pub meaning: Option<String>,
    pub hint: String,
    /// The panic or exception the program reported, if any.
    pub crash: Option<String>,
    /// When the program stopped at a `todo!()`: where, and what it says.
    pub todo: Option<String>,
    pub transcript: Vec<Entry>,
    pub transcript_omitted: usize,
    pub programs: Vec<ProgramReport>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ProgramReport {
    pub label: String,
    pub command_line: String,
    pub status: Option<String>,
    /// The last lines of stdout and stderr.
    pub stdout: Vec<String>,
    pub stderr: Vec<String>,
    /// Bytes of output not shown (beyond the tail, or beyond the capture bound).
    pub omitted_bytes: usize,
}

/// One student's graded submission (`grade`).
#[derive(Debug)]
pub struct StudentReport {
    /// The submission's folder name.
    pub student: String,
    /// The folder of the output holding this student's files: the same
    /// name, unless it would collide with another output (see `grade`).
    pub folder: String,
    pub status: StudentStatus,
    /// What the instructor and the student should know beyond the checks:
    /// where the work was found, files that were not used.
    pub notes: Vec<String>,
    /// One lesson report per lesson graded, in course order.
    pub report: Report,
}

/// How the grading of one submission went, as `grades.csv` says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum StudentStatus {
    /// Every lesson found was checked (whatever the score).
    Ok,
    /// No lesson crate was found in the submission.
    Missing,
    /// A lesson crate did not compile.
    BuildError,
    /// A build or a lesson's checks went over the time limit.
    Timeout,
    /// A lesson's checks stopped without a result.
    Crash,
}

impl StudentStatus {
    /// The status of a submission whose lessons ended as `lessons` did: the
    /// most serious one (crash, then timeout, then build error).
    pub fn of(lessons: &[LessonReport]) -> StudentStatus {
        if !lessons.is_empty() && lessons.iter().all(|l| l.status == LessonStatus::Missing) {
            return StudentStatus::Missing;
        }
        lessons
            .iter()
            .map(|lesson| match lesson.status {
                LessonStatus::Checked | LessonStatus::Missing => StudentStatus::Ok,
                LessonStatus::BuildFailed => StudentStatus::BuildError,
                LessonStatus::TimedOut => StudentStatus::Timeout,
                LessonStatus::CannotRun | LessonStatus::Crashed | LessonStatus::Untrusted => StudentStatus::Crash,
            })
            .max()
            .unwrap_or(StudentStatus::Ok)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StudentStatus::Ok => "ok",
            StudentStatus::Missing => "missing",
            StudentStatus::BuildError => "build_error",
            StudentStatus::Timeout => "timeout",
            StudentStatus::Crash => "crash",
        }
    }
}
