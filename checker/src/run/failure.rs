//! A failed check's report: the message, the crash found in a program's
//! stderr (a panic, a `todo!()`), the tail of each program's output, the
//! caret under the first wrong byte, and the hint.

use super::hints::{choose_hint, socket_words};
use crate::harness::{self, Ctx, Failure, ProgramLog};
use crate::lessons::Check;
use crate::report::{CheckReport, FailureReport, ProgramReport};

/// Lines of a program's stdout and stderr shown with a failure.
const TAIL_LINES: usize = 12;

/// The report of a check that failed: the message, and what the report
/// shows of the programs, the wire and the hint.
pub(super) fn failed(check: &Check, ctx: &Ctx, failure: Failure, duration_ms: u64, neutral: bool) -> CheckReport {
    let crash = ctx.logs().iter().find_map(|log| crash_of(log));
    let message = match failure.stopped_by {
        Some(_) => failure.got.clone(),
        None => format!("expected {}; got {}", failure.expected, failure.got),
    };
    CheckReport {
        name: check.name.to_string(),
        passed: false,
        points: 0,
        max_points: check.points,
        message,
        duration_ms,
        failure: Some(failure_report(ctx, failure, check.hint, crash, neutral)),
    }
}

/// A panic or exception found in a program's stderr.
struct Crash {
    /// One line: "panicked at src/server.rs:37:5: not yet implemented: …".
    summary: String,
    /// For a `todo!()`: "src/server.rs:37 — todo!(\"…\")".
    todo: Option<String>,
}

fn crash_of(log: &ProgramLog) -> Option<Crash> {
    // The check's programs are stopped by now, but the thread that drains
    // their stderr may not have read the last of it (the panic message, on
    // a busy machine): give it a moment to reach the end of the pipe.
    log.stderr.wait_closed(std::time::Duration::from_millis(300));
    let (err, _) = log.stderr.snapshot();
    let err = String::from_utf8_lossy(&err);
    let mut lines = err.lines();
    while let Some(line) = lines.next() {
        if let Some(at) = line.find("panicked at ") {
            let place = line[at + "panicked at ".len()..].trim_end_matches(':').to_string();
            let message = lines.next().unwrap_or_default().trim().to_string();
            let todo = message.strip_prefix("not yet implemented").map(|rest| {
                let what = rest.trim_start_matches(':').trim();
                let line = place.rsplit_once(':').map_or(place.as_str(), |(file_line, _col)| file_line);
                format!("{line} — the todo!() that says \"{what}\"")
            });
            return Some(Crash { summary: format!("your program panicked at {place}: {message}"), todo });
        }
        if line.starts_with("Traceback (most recent call last)") {
            let last = err.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default();
            return Some(Crash { summary: format!("your program raised an exception: {last}"), todo: None });
        }
    }
    None
}

fn failure_report(ctx: &Ctx, failure: Failure, check_hint: &str, crash: Option<Crash>, neutral: bool) -> FailureReport {
    let failure_at = failure.at;
    let difference = failure.diff.as_ref().and_then(|(expected, got)| {
        let at = harness::text::first_difference(expected, got)?;
        let (e, g, caret) = harness::text::aligned(expected, got, at);
        Some([e, g, caret])
    });
    let hint = choose_hint(&failure, check_hint, crash.as_ref().and_then(|c| c.todo.as_deref()));
    let hint = if neutral { socket_words(&hint) } else { hint };
    let (transcript, transcript_omitted) = ctx.transcript().entries();
    FailureReport {
        stopped_by: failure.stopped_by,
        did: failure.did,
        expected: failure.expected,
        got: failure.got,
        difference,
        hint,
        meaning: failure.meaning,
        todo: crash.as_ref().and_then(|c| c.todo.clone()),
        crash: crash.map(|c| c.summary),
        transcript,
        transcript_omitted,
        programs: ctx
            .logs()
            .iter()
            .map(|log| {
                // Output that ended before the check failed: the program had
                // ended by itself, whether or not the check read its status.
                let ended_first = matches!((ctx.output_ended_at(log), failure_at), (Some(end), Some(at)) if end < at);
                program_report(log, ended_first)
            })
            .collect(),
    }
}

fn program_report(log: &ProgramLog, ended_first: bool) -> ProgramReport {
    let status = log.status.lock().unwrap_or_else(|e| e.into_inner()).map(harness::describe_status);
    let status = status.or_else(|| ended_first.then(|| "had ended by itself before the check failed".to_string()));
    let (out, out_dropped) = log.stdout.snapshot();
    let (err, err_dropped) = log.stderr.snapshot();
    let (stdout, out_hidden) = tail(&out);
    let (stderr, err_hidden) = tail(&err);
    ProgramReport {
        label: log.label.clone(),
        command_line: log.command_line.clone(),
        status,
        stdout,
        stderr,
        omitted_bytes: out_dropped + err_dropped + out_hidden + err_hidden,
    }
}

/// The last lines of `bytes` (each cut to a sane width) and how many bytes
/// were left out.
fn tail(bytes: &[u8]) -> (Vec<String>, usize) {
    let text = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = text.lines().collect();
    let skip = lines.len().saturating_sub(TAIL_LINES);
    let hidden: usize = lines[..skip].iter().map(|l| l.len() + 1).sum();
    let shown = lines[skip..]
        .iter()
        .map(|line| {
            if line.chars().count() > 200 {
                format!("{}…", line.chars().take(200).collect::<String>())
            } else {
                line.to_string()
            }
        })
        .collect();
    (shown, hidden)
}

/// `text` cut to `max` characters, with `…` when cut.
pub(super) fn shorten(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or_default();
    if line.chars().count() > max || line.len() < text.trim_end().len() {
        format!("{}…", line.chars().take(max).collect::<String>())
    } else {
        line.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_here_is_cut_to_one_line() {
        assert_eq!(shorten("one\ntwo", 10), "one…");
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(shorten("abcdefghijkl", 3), "abc…");
    }
}
