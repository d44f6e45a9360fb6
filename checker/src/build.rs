//! Building lesson crates with the same cargo that runs the checker.
//!
//! One `cargo build` call builds every package asked for (`--keep-going`, so
//! one broken lesson does not hide the others). Cargo's JSON messages on
//! stdout say where each executable is, and carry the compiler's
//! diagnostics, rendered as a person reads them, for each package. [`Settings`] choose colour,
//! the target folder (`grade` shares one between submissions) and a time
//! limit, past which cargo and every compiler it started are killed.

use crate::harness::Program;
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

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
}

impl Settings<'_> {
    /// The workspace's own target folder and [`BUILD_LIMIT`].
    pub fn new(color: bool) -> Settings<'static> {
        Settings { color, target_dir: None, limit: BUILD_LIMIT }
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
}

/// Builds `packages` (each has one binary named like the package) in the
/// workspace at `root`.
pub fn build(root: &Path, packages: &[String], settings: &Settings) -> Result<Build> {
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
    let mut cargo =
        Program::spawn("cargo", &argv, false).context("Failed to run cargo: is the Rust toolchain installed?")?;
    if cargo.wait_exit(settings.limit).is_none() {
        // Dropping `cargo` kills its process group: cargo and its compilers.
        return Ok(Build {
            executables: BTreeMap::new(),
            messages: format!("cargo build did not finish within {} s and was stopped", settings.limit.as_secs()),
            diagnostics: BTreeMap::new(),
            timed_out: true,
        });
    }
    let (stdout, _) = cargo.stdout().snapshot();
    let (stderr, _) = cargo.stderr().snapshot();
    let mut executables = BTreeMap::new();
    let mut diagnostics: BTreeMap<String, String> = BTreeMap::new();
    for line in stdout.split(|&b| b == b'\n') {
        let Ok(message) = serde_json::from_slice::<serde_json::Value>(line) else { continue };
        let Some(name) = message["target"]["name"].as_str() else { continue };
        if message["reason"] == "compiler-message" {
            if let Some(rendered) = message["message"]["rendered"].as_str() {
                diagnostics.entry(name.to_string()).or_default().push_str(rendered);
            }
        } else if let Some(exe) = message["executable"].as_str().filter(|_| message["reason"] == "compiler-artifact") {
            executables.insert(name.to_string(), PathBuf::from(exe));
        }
    }
    let messages = clean_messages(&String::from_utf8_lossy(&stderr));
    Ok(Build { executables, messages, diagnostics, timed_out: false })
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
    let mut out = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
