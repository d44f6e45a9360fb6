//! One student's submission: where their lesson crates are, what in it
//! differs from the course (and so was not used), and the scratch workspace
//! their crates are built in.
//!
//! A submission is a folder holding either the student's `exercises/`
//! folder, the lesson crates themselves, or a whole copy of the course
//! (possibly nested a few folders deep, as archives unpack). Only each
//! lesson's `src/` is used, and only its regular files: symbolic links are
//! never followed (a lesson folder that is a link counts as missing, a
//! linked source file is left out), and each one refused is named in a note.

use super::course::Course;
use crate::lessons::Lesson;
use crate::report::LessonStatus;
use anyhow::{Context, Result};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// How deep below the submission folder the lesson crates are looked for.
const MAX_DEPTH: usize = 3;

/// Folders never searched nor compared.
const SKIPPED: &[&str] = &["target", "node_modules", "solutions"];

/// Changed files named in a note before "and N more".
const NAMED: usize = 5;

/// What was found in a submission for one lesson.
pub enum Found {
    /// The student's crate (a real folder, with a real `src/main.rs`).
    Crate(PathBuf),
    /// No crate to build: how the lesson's row reads, and why.
    Absent { status: LessonStatus, why: String },
}

/// What was found in a submission.
pub struct Work {
    /// Each lesson graded, with what the submission holds for it.
    pub crates: Vec<(&'static Lesson, Found)>,
    /// What the student (and the instructor) should know: files not used.
    pub notes: Vec<String>,
}

/// Looks for the student's lesson crates in `dir`; `None` when there are none.
pub fn find(course: &Course, dir: &Path) -> Option<Work> {
    let exercises = find_exercises(dir)?;
    let crates: Vec<_> = course.lessons.iter().map(|&lesson| (lesson, lesson_crate(&exercises, lesson))).collect();
    let mut notes = Vec::new();
    let shown = exercises.strip_prefix(dir).unwrap_or(&exercises);
    if shown.components().count() > 1 {
        notes.push(format!("Your lessons were found in `{}`.", shown.display()));
    }
    // A whole copy of the course: its workspace file and checker were not used.
    if exercises.file_name().is_some_and(|n| n == "exercises") && exercises != dir {
        if let Some(copy) = exercises.parent() {
            notes.extend(course_differences(course, copy));
        }
    }
    for (lesson, found) in &crates {
        if let Found::Crate(found) = found {
            notes.extend(crate_differences(course, lesson, found));
        }
    }
    Some(Work { crates, notes })
}

/// The shallowest folder holding lesson crates, preferring one named
/// `exercises`; never `solutions`.
fn find_exercises(dir: &Path) -> Option<PathBuf> {
    let mut level = vec![dir.to_path_buf()];
    for _ in 0..=MAX_DEPTH {
        let mut found: Vec<&PathBuf> = level.iter().filter(|d| holds_lessons(d)).collect();
        found.sort_by_key(|d| (d.file_name() != Some(OsStr::new("exercises")), d.to_path_buf()));
        if let Some(first) = found.first() {
            return Some(first.to_path_buf());
        }
        level = level.iter().flat_map(|d| subfolders(d)).collect();
    }
    None
}

/// Real subfolders (not links, not hidden, not build output), sorted.
fn subfolders(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let real_dir = entry.file_type().ok()?.is_dir();
            (real_dir && !name.starts_with('.') && !SKIPPED.contains(&name.as_str())).then(|| entry.path())
        })
        .collect();
    dirs.sort();
    dirs
}

fn holds_lessons(dir: &Path) -> bool {
    !lesson_entries(dir).is_empty()
}

/// The folders in `dir` named like a lesson (`lesson01-…`), with the links
/// so named (refused later, with a note), sorted.
fn lesson_entries(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let kind = entry.file_type().ok()?;
            ((kind.is_dir() || kind.is_symlink()) && lesson_number(&entry.path()).is_some()).then(|| entry.path())
        })
        .collect();
    found.sort();
    found
}

/// `lesson03-threads` → 3.
fn lesson_number(dir: &Path) -> Option<u8> {
    let name = dir.file_name()?.to_str()?.to_ascii_lowercase();
    let rest = name.strip_prefix("lesson")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let after = &rest[digits.len()..];
    (after.is_empty() || after.starts_with('-')).then(|| digits.parse().ok()).flatten()
}

