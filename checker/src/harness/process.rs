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

use crate::os::{self, Grants, Kind};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Bytes kept of each output stream; the rest is counted, not stored.
const CAPTURE_LIMIT: usize = 1 << 20;

/// How long a program has between SIGTERM and SIGKILL, unless told otherwise.
const GRACE: Duration = Duration::from_millis(200);

/// One output stream of a program, as captured so far.
#[derive(Default)]
struct StreamState {
    bytes: Vec<u8>,
    dropped: usize,
    closed: bool,
}

/// A bounded capture of one stream, shared with the thread that drains it.
#[derive(Default)]
pub struct Capture {
    state: Mutex<StreamState>,
    changed: Condvar,
}

/// A callback given each line of a stream (without its `\n`) as it arrives.
pub type LineHandler = Box<dyn FnMut(&[u8]) + Send>;

impl Capture {
    fn spawn_drain(self: &Arc<Self>, mut source: impl Read + Send + 'static, mut on_line: Option<LineHandler>) {
        let capture = Arc::clone(self);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            // The line being read, for `on_line` (every byte is parsed,
            // whatever the capture keeps).
            let mut line = Vec::new();
            loop {
                let n = source.read(&mut buf).unwrap_or(0);
                if let Some(handler) = on_line.as_mut() {
                    for &byte in &buf[..n] {
                        if byte == b'\n' {
                            handler(&line);
                            line.clear();
                        } else {
                            line.push(byte);
                        }
                    }
                    if n == 0 && !line.is_empty() {
                        handler(&line);
                        line.clear();
                    }
                }
                let mut state = capture.state.lock().unwrap_or_else(|e| e.into_inner());
                if n == 0 {
                    state.closed = true;
                } else {
                    let room = CAPTURE_LIMIT.saturating_sub(state.bytes.len());
                    let kept = n.min(room);
                    state.bytes.extend_from_slice(&buf[..kept]);
                    state.dropped += n - kept;
                }
                let closed = state.closed;
                drop(state);
                capture.changed.notify_all();
                if closed {
                    return;
                }
            }
        });
    }

    /// Everything captured so far (at most [`CAPTURE_LIMIT`] bytes) and how
    /// many bytes were discarded beyond it.
    pub fn snapshot(&self) -> (Vec<u8>, usize) {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        (state.bytes.clone(), state.dropped)
    }

    /// Waits until `found` accepts the captured bytes, the stream closes, or
    /// the deadline passes. Returns the bytes and whether `found` accepted them.
    pub fn wait_for(&self, deadline: Instant, found: impl Fn(&[u8]) -> bool) -> (Vec<u8>, bool) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if found(&state.bytes) {
                return (state.bytes.clone(), true);
            }
            let now = Instant::now();
            if state.closed || now >= deadline {
                return (state.bytes.clone(), false);
            }
            state = self.changed.wait_timeout(state, deadline - now).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    pub fn wait_closed(&self, within: Duration) {
        let _ = self.wait_for(Instant::now() + within, |_| false);
    }
}

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
        let mut state = self.stderr.state.lock().unwrap_or_else(|e| e.into_inner());
        if !state.bytes.is_empty() && !state.bytes.ends_with(b"\n") {
            state.bytes.push(b'\n');
        }
        state.bytes.extend_from_slice(format!("[checker] {note}\n").as_bytes());
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
        let launch = os::launch(&full, kind, &grants)?;
        let (launcher, launcher_args) = launch.argv.split_first().expect("a command line is never empty");
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

/// A signal the checker sends a program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// SIGTERM: stop, please.
    Term,
    /// SIGKILL: stop now.
    Kill,
    /// SIGINT: what Ctrl-C sends.
    Int,
}

#[cfg(unix)]
fn signal_group(pgid: u32, signal: Signal) {
    use nix::sys::signal::{killpg, Signal as Sig};
    let signal = match signal {
        Signal::Term => Sig::SIGTERM,
        Signal::Kill => Sig::SIGKILL,
        Signal::Int => Sig::SIGINT,
    };
    if let Ok(pgid) = i32::try_from(pgid) {
        // The process group this checker created for the program; gone
        // already is fine.
        let _ = killpg(nix::unistd::Pid::from_raw(pgid), signal);
    }
}

#[cfg(not(unix))]
fn signal_group(_pgid: u32, _signal: Signal) {}

/// Process groups still running, for the Ctrl-C handler, each with the
/// grace it gets after SIGTERM (none: SIGKILL at once).
mod live_groups {
    use super::{signal_group, Signal};
    use std::sync::Mutex;
    use std::time::Duration;

    static LIVE: Mutex<Vec<(u32, Duration)>> = Mutex::new(Vec::new());

    /// Starts `command` and records it, under the lock that
    /// [`kill_orphans`] takes: a child just started is never taken for an orphan.
    pub fn spawn(command: &mut std::process::Command) -> std::io::Result<std::process::Child> {
        let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
        let child = command.spawn()?;
        live.push((child.id(), Duration::ZERO));
        Ok(child)
    }

