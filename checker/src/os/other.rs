//! The backend for systems without one of their own yet: the program runs
//! as the launcher's child, in the process group the checker made, with no
//! limits and no sandbox. A macOS backend (kqueue, process groups) or a
//! Windows one (Job Objects) goes beside this file.

use super::{Spec, Support};
use std::path::Path;
use std::process::Command;

#[cfg(unix)]
pub const SIGXFSZ: i32 = libc::SIGXFSZ;
#[cfg(not(unix))]
pub const SIGXFSZ: i32 = -1;

fn run(spec: &Spec) -> ! {
    let mut command = Command::new(&spec.program[0]);
    command.args(&spec.program[1..]);
    if let Some(tmp) = &spec.tmp {
        command.env("TMPDIR", tmp);
    }
    match command.status() {
        Ok(status) => std::process::exit(status.code().unwrap_or(137)),
        Err(err) => {
            eprintln!("{}: {err}", spec.program[0]);
            std::process::exit(127)
        }
    }
}

pub fn launcher(spec: Spec) -> ! {
    run(&spec)
}

pub fn init(spec: Spec) -> ! {
    run(&spec)
}

pub fn exec(spec: Spec) -> ! {
    run(&spec)
}

pub fn support() -> Support {
    Support {
        containment: "process groups".to_string(),
        landlock_abi: 0,
        sandbox: false,
        missing: vec!["a sandbox: this system has no backend for one yet (Linux with Landlock is needed)".to_string()],
    }
}

pub fn init_checker() {}

pub fn kill_orphans(_keep: &[u32]) {}

pub fn kill_descendants() {}

pub fn peak_memory_below(_root: u32) -> Option<u64> {
    None
}

pub fn threads_below(_root: u32) -> Option<usize> {
    None
}

pub fn cpu_time_below(_root: u32) -> Option<std::time::Duration> {
    None
}

pub fn is_executable(path: &Path) -> bool {
    path.is_file()
}
