//! Ctrl-C, SIGTERM and SIGHUP: stop every program the checker started,
//! remove the scratch folders, and exit with status 130.

use super::{live_groups, scratch};
use crate::os;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

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
/// starting at that moment is killed by [`Program::spawn`](super::Program::spawn) itself.
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
    scratch::remove_scratch_folders();
    if let Some(hook) = ON_INTERRUPT.get() {
        hook();
    }
    let _ = std::io::stderr().write_all(format!("\n{note}\n").as_bytes());
    std::process::exit(code);
}
