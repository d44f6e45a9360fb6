//! Process groups still running, for the Ctrl-C handler, each with the
//! grace it gets after SIGTERM (none: SIGKILL at once).

use super::signal::{signal_group, Signal};
use std::sync::Mutex;
use std::time::Duration;

static LIVE: Mutex<Vec<(u32, Duration)>> = Mutex::new(Vec::new());

/// Starts `command` and records it, under the lock that
/// [`kill_orphans`] takes: a child just started is never taken for an orphan.
pub(super) fn spawn(command: &mut std::process::Command) -> std::io::Result<std::process::Child> {
    let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
    let child = command.spawn()?;
    live.push((child.id(), Duration::ZERO));
    Ok(child)
}

/// Kills the checker's children that are not programs it is running.
pub(super) fn kill_orphans() {
    let live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
    let keep: Vec<u32> = live.iter().map(|&(id, _)| id).collect();
    crate::os::kill_orphans(&keep);
}

pub(super) fn set_grace(id: u32, grace: Duration) {
    for group in LIVE.lock().unwrap_or_else(|e| e.into_inner()).iter_mut().filter(|(g, _)| *g == id) {
        group.1 = grace;
    }
}

pub(super) fn remove(id: u32) {
    LIVE.lock().unwrap_or_else(|e| e.into_inner()).retain(|&(g, _)| g != id);
}

/// SIGKILL every group; those with a grace get SIGTERM first, and that
/// long to stop what they started.
pub(super) fn kill_all() {
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
