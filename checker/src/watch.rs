//! `checker watch`: check a lesson, then again each time one of its files is
//! saved.
//!
//! File events come from `notify` (inotify, FSEvents, ReadDirectoryChanges),
//! or, with `--poll`, from comparing the files' times every half second,
//! which also works where events do not arrive: WSL's Windows drives,
//! containers, network folders. Events are debounced: an editor that writes
//! a file in three steps starts one run, not three.
//!
//! On a terminal, single keys act at once (`h` hint, `r` run again, `n`
//! next lesson, `q` quit) and each run replaces the previous one on the
//! screen. Without a terminal, runs are printed one after another, each
//! under a separator line, and keys are not read.

use crate::lessons::{Lesson, LESSONS};
use crate::report::LessonReport;
use anyhow::{Context, Result};
use notify::Watcher;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

/// How long the files must stay quiet before a run starts.
const DEBOUNCE: Duration = Duration::from_millis(200);

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The lesson to watch. Without one, watch starts at the first lesson
    /// that does not pass and moves on to the next each time one passes.
    pub lesson: Option<String>,

    /// Look for changes by polling every 500 ms instead of waiting for file
    /// events: for WSL on a Windows drive, containers and network folders,
    /// where events do not arrive.
    #[arg(long)]
    pub poll: bool,
}

enum Event {
    Saved,
    Key(u8),
    WatchFailed(String),
}

/// Runs one lesson's check and prints it; returns its report.
pub type CheckFn<'a> = dyn Fn(&Lesson) -> Result<(LessonReport, String)> + 'a;

pub fn watch(root: &Path, args: &Args, first_failing: Option<&'static Lesson>, check: &CheckFn) -> Result<u8> {
    let follow = args.lesson.is_none();
    let mut lesson = match &args.lesson {
        Some(name) => crate::lessons::find(name).with_context(|| crate::unknown_lesson(name))?,
        None => match first_failing {
            Some(lesson) => lesson,
            None => {
                println!("Every lesson passes. Well done.");
                return Ok(0);
            }
        },
    };
    let terminal = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    let _raw = if terminal { terminal::RawMode::enter() } else { None };
    let (tx, rx) = mpsc::channel();
    if terminal {
        read_keys(tx.clone());
    }
    let mut watcher = start_watcher(root, lesson, args.poll, tx.clone())?;
    let mut run = 0;
    // After "on to lesson N", the screen is kept so the good news stays.
    let mut clear = true;
    loop {
        run += 1;
        if terminal && clear {
            // Clear the screen and move to its top: only this run shows.
            print!("\x1b[2J\x1b[H");
        } else if run > 1 {
            println!("\n──── run {run} · lesson {} ────", lesson.number);
        }
        eprintln!("Building and checking lesson {}…", lesson.number);
        let (report, text) = check(lesson)?;
        print!("{text}");
        let passed = report.passed();
        clear = true;
        if passed && follow {
            if let Some(next) = next_lesson(lesson) {
                println!("\nLesson {} passes: on to lesson {} ({}).", lesson.number, next.number, next.title);
                lesson = next;
                watcher = start_watcher(root, lesson, args.poll, tx.clone())?;
                clear = false;
                continue;
            }
        }
        let keys = if terminal { "  h hint · r run again · n next lesson · q quit" } else { "" };
        println!("\nWatching exercises/{} for changes…{keys}", lesson.folder());
        let _ = std::io::stdout().flush();
        // Wait for a save or a key; keys that show something wait again.
        loop {
            match wait(&rx) {
                Event::Saved | Event::Key(b'r') => break,
                Event::Key(b'q') | Event::Key(3) => return Ok(u8::from(!passed)),
                Event::Key(b'h') => {
                    print!("\n{}", crate::learner::hints(lesson, &report, crate::COMMAND));
                    println!("\nSave a file, or press r to run again.");
                    let _ = std::io::stdout().flush();
                }
                Event::Key(b'n') => {
                    if let Some(next) = next_lesson(lesson) {
                        lesson = next;
                        watcher = start_watcher(root, lesson, args.poll, tx.clone())?;
                        break;
                    }
                    println!("That is the last lesson.");
                }
                Event::Key(_) => {}
                Event::WatchFailed(err) => anyhow::bail!("watching the files failed: {err}. Try `watch --poll`."),
            }
        }
        // The watcher must live while we wait: dropping it stops the events.
        let _ = &watcher;
    }
}

fn next_lesson(lesson: &Lesson) -> Option<&'static Lesson> {
    LESSONS.iter().copied().find(|l| l.number > lesson.number)
}

/// Waits for the next event; file events are debounced.
fn wait(rx: &Receiver<Event>) -> Event {
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
fn start_watcher(root: &Path, lesson: &Lesson, poll: bool, tx: Sender<Event>) -> Result<Box<dyn Watcher + Send>> {
    let dir = root.join("exercises").join(lesson.folder());
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
fn read_keys(tx: Sender<Event>) {
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

/// Keys without Enter: the terminal's line editing and echo are switched
/// off while watching, and restored when watch ends, even on Ctrl-C.
#[cfg(unix)]
mod terminal {
    use std::sync::Mutex;

    static SAVED: Mutex<Option<libc::termios>> = Mutex::new(None);

    pub struct RawMode;

    impl RawMode {
        pub fn enter() -> Option<RawMode> {
            let mut saved = current()?;
            let original = saved;
            // No line buffering (keys arrive one by one), no echo. Signals
            // stay on: Ctrl-C still stops the checker.
            saved.c_lflag &= !(libc::ICANON | libc::ECHO);
            saved.c_cc[libc::VMIN] = 1;
            saved.c_cc[libc::VTIME] = 0;
            set(&saved)?;
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
            let _ = set(&original);
        }
    }

    #[allow(unsafe_code)]
    fn current() -> Option<libc::termios> {
        // SAFETY: tcgetattr fills the termios struct it is given; an all-zero
        // termios is a valid value to start from.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            (libc::tcgetattr(libc::STDIN_FILENO, &mut t) == 0).then_some(t)
        }
    }

    #[allow(unsafe_code)]
    fn set(t: &libc::termios) -> Option<()> {
        // SAFETY: tcsetattr reads the termios struct it is given.
        unsafe { (libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, t) == 0).then_some(()) }
    }
}

#[cfg(not(unix))]
mod terminal {
    /// Elsewhere keys need Enter after them.
    pub struct RawMode;

    impl RawMode {
        pub fn enter() -> Option<RawMode> {
            None
        }
    }
}
