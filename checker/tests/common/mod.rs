//! Running the checker as a user does, for the tests of every lesson.
#![allow(dead_code)] // each test file uses a different part of this module

use assert_cmd::Command;
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

/// The checker binary, as `cargo run -p checker --` would run it.
pub fn checker() -> Command {
    let mut cmd = Command::cargo_bin("checker").expect("the checker binary is built for its tests");
    cmd.env_remove("NO_COLOR").env_remove("SOCKETLINGS_SLOW").timeout(std::time::Duration::from_secs(120));
    cmd
}

/// The path of the fixture binary (built once per test run).
pub fn fixture_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| built_binary("fixtures", "fixture"))
}

/// Builds the workspace package `package` and returns the path of its
/// binary `name`, as cargo reports it.
pub fn built_binary(package: &str, name: &str) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
    let out = std::process::Command::new(cargo)
        .args(["build", "--quiet", "-p", package, "--message-format=json", "--manifest-path", manifest])
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "building {package} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find_map(|m| m["executable"].as_str().filter(|_| m["target"]["name"] == name).map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo reports the {name} executable"))
}

/// `--cmd` for the fixture program called `name`.
pub fn fixture(name: &str) -> String {
    format!("{} {name}", fixture_path().display())
}

/// The result of one checker run in JSON.
#[derive(Clone)]
pub struct Run {
    pub code: i32,
    pub json: Value,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn lesson(&self) -> &Value {
        &self.json["lessons"][0]
    }

    /// The names of the checks that failed.
    pub fn failed(&self) -> Vec<String> {
        self.checks(false)
    }

    pub fn passed(&self) -> Vec<String> {
        self.checks(true)
    }

    fn checks(&self, passed: bool) -> Vec<String> {
        self.lesson()["checks"]
            .as_array()
            .map(|checks| {
                checks
                    .iter()
                    .filter(|c| c["passed"] == passed)
                    .filter_map(|c| c["name"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The failure report of the check `name`.
    pub fn failure(&self, name: &str) -> &Value {
        let checks = self.lesson()["checks"].as_array().expect("checks");
        &checks.iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("no check named {name}"))["failure"]
    }

    /// Asserts that exactly the check `name` is among the failures.
    #[track_caller]
    pub fn assert_fails(&self, name: &str) {
        assert!(
            self.failed().iter().any(|n| n == name),
            "expected the check `{name}` to fail.\nfailed: {:?}\nstdout:\n{}\nstderr:\n{}",
            self.failed(),
            self.stdout,
            self.stderr
        );
        assert_eq!(self.code, 1, "a failed check exits with status 1");
    }

    #[track_caller]
    pub fn assert_passes(&self, name: &str) {
        assert!(
            self.passed().iter().any(|n| n == name),
            "expected the check `{name}` to pass.\nfailed: {:?}\nstdout:\n{}",
            self.failed(),
            self.stdout
        );
    }
}

/// Runs the checker with `args` plus `--format json`.
pub fn run_json(args: &[&str], envs: &[(&str, &str)]) -> Run {
    let mut cmd = checker();
    cmd.args(args).arg("--format").arg("json");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the checker runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("stdout is one JSON document ({e}):\n{stdout}\nstderr:\n{}", String::from_utf8_lossy(&out.stderr))
    });
    Run {
        code: out.status.code().unwrap_or(-1),
        json,
        stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Checks `lesson` against the fixture program `name`, with the usual
/// deadlines: a test that looks at one run's report judges a run that had
/// room, however busy the machine.
pub fn run_fixture(lesson: &str, name: &str) -> Run {
    run_json(&[lesson, "--cmd", &fixture(name)], &[])
}

/// Checks `lesson` against the fixture program `name` with half the
/// deadlines: a broken program makes the checks wait them out, and a table
/// holds many. Only for runs judged with a second look ([`run_judged`]).
fn run_fixture_fast(lesson: &str, name: &str, envs: &[(&str, &str)]) -> Run {
    run_json(&[lesson, "--cmd", &fixture(name)], &[envs, &[("SOCKETLINGS_SLOW", "0.5")]].concat())
}

/// How many fixture runs a table of fixtures has going at once: most of a
/// broken program's run is spent waiting out deadlines, not working.
const AT_ONCE: usize = 4;

/// The deadline multiplier of a second look: when a run disagrees with what
/// the test expects, the fixture is run once more with this much margin, and
/// that run is judged. The tests run side by side on two cores, and a busy
/// moment can make a deadline pass that a program would have met: the
/// verdict stands on a run with room to spare, never on a lucky one.
const SECOND_LOOK: &str = "3";

/// Runs `name` against `lesson` (deadlines halved: see [`run_fixture_fast`]); if
/// `agrees` does not accept the run, runs it again with [`SECOND_LOOK`].
pub fn run_judged(lesson: &str, name: &str, envs: &[(&str, &str)], agrees: impl Fn(&Run) -> bool) -> Run {
    let run = run_fixture_fast(lesson, name, envs);
    if agrees(&run) {
        return run;
    }
    run_json(&[lesson, "--cmd", &fixture(name)], &[envs, &[("SOCKETLINGS_SLOW", SECOND_LOOK)]].concat())
}

/// Runs `judge` on each item, [`AT_ONCE`] at a time (a worker takes the next
/// item as soon as it is free: one slow fixture holds up no other), and
/// returns the results in the order of `items`.
pub fn in_parallel<T: Sync, R: Send>(items: &[T], judge: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: std::sync::Mutex<Vec<Option<R>>> = std::sync::Mutex::new(items.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..AT_ONCE.min(items.len()) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(item) = items.get(i) else { return };
                let result = judge(item);
                results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(result);
            });
        }
    });
    let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.into_iter().map(|r| r.expect("every item was judged")).collect()
}

