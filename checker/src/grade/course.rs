//! The instructor's side of grading: the course every submission is built
//! and checked against.
//!
//! A submission is built in a scratch workspace of its own, which holds the
//! student's `src/` folders and nothing else of theirs: its `Cargo.toml` is
//! generated from the course's (the `[workspace]` settings, dependencies and
//! lints, the profiles), each lesson crate gets the course's manifest, and
//! the course's `Cargo.lock` comes along, so every submission builds with
//! the same dependencies, offline when they are already downloaded.
//!
//! Every submission's build shares one target folder, so dependencies
//! compile once. Cargo tells builds apart by each package's name, version
//! and path inside its workspace, and names executables after their binary:
//! all the same for every student. Left so, one student's `lesson01` could
//! pass for another's (cargo would find it fresh), or be replaced by the
//! next build before it ran. So each student's crate gets a version and a
//! binary name of their own, tagged with a hash of the student's name:
//! version `0.1.0+s3f09…`, binary `lesson01-s3f09…`.

use crate::lessons::Lesson;
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

/// Sections of the course's `[workspace]` copied into each scratch workspace.
const WORKSPACE_KEYS: &[&str] = &["resolver", "package", "dependencies", "lints"];

/// Top-level sections of the course's manifest copied as they are.
const TOP_KEYS: &[&str] = &["patch", "replace"];

/// The course, read once before grading.
pub struct Course {
    pub root: PathBuf,
    pub lessons: Vec<&'static Lesson>,
    /// The generated manifest, without its members.
    manifest: toml::Table,
    lock: Option<Vec<u8>>,
    /// The manifest of each lesson's crate, by lesson number.
    crates: Vec<(u8, toml::Table)>,
}

impl Course {
    pub fn read(root: &Path, lessons: Vec<&'static Lesson>) -> Result<Course> {
        let path = root.join("Cargo.toml");
        let text = std::fs::read_to_string(&path).with_context(|| format!("Failed to read {}", path.display()))?;
        let manifest: toml::Table = text.parse().with_context(|| format!("Failed to parse {}", path.display()))?;
        let mut crates = Vec::new();
        for lesson in &lessons {
            let path = lesson_manifest(root, lesson);
            if !path.is_file() {
                bail!(
                    "the course has no {}: grading lesson {} needs the course's own crate for it",
                    path.display(),
                    lesson.number
                );
            }
            let text = std::fs::read_to_string(&path).with_context(|| format!("Failed to read {}", path.display()))?;
            let table: toml::Table = text.parse().with_context(|| format!("Failed to parse {}", path.display()))?;
            crates.push((lesson.number, table));
        }
        let lock = std::fs::read(root.join("Cargo.lock")).ok();
        Ok(Course { root: root.to_path_buf(), lessons, manifest: scratch_manifest(&manifest), lock, crates })
    }

    /// The course's manifest of `lesson`'s crate, with the version and the
    /// binary name of `student`'s own (see the module's docs).
    pub fn crate_manifest(&self, lesson: &Lesson, student: &str) -> String {
        let mut manifest =
            self.crates.iter().find(|(n, _)| *n == lesson.number).map(|(_, t)| t.clone()).unwrap_or_default();
        let course_version = self.manifest["workspace"].get("package").and_then(|p| p.get("version"));
        let tag = tag(student);
        if let Some(toml::Value::Table(package)) = manifest.get_mut("package") {
            let version = match package.get("version") {
                Some(toml::Value::String(version)) => Some(version.as_str()),
                _ => course_version.and_then(toml::Value::as_str),
            };
            let version = version.unwrap_or("0.0.0").split('+').next().unwrap_or("0.0.0");
            package.insert("version".to_string(), toml::Value::String(format!("{version}+{tag}")));
        }
        let package = lesson.package(false);
        let mut bin = toml::Table::new();
        bin.insert("name".to_string(), toml::Value::String(Course::bin_name(lesson, student)));
        bin.insert("path".to_string(), toml::Value::String("src/main.rs".to_string()));
        match manifest.get_mut("bin").and_then(toml::Value::as_array_mut) {
            // The course names its binary: rename that one.
            Some(bins) => {
                for entry in bins.iter_mut().filter_map(toml::Value::as_table_mut) {
                    if entry.get("name").and_then(toml::Value::as_str) == Some(package.as_str()) {
                        entry.insert("name".to_string(), bin["name"].clone());
                    }
                }
            }
            None => {
                manifest.insert("bin".to_string(), toml::Value::Array(vec![toml::Value::Table(bin)]));
            }
        }
        let body = toml::to_string(&manifest).expect("a table parsed from TOML serializes");
        format!(
            "# The course's manifest, with a version and a binary name of this student's own\n\
             # (generated by `checker grade`).\n\n{body}"
        )
    }

    /// The name of the binary built from `student`'s crate for `lesson`.
    pub fn bin_name(lesson: &Lesson, student: &str) -> String {
        format!("{}-{}", lesson.package(false), tag(student))
    }

    /// The course's manifest of `lesson`'s crate (exercises/lessonNN-slug/Cargo.toml).
    pub fn lesson_manifest(&self, lesson: &Lesson) -> PathBuf {
        lesson_manifest(&self.root, lesson)
    }