/// The student's crate for `lesson`: its own folder name, or any folder
/// numbered like it (`lesson01`, `lesson01-mine`), holding a `src/` with a
/// `main.rs`. Neither the folder, nor `src/`, nor `main.rs` may be a link.
fn lesson_crate(exercises: &Path, lesson: &Lesson) -> Found {
    let exact = exercises.join(lesson.folder());
    let mut candidates = vec![exact];
    candidates.extend(lesson_entries(exercises).into_iter().filter(|d| lesson_number(d) == Some(lesson.number)));
    candidates.dedup();
    let shown = |d: &Path| format!("exercises/{}", d.file_name().unwrap_or_default().to_string_lossy());
    let mut link = None;
    for dir in &candidates {
        let src = dir.join("src");
        if is_link(dir) || is_link(&src) {
            let which = if is_link(dir) { shown(dir) } else { format!("{}/src", shown(dir)) };
            link.get_or_insert(which);
            continue;
        }
        if !is_real_dir(&src) {
            continue;
        }
        let main = src.join("main.rs");
        if std::fs::symlink_metadata(&main).is_ok_and(|m| m.is_file()) {
            return Found::Crate(dir.clone());
        }
        let why = if is_link(&main) {
            format!(
                "{}/src/main.rs is a symbolic link: links are not followed, so this lesson has no src/main.rs                  to build.",
                shown(dir)
            )
        } else {
            format!("{} has no src/main.rs: there is no program to build for this lesson.", shown(dir))
        };
        return Found::Absent { status: LessonStatus::BuildFailed, why };
    }
    let why = match link {
        Some(link) => format!("{link} is a symbolic link: links are not followed, so this lesson was not graded."),
        None => format!("The submission has no folder {} (with a src/ inside).", lesson.exercise_dir()),
    };
    Found::Absent { status: LessonStatus::Missing, why }
}

fn is_real_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Notes on a whole copy of the course whose workspace file or checker differ.
fn course_differences(course: &Course, copy: &Path) -> Vec<String> {
    let mut notes = Vec::new();
    let manifest = copy.join("Cargo.toml");
    if manifest.is_file() && !same_file(&manifest, &course.root.join("Cargo.toml")) {
        notes.push(
            "Your workspace `Cargo.toml` differs from the course's. It was not used: your lessons were built \
             with the course's settings."
                .to_string(),
        );
    }
    let checker = copy.join("checker");
    if is_real_dir(&checker) {
        let changed = tree_differences(&checker, &course.root.join("checker"));
        if !changed.is_empty() {
            notes.push(format!(
                "Your copy of `checker/` differs from the course's ({}). It was not used: every submission is \
                 graded by the course's own checker and checks.",
                name_some(&changed)
            ));
        }
    }
    notes
}

/// Notes on a lesson crate whose manifest differs or that holds more than `src/`.
fn crate_differences(course: &Course, lesson: &Lesson, found: &Path) -> Vec<String> {
    let mut notes = Vec::new();
    let shown = format!("exercises/{}", found.file_name().unwrap_or_default().to_string_lossy());
    let manifest = found.join("Cargo.toml");
    if manifest.is_file() && !same_file(&manifest, &course.lesson_manifest(lesson)) {
        notes.push(format!(
            "`{shown}/Cargo.toml` differs from the course's. It was not used: lessons are built with the \
             course's manifest, and only `src/` is graded."
        ));
    }
    let Ok(entries) = std::fs::read_dir(found) else { return notes };
    let mut extra: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| {
            !["src", "Cargo.toml", "Cargo.lock", "target"].contains(&name.as_str()) && !name.starts_with('.')
        })
        .collect();
    extra.sort();
    if !extra.is_empty() {
        notes.push(format!("`{shown}` also holds {}: not used, only `src/` is graded.", name_some(&extra)));
    }
    notes
}

/// Two files hold the same text (line endings aside).
fn same_file(a: &Path, b: &Path) -> bool {
    let read = |p: &Path| std::fs::read(p).map(|bytes| String::from_utf8_lossy(&bytes).replace("\r\n", "\n"));
    matches!((read(a), read(b)), (Ok(a), Ok(b)) if a == b)
}

/// The files that differ between two trees, or are in one only.
fn tree_differences(theirs: &Path, ours: &Path) -> Vec<String> {
    let (their_files, our_files) = (files_in(theirs), files_in(ours));
    let mut changed: Vec<String> = their_files
        .iter()
        .filter(|f| !our_files.contains(f) || !same_file(&theirs.join(f), &ours.join(f)))
        .chain(our_files.iter().filter(|f| !their_files.contains(f)))
        .map(|f| f.display().to_string())
        .collect();
    changed.sort();
    changed.dedup();
    changed
}

