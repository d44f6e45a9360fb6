//! The socketlings checker.
//!
//! It builds a lesson's program (or takes any command line with `--cmd`),
//! runs it on free loopback ports, talks to it over real sockets, and reports
//! check by check what works and what does not.
//!
//! # Layout
//! - [`lessons`]: one file per lesson, holding its checks, and the registry;
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
use clap::{Parser, Subcommand, ValueEnum};
use lessons::{Lesson, LESSONS};
use report::{LessonReport, LessonStatus, Report};
use run::Target;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// How learners type the checker; used in the advice it prints.
const COMMAND: &str = "cargo run -p checker --";

/// Checks your socket programs: builds a lesson, runs it on free localhost
/// ports, talks to it over real sockets and tells you, check by check, what
/// works.
#[derive(Parser, Debug)]
#[command(name = "checker", version, args_conflicts_with_subcommands = true)]
#[command(
    after_help = "Examples:\n  cargo run -p checker -- lesson1\n  cargo run -p checker -- watch\n  cargo run -p checker -- hint lesson1\n  cargo run -p checker -- lesson1 --solution\n  cargo run -p checker -- lesson1 --cmd \"python3 lesson1.py\"\n  cargo run -p checker -- lesson1 --format json\n  cargo run -p checker -- grade submissions/ --lessons 1-3"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// The lesson to check: `lesson3`, `lesson03`, `3` or its name
    /// (`threaded-server`). Without one, every lesson is checked and
    /// summed up in a table.
    lesson: Option<String>,

    #[command(flatten)]
    options: Options,
}

#[derive(clap::Args, Debug)]
struct Options {
    /// Check the finished crate under solutions/ instead of yours: this is
    /// what passing looks like.
    #[arg(long, global = true, conflicts_with = "cmd")]
    solution: bool,

    /// Check any program instead of a crate of this workspace. The checker
    /// appends the role and its arguments, e.g. `--cmd "python3 server.py"`
    /// runs `python3 server.py server 127.0.0.1:PORT`.
    #[arg(long, global = true, value_name = "COMMAND LINE")]
    cmd: Option<String>,

    /// How to print the report: `human` (with colour on a terminal), `json`,
    /// `junit` (JUnit XML) or `gradescope` (Gradescope's results.json). The
    /// machine formats print one document on stdout, nothing else.
    /// [default: human]
    #[arg(long, global = true, value_enum)]
    format: Option<Format>,

    /// Write the report to FILE (in any format, without colour) instead of
    /// printing it.
    #[arg(long, global = true, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Check this executable, already built from the lesson's crate (`grade`
    /// runs each lesson this way).
    #[arg(long, global = true, value_name = "PATH", hide = true, conflicts_with_all = ["cmd", "solution"])]
    exe: Option<PathBuf>,

    /// The course folder whose crates are checked. By default, the one this
    /// checker belongs to.
    #[arg(long, global = true, value_name = "DIR")]
    root: Option<PathBuf>,

    /// Memory (data) one process of a program may use, e.g. `1G`, `512M`
    /// (a bare number is MiB; 0: no limit).
    #[arg(long, global = true, value_name = "SIZE", default_value = "1G", value_parser = parse_size)]
    memory_limit: u64,

    /// Processes and threads a program may run at once (0: no limit).
    #[arg(long, global = true, value_name = "N", default_value_t = 256)]
    process_limit: u64,

    /// Size one file written by a program may reach, e.g. `512M` (0: no limit).
    #[arg(long, global = true, value_name = "SIZE", default_value = "512M", value_parser = parse_size)]
    file_size_limit: u64,

    /// The sandbox of the programs checked: `strict` (what `grade` uses),
    /// `learner` (the default: reads everything, writes only its scratch
    /// folders) or `off`.
    #[arg(long, global = true, value_enum, hide = true)]
    sandbox: Option<os::Mode>,

    /// A folder every program checked may write in (tests record pids there).
    #[arg(long, global = true, value_name = "DIR", hide = true)]
    allow_write: Vec<PathBuf>,

    /// A file or folder every program checked may read (the tests' fixture
    /// programs, which a student's program runs in the grading tests).
    #[arg(long, global = true, value_name = "PATH", hide = true)]
    allow_read: Vec<PathBuf>,
}

