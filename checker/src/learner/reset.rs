//! `reset`: a lesson's crate put back as the course shipped it, from git,
//! the learner's files first copied to a backup folder.

use super::source_files;
use crate::lessons::Lesson;
use anyhow::{bail, Context, Result};
use std::io::{BufRead, IsTerminal, Write as _};
use std::path::Path;
use std::process::Command;

/// Restores `exercises/<folder>` as the course shipped it, from git: the
/// newest commit shared with the course's upstream branch (the learner's own
/// commits on top are not "the skeleton"), or HEAD when there is no
/// upstream. The learner's current files are first copied to
/// `.socketlings-backup/<folder>-<time>/` at the course's root, so nothing is
/// lost; not under `target/`, which a `cargo clean` deletes. The course's
/// `.gitignore` keeps the folder out of git.
pub fn reset(root: &Path, lesson: &Lesson, yes: bool) -> Result<String> {
    let folder = lesson.exercise_dir();
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
    let backup = root.join(BACKUP_DIR).join(format!("{}-{stamp}", lesson.folder()));
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

/// Where `reset` saves the learner's files, under the course's root.
pub const BACKUP_DIR: &str = ".socketlings-backup";

/// The commit holding the course's own version of the exercises.
pub(super) fn skeleton_commit(root: &Path) -> Result<String> {
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

pub(super) fn git(root: &Path, args: &[&str]) -> Result<String> {
    Ok(String::from_utf8_lossy(&git_bytes(root, args)?).into_owned())
}

pub(super) fn git_bytes(root: &Path, args: &[&str]) -> Result<Vec<u8>> {
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