/// The names of the checks that failed, sorted.
fn sorted(checks: impl IntoIterator<Item = impl ToString>) -> Vec<String> {
    let mut checks: Vec<String> = checks.into_iter().map(|c| c.to_string()).collect();
    checks.sort();
    checks
}

/// Each broken fixture fails exactly the checks declared beside it (usually
/// one): a fixture that breaks more than its own check proves nothing about
/// that check. Every check of the lesson is declared by at least one fixture,
/// and the solution passes them all: each check is proven both ways.
#[track_caller]
pub fn assert_each_check_rejects_exactly(lesson: &str, broken: &[(&str, &[&str])]) {
    assert_each_check_rejects_exactly_with(lesson, &[], broken);
}

/// [`assert_each_check_rejects_exactly`], with `envs` set for the checker
/// on every run.
#[track_caller]
pub fn assert_each_check_rejects_exactly_with(lesson: &str, envs: &[(&str, &str)], broken: &[(&str, &[&str])]) {
    assert_each_check_rejects_exactly_sharing(lesson, envs, broken, None);
}

/// [`assert_each_check_rejects_exactly_with`], for a lesson that runs
/// another lesson's check functions against its own programs (lesson 11
/// runs lesson 10's): those checks, `(other lesson, names)`, are proven by
/// the other lesson's table, so no row of this one needs to show that they
/// can fail. Each name must be a check of both lessons.
#[track_caller]
pub fn assert_each_check_rejects_exactly_sharing(
    lesson: &str,
    envs: &[(&str, &str)],
    broken: &[(&str, &[&str])],
    shared: Option<(&str, &[&str])>,
) {
    let runs = in_parallel(broken, |(fixture, checks)| {
        let expected = sorted(checks.iter());
        run_judged(lesson, fixture, envs, |run| sorted(run.failed()) == expected)
    });
    for (run, (fixture, checks)) in runs.iter().zip(broken) {
        assert_eq!(
            sorted(run.failed()),
            sorted(checks.iter()),
            "the fixture `{fixture}` must fail exactly the checks declared for it\nstdout:\n{}",
            run.stdout
        );
        assert_eq!(run.code, 1, "a failed check exits with status 1");
    }
    let solution = solution_run_with(lesson, envs);
    let all = solution.passed();
    assert!(solution.failed().is_empty(), "the solution passes: {:?}", solution.failed());
    let (other, proven_there) = shared.unwrap_or(("", &[]));
    if !proven_there.is_empty() {
        let theirs = solution_run(other).passed();
        for check in proven_there {
            assert!(theirs.iter().any(|c| c == check), "`{check}` is not a check of {other}");
            assert!(all.iter().any(|c| c == check), "`{check}` is not a check of {lesson}");
        }
    }
    for check in &all {
        assert!(
            broken.iter().any(|(_, checks)| checks.contains(&check.as_str())) || proven_there.contains(&check.as_str()),
            "no broken program shows that `{check}` can fail"
        );
    }
    for check in broken.iter().flat_map(|(_, checks)| checks.iter()) {
        assert!(all.iter().any(|c| c == check), "`{check}` is not a check of {lesson}");
    }
}

