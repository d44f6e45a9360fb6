//! Building lesson crates with the same cargo that runs the checker.
//!
//! One `cargo build` call builds every package asked for (`--keep-going`, so
//! one broken lesson does not hide the others). Cargo's JSON messages on
//! stdout say where each executable is; the compiler's diagnostics come
//! rendered, as a person reads them, on stderr.

use crate::harness::Program;
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long one build may take before the checker gives up on it.
const BUILD_LIMIT: Duration = Duration::from_secs(900);

/// The outcome of one build call.
pub struct Build {
    /// Binary name → executable path, for each package that built.
    pub executables: BTreeMap<String, PathBuf>,
    /// What cargo said on stderr (the compiler's errors, when something failed).
    pub messages: String,
}

/// Builds `packages` (each has one binary named like the package) in the
/// workspace at `root`.
pub fn build(root: &Path, packages: &[String], color: bool) -> Result<Build> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut argv = vec![
        cargo,
        "build".to_string(),
        "--message-format=json-render-diagnostics".to_string(),
        format!("--color={}", if color { "always" } else { "never" }),
        "--manifest-path".to_string(),
        root.join("Cargo.toml").display().to_string(),
    ];
    if packages.len() > 1 {
        argv.push("--keep-going".to_string());
    }
    for package in packages {
        argv.push("-p".to_string());
        argv.push(package.clone());
    }
    let mut cargo =
        Program::spawn("cargo", &argv, false).context("Failed to run cargo: is the Rust toolchain installed?")?;
    let Some(_status) = cargo.wait_exit(BUILD_LIMIT) else {
        bail!("cargo build did not finish within {} s", BUILD_LIMIT.as_secs());
    };
    let (stdout, _) = cargo.stdout().snapshot();
    let (stderr, _) = cargo.stderr().snapshot();
    let mut executables = BTreeMap::new();
    for line in stdout.split(|&b| b == b'\n') {
        let Ok(message) = serde_json::from_slice::<serde_json::Value>(line) else { continue };
        if message["reason"] != "compiler-artifact" {
            continue;
        }
        if let (Some(name), Some(exe)) = (message["target"]["name"].as_str(), message["executable"].as_str()) {
            if packages.iter().any(|p| p == name) {
                executables.insert(name.to_string(), PathBuf::from(exe));
            }
        }
    }
    Ok(Build { executables, messages: clean_messages(&String::from_utf8_lossy(&stderr)) })
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
