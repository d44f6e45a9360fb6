//! The Linux backend: user and PID namespaces, a child subreaper where they
//! are refused, rlimits, and Landlock.
//!
//! The launcher runs in three stages, each this same executable:
//! 1. `__contain` (the launcher, a child of the checker): blocks the
//!    signals it forwards, enters a new user and PID namespace (or a PID
//!    namespace alone, or becomes a child subreaper), and starts stage 2.
//!    It forwards SIGTERM, SIGINT and SIGHUP, watches that the checker is
//!    still its parent (a checker killed with SIGKILL cannot tell it), and
//!    ends with the program's own status, signals included.
//! 2. `__contain-init` (PID 1 of the new namespace): starts stage 3 in a
//!    process group of its own, forwards signals to that group, reaps
//!    orphans, and when the program ends writes its status to the launcher
//!    and exits: the kernel then kills whatever is left in the namespace.
//! 3. `__contain-exec` (becomes the program): sets the rlimits, the
//!    Landlock sandbox and TMPDIR, then `exec`s the program.

mod procfs;
mod sandbox;

pub use procfs::{
    cpu_time_below, init_checker, is_executable, kill_descendants, kill_orphans, peak_memory_below, threads_below,
};
pub use sandbox::support;

use super::{Kind, Mode, Spec, EXEC, INIT};
use landlock::ABI;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sched::{unshare, CloneFlags};
use nix::sys::resource::{setrlimit, Resource};
use nix::sys::signal::{kill, raise, SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{getppid, Pid};
use sandbox::sandbox;
use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const SIGXFSZ: i32 = libc::SIGXFSZ;

/// The Landlock ABI whose rights the sandbox handles (signal scoping came
/// with 6); older kernels get what they offer.
const WANTED_ABI: ABI = ABI::V6;

/// Signals passed down to the program.
const FORWARDED: [Signal; 3] = [Signal::SIGTERM, Signal::SIGINT, Signal::SIGHUP];

/// Set by `support()` for the launcher and exec stages: say what was set
/// up on stderr instead of running the program.
const PROBE: &str = "SOCKETLINGS_CONTAIN_PROBE";

fn signal_set() -> SigSet {
    let mut set = SigSet::empty();
    for signal in FORWARDED {
        set.add(signal);
    }
    set.add(Signal::SIGCHLD);
    set
}

fn die(stage: &str, message: impl std::fmt::Display) -> ! {
    eprintln!("checker ({stage}): {message}");
    std::process::exit(125)
}

/// How the launcher contains the program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Isolation {
    UserAndPid,
    Pid,
    Reaper,
}

impl Isolation {
    fn describe(self) -> &'static str {
        match self {
            Isolation::UserAndPid => "user and PID namespaces",
            Isolation::Pid => "a PID namespace",
            Isolation::Reaper => "a child subreaper (no PID namespace: the kernel refused one)",
        }
    }
}

/// Enters new namespaces if the kernel allows.
fn isolate(kind: Kind) -> Isolation {
    // The checker's own helpers read /proc by pid: they stay in the
    // checker's PID namespace, contained by the subreaper and pdeathsig.
    if kind == Kind::Helper {
        return Isolation::Reaper;
    }
    let uid = nix::unistd::getuid();
    let gid = nix::unistd::getgid();
    if unshare(CloneFlags::CLONE_NEWUSER | CloneFlags::CLONE_NEWPID).is_ok() {
        // Map our own ids: the program keeps the rights it had on files;
        // in its own namespace it has no rights over processes outside.
        let mapped = std::fs::write("/proc/self/uid_map", format!("{uid} {uid} 1\n"))
            .and_then(|()| std::fs::write("/proc/self/setgroups", "deny"))
            .and_then(|()| std::fs::write("/proc/self/gid_map", format!("{gid} {gid} 1\n")));
        if let Err(err) = mapped {
            die("launcher", format!("could not map the user namespace's ids: {err}"));
        }
        return Isolation::UserAndPid;
    }
    if unshare(CloneFlags::CLONE_NEWPID).is_ok() {
        return Isolation::Pid;
    }
    Isolation::Reaper
}