/// Legitimate variants: correct programs that differ from the solution where
/// the protocol allows it (another order, other status codes an RFC allows,
/// replies in several writes). Each passes every check of the lesson except
/// those declared beside it as not its business (say, the client checks, for
/// a variant that is only a server): proof that no check is too strict.
#[track_caller]
pub fn assert_variants_pass(lesson: &str, variants: &[(&str, &[&str])]) {
    assert_variants_pass_with(lesson, &[], variants);
}

/// [`assert_variants_pass`], with `envs` set for the checker.
#[track_caller]
pub fn assert_variants_pass_with(lesson: &str, envs: &[(&str, &str)], variants: &[(&str, &[&str])]) {
    let wrongly = |run: &Run, not_its_business: &[&str]| -> Vec<String> {
        run.failed().into_iter().filter(|c| !not_its_business.contains(&c.as_str())).collect()
    };
    let runs = in_parallel(variants, |(fixture, not_its_business)| {
        run_judged(lesson, fixture, envs, |run| wrongly(run, not_its_business).is_empty())
    });
    for (run, (fixture, not_its_business)) in runs.iter().zip(variants) {
        let wrong = wrongly(run, not_its_business);
        assert!(wrong.is_empty(), "the legitimate variant `{fixture}` must pass {wrong:?}\nstdout:\n{}", run.stdout);
        assert!(!run.passed().is_empty(), "the variant `{fixture}` passed no check at all");
    }
}

/// A program that should pass `lesson` (an example in another language, say),
/// checked with the usual deadlines, and once more with [`SECOND_LOOK`] if a
/// check failed: its verdict stands on a run with room to spare.
pub fn passing_run(lesson: &str, cmd: &str) -> Run {
    passing_run_with(lesson, cmd, &[])
}

/// [`passing_run`], with `envs` set for the checker.
pub fn passing_run_with(lesson: &str, cmd: &str, envs: &[(&str, &str)]) -> Run {
    let run = run_json(&[lesson, "--cmd", cmd], envs);
    if run.code == 0 {
        return run;
    }
    run_json(&[lesson, "--cmd", cmd], &[envs, &[("SOCKETLINGS_SLOW", SECOND_LOOK)]].concat())
}

/// The solution checked with the usual deadlines, and once more with
/// [`SECOND_LOOK`] if a check failed (see there).
pub fn solution_run(lesson: &str) -> Run {
    solution_run_with(lesson, &[])
}

/// [`solution_run`], with `envs` set for the checker. A solution is run once
/// per lesson and settings for the whole suite: the test of the solution and
/// the tables that need its check names share that run.
pub fn solution_run_with(lesson: &str, envs: &[(&str, &str)]) -> Run {
    type Runs = Mutex<HashMap<String, Arc<OnceLock<Run>>>>;
    static RUNS: OnceLock<Runs> = OnceLock::new();
    let key = format!("{lesson} {envs:?}");
    let once = {
        let mut runs = RUNS.get_or_init(Runs::default).lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(runs.entry(key).or_default())
    };
    once.get_or_init(|| {
        let run = run_json(&[lesson, "--solution"], envs);
        if run.failed().is_empty() {
            return run;
        }
        run_json(&[lesson, "--solution"], &[envs, &[("SOCKETLINGS_SLOW", SECOND_LOOK)]].concat())
    })
    .clone()
}

/// Every check of `lesson` must pass on its solution.
#[track_caller]
pub fn assert_solution_passes(lesson: &str) {
    let run = solution_run(lesson);
    assert_eq!(run.code, 0, "the solution passes every check; failed: {:?}\n{}", run.failed(), run.stdout);
    assert!(run.failed().is_empty());
    assert!(!run.passed().is_empty());
}

/// The skeleton fails, and the report points at the first `todo!()`.
#[track_caller]
pub fn assert_skeleton_fails(lesson: &str) {
    let number: u8 = lesson.trim_start_matches("lesson").parse().expect("lessonN");
    let prefix = format!("lesson{number:02}-");
    let folder = std::fs::read_dir(pristine_exercises())
        .expect("the pristine course has exercises/")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|name| name.starts_with(&prefix))
        .unwrap_or_else(|| panic!("the pristine course has no exercises/{prefix}*"));
    if !has_pristine_skeleton(&folder) {
        return;
    }
    let out = checker()
        .arg(lesson)
        .arg("--root")
        .arg(pristine_course())
        .env("NO_COLOR", "1")
        .output()
        .expect("the checker runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "the skeleton fails its checks:\n{stdout}");
    assert!(stdout.contains("Start here:"), "the report says where to start:\n{stdout}");
    assert!(stdout.contains("todo!()"), "the report names the todo!():\n{stdout}");
}

