//! How long a learner waits: each lesson's checks against its solution, and
//! against two programs that fail every check, run as a learner runs them
//! (the crates are already built).
//!
//! `cargo bench -p checker --bench lessons` prints, per lesson:
//! - the median wall time of `checker lessonN --solution` over five runs
//!   (build check included) and the sum of the checks' own durations;
//! - the wall time of one run against a program that never listens (it
//!   starts, then does nothing), and one against a program that exits at
//!   once: the two common ways a whole lesson fails, which must still be
//!   reported within a few seconds.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

const RUNS: usize = 5;

fn main() {
    let checker = env!("CARGO_BIN_EXE_checker");
    let fixture = fixture_binary();
    let overview = Command::new(checker).args(["--solution", "--format", "json"]).output().expect("the checker runs");
    let overview: Value = serde_json::from_slice(&overview.stdout).expect("the overview is JSON");
    println!(
        "{:<10} {:>12} {:>14} {:>14} {:>14}",
        "lesson", "wall median", "checks' total", "never listens", "exits at once"
    );
    for lesson in overview["lessons"].as_array().expect("lessons") {
        let id = lesson["lesson"].as_str().expect("an id");
        let mut walls = Vec::new();
        let mut checks_ms = 0;
        for _ in 0..RUNS {
            let (wall, report, ok) = run(checker, &[id, "--solution"]);
            walls.push(wall);
            checks_ms = report["lessons"][0]["checks"]
                .as_array()
                .map(|c| c.iter().filter_map(|c| c["duration_ms"].as_u64()).sum::<u64>())
                .unwrap_or_default();
            assert!(ok, "{id}: the solution passes");
        }
        walls.sort_unstable();
        let failing = |mode: &str| {
            let (wall, _, ok) = run(checker, &[id, "--cmd", &format!("{} {mode}", fixture.display())]);
            assert!(!ok, "{id}: the fixture `{mode}` fails");
            wall
        };
        let (never, exits) = (failing("never-bind"), failing("exit-at-once"));
        println!("{id:<10} {:>9} ms {:>11} ms {:>11} ms {:>11} ms", walls[RUNS / 2], checks_ms, never, exits);
    }
}

/// Runs the checker with `args` and `--format json`: wall time in ms, the
/// report, and whether every check passed.
fn run(checker: &str, args: &[&str]) -> (u128, Value, bool) {
    let started = Instant::now();
    let out = Command::new(checker).args(args).args(["--format", "json"]).output().expect("the checker runs");
    let wall = started.elapsed().as_millis();
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (wall, report, out.status.success())
}

/// The fixture binary (broken and hostile programs), built as the tests build it.
fn fixture_binary() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
    let out = Command::new(cargo)
        .args(["build", "--quiet", "-p", "fixtures", "--message-format=json", "--manifest-path", manifest])
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "building the fixtures failed:\n{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find_map(|m| m["executable"].as_str().filter(|_| m["target"]["name"] == "fixture").map(PathBuf::from))
        .expect("cargo reports the fixture executable")
}