/// Stage 1.
pub fn launcher(spec: Spec) -> ! {
    let signals = signal_set();
    if signals.thread_block().is_err() {
        die("launcher", "could not block signals");
    }
    let parent = spec.parent;
    if parent.is_some_and(|p| getppid().as_raw() as u32 != p) {
        // The checker is already gone.
        std::process::exit(137);
    }
    // This very executable, even if its file was replaced or removed since.
    let exe = PathBuf::from("/proc/self/exe");
    let isolation = isolate(spec.kind);
    if std::env::var_os(PROBE).is_some() {
        eprintln!("containment: {}", isolation.describe());
    }
    let mut stage3 = vec![exe.display().to_string(), EXEC.to_string()];
    stage3.extend(spec.to_args());
    stage3.push("--".to_string());
    stage3.extend(spec.program.iter().cloned());
    let status = match isolation {
        Isolation::UserAndPid | Isolation::Pid => {
            let (read, write) = nix::unistd::pipe().unwrap_or_else(|e| die("launcher", e));
            let _ = nix::fcntl::fcntl(&read, nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC));
            let mut init = Command::new(&exe);
            init.arg(INIT)
                .args(["--status-fd", &write.as_raw_fd().to_string()])
                .args(["--launcher", &std::process::id().to_string()])
                .arg("--")
                .args(&stage3)
                .process_group(0);
            let pid = spawn("launcher", &mut init);
            drop(write);
            let ended = supervise(pid, pid, parent, false, scratch_of(&spec));
            // The program's status, as init saw it; init itself killed
            // (the checker's SIGKILL reached it) reads as SIGKILL.
            let mut text = String::new();
            let _ = std::fs::File::from(read).read_to_string(&mut text);
            parse_status(&text).unwrap_or(ended)
        }
        Isolation::Reaper => {
            let _ = nix::sys::prctl::set_child_subreaper(true);
            let mut program = Command::new(&stage3[0]);
            // Stage 3 is our child: it checks that we are still there once
            // its pdeathsig is set.
            program
                .arg(&stage3[1])
                .args(["--parent", &std::process::id().to_string()])
                .args(&stage3[2..])
                .process_group(0);
            let pid = spawn("launcher", &mut program);
            let ended = supervise(pid, Pid::from_raw(-pid.as_raw()), parent, true, scratch_of(&spec));
            kill_descendants();
            ended
        }
    };
    remove_scratch(&spec);
    reproduce(status)
}

/// The program's scratch folder, if the checker made one for it.
fn scratch_of(spec: &Spec) -> Option<&Path> {
    let tmp = spec.tmp.as_deref()?;
    tmp.file_name().is_some_and(|n| n.to_string_lossy().starts_with("socketlings-run-")).then_some(tmp)
}

/// Removes the program's scratch folder once it has ended (the checker
/// removes it too, unless it was killed).
fn remove_scratch(spec: &Spec) {
    if let Some(tmp) = scratch_of(spec) {
        let _ = std::fs::remove_dir_all(tmp);
    }
}

/// Starts `command`; its pid is reaped by [`supervise`] with `waitpid`.
#[allow(clippy::zombie_processes)]
fn spawn(stage: &str, command: &mut Command) -> Pid {
    match command.spawn() {
        Ok(child) => Pid::from_raw(child.id() as i32),
        Err(err) => die(stage, format!("could not start: {err}")),
    }
}

/// How a program ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ended {
    Code(i32),
    Signal(i32),
}

fn parse_status(text: &str) -> Option<Ended> {
    let (kind, value) = text.trim().split_once(' ')?;
    let value = value.parse().ok()?;
    match kind {
        "exit" => Some(Ended::Code(value)),
        "signal" => Some(Ended::Signal(value)),
        _ => None,
    }
}

fn ended_of(status: WaitStatus) -> Option<Ended> {
    match status {
        WaitStatus::Exited(_, code) => Some(Ended::Code(code)),
        WaitStatus::Signaled(_, signal, _) => Some(Ended::Signal(signal as i32)),
        _ => None,
    }
}

/// Waits for `child`, forwarding signals to `target` (a pid, or a group as
/// a negative number); reaps every other child when `reap` (a subreaper).
/// Kills `target`, removes `scratch` and exits if the checker (`parent`)
/// goes away.
fn supervise(child: Pid, target: Pid, parent: Option<u32>, reap: bool, scratch: Option<&Path>) -> Ended {
    let signals = SignalFd::with_flags(&signal_set(), SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC)
        .unwrap_or_else(|e| die("launcher", e));
    loop {
        let mut fds = [PollFd::new(signals.as_fd(), PollFlags::POLLIN)];
        let _ = poll(&mut fds, PollTimeout::from(100u16));
        while let Ok(Some(info)) = signals.read_signal() {
            let forwarded = FORWARDED.iter().find(|s| **s as i32 as u32 == info.ssi_signo);
            if let Some(&signal) = forwarded {
                let _ = kill(target, signal);
            }
        }
        loop {
            let next = if reap { None } else { Some(child) };
            match waitpid(next, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) | Err(_) => break,
                Ok(status) => {
                    if status.pid() == Some(child) {
                        if let Some(ended) = ended_of(status) {
                            return ended;
                        }
                    }
                }
            }
        }
        if parent.is_some_and(|p| getppid().as_raw() as u32 != p) {
            let _ = kill(target, Signal::SIGKILL);
            if reap {
                kill_descendants();
            }
            if let Some(tmp) = scratch {
                let _ = std::fs::remove_dir_all(tmp);
            }
            std::process::exit(137);
        }
    }
}

