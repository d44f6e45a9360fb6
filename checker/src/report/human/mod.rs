//! The report for people: one line per check, and for each failure what was
//! done, what was expected, what came back, the transcript, the program's own
//! output and a hint. Colour only where the terminal takes it (anstream
//! strips it for pipes and honours `NO_COLOR`).
//!
//! Every text that may hold what a program printed (its output, a panic, a
//! transcript, a compiler's words about its source) goes through
//! [`printable`] first: the only escape sequences this report writes are its
//! own colours.
//!
//! # Layout
//!
//! - this module: a lesson's report, the overview, `watch`'s list and banner;
//! - [`check`]: one check's block: did, expected, got, the wire, the
//!   programs' output, the hint;
//! - [`next_steps`](mod@next_steps): what to do after reading a report, with the command
//!   that does it ([`COMMAND`]).

mod check;
mod next_steps;

pub use check::failure_text;
pub use next_steps::{next_steps, COMMAND};

use super::{LessonReport, LessonStatus, Report};
use crate::harness::text::{printable, printable_keep_colour};
use anstyle::{AnsiColor, Style};
use check::{render_check, render_same_todo, render_stopped, tail, todo_place};
use std::fmt::Write;

pub(super) const GREEN: Style = AnsiColor::Green.on_default().bold();
pub(super) const RED: Style = AnsiColor::Red.on_default().bold();
pub(super) const YELLOW: Style = AnsiColor::Yellow.on_default();
pub(super) const DIM: Style = Style::new().dimmed();
pub(super) const BOLD: Style = Style::new().bold();
pub(super) const CYAN: Style = AnsiColor::Cyan.on_default();

/// A lesson's full report. `durations` adds each check's time (left out
/// where the text must read the same on every run, as in `grade`'s feedback).
pub fn render_lesson(out: &mut String, lesson: &LessonReport, durations: bool) {
    let _ = writeln!(out, "{BOLD}Lesson {} · {}{BOLD:#}", lesson.number, lesson.title);
    let _ = writeln!(out, "{DIM}checking {}{DIM:#}", printable(&lesson.program));
    let _ = writeln!(out);
    if lesson.status != LessonStatus::Checked {
        render_not_run(out, lesson);
        return;
    }
    if let Some(warnings) = &lesson.warnings {
        render_warnings(out, lesson, warnings);
    }
    let mut todos_shown: Vec<&str> = Vec::new();
    for check in &lesson.checks {
        // A todo!() already shown above: one line says so.
        if let Some(place) = check.failure.as_ref().and_then(|f| f.todo.as_deref()).map(todo_place) {
            if todos_shown.contains(&place) {
                let _ = writeln!(out, " {RED}✗{RED:#} {}  {}", check.name, tail(check, durations));
                let _ = writeln!(out, "     {DIM}stopped at the same todo!() (see above){DIM:#}");
                continue;
            }
            todos_shown.push(place);
            render_check(out, check, durations);
            render_same_todo(out, lesson, check, place);
            continue;
        }
        if check.failure.as_ref().is_some_and(|f| f.stopped_by.is_some()) {
            // The cause is shown in full under the check that found it.
            let _ = writeln!(out, " {RED}✗{RED:#} {}  {}", check.name, tail(check, durations));
            let _ = writeln!(out, "     {DIM}not run: the same cause (see above){DIM:#}");
            continue;
        }
        render_check(out, check, durations);
        render_stopped(out, lesson, check);
    }
    let _ = writeln!(out);
    let passed = lesson.checks_passed();
    let style = if lesson.passed() { GREEN } else { RED };
    let _ = writeln!(
        out,
        "{style}{passed}/{} checks passed{style:#} · {}/{} points",
        lesson.checks.len(),
        lesson.score,
        lesson.max_score
    );
    if let Some(start) = &lesson.start_here {
        let _ = writeln!(out, "{YELLOW}Start here:{YELLOW:#} {}", printable(start));
    }
}

/// The compiler's warnings about the learner's crate: how many, and the
/// first few in the compiler's own words (they often name the bug: an
/// unused `n` is a read whose length was never used).
fn render_warnings(out: &mut String, lesson: &LessonReport, warnings: &crate::build::Warnings) {
    let plural = if warnings.count == 1 { "warning" } else { "warnings" };
    let _ = writeln!(
        out,
        "{YELLOW}⚠ the compiler has {} {plural} about your crate{YELLOW:#} {DIM}(read them: they often point at the bug){DIM:#}",
        warnings.count
    );
    let _ = writeln!(out);
    for warning in &warnings.first {
        // The compiler's colours stay; anything else it quoted is escaped.
        let _ = writeln!(out, "{}", printable_keep_colour(warning));
        let _ = writeln!(out);
    }
    let hidden = warnings.count.saturating_sub(warnings.first.len());
    if hidden > 0 {
        let package = lesson.lesson.as_str();
        let _ = writeln!(out, "{DIM}… and {hidden} more: `cargo build -p {package}` shows them all{DIM:#}");
        let _ = writeln!(out);
    }
}

