//! The command line, with clap's derive: a `///` on every flag is its
//! `--help`. [`Cli`] is what `main` parses; [`Options`] are the flags every
//! subcommand shares.

use crate::run::Choice;
use crate::{grade, os, watch};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;

/// Checks your socket programs: builds a lesson, runs it on free localhost
/// ports, talks to it over real sockets and tells you, check by check, what
/// works.
#[derive(Parser, Debug)]
#[command(name = "checker", version, args_conflicts_with_subcommands = true)]
#[command(
    after_help = "Examples:\n  cargo run -p checker -- lesson1\n  cargo run -p checker -- watch\n  cargo run -p checker -- hint lesson1\n  cargo run -p checker -- lesson1 --solution\n  cargo run -p checker -- lesson1 --cmd \"python3 lesson1.py\"\n  cargo run -p checker -- lesson1 --format json\n  cargo run -p checker -- grade submissions/ --lessons 1-3"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,

    /// The lesson to check: `lesson3`, `lesson03`, `3` or its name
    /// (`threaded-server`). Without one, every lesson is checked and
    /// summed up in a table.
    pub(crate) lesson: Option<String>,

    #[command(flatten)]
    pub(crate) options: Options,
}

#[derive(clap::Args, Debug)]
pub(crate) struct Options {
    /// Check the finished crate under solutions/ instead of yours: this is
    /// what passing looks like.
    #[arg(long, global = true, conflicts_with = "cmd")]
    pub(crate) solution: bool,

    /// Check any program instead of a crate of this workspace. The checker
    /// appends the role and its arguments, e.g. `--cmd "python3 server.py"`
    /// runs `python3 server.py server 127.0.0.1:PORT`.
    #[arg(long, global = true, value_name = "COMMAND LINE")]
    pub(crate) cmd: Option<String>,

    /// How to print the report: `human` (with colour on a terminal), `json`,
    /// `junit` (JUnit XML) or `gradescope` (Gradescope's results.json). The
    /// machine formats print one document on stdout, nothing else.
    /// [default: human]
    #[arg(long, global = true, value_enum)]
    pub(crate) format: Option<Format>,

    /// Write the report to FILE (in any format, without colour) instead of
    /// printing it.
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,

    /// Check this executable, already built from the lesson's crate (`grade`
    /// runs each lesson this way).
    #[arg(long, global = true, value_name = "PATH", hide = true, conflicts_with_all = ["cmd", "solution"])]
    pub(crate) exe: Option<PathBuf>,

    /// The course folder whose crates are checked. By default, the one this
    /// checker belongs to.
    #[arg(long, global = true, value_name = "DIR")]
    pub(crate) root: Option<PathBuf>,

    /// Memory (data) one process of a program may use, e.g. `1G`, `512M`
    /// (a bare number is MiB; 0: no limit).
    #[arg(long, global = true, value_name = "SIZE", default_value = "1G", value_parser = parse_size)]
    pub(crate) memory_limit: u64,

    /// Processes and threads a program may run at once (0: no limit).
    #[arg(long, global = true, value_name = "N", default_value_t = 256)]
    pub(crate) process_limit: u64,

    /// Size one file written by a program may reach, e.g. `512M` (0: no limit).
    #[arg(long, global = true, value_name = "SIZE", default_value = "512M", value_parser = parse_size)]
    pub(crate) file_size_limit: u64,

    /// The sandbox of the programs checked: `strict` (what `grade` uses),
    /// `learner` (the default: reads everything, writes only its scratch
    /// folders) or `off`.
    #[arg(long, global = true, value_enum, hide = true)]
    pub(crate) sandbox: Option<os::Mode>,

    /// A folder every program checked may write in (tests record pids there).
    #[arg(long, global = true, value_name = "DIR", hide = true)]
    pub(crate) allow_write: Vec<PathBuf>,

    /// A file or folder every program checked may read (the tests' fixture
    /// programs, which a student's program runs in the grading tests).
    #[arg(long, global = true, value_name = "PATH", hide = true)]
    pub(crate) allow_read: Vec<PathBuf>,
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
pub(crate) enum Command {
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
pub(crate) enum Format {
    Human,
    Json,
    Junit,
    Gradescope,
}

impl Options {
    pub(crate) fn format(&self) -> Format {
        self.format.unwrap_or(Format::Human)
    }

    /// Which program to check, as `run::check_one` takes it.
    pub(crate) fn choice(&self) -> Choice<'_> {
        Choice {
            cmd: self.cmd.as_deref(),
            exe: self.exe.as_deref(),
            solution: self.solution,
            announce: self.format() == Format::Human && std::io::stderr().is_terminal(),
            color: self.color(),
        }
    }

    /// Colour in the report: only for people, on a terminal that takes it.
    pub(crate) fn color(&self) -> bool {
        self.format() == Format::Human
            && self.output.is_none()
            && anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
    }
}
