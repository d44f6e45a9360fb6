//! What the tests of `checker grade` share: a class of submissions made
//! from the course's own crates, graded into a folder of its own.
#![allow(dead_code)] // each test file uses a different part of this module

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The course this checker belongs to.
pub fn course() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

pub const LESSON1: &str = "lesson01-basic-tcp";

/// A SUBMISSIONS folder being filled, and where the grades go.
pub struct Class {
    pub dir: tempfile::TempDir,
}

impl Class {
    pub fn new() -> Class {
        let class = Class { dir: tempfile::tempdir().unwrap() };
        std::fs::create_dir(class.submissions()).unwrap();
        class
    }

    pub fn submissions(&self) -> PathBuf {
        self.dir.path().join("submissions")
    }

    pub fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    /// The student's copy of lesson 1's crate: the course's skeleton.
    pub fn skeleton(&self, student: &str) -> PathBuf {
        let dest = self.submissions().join(student).join("exercises").join(LESSON1);
        copy_dir(&pristine_exercises().join(LESSON1), &dest);
        dest
    }

    /// A student who copied lesson 1's model solution: their crate's folder.
    pub fn solved_lesson1(&self, student: &str) -> PathBuf {
        self.solved(student, &[LESSON1.to_string()]);
        self.submissions().join(student).join("exercises").join(LESSON1)
    }

    /// A student who copied the model solution of every lesson `lessons` names.
    pub fn solved(&self, student: &str, lessons: &[String]) {
        for folder in lessons {
            let dest = self.submissions().join(student).join("exercises").join(folder);
            copy_dir(&pristine_exercises().join(folder), &dest);
            std::fs::remove_dir_all(dest.join("src")).unwrap();
            copy_dir(&course().join("solutions").join(folder).join("src"), &dest.join("src"));
        }
    }

    /// Runs `grade` on the class with `args` added.
    pub fn grade(&self, args: &[&str], envs: &[(&str, &str)]) -> Output {
        let mut cmd = checker();
        cmd.arg("grade").arg(self.submissions()).arg("--out").arg(self.out());
        cmd.arg("--target-dir").arg(shared_target()).args(args);
        for (key, value) in envs {
            cmd.env(key, value);
        }
        let out = cmd.timeout(std::time::Duration::from_secs(300)).output().expect("the checker runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "grade finishes with status 0\nstdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    pub fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.out().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
    }

    pub fn results(&self, student: &str) -> serde_json::Value {
        serde_json::from_str(&self.read(&format!("{student}/results.json"))).expect("results.json is JSON")
    }
}

/// One cargo target folder for every test of this file.
pub fn shared_target() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("grade-target")
}

/// Copies a crate folder, leaving out any `target/`.
pub fn copy_dir(from: &Path, to: &Path) {
    copy_tree(from, to, &["target"]);
}

/// Lesson 1's maximum score, as the checker reports it.
pub fn lesson1_max() -> u64 {
    let run = run_json(&["lesson1", "--solution"], &[]);
    run.json["lessons"][0]["max_score"].as_u64().expect("a max_score")
}

/// The processes, still running, whose command line or working folder
/// mentions `dir`.
#[cfg(target_os = "linux")]
pub fn processes_under(dir: &Path) -> Vec<(u32, String)> {
    let needle = dir.to_string_lossy().into_owned();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else { continue };
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        let cwd = std::fs::read_link(entry.path().join("cwd")).unwrap_or_default();
        if (cmdline.contains(&needle) || cwd.starts_with(dir)) && alive(pid) {
            found.push((pid, cmdline));
        }
    }
    found
}

#[cfg(not(target_os = "linux"))]
pub fn processes_under(_dir: &Path) -> Vec<(u32, String)> {
    Vec::new()
}