    /// The workspace `Cargo.toml` for a scratch workspace holding `members`.
    pub fn manifest(&self, members: &[String]) -> String {
        let mut manifest = self.manifest.clone();
        if let Some(toml::Value::Table(workspace)) = manifest.get_mut("workspace") {
            let members = members.iter().cloned().map(toml::Value::String).collect();
            workspace.insert("members".to_string(), toml::Value::Array(members));
        }
        let body = toml::to_string(&manifest).expect("a table parsed from TOML serializes");
        format!(
            "# Generated by `checker grade`: the course's workspace settings around one\n\
             # submission's lesson crates. Regenerated on every run.\n\n{body}"
        )
    }

    /// The course's `Cargo.lock`, if it has one.
    pub fn lock(&self) -> Option<&[u8]> {
        self.lock.as_deref()
    }
}

/// `s` and a stable 64-bit hash (FNV-1a) of the student's name: the same
/// on every run, so grading again rebuilds only what changed.
fn tag(student: &str) -> String {
    let hash =
        student.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, b| (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    format!("s{hash:016x}")
}

/// Whether the course at `root` has `lesson`'s crate.
pub fn has_crate(root: &Path, lesson: &Lesson) -> bool {
    lesson_manifest(root, lesson).is_file()
}

fn lesson_manifest(root: &Path, lesson: &Lesson) -> PathBuf {
    root.join(lesson.exercise_dir()).join("Cargo.toml")
}

/// The parts of the course's manifest a scratch workspace needs.
fn scratch_manifest(course: &toml::Table) -> toml::Table {
    let mut workspace = toml::Table::new();
    if let Some(toml::Value::Table(course_workspace)) = course.get("workspace") {
        for key in WORKSPACE_KEYS {
            if let Some(value) = course_workspace.get(*key) {
                workspace.insert((*key).to_string(), value.clone());
            }
        }
    }
    let mut manifest = toml::Table::new();
    manifest.insert("workspace".to_string(), toml::Value::Table(workspace));
    // Keep the shared target folder small: no incremental files per student.
    let mut profile = course.get("profile").and_then(toml::Value::as_table).cloned().unwrap_or_default();
    if let toml::Value::Table(dev) = profile.entry("dev").or_insert_with(|| toml::Value::Table(toml::Table::new())) {
        dev.insert("incremental".to_string(), toml::Value::Boolean(false));
    }
    manifest.insert("profile".to_string(), toml::Value::Table(profile));
    for key in TOP_KEYS {
        if let Some(value) = course.get(*key) {
            manifest.insert((*key).to_string(), value.clone());
        }
    }
    manifest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scratch_manifest_keeps_the_settings_and_drops_the_members() {
        let course: toml::Table = r#"
            [workspace]
            resolver = "2"
            members = ["checker", "exercises/*"]
            default-members = ["checker"]
            [workspace.package]
            edition = "2021"
            [workspace.dependencies]
            socket2 = "0.5"
            [workspace.lints.rust]
            unsafe_code = "deny"
            [profile.dev]
            debug = 0
        "#
        .parse()
        .unwrap();
        let course = Course {
            root: PathBuf::new(),
            lessons: Vec::new(),
            manifest: scratch_manifest(&course),
            lock: None,
            crates: Vec::new(),
        };
        let text = course.manifest(&["exercises/lesson01-basic-tcp".to_string()]);
        let manifest: toml::Table = text.parse().unwrap();
        let workspace = manifest["workspace"].as_table().unwrap();
        assert_eq!(workspace["members"].as_array().unwrap().len(), 1);
        assert!(workspace.get("default-members").is_none());
        assert_eq!(workspace["package"]["edition"].as_str(), Some("2021"));
        assert_eq!(workspace["dependencies"]["socket2"].as_str(), Some("0.5"));
        assert_eq!(workspace["lints"]["rust"]["unsafe_code"].as_str(), Some("deny"));
        assert_eq!(manifest["profile"]["dev"]["debug"].as_integer(), Some(0));
        assert_eq!(manifest["profile"]["dev"]["incremental"].as_bool(), Some(false));
    }

    #[test]
    fn each_student_gets_a_version_of_their_own() {
        let lesson = crate::lessons::LESSONS[0];
        let table: toml::Table = "[package]\nname = \"lesson01\"\nversion = \"0.1.0\"\n".parse().unwrap();
        let course = Course {
            root: PathBuf::new(),
            lessons: vec![lesson],
            manifest: scratch_manifest(&toml::Table::new()),
            lock: None,
            crates: vec![(lesson.number, table)],
        };
        let version_and_bin = |student: &str| {
            let manifest: toml::Table = course.crate_manifest(lesson, student).parse().unwrap();
            let bin = manifest["bin"][0]["name"].as_str().unwrap().to_string();
            assert_eq!(bin, Course::bin_name(lesson, student));
            (manifest["package"]["version"].as_str().unwrap().to_string(), bin)
        };
        let (version, bin) = version_and_bin("alice");
        assert!(version.starts_with("0.1.0+s"), "{version}");
        assert!(bin.starts_with("lesson01-s"), "{bin}");
        assert_eq!(version_and_bin("alice"), version_and_bin("alice"));
        assert_ne!(version_and_bin("alice").0, version_and_bin("bob").0);
        assert_ne!(version_and_bin("alice").1, version_and_bin("bob").1);
    }
}
