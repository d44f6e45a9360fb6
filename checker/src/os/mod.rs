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

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
use linux as backend;
#[cfg(not(target_os = "linux"))]
mod other;
#[cfg(not(target_os = "linux"))]
use other as backend;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The hidden subcommands of the launcher's stages.
pub const LAUNCHER: &str = "__contain";
pub const INIT: &str = "__contain-init";
pub const EXEC: &str = "__contain-exec";

/// How much of the machine a program under test may read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// Reads the system and what its check grants; writes only its scratch
    /// folder and what its check grants (`grade`).
    Strict,
    /// Reads everything; writes only its scratch folder and what its check
    /// grants (`checker lessonN`).
    Learner,
    /// No sandbox: containment and limits only.
    Off,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Strict => "strict",
            Mode::Learner => "learner",
            Mode::Off => "off",
        }
    }

    fn parse(text: &str) -> Option<Mode> {
        [Mode::Strict, Mode::Learner, Mode::Off].into_iter().find(|m| m.as_str() == text)
    }
}

/// Resource limits for each program (0: none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of data (heap) one process may have.
    pub memory: u64,
    /// Processes and threads the program may run at once.
    pub processes: u64,
    /// Bytes one file written may reach.
    pub file_size: u64,
}

pub const MIB: u64 = 1 << 20;

impl Default for Limits {
    /// Fits a 2-core, 8 GiB machine grading two submissions at a time.
    fn default() -> Limits {
        Limits { memory: 1024 * MIB, processes: 256, file_size: 512 * MIB }
    }
}

/// The sandbox mode and limits every program gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    pub mode: Mode,
    pub limits: Limits,
}

static POLICY: OnceLock<Policy> = OnceLock::new();

/// Sets the policy (once, at start-up; later calls are ignored).
pub fn set_policy(policy: Policy) {
    let _ = POLICY.set(policy);
}

/// The policy in force: by default the learner's.
pub fn policy() -> Policy {
    POLICY.get().copied().unwrap_or(Policy { mode: Mode::Learner, limits: Limits::default() })
}

static ALLOWED: OnceLock<Grants> = OnceLock::new();

/// Folders every program under test may read (the hidden `--allow-read`,
/// for the tests' fixture programs) and write in (`--allow-write`, for the
/// tests' records of pids), besides what its check grants. Set once.
pub fn allow(grants: Grants) {
    let _ = ALLOWED.set(grants);
}

/// What [`allow`] set: a grader passes it on to its child checkers.
pub fn allowed() -> Grants {
    ALLOWED.get().cloned().unwrap_or_default()
}

/// What a program may read and write besides the system and its scratch
/// folder.
#[derive(Clone, Debug, Default)]
pub struct Grants {
    pub read: Vec<PathBuf>,
    pub write: Vec<PathBuf>,
}

/// What is started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A program under test: contained, limited, sandboxed by the policy.
    Program,
    /// A grading build (cargo): contained, limited, and sandboxed to read
    /// the system, the toolchain and the grants, write only the grants.
    Build,
    /// One of the checker's own helpers (a child checker): contained only.
    Helper,
}

/// A command line that runs `argv` contained, and the scratch folder made
/// for it (removed when dropped).
pub struct Launch {
    pub argv: Vec<String>,
    pub scratch: Option<tempfile::TempDir>,
}

/// The launcher command line for `argv` (whose first element is an
/// absolute path): `checker __contain OPTIONS -- argv`.
pub fn launch(argv: &[String], kind: Kind, grants: &Grants) -> std::io::Result<Launch> {
    let Some(launcher) = launcher_exe() else {
        return Ok(Launch { argv: argv.to_vec(), scratch: None });
    };
    let policy = policy();
    let mode = match kind {
        Kind::Program => policy.mode,
        Kind::Build if policy.mode == Mode::Off => Mode::Off,
        Kind::Build => Mode::Strict,
        Kind::Helper => Mode::Off,
    };
    let mut out = vec![launcher.display().to_string(), LAUNCHER.to_string()];
    let mut push = |flag: &str, value: String| {
        out.push(flag.to_string());
        out.push(value);
    };
    push("--parent", std::process::id().to_string());
    push("--mode", mode.as_str().to_string());
    push("--kind", format!("{kind:?}").to_lowercase());
    let mut scratch = None;
    if kind != Kind::Helper {
        let limits = policy.limits;
        push("--memory", limits.memory.to_string());
        push("--processes", limits.processes.to_string());
        push("--file-size", limits.file_size.to_string());
        if mode != Mode::Off {
            // The checker's pid in the name: a later checker removes the
            // folder if this one was killed outright (see
            // `harness::process::remove_stale_scratch`).
            let prefix = format!("socketlings-run-{}-", own_pid());
            let dir = tempfile::Builder::new().prefix(&prefix).tempdir()?;
            push("--tmp", dir.path().display().to_string());
            scratch = Some(dir);
        }
        for path in &grants.read {
            push("--read", path.display().to_string());
        }
        for path in &grants.write {
            push("--write", path.display().to_string());
        }
        if kind == Kind::Program {
            let allowed = allowed();
            for path in &allowed.read {
                push("--read", path.display().to_string());
            }
            for path in &allowed.write {
                push("--write", path.display().to_string());
            }
        }
    }
    out.push("--".to_string());
    out.extend(argv.iter().cloned());
    Ok(Launch { argv: out, scratch })
}

