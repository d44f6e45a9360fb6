//! Which program a lesson is checked on, and checking one lesson or all:
//! [`check_one`] builds the lesson's crate (or takes `--cmd` or `--exe`)
//! and runs its checks; [`check_all`] builds every crate at once and runs
//! the lessons side by side. Each keeps the learner's last report.

use super::{not_run, run_lesson, Target};
use crate::lessons::{Lesson, LESSONS};
use crate::report::{LessonReport, LessonStatus};
use crate::{build, grade, harness, last_run};
use anyhow::{bail, Context, Result};
use std::path::Path;

/// Which program [`check_one`] checks, and how it speaks while building.
#[derive(Clone, Copy, Debug, Default)]
pub struct Choice<'a> {
    /// `--cmd`: any command line, to which the lesson's roles are appended.
    pub cmd: Option<&'a str>,
    /// `--exe`: an executable built already (by `grade`).
    pub exe: Option<&'a Path>,
    /// The solution's crate instead of the learner's.
    pub solution: bool,
    /// Say "Building …" on stderr first (a person reads the report).
    pub announce: bool,
    /// Colour in cargo's messages.
    pub color: bool,
}

/// Checks one lesson: builds its crate (or takes `--cmd`), then runs the checks.
pub fn check_one(root: &Path, lesson: &Lesson, choice: Choice) -> Result<LessonReport> {
    let timing = harness::Timing::from_env();
    if let Some(cmd) = choice.cmd {
        return Ok(run_lesson(lesson, &cmd_target(lesson, cmd)?, timing));
    }
    let package = lesson.package(choice.solution);
    let source = lesson.crate_dir(choice.solution);
    // The sources as they are now, before the build reads them.
    let key = (!choice.solution && choice.exe.is_none()).then(|| last_run::key(root, lesson)).flatten();
    if let Some(exe) = choice.exe {
        // Run by `grade`: its report, on stdout, is out of the programs' reach.
        grade::keep_programs_out();
        let target = Target {
            argv: vec![exe.display().to_string()],
            description: format!("{package} (built from {source})"),
            source: Some(source),
        };
        return Ok(run_lesson(lesson, &target, timing));
    }
    if choice.announce {
        eprintln!("Building {package} ({source})…");
    }
    let built = build::build(root, std::slice::from_ref(&package), &build::Settings::new(choice.color))?;
    if built.timed_out {
        bail!("{}", built.messages);
    }
    let report = target_report(lesson, &built, &package, source, timing);
    if !harness::process::interrupted() {
        last_run::save(root, lesson, key, &report);
    }
    Ok(report)
}

/// The target for `--cmd`: its command line, split as a shell would.
fn cmd_target(lesson: &Lesson, cmd: &str) -> Result<Target> {
    let argv = shlex::split(cmd)
        .filter(|argv| !argv.is_empty())
        .with_context(|| format!("--cmd {cmd:?} is not a command line the checker can split (check its quotes)"))?;
    // Remind a --cmd user of the roles the checker will append.
    let roles: Vec<String> = lesson.usage.iter().map(|usage| format!("… {usage}")).collect();
    let description = format!("--cmd {} (run as {})", harness::process::display_command(&argv), roles.join(" | "));
    Ok(Target { description, argv, source: None })
}

/// Runs a lesson's checks against its built executable, or reports that it did not build.
fn target_report(
    lesson: &Lesson,
    built: &build::Build,
    package: &str,
    source: String,
    timing: harness::Timing,
) -> LessonReport {
    match built.executables.get(package) {
        Some(exe) => {
            let target = Target {
                argv: vec![exe.display().to_string()],
                description: format!("{} (built from {source})", relative(exe)),
                source: Some(source),
            };
            let mut report = run_lesson(lesson, &target, timing);
            report.warnings = built.warnings.get(package).cloned();
            report
        }
        None => not_run(
            lesson,
            format!("{package} ({source})"),
            Some(source),
            LessonStatus::BuildFailed,
            built.messages_for(package),
        ),
    }
}

/// Checks every lesson: one build for all crates, then the lessons in parallel
/// (each check takes its own free ports, so they do not collide).
pub fn check_all(root: &Path, solution: bool) -> Result<Vec<LessonReport>> {
    let timing = harness::Timing::from_env();
    let packages: Vec<String> = LESSONS.iter().map(|l| l.package(solution)).collect();
    let keys: Vec<Option<String>> =
        LESSONS.iter().map(|lesson| if solution { None } else { last_run::key(root, lesson) }).collect();
    let built = build::build(root, &packages, &build::Settings::new(false))?;
    if built.timed_out {
        bail!("{}", built.messages);
    }
    let reports = std::thread::scope(|scope| {
        let handles: Vec<_> = LESSONS
            .iter()
            .map(|lesson| {
                let built = &built;
                scope.spawn(move || {
                    target_report(lesson, built, &lesson.package(solution), lesson.crate_dir(solution), timing)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a lesson's checks never panic: each runs under catch_unwind"))
            .collect::<Vec<LessonReport>>()
    });
    if !harness::process::interrupted() {
        for ((lesson, key), report) in LESSONS.iter().zip(keys).zip(&reports) {
            last_run::save(root, lesson, key, report);
        }
    }
    Ok(reports)
}

/// `path` relative to the current directory when it is inside it.
fn relative(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}
