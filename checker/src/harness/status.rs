//! Status wording: how a program ended, in the words the learner reads.
//!
//! - [`describe_status`]: "exited with status 1", "was killed by signal 9";
//! - [`exited_early`]: the failure of a check whose program ended first;
//! - [`blame_exit`]: a failure told again when the server had exited;
//! - [`said_address_in_use`]: whether a program's stderr says its port was taken.

use super::{Failure, Program, ProgramLog};
use std::process::ExitStatus;

/// "exited with status 1", "was killed by signal 9"
pub fn describe_status(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exited with status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("was killed by signal {signal}");
        }
    }
    format!("ended ({status})")
}

/// The program's stderr says the port was taken.
pub(super) fn mentions_address_in_use(program: &Program) -> bool {
    said_address_in_use(program.log())
}

/// Whether the program of `log` said on stderr that its address was in use.
pub fn said_address_in_use(log: &ProgramLog) -> bool {
    let (err, _) = log.stderr.snapshot();
    let err = String::from_utf8_lossy(&err).to_lowercase();
    err.contains("address already in use") || err.contains("addrinuse") || err.contains("os error 98")
}

/// The program exited before doing what the check waited for.
pub fn exited_early(did: &str, expected: &str, status: ExitStatus, program: &Program) -> Failure {
    let status = describe_status(status);
    let failure = Failure::new(did, expected, format!("your program {status} first"));
    if mentions_address_in_use(program) {
        failure.hint(
            "Address in use: another socket holds this port, often one left in TIME_WAIT by an \
             earlier run. Setting SO_REUSEADDR before bind (std's TcpListener::bind does it on \
             Unix) lets a server bind again at once.",
        )
    } else {
        failure.hint(format!(
            "Your program {status} before the check was done: its stderr below says why (a panic, an error \
             returned from `main`, or a `return` that came too soon)."
        ))
    }
}

/// When the server `program` has exited, the failure says so ("…; your
/// server exited with status 101"), with `hint` if one is given; otherwise
/// it is unchanged.
pub fn blame_exit(failure: Failure, program: &mut Program, hint: Option<&str>) -> Failure {
    let Some(status) = program.try_status() else { return failure };
    let got = format!("{}; your server {}", failure.got, describe_status(status));
    match hint {
        Some(hint) => failure.got(got).hint(hint),
        None => failure.got(got),
    }
}