/// This process's pid as the system's `/proc` shows it. A checker that runs
/// inside a launcher's PID namespace (a child checker of `grade`) has another
/// pid there (`std::process::id()`), but `/proc` is the outer one: names of
/// scratch folders use this one, so that any checker can tell from `/proc`
/// whether the one that made a folder still runs.
pub fn own_pid() -> u32 {
    std::fs::read_link("/proc/self")
        .ok()
        .and_then(|target| target.to_str().and_then(|pid| pid.parse().ok()))
        .unwrap_or_else(std::process::id)
}

/// The executable that holds the launcher: this checker (not in the unit
/// tests, whose executable is the test harness: programs start directly).
fn launcher_exe() -> Option<PathBuf> {
    if cfg!(test) {
        return None;
    }
    static EXE: OnceLock<Option<PathBuf>> = OnceLock::new();
    let exe = EXE.get_or_init(|| std::env::current_exe().ok()).clone()?;
    // Rebuilt or removed while running (`watch` during a `cargo build`):
    // the running executable is still there on Linux.
    if !exe.exists() && cfg!(target_os = "linux") {
        return Some(PathBuf::from("/proc/self/exe"));
    }
    Some(exe)
}

/// Runs a launcher stage if `args` (the command line, without the program
/// name) asks for one; otherwise returns.
pub fn run_stage_if_asked(args: &[String]) {
    let Some(stage) = args.first() else { return };
    if ![LAUNCHER, INIT, EXEC].contains(&stage.as_str()) {
        return;
    }
    let spec = match Spec::parse(&args[1..]) {
        Ok(spec) => spec,
        Err(err) => {
            eprintln!("checker {stage}: {err}");
            std::process::exit(125);
        }
    };
    match stage.as_str() {
        LAUNCHER => backend::launcher(spec),
        INIT => backend::init(spec),
        _ => backend::exec(spec),
    }
}

/// The options of a launcher stage.
#[derive(Clone, Debug)]
pub struct Spec {
    pub parent: Option<u32>,
    pub mode: Mode,
    pub kind: Kind,
    pub limits: Limits,
    pub tmp: Option<PathBuf>,
    pub grants: Grants,
    /// Init only: where to write the program's status, and the launcher's pid.
    pub status_fd: Option<i32>,
    pub launcher: Option<u32>,
    pub program: Vec<String>,
}

impl Spec {
    fn parse(args: &[String]) -> Result<Spec, String> {
        let mut spec = Spec {
            parent: None,
            mode: Mode::Off,
            kind: Kind::Helper,
            limits: Limits { memory: 0, processes: 0, file_size: 0 },
            tmp: None,
            grants: Grants::default(),
            status_fd: None,
            launcher: None,
            program: Vec::new(),
        };
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            if flag == "--" {
                spec.program = args.cloned().collect();
                break;
            }
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            let number = || value.parse::<u64>().map_err(|_| format!("{flag} {value}: not a number"));
            match flag.as_str() {
                "--parent" => spec.parent = Some(number()? as u32),
                "--launcher" => spec.launcher = Some(number()? as u32),
                "--status-fd" => spec.status_fd = Some(number()? as i32),
                "--mode" => spec.mode = Mode::parse(value).ok_or_else(|| format!("unknown mode {value}"))?,
                "--kind" => {
                    spec.kind = match value.as_str() {
                        "program" => Kind::Program,
                        "build" => Kind::Build,
                        _ => Kind::Helper,
                    }
                }
                "--memory" => spec.limits.memory = number()?,
                "--processes" => spec.limits.processes = number()?,
                "--file-size" => spec.limits.file_size = number()?,
                "--tmp" => spec.tmp = Some(PathBuf::from(value)),
                "--read" => spec.grants.read.push(PathBuf::from(value)),
                "--write" => spec.grants.write.push(PathBuf::from(value)),
                _ => return Err(format!("unknown option {flag}")),
            }
        }
        if spec.program.is_empty() {
            return Err("no program to run (expected `-- PROGRAM ARGS`)".to_string());
        }
        Ok(spec)
    }

    /// The options again, for the next stage.
    fn to_args(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut push = |flag: &str, value: String| {
            out.push(flag.to_string());
            out.push(value);
        };
        push("--mode", self.mode.as_str().to_string());
        push("--kind", format!("{:?}", self.kind).to_lowercase());
        push("--memory", self.limits.memory.to_string());
        push("--processes", self.limits.processes.to_string());
        push("--file-size", self.limits.file_size.to_string());
        if let Some(tmp) = &self.tmp {
            push("--tmp", tmp.display().to_string());
        }
        for path in &self.grants.read {
            push("--read", path.display().to_string());
        }
        for path in &self.grants.write {
            push("--write", path.display().to_string());
        }
        out
    }
}

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

