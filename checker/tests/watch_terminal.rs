//! `watch` on a real terminal, driven through tmux: a lesson that passes
//! stays on screen with its banner until `n`; `l` lists the lessons; `q`
//! quits, also in the middle of a run. Skipped when tmux is not installed.

use crate::common::*;
use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server of this test's own, removed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").args(["-L", &self.socket]).args(args).output().expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "watch"])
    }

    fn keys(&self, keys: &str) {
        self.run(&["send-keys", "-t", "watch", keys]);
    }

    /// Waits until the screen shows `text`; returns the screen.
    fn wait_for(&self, text: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            let screen = self.screen();
            if screen.contains(text) || Instant::now() >= deadline {
                return screen;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let path = self.run(&["display-message", "-p", "#{socket_path}"]);
        let _ = Command::new("tmux").args(["-L", &self.socket, "kill-server"]).output();
        // tmux leaves its socket file behind.
        if !path.trim().is_empty() {
            let _ = std::fs::remove_file(path.trim());
        }
    }
}

#[test]
fn a_passed_lesson_stays_until_n_l_lists_and_q_quits_mid_run() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("tmux is not installed: the terminal test of watch is skipped");
        return;
    }
    let tmux = Tmux { socket: format!("socketlings-test-{}", std::process::id()) };
    let exe = assert_cmd::cargo::cargo_bin("checker");
    let command = format!(
        "env NO_COLOR=1 {} watch lesson1 --solution --root {}; echo EXITED $?; sleep 60",
        exe.display(),
        pristine_course().display()
    );
    tmux.run(&["new-session", "-d", "-s", "watch", "-x", "160", "-y", "60", &command]);

    let screen = tmux.wait_for("✓ Lesson 1 passes", Duration::from_secs(300));
    assert!(screen.contains("✓ Lesson 1 passes · 12/12 points"), "{screen}");
    assert!(screen.contains("diff lesson1"), "{screen}");
    assert!(screen.contains("save to check again · n next · h hint · l list · q quit"), "{screen}");
    assert!(screen.contains("lessons passed"), "the progress line:\n{screen}");
    // Nothing moves on by itself.
    std::thread::sleep(Duration::from_secs(2));
    let screen = tmux.screen();
    assert!(screen.contains("✓ Lesson 1 passes") && !screen.contains("Lesson 2 ·"), "{screen}");

    tmux.keys("l");
    let screen = tmux.wait_for("Lessons (the last run of each)", Duration::from_secs(30));
    assert!(screen.contains("Lessons (the last run of each)"), "{screen}");
    assert!(screen.contains("looping server") && screen.contains("socket options"), "{screen}");

    tmux.keys("n");
    let screen = tmux.wait_for("Lesson 2 · looping server", Duration::from_secs(300));
    assert!(screen.contains("Lesson 2 · looping server"), "n went on to lesson 2:\n{screen}");
    tmux.keys("q");
    let screen = tmux.wait_for("EXITED", Duration::from_secs(30));
    assert!(screen.contains("EXITED"), "q quit:\n{screen}");
}

/// The processes whose command line holds `text`.
fn processes_with(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        if let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) {
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            // Not tmux, nor the shell that runs the checker in it.
            if cmdline.contains(text) && !cmdline.contains("tmux") && !cmdline.contains("EXITED") {
                found.push(cmdline);
            }
        }
    }
    found
}

#[cfg(target_os = "linux")]
#[test]
fn q_in_the_middle_of_a_run_stops_every_program_and_quits() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("tmux is not installed: the terminal test of watch is skipped");
        return;
    }
    let tmux = Tmux { socket: format!("socketlings-test-q-{}", std::process::id()) };
    let exe = assert_cmd::cargo::cargo_bin("checker");
    // A server that never listens: each start waits out the ready deadline.
    let marker = format!("{}.{}", 300 + std::process::id() % 100, std::process::id() % 997);
    let command = format!(
        "env NO_COLOR=1 {} watch lesson1 --cmd \"sh -c 'sleep {marker}'\" --root {}; echo EXITED $?; sleep 60",
        exe.display(),
        pristine_course().display()
    );
    tmux.run(&["new-session", "-d", "-s", "watch", "-x", "160", "-y", "60", &command]);
    let deadline = Instant::now() + Duration::from_secs(30);
    let sleeping = || processes_with(&format!("sleep {marker}")).iter().any(|p| p.starts_with("sleep "));
    while !sleeping() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(sleeping(), "the run started:\n{}", tmux.screen());
    tmux.keys("q");
    let screen = tmux.wait_for("EXITED", Duration::from_secs(30));
    assert!(screen.contains("EXITED 1"), "q quit in the middle of the run:\n{screen}");
    assert!(screen.contains("every program the checker started was stopped"), "{screen}");
    assert_eq!(processes_with(&marker), Vec::<String>::new(), "no program is left");
}
