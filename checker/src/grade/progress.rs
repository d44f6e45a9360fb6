//! What `grade` shows while it works, and the summary at the end.

use crate::harness::text::printable;
use crate::report::{StudentReport, StudentStatus};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// "4 submissions graded: 2 ok, 1 build_error, 1 timeout. Wrote grades/grades.csv…"
/// and the folders skipped or renamed.
pub(super) fn summary(
    reports: &[StudentReport],
    out: &Path,
    skipped: &[String],
    renamed: &[(String, String)],
) -> String {
    let mut counts: Vec<(StudentStatus, usize)> = Vec::new();
    for report in reports {
        match counts.iter_mut().find(|(status, _)| *status == report.status) {
            Some((_, n)) => *n += 1,
            None => counts.push((report.status, 1)),
        }
    }
    counts.sort();
    let counts: Vec<String> = counts.iter().map(|(status, n)| format!("{n} {}", status.as_str())).collect();
    let mut text = format!(
        "{} submissions graded: {}.\nWrote {}, {} and a folder per student (feedback.md, results.json).",
        reports.len(),
        counts.join(", "),
        out.join("grades.csv").display(),
        out.join("checks.csv").display()
    );
    if !skipped.is_empty() {
        let names: Vec<String> = skipped.iter().map(|name| format!("`{}`", printable(name))).collect();
        text.push_str(&format!("\nSkipped (the name starts with `.`): {}.", names.join(", ")));
    }
    for (name, folder) in renamed {
        text.push_str(&format!("\nThe files of `{}` are in `{}`.", printable(name), printable(folder)));
    }
    text
}

/// A progress bar on a terminal; plain lines on stderr otherwise.
pub(super) struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
    done: AtomicUsize,
}

impl Progress {
    pub(super) fn new(total: usize) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {wide_msg}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress { bar, total, done: AtomicUsize::new(0) }
    }

    pub(super) fn start(&self, student: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("grading {}", printable(student)));
        }
    }

    pub(super) fn done(&self, student: &StudentReport) {
        let n = self.done.fetch_add(1, Ordering::SeqCst) + 1;
        let line = format!(
            "[{n}/{}] {}: {}/{} points, {}",
            self.total,
            printable(&student.student),
            student.report.score,
            student.report.max_score,
            student.status.as_str()
        );
        match &self.bar {
            Some(bar) => {
                bar.println(line);
                bar.inc(1);
            }
            None => eprintln!("{line}"),
        }
    }

    pub(super) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
