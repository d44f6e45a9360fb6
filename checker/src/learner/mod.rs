//! The learner's commands beside checking: `hint`, `diff` and `reset`.
//!
//! # Layout
//!
//! - this module: `hint` and `diff`;
//! - [`reset`](mod@reset): putting a lesson's crate back as the course shipped it;
//! - [`rust`]: just enough of Rust's lexical rules to find functions.

mod reset;
mod rust;

pub use reset::reset;
use reset::{git, skeleton_commit};

use crate::lessons::Lesson;
use crate::report::{LessonReport, LessonStatus};
use anyhow::{Context, Result};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The hints of the checks that fail now, in the lesson's order, which goes
/// from the first concept to the details. Hints name concepts, never code
/// to copy. `neutral` (a program checked with `--cmd`): in the words of
/// sockets every language shares, not Rust's.
pub fn hints(lesson: &Lesson, report: &LessonReport, neutral: bool) -> String {
    let command = crate::report::human::COMMAND;
    let words = |hint: &str| if neutral { crate::run::socket_words(hint) } else { hint.to_string() };
    let mut out = String::new();
    let _ = writeln!(out, "Lesson {} · {} · hints\n", lesson.number, lesson.title);
    if report.status != LessonStatus::Checked {
        let _ = writeln!(out, "The checks could not run: {}.", report.status.describe());
        if let Some(error) = &report.error {
            let _ = writeln!(out, "\n{}", crate::harness::text::printable_keep_colour(error.trim_end()));
        }
        let _ = writeln!(out, "\nFirst make it build and start; the compiler's first error is the place to begin.");
        return out;
    }
    if report.passed() && neutral {
        let _ = writeln!(out, "Every check passes: no hints needed.");
        return out;
    }
    if report.passed() {
        let _ = writeln!(
            out,
            "Every check passes: no hints needed. Compare your code with the model: {command} diff lesson{}",
            lesson.number
        );
        return out;
    }
    if let Some(start) = &report.start_here {
        let _ = writeln!(out, "Start here: {}\n", crate::harness::text::printable(start));
    }
    let failing: Vec<_> = lesson.checks.iter().zip(&report.checks).filter(|(_, r)| !r.passed).collect();
    for (i, (check, result)) in failing.iter().enumerate() {
        let _ = writeln!(out, "{}. {}", i + 1, check.name);
        let _ = writeln!(out, "   {}", words(check.hint));
        // A hint for the particular way this check failed, when it says more.
        if let Some(failure) = &result.failure {
            if failure.hint != words(check.hint) && failure.todo.is_none() {
                let _ = writeln!(out, "   In this run: {}", crate::harness::text::printable(&failure.hint));
            }
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{} of {} checks fail. The course page explains each: docs/src/{}.md",
        failing.len(),
        lesson.checks.len(),
        lesson.folder()
    );
    out
}

/// The learner's work beside the solution's, as a unified diff, coloured
/// when `color`. By default only the functions the learner was asked to
/// write (those holding a `todo!()` in the lesson's starting code, from git),
/// with comments and blank lines left out, so that a reworded comment is no
/// difference. `all` (or a course without its starting code in git) shows
/// the whole files instead, comments included.
pub fn diff(root: &Path, lesson: &Lesson, color: bool, all: bool) -> Result<String> {
    let mine = PathBuf::from(lesson.exercise_dir());
    let model = PathBuf::from(lesson.solution_dir());
    let skeleton = if all { None } else { skeleton_sources(root, lesson) };
    let mut out = String::new();
    if !all && skeleton.is_none() {
        let _ = writeln!(
            out,
            "(The lesson's starting code is not in this folder's git history, so the functions you wrote cannot be \
             told apart: the whole files follow.)\n"
        );
    }
    let text = match &skeleton {
        Some(skeleton) => functions_diff(root, &mine, &model, skeleton),
        None => files_diff(root, &mine, &model)?,
    };
    for line in text.lines() {
        let style = match line.as_bytes().first() {
            _ if !color => anstyle::Style::new(),
            Some(b'+') => anstyle::AnsiColor::Green.on_default(),
            Some(b'-') => anstyle::AnsiColor::Red.on_default(),
            Some(b'@') => anstyle::AnsiColor::Cyan.on_default(),
            _ => anstyle::Style::new(),
        };
        let _ = writeln!(out, "{style}{line}{style:#}");
    }
    if text.is_empty() {
        match skeleton {
            Some(_) => {
                let _ = writeln!(
                    out,
                    "Your functions and the solution's hold the same code, comments aside. `--all` compares the \
                     whole files."
                );
            }
            None => {
                let _ = writeln!(out, "{} and {} hold the same code.", mine.display(), model.display());
            }
        }
    }
    Ok(out)
}

/// Every source file of the two crates, whole, as unified diffs.
fn files_diff(root: &Path, mine: &Path, model: &Path) -> Result<String> {
    // The sources only: the manifests differ in the package's name alone.
    let mut files = source_files(&root.join(mine))?;
    files.extend(source_files(&root.join(model))?);
    files.retain(|f| f.starts_with("src"));
    files.sort();
    files.dedup();
    let mut out = String::new();
    for file in &files {
        let read = |side: &Path| std::fs::read_to_string(root.join(side).join(file)).unwrap_or_default();
        let (old, new) = (read(mine), read(model));
        if old == new {
            continue;
        }
        let diff = similar::TextDiff::from_lines(&old, &new);
        let text = diff
            .unified_diff()
            .context_radius(3)
            .header(&mine.join(file).display().to_string(), &model.join(file).display().to_string())
            .to_string();
        out.push_str(&text);
    }
    Ok(out)
}

/// The functions that hold a `todo!()` in the starting code, each as the
/// learner has it now beside the solution's, comments left out.
fn functions_diff(root: &Path, mine: &Path, model: &Path, skeleton: &[(PathBuf, String)]) -> String {
    let mut out = String::new();
    for (file, start) in skeleton {
        let read = |side: &Path| std::fs::read_to_string(root.join(side).join(file)).unwrap_or_default();
        let (old, new) = (read(mine), read(model));
        for name in rust::functions_with_todo(start) {
            let yours = rust::function(&old, &name).map(|f| rust::without_comments(&f)).unwrap_or_default();
            let theirs = rust::function(&new, &name).map(|f| rust::without_comments(&f)).unwrap_or_default();
            if yours == theirs {
                continue;
            }
            let _ = writeln!(out, "--- {}  fn {name}", mine.join(file).display());
            let _ = writeln!(out, "+++ {}  fn {name}", model.join(file).display());
            if yours.is_empty() {
                let _ = writeln!(out, "@@ your file has no fn {name} @@");
            }
            let diff = similar::TextDiff::from_lines(&yours, &theirs);
            for group in diff.grouped_ops(3) {
                let _ = writeln!(out, "@@ fn {name} @@");
                for op in group {
                    for change in diff.iter_changes(&op) {
                        let sign = match change.tag() {
                            similar::ChangeTag::Delete => '-',
                            similar::ChangeTag::Insert => '+',
                            similar::ChangeTag::Equal => ' ',
                        };
                        let _ = writeln!(out, "{sign}{}", change.value().trim_end_matches('\n'));
                    }
                }
            }
        }
    }
    out
}

/// The lesson's starting code from git (as `reset` restores it): the source
/// files under `src/` that hold a `todo!()`, relative to the crate's folder.
/// `None` when git, or the lesson in its history, is not there.
fn skeleton_sources(root: &Path, lesson: &Lesson) -> Option<Vec<(PathBuf, String)>> {
    let folder = lesson.exercise_dir();
    let commit = skeleton_commit(root).ok()?;
    let listed = git(root, &["ls-tree", "-r", "--name-only", &commit, "--", &format!("{folder}/src")]).ok()?;
    let mut files = Vec::new();
    for path in listed.lines().filter(|l| l.ends_with(".rs")) {
        let text = git(root, &["show", &format!("{commit}:./{path}")]).ok()?;
        let relative = Path::new(path).strip_prefix(&folder).ok()?.to_path_buf();
        if !rust::functions_with_todo(&text).is_empty() {
            files.push((relative, text));
        }
    }
    files.sort();
    (!files.is_empty()).then_some(files)
}

/// The files of a crate that a learner edits: `Cargo.toml` and `src/**`,
/// relative to the crate's folder.
pub(crate) fn source_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if dir.join("Cargo.toml").is_file() {
        files.push(PathBuf::from("Cargo.toml"));
    }
    let mut stack = vec![PathBuf::from("src")];
    while let Some(sub) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(dir.join(&sub)) else { continue };
        for entry in entries {
            let entry = entry.with_context(|| format!("Failed to list {}", dir.join(&sub).display()))?;
            let path = sub.join(entry.file_name());
            if entry.file_type()?.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    Ok(files)
}
