//! A scratch folder for the program under test: the folder it is given
//! (a server's ROOT or DIR, a file for a client to send) inside a scratch
//! folder of its own, so that a check can also look beside it, for a file
//! that must never be served or written there. Removed when dropped, or
//! when the checker is interrupted.

use super::process::scratch_dir;
use std::io;
use std::path::{Path, PathBuf};

/// A folder inside a scratch folder, removed with it.
pub struct ScratchFolder {
    scratch: tempfile::TempDir,
    dir: PathBuf,
}

impl ScratchFolder {
    /// The folder `name` (made, with its parents) inside a new scratch folder
    /// named for `kind` (`http`, `files`).
    pub fn create(kind: &str, name: &str) -> io::Result<ScratchFolder> {
        let scratch = scratch_dir(kind)?;
        let dir = scratch.path().join(name);
        std::fs::create_dir_all(&dir)?;
        Ok(ScratchFolder { scratch, dir })
    }

    /// Writes each `(path, bytes)` in the folder, making the folders a
    /// path names (`sub/index.html`).
    pub fn write(&self, files: &[(&str, &[u8])]) -> io::Result<()> {
        for (name, bytes) in files {
            let path = self.dir.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, bytes)?;
        }
        Ok(())
    }

    /// The folder the program is given.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The scratch folder around it.
    pub fn scratch(&self) -> &Path {
        self.scratch.path()
    }

    /// `name` beside the folder, in the scratch folder.
    pub fn beside(&self, name: &str) -> PathBuf {
        self.scratch.path().join(name)
    }

    /// The names in the folder, hidden files included, sorted.
    pub fn entries(&self) -> Vec<String> {
        names_in(&self.dir)
    }

    /// The names beside the folder (itself included), sorted.
    pub fn entries_beside(&self) -> Vec<String> {
        names_in(self.scratch.path())
    }
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|dir| dir.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_go_inside_and_the_scratch_folder_goes_with_it() {
        let folder = ScratchFolder::create("test", "site").unwrap();
        folder.write(&[("sub/index.html", b"hi"), (".hidden", b"x")]).unwrap();
        assert_eq!(folder.entries(), [".hidden", "sub"]);
        assert_eq!(folder.entries_beside(), ["site"]);
        assert_eq!(folder.beside("secret.txt"), folder.scratch().join("secret.txt"));
        let scratch = folder.scratch().to_path_buf();
        drop(folder);
        assert!(!scratch.exists());
    }
}
