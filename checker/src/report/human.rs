//! The report for people: one line per check, and for each failure what was
//! done, what was expected, what came back, the transcript, the program's own
//! output and a hint. Colour only where the terminal takes it (anstream
//! strips it for pipes and honours `NO_COLOR`).

use super::{CheckReport, LessonReport, LessonStatus, Report};
use crate::harness::transcript::Direction;
use anstyle::{AnsiColor, Style};
use std::fmt::Write;

const GREEN: Style = AnsiColor::Green.on_default().bold();
const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();
const CYAN: Style = AnsiColor::Cyan.on_default();

/// A lesson's full report.
pub fn render_lesson(out: &mut String, lesson: &LessonReport) {
    let _ = writeln!(out, "{BOLD}Lesson {} · {}{BOLD:#}", lesson.number, lesson.title);
    let _ = writeln!(out, "{DIM}checking {}{DIM:#}", lesson.program);
    let _ = writeln!(out);
    match lesson.status {
        LessonStatus::BuildFailed => {
            let _ = writeln!(out, "{RED}✗ your crate does not compile{RED:#}");
            let _ = writeln!(out);
            if let Some(error) = &lesson.error {
                let _ = writeln!(out, "{}", error.trim_end());
            }
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "Fix the first error above, then run the checker again. (The compiler's message names the file and line.)"
            );
            return;
        }
        LessonStatus::CannotRun => {
            let _ = writeln!(out, "{RED}✗ the program could not be started{RED:#}");
            if let Some(error) = &lesson.error {
                let _ = writeln!(out, "  {}", error.trim_end());
            }
            return;
        }
        LessonStatus::Checked => {}
    }
    for check in &lesson.checks {
        render_check(out, check);
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
        let _ = writeln!(out, "{YELLOW}Start here:{YELLOW:#} {start}");
    }
}

fn render_check(out: &mut String, check: &CheckReport) {
    let time = format!("{DIM}{} ms{DIM:#}", check.duration_ms);
    let Some(failure) = &check.failure else {
        let _ = writeln!(out, " {GREEN}✓{GREEN:#} {}  {time}", check.name);
        return;
    };
    let _ = writeln!(out, " {RED}✗{RED:#} {}  {time}", check.name);
    let field = |out: &mut String, name: &str, value: &str| {
        let mut lines = value.lines();
        let _ = writeln!(out, "     {BOLD}{name:<9}{BOLD:#} {}", lines.next().unwrap_or_default());
        for line in lines {
            let _ = writeln!(out, "               {line}");
        }
    };
    if let Some(todo) = &failure.todo {
        // Nothing more to see: the program stopped at code not written yet.
        let _ = writeln!(out, "     {YELLOW}not written yet{YELLOW:#} {todo}");
        return;
    }
    field(out, "did", &failure.did);
    match &failure.difference {
        Some([expected, got, caret]) => {
            field(out, "expected", expected);
            field(out, "got", got);
            let _ = writeln!(out, "               {RED}{caret}{RED:#}");
            if !failure.got.starts_with('"') || !got.contains(&failure.got) {
                field(out, "", &failure.got);
            }
        }
        None => {
            field(out, "expected", &failure.expected);
            field(out, "got", &failure.got);
        }
    }
    if let Some(meaning) = &failure.meaning {
        field(out, "meaning", meaning);
    }
    if let Some(crash) = &failure.crash {
        let _ = writeln!(out, "     {BOLD}crash{BOLD:#}     {RED}{crash}{RED:#}");
    }
    if !failure.transcript.is_empty() {
        let _ = writeln!(
            out,
            "     {BOLD}on the wire{BOLD:#} {DIM}(→ sent by the checker, ← received from your program){DIM:#}"
        );
        for entry in &failure.transcript {
            let (arrow, style) = match entry.direction {
                Direction::Sent => ("→", CYAN),
                Direction::Received => ("←", YELLOW),
                Direction::Event => ("·", DIM),
            };
            let _ = writeln!(out, "       {DIM}{:<7}{DIM:#} {style}{arrow} {}{style:#}", entry.channel, entry.text);
        }
        if failure.transcript_omitted > 0 {
            let _ = writeln!(out, "       {DIM}… {} more events not shown{DIM:#}", failure.transcript_omitted);
        }
    }
    for program in &failure.programs {
        if program.stdout.is_empty() && program.stderr.is_empty() {
            continue;
        }
        let status = program.status.as_deref().unwrap_or("was stopped by the checker");
        let _ = writeln!(out, "     {BOLD}your program{BOLD:#} {DIM}`{}` {status}{DIM:#}", program.command_line);
        for line in &program.stdout {
            let _ = writeln!(out, "       {DIM}[{} stdout]{DIM:#} {line}", program.label);
        }
        for line in &program.stderr {
            let _ = writeln!(out, "       {DIM}[{} stderr]{DIM:#} {line}", program.label);
        }
        if program.omitted_bytes > 0 {
            let _ = writeln!(out, "       {DIM}… {} earlier bytes of output not shown{DIM:#}", program.omitted_bytes);
        }
    }
    let _ = writeln!(out, "     {YELLOW}hint{YELLOW:#}      {}", failure.hint);
    let _ = writeln!(out);
}

/// Every lesson on one line each, with what to do next.
pub fn render_overview(out: &mut String, report: &Report, command: &str) {
    let _ = writeln!(out, "{BOLD}socketlings{BOLD:#} · your progress\n");
    let _ = writeln!(out, "  {DIM}{:>2}  {:<22} {:<16} score{DIM:#}", "#", "lesson", "status");
    for lesson in &report.lessons {
        let (status, style) = match lesson.status {
            LessonStatus::BuildFailed => ("does not compile".to_string(), RED),
            LessonStatus::CannotRun => ("cannot run".to_string(), RED),
            LessonStatus::Checked if lesson.passed() => ("✓ passed".to_string(), GREEN),
            LessonStatus::Checked if lesson.score == 0 => ("· not started".to_string(), DIM),
            LessonStatus::Checked => (format!("… {}/{} checks", lesson.checks_passed(), lesson.checks.len()), YELLOW),
        };
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

pub fn print(text: &str) {
    use std::io::Write as _;
    let mut stdout = anstream::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}
