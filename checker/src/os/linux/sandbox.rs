//! The Landlock sandbox of the exec stage ([`sandbox`]): what a program
//! may read and write, and no signal outside it; and [`support`], which
//! probes what this kernel offers.

use super::{PROBE, WANTED_ABI};
use crate::os::{Kind, Mode, Spec, Support};
use landlock::{
    Access, AccessFs, CompatLevel, Compatible, LandlockStatus, PathBeneath, PathFd, Ruleset, RulesetAttr,
    RulesetCreatedAttr, RulesetStatus, Scope,
};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Landlock for this process and what it executes: the rights of `spec`,
/// and no signal or abstract socket outside the sandbox. Returns the
/// status as "fully enforced (Landlock ABI 6)".
pub(super) fn sandbox(spec: &Spec) -> Result<String, String> {
    let abi = WANTED_ABI;
    let read = AccessFs::from_read(abi);
    let all = AccessFs::from_all(abi);
    let mut read_paths: Vec<PathBuf> = Vec::new();
    let mut write_paths: Vec<PathBuf> = Vec::new();
    match spec.mode {
        Mode::Learner => read_paths.push("/".into()),
        _ => {
            read_paths.extend(SYSTEM.iter().map(PathBuf::from));
            read_paths.extend(PROC.iter().map(PathBuf::from));
            // This process's own /proc/<pid>, which the program keeps.
            for link in ["/proc/self", "/proc/thread-self"] {
                if let Ok(target) = std::fs::canonicalize(link) {
                    read_paths.push(target);
                }
            }
            read_paths.push(PathBuf::from(&spec.program[0]));
            if spec.kind == Kind::Build {
                let (toolchain_read, toolchain_write) = toolchain();
                read_paths.extend(toolchain_read);
                write_paths.extend(toolchain_write);
            }
        }
    }
    read_paths.extend(spec.grants.read.iter().cloned());
    write_paths.extend(spec.grants.write.iter().cloned());
    write_paths.extend(spec.tmp.iter().cloned());
    write_paths.extend(DEVICES.iter().map(PathBuf::from));
    let mut ruleset = Ruleset::default()
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(all)
        .map_err(|e| e.to_string())?
        .scope(Scope::from_all(abi))
        .map_err(|e| e.to_string())?
        .create()
        .map_err(|e| e.to_string())?;
    for (paths, access) in [(&read_paths, read), (&write_paths, all)] {
        for path in paths {
            // Folders and files that do not exist here are simply not granted.
            let Ok(fd) = PathFd::new(path) else { continue };
            let access = if path.is_dir() { access } else { access & AccessFs::from_file(abi) };
            ruleset = ruleset.add_rule(PathBeneath::new(fd, access)).map_err(|e| e.to_string())?;
        }
    }
    let status = ruleset.restrict_self().map_err(|e| e.to_string())?;
    let abi = match status.landlock {
        LandlockStatus::Available { effective_abi, .. } => effective_abi as i32,
        _ => 0,
    };
    match status.ruleset {
        RulesetStatus::FullyEnforced => Ok(format!("fully enforced (Landlock ABI {abi})")),
        RulesetStatus::PartiallyEnforced => Ok(format!("partially enforced (Landlock ABI {abi})")),
        RulesetStatus::NotEnforced => Err(format!(
            "the kernel enforces no Landlock sandbox here ({:?}): Linux 5.13 or later with Landlock \
             enabled (lsm=landlock) is needed",
            status.landlock
        )),
    }
}

/// What every program may read (and execute): the system.
const SYSTEM: &[&str] = &[
    "/usr",
    "/lib",
    "/lib32",
    "/lib64",
    "/libx32",
    "/bin",
    "/sbin",
    "/etc",
    "/opt",
    "/sys",
    "/nix/store",
    "/dev/urandom",
    "/dev/random",
];

/// What of /proc every program may read besides its own `/proc/<pid>`.
const PROC: &[&str] = &[
    "/proc/cpuinfo",
    "/proc/meminfo",
    "/proc/stat",
    "/proc/loadavg",
    "/proc/sys",
    "/proc/filesystems",
    "/proc/version",
    "/proc/uptime",
];

/// Devices every program may read and write.
const DEVICES: &[&str] = &["/dev/null", "/dev/zero", "/dev/full"];

/// The Rust toolchain a build reads (rustup's and cargo's homes, without
/// cargo's credentials), and cargo's locks and caches it writes.
fn toolchain() -> (Vec<PathBuf>, Vec<PathBuf>) {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let from_env = |var: &str, default: &str| {
        std::env::var_os(var).map(PathBuf::from).or_else(|| home.as_ref().map(|h| h.join(default)))
    };
    let mut read = Vec::new();
    let mut write = Vec::new();
    if let Some(rustup) = from_env("RUSTUP_HOME", ".rustup") {
        read.push(rustup);
    }
    if let Some(cargo_home) = from_env("CARGO_HOME", ".cargo") {
        for part in ["bin", "registry", "git", "config.toml", "config", "env"] {
            read.push(cargo_home.join(part));
        }
        // Cargo's package cache lock and its record of what is used.
        write.push(cargo_home.join("registry"));
        write.push(cargo_home.join("git"));
        for part in [".package-cache", ".package-cache-mutate", ".global-cache"] {
            let file = cargo_home.join(part);
            if !file.exists() {
                let _ = std::fs::File::create(&file);
            }
            write.push(file);
        }
    }
    // The toolchain that runs this checker, wherever it is installed.
    for var in ["CARGO", "RUSTC"] {
        if let Some(bin) = std::env::var_os(var).map(PathBuf::from) {
            if let Some(root) = bin.parent().and_then(Path::parent) {
                read.push(root.to_path_buf());
            }
        }
    }
    (read, write)
}

/// What this machine offers: runs the launcher on a probe.
pub fn support() -> Support {
    let Ok(exe) = std::env::current_exe() else { return Support::default() };
    let exe = exe.display().to_string();
    let output = Command::new(&exe)
        .args([crate::os::LAUNCHER, "--mode", "strict", "--kind", "program", "--", &exe])
        .env(PROBE, "1")
        .output();
    let Ok(output) = output else { return Support::default() };
    let text = String::from_utf8_lossy(&output.stderr);
    let line =
        |prefix: &str| text.lines().find_map(|l| l.strip_prefix(prefix)).map(str::trim).unwrap_or_default().to_string();
    let containment = line("containment:");
    let sandbox = line("sandbox:");
    let landlock_abi = sandbox
        .rsplit("ABI ")
        .next()
        .and_then(|n| n.trim_end_matches(')').parse().ok())
        .filter(|_| sandbox.contains("ABI"))
        .unwrap_or(0);
    let mut missing = Vec::new();
    if landlock_abi == 0 {
        let why = text.lines().find(|l| l.contains("(sandbox)")).unwrap_or(sandbox.as_str());
        missing.push(format!(
            "a Landlock sandbox (Linux 5.13 or later with Landlock enabled; signal scoping needs 6.12): {}",
            why.trim()
        ));
    } else if landlock_abi < 6 {
        missing.push(format!(
            "Landlock signal scoping (ABI 6, Linux 6.12; this kernel offers ABI {landlock_abi}): a program \
             could signal processes outside its sandbox"
        ));
    }
    if containment.is_empty() {
        missing.push("the launcher did not run".to_string());
    }
    let sandbox = missing.is_empty() && sandbox.starts_with("fully enforced");
    Support { containment, landlock_abi, sandbox, missing }
}