/// The pids recorded as file names in `dir` (by fixtures and test programs).
pub fn read_pids(dir: &std::path::Path) -> Vec<u32> {
    std::fs::read_dir(dir).unwrap().filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok()).collect()
}

/// Whether `pid` is a process that still runs (not gone, not a zombie).
#[cfg(target_os = "linux")]
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat.rsplit(')').next().unwrap_or_default().trim_start().starts_with('Z'),
        Err(_) => false,
    }
}

/// Waits a little for `pids` to be gone, and fails if some still run.
#[cfg(target_os = "linux")]
#[track_caller]
pub fn assert_all_gone(pids: &[u32]) {
    use std::time::{Duration, Instant};
    assert!(!pids.is_empty(), "the program recorded its pid");
    // The kernel may take a moment to reap a killed orphan.
    let deadline = Instant::now() + Duration::from_secs(2);
    while pids.iter().any(|&p| alive(p)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let left: Vec<_> = pids.iter().filter(|&&p| alive(p)).collect();
    assert!(left.is_empty(), "processes outlived the checker: {left:?}");
}

#[cfg(not(target_os = "linux"))]
pub fn assert_all_gone(_pids: &[u32]) {}

/// The course folder these tests belong to (the workspace root).
pub fn course_root() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("checker/ is inside the course").to_path_buf()
}

/// A copy of the course whose `exercises/` are the skeletons as the course
/// ships them, whatever the learner has written in the real `exercises/`:
/// the tests that need an untouched skeleton use this one, never the live
/// folder. The skeletons come from git, from the commit `reset` would take
/// (the newest shared with the course's upstream, else HEAD); outside git,
/// from the live folder. Made once per source commit, and shared by every
/// test process (the first one to finish the copy wins).
pub fn pristine_course() -> &'static std::path::Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(make_pristine_course)
}

/// `exercises/` of the pristine course, for tests that copy a skeleton.
pub fn pristine_exercises() -> PathBuf {
    pristine_course().join("exercises")
}

/// Whether the pristine copy of `folder` (e.g. `lesson01-basic-tcp`) is a
/// skeleton (it still has its `todo!()`s). When the learner has committed
/// their work on a branch with no upstream, git has no skeleton left to give:
/// the tests that need one say so and skip.
pub fn has_pristine_skeleton(folder: &str) -> bool {
    let src = pristine_exercises().join(folder).join("src");
    let found = std::fs::read_dir(&src)
        .map(|entries| {
            entries.flatten().any(|e| std::fs::read_to_string(e.path()).is_ok_and(|text| text.contains("todo!(")))
        })
        .unwrap_or(false);
    if !found {
        eprintln!(
            "no untouched skeleton of {folder} was found (git holds your own work for it, or this is not a git \
             checkout): the skeleton tests of this lesson are skipped"
        );
    }
    found
}

fn git_output(args: &[&str]) -> Option<Vec<u8>> {
    let out = std::process::Command::new("git").arg("-C").arg(course_root()).args(args).output().ok()?;
    out.status.success().then_some(out.stdout)
}

/// The commit holding the course's own version of the exercises, as `reset`
/// finds it.
fn skeleton_commit() -> Option<String> {
    git_output(&["rev-parse", "--show-toplevel"])?;
    for upstream in ["@{upstream}", "origin/HEAD"] {
        if let Some(base) = git_output(&["merge-base", "HEAD", upstream]) {
            return Some(String::from_utf8_lossy(&base).trim().to_string());
        }
    }
    git_output(&["rev-parse", "HEAD"]).map(|head| String::from_utf8_lossy(&head).trim().to_string())
}

