//! The socketlings checker.
//!
//! It builds a lesson's program (or takes any command line with `--cmd`),
//! runs it on free loopback ports, talks to it over real sockets, and reports
//! check by check what works and what does not.
//!
//! # Layout
//! - [`cli`]: the command line (clap), every flag documented;
//! - [`lessons`]: one file (or folder) per lesson, holding its checks, and the registry;
//! - [`harness`]: the engine: programs, sockets with deadlines, transcripts;
//! - [`run`]: running a lesson's checks into a report;
//! - [`build`]: building lesson crates with cargo;
//! - [`report`]: the report model and its renderers (human, JSON, JUnit,
//!   Gradescope, and the class's CSV files and feedback);
//! - [`grade`]: grading a whole class's submissions (`checker grade`);
//! - [`watch`]: checking again each time a file is saved (`checker watch`);
//! - [`learner`]: `hint`, `diff` and `reset`;
//! - [`last_run`]: each lesson's last report, kept under `target/`;
//! - [`os`]: containing and sandboxing every program the checker starts
//!   (the hidden `__contain` stages of this executable);
//! - `docs_check` (tests only): keeps the course book in step with the
//!   lessons, their checks and this command line;
//! - `registry_check` (tests only): every registered lesson has all its
//!   files, and no lesson's file is left without its registry line.
//!
//! Exit status: 0 every check passed, 1 a check failed, 2 a program could not
//! be built or started, or the command line was wrong.

mod build;
mod cli;
#[cfg(test)]
mod docs_check;
mod grade;
mod harness;
mod last_run;
mod learner;
mod lessons;
mod os;
#[cfg(test)]
mod registry_check;
mod report;
mod run;
mod watch;

use anyhow::{bail, Context, Result};
use clap::Parser;
use cli::{Cli, Command, Format, Options};
use lessons::{Lesson, LESSONS};
use report::human::COMMAND;
use report::Report;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    // The launcher's stages run before anything else: they must stay
    // single-threaded (no interrupt handler thread) to enter namespaces.
    let args: Vec<String> = std::env::args().skip(1).collect();
    os::run_stage_if_asked(&args);
    os::init_checker();
    harness::process::remove_stale_scratch();
    harness::process::install_interrupt_handler();
    let cli = Cli::parse();
    let default_mode = match &cli.command {
        Some(Command::Grade(args)) if args.no_sandbox() => os::Mode::Off,
        Some(Command::Grade(_)) => os::Mode::Strict,
        _ => os::Mode::Learner,
    };
    os::set_policy(os::Policy {
        mode: cli.options.sandbox.unwrap_or(default_mode),
        limits: os::Limits {
            memory: cli.options.memory_limit,
            processes: cli.options.process_limit,
            file_size: cli.options.file_size_limit,
        },
    });
    os::allow(os::Grants { read: cli.options.allow_read.clone(), write: cli.options.allow_write.clone() });
    let result = run_cli(&cli);
    harness::process::exit_if_interrupted();
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run_cli(cli: &Cli) -> Result<u8> {
    let started = Instant::now();
    let root = cli.options.root.clone().unwrap_or_else(workspace_root);
    if !root.join("Cargo.toml").is_file() {
        bail!("{} is not a course folder: it has no Cargo.toml", root.display());
    }
    let options = &cli.options;
    let find = |name: &str| lessons::find(name).with_context(|| lessons::unknown(name));
    match &cli.command {
        Some(Command::Grade(args)) => grade_command(&root, options, args),
        Some(Command::Watch(args)) => watch_command(&root, options, args),
        Some(Command::Hint { lesson }) => hint_command(&root, options, find(lesson)?),
        Some(Command::Diff { lesson, all }) => {
            report::human::print(&learner::diff(&root, find(lesson)?, options.color(), *all)?);
            Ok(0)
        }
        Some(Command::Reset { lesson, yes }) => {
            print!("{}", learner::reset(&root, find(lesson)?, *yes)?);
            Ok(0)
        }
        Some(Command::List) => check_command(&root, options, None, started),
        None => {
            let lesson = match &cli.lesson {
                None => None,
                Some(name) if name == "list" => None,
                Some(name) => Some(find(name)?),
            };
            check_command(&root, options, lesson, started)
        }
    }
}

