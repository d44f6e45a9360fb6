//! The launcher command line for a program: [`launch`] wraps a program's
//! argv in `checker __contain OPTIONS -- argv`, with the policy, limits and
//! grants, and makes its scratch folder; [`resolve_program`] finds the
//! program first, so that a missing one fails to start as it would without
//! the launcher.

use super::stage::LAUNCHER;
use super::{allowed, backend, policy, Grants, Kind, Mode};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

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
