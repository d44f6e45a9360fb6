//! Whether the report a child checker printed can be trusted: it is one
//! lesson's report as the checker writes it, with that lesson's checks by
//! name and in order, each within its points, and a score that is their sum.

use super::grader::not_run;
use crate::lessons::Lesson;
use crate::report::{LessonReport, LessonStatus, Report};

/// The lesson's report a child checker printed, once validated.
pub(super) fn read_report(stdout: &[u8], lesson: &Lesson) -> Result<LessonReport, String> {
    let report: Report =
        serde_json::from_slice(stdout).map_err(|_| "it is not a report as the checker writes one".to_string())?;
    let [mut report]: [LessonReport; 1] =
        report.lessons.try_into().map_err(|_| "it does not hold exactly one lesson".to_string())?;
    validate(&report, lesson)?;
    // What the report names is the grader's to say, not the report's.
    let ours = not_run(lesson, LessonStatus::Checked, "");
    report.title = ours.title;
    report.slug = ours.slug;
    report.program = ours.program;
    report.source = ours.source;
    Ok(report)
}

/// Whether `report` can be the report of `lesson`'s checks: the lesson's
/// number, its checks by name and in order, each within its points, and a
/// score that is their sum. The error says what is wrong, in a few words.
pub fn validate(report: &LessonReport, lesson: &Lesson) -> Result<(), String> {
    if report.number != lesson.number || report.lesson != lesson.id() {
        return Err(format!("it is the report of {}, not of lesson {}", report.lesson, lesson.number));
    }
    if report.checks.len() != lesson.checks.len() {
        return Err(format!(
            "it lists {} checks, and lesson {} has {}",
            report.checks.len(),
            lesson.number,
            lesson.checks.len()
        ));
    }
    for (i, (got, check)) in report.checks.iter().zip(lesson.checks).enumerate() {
        if got.name != check.name {
            return Err(format!("its check {} is not `{}`", i + 1, check.name));
        }
        // A check is all or nothing: its points when it passed, else none.
        let earned = if got.passed { check.points } else { 0 };
        if got.max_points != check.points || got.points != earned {
            return Err(format!(
                "the check `{}` scores {} of {} points, and it is worth {}",
                check.name, got.points, got.max_points, check.points
            ));
        }
    }
    let sum: u64 = report.checks.iter().map(|c| u64::from(c.points)).sum();
    if u64::from(report.score) != sum || report.max_score != lesson.max_score() {
        return Err(format!(
            "its score {}/{} is not the sum of its checks' points {sum}/{}",
            report.score,
            report.max_score,
            lesson.max_score()
        ));
    }
    match report.status {
        LessonStatus::Checked => Ok(()),
        LessonStatus::CannotRun if report.score == 0 => Ok(()),
        other => Err(format!("a checker never reports a lesson as {}", other.describe())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::LESSONS;

    /// The report a checker writes when every check of `lesson` passes.
    fn full_marks(lesson: &Lesson) -> LessonReport {
        let mut report = not_run(lesson, LessonStatus::Checked, "");
        for (check, registry) in report.checks.iter_mut().zip(lesson.checks) {
            check.passed = true;
            check.points = registry.points;
        }
        report.score = lesson.max_score();
        report.error = None;
        report
    }

    #[test]
    fn a_report_as_the_checker_writes_it_is_trusted() {
        let lesson = LESSONS[0];
        assert_eq!(validate(&full_marks(lesson), lesson), Ok(()));
        let none = not_run(lesson, LessonStatus::Checked, "");
        assert_eq!(validate(&none, lesson), Ok(()));
        let text = crate::report::json::render(&Report::new(vec![full_marks(lesson)]));
        let read = read_report(text.as_bytes(), lesson).expect("trusted");
        assert_eq!(read.score, lesson.max_score());
    }

    #[test]
    fn a_score_over_the_maximum_is_not_trusted() {
        let lesson = LESSONS[0];
        let mut report = full_marks(lesson);
        report.checks[0].points += 1;
        report.score += 1;
        assert!(validate(&report, lesson).unwrap_err().contains("scores"));
        let mut report = full_marks(lesson);
        report.checks[0].max_points = 9999;
        report.checks[0].points = 9999;
        assert!(validate(&report, lesson).is_err());
        let mut report = full_marks(lesson);
        report.score = 9999;
        assert!(validate(&report, lesson).unwrap_err().contains("sum"));
        let mut report = full_marks(lesson);
        report.max_score += 1;
        assert!(validate(&report, lesson).is_err());
    }

    #[test]
    fn unknown_missing_or_reordered_checks_are_not_trusted() {
        let lesson = LESSONS[0];
        let mut report = full_marks(lesson);
        report.checks[1].name = "a check of my own".to_string();
        assert!(validate(&report, lesson).unwrap_err().contains("check 2"));
        let mut report = full_marks(lesson);
        report.checks.swap(0, 1);
        assert!(validate(&report, lesson).is_err());
        let mut report = full_marks(lesson);
        let last = report.checks.pop().unwrap();
        report.score -= last.points;
        assert!(validate(&report, lesson).unwrap_err().contains("checks"));
    }

    #[test]
    fn another_lessons_report_or_garbage_is_not_trusted() {
        let (one, two) = (LESSONS[0], LESSONS[1]);
        assert!(validate(&full_marks(two), one).unwrap_err().contains("not of lesson 1"));
        let mut report = full_marks(one);
        report.status = LessonStatus::Missing;
        assert!(validate(&report, one).is_err());
        assert!(read_report(b"{\"score\": 12}", one).is_err());
        assert!(read_report(b"not json", one).is_err());
        let two_lessons = Report::new(vec![full_marks(one), full_marks(one)]);
        assert!(read_report(crate::report::json::render(&two_lessons).as_bytes(), one).is_err());
    }
}
