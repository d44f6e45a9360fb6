//! Running a lesson's checks against one program and turning the outcomes
//! into a [`LessonReport`].
//!
//! # Layout
//!
//! - this module: the [`Target`], [`run_lesson`] and [`not_run`];
//! - [`course`]: which program a lesson is checked on (a crate built with
//!   cargo, `--cmd`, `--exe`), one lesson or all ([`check_one`], [`check_all`]);
//! - [`failure`]: a failed check's report: the crash, the programs' output,
//!   the caret under the difference;
//! - [`hints`]: the hint chosen for a failure, in socket words for a
//!   program in any language.

mod course;
mod failure;
mod hints;

pub use course::{check_all, check_one, Choice};
pub use hints::socket_words;

use crate::harness::{self, Ctx, Failure, Outcome, Timing};
use crate::lessons::{Check, Lesson};
use crate::report::{CheckReport, LessonReport, LessonStatus};
use failure::{failed, shorten};
use std::panic::AssertUnwindSafe;
use std::time::Instant;

/// What to run: a command line, and where its code lives (for messages).
/// A target without a source is any program (`--cmd`): its hints speak of
/// sockets in words every language shares (see [`socket_words`]).
#[derive(Clone, Debug)]
pub struct Target {
    pub argv: Vec<String>,
    pub description: String,
    pub source: Option<String>,
}

/// A report for a lesson whose checks could not run at all: every check is
/// listed, not passed, with no points.
pub fn not_run(
    lesson: &Lesson,
    program: String,
    source: Option<String>,
    status: LessonStatus,
    error: String,
) -> LessonReport {
    LessonReport {
        lesson: lesson.id(),
        number: lesson.number,
        title: lesson.title.to_string(),
        slug: lesson.slug.to_string(),
        program,
        source,
        status,
        error: Some(error),
        score: 0,
        max_score: lesson.max_score(),
        checks: lesson
            .checks
            .iter()
            .map(|check| CheckReport {
                name: check.name.to_string(),
                passed: false,
                points: 0,
                max_points: check.points,
                message: format!("not run: {}", status.describe()),
                duration_ms: 0,
                failure: None,
            })
            .collect(),
        start_here: None,
        warnings: None,
    }
}

/// Runs every check of `lesson` against `target`, one after another.
pub fn run_lesson(lesson: &Lesson, target: &Target, timing: Timing) -> LessonReport {
    let mut checks: Vec<CheckReport> = Vec::new();
    let mut start_here = None;
    // Shared by the checks: a role that never became ready is not started again.
    let roles = harness::roles::Roles::default();
    for check in lesson.checks {
        let started = Instant::now();
        let (ctx, outcome) = run_check(check, target, timing, &roles);
        let duration_ms = started.elapsed().as_millis().try_into().unwrap_or(u64::MAX);
        let failure = match outcome {
            Ok(()) => {
                checks.push(passed(check, duration_ms));
                continue;
            }
            Err(failure) if failure.cannot_run => {
                let error = format!("{}: {}", failure.did, failure.got);
                return not_run(
                    lesson,
                    target.description.clone(),
                    target.source.clone(),
                    LessonStatus::CannotRun,
                    error,
                );
            }
            Err(failure) => failure,
        };
        let report = failed(check, &ctx, failure, duration_ms, target.source.is_none());
        if start_here.is_none() {
            // The cause of the first check that fails: the lesson's
            // order goes from the first concept to the details.
            start_here = Some(match report.failure.as_ref().and_then(|f| f.todo.clone()) {
                Some(todo) => todo,
                None => format!("the check \"{}\": {}", check.name, shorten(&report.message, 160)),
            });
        }
        checks.push(report);
    }
    LessonReport {
        lesson: lesson.id(),
        number: lesson.number,
        title: lesson.title.to_string(),
        slug: lesson.slug.to_string(),
        program: target.description.clone(),
        source: target.source.clone(),
        status: LessonStatus::Checked,
        error: None,
        score: checks.iter().map(|c| c.points).sum(),
        max_score: lesson.max_score(),
        checks,
        start_here,
        warnings: None,
    }
}

/// Runs one check in a context of its own; a panic in the check is the
/// checker's failure, not the program's.
fn run_check(check: &Check, target: &Target, timing: Timing, roles: &harness::roles::Roles) -> (Ctx, Outcome) {
    let run_once = || {
        let mut ctx = Ctx::in_run(target.argv.clone(), timing, roles.clone(), check.name);
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| (check.run)(&mut ctx))).unwrap_or_else(|_| {
            Err(Failure::new("ran the check", "the check to finish", "the checker itself failed")
                .hint("This is a bug in the checker, not in your program. Please report it."))
        });
        (ctx, outcome)
    };
    let (ctx, outcome) = run_once();
    // The port a check hands a server was free a moment before; another
    // checker running at the same time may take it first. Then the
    // server fails to bind, and the check may have talked to the other
    // program. Such a check runs once more, on fresh ports: a program
    // that binds a fixed address fails the same way again, and is told so.
    if outcome.is_err() && ctx.logs().iter().any(|log| harness::said_address_in_use(log)) {
        return run_once();
    }
    (ctx, outcome)
}

/// The report of a check that passed.
fn passed(check: &Check, duration_ms: u64) -> CheckReport {
    CheckReport {
        name: check.name.to_string(),
        passed: true,
        points: check.points,
        max_points: check.points,
        message: "passed".to_string(),
        duration_ms,
        failure: None,
    }
}
