//! The command line of `grade`: where the submissions are, where the
//! results go, which lessons, how many at once, and the sandbox.

use anyhow::{bail, Result};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
#[command(after_help = "Example:\n  cargo run -p checker -- grade submissions/ --lessons 1-3 --out grades/")]
pub struct Args {
    /// The folder of submissions: one folder per student, named for them,
    /// holding their `exercises/` folder or a copy of the whole course.
    #[arg(value_name = "SUBMISSIONS")]
    pub(super) submissions: PathBuf,

    /// The lessons to grade, e.g. `1,3-5`. By default, every lesson.
    #[arg(long, value_name = "LIST", value_parser = parse_lessons)]
    pub(super) lessons: Option<LessonList>,

    /// Where to write grades.csv, checks.csv and a folder per student.
    #[arg(long, value_name = "DIR", default_value = "grades")]
    pub(super) out: PathBuf,

    /// How many submissions to grade at the same time.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub(super) jobs: u16,

    /// Seconds one submission's build may take before it is stopped.
    #[arg(long, value_name = "SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..))]
    pub(super) build_timeout: u64,

    /// Seconds one lesson's checks may take before they are stopped. By
    /// default each lesson gets enough for every one of its checks to wait
    /// out its deadlines and still report check by check: 6 s per check
    /// (scaled by SOCKETLINGS_SLOW) plus 20 s, e.g. 74 s for 9 checks.
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub(super) lesson_timeout: Option<u64>,

    /// The cargo target folder every submission's build shares. By default,
    /// `.grading/target` inside the --out folder.
    #[arg(long, value_name = "DIR")]
    pub(super) target_dir: Option<PathBuf>,

    /// Grade without the sandbox, where the kernel offers none (no
    /// Landlock): programs are still contained and limited, but can read and
    /// write what the grader can. Every student's feedback says so.
    #[arg(long)]
    pub(super) no_sandbox: bool,
}

impl Args {
    /// `--no-sandbox` was given.
    pub fn no_sandbox(&self) -> bool {
        self.no_sandbox
    }
}

/// The note every student's feedback carries when grading ran unsandboxed.
const NO_SANDBOX_NOTE: &str = "Grading ran without a sandbox (--no-sandbox): your programs were contained and \
                               limited, but not kept from the rest of the machine.";

/// Stops with a clear message when the sandbox `grade` needs is missing;
/// returns the notes for every student's feedback.
pub(super) fn sandbox_notes() -> Result<Vec<String>> {
    if crate::os::policy().mode == crate::os::Mode::Off {
        eprintln!("Grading without a sandbox (--no-sandbox): every student's feedback will say so.");
        return Ok(vec![NO_SANDBOX_NOTE.to_string()]);
    }
    let support = crate::os::support();
    if !support.sandbox {
        bail!(
            "this machine cannot sandbox the students' programs: it lacks {}.\nRun grade on Linux 6.12 or \
             later (Landlock ABI 6), or pass --no-sandbox to grade without a sandbox (each student's feedback \
             will say so).",
            support.missing.join("; and ")
        );
    }
    eprintln!("Sandbox: Landlock ABI {}; programs contained by {}.", support.landlock_abi, support.containment);
    Ok(Vec::new())
}

/// The lesson numbers given with `--lessons`.
#[derive(Clone, Debug)]
pub(super) struct LessonList(pub(super) Vec<u8>);

/// `1,3-5` → [1, 3, 4, 5].
pub(super) fn parse_lessons(list: &str) -> Result<LessonList, String> {
    let mut numbers = Vec::new();
    for item in list.split(',').map(str::trim).filter(|item| !item.is_empty()) {
        let number = |text: &str| {
            let text = text.trim();
            let digits = text.strip_prefix("lesson").unwrap_or(text);
            digits.parse::<u8>().map_err(|_| format!("`{text}` is not a lesson number (write e.g. `1,3-5`)"))
        };
        match item.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (number(from)?, number(to)?);
                if from > to {
                    return Err(format!("`{item}` is an empty range"));
                }
                numbers.extend(from..=to);
            }
            None => numbers.push(number(item)?),
        }
    }
    if numbers.is_empty() {
        return Err("name at least one lesson, e.g. `1,3-5`".to_string());
    }
    Ok(LessonList(numbers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lesson_lists_take_numbers_and_ranges() {
        assert_eq!(parse_lessons("1,3-5").map(|l| l.0), Ok(vec![1, 3, 4, 5]));
        assert_eq!(parse_lessons("lesson2").map(|l| l.0), Ok(vec![2]));
        assert!(parse_lessons("5-3").is_err());
        assert!(parse_lessons("x").is_err());
        assert!(parse_lessons("").is_err());
    }
}
