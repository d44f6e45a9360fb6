//! The checker's view of its processes through `/proc`: its children
//! (a child subreaper gets the orphans back), killing them, and the peak
//! memory, threads and CPU time of a program's processes.

use crate::os::{EXEC, INIT};
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;
use std::path::Path;
use std::time::Duration;

pub fn init_checker() {
    let _ = nix::sys::prctl::set_child_subreaper(true);
}

/// The direct children of this process, from /proc.
fn children() -> Vec<u32> {
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| stat_field(pid, 1) == Some(me))
        .collect()
}

/// Field `n` (0: state... counted after the command name) of `/proc/<pid>/stat`, as a number.
fn stat_field(pid: u32, n: usize) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit(')').next()?.split_whitespace().nth(n)?.parse().ok()
}

pub fn kill_orphans(keep: &[u32]) {
    for pid in children().into_iter().filter(|pid| !keep.contains(pid)) {
        let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
        let _ = waitpid(Pid::from_raw(pid as i32), None);
    }
}

/// Kills every descendant of this process (a subreaper: orphans come back
/// to it), until none is left.
pub fn kill_descendants() {
    for _ in 0..100 {
        let children = children();
        if children.is_empty() {
            return;
        }
        for pid in children {
            let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
        }
        while let Ok(status) = waitpid(None, Some(WaitPidFlag::WNOHANG)) {
            if status == WaitStatus::StillAlive {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

pub fn peak_memory_below(root: u32) -> Option<u64> {
    let mut total = 0;
    let mut found = false;
    for pid in programs_below(root)? {
        let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else { continue };
        let kib = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
        if let Some(kib) = kib {
            total += kib * 1024;
            found = true;
        }
    }
    found.then_some(total)
}

/// The pids of the programs below `root` (its descendants, the launcher's
/// stages left out): what a check measures of a program it started.
fn programs_below(root: u32) -> Option<Vec<u32>> {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        if let Some(ppid) = stat_field(pid, 1) {
            parents.push((pid, ppid));
        }
    }
    let mut below = vec![root];
    let mut i = 0;
    while i < below.len() {
        let parent = below[i];
        below.extend(parents.iter().filter(|&&(_, ppid)| ppid == parent).map(|&(pid, _)| pid));
        i += 1;
    }
    let is_stage = |pid: &u32| {
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let stage = cmdline.split(|&b| b == 0).nth(1).unwrap_or_default();
        [crate::os::LAUNCHER, INIT, EXEC].iter().any(|s| s.as_bytes() == stage)
    };
    Some(below.into_iter().filter(|pid| !is_stage(pid)).collect())
}

/// How many threads the programs below `root` run, in all.
pub fn threads_below(root: u32) -> Option<usize> {
    let threads: usize = programs_below(root)?
        .iter()
        .filter_map(|pid| std::fs::read_dir(format!("/proc/{pid}/task")).ok())
        .map(|tasks| tasks.count())
        .sum();
    (threads > 0).then_some(threads)
}

/// The CPU time (user and system, every thread) the programs below `root`
/// have used: `utime` and `stime` of `/proc/<pid>/stat`, in the kernel's
/// clock ticks, which `/proc` counts at 100 a second on Linux.
pub fn cpu_time_below(root: u32) -> Option<Duration> {
    let pids = programs_below(root)?;
    let ticks: Option<u64> = pids
        .iter()
        .map(|&pid| Some(u64::from(stat_field(pid, 11)?) + u64::from(stat_field(pid, 12)?)))
        .try_fold(0, |sum, ticks| Some(sum + ticks?));
    (!pids.is_empty()).then_some(Duration::from_millis(ticks? * 10))
}

pub fn is_executable(path: &Path) -> bool {
    nix::unistd::access(path, nix::unistd::AccessFlags::X_OK).is_ok()
}