/// A lesson whose checks did not run: why, and what to do.
fn render_not_run(out: &mut String, lesson: &LessonReport) {
    // Cargo's colours stay; anything else the compiler quoted is escaped.
    let error = printable_keep_colour(lesson.error.as_deref().unwrap_or_default().trim_end());
    match lesson.status {
        LessonStatus::BuildFailed => {
            let _ = writeln!(out, "{RED}✗ your crate does not compile{RED:#}");
            let _ = writeln!(out);
            let _ = writeln!(out, "{error}");
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "Fix the first error above, then run the checker again. (The compiler's message names the file and line.)"
            );
        }
        LessonStatus::CannotRun => {
            let _ = writeln!(out, "{RED}✗ the program could not be started{RED:#}");
            let _ = writeln!(out, "  {error}");
        }
        LessonStatus::TimedOut => {
            let _ = writeln!(out, "{RED}✗ the checks did not finish in time{RED:#}");
            let _ = writeln!(out, "  {error}");
        }
        LessonStatus::Crashed => {
            let _ = writeln!(out, "{RED}✗ the checks stopped without a result{RED:#}");
            let _ = writeln!(out, "  {error}");
        }
        LessonStatus::Missing => {
            let _ = writeln!(out, "{RED}✗ not found in the submission{RED:#}");
            let _ = writeln!(out, "  {error}");
        }
        LessonStatus::Untrusted => {
            let _ = writeln!(out, "{RED}✗ the report of this lesson was not trusted{RED:#}");
            let _ = writeln!(out, "  {error}");
        }
        LessonStatus::Checked => {}
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{RED}0/{} checks passed{RED:#} · 0/{} points", lesson.checks.len(), lesson.max_score);
}

/// Every lesson on one line each, with what to do next.
pub fn render_overview(out: &mut String, report: &Report, command: &str) {
    let _ = writeln!(out, "{BOLD}socketlings{BOLD:#} · your progress\n");
    let _ = writeln!(out, "  {DIM}{:>2}  {:<22} {:<16} score{DIM:#}", "#", "lesson", "status");
    for lesson in &report.lessons {
        let (status, style) = status_of(lesson);
        let _ = writeln!(
            out,
            "  {:>2}  {:<22} {style}{status:<16}{style:#} {:>2}/{}",
            lesson.number, lesson.title, lesson.score, lesson.max_score
        );
    }
    let _ = writeln!(out, "\n  total {}/{} points", report.score, report.max_score);
    match report.lessons.iter().find(|l| !l.passed()) {
        Some(next) => {
            let _ = writeln!(out, "\nNext: {CYAN}{command} lesson{}{CYAN:#}", next.number);
        }
        None => {
            let _ = writeln!(out, "\n{GREEN}Every lesson passes.{GREEN:#}");
        }
    }
}

/// A lesson's status in a word or two, and its colour: passed, in
/// progress (with how many checks pass), not started, does not compile...
pub fn status_of(lesson: &LessonReport) -> (String, Style) {
    match lesson.status {
        LessonStatus::BuildFailed
        | LessonStatus::CannotRun
        | LessonStatus::TimedOut
        | LessonStatus::Crashed
        | LessonStatus::Untrusted
        | LessonStatus::Missing => (lesson.status.describe().to_string(), RED),
        LessonStatus::Checked if lesson.passed() => ("✓ passed".to_string(), GREEN),
        // Not started: nothing passes, and every failure stopped at a todo!().
        LessonStatus::Checked
            if lesson.score == 0
                && lesson.checks.iter().all(|c| c.failure.as_ref().is_some_and(|f| f.todo.is_some())) =>
        {
            ("· not started".to_string(), DIM)
        }
        LessonStatus::Checked => (format!("… {}/{} checks", lesson.checks_passed(), lesson.checks.len()), YELLOW),
    }
}

/// `watch`'s list: every lesson with its last known status and score
/// (`None`: never checked), the one watched marked with `▸`.
pub fn render_list(out: &mut String, rows: &[(&crate::lessons::Lesson, Option<LessonReport>)], current: u8) {
    let _ = writeln!(out, "{BOLD}Lessons{BOLD:#} {DIM}(the last run of each){DIM:#}\n");
    let _ = writeln!(out, "    {DIM}{:>2}  {:<22} {:<16} score{DIM:#}", "#", "lesson", "status");
    for (lesson, report) in rows {
        let mark = if lesson.number == current { "▸" } else { " " };
        let (status, style, score) = match report {
            Some(report) => {
                let (status, style) = status_of(report);
                (status, style, format!("{:>2}/{}", report.score, report.max_score))
            }
            None => ("· not checked yet".to_string(), DIM, format!(" ?/{}", lesson.max_score())),
        };
        let _ =
            writeln!(out, "  {mark} {:>2}  {:<22} {style}{status:<16}{style:#} {score}", lesson.number, lesson.title);
    }
}

/// One line: `lessons passed 3/8  ███░░░░░`.
pub fn progress_line(passed: usize, total: usize) -> String {
    let bar: String = (0..total).map(|i| if i < passed { '█' } else { '░' }).collect();
    let style = if passed == total { GREEN } else { CYAN };
    format!("lessons passed {passed}/{total}  {style}{bar}{style:#}")
}

/// The moment a lesson passes, for `watch`: a banner with the score, and
/// what to do next.
pub fn render_passed(out: &mut String, lesson: &LessonReport, command: &str) {
    let line = format!("✓ Lesson {} passes · {}/{} points", lesson.number, lesson.score, lesson.max_score);
    let rule = "─".repeat(line.chars().count() + 4);
    let _ = writeln!(out, "{GREEN}{rule}{GREEN:#}");
    let _ = writeln!(out, "{GREEN}  {line}{GREEN:#}");
    let _ = writeln!(out, "{GREEN}{rule}{GREEN:#}");
    let _ = writeln!(out, "Compare your code with the model: {CYAN}{command} diff lesson{}{CYAN:#}", lesson.number);
}

/// `text` without its colours, for files.
pub fn plain(text: &str) -> String {
    anstream::adapter::strip_str(text).to_string()
}

/// Text that may hold a program's or the compiler's output, for a file:
/// colours dropped, every other control character escaped.
pub fn plain_printable(text: &str) -> String {
    plain(&printable_keep_colour(text))
}

pub fn print(text: &str) {
    use std::io::Write as _;
    let mut stdout = anstream::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}
