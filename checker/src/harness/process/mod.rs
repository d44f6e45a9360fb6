//! Child processes: every program the checker starts is a [`Program`].
//!
//! A `Program` is started through the launcher of [`crate::os`], which
//! contains it (nothing it starts outlives it, whatever it does), bounds its
//! memory, processes and file sizes, and sandboxes it by the [`os::Policy`]
//! and the [`Grants`] of its check. The launcher runs in its own process
//! group (on Unix), with stdin closed or piped, and stdout and stderr
//! drained on their own threads into bounded buffers, so a program that
//! floods its output cannot exhaust memory or block on a full pipe.
//! Dropping a `Program` stops it: SIGTERM (passed down to the program), a
//! short grace period, then SIGKILL, which ends everything it started.
//! Programs still alive when the checker gets Ctrl-C (or SIGTERM) are
//! killed by the handler installed with [`install_interrupt_handler`],
//! which also removes the scratch folders registered with
//! [`remove_on_interrupt`].

//!
//! # Layout
//!
//! - this module: [`Program`] and its [`ProgramLog`];
//! - [`capture`]: the bounded capture of stdout and stderr;
//! - [`signal`]: signals to a process group (the per-OS part);
//! - [`live_groups`]: the process groups still running;
//! - [`scratch`]: scratch folders, removed even after a crash;
//! - [`interrupt`]: what Ctrl-C does.

mod capture;
mod interrupt;
mod live_groups;
mod scratch;
mod signal;

pub use capture::{Capture, LineHandler};
pub use interrupt::{
    exit_if_interrupted, install_interrupt_handler, interrupted, on_interrupt, stop_everything_and_exit,
};
pub use scratch::{remove_on_interrupt, remove_stale_scratch, scratch_dir};

use crate::os::{self, Grants, Kind};
use signal::signal_group;
pub use signal::Signal;
use std::io::Write;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a program has between SIGTERM and SIGKILL, unless told otherwise.
const GRACE: Duration = Duration::from_millis(200);

/// What the report shows of a program after a check: its command line, its
/// output and how it ended.
pub struct ProgramLog {
    pub label: String,
    pub command_line: String,
    pub stdout: Arc<Capture>,
    pub stderr: Arc<Capture>,
    pub status: Mutex<Option<ExitStatus>>,
}

/// A running program, killed (with its whole process group) when dropped.
pub struct Program {
    child: Child,
    stdin: Option<ChildStdin>,
    log: Arc<ProgramLog>,
    grace: Duration,
    /// The program's own scratch folder (its TMPDIR), removed after it.
    scratch: Option<tempfile::TempDir>,
    /// Whether its limits are named in its stderr when it dies (a program
    /// under test; a build says it in its own words).
    limited: bool,
}

impl ProgramLog {
    /// Adds to the program's stderr, in plain words, the limit that
    /// explains how it ended, if one does.
    fn note_limit(&self, status: ExitStatus) {
        #[cfg(unix)]
        let signal = std::os::unix::process::ExitStatusExt::signal(&status);
        #[cfg(not(unix))]
        let signal = None;
        let (err, _) = self.stderr.snapshot();
        let Some(note) = os::limit_hit(signal, &String::from_utf8_lossy(&err), os::policy().limits) else { return };
        self.stderr.append_line(&format!("[checker] {note}"));
    }
}

impl Program {
    /// Starts `argv` (one of the checker's own helpers) contained, with
    /// stdin closed, or piped when `stdin` is true.
    /// Once the checker is interrupted, no program starts: it fails with an error.
    pub fn spawn(label: &str, argv: &[String], stdin: bool) -> std::io::Result<Program> {
        Program::spawn_as(label, argv, stdin, Kind::Helper, &Grants::default())
    }

    /// Starts `argv` as `kind` (a program under test, a build, a helper)
    /// through the launcher, with `grants` besides the system.
    pub fn spawn_as(
        label: &str,
        argv: &[String],
        stdin: bool,
        kind: Kind,
        grants: &Grants,
    ) -> std::io::Result<Program> {
        Program::start(label, argv, stdin, kind, grants, None)
    }

    /// Like [`Program::spawn_as`], with stdin closed, handing each line of
    /// stdout to `on_line` as it arrives (the capture stays bounded).
    pub fn spawn_streaming(
        label: &str,
        argv: &[String],
        kind: Kind,
        grants: &Grants,
        on_line: LineHandler,
    ) -> std::io::Result<Program> {
        Program::start(label, argv, false, kind, grants, Some(on_line))
    }

    fn start(
        label: &str,
        argv: &[String],
        stdin: bool,
        kind: Kind,
        grants: &Grants,
        on_line: Option<LineHandler>,
    ) -> std::io::Result<Program> {
        if interrupted() {
            return Err(std::io::Error::other("the checker was interrupted"));
        }
        let (program, args) = argv.split_first().expect("a command line is never empty");
        // Found here, so that a missing program fails to start, as it
        // would without the launcher.
        let resolved = os::resolve_program(program)?;
        let mut grants = grants.clone();
        grants.read.push(resolved.clone());
        let mut full = vec![resolved.display().to_string()];
        full.extend(args.iter().cloned());
        let launch: os::Launch = os::launch(&full, kind, &grants)?;
        let mut command = launcher_command(&launch.argv, stdin);
        // Registered before any orphan hunt can mistake it for an orphan.
        let mut child = live_groups::spawn(&mut command)?;
        let log = Arc::new(ProgramLog {
            label: label.to_string(),
            command_line: display_command(argv),
            stdout: Arc::default(),
            stderr: Arc::default(),
            status: Mutex::new(None),
        });
        if let Some(out) = child.stdout.take() {
            log.stdout.spawn_drain(out, on_line);
        }
        if let Some(err) = child.stderr.take() {
            log.stderr.spawn_drain(err, None);
        }
        let stdin = child.stdin.take();
        if let Some(dir) = &launch.scratch {
            remove_on_interrupt(dir.path());
        }
        let limited = kind == Kind::Program;
        let program = Program { child, stdin, log, grace: GRACE, scratch: launch.scratch, limited };
        if interrupted() {
            // The interrupt handler may have missed it: stop it here.
            drop(program);
            return Err(std::io::Error::other("the checker was interrupted"));
        }
        Ok(program)
    }