/// `1G`, `512M`, `64K` or a bare number of MiB, in bytes.
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let upper = text.to_ascii_uppercase();
    let upper = upper.trim_end_matches('B').trim_end_matches('I');
    let (digits, unit) = match upper.char_indices().last() {
        Some((at, 'K')) => (&upper[..at], 1u64 << 10),
        Some((at, 'M')) => (&upper[..at], 1 << 20),
        Some((at, 'G')) => (&upper[..at], 1 << 30),
        _ => (upper, 1 << 20),
    };
    let number: u64 =
        digits.trim().parse().map_err(|_| format!("`{text}` is not a size: write e.g. `1G`, `512M` or `0`"))?;
    number.checked_mul(unit).ok_or_else(|| format!("`{text}` is too large"))
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Every lesson with its status and score (the same as giving no lesson).
    List,
    /// Check a lesson, then again each time you save one of its files.
    Watch(watch::Args),
    /// The hints of the checks that fail now, from the first concept to the details.
    Hint {
        /// The lesson: `lesson3`, `3` or its name.
        lesson: String,
    },
    /// The functions you wrote beside the solution's, as a unified diff
    /// (comments left out).
    Diff {
        /// The lesson: `lesson3`, `3` or its name.
        lesson: String,
        /// Compare the whole files, comments included.
        #[arg(long)]
        all: bool,
    },
    /// Put a lesson's starting code back (your files are saved first).
    Reset {
        /// The lesson: `lesson3`, `3` or its name.
        lesson: String,
        /// Do not ask before replacing the files.
        #[arg(long)]
        yes: bool,
    },
    /// Grade a folder of submissions (one folder per student): writes
    /// grades.csv, checks.csv, and each student's feedback.md and results.json.
    Grade(grade::Args),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
    Junit,
    Gradescope,
}

impl Options {
    fn format(&self) -> Format {
        self.format.unwrap_or(Format::Human)
    }

