//! Running a lesson's checks against one program and turning the outcomes
//! into a [`LessonReport`].

use crate::harness::{self, Ctx, Failure, ProgramLog, Timing};
use crate::lessons::Lesson;
use crate::report::{CheckReport, FailureReport, LessonReport, LessonStatus, ProgramReport};
use std::panic::AssertUnwindSafe;
use std::time::Instant;

/// Lines of a program's stdout and stderr shown with a failure.
const TAIL_LINES: usize = 12;

/// What to run: a command line, and where its code lives (for messages).
/// A target without a source is any program (`--cmd`): its hints speak of
/// sockets in words every language shares (see [`socket_words`]).
#[derive(Clone, Debug)]
pub struct Target {
    pub argv: Vec<String>,
    pub description: String,
    pub source: Option<String>,
}

/// A report for a lesson whose checks could not run at all: every check is
/// listed, not passed, with no points.
pub fn not_run(
    lesson: &Lesson,
    program: String,
    source: Option<String>,
    status: LessonStatus,
    error: String,
) -> LessonReport {
    LessonReport {
        lesson: lesson.id(),
        number: lesson.number,
        title: lesson.title.to_string(),
        slug: lesson.slug.to_string(),
        program,
        source,
        status,
        error: Some(error),
        score: 0,
        max_score: lesson.max_score(),
        checks: lesson
            .checks
            .iter()
            .map(|check| CheckReport {
                name: check.name.to_string(),
                passed: false,
                points: 0,
                max_points: check.points,
                message: format!("not run: {}", status.describe()),
                duration_ms: 0,
                failure: None,
            })
            .collect(),
        start_here: None,
        warnings: None,
    }
}

