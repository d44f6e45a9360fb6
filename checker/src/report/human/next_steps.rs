//! What to do after reading a lesson's report: compare with the model and
//! go on, or edit and run again, with the command that does it.

use crate::lessons::{Lesson, LESSONS};
use crate::report::{LessonReport, LessonStatus};
use std::fmt::Write;

/// How the learner runs the checker, as the advice names it.
pub const COMMAND: &str = "cargo run -p checker --";

/// ` --cmd '…'` when one was given, for the advice that names a command:
/// it keeps checking the same program.
fn cmd_suffix(cmd: Option<&str>) -> String {
    match cmd {
        Some(cmd) => format!(" --cmd {}", shlex::try_quote(cmd).unwrap_or_else(|_| cmd.into())),
        None => String::new(),
    }
}

/// What to do after reading a lesson's report.
pub fn next_steps(text: &mut String, lesson: &Lesson, report: &LessonReport, cmd: Option<&str>, solution: bool) {
    let given = cmd;
    let cmd = cmd_suffix(cmd);
    if report.status != LessonStatus::Checked {
        return;
    }
    if report.passed() {
        if !solution && given.is_none() {
            let _ = writeln!(
                text,
                "Lesson {} passes. Compare your code with the model: {COMMAND} diff lesson{}",
                lesson.number, lesson.number
            );
        }
        match LESSONS.iter().find(|l| l.number > lesson.number) {
            Some(next) => {
                let _ = writeln!(text, "Next: {COMMAND} lesson{}{cmd}  ({})", next.number, next.title);
            }
            None => {
                let _ = writeln!(text, "That was the last lesson. Well done.");
            }
        }
    } else if given.is_some() {
        let _ = writeln!(
            text,
            "Edit your program, then run `{COMMAND} lesson{}{cmd}` again. Stuck? `{COMMAND} hint lesson{}{cmd}`. \
             The course page: docs/src/{}.md",
            lesson.number,
            lesson.number,
            lesson.folder()
        );
    } else if !solution {
        let _ = writeln!(
            text,
            "Edit {}/src, then run `{COMMAND} lesson{}` again (or leave `{COMMAND} watch` running). \
             Stuck? `{COMMAND} hint lesson{}`. The course page: docs/src/{}.md",
            lesson.crate_dir(false),
            lesson.number,
            lesson.number,
            lesson.folder()
        );
    }
}
