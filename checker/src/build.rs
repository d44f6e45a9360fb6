//! Building lesson crates with the same cargo that runs the checker.
//!
//! One `cargo build` call builds every package asked for (`--keep-going`, so
//! one broken lesson does not hide the others). Cargo's JSON messages on
//! stdout say where each executable is, and carry the compiler's
//! diagnostics, rendered as a person reads them, for each package. They are
//! read as a stream, line by line as cargo writes them: any number of
//! warnings is parsed, and only what is kept of them is bounded.
//! [`Settings`] choose colour, the target folder (`grade` shares one between
//! submissions), a time limit, past which cargo and every compiler it
//! started are killed, and for `grade` a sandbox: the build then reads only
//! the system, the toolchain and the folders granted, so `include_str!` and
//! `#[path]` cannot reach outside the submission.

use crate::harness::Program;
use crate::os::{self, Grants, Kind};
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Bytes of diagnostics kept for one binary; the rest is counted.
const DIAGNOSTICS_KEPT: usize = 64 * 1024;

/// Warnings kept for one binary, in the compiler's rendering; the rest are counted.
const WARNINGS_KEPT: usize = 3;

/// How long one build may take, unless told otherwise.
pub const BUILD_LIMIT: Duration = Duration::from_secs(900);

/// How to build.
pub struct Settings<'a> {
    /// Colour in the compiler's messages.
    pub color: bool,
    /// Where cargo keeps what it builds; `None`: the workspace's own `target/`.
    pub target_dir: Option<&'a Path>,
    /// How long the build may take.
    pub limit: Duration,
    /// `grade`: build in the sandbox, reading and writing only these
    /// folders besides the system and the toolchain. `None`: the learner's
    /// own build, not sandboxed.
    pub sandbox: Option<Grants>,
}

impl Settings<'_> {
    /// The workspace's own target folder and [`BUILD_LIMIT`], no sandbox.
    pub fn new(color: bool) -> Settings<'static> {
        Settings { color, target_dir: None, limit: BUILD_LIMIT, sandbox: None }
    }
}

/// What the stream of cargo's messages said so far.
#[derive(Default)]
struct Messages {
    executables: BTreeMap<String, PathBuf>,
    diagnostics: BTreeMap<String, String>,
    /// Bytes of diagnostics not kept, per binary.
    omitted: BTreeMap<String, usize>,
    warnings: BTreeMap<String, Warnings>,
}

/// The compiler's warnings about one binary: how many, and the first few
/// as the compiler rendered them.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Warnings {
    pub count: usize,
    pub first: Vec<String>,
}

impl Messages {
    fn read(&mut self, line: &[u8]) {
        let Ok(message) = serde_json::from_slice::<serde_json::Value>(line) else { return };
        let Some(name) = message["target"]["name"].as_str() else { return };
        if message["reason"] == "compiler-message" {
            if let Some(rendered) = message["message"]["rendered"].as_str() {
                // A warning about the code (not the closing "N warnings emitted", which has no place).
                let spans = message["message"]["spans"].as_array().is_some_and(|s| !s.is_empty());
                if message["message"]["level"] == "warning" && spans {
                    let warnings = self.warnings.entry(name.to_string()).or_default();
                    warnings.count += 1;
                    if warnings.first.len() < WARNINGS_KEPT && rendered.len() <= 8 * 1024 {
                        warnings.first.push(rendered.trim_end().to_string());
                    }
                }
                let kept = self.diagnostics.entry(name.to_string()).or_default();
                if kept.len() + rendered.len() <= DIAGNOSTICS_KEPT || message["message"]["level"] == "error" {
                    // Errors are always kept: they say why it did not build.
                    if kept.len() + rendered.len() <= 4 * DIAGNOSTICS_KEPT {
                        kept.push_str(rendered);
                        return;
                    }
                }
                *self.omitted.entry(name.to_string()).or_default() += 1;
            }
        } else if let Some(exe) = message["executable"].as_str().filter(|_| message["reason"] == "compiler-artifact") {
            self.executables.insert(name.to_string(), PathBuf::from(exe));
        }
    }
}

/// The outcome of one build call.
pub struct Build {
    /// Binary name → executable path, for each binary built (each lesson's
    /// package has one binary, named like the package unless `grade` renames it).
    pub executables: BTreeMap<String, PathBuf>,
    /// What cargo said on stderr (the compiler's errors, when something failed).
    pub messages: String,
    /// Binary name → the compiler's rendered diagnostics for it.
    pub diagnostics: BTreeMap<String, String>,
    /// The build went over its time limit and was stopped: nothing was built.
    pub timed_out: bool,
    /// Binary name → the compiler's warnings about it (binaries without
    /// warnings are not listed).
    pub warnings: BTreeMap<String, Warnings>,
}