/// The absolute path of the program `name` would run (searched in `PATH`
/// when it has no slash), or why it cannot be run.
pub fn resolve_program(name: &str) -> std::io::Result<PathBuf> {
    let path = Path::new(name);
    let candidates: Vec<PathBuf> = if name.contains('/') {
        vec![std::path::absolute(path)?]
    } else {
        let paths = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&paths).map(|dir| dir.join(name)).collect()
    };
    for candidate in &candidates {
        if candidate.is_file() {
            if backend::is_executable(candidate) {
                return Ok(candidate.clone());
            }
            if name.contains('/') {
                return Err(std::io::Error::from(std::io::ErrorKind::PermissionDenied));
            }
        }
    }
    Err(std::io::Error::from(std::io::ErrorKind::NotFound))
}

/// What a limit in plain words means for a program that ended this way,
/// given its stderr; `None` when no limit explains it.
pub fn limit_hit(signal: Option<i32>, stderr: &str, limits: Limits) -> Option<String> {
    let human = |bytes: u64| {
        if bytes >= 1 << 30 && bytes % (1 << 30) == 0 {
            format!("{} GiB", bytes >> 30)
        } else {
            format!("{} MiB", bytes.div_ceil(MIB))
        }
    };
    let xfsz = backend::SIGXFSZ;
    if signal == Some(xfsz) || (stderr.contains("File too large") && limits.file_size > 0) {
        return Some(format!(
            "your program wrote a file larger than {}, the limit for one file, and was stopped",
            human(limits.file_size)
        ));
    }
    if limits.memory > 0
        && (stderr.contains("memory allocation of")
            || stderr.contains("more memory than available")
            || stderr.contains("MemoryError")
            || stderr.contains("Cannot allocate memory")
            || stderr.contains("out of memory"))
    {
        return Some(format!(
            "your program used more than {} of memory, the limit for one program, and was stopped",
            human(limits.memory)
        ));
    }
    if limits.processes > 0
        && (stderr.contains("Resource temporarily unavailable") || stderr.contains("os error 11"))
        && (stderr.contains("thread") || stderr.contains("fork") || stderr.contains("spawn"))
    {
        return Some(format!(
            "your program tried to run more than {} processes and threads at once, the limit, and could not \
             start another",
            limits.processes
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_survive_the_round_trip() {
        let grants = Grants { read: vec!["/a b".into()], write: vec!["/c".into()] };
        let spec = Spec {
            parent: None,
            mode: Mode::Strict,
            kind: Kind::Program,
            limits: Limits::default(),
            tmp: Some("/tmp/x".into()),
            grants,
            status_fd: None,
            launcher: None,
            program: vec![],
        };
        let mut args = spec.to_args();
        args.extend(["--".to_string(), "prog".to_string(), "--mode".to_string()]);
        let back = Spec::parse(&args).unwrap();
        assert_eq!(back.mode, Mode::Strict);
        assert_eq!(back.kind, Kind::Program);
        assert_eq!(back.limits, Limits::default());
        assert_eq!(back.grants.read, vec![PathBuf::from("/a b")]);
        assert_eq!(back.program, vec!["prog".to_string(), "--mode".to_string()]);
        assert!(Spec::parse(&["--mode".into(), "strict".into()]).is_err(), "no program");
    }

    #[test]
    fn limits_are_named_in_plain_words() {
        let limits = Limits::default();
        let memory = limit_hit(Some(6), "memory allocation of 2147483648 bytes failed\n", limits).unwrap();
        assert!(memory.contains("more than 1 GiB of memory"), "{memory}");
        let file = limit_hit(Some(backend::SIGXFSZ), "", limits).unwrap();
        assert!(file.contains("larger than 512 MiB"), "{file}");
        assert_eq!(limit_hit(Some(6), "thread 'main' panicked", limits), None);
    }
}