fn make_pristine_course() -> PathBuf {
    let commit = skeleton_commit();
    let parent = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pristine-course");
    // Keyed by the skeletons themselves (git's hash of `exercises/` in that
    // commit), so that a new commit that leaves them alone reuses the copy
    // and its builds. Outside git the live folder is the best there is:
    // copied afresh.
    let tree = commit.as_ref().and_then(|c| git_output(&["rev-parse", &format!("{c}:exercises")]));
    // The rest of the copy (the workspace's manifests, the solutions) comes
    // from the live folder: its contents are part of the key too.
    let key = match &tree {
        Some(tree) => format!("{}-{:016x}", String::from_utf8_lossy(tree).trim(), live_fingerprint()),
        None => format!("live-{}", std::process::id()),
    };
    let dest = parent.join(&key);
    if dest.join("Cargo.toml").is_file() {
        return dest;
    }
    std::fs::create_dir_all(&parent).unwrap();
    remove_stale_copies(&parent);
    let scratch = parent.join(format!(".making-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    copy_tree(&course_root(), &scratch, &["target", ".git", "exercises"]);
    match &commit {
        Some(commit) => {
            let listing = git_output(&["ls-tree", "-r", "-z", "--name-only", commit, "--", "exercises"])
                .expect("git lists the exercises of the skeleton commit");
            for path in listing.split(|&b| b == 0).filter(|p| !p.is_empty()) {
                let path = String::from_utf8_lossy(path).into_owned();
                let bytes = git_output(&["show", &format!("{commit}:{path}")]).expect("git shows a listed file");
                let file = scratch.join(&path);
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                std::fs::write(file, bytes).unwrap();
            }
        }
        None => copy_tree(&course_root().join("exercises"), &scratch.join("exercises"), &["target"]),
    }
    // Another test process may have finished first: its copy is as good.
    if std::fs::rename(&scratch, &dest).is_err() {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    dest
}

/// A hash of what the pristine course copies from the live folder besides
/// `exercises/`: the workspace's `Cargo.toml` and `Cargo.lock`, and every
/// file of `solutions/`.
fn live_fingerprint() -> u64 {
    use std::hash::{Hash, Hasher};
    fn add(path: &std::path::Path, hasher: &mut std::collections::hash_map::DefaultHasher) {
        if path.is_dir() {
            let mut entries: Vec<_> =
                std::fs::read_dir(path).into_iter().flatten().flatten().map(|e| e.path()).collect();
            entries.sort();
            for entry in entries.iter().filter(|e| !e.ends_with("target")) {
                add(entry, hasher);
            }
        } else if let Ok(bytes) = std::fs::read(path) {
            path.hash(hasher);
            bytes.hash(hasher);
        }
    }
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let root = course_root();
    for part in ["Cargo.toml", "Cargo.lock", "solutions"] {
        add(&root.join(part), &mut hasher);
    }
    hasher.finish()
}

/// Copies of other skeletons (an older commit's) not used for a day: each
/// holds a build, and they would pile up.
fn remove_stale_copies(parent: &std::path::Path) {
    let day = std::time::Duration::from_secs(24 * 3600);
    for entry in std::fs::read_dir(parent).into_iter().flatten().flatten() {
        let unused = entry.metadata().and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
        if unused.is_some_and(|age| age > day) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Copies the folder `from` to `to`, leaving out entries named in `skip`.
pub fn copy_tree(from: &std::path::Path, to: &std::path::Path, skip: &[&str]) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if skip.iter().any(|s| name == *s) {
            continue;
        }
        let path = entry.path();
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            copy_tree(&path, &to.join(&name), skip);
        } else if kind.is_file() {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

/// The Python interpreter itself, not a wrapper in front of it (pyenv's
/// shims start a shell first, and cost ten times Python's own start).
/// `None`, with a message, where python3 is not installed.
pub fn python() -> Option<String> {
    static FOUND: OnceLock<Option<String>> = OnceLock::new();
    let found = FOUND.get_or_init(|| {
        let out = std::process::Command::new("python3").args(["-c", "import sys; print(sys.executable)"]).output();
        let exe = out.ok().filter(|out| out.status.success())?;
        Some(String::from_utf8_lossy(&exe.stdout).trim().to_string()).filter(|exe| !exe.is_empty())
    });
    if found.is_none() {
        eprintln!("python3 is not installed: nothing to run");
    }
    found.clone()
}

/// `--cmd` for the course's Python example `docs/src/examples/NAME`, run by
/// [`python`] with `-S`: without the `site` module Python starts in a tenth
/// of the time, and each check starts the program again. The examples need
/// only the standard library. `None` where python3 is not installed.
pub fn python_example(name: &str) -> Option<String> {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/src/examples");
    Some(format!("{} -S {example}/{name}", python()?))
}
