//! The learner's commands beside checking: `hint`, `diff` and `reset`.

use crate::lessons::Lesson;
use crate::report::{LessonReport, LessonStatus};
use anyhow::{bail, Context, Result};
use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The hints of the checks that fail now, in the lesson's order, which goes
/// from the first concept to the details. Hints name concepts, never code
/// to copy.
pub fn hints(lesson: &Lesson, report: &LessonReport, command: &str) -> String {
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
        let _ = writeln!(out, "   {}", check.hint);
        // A hint for the particular way this check failed, when it says more.
        if let Some(failure) = &result.failure {
            if failure.hint != check.hint && failure.todo.is_none() {
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

/// A unified diff of the learner's crate (`exercises/…`) against the
/// solution (`solutions/…`), file by file, coloured when `color`.
pub fn diff(root: &Path, lesson: &Lesson, color: bool) -> Result<String> {
    let mine = Path::new("exercises").join(lesson.folder());
    let model = Path::new("solutions").join(lesson.folder());
    // The sources only: the manifests differ in the package's name alone.
    let mut files = source_files(&root.join(&mine))?;
    files.extend(source_files(&root.join(&model))?);
    files.retain(|f| f.starts_with("src"));
    files.sort();
    files.dedup();
    let mut out = String::new();
    for file in &files {
        let read = |side: &Path| std::fs::read_to_string(root.join(side).join(file)).unwrap_or_default();
        let (old, new) = (read(&mine), read(&model));
        if old == new {
            continue;
        }
        let diff = similar::TextDiff::from_lines(&old, &new);
        let text = diff
            .unified_diff()
            .context_radius(3)
            .header(&mine.join(file).display().to_string(), &model.join(file).display().to_string())
            .to_string();
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
    }
    if out.is_empty() {
        let _ = writeln!(out, "{} and {} hold the same code.", mine.display(), model.display());
    }
    Ok(out)
}

/// The files of a crate that a learner edits: `Cargo.toml` and `src/**`,
/// relative to the crate's folder.
fn source_files(dir: &Path) -> Result<Vec<PathBuf>> {
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

/// Restores `exercises/<folder>` as the course shipped it, from git: the
/// newest commit shared with the course's upstream branch (the learner's own
/// commits on top are not "the skeleton"), or HEAD when there is no
/// upstream. The learner's current files are first copied to
/// `target/socketlings-backup/<folder>-<time>/`, so nothing is lost.
pub fn reset(root: &Path, lesson: &Lesson, yes: bool) -> Result<String> {
    let folder = format!("exercises/{}", lesson.folder());
    let commit = skeleton_commit(root)?;
    let listed = git(root, &["ls-tree", "-r", "--name-only", &commit, "--", &folder])?;
    let files: Vec<&str> = listed.lines().filter(|l| !l.is_empty()).collect();
    if files.is_empty() {
        bail!("the course's git history has no {folder} at commit {commit}: download a fresh copy of that folder");
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            bail!("reset replaces your files in {folder}: run it again with --yes to confirm");
        }
        eprint!("Reset {folder} to the lesson's starting code? Your files there are saved first. [y/N] ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            return Ok(format!("Nothing changed in {folder}.\n"));
        }
    }
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let backup = root.join("target").join("socketlings-backup").join(format!("{}-{stamp}", lesson.folder()));
    let crate_dir = root.join(&folder);
    for file in source_files(&crate_dir)? {
        let to = backup.join(&file);
        std::fs::create_dir_all(to.parent().unwrap_or(&backup))?;
        std::fs::copy(crate_dir.join(&file), &to)
            .with_context(|| format!("Failed to save {} before the reset", crate_dir.join(&file).display()))?;
    }
    // Files the learner added under src/ would still be compiled if a
    // `mod` named them; the backup holds them, the crate gets exactly the
    // shipped files.
    let _ = std::fs::remove_dir_all(crate_dir.join("src"));
    for file in &files {
        let bytes = git_bytes(root, &["show", &format!("{commit}:./{file}")])?;
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().unwrap_or(root))?;
        std::fs::write(&path, bytes).with_context(|| format!("Failed to write {}", path.display()))?;
    }
    Ok(format!(
        "{folder} is back to the lesson's starting code ({} files, from commit {}).\nYour previous files are in {}\n",
        files.len(),
        &commit[..commit.len().min(12)],
        backup.strip_prefix(root).unwrap_or(&backup).display()
    ))
}

/// The commit holding the course's own version of the exercises.
fn skeleton_commit(root: &Path) -> Result<String> {
    git(root, &["rev-parse", "--show-toplevel"]).context(
        "reset takes the lesson's starting code from the course's git history, and this folder is not a git \
         repository: download a fresh copy of the lesson's folder instead",
    )?;
    for upstream in ["@{upstream}", "origin/HEAD"] {
        if let Ok(base) = git(root, &["merge-base", "HEAD", upstream]) {
            return Ok(base.trim().to_string());
        }
    }
    Ok(git(root, &["rev-parse", "HEAD"])?.trim().to_string())
}

fn git(root: &Path, args: &[&str]) -> Result<String> {
    Ok(String::from_utf8_lossy(&git_bytes(root, args)?).into_owned())
}

fn git_bytes(root: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .context("reset needs git, which could not be started")?;
    if !out.status.success() {
        bail!("git {} failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(out.stdout)
}
