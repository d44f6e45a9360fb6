//! Containment and sandboxing: the one module that knows the operating system.
//!
//! Every program the checker starts (the program under test, cargo in
//! `grade`, the child checkers of `grade`) is started through a launcher:
//! this same executable, run as `checker __contain [OPTIONS] -- PROGRAM ARGS`.
//! The launcher makes sure that nothing the program starts outlives it, and
//! narrows what the program may do:
//!
//! - **containment** (always): on Linux the program runs in a PID namespace of
//!   its own (in a user namespace when the kernel allows one), whose init
//!   ends, with everything inside, when the program exits or the checker goes
//!   away; `setsid`, double forks and process groups cannot leave it. Where
//!   namespaces are refused, the launcher is a child subreaper that kills every
//!   descendant it finds.
//! - **limits** (always): memory (`RLIMIT_DATA`), processes (`RLIMIT_NPROC`),
//!   file size (`RLIMIT_FSIZE`), no core dumps.
//! - **sandbox** ([`Mode`]): Landlock filesystem rules and signal scoping.
//!   `strict` (for `grade`) reads the system and what the check grants;
//!   `learner` (for `checker lessonN`) reads everything; both write only a
//!   scratch folder of the program's own and the folders the check grants,
//!   and cannot signal anything outside their sandbox.
//!
//! The [`Policy`] is set once at start-up from the command line; each program
//! adds its own [`Grants`]. Backends: `linux` (namespaces, Landlock,
//! rlimits) and `other` (process groups only), so a macOS or Windows backend
//! can be added here without touching the lessons.
//!
//! # Layout
//!
//! - [`policy`](mod@policy): the mode, limits and grants every program gets;
//! - [`launch`](mod@launch): the launcher command line for a program;
//! - [`stage`]: the launcher's stages and their options;
//! - [`limits`]: the limit that ended a program, in plain words;
//! - `linux`, `other`: the backends; this module forwards to the one in use.

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as backend;
#[cfg(not(target_os = "linux"))]
mod other;
#[cfg(not(target_os = "linux"))]
use other as backend;

pub mod launch;
pub mod limits;
pub mod policy;
pub mod stage;

pub use launch::{launch, own_pid, resolve_program, Launch};
pub use limits::limit_hit;
pub use policy::{allow, allowed, policy, set_policy, Grants, Kind, Limits, Mode, Policy, MIB};
pub use stage::{run_stage_if_asked, Spec, EXEC, INIT, LAUNCHER};

/// What this machine offers to contain and sandbox programs, found by
/// running the launcher once on a probe.
#[derive(Clone, Debug, Default)]
pub struct Support {
    /// "user and PID namespaces", "PID namespace", "child subreaper", ...
    pub containment: String,
    /// The Landlock ABI the kernel offers (0: none).
    pub landlock_abi: u32,
    /// Whether the probe's sandbox was fully enforced.
    pub sandbox: bool,
    /// What is missing, in plain words, when `sandbox` is false.
    pub missing: Vec<String>,
}

/// What this machine offers (Linux: namespaces and Landlock).
pub fn support() -> Support {
    backend::support()
}

/// Sets up the checker process itself: a child subreaper, so that an orphan
/// of a program it started comes back to it and can be ended.
pub fn init_checker() {
    backend::init_checker();
}

/// Ends every orphan that was reparented to the checker (see
/// [`init_checker`]), except the processes in `keep`.
pub fn kill_orphans(keep: &[u32]) {
    backend::kill_orphans(keep);
}

/// Kills every process below the checker (orphans of programs it started
/// come back to it, a subreaper), until none is left: the last step of an
/// interrupted checker.
pub fn kill_descendants() {
    backend::kill_descendants();
}

/// The peak resident memory, in bytes, of `pid`'s descendants (the
/// launcher's stages left out); `None` where the system does not say.
pub fn peak_memory_below(pid: u32) -> Option<u64> {
    backend::peak_memory_below(pid)
}

/// How many threads `pid`'s descendants run (the launcher's stages left
/// out); `None` where the system does not say.
pub fn threads_below(pid: u32) -> Option<usize> {
    backend::threads_below(pid)
}

/// The CPU time `pid`'s descendants have used (the launcher's stages left
/// out); `None` where the system does not say.
pub fn cpu_time_below(pid: u32) -> Option<std::time::Duration> {
    backend::cpu_time_below(pid)
}