    /// Kills the checker's children that are not programs it is running.
    pub fn kill_orphans() {
        let live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
        let keep: Vec<u32> = live.iter().map(|&(id, _)| id).collect();
        crate::os::kill_orphans(&keep);
    }

    pub fn set_grace(id: u32, grace: Duration) {
        for group in LIVE.lock().unwrap_or_else(|e| e.into_inner()).iter_mut().filter(|(g, _)| *g == id) {
            group.1 = grace;
        }
    }

    pub fn remove(id: u32) {
        LIVE.lock().unwrap_or_else(|e| e.into_inner()).retain(|&(g, _)| g != id);
    }

    /// SIGKILL every group; those with a grace get SIGTERM first, and that
    /// long to stop what they started.
    pub fn kill_all() {
        let groups: Vec<(u32, Duration)> = LIVE.lock().unwrap_or_else(|e| e.into_inner()).drain(..).collect();
        for &(id, grace) in &groups {
            signal_group(id, if grace.is_zero() { Signal::Kill } else { Signal::Term });
        }
        if let Some(grace) = groups.iter().map(|&(_, grace)| grace).max().filter(|g| !g.is_zero()) {
            std::thread::sleep(grace);
            for &(id, _) in &groups {
                signal_group(id, Signal::Kill);
            }
        }
    }
}

/// Scratch folders to remove if the checker is interrupted (a normal end
/// drops their `TempDir`s).
static SCRATCH: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Registers `path` (a scratch folder owned by a `TempDir`) to be removed
/// if the checker is interrupted, which ends it without running destructors.
pub fn remove_on_interrupt(path: &Path) {
    SCRATCH.lock().unwrap_or_else(|e| e.into_inner()).push(path.to_path_buf());
}

/// A scratch folder for a check (`kind`: `http`, `files`...), removed when
/// the `TempDir` is dropped or the checker is interrupted. Its name holds
/// the checker's pid (`socketlings-http-4242-…`), so that a later checker
/// can remove it when this one was killed outright ([`remove_stale_scratch`]).
pub fn scratch_dir(kind: &str) -> std::io::Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new().prefix(&format!("socketlings-{kind}-{}-", crate::os::own_pid())).tempdir()?;
    remove_on_interrupt(dir.path());
    Ok(dir)
}

/// Removes the scratch folders of checkers that are gone (killed with
/// SIGKILL, say, which runs no clean-up): those in the system's temporary
/// folder named `socketlings-KIND-PID-…` whose PID no longer runs.
#[cfg(target_os = "linux")]
pub fn remove_stale_scratch() {
    for entry in std::fs::read_dir(std::env::temp_dir()).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix("socketlings-") else { continue };
        let pid = rest.split('-').nth(1).and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub fn remove_stale_scratch() {}

fn remove_scratch_folders() {
    for path in SCRATCH.lock().unwrap_or_else(|e| e.into_inner()).drain(..) {
        let _ = std::fs::remove_dir_all(path);
    }
}

/// Called by the interrupt handler before the checker exits (to give the
/// terminal back its settings, say).
static ON_INTERRUPT: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// Registers `hook` to run when the checker is interrupted (once; later
/// calls are ignored).
pub fn on_interrupt(hook: fn()) {
    let _ = ON_INTERRUPT.set(hook);
}

/// Set once the checker gets Ctrl-C, SIGTERM or SIGHUP.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Whether the checker was interrupted (it is stopping its programs).
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// If the checker was interrupted, waits for the interrupt handler to finish
/// stopping programs and exit with status 130, rather than finishing as if
/// all went well.
pub fn exit_if_interrupted() {
    if interrupted() {
        std::thread::sleep(Duration::from_secs(10));
        std::process::exit(130);
    }
}

/// On Ctrl-C, SIGTERM or SIGHUP: kill every program still running, then exit
/// with status 130. (A program in its own process group does not get the
/// terminal's Ctrl-C itself.) From then on no program starts; one that was
/// starting at that moment is killed by [`Program::spawn`] itself.
pub fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        stop_everything_and_exit(130, "interrupted: every program the checker started was stopped");
    });
}

/// Stops every program the checker started (and what they started), removes
/// the scratch folders, runs the hook given to [`on_interrupt`], says `note`
/// on stderr and exits with `code`: what Ctrl-C does, and what `watch`'s
/// `q` does in the middle of a run.
pub fn stop_everything_and_exit(code: i32, note: &str) -> ! {
    INTERRUPTED.store(true, Ordering::SeqCst);
    live_groups::kill_all();
    // What was starting at that moment, and the orphans of what was
    // killed, come back to the checker: they end too.
    os::kill_descendants();
    remove_scratch_folders();
    if let Some(hook) = ON_INTERRUPT.get() {
        hook();
    }
    let _ = std::io::stderr().write_all(format!("\n{note}\n").as_bytes());
    std::process::exit(code);
}
