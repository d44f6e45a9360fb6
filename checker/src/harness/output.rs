//! Expectations on a program's output and how it ends: its exit status
//! ([`expect_exit`], [`expect_error_exit`]), its whole stdout
//! ([`expect_stdout`], with a caret under the first wrong byte), what it
//! has printed so far ([`expect_stdout_so_far`]), and one line it prints
//! ([`expect_printed_line`]).

use super::status::describe_status;
use super::{text, Ctx, Failure, Outcome, Program};
use std::process::ExitStatus;
use std::time::{Duration, Instant};

/// The program exits with status 0 within the exit deadline; `waited_for`
/// says what it should have exited after ("the client to exit at the end of
/// stdin"), for a program still running. A non-zero status is shown with
/// the last line of its stderr.
pub fn expect_exit(ctx: &Ctx, program: &mut Program, did: &str, waited_for: &str) -> Outcome {
    let status = program.wait_exit(ctx.timing.exit());
    expect_success(program, status, did, waited_for)
}

/// `status` (what [`Program::wait_exit`] returned) is a success; see [`expect_exit`].
pub fn expect_success(program: &Program, status: Option<ExitStatus>, did: &str, waited_for: &str) -> Outcome {
    match status {
        Some(status) if status.success() => Ok(()),
        Some(status) => {
            Err(Failure::new(did, "exit status 0", with_last_stderr_line(program, describe_status(status))))
        }
        None => Err(Failure::new(did, waited_for, "it was still running")),
    }
}

/// `got` followed by the last line the program wrote on stderr, if any.
fn with_last_stderr_line(program: &Program, got: String) -> String {
    let (err, _) = program.stderr().snapshot();
    let err = String::from_utf8_lossy(&err);
    match err.lines().map(str::trim).rfind(|line| !line.is_empty()) {
        Some(line) => format!("{got}; its stderr ends with {}", text::escape(line.as_bytes())),
        None => got,
    }
}

/// The program (a client that met an error: a refused connection, a server
/// that closed early) exits non-zero with a message on stderr, without a panic.
pub fn expect_error_exit(ctx: &Ctx, client: &mut Program, did: &str) -> Outcome {
    let expected = "a short error on stderr and a non-zero exit status, without a panic";
    let Some(status) = client.wait_exit(ctx.timing.exit()) else {
        return Err(Failure::new(did, expected, "the client was still running")
            .hint("An error here ends the client: return it instead of retrying or waiting forever."));
    };
    let (err, _) = client.stderr().snapshot();
    let err = String::from_utf8_lossy(&err);
    if status.success() {
        return Err(Failure::new(did, expected, "exit status 0")
            .hint("The client could not do its work: return the error from `run` so `main` exits non-zero."));
    }
    if err.contains("panicked at") || err.contains("Traceback (most recent call last)") {
        return Err(Failure::new(did, expected, format!("a crash: {}", text::crash_line(&err))));
    }
    if err.trim().is_empty() {
        return Err(Failure::new(did, expected, format!("{}, with nothing on stderr", describe_status(status)))
            .hint("Say what went wrong on stderr (`eprintln!`), e.g. `error: Connection refused`."));
    }
    Ok(())
}

/// Waits for the program to exit (at most the exit deadline) and expects
/// its whole stdout to be `expected`. Returns how it ended, for
/// [`expect_success`].
pub fn expect_stdout(
    ctx: &Ctx,
    program: &mut Program,
    expected: &[u8],
    did: &str,
) -> Result<Option<ExitStatus>, Failure> {
    let status = program.wait_exit(ctx.timing.exit());
    let (out, _) = program.stdout().snapshot();
    if out == expected {
        return Ok(status);
    }
    Err(stdout_mismatch(did, expected, out, ""))
}

/// Waits until the program, still running, has printed as many bytes as
/// `expected` (at most the reply deadline) and expects them to be `expected`.
pub fn expect_stdout_so_far(ctx: &Ctx, program: &Program, expected: &[u8], did: &str) -> Outcome {
    let deadline = Instant::now() + ctx.timing.reply();
    let (out, found) = program.stdout().wait_for(deadline, |out| out.len() >= expected.len());
    if found && out == expected {
        return Ok(());
    }
    Err(stdout_mismatch(did, expected, out, if found { "" } else { " (nothing more came)" }))
}

fn stdout_mismatch(did: &str, expected: &[u8], out: Vec<u8>, note: &str) -> Failure {
    Failure::new(
        did,
        format!("{} on stdout", text::escape(expected)),
        format!("{} on stdout{note}", text::escape(&out)),
    )
    .diff(expected, out)
}

/// Waits (at most `within`) until the program prints the line `expected`
/// on stdout (ended by `\n` or `\r\n`). Otherwise the failure shows the
/// printed line that starts like it the longest way, with a caret.
pub fn expect_printed_line(program: &Program, expected: &str, within: Duration, did: &str) -> Outcome {
    let is_it = |line: &str| line.trim_end() == expected;
    let (out, found) =
        program.stdout().wait_for(Instant::now() + within, |out| String::from_utf8_lossy(out).lines().any(is_it));
    if found {
        return Ok(());
    }
    let out = String::from_utf8_lossy(&out);
    let shared = |line: &str| line.bytes().zip(expected.bytes()).take_while(|(a, b)| a == b).count();
    let near = out.lines().filter(|line| shared(line) > 0).max_by_key(|line| shared(line));
    let expected_line = format!("the line {} on stdout", text::escape(expected.as_bytes()));
    Err(match near {
        Some(line) => Failure::new(did, expected_line, format!("the line {}", text::escape(line.as_bytes())))
            .diff(expected.as_bytes(), line.as_bytes()),
        None => Failure::new(did, expected_line, format!("no such line in {}", text::escape(out.as_bytes()))),
    })
}
