//! `watch` on a terminal: each run replaces the previous one on the
//! screen, under a progress line, and single keys act at once (`n` next,
//! `h` hint, `l` list, `r` run again, `q` quit, also in the middle of a run).

use super::events::wait;
use super::{next_lesson, terminal, watch_failed, Event, Watch};
use crate::lessons::{Lesson, LESSONS};
use crate::report::{human, LessonReport};
use anyhow::Result;

/// The keys, as the screen's last line names them.
const FOOTER: &str = "save to check again · n next · h hint · l list · q quit";

impl<'a, 's, 'e> Watch<'a, 's, 'e>
where
    'a: 's,
{
    /// On a terminal: one screen per run, keys at once.
    pub(super) fn on_terminal(&mut self) -> Result<u8> {
        self.follow(self.lesson)?;
        'run: loop {
            let Some((report, text)) = self.run_on_screen()? else { continue 'run };
            self.show(&report, &text, "");
            loop {
                match wait(&self.rx) {
                    Event::Saved | Event::Key(b'r') => continue 'run,
                    Event::Key(b'q' | 3) => return Ok(u8::from(!report.passed())),
                    Event::Key(b'h') => {
                        let hints = crate::learner::hints(self.lesson, &report, self.neutral);
                        screen(&format!("{hints}\n{FOOTER}  (any other key: back to the report)\n"));
                        if self.back_or_act(&mut |this| this.show(&report, &text, ""))? {
                            continue 'run;
                        }
                    }
                    Event::Key(b'l') => {
                        self.list()?;
                        if self.back_or_act(&mut |this| this.show(&report, &text, ""))? {
                            continue 'run;
                        }
                    }
                    Event::Key(b'n') => match next_lesson(self.lesson) {
                        Some(next) => {
                            self.follow(next)?;
                            continue 'run;
                        }
                        None => self.show(&report, &text, "\nThat is the last lesson.\n"),
                    },
                    Event::WatchFailed(err) => return Err(watch_failed(&err)),
                    _ => {}
                }
            }
        }
    }

    /// Checks the lesson under a "Building and checking" screen (`q`
    /// quits meanwhile). `None` when a file was saved during the run: what
    /// was checked is already out of date.
    fn run_on_screen(&mut self) -> Result<Option<(LessonReport, String)>> {
        screen(&format!(
            "{}\n\nBuilding and checking lesson {} ({})…\n\n{}\n",
            self.progress(),
            self.lesson.number,
            self.lesson.title,
            "q quit"
        ));
        self.start_run(false);
        let mut saved_meanwhile = false;
        let done = loop {
            match wait(&self.rx) {
                Event::Done(done) => break (*done)?,
                Event::Key(b'q' | 3) => quit_now(),
                Event::Saved => saved_meanwhile = true,
                Event::WatchFailed(err) => return Err(watch_failed(&err)),
                _ => {}
            }
        };
        Ok((!saved_meanwhile).then_some(done))
    }

    /// The report's screen: the run's text, the banner of a lesson that
    /// passes, `note`, and the keys.
    fn show(&self, report: &LessonReport, text: &str, note: &str) {
        let mut page = format!("{}\n\n{text}", self.progress());
        if report.passed() {
            page.push('\n');
            human::render_passed(&mut page, report, human::COMMAND);
            match next_lesson(self.lesson) {
                Some(next) => page.push_str(&format!("Press n for lesson {}: {}.\n", next.number, next.title)),
                None => page.push_str("That was the last lesson. Well done.\n"),
            }
        }
        page.push_str(note);
        page.push_str(&format!("\nWatching {}/  {FOOTER}\n", self.lesson.exercise_dir()));
        screen(&page);
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
