//! `checker watch`: check a lesson, then again each time one of its files is
//! saved.
//!
//! File events come from `notify` (inotify, FSEvents, ReadDirectoryChanges),
//! or, with `--poll`, from comparing the files' times every half second,
//! which also works where events do not arrive: WSL's Windows drives,
//! containers, network folders. Events are debounced: an editor that writes
//! a file in three steps starts one run, not three.
//!
//! On a terminal, each run replaces the previous one on the screen, under a
//! progress line (`lessons passed 3/8`), and single keys act at once, also
//! while a run is going on: `n` next lesson, `h` hint, `l` the list of
//! lessons with their last status, `r` run again, `q` quit (in the middle
//! of a run too: every program the checker started is stopped, as on
//! Ctrl-C). A lesson that passes stays on the screen with its banner until
//! `n`. Without a terminal, runs are printed one after another, each under a
//! separator line, keys are not read, and without a lesson named watch
//! moves on to the next lesson as soon as one passes.

use crate::lessons::{Lesson, LESSONS};
use crate::report::{human, LessonReport};
use anyhow::{Context, Result};
use notify::Watcher;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

/// How long the files must stay quiet before a run starts.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// The keys, as the screen's last line names them.
const FOOTER: &str = "save to check again · n next · h hint · l list · q quit";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The lesson to watch. Without one, watch starts at the first lesson
    /// that does not pass (and, when the output is not a terminal, moves on
    /// to the next each time one passes).
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
    /// A run ended, with its report and its text.
    Done(Box<Result<(LessonReport, String)>>),
    /// The lessons never checked before were checked, for the list.
    Listed(Result<()>),
}

/// Runs one lesson's check; returns its report and the report's text
/// (with the advice on what to do next when the flag says so).
pub type CheckFn<'a> = dyn Fn(&Lesson, bool) -> Result<(LessonReport, String)> + Sync + 'a;

/// `own`: the checks run on the learner's crates (not `--solution` or
/// `--cmd`), so the list may check the lessons never checked before.
/// `neutral`: a `--cmd` program, whose hints speak of sockets, not Rust.
pub fn watch(
    root: &Path,
    args: &Args,
    first_failing: Option<&'static Lesson>,
    (own, neutral): (bool, bool),
    check: &CheckFn,
) -> Result<u8> {
    let lesson = match &args.lesson {
        Some(name) => crate::lessons::find(name).with_context(|| crate::lessons::unknown(name))?,
        None => match first_failing {
            Some(lesson) => lesson,
            None => {
                println!("Every lesson passes. Well done.");
                return Ok(0);
            }
        },
    };
    let terminal = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    let (tx, rx) = mpsc::channel();
    std::thread::scope(|scope| {
        let mut watch = Watch { root, args, own, neutral, check, scope, tx, rx, lesson, watcher: None };
        if terminal {
            let _raw = terminal::RawMode::enter();
            read_keys(watch.tx.clone());
            watch.on_terminal()
        } else {
            watch.plain()
        }
    })
}

struct Watch<'a, 's, 'e> {
    root: &'a Path,
    args: &'a Args,
    own: bool,
    neutral: bool,
    check: &'a CheckFn<'a>,
    scope: &'s std::thread::Scope<'s, 'e>,
    tx: Sender<Event>,
    rx: Receiver<Event>,
    lesson: &'static Lesson,
    /// Kept alive while watching: dropping it stops the file events.
    watcher: Option<Box<dyn Watcher + Send>>,
}

