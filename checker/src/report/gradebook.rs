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
        let mut row = vec![student.student.clone()];
        for id in lessons {
            let score = student.report.lessons.iter().find(|l| &l.lesson == id).map_or(0, |l| l.score);
            row.push(score.to_string());
        }
        row.push(student.report.score.to_string());
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
                    student.student.as_str(),
                    lesson.lesson.as_str(),
                    check.name.as_str(),
                    &check.points.to_string(),
                    &check.max_points.to_string(),
                    if check.passed { "true" } else { "false" },
                ])
                .with_context(|| format!("Failed to write the checks of {}", student.student))?;
            }
        }
    }
    finish(csv)
}

fn finish(csv: csv::Writer<Vec<u8>>) -> Result<String> {
    let bytes = csv.into_inner().context("Failed to finish a CSV file")?;
    String::from_utf8(bytes).context("a CSV file of UTF-8 fields is UTF-8")
}