/// Ends the launcher the way the program ended: with its exit code, or
/// killed by the same signal (without a core dump).
fn reproduce(ended: Ended) -> ! {
    match ended {
        Ended::Code(code) => std::process::exit(code),
        Ended::Signal(number) => {
            let _ = setrlimit(Resource::RLIMIT_CORE, 0, 0);
            if let Ok(signal) = Signal::try_from(number) {
                default_disposition(signal);
                let mut set = SigSet::empty();
                set.add(signal);
                let _ = set.thread_unblock();
                let _ = raise(signal);
            }
            std::process::exit(128 + number)
        }
    }
}

/// Gives `signal` its default action (std ignores SIGPIPE).
#[allow(unsafe_code)]
fn default_disposition(signal: Signal) {
    // SAFETY: installing SIG_DFL runs no code of ours in a signal handler.
    unsafe {
        let _ = nix::sys::signal::signal(signal, nix::sys::signal::SigHandler::SigDfl);
    }
}

/// Stage 2: PID 1 of the namespace.
pub fn init(spec: Spec) -> ! {
    let signals = signal_set();
    let _ = signals.thread_block();
    let _ = nix::sys::prctl::set_pdeathsig(Signal::SIGKILL);
    // The launcher may have died before pdeathsig was set.
    if spec.launcher.is_some_and(|l| parent_in_proc() != Some(l)) {
        std::process::exit(137);
    }
    let Some(fd) = spec.status_fd else { die("init", "no --status-fd") };
    let status_pipe = owned_fd(fd);
    let _ = nix::fcntl::fcntl(&status_pipe, nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC));
    let mut program = Command::new(&spec.program[0]);
    program.args(&spec.program[1..]).process_group(0);
    let pid = spawn("init", &mut program);
    let ended = supervise(pid, Pid::from_raw(-pid.as_raw()), None, true, None);
    let text = match ended {
        Ended::Code(code) => format!("exit {code}"),
        Ended::Signal(signal) => format!("signal {signal}"),
    };
    let _ = std::fs::File::from(status_pipe).write_all(text.as_bytes());
    // Exiting ends everything left in the namespace.
    std::process::exit(0)
}

#[allow(unsafe_code)]
fn owned_fd(fd: i32) -> OwnedFd {
    // SAFETY: `fd` was inherited from the launcher for this one use: it is
    // open, and nothing else in this process owns it.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// This process's parent as /proc (mounted for the checker's namespace) sees it.
fn parent_in_proc() -> Option<u32> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    stat.rsplit(')').next()?.split_whitespace().nth(1)?.parse().ok()
}

/// Stage 3: limits, sandbox, then the program itself.
pub fn exec(spec: Spec) -> ! {
    let _ = nix::sys::prctl::set_pdeathsig(Signal::SIGKILL);
    // The launcher may have died before pdeathsig was set.
    if spec.parent.is_some_and(|p| getppid().as_raw() as u32 != p) {
        std::process::exit(137);
    }
    let limits = spec.limits;
    let set = |resource, value: u64| {
        if value > 0 {
            let _ = setrlimit(resource, value, value);
        }
    };
    set(Resource::RLIMIT_DATA, limits.memory);
    set(Resource::RLIMIT_NPROC, limits.processes);
    set(Resource::RLIMIT_FSIZE, limits.file_size);
    if spec.kind != Kind::Helper {
        let _ = setrlimit(Resource::RLIMIT_CORE, 0, 0);
    }
    // The launcher and init block the signals they forward: the program
    // starts with none blocked.
    let _ = SigSet::empty().thread_set_mask();
    let mut command = Command::new(&spec.program[0]);
    command.args(&spec.program[1..]);
    if let Some(tmp) = &spec.tmp {
        command.env("TMPDIR", tmp);
    }
    if spec.mode != Mode::Off {
        match sandbox(&spec) {
            Ok(status) => {
                if std::env::var_os(PROBE).is_some() {
                    eprintln!("sandbox: {status}");
                    std::process::exit(0);
                }
            }
            Err(err) if spec.mode == Mode::Strict => die("sandbox", err),
            Err(_) => {}
        }
    } else if std::env::var_os(PROBE).is_some() {
        eprintln!("sandbox: off");
        std::process::exit(0);
    }
    let err = command.exec();
    eprintln!("{}: {err}", spec.program[0]);
    std::process::exit(127)
}
