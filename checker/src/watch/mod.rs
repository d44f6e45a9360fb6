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
//!
//! # Layout
//!
//! - this module: the command, its events, and the plain (no terminal) log;
//! - [`screen`]: on a terminal, one screen per run and keys at once;
//! - [`events`]: file events (debounced) and key presses;
//! - [`terminal`]: keys without Enter, and the terminal given back.

mod events;
mod screen;
mod terminal;

use crate::lessons::{Lesson, LESSONS};
use crate::report::{human, LessonReport};
use anyhow::{Context, Result};
use events::{read_keys, start_watcher, wait};
use notify::Watcher;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::mpsc::{self, Receiver, Sender};

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

    /// `lessons passed 3/8  ███░░░░░`, from each lesson's last run.
    fn progress(&self) -> String {
        let passed = LESSONS.iter().filter(|l| crate::last_run::last(self.root, l).is_some_and(|r| r.passed())).count();
        human::progress_line(passed, LESSONS.len())
    }
}

fn watch_failed(err: &str) -> anyhow::Error {
    anyhow::anyhow!("watching the files failed: {err}. Try `watch --poll`.")
}

fn next_lesson(lesson: &Lesson) -> Option<&'static Lesson> {
    LESSONS.iter().copied().find(|l| l.number > lesson.number)
}
