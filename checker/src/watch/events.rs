//! What `watch` waits for: file events from `notify` (or polling), debounced
//! so that one save starts one run, and key presses read on a thread.

use super::Event;
use crate::lessons::Lesson;
use anyhow::{Context, Result};
use notify::Watcher;
use std::io::Read;
use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

/// How long the files must stay quiet before a run starts.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// Waits for the next event; file events are debounced.
pub(super) fn wait(rx: &Receiver<Event>) -> Event {
    let event = rx.recv().unwrap_or(Event::Key(b'q'));
    if let Event::Saved = event {
        // Let the burst of events of one save settle, and swallow them.
        loop {
            match rx.recv_timeout(DEBOUNCE) {
                Ok(Event::Saved) => continue,
                Ok(other) => return other,
                Err(RecvTimeoutError::Timeout) => return Event::Saved,
                Err(RecvTimeoutError::Disconnected) => return Event::Key(b'q'),
            }
        }
    }
    event
}

/// Watches the lesson's crate (its `Cargo.toml` and `src/`) and sends
/// `Saved` for every change to a file there.
pub(super) fn start_watcher(
    root: &Path,
    lesson: &Lesson,
    poll: bool,
    tx: Sender<Event>,
) -> Result<Box<dyn Watcher + Send>> {
    let dir = root.join(lesson.exercise_dir());
    let handler = move |event: notify::Result<notify::Event>| {
        let _ = match event {
            Ok(event) if relevant(&event) => tx.send(Event::Saved),
            Ok(_) => Ok(()),
            Err(err) => tx.send(Event::WatchFailed(err.to_string())),
        };
    };
    let mut watcher: Box<dyn Watcher + Send> = if poll {
        let config = notify::Config::default().with_poll_interval(Duration::from_millis(500));
        Box::new(notify::PollWatcher::new(handler, config)?)
    } else {
        Box::new(notify::recommended_watcher(handler)?)
    };
    watcher
        .watch(&dir.join("src"), notify::RecursiveMode::Recursive)
        .with_context(|| format!("Failed to watch {}", dir.join("src").display()))?;
    watcher.watch(&dir.join("Cargo.toml"), notify::RecursiveMode::NonRecursive)?;
    Ok(watcher)
}

/// A change to a file's contents or times, its creation or removal: not an
/// access, and not an editor's swap or backup file.
fn relevant(event: &notify::Event) -> bool {
    use notify::EventKind;
    let kind = matches!(event.kind, EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_));
    kind && event.paths.iter().any(|p| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        !(name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") || name.ends_with(".tmp"))
    })
}

/// Reads single key presses on a thread of its own.
pub(super) fn read_keys(tx: Sender<Event>) {
    std::thread::spawn(move || {
        let mut stdin = std::io::stdin();
        let mut byte = [0u8; 1];
        while let Ok(1) = stdin.read(&mut byte) {
            if tx.send(Event::Key(byte[0].to_ascii_lowercase())).is_err() {
                return;
            }
        }
    });
}