impl<'a, 's, 'e> Watch<'a, 's, 'e>
where
    'a: 's,
{
    /// Watches `lesson`'s files from now on.
    fn follow(&mut self, lesson: &'static Lesson) -> Result<()> {
        self.lesson = lesson;
        self.watcher = None;
        self.watcher = Some(start_watcher(self.root, lesson, self.args.poll, self.tx.clone())?);
        Ok(())
    }

    /// Starts a check of the lesson on a thread of its own: its report
    /// comes back as [`Event::Done`], while keys are still read.
    fn start_run(&self, advice: bool) {
        let (tx, check, lesson) = (self.tx.clone(), self.check, self.lesson);
        self.scope.spawn(move || {
            let _ = tx.send(Event::Done(Box::new(check(lesson, advice))));
        });
    }

    /// No terminal: runs one after another, as a log.
    fn plain(&mut self) -> Result<u8> {
        let follow = self.args.lesson.is_none();
        self.follow(self.lesson)?;
        let mut run = 0;
        loop {
            run += 1;
            if run > 1 {
                println!("\n──── run {run} · lesson {} ────", self.lesson.number);
            }
            eprintln!("Building and checking lesson {}…", self.lesson.number);
            self.start_run(true);
            let (report, text) = loop {
                match wait(&self.rx) {
                    Event::Done(done) => break (*done)?,
                    Event::WatchFailed(err) => return Err(watch_failed(&err)),
                    _ => {}
                }
            };
            print!("{text}");
            if report.passed() && follow {
                if let Some(next) = next_lesson(self.lesson) {
                    println!("\nLesson {} passes: on to lesson {} ({}).", self.lesson.number, next.number, next.title);
                    self.follow(next)?;
                    continue;
                }
            }
            println!("\nWatching {} for changes…", self.lesson.exercise_dir());
            let _ = std::io::stdout().flush();
            loop {
                match wait(&self.rx) {
                    Event::Saved => break,
                    Event::WatchFailed(err) => return Err(watch_failed(&err)),
                    Event::Key(b'q') => return Ok(u8::from(!report.passed())),
                    _ => {}
                }
            }
        }
    }

    /// On a terminal: one screen per run, keys at once.
    fn on_terminal(&mut self) -> Result<u8> {
        self.follow(self.lesson)?;
        'run: loop {
            screen(&format!(
                "{}\n\nBuilding and checking lesson {} ({})…\n\n{}\n",
                self.progress(),
                self.lesson.number,
                self.lesson.title,
                "q quit"
            ));
            self.start_run(false);
            let mut saved_meanwhile = false;
            let (report, text) = loop {
                match wait(&self.rx) {
                    Event::Done(done) => break (*done)?,
                    Event::Key(b'q' | 3) => quit_now(),
                    Event::Saved => saved_meanwhile = true,
                    Event::WatchFailed(err) => return Err(watch_failed(&err)),
                    _ => {}
                }
            };
            if saved_meanwhile {
                // What was checked is already out of date.
                continue 'run;
            }
            let passed = report.passed();
            let show = |this: &Self, note: &str| {
                let mut page = format!("{}\n\n{text}", this.progress());
                if passed {
                    page.push('\n');
                    human::render_passed(&mut page, &report, crate::report::human::COMMAND);
                    match next_lesson(this.lesson) {
                        Some(next) => page.push_str(&format!("Press n for lesson {}: {}.\n", next.number, next.title)),
                        None => page.push_str("That was the last lesson. Well done.\n"),
                    }
                }
                page.push_str(note);
                page.push_str(&format!("\nWatching {}/  {FOOTER}\n", this.lesson.exercise_dir()));
                screen(&page);
            };
            show(self, "");
            loop {
                match wait(&self.rx) {
                    Event::Saved | Event::Key(b'r') => continue 'run,
                    Event::Key(b'q' | 3) => return Ok(u8::from(!passed)),
                    Event::Key(b'h') => {
                        let hints = crate::learner::hints(self.lesson, &report, self.neutral);
                        screen(&format!("{hints}\n{FOOTER}  (any other key: back to the report)\n"));
                        if self.back_or_act(&mut |this| show(this, ""))? {
                            continue 'run;
                        }
                    }
                    Event::Key(b'l') => {
                        self.list()?;
                        if self.back_or_act(&mut |this| show(this, ""))? {
                            continue 'run;
                        }
                    }
                    Event::Key(b'n') => match next_lesson(self.lesson) {
                        Some(next) => {
                            self.follow(next)?;
                            continue 'run;
                        }
                        None => show(self, "\nThat is the last lesson.\n"),
                    },
                    Event::WatchFailed(err) => return Err(watch_failed(&err)),
                    _ => {}
                }
            }
        }
    }

    /// After the hints or the list: the next key. `n`, `q`, `r` and a save
    /// act as on the report's screen (true: a new run is due); `h` and `l`
    /// show their page; any other key goes back to the report.
    fn back_or_act(&mut self, back: &mut dyn FnMut(&Self)) -> Result<bool> {
        loop {
            match wait(&self.rx) {
                Event::Saved | Event::Key(b'r') => return Ok(true),
                Event::Key(b'q' | 3) => quit_now(),
                Event::Key(b'n') => {
                    if let Some(next) = next_lesson(self.lesson) {
                        self.follow(next)?;
                        return Ok(true);
                    }
                }
                Event::Key(b'l') => self.list()?,
                Event::Key(_) => {
                    back(self);
                    return Ok(false);
                }
                Event::WatchFailed(err) => return Err(watch_failed(&err)),
                _ => {}
            }
        }
    }

    /// Shows every lesson's last known status, first checking the lessons
    /// that were never checked (keys still work meanwhile: `q` quits).
    fn list(&mut self) -> Result<()> {
        let never: Vec<&'static Lesson> =
            LESSONS.iter().copied().filter(|l| crate::last_run::last(self.root, l).is_none()).collect();
        if !never.is_empty() && self.own {
            let names: Vec<String> = never.iter().map(|l| l.number.to_string()).collect();
            screen(&format!("Checking the lessons never checked before ({})…\n\nq quit\n", names.join(", ")));
            let (tx, check) = (self.tx.clone(), self.check);
            self.scope.spawn(move || {
                let result = never.iter().try_for_each(|lesson| check(lesson, false).map(drop));
                let _ = tx.send(Event::Listed(result));
            });
            loop {
                match wait(&self.rx) {
                    Event::Listed(result) => break result?,
                    Event::Key(b'q' | 3) => quit_now(),
                    Event::WatchFailed(err) => return Err(watch_failed(&err)),
                    _ => {}
                }
            }
        }
        let rows: Vec<(&Lesson, Option<LessonReport>)> =
            LESSONS.iter().map(|l| (*l, crate::last_run::last(self.root, l))).collect();
        let mut page = format!("{}\n\n", self.progress());
        human::render_list(&mut page, &rows, self.lesson.number);
        page.push_str(&format!("\n{FOOTER}  (any other key: back to the report)\n"));
        screen(&page);
        Ok(())
    }

    /// `lessons passed 3/8  ███░░░░░`, from each lesson's last run.
    fn progress(&self) -> String {
        let passed = LESSONS.iter().filter(|l| crate::last_run::last(self.root, l).is_some_and(|r| r.passed())).count();
        human::progress_line(passed, LESSONS.len())
    }
}

/// Replaces the screen with `page` (colours only where the terminal takes them).
fn screen(page: &str) {
    // Clear the screen and move to its top: only this page shows.
    human::print(&format!("\x1b[2J\x1b[H{page}"));
}

/// `q` (or Ctrl-C as a key) in the middle of a run: stop every program the
/// checker started, give the terminal back, and exit at once.
fn quit_now() -> ! {
    terminal::restore();
    crate::harness::process::stop_everything_and_exit(1, "stopped: every program the checker started was stopped")
}

fn watch_failed(err: &str) -> anyhow::Error {
    anyhow::anyhow!("watching the files failed: {err}. Try `watch --poll`.")
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
/// off while watching, and restored when watch ends, on `q` and on Ctrl-C.
#[cfg(unix)]
mod terminal {
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
mod terminal {
    /// Elsewhere keys need Enter after them.
    pub struct RawMode;

    impl RawMode {
        pub fn enter() -> Option<RawMode> {
            None
        }
    }

    pub fn restore() {}
}