/// Every file under `dir`, relative to it, skipping hidden and build folders.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(dir.join(&rel)) else { continue };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') || name == "target" {
                continue;
            }
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => stack.push(rel.join(&name)),
                Ok(kind) if kind.is_file() => files.push(rel.join(&name)),
                _ => {}
            }
        }
    }
    files
}

/// "a, b, c" or "a, b, c, d, e and 3 more".
fn name_some(names: &[String]) -> String {
    let shown: Vec<String> = names.iter().take(NAMED).map(|n| format!("`{n}`")).collect();
    match names.len().saturating_sub(NAMED) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// Lays out the scratch workspace in `work`: the course's manifests around a
/// copy of the regular files of each found crate's `src/`. Returns the
/// packages to build, and a note for each file left out (a link...).
pub fn prepare(course: &Course, student: &str, work: &Path, found: &Work) -> Result<(Vec<String>, Vec<String>)> {
    std::fs::create_dir_all(work).with_context(|| format!("Failed to create {}", work.display()))?;
    let exercises = work.join("exercises");
    if exercises.exists() {
        std::fs::remove_dir_all(&exercises).with_context(|| format!("Failed to clear {}", exercises.display()))?;
    }
    let mut members = Vec::new();
    let mut packages = Vec::new();
    let mut refused = Vec::new();
    for (lesson, source) in &found.crates {
        let Found::Crate(source) = source else { continue };
        let dest = exercises.join(lesson.folder());
        std::fs::create_dir_all(&dest).with_context(|| format!("Failed to create {}", dest.display()))?;
        write(&dest.join("Cargo.toml"), course.crate_manifest(lesson, student).as_bytes())?;
        let shown = format!("exercises/{}/src", source.file_name().unwrap_or_default().to_string_lossy());
        copy_tree(&source.join("src"), &dest.join("src"), Path::new(&shown), &mut refused)?;
        members.push(member(lesson));
        packages.push(lesson.package(false));
    }
    write(&work.join("Cargo.toml"), course.manifest(&members).as_bytes())?;
    if let Some(lock) = course.lock() {
        write(&work.join("Cargo.lock"), lock)?;
    }
    Ok((packages, refused))
}

/// The scratch workspace's member for `lesson`'s crate.
pub fn member(lesson: &Lesson) -> String {
    lesson.exercise_dir()
}

/// Makes the scratch workspace in `work` hold `members` only (to build one
/// crate on its own when another keeps cargo from loading the workspace).
pub fn set_members(course: &Course, work: &Path, members: &[String]) -> Result<()> {
    write(&work.join("Cargo.toml"), course.manifest(members).as_bytes())
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("Failed to write {}", path.display()))
}

/// Copies the regular files and folders under `from` to `to`. Links (and
/// anything else that is not a file or a folder: a pipe, a device) are not
/// copied: each is named in `refused`, as `shown` (where `from` is, as the
/// student reads it) and its path below.
fn copy_tree(from: &Path, to: &Path, shown: &Path, refused: &mut Vec<String>) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("Failed to create {}", to.display()))?;
    let entries = std::fs::read_dir(from).with_context(|| format!("Failed to read {}", from.display()))?;
    let mut entries: Vec<_> =
        entries.collect::<Result<_, _>>().with_context(|| format!("Failed to read {}", from.display()))?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        let kind = entry.file_type().with_context(|| format!("Failed to read {}", entry.path().display()))?;
        let dest = to.join(entry.file_name());
        let name = shown.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &dest, &name, refused)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &dest)
                .with_context(|| format!("Failed to copy {} to {}", entry.path().display(), dest.display()))?;
        } else if kind.is_symlink() {
            refused.push(format!("{} is a symbolic link: links are not followed, so it was not used.", name.display()));
        } else {
            refused.push(format!("{} is not a regular file, so it was not used.", name.display()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lesson_folders_are_recognised_by_their_number() {
        assert_eq!(lesson_number(Path::new("x/lesson01-basic-tcp")), Some(1));
        assert_eq!(lesson_number(Path::new("lesson12")), Some(12));
        assert_eq!(lesson_number(Path::new("Lesson03-Mine")), Some(3));
        assert_eq!(lesson_number(Path::new("lessons")), None);
        assert_eq!(lesson_number(Path::new("lesson1x")), None);
    }

    #[test]
    fn long_lists_are_cut() {
        let names: Vec<String> = (1..=7).map(|i| i.to_string()).collect();
        assert_eq!(name_some(&names[..2]), "`1`, `2`");
        assert_eq!(name_some(&names), "`1`, `2`, `3`, `4`, `5` and 2 more");
    }
}
