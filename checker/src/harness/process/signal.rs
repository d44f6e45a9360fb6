//! Signals to a program's process group: the per-OS part of stopping a
//! program (nothing elsewhere, where there are no process groups).

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
pub(super) fn signal_group(pgid: u32, signal: Signal) {
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
pub(super) fn signal_group(_pgid: u32, _signal: Signal) {}
