//! The last report of each lesson, kept in `target/socketlings/` (one JSON
//! file per lesson), with a key made of the lesson's sources and the
//! checker itself: `hint` answers from it while neither has changed since,
//! and `watch`'s list shows the last known status of every lesson.

use crate::lessons::Lesson;
use crate::report::LessonReport;
use serde::{Deserialize, Serialize};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

#[derive(Serialize, Deserialize)]
struct Saved {
    /// What the report was made from: see [`key`].
    key: String,
    report: LessonReport,
}

/// Where the reports are kept: the course's target folder (or cargo's
/// `CARGO_TARGET_DIR`), in `socketlings/`.
fn dir(root: &Path) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"));
    target.join("socketlings")
}

fn file(root: &Path, lesson: &Lesson) -> PathBuf {
    dir(root).join(format!("{}.json", lesson.id()))
}

/// A hash of the learner's crate for `lesson` (every file's path and
/// contents) and of this checker's executable (its size and time): two runs
/// with the same key check the same code with the same checks.
pub fn key(root: &Path, lesson: &Lesson) -> Option<String> {
    let crate_dir = root.join(lesson.exercise_dir());
    let mut files = crate::learner::source_files(&crate_dir).ok()?;
    files.sort();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for file in &files {
        file.hash(&mut hasher);
        std::fs::read(crate_dir.join(file)).ok()?.hash(&mut hasher);
    }
    let exe = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
    exe.len().hash(&mut hasher);
    exe.modified().ok()?.hash(&mut hasher);
    Some(format!("{:016x}", hasher.finish()))
}

/// Keeps `report`, made from the sources whose key is `key`. Best effort:
/// a course folder that cannot be written only loses the shortcut.
pub fn save(root: &Path, lesson: &Lesson, key: Option<String>, report: &LessonReport) {
    let Some(key) = key else { return };
    let Ok(text) = serde_json::to_string(&SavedRef { key, report }) else { return };
    let path = file(root, lesson);
    if std::fs::create_dir_all(dir(root)).is_ok() {
        // Written aside, then renamed: a reader never sees half a file.
        let tmp = path.with_extension(format!("json.{}", std::process::id()));
        if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, &path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

#[derive(Serialize)]
struct SavedRef<'a> {
    key: String,
    report: &'a LessonReport,
}

fn load(root: &Path, lesson: &Lesson) -> Option<Saved> {
    let text = std::fs::read(file(root, lesson)).ok()?;
    let saved: Saved = serde_json::from_slice(&text).ok()?;
    (saved.report.lesson == lesson.id() && saved.report.checks.len() == lesson.checks.len()).then_some(saved)
}

/// The last report of `lesson`, whatever changed since.
pub fn last(root: &Path, lesson: &Lesson) -> Option<LessonReport> {
    load(root, lesson).map(|saved| saved.report)
}

/// The last report of `lesson`, if its sources and the checker are the
/// same as then.
pub fn current(root: &Path, lesson: &Lesson) -> Option<LessonReport> {
    let saved = load(root, lesson)?;
    (Some(&saved.key) == key(root, lesson).as_ref()).then_some(saved.report)
}
