//! The class's CSV files, written by `grade`.
//!
//! - `grades.csv`: one row per student: `student`, a column per lesson
//!   (`lesson01`...), `total`, `max`, `status` (`ok`, `build_error`,
//!   `timeout`, `crash` or `missing`);
//! - `checks.csv`: one row per student and check (long form): `student`,
//!   `lesson`, `check`, `points`, `max`, `passed` (`true` or `false`).
//!
//! Rows come in the order given (`grade` sorts students by name), and hold
//! no time or duration: grading the same submissions again writes the same
//! bytes.
//!
//! A spreadsheet would run a cell that starts with `=`, `+`, `-`, `@`, a tab
//! or a carriage return as a formula: such a name is written after a `'`,
//! as OWASP advises against CSV injection (`=1+1` becomes `'=1+1`). Control
//! characters in a name are written escaped. No score is above its maximum.

use super::StudentReport;
use anyhow::{Context, Result};

/// `grades.csv`; `lessons` are the ids of the lessons graded ("lesson01").
pub fn grades(students: &[StudentReport], lessons: &[String]) -> Result<String> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["student".to_string()];
    header.extend(lessons.iter().cloned());
    header.extend(["total", "max", "status"].map(String::from));
    csv.write_record(&header).context("Failed to write the header of grades.csv")?;
    for student in students {
        let mut row = vec![cell(&student.student)];
        let mut total = 0;
        for id in lessons {
            let score = student.report.lessons.iter().find(|l| &l.lesson == id).map_or(0, |l| l.score.min(l.max_score));
            total += score;
            row.push(score.to_string());
        }
        row.push(total.min(student.report.max_score).to_string());
        row.push(student.report.max_score.to_string());
        row.push(student.status.as_str().to_string());
        csv.write_record(&row).with_context(|| format!("Failed to write the row of {}", student.student))?;
    }
    finish(csv)
}

/// `checks.csv`: every check of every lesson graded, for every student.
pub fn checks(students: &[StudentReport]) -> Result<String> {
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(["student", "lesson", "check", "points", "max", "passed"])
        .context("Failed to write the header of checks.csv")?;
    for student in students {
        for lesson in &student.report.lessons {
            for check in &lesson.checks {
                csv.write_record([
                    cell(&student.student).as_str(),
                    lesson.lesson.as_str(),
                    cell(&check.name).as_str(),
                    &check.points.min(check.max_points).to_string(),
                    &check.max_points.to_string(),
                    if check.passed { "true" } else { "false" },
                ])
                .with_context(|| format!("Failed to write the checks of {}", student.student))?;
            }
        }
    }
    finish(csv)
}

/// A name as a CSV cell a spreadsheet shows as text: never a formula, no
/// control characters.
pub fn cell(name: &str) -> String {
    let formula = name.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let text = crate::harness::text::printable(name).replace(['\n', '\t'], " ");
    if formula {
        format!("'{text}")
    } else {
        text
    }
}

fn finish(csv: csv::Writer<Vec<u8>>) -> Result<String> {
    let bytes = csv.into_inner().context("Failed to finish a CSV file")?;
    String::from_utf8(bytes).context("a CSV file of UTF-8 fields is UTF-8")
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_written_as_text() {
        for name in ["=1+1", "+1", "-1", "@SUM(A1:A2)", "\tx", "\rx"] {
            assert!(cell(name).starts_with('\''), "{name:?} → {:?}", cell(name));
        }
        assert_eq!(cell("=HYPERLINK(\"http://x\")"), "'=HYPERLINK(\"http://x\")");
        assert_eq!(cell("alice"), "alice");
        assert_eq!(cell("o'brien-smith"), "o'brien-smith");
        assert_eq!(cell("a\u{1b}]0;x\u{7}"), "a\\x1b]0;x\\x07");
    }
}