    /// Gives the program `grace` between SIGTERM and SIGKILL, when dropped
    /// and on Ctrl-C. For a program that stops programs of its own when it
    /// gets SIGTERM (a checker run by `grade`): they live in process groups
    /// of their own, which a SIGKILL of its group would not reach.
    pub fn with_grace(mut self, grace: Duration) -> Program {
        self.grace = grace;
        live_groups::set_grace(self.child.id(), grace);
        self
    }

    pub fn log(&self) -> &Arc<ProgramLog> {
        &self.log
    }

    pub fn stdout(&self) -> &Capture {
        &self.log.stdout
    }

    pub fn stderr(&self) -> &Capture {
        &self.log.stderr
    }

    /// Writes to the program's stdin (a no-op if stdin was not piped or the
    /// program no longer reads it).
    pub fn write_stdin(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match &mut self.stdin {
            Some(stdin) => stdin.write_all(bytes).and_then(|()| stdin.flush()),
            None => Ok(()),
        }
    }

    /// Closes the program's stdin: it now reads end of input.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// The exit status, if the program has exited.
    pub fn try_status(&mut self) -> Option<ExitStatus> {
        let status = self.child.try_wait().ok().flatten();
        if let Some(status) = status {
            let first = self.log.status.lock().unwrap_or_else(|e| e.into_inner()).replace(status).is_none();
            // Let the drain threads read what is left in the pipes.
            self.log.stdout.wait_closed(Duration::from_millis(100));
            self.log.stderr.wait_closed(Duration::from_millis(100));
            if first && self.limited {
                self.log.note_limit(status);
            }
        }
        status
    }

    /// Waits for the program to exit, until `within` has passed.
    pub fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.try_status() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Program {
    /// The highest resident memory, in bytes, that the program's processes
    /// have used so far: the sum of each one's peak (`VmHWM` in
    /// `/proc/<pid>/status`) over the processes it started. `None` where the
    /// system does not say (anything but Linux).
    pub fn peak_memory(&self) -> Option<u64> {
        os::peak_memory_below(self.child.id())
    }

    /// How many threads the program's processes run now, in all. `None`
    /// where the system does not say (anything but Linux).
    pub fn threads(&self) -> Option<usize> {
        os::threads_below(self.child.id())
    }

    /// The CPU time (user and system) the program's processes have used so
    /// far, at a resolution of 10 ms. `None` where the system does not say.
    pub fn cpu_time(&self) -> Option<Duration> {
        os::cpu_time_below(self.child.id())
    }

    /// Kills the program's process group at once (SIGKILL), as a crash or
    /// a power cut would, and waits for it.
    pub fn kill_now(&mut self) {
        signal_group(self.child.id(), Signal::Kill);
        let _ = self.child.kill();
        if let Ok(status) = self.child.wait() {
            *self.log.status.lock().unwrap_or_else(|e| e.into_inner()) = Some(status);
        }
    }
}

impl Program {
    /// Sends `signal` to the program as a terminal's Ctrl-C (SIGINT) or a
    /// service manager's stop (SIGTERM) would: the launcher passes it on.
    pub fn signal(&self, signal: Signal) {
        signal_group(self.child.id(), signal);
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        self.stdin = None;
        let id = self.child.id();
        if self.child.try_wait().ok().flatten().is_none() {
            signal_group(id, Signal::Term);
            let deadline = Instant::now() + self.grace;
            while self.child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(2));
            }
        }
        // The leader may be gone while others in its group live on: the group
        // is killed in any case.
        signal_group(id, Signal::Kill);
        let _ = self.child.kill();
        let _ = self.child.wait();
        live_groups::remove(id);
        // Anything that escaped the program's containment and was handed
        // back to the checker (a subreaper) ends here.
        live_groups::kill_orphans();
        drop(self.scratch.take());
    }
}

/// The command that runs the launcher line `argv`: stdin closed or piped,
/// stdout and stderr piped, in a process group of its own (on Unix).
fn launcher_command(argv: &[String], stdin: bool) -> Command {
    let (launcher, launcher_args) = argv.split_first().expect("a command line is never empty");
    let mut command = Command::new(launcher);
    command
        .args(launcher_args)
        .stdin(if stdin { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // A learner's panic should read as one message, not a backtrace.
        .env("RUST_BACKTRACE", "0");
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    command
}

/// `argv` as one line a person could paste into a shell.
pub fn display_command(argv: &[String]) -> String {
    // A program inside the current folder is shown by its relative path.
    let mut argv = argv.to_vec();
    if let (Some(first), Ok(cwd)) = (argv.first_mut(), std::env::current_dir()) {
        if let Ok(rel) = std::path::Path::new(first.as_str()).strip_prefix(&cwd) {
            *first = rel.display().to_string();
        }
    }
    shlex::try_join(argv.iter().map(String::as_str)).unwrap_or_else(|_| argv.join(" "))
}
