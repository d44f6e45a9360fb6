//! The policy every program gets: the sandbox [`Mode`], the resource
//! [`Limits`], what it may read and write besides the system ([`Grants`]),
//! and what [`Kind`] of program it is.

use std::path::PathBuf;
use std::sync::OnceLock;

/// How much of the machine a program under test may read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// Reads the system and what its check grants; writes only its scratch
    /// folder and what its check grants (`grade`).
    Strict,
    /// Reads everything; writes only its scratch folder and what its check
    /// grants (`checker lessonN`).
    Learner,
    /// No sandbox: containment and limits only.
    Off,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Strict => "strict",
            Mode::Learner => "learner",
            Mode::Off => "off",
        }
    }

    pub(super) fn parse(text: &str) -> Option<Mode> {
        [Mode::Strict, Mode::Learner, Mode::Off].into_iter().find(|m| m.as_str() == text)
    }
}

/// Resource limits for each program (0: none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of data (heap) one process may have.
    pub memory: u64,
    /// Processes and threads the program may run at once.
    pub processes: u64,
    /// Bytes one file written may reach.
    pub file_size: u64,
}

pub const MIB: u64 = 1 << 20;

impl Default for Limits {
    /// Fits a 2-core, 8 GiB machine grading two submissions at a time.
    fn default() -> Limits {
        Limits { memory: 1024 * MIB, processes: 256, file_size: 512 * MIB }
    }
}

/// The sandbox mode and limits every program gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    pub mode: Mode,
    pub limits: Limits,
}

static POLICY: OnceLock<Policy> = OnceLock::new();

/// Sets the policy (once, at start-up; later calls are ignored).
pub fn set_policy(policy: Policy) {
    let _ = POLICY.set(policy);
}

/// The policy in force: by default the learner's.
pub fn policy() -> Policy {
    POLICY.get().copied().unwrap_or(Policy { mode: Mode::Learner, limits: Limits::default() })
}

static ALLOWED: OnceLock<Grants> = OnceLock::new();

/// Folders every program under test may read (the hidden `--allow-read`,
/// for the tests' fixture programs) and write in (`--allow-write`, for the
/// tests' records of pids), besides what its check grants. Set once.
pub fn allow(grants: Grants) {
    let _ = ALLOWED.set(grants);
}

/// What [`allow`] set: a grader passes it on to its child checkers.
pub fn allowed() -> Grants {
    ALLOWED.get().cloned().unwrap_or_default()
}

/// What a program may read and write besides the system and its scratch
/// folder.
#[derive(Clone, Debug, Default)]
pub struct Grants {
    pub read: Vec<PathBuf>,
    pub write: Vec<PathBuf>,
}

/// What is started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A program under test: contained, limited, sandboxed by the policy.
    Program,
    /// A grading build (cargo): contained, limited, and sandboxed to read
    /// the system, the toolchain and the grants, write only the grants.
    Build,
    /// One of the checker's own helpers (a child checker): contained only.
    Helper,
}
