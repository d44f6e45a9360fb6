//! One student's `feedback.md`, written by `grade`: a table of the lessons
//! with their scores, the notes (files that were not used...), then each
//! lesson's human report, without colour or durations, in a text block so
//! that Markdown shows it as it is.

use super::{LessonStatus, StudentReport};
use crate::harness::text::printable;
use std::fmt::Write;

pub fn render(student: &StudentReport) -> String {
    let report = &student.report;
    let mut out = String::new();
    let _ = writeln!(out, "# Feedback: {}\n", printable(&student.student));
    let _ = writeln!(out, "| lesson | score | status |");
    let _ = writeln!(out, "| --- | ---: | --- |");
    for lesson in &report.lessons {
        let status = match lesson.status {
            LessonStatus::Checked if lesson.passed() => "✓ passed".to_string(),
            LessonStatus::Checked => format!("{}/{} checks passed", lesson.checks_passed(), lesson.checks.len()),
            other => other.describe().to_string(),
        };
        let _ = writeln!(
            out,
            "| {} · {} | {}/{} | {status} |",
            lesson.number,
            escape_cell(&lesson.title),
            lesson.score,
            lesson.max_score
        );
    }
    let _ = writeln!(out, "| **total** | **{}/{}** | {} |", report.score, report.max_score, student.status.as_str());
    if !student.notes.is_empty() {
        let _ = writeln!(out, "\n## Notes\n");
        for note in &student.notes {
            let _ = writeln!(out, "- {}", super::human::plain_printable(note));
        }
    }
    for lesson in &report.lessons {
        let _ = writeln!(out, "\n## Lesson {} · {}\n", lesson.number, lesson.title);
        let mut text = String::new();
        super::human::render_lesson(&mut text, lesson, false);
        let text = super::human::plain(&text);
        let fence = fence_for(&text);
        let _ = writeln!(out, "{fence}text\n{}\n{fence}", text.trim_end());
    }
    out
}

/// A code fence longer than any run of backticks in `text` (a program's
/// output may hold some).
fn fence_for(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::fence_for;

    #[test]
    fn the_fence_is_longer_than_any_backticks_inside() {
        assert_eq!(fence_for("plain"), "```");
        assert_eq!(fence_for("a ```` b"), "`````");
    }
}
