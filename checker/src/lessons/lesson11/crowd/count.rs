//! How many connections the crowd opens, how many of them name
//! themselves, and how many threads its server may run.

use super::lines::thousands;

/// How many connections the check opens, unless the descriptor limit is
/// lower. `SOCKETLINGS_CLIENTS` (not documented: for the checker's own
/// tests) asks for fewer.
pub(super) const CLIENTS: usize = 10_000;

/// How many of them name themselves (or all, if fewer): every join is
/// announced to every named user, n²/2 lines.
pub(super) const NAMED: usize = 1_000;

/// Descriptors the checker keeps for itself besides the clients.
pub(super) const SPARE_FDS: u64 = 256;

/// How many connections to open, and why fewer than [`CLIENTS`] if so.
pub fn how_many() -> (usize, Option<String>) {
    let wanted = std::env::var("SOCKETLINGS_CLIENTS")
        .ok()
        .and_then(|n| n.trim().parse::<usize>().ok())
        .filter(|&n| n >= 2)
        .unwrap_or(CLIENTS);
    fit(wanted, raise_descriptor_limit())
}

/// `wanted` connections, or as many as a descriptor limit of `limit` leaves
/// room for (the checker and the server each hold one descriptor per
/// connection), and the note that says so.
pub(super) fn fit(wanted: usize, limit: Option<u64>) -> (usize, Option<String>) {
    match limit {
        Some(limit) if limit < wanted as u64 + SPARE_FDS => {
            let n = limit.saturating_sub(SPARE_FDS).max(2) as usize;
            let note = format!(
                "{} connections, not {}: this system lets a process open at most {} descriptors (`ulimit -Hn`)",
                thousands(n),
                thousands(wanted),
                thousands(limit as usize)
            );
            (n, Some(note))
        }
        _ => (wanted, None),
    }
}

/// Raises this process's soft limit of open descriptors to its hard limit
/// (the program under test inherits it) and returns the limit in force.
#[cfg(unix)]
pub(super) fn raise_descriptor_limit() -> Option<u64> {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).ok()?;
    // An unlimited hard limit still stops at the kernel's `nr_open`.
    let target = hard.min(1 << 20);
    if soft < target && setrlimit(Resource::RLIMIT_NOFILE, target, hard).is_ok() {
        return Some(target);
    }
    Some(soft)
}

#[cfg(not(unix))]
pub(super) fn raise_descriptor_limit() -> Option<u64> {
    None
}

/// The most threads the server may run on this machine: 2 × cores + 4.
pub(super) fn thread_limit() -> (usize, usize) {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    (cores, 2 * cores + 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_low_descriptor_limit_means_fewer_connections_and_says_so() {
        assert_eq!(fit(10_000, Some(20_000)), (10_000, None));
        assert_eq!(fit(10_000, None), (10_000, None));
        let (n, note) = fit(10_000, Some(4096));
        assert_eq!(n, 4096 - SPARE_FDS as usize);
        assert_eq!(
            note.as_deref(),
            Some("3,840 connections, not 10,000: this system lets a process open at most 4,096 descriptors (`ulimit -Hn`)")
        );
    }
}
