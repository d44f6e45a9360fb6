//! How long a learner waits: each lesson's checks against its solution,
//! run as a learner runs them (the crate is already built).
//!
//! `cargo bench -p checker --bench lessons` prints, per lesson, the median
//! wall time of `checker lessonN --solution` over five runs (build check
//! included) and the sum of the checks' own durations.

use std::process::Command;
use std::time::Instant;

const RUNS: usize = 5;

fn main() {
    let checker = env!("CARGO_BIN_EXE_checker");
    let overview = Command::new(checker).args(["--solution", "--format", "json"]).output().expect("the checker runs");
    let overview: serde_json::Value = serde_json::from_slice(&overview.stdout).expect("the overview is JSON");
    println!("{:<10} {:>12} {:>14}", "lesson", "wall median", "checks' total");
    for lesson in overview["lessons"].as_array().expect("lessons") {
        let id = lesson["lesson"].as_str().expect("an id");
        let mut walls = Vec::new();
        let mut checks_ms = 0;
        for _ in 0..RUNS {
            let started = Instant::now();
            let out =
                Command::new(checker).args([id, "--solution", "--format", "json"]).output().expect("the checker runs");
            walls.push(started.elapsed().as_millis());
            let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
            checks_ms = report["lessons"][0]["checks"]
                .as_array()
                .map(|c| c.iter().filter_map(|c| c["duration_ms"].as_u64()).sum::<u64>())
                .unwrap_or_default();
            assert!(out.status.success(), "{id}: the solution passes");
        }
        walls.sort_unstable();
        println!("{id:<10} {:>9} ms {:>11} ms", walls[RUNS / 2], checks_ms);
    }
}
