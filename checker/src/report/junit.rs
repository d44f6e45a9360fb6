//! `--format junit`: the report as JUnit XML, which CI systems read.
//!
//! One `<testsuite>` per lesson (its name is the lesson, `lesson01`), one
//! `<testcase>` per check (`classname` is the lesson, `name` the check,
//! `time` in seconds). A failed check carries a `<failure>` whose text is
//! what the human report says about it; the checks of a lesson that could
//! not run (it did not compile, timed out...) carry an `<error>` instead.
//! Points are properties: `points`/`max_points` on each test case, and
//! `score`/`max_score` on each suite (as attributes too); the total is in
//! the name of the whole document.

use super::{CheckReport, LessonReport, LessonStatus, Report};
use quick_junit::{NonSuccessKind, Property, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

pub fn render(report: &Report) -> String {
    let mut junit = quick_junit::Report::new(format!("socketlings: {}/{} points", report.score, report.max_score));
    let mut time = Duration::ZERO;
    for lesson in &report.lessons {
        let suite = suite(lesson);
        time += suite.time.unwrap_or_default();
        junit.add_test_suite(suite);
    }
    junit.set_time(time);
    let mut text = junit.to_string().expect("a JUnit report of plain strings serializes");
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

fn suite(lesson: &LessonReport) -> TestSuite {
    let mut suite = TestSuite::new(lesson.lesson.as_str());
    suite.add_property(Property::new("title", lesson.title.as_str()));
    suite.add_property(Property::new("status", lesson.status.describe()));
    suite.add_property(Property::new("score", lesson.score.to_string()));
    suite.add_property(Property::new("max_score", lesson.max_score.to_string()));
    suite.extra.insert("score".into(), lesson.score.to_string().into());
    suite.extra.insert("max_score".into(), lesson.max_score.to_string().into());
    let mut time = Duration::ZERO;
    for (i, check) in lesson.checks.iter().enumerate() {
        let case = test_case(lesson, check, i == 0);
        time += case.time.unwrap_or_default();
        suite.add_test_case(case);
    }
    suite.set_time(time);
    suite
}

fn test_case(lesson: &LessonReport, check: &CheckReport, first: bool) -> TestCase {
    let status = if check.passed {
        TestCaseStatus::success()
    } else if lesson.status != LessonStatus::Checked {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status.set_message(format!("not run ({})", lesson.status.describe()));
        let kind = serde_json::to_value(lesson.status).ok().and_then(|v| v.as_str().map(str::to_string));
        status.set_type(kind.unwrap_or_default());
        // The compiler's (or the system's) words once per lesson, not once per check.
        if first {
            status
                .set_description(super::human::plain_printable(lesson.error.as_deref().unwrap_or_default().trim_end()));
        }
        status
    } else {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status.set_message(crate::harness::text::printable(&check.message));
        status.set_type("check failed");
        status.set_description(super::human::failure_text(check));
        status
    };
    let mut case = TestCase::new(check.name.as_str(), status);
    case.set_classname(lesson.lesson.as_str());
    case.set_time(Duration::from_millis(check.duration_ms));
    case.add_property(Property::new("points", check.points.to_string()));
    case.add_property(Property::new("max_points", check.max_points.to_string()));
    case
}