/// Builds `packages` (each has one binary named like the package) in the
/// workspace at `root`.
pub fn build(root: &Path, packages: &[String], settings: &Settings) -> Result<Build> {
    let argv = cargo_build_argv(root, packages, settings);
    let parsed = Arc::new(Mutex::new(Messages::default()));
    let stream = Arc::clone(&parsed);
    let on_line = Box::new(move |line: &[u8]| stream.lock().unwrap_or_else(|e| e.into_inner()).read(line));
    let (kind, grants) = match &settings.sandbox {
        Some(grants) => (Kind::Build, grants.clone()),
        None => (Kind::Helper, Grants::default()),
    };
    let mut cargo = Program::spawn_streaming("cargo", &argv, kind, &grants, on_line)
        .context("Failed to run cargo: is the Rust toolchain installed?")?;
    if cargo.wait_exit(settings.limit).is_none() {
        // Dropping `cargo` stops it, with every compiler it started.
        return Ok(Build {
            executables: BTreeMap::new(),
            messages: format!("cargo build did not finish within {} s and was stopped", settings.limit.as_secs()),
            diagnostics: BTreeMap::new(),
            timed_out: true,
            warnings: BTreeMap::new(),
        });
    }
    // Every line of stdout has been parsed once the stream is closed.
    cargo.stdout().wait_closed(Duration::from_secs(10));
    cargo.stderr().wait_closed(Duration::from_secs(1));
    let (stderr, _) = cargo.stderr().snapshot();
    let mut messages = clean_messages(&String::from_utf8_lossy(&stderr));
    let parsed = std::mem::take(&mut *parsed.lock().unwrap_or_else(|e| e.into_inner()));
    let mut diagnostics = parsed.diagnostics;
    for (name, omitted) in &parsed.omitted {
        let kept = diagnostics.entry(name.clone()).or_default();
        kept.push_str(&format!("… and {omitted} more messages of the compiler, not shown.\n"));
    }
    if settings.sandbox.is_some() {
        messages = note_limits(messages, &mut diagnostics);
    }
    Ok(Build { executables: parsed.executables, messages, diagnostics, timed_out: false, warnings: parsed.warnings })
}

/// `cargo build` for `packages`, with JSON messages (coloured or not).
fn cargo_build_argv(root: &Path, packages: &[String], settings: &Settings) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut argv = vec![
        cargo,
        "build".to_string(),
        format!("--message-format={}", if settings.color { "json-diagnostic-rendered-ansi" } else { "json" }),
        format!("--color={}", if settings.color { "always" } else { "never" }),
        "--manifest-path".to_string(),
        root.join("Cargo.toml").display().to_string(),
    ];
    if let Some(dir) = settings.target_dir {
        argv.push("--target-dir".to_string());
        argv.push(dir.display().to_string());
    }
    if packages.len() > 1 {
        argv.push("--keep-going".to_string());
    }
    for package in packages {
        argv.push("-p".to_string());
        argv.push(package.clone());
    }
    argv
}

/// A limit of the sandbox that explains a failed build, said before what
/// the compiler printed (cargo's messages, and each package's).
fn note_limits(mut messages: String, diagnostics: &mut BTreeMap<String, String>) -> String {
    // The compiler ran out of room: say so before what it printed.
    let limits = os::policy().limits;
    let note = |text: &str| {
        os::limit_hit(None, text, limits).map(|n| format!("The build {}.", n.trim_start_matches("your program ")))
    };
    let from_cargo = note(&messages);
    for text in diagnostics.values_mut() {
        if let Some(note) = note(text).or_else(|| from_cargo.clone()) {
            *text = format!("{note}\n{text}");
        }
    }
    if let Some(note) = from_cargo {
        messages = format!("{note}\n{messages}");
    }
    messages
}

impl Build {
    /// What the compiler said about the binary `name`, or all cargo said
    /// when the compiler said nothing about it (a broken manifest, say).
    pub fn messages_for(&self, name: &str) -> String {
        match self.diagnostics.get(name) {
            Some(diagnostics) if !diagnostics.trim().is_empty() => {
                // Cargo's closing line for this binary ("could not compile `lesson01` (bin "lesson01")…").
                let closing = self.messages.lines().filter(|line| {
                    let plain = strip_ansi(line);
                    plain.contains("could not compile") && plain.contains(&format!("(bin \"{name}\")"))
                });
                let closing: Vec<&str> = closing.collect();
                format!("{}{}", diagnostics, closing.join("\n")).trim_end().to_string()
            }
            _ => self.messages.clone(),
        }
    }
}

/// Cargo's stderr without its progress lines: what is left is the compiler's.
fn clean_messages(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|line| {
            let plain = strip_ansi(line);
            let plain = plain.trim_start();
            !(plain.starts_with("Compiling ")
                || plain.starts_with("Finished ")
                || plain.starts_with("Blocking ")
                || plain.starts_with("Building ")
                || plain.starts_with("Locking ")
                || plain.starts_with("Updating ")
                || plain.starts_with("Downloaded ")
                || plain.starts_with("Downloading "))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn strip_ansi(line: &str) -> String {
    anstream::adapter::strip_str(line).to_string()
}
