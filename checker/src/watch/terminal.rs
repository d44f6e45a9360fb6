//! Keys without Enter: the terminal's line editing and echo are switched
//! off while watching, and restored when watch ends, on `q` and on Ctrl-C.
//! Elsewhere than Unix, keys need Enter after them.

#[cfg(unix)]
pub use unix::{restore, RawMode};

#[cfg(not(unix))]
pub use other::{restore, RawMode};

#[cfg(unix)]
mod unix {
    use nix::sys::termios::{self, LocalFlags, SetArg, SpecialCharacterIndices, Termios};
    use std::sync::Mutex;

    static SAVED: Mutex<Option<Termios>> = Mutex::new(None);

    pub struct RawMode;

    impl RawMode {
        pub fn enter() -> Option<RawMode> {
            let stdin = std::io::stdin();
            let original = termios::tcgetattr(&stdin).ok()?;
            let mut raw = original.clone();
            // No line buffering (keys arrive one by one), no echo. Signals
            // stay on: Ctrl-C still stops the checker.
            raw.local_flags.remove(LocalFlags::ICANON | LocalFlags::ECHO);
            raw.control_chars[SpecialCharacterIndices::VMIN as usize] = 1;
            raw.control_chars[SpecialCharacterIndices::VTIME as usize] = 0;
            termios::tcsetattr(&stdin, SetArg::TCSANOW, &raw).ok()?;
            *SAVED.lock().unwrap_or_else(|e| e.into_inner()) = Some(original);
            crate::harness::process::on_interrupt(restore);
            Some(RawMode)
        }
    }

    impl Drop for RawMode {
        fn drop(&mut self) {
            restore();
        }
    }

    pub fn restore() {
        if let Some(original) = SAVED.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = termios::tcsetattr(std::io::stdin(), SetArg::TCSANOW, &original);
        }
    }
}

#[cfg(not(unix))]
mod other {
    /// Elsewhere keys need Enter after them.
    pub struct RawMode;

    impl RawMode {
        pub fn enter() -> Option<RawMode> {
            None
        }
    }

    pub fn restore() {}
}