/// `checker grade`: the options of a single run do not apply.
fn grade_command(root: &Path, options: &Options, args: &grade::Args) -> Result<u8> {
    if options.solution || options.cmd.is_some() || options.exe.is_some() {
        bail!("grade checks the students' crates: --solution and --cmd do not apply");
    }
    if options.format.is_some() || options.output.is_some() {
        bail!("grade writes every format itself, into the folder given with --out");
    }
    grade::grade(root, args)
}

/// `checker watch`: checks again on every save.
fn watch_command(root: &Path, options: &Options, args: &watch::Args) -> Result<u8> {
    let first_failing = match args.lesson {
        Some(_) => None,
        None => {
            let reports = run::check_all(root, options.solution)?;
            LESSONS.iter().copied().zip(&reports).find(|(_, r)| !r.passed()).map(|(l, _)| l)
        }
    };
    let check = |lesson: &Lesson, advice: bool| {
        let started = Instant::now();
        let report = Report::new(vec![run::check_one(root, lesson, options.choice())?]);
        let text = match advice {
            true => render(&report, Some(lesson), options, started.elapsed()),
            // The watch screen says what to do next in its own words.
            false => {
                let mut text = String::new();
                report::human::render_lesson(&mut text, &report.lessons[0], true);
                text
            }
        };
        let text = if options.color() { text } else { report::human::plain(&text) };
        Ok((report.lessons.into_iter().next().expect("one lesson"), text))
    };
    let own = !options.solution && options.cmd.is_none() && options.exe.is_none();
    watch::watch(root, args, first_failing, (own, options.cmd.is_some()), &check)
}

/// `checker hint`: the hints of the lesson's last run, or of a new one.
fn hint_command(root: &Path, options: &Options, lesson: &Lesson) -> Result<u8> {
    // The learner's own crate, unchanged since its last run: that
    // run's report answers at once.
    let own = !options.solution && options.cmd.is_none() && options.exe.is_none();
    let (report, cached) = match last_run::current(root, lesson).filter(|_| own) {
        Some(report) => (report, true),
        None => (run::check_one(root, lesson, options.choice())?, false),
    };
    if cached {
        println!("(From the last run: your files have not changed since.)\n");
    }
    print!("{}", learner::hints(lesson, &report, options.cmd.is_some()));
    Ok(u8::from(!report.passed()))
}

/// `checker lessonN` or `checker`: one lesson, or all, in the format asked for.
fn check_command(root: &Path, options: &Options, lesson: Option<&Lesson>, started: Instant) -> Result<u8> {
    let report = match lesson {
        Some(lesson) => Report::new(vec![run::check_one(root, lesson, options.choice())?]),
        None => {
            if options.cmd.is_some() || options.exe.is_some() {
                bail!("--cmd checks one lesson: name it, e.g. `{COMMAND} lesson1 --cmd \"python3 lesson1.py\"`");
            }
            Report::new(run::check_all(root, options.solution)?)
        }
    };
    let text = render(&report, lesson, options, started.elapsed());
    match &options.output {
        Some(path) => {
            // Only the human report has colours to leave out of a file.
            let text = if options.format() == Format::Human { report::human::plain(&text) } else { text };
            std::fs::write(path, text).with_context(|| format!("Failed to write the report to {}", path.display()))?;
        }
        None if options.format() == Format::Human => report::human::print(&text),
        None => print!("{text}"),
    }
    Ok(report.exit_code())
}

/// The report in the format asked for.
fn render(report: &Report, lesson: Option<&Lesson>, options: &Options, elapsed: Duration) -> String {
    match options.format() {
        Format::Json => report::json::render(report),
        Format::Junit => report::junit::render(report),
        Format::Gradescope => report::gradescope::render(report, Some(elapsed), &[]),
        Format::Human => {
            let mut text = String::new();
            match lesson {
                Some(lesson) => {
                    report::human::render_lesson(&mut text, &report.lessons[0], true);
                    report::human::next_steps(
                        &mut text,
                        lesson,
                        &report.lessons[0],
                        options.cmd.as_deref(),
                        options.solution,
                    );
                }
                None => report::human::render_overview(&mut text, report, COMMAND),
            }
            text
        }
    }
}

/// The workspace this checker belongs to.
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}
