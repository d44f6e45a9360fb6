//! One check's block in the report for people: its line (✓ or ✗, points,
//! time), and for a failure what was done, expected and received, the
//! caret under the difference, the wire, the programs' own output and the
//! hint.

use super::{plain, BOLD, CYAN, DIM, GREEN, RED, YELLOW};
use crate::harness::text::printable;
use crate::harness::transcript::Direction;
use crate::report::{CheckReport, FailureReport, LessonReport};
use std::fmt::Write;

/// "0/2 pt · 12 ms", dimmed.
pub(super) fn tail(check: &CheckReport, durations: bool) -> String {
    let mut tail = format!("{}/{} pt", check.points, check.max_points);
    if durations {
        let _ = write!(tail, " · {} ms", check.duration_ms);
    }
    format!("{DIM}{tail}{DIM:#}")
}

/// Where a todo!() is: "src/server.rs:38" of "src/server.rs:38 — the todo!() that says …".
pub(super) fn todo_place(todo: &str) -> &str {
    todo.split(" — ").next().unwrap_or(todo)
}

/// Under the first check that stopped at a todo!(), the later checks that
/// stopped at the same one.
pub(super) fn render_same_todo(out: &mut String, lesson: &LessonReport, check: &CheckReport, place: &str) {
    let later: Vec<&str> = lesson
        .checks
        .iter()
        .filter(|c| c.name != check.name)
        .filter(|c| c.failure.as_ref().and_then(|f| f.todo.as_deref()).map(todo_place) == Some(place))
        .map(|c| c.name.as_str())
        .collect();
    if later.is_empty() {
        return;
    }
    let checks = if later.len() == 1 { "check" } else { "checks" };
    let _ = writeln!(
        out,
        "     {BOLD}stopped{BOLD:#}   {} later {checks} stopped at this todo!() too (marked below)",
        later.len()
    );
}

pub(super) fn render_check(out: &mut String, check: &CheckReport, durations: bool) {
    let tail = tail(check, durations);
    let Some(failure) = &check.failure else {
        let _ = writeln!(out, " {GREEN}✓{GREEN:#} {}  {tail}", check.name);
        return;
    };
    let _ = writeln!(out, " {RED}✗{RED:#} {}  {tail}", check.name);
    if failure.stopped_by.is_some() {
        // One line: the cause is shown in full under the check that found it.
        let _ = writeln!(out, "     {DIM}{}{DIM:#}", printable(&failure.got));
        return;
    }
    if let Some(todo) = &failure.todo {
        // Nothing more to see: the program stopped at code not written yet.
        let _ = writeln!(out, "     {YELLOW}not written yet{YELLOW:#} {}", printable(todo));
        return;
    }
    field(out, "did", &failure.did);
    match &failure.difference {
        Some([expected, got, caret]) => {
            field(out, "expected", expected);
            field(out, "got", got);
            let _ = writeln!(out, "               {RED}{}{RED:#}", printable(caret));
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
        let _ = writeln!(out, "     {BOLD}crash{BOLD:#}     {RED}{}{RED:#}", printable(crash));
    }
    render_transcript(out, failure);
    render_programs(out, failure);
    let _ = writeln!(out, "     {YELLOW}hint{YELLOW:#}      {}", printable(&failure.hint));
    let _ = writeln!(out);
}

/// One field of a failure: its name, then its value, lines aligned.
fn field(out: &mut String, name: &str, value: &str) {
    let value = printable(value);
    let mut lines = value.lines();
    let _ = writeln!(out, "     {BOLD}{name:<9}{BOLD:#} {}", lines.next().unwrap_or_default());
    for line in lines {
        let _ = writeln!(out, "               {line}");
    }
}

/// What went over the wire, one event a line.
fn render_transcript(out: &mut String, failure: &FailureReport) {
    if failure.transcript.is_empty() {
        return;
    }
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
        let _ = writeln!(
            out,
            "       {DIM}{:<7}{DIM:#} {style}{arrow} {}{style:#}",
            printable(&entry.channel),
            printable(&entry.text)
        );
    }
    if failure.transcript_omitted > 0 {
        let _ = writeln!(out, "       {DIM}… {} more events not shown{DIM:#}", failure.transcript_omitted);
    }
}

/// The output of each program the check started, and how it ended.
fn render_programs(out: &mut String, failure: &FailureReport) {
    for program in &failure.programs {
        if program.stdout.is_empty() && program.stderr.is_empty() && program.status.is_none() {
            continue;
        }
        let status = printable(program.status.as_deref().unwrap_or("was still running; the checker stopped it"));
        let (command_line, label) = (printable(&program.command_line), printable(&program.label));
        let _ = writeln!(out, "     {BOLD}your program{BOLD:#} {DIM}`{command_line}` {status}{DIM:#}");
        for line in &program.stdout {
            let _ = writeln!(out, "       {DIM}[{label} stdout]{DIM:#} {}", printable(line));
        }
        for line in &program.stderr {
            let _ = writeln!(out, "       {DIM}[{label} stderr]{DIM:#} {}", printable(line));
        }
        if program.omitted_bytes > 0 {
            let _ = writeln!(out, "       {DIM}… {} earlier bytes of output not shown{DIM:#}", program.omitted_bytes);
        }
    }
}

/// Under the check that found a program never ready, the later checks
/// that were not run for that cause.
pub(super) fn render_stopped(out: &mut String, lesson: &LessonReport, check: &CheckReport) {
    let stopped: Vec<&str> = lesson
        .checks
        .iter()
        .filter(|c| c.failure.as_ref().and_then(|f| f.stopped_by.as_deref()) == Some(check.name.as_str()))
        .map(|c| c.name.as_str())
        .collect();
    if stopped.is_empty() {
        return;
    }
    // The check's block ends with an empty line: the list goes just before it.
    if out.ends_with("\n\n") {
        out.pop();
    }
    let checks = if stopped.len() == 1 { "check" } else { "checks" };
    let _ = writeln!(
        out,
        "     {BOLD}stopped{BOLD:#}   for this cause, {} later {checks} that start it the same way were not run (marked below)",
        stopped.len()
    );
    let _ = writeln!(out);
}

/// A failed check as the report shows it, without the ✗ line, colour or
/// time: for the formats that name the check on their own (JUnit, Gradescope).
pub fn failure_text(check: &CheckReport) -> String {
    let mut text = String::new();
    render_check(&mut text, check, false);
    let body: Vec<&str> = text.lines().skip(1).map(|line| line.strip_prefix("     ").unwrap_or(line)).collect();
    plain(body.join("\n").trim_end())
}