    /// Colour in the report: only for people, on a terminal that takes it.
    fn color(&self) -> bool {
        self.format() == Format::Human
            && self.output.is_none()
            && anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
    }
}

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
    if let Some(Command::Grade(args)) = &cli.command {
        if options.solution || options.cmd.is_some() || options.exe.is_some() {
            bail!("grade checks the students' crates: --solution and --cmd do not apply");
        }
        if options.format.is_some() || options.output.is_some() {
            bail!("grade writes every format itself, into the folder given with --out");
        }
        return grade::grade(&root, args);
    }
    let find = |name: &str| lessons::find(name).with_context(|| unknown_lesson(name));
    match &cli.command {
        Some(Command::Watch(args)) => {
            let first_failing = match args.lesson {
                Some(_) => None,
                None => {
                    let reports = check_all(&root, options.solution)?;
                    LESSONS.iter().copied().zip(&reports).find(|(_, r)| !r.passed()).map(|(l, _)| l)
                }
            };
            let check = |lesson: &Lesson, advice: bool| {
                let started = Instant::now();
                let report = Report::new(vec![check_one(&root, lesson, options)?]);
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
            return watch::watch(&root, args, first_failing, (own, options.cmd.is_some()), &check);
        }
        Some(Command::Hint { lesson }) => {
            let lesson = find(lesson)?;
            // The learner's own crate, unchanged since its last run: that
            // run's report answers at once.
            let own = !options.solution && options.cmd.is_none() && options.exe.is_none();
            let (report, cached) = match last_run::current(&root, lesson).filter(|_| own) {
                Some(report) => (report, true),
                None => (check_one(&root, lesson, options)?, false),
            };
            if cached {
                println!("(From the last run: your files have not changed since.)\n");
            }
            print!("{}", learner::hints(lesson, &report, options.cmd.is_some()));
            return Ok(u8::from(!report.passed()));
        }
        Some(Command::Diff { lesson, all }) => {
            report::human::print(&learner::diff(&root, find(lesson)?, options.color(), *all)?);
            return Ok(0);
        }
        Some(Command::Reset { lesson, yes }) => {
            print!("{}", learner::reset(&root, find(lesson)?, *yes)?);
            return Ok(0);
        }
        _ => {}
    }
    let lesson = match (&cli.command, &cli.lesson) {
        (Some(_), _) | (None, None) => None,
        (None, Some(name)) if name == "list" => None,
        (None, Some(name)) => Some(lessons::find(name).with_context(|| unknown_lesson(name))?),
    };
    let report = match lesson {
        Some(lesson) => Report::new(vec![check_one(&root, lesson, options)?]),
        None => {
            if options.cmd.is_some() || options.exe.is_some() {
                bail!("--cmd checks one lesson: name it, e.g. `{COMMAND} lesson1 --cmd \"python3 lesson1.py\"`");
            }
            Report::new(check_all(&root, options.solution)?)
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
                    next_steps(&mut text, lesson, &report.lessons[0], options);
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

pub(crate) fn unknown_lesson(name: &str) -> String {
    let known: Vec<String> = LESSONS.iter().map(|l| format!("  lesson{}  {}", l.number, l.title)).collect();
    format!("there is no lesson `{name}`. The lessons are:\n{}", known.join("\n"))
}

/// Checks one lesson: builds its crate (or takes `--cmd`), then runs the checks.
fn check_one(root: &Path, lesson: &Lesson, options: &Options) -> Result<LessonReport> {
    let timing = harness::Timing::from_env();
    if let Some(cmd) = &options.cmd {
        let argv = shlex::split(cmd)
            .filter(|argv| !argv.is_empty())
            .with_context(|| format!("--cmd {cmd:?} is not a command line the checker can split (check its quotes)"))?;
        // Remind a --cmd user of the roles the checker will append.
        let roles: Vec<String> = lesson.usage.iter().map(|usage| format!("… {usage}")).collect();
        let description = format!("--cmd {} (run as {})", harness::process::display_command(&argv), roles.join(" | "));
        let target = Target { description, argv, source: None };
        return Ok(run::run_lesson(lesson, &target, timing));
    }
    let package = lesson.package(options.solution);
    let source = lesson.crate_dir(options.solution);
    // The sources as they are now, before the build reads them.
    let key = (!options.solution && options.exe.is_none()).then(|| last_run::key(root, lesson)).flatten();
    if let Some(exe) = &options.exe {
        // Run by `grade`: its report, on stdout, is out of the programs' reach.
        grade::keep_programs_out();
        let target = Target {
            argv: vec![exe.display().to_string()],
            description: format!("{package} (built from {source})"),
            source: Some(source),
        };
        return Ok(run::run_lesson(lesson, &target, timing));
    }
    if options.format() == Format::Human && std::io::stderr().is_terminal() {
        eprintln!("Building {package} ({source})…");
    }
    let built = build::build(root, std::slice::from_ref(&package), &build::Settings::new(options.color()))?;
    if built.timed_out {
        bail!("{}", built.messages);
    }
    let report = target_report(lesson, &built, &package, source, timing);
    if !harness::process::interrupted() {
        last_run::save(root, lesson, key, &report);
    }
    Ok(report)
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
            let mut report = run::run_lesson(lesson, &target, timing);
            report.warnings = built.warnings.get(package).cloned();
            report
        }
        None => run::not_run(
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
fn check_all(root: &Path, solution: bool) -> Result<Vec<LessonReport>> {
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

/// ` --cmd '…'` when one was given, for the advice that names a command:
/// it keeps checking the same program.
fn cmd_suffix(options: &Options) -> String {
    match &options.cmd {
        Some(cmd) => format!(" --cmd {}", shlex::try_quote(cmd).unwrap_or_else(|_| cmd.into())),
        None => String::new(),
    }
}

/// What to do after reading a lesson's report.
fn next_steps(text: &mut String, lesson: &Lesson, report: &LessonReport, options: &Options) {
    use std::fmt::Write;
    let cmd = cmd_suffix(options);
    if report.status != LessonStatus::Checked {
        return;
    }
    if report.passed() {
        if !options.solution && options.cmd.is_none() {
            let _ = writeln!(
                text,
                "Lesson {} passes. Compare your code with the model: {COMMAND} diff lesson{}",
                lesson.number, lesson.number
            );
        }
        match LESSONS.iter().find(|l| l.number > lesson.number) {
            Some(next) => {
                let _ = writeln!(text, "Next: {COMMAND} lesson{}{cmd}  ({})", next.number, next.title);
            }
            None => {
                let _ = writeln!(text, "That was the last lesson. Well done.");
            }
        }
    } else if options.cmd.is_some() {
        let _ = writeln!(
            text,
            "Edit your program, then run `{COMMAND} lesson{}{cmd}` again. Stuck? `{COMMAND} hint lesson{}{cmd}`. \
             The course page: docs/src/{}.md",
            lesson.number,
            lesson.number,
            lesson.folder()
        );
    } else if !options.solution {
        let _ = writeln!(
            text,
            "Edit {}/src, then run `{COMMAND} lesson{}` again (or leave `{COMMAND} watch` running). \
             Stuck? `{COMMAND} hint lesson{}`. The course page: docs/src/{}.md",
            lesson.crate_dir(false),
            lesson.number,
            lesson.number,
            lesson.folder()
        );
    }
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
