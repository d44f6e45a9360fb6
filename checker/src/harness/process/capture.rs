//! Bounded capture of a program's output: each stream is drained on a
//! thread of its own into a [`Capture`] that keeps the first
//! [`CAPTURE_LIMIT`] bytes and counts the rest, so a program that floods its
//! output cannot exhaust memory or block on a full pipe.

use std::io::Read;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Bytes kept of each output stream; the rest is counted, not stored.
pub const CAPTURE_LIMIT: usize = 1 << 20;

/// One output stream of a program, as captured so far.
#[derive(Default)]
struct StreamState {
    bytes: Vec<u8>,
    dropped: usize,
    closed: bool,
}

/// A bounded capture of one stream, shared with the thread that drains it.
#[derive(Default)]
pub struct Capture {
    state: Mutex<StreamState>,
    changed: Condvar,
}

/// A callback given each line of a stream (without its `\n`) as it arrives.
pub type LineHandler = Box<dyn FnMut(&[u8]) + Send>;

impl Capture {
    pub(super) fn spawn_drain(
        self: &Arc<Self>,
        mut source: impl Read + Send + 'static,
        mut on_line: Option<LineHandler>,
    ) {
        let capture = Arc::clone(self);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            // The line being read, for `on_line` (every byte is parsed,
            // whatever the capture keeps).
            let mut line = Vec::new();
            loop {
                let n = source.read(&mut buf).unwrap_or(0);
                if let Some(handler) = on_line.as_mut() {
                    for &byte in &buf[..n] {
                        if byte == b'\n' {
                            handler(&line);
                            line.clear();
                        } else {
                            line.push(byte);
                        }
                    }
                    if n == 0 && !line.is_empty() {
                        handler(&line);
                        line.clear();
                    }
                }
                let mut state = capture.state.lock().unwrap_or_else(|e| e.into_inner());
                if n == 0 {
                    state.closed = true;
                } else {
                    let room = CAPTURE_LIMIT.saturating_sub(state.bytes.len());
                    let kept = n.min(room);
                    state.bytes.extend_from_slice(&buf[..kept]);
                    state.dropped += n - kept;
                }
                let closed = state.closed;
                drop(state);
                capture.changed.notify_all();
                if closed {
                    return;
                }
            }
        });
    }

    /// Everything captured so far (at most [`CAPTURE_LIMIT`] bytes) and how
    /// many bytes were discarded beyond it.
    pub fn snapshot(&self) -> (Vec<u8>, usize) {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        (state.bytes.clone(), state.dropped)
    }

    /// Waits until `found` accepts the captured bytes, the stream closes, or
    /// the deadline passes. Returns the bytes and whether `found` accepted them.
    pub fn wait_for(&self, deadline: Instant, found: impl Fn(&[u8]) -> bool) -> (Vec<u8>, bool) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if found(&state.bytes) {
                return (state.bytes.clone(), true);
            }
            let now = Instant::now();
            if state.closed || now >= deadline {
                return (state.bytes.clone(), false);
            }
            state = self.changed.wait_timeout(state, deadline - now).unwrap_or_else(|e| e.into_inner()).0;
        }
    }

    /// Adds `line` (the checker's own note) on a line of its own.
    pub(super) fn append_line(&self, line: &str) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if !state.bytes.is_empty() && !state.bytes.ends_with(b"\n") {
            state.bytes.push(b'\n');
        }
        state.bytes.extend_from_slice(line.as_bytes());
        state.bytes.push(b'\n');
    }

    pub fn wait_closed(&self, within: Duration) {
        let _ = self.wait_for(Instant::now() + within, |_| false);
    }
}
