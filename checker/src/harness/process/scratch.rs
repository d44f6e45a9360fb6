//! Scratch folders: one per check that needs files, named with the
//! checker's pid so that a later checker removes those of one that was
//! killed outright, and removed on Ctrl-C.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Scratch folders to remove if the checker is interrupted (a normal end
/// drops their `TempDir`s).
static SCRATCH: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Registers `path` (a scratch folder owned by a `TempDir`) to be removed
/// if the checker is interrupted, which ends it without running destructors.
pub fn remove_on_interrupt(path: &Path) {
    SCRATCH.lock().unwrap_or_else(|e| e.into_inner()).push(path.to_path_buf());
}

/// A scratch folder for a check (`kind`: `http`, `files`...), removed when
/// the `TempDir` is dropped or the checker is interrupted. Its name holds
/// the checker's pid (`socketlings-http-4242-…`), so that a later checker
/// can remove it when this one was killed outright ([`remove_stale_scratch`]).
pub fn scratch_dir(kind: &str) -> std::io::Result<tempfile::TempDir> {
    let dir = tempfile::Builder::new().prefix(&format!("socketlings-{kind}-{}-", crate::os::own_pid())).tempdir()?;
    remove_on_interrupt(dir.path());
    Ok(dir)
}

/// Removes the scratch folders of checkers that are gone (killed with
/// SIGKILL, say, which runs no clean-up): those in the system's temporary
/// folder named `socketlings-KIND-PID-…` whose PID no longer runs.
#[cfg(target_os = "linux")]
pub fn remove_stale_scratch() {
    for entry in std::fs::read_dir(std::env::temp_dir()).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix("socketlings-") else { continue };
        let pid = rest.split('-').nth(1).and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub fn remove_stale_scratch() {}

pub(super) fn remove_scratch_folders() {
    for path in SCRATCH.lock().unwrap_or_else(|e| e.into_inner()).drain(..) {
        let _ = std::fs::remove_dir_all(path);
    }
}