/// Runs every check of `lesson` against `target`, one after another.
pub fn run_lesson(lesson: &Lesson, target: &Target, timing: Timing) -> LessonReport {
    let mut checks: Vec<CheckReport> = Vec::new();
    let mut start_here = None;
    let neutral = target.source.is_none();
    // Shared by the checks: a role that never became ready is not started again.
    let roles = harness::roles::Roles::default();
    for check in lesson.checks {
        let started = Instant::now();
        let run_once = || {
            let mut ctx = Ctx::in_run(target.argv.clone(), timing, roles.clone(), check.name);
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| (check.run)(&mut ctx))).unwrap_or_else(|_| {
                Err(Failure::new("ran the check", "the check to finish", "the checker itself failed")
                    .hint("This is a bug in the checker, not in your program. Please report it."))
            });
            (ctx, outcome)
        };
        let (mut ctx, mut outcome) = run_once();
        // The port a check hands a server was free a moment before; another
        // checker running at the same time may take it first. Then the
        // server fails to bind, and the check may have talked to the other
        // program. Such a check runs once more, on fresh ports: a program
        // that binds a fixed address fails the same way again, and is told so.
        if outcome.is_err() && ctx.logs().iter().any(|log| harness::said_address_in_use(log)) {
            (ctx, outcome) = run_once();
        }
        let duration_ms = started.elapsed().as_millis().try_into().unwrap_or(u64::MAX);
        let report = match outcome {
            Ok(()) => CheckReport {
                name: check.name.to_string(),
                passed: true,
                points: check.points,
                max_points: check.points,
                message: "passed".to_string(),
                duration_ms,
                failure: None,
            },
            Err(failure) if failure.cannot_run => {
                let error = format!("{}: {}", failure.did, failure.got);
                return not_run(
                    lesson,
                    target.description.clone(),
                    target.source.clone(),
                    LessonStatus::CannotRun,
                    error,
                );
            }
            Err(failure) => {
                let crash = ctx.logs().iter().find_map(|log| crash_of(log));
                let message = match failure.stopped_by {
                    Some(_) => failure.got.clone(),
                    None => format!("expected {}; got {}", failure.expected, failure.got),
                };
                if start_here.is_none() {
                    // The cause of the first check that fails: the lesson's
                    // order goes from the first concept to the details.
                    start_here = Some(match crash.as_ref().and_then(|c| c.todo.clone()) {
                        Some(todo) => todo,
                        None => format!("the check \"{}\": {}", check.name, shorten(&message, 160)),
                    });
                }
                CheckReport {
                    name: check.name.to_string(),
                    passed: false,
                    points: 0,
                    max_points: check.points,
                    message,
                    duration_ms,
                    failure: Some(failure_report(&ctx, failure, check.hint, crash, neutral)),
                }
            }
        };
        checks.push(report);
    }
    LessonReport {
        lesson: lesson.id(),
        number: lesson.number,
        title: lesson.title.to_string(),
        slug: lesson.slug.to_string(),
        program: target.description.clone(),
        source: target.source.clone(),
        status: LessonStatus::Checked,
        error: None,
        score: checks.iter().map(|c| c.points).sum(),
        max_score: lesson.max_score(),
        checks,
        start_here,
        warnings: None,
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
fn shorten(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or_default();
    if line.chars().count() > max || line.len() < text.trim_end().len() {
        format!("{}…", line.chars().take(max).collect::<String>())
    } else {
        line.to_string()
    }
}

/// The hint for one failure, from what was seen, most specific first:
/// 1. the program stopped at a `todo!()`: write that part;
/// 2. the bytes that came are right but stop short: a read returns at
///    most a buffer's worth (a content hint would contradict what was seen);
/// 3. the hint the check gave for this way of failing (refused, exited,
///    address in use on every port...);
/// 4. the right bytes, then more: send only what the answer holds;
/// 5. a text decoded piece by piece (U+FFFD where the message had a
///    letter of several bytes);
/// 6. otherwise the check's own hint, about the concept it tests.
pub fn choose_hint(failure: &Failure, check_hint: &str, todo: Option<&str>) -> String {
    use crate::harness::End;
    if let Some(todo) = todo {
        return format!(
            "Your program reached a todo!() that is not written yet: {todo}. Write that part, then run the checker again."
        );
    }
    let (expected, got) = match &failure.diff {
        Some((expected, got)) => (expected.as_slice(), got.as_slice()),
        None => (&[][..], &[][..]),
    };
    // A read of the connection (not a datagram) that ended too soon.
    let short = failure.end.is_some() && !got.is_empty() && got.len() < expected.len() && expected.starts_with(got);
    if short && matches!(&expected[got.len()..], b"\n" | b"\r\n") {
        return "The line is right, but its line end (`\\n`) never came: end each line you send with a newline, \
                and flush it if your program buffers what it writes."
            .to_string();
    }
    if short {
        let (how, flush) = match &failure.end {
            Some(End::Reset) => ("then the connection was reset", ""),
            Some(End::Closed | End::ClosedAsAsked) => ("then your program closed the connection", ""),
            Some(End::TimedOut(_)) => {
                ("then nothing more came", " If your program wrote the rest, it may sit in a buffer: flush it.")
            }
            _ => ("then it stopped", ""),
        };
        return format!(
            "The reply is right so far, but it stops after {} of {} bytes, {how}.{flush} One `read` returns at \
             most what fits in the buffer, and only what has arrived yet: make the buffer big enough for the \
             whole message, or read again until you have it, and send all of the answer with `write_all`.",
            got.len(),
            expected.len()
        );
    }
    if let Some(hint) = &failure.hint {
        return hint.clone();
    }
    if !expected.is_empty() && got.len() > expected.len() && got.starts_with(expected) {
        let extra = &got[expected.len()..];
        return if extra.iter().all(|&b| b == 0) {
            "The answer is followed by zero bytes: the rest of a buffer. Send only the n bytes the read \
             returned (`&buf[..n]`), not the whole buffer."
                .to_string()
        } else {
            format!(
                "The answer is right, then {} more came: send exactly the answer, nothing after it.",
                crate::harness::text::escape(extra)
            )
        };
    }
    let replacement = "\u{fffd}".as_bytes();
    if got.windows(3).any(|w| w == replacement) && !expected.windows(3).any(|w| w == replacement) {
        return "Your program sent U+FFFD (the replacement character, `�`) where the message had a letter: it \
                decoded bytes as text, and a letter of several bytes was cut in two (by a read that ended in \
                its middle) or was not valid text. Work on the bytes themselves."
            .to_string();
    }
    check_hint.to_string()
}

/// `hint` in the words of sockets that every language shares (connect,
/// recv, sendall, close), for a program checked with `--cmd`: the Rust
/// calls a hint names are replaced by the socket call they make. A hint
/// that still speaks Rust after that says so.
pub fn socket_words(hint: &str) -> String {
    const WORDS: &[(&str, &str)] = &[
        (
            "`TcpListener::bind(addr)` does the first two, `listener.accept()` waits for a client",
            "`bind` and `listen` do the first two, `accept` waits for a client",
        ),
        ("(`TcpListener::bind` does both.)", "(`bind`, then `listen`.)"),
        ("`stream.read(&mut buf)`", "`recv`"),
        ("(`read_to_end`)", "(until `recv` returns no bytes)"),
        ("(`stream.write_all(message.as_bytes())`)", "(`sendall`)"),
        ("drop the `TcpStream` (return from the function)", "close the socket"),
        ("`TcpListener::bind`", "`bind` and `listen`"),
        ("`TcpStream::connect`", "`connect`"),
        ("`listener.accept()`", "`accept`"),
        ("`write_all`", "`sendall`"),
        ("One `read` returns", "One `recv` returns"),
        ("`read` returns 0", "`recv` returns no bytes"),
        ("`read`", "`recv`"),
        ("`UdpSocket`", "UDP socket"),
        ("`send_to`", "`sendto`"),
        ("`recv_from`", "`recvfrom`"),
        ("`[u8]::to_ascii_uppercase` changes a-z only", "upper-case a-z only"),
        (", an error returned from `main`,", ", an uncaught error,"),
    ];
    let mut text = hint.to_string();
    for (rust, socket) in WORDS {
        text = text.replace(rust, socket);
    }
    let still_rust = ["::", "`?`", "unwrap", "Ok(", "&mut", "&buf", ".as_bytes", "`main`", "TcpStream", "TcpListener"];
    if still_rust.iter().any(|r| text.contains(r)) {
        text = format!("In Rust terms: {text}");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::End;
    use std::time::Duration;

    const CHECK_HINT: &str = "`str::to_uppercase` would also turn `ß` into `SS`.";

    fn read(expected: &[u8], got: &[u8], end: End) -> Failure {
        Failure {
            diff: Some((expected.to_vec(), got.to_vec())),
            end: Some(end),
            ..Failure::new("sent it", "the answer", "something else")
        }
    }

    #[test]
    fn a_reply_right_so_far_that_stops_short_never_gets_the_content_hint() {
        let failure = read(b"HELLO", b"HELL", End::Reset).hint("Do not `trim` what you read.");
        let hint = choose_hint(&failure, CHECK_HINT, None);
        assert!(hint.contains("stops after 4 of 5 bytes, then the connection was reset"), "{hint}");
        assert!(!hint.contains('ß') && !hint.contains("trim"), "{hint}");
        let hint = choose_hint(&read(b"HELLO", b"HE", End::TimedOut(Duration::from_secs(1))), CHECK_HINT, None);
        assert!(hint.contains("flush"), "{hint}");
    }

    #[test]
    fn a_missing_line_end_is_named() {
        let hint = choose_hint(&read(b"HELLO\n", b"HELLO", End::TimedOut(Duration::from_secs(1))), CHECK_HINT, None);
        assert!(hint.contains("line end"), "{hint}");
    }

    #[test]
    fn extra_bytes_wrong_bytes_and_decoded_text_each_get_their_hint() {
        let zeros = choose_hint(&read(b"HI", b"HI\0\0\0", End::Closed), CHECK_HINT, None);
        assert!(zeros.contains("`&buf[..n]`"), "{zeros}");
        let extra = choose_hint(&read(b"HI", b"HI\n", End::Closed), CHECK_HINT, None);
        assert!(extra.contains("then \"\\n\" more came"), "{extra}");
        let replaced = choose_hint(&read("Ü".as_bytes(), "\u{fffd}".as_bytes(), End::Closed), CHECK_HINT, None);
        assert!(replaced.contains("U+FFFD"), "{replaced}");
        // Wrong bytes: the check's own hint is about exactly that.
        assert_eq!(choose_hint(&read(b"STRASSE", "STRAẞE".as_bytes(), End::Closed), CHECK_HINT, None), CHECK_HINT);
    }

    #[test]
    fn the_failure_s_own_hint_and_a_todo_come_first() {
        let refused = Failure::new("connected", "a server", "refused").hint("Nothing is listening.");
        assert_eq!(choose_hint(&refused, CHECK_HINT, None), "Nothing is listening.");
        let todo = choose_hint(&refused, CHECK_HINT, Some("src/server.rs:3 — the todo!() that says \"x\""));
        assert!(todo.starts_with("Your program reached a todo!()"), "{todo}");
        // A datagram cut short is not a stream read: its check says why.
        let datagram = Failure { diff: Some((b"HELLO".to_vec(), b"HEL".to_vec())), ..refused };
        assert_eq!(choose_hint(&datagram, CHECK_HINT, None), "Nothing is listening.");
    }

    #[test]
    fn socket_words_replace_rust_calls_and_say_when_rust_is_left() {
        let lesson1 = crate::lessons::find("1").unwrap();
        let accept = socket_words(lesson1.checks[0].hint);
        assert!(accept.contains("`bind` and `listen`") && accept.contains("`accept`"), "{accept}");
        assert!(!accept.contains("TcpListener") && !accept.starts_with("In Rust terms"), "{accept}");
        let reply = socket_words(lesson1.checks[1].hint);
        assert!(reply.contains("`recv`") && reply.contains("`sendall`"), "{reply}");
        let rust = socket_words("Return the error with `?` instead of `unwrap()`.");
        assert!(rust.starts_with("In Rust terms: "), "{rust}");
    }

    #[test]
    fn start_here_is_cut_to_one_line() {
        assert_eq!(shorten("one\ntwo", 10), "one…");
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(shorten("abcdefghijkl", 3), "abc…");
    }
}
