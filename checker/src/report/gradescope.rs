//! `--format gradescope`: the report as Gradescope's `results.json`.
//!
//! The top level holds the total `score`, the `execution_time` in seconds
//! (left out by `grade`, whose files read the same on every run), an
//! `output` that sums up every lesson, and `tests`: one per check, with its
//! `name` ("Lesson 1 · the server accepts a connection"), `number` ("1.1"),
//! `score`, `max_score`, `status` (`passed` or `failed`), `output` (what the
//! human report says about a failure) and `visibility`.

use super::{CheckReport, LessonReport, LessonStatus, Report};
use serde::Serialize;
use std::fmt::Write;
use std::time::Duration;

#[derive(Serialize)]
struct Results {
    score: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    execution_time: Option<f64>,
    output: String,
    visibility: &'static str,
    tests: Vec<Test>,
}

#[derive(Serialize)]
struct Test {
    name: String,
    number: String,
    score: u32,
    max_score: u32,
    status: &'static str,
    output: String,
    visibility: &'static str,
}

/// Renders `report`; `notes` are shown first in the top-level output.
pub fn render(report: &Report, execution_time: Option<Duration>, notes: &[String]) -> String {
    let results = Results {
        score: report.score,
        execution_time: execution_time.map(|t| (t.as_secs_f64() * 1000.0).round() / 1000.0),
        output: summary(report, notes),
        visibility: "visible",
        tests: report.lessons.iter().flat_map(tests).collect(),
    };
    let mut text = serde_json::to_string_pretty(&results).expect("the results hold only strings and numbers");
    text.push('\n');
    text
}

/// One line per lesson and the total, after the notes.
fn summary(report: &Report, notes: &[String]) -> String {
    let mut out = String::new();
    for note in notes {
        let _ = writeln!(out, "Note: {}", super::human::plain_printable(note));
    }
    if !notes.is_empty() {
        let _ = writeln!(out);
    }
    for lesson in &report.lessons {
        let _ =
            write!(out, "Lesson {} · {}: {}/{} points", lesson.number, lesson.title, lesson.score, lesson.max_score);
        if lesson.status != LessonStatus::Checked {
            let _ = write!(out, " ({})", lesson.status.describe());
        }
        let _ = writeln!(out);
    }
    let _ = write!(out, "Total: {}/{} points", report.score, report.max_score);
    out
}

fn tests(lesson: &LessonReport) -> Vec<Test> {
    lesson
        .checks
        .iter()
        .enumerate()
        .map(|(i, check)| Test {
            name: format!("Lesson {} · {}", lesson.number, check.name),
            number: format!("{}.{}", lesson.number, i + 1),
            score: check.points,
            max_score: check.max_points,
            status: if check.passed { "passed" } else { "failed" },
            output: output(lesson, check, i == 0),
            visibility: "visible",
        })
        .collect()
}

fn output(lesson: &LessonReport, check: &CheckReport, first: bool) -> String {
    if check.passed {
        return "passed".to_string();
    }
    if lesson.status != LessonStatus::Checked {
        let mut text = format!("Not run: lesson {} {}.", lesson.number, lesson.status.describe());
        // The compiler's (or the system's) words once per lesson, not once per check.
        if let (true, Some(error)) = (first, &lesson.error) {
            let _ = write!(text, "\n\n{}", super::human::plain_printable(error.trim_end()));
        }
        return text;
    }
    super::human::failure_text(check)
}
