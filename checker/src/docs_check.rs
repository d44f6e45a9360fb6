//! Keeps the course book (`docs/`) and the checker in step; run by
//! `cargo test --workspace`.
//!
//! # What it checks
//! - every lesson in [`LESSONS`] has a chapter `docs/src/<folder>.md`, listed
//!   in `docs/src/SUMMARY.md`;
//! - every check's name appears, word for word, in its lesson's chapter (the
//!   learner reads the name in the report and looks it up in the page);
//! - every relative link and image in `docs/src/**/*.md` and `README.md`
//!   points at a file or folder that exists;
//! - every command line in the docs that starts with `cargo run -p checker --`
//!   parses with the checker's own command-line definition ([`crate::cli::Cli`]),
//!   and names a lesson that [`lessons::find`] knows.
//!
//! One exception: the chapter of a lesson that has a page but no checks in
//! [`LESSONS`] yet may show its own `lessonN` command. Any other page naming
//! that lesson fails.
//!
//! Each test collects every problem before failing, and says in which file,
//! on which line, and what to change.

use crate::lessons::{self, LESSONS};
use clap::Parser;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The prefix of the command lines the last test checks.
const CHECKER: &str = "cargo run -p checker --";

/// The workspace: the folder with README.md and docs/.
fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

fn src() -> PathBuf {
    root().join("docs").join("src")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|err| panic!("cannot read {}: {err}", shown(path)))
}

/// `path` as the learner sees it: relative to the workspace, with `..`
/// resolved (the file need not exist).
fn shown(path: &Path) -> String {
    use std::path::Component;
    let mut clean = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other),
        }
    }
    clean.strip_prefix(root()).unwrap_or(&clean).display().to_string()
}

/// Files under `dir` (recursively) whose name ends with one of `extensions`, sorted.
fn files_under(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|err| panic!("cannot list {}: {err}", shown(&dir)));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| extensions.iter().any(|e| ext == *e)) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The Markdown the learner reads: every page of the book, and the README.
fn markdown_files() -> Vec<PathBuf> {
    let mut files = files_under(&src(), &["md"]);
    files.push(root().join("README.md"));
    files
}

/// Fails with every problem found, one per line, under `title`.
#[track_caller]
fn assert_none(title: &str, problems: &[String]) {
    if !problems.is_empty() {
        let mut message = format!("{title} ({} problem(s)):\n", problems.len());
        for problem in problems {
            let _ = writeln!(message, "  - {problem}");
        }
        panic!("{message}");
    }
}

/// Lines of Markdown outside fenced code blocks, with their 1-based numbers,
/// and with inline code spans blanked out (a link inside backticks is text).
fn prose_lines(text: &str) -> Vec<(usize, String)> {
    let mut lines = Vec::new();
    let mut fence: Option<&str> = None;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (fence, marker) {
            (None, Some(m)) => fence = Some(m),
            (Some(open), Some(m)) if open == m => fence = None,
            (None, None) => lines.push((index + 1, without_code_spans(line))),
            _ => {}
        }
    }
    lines
}

/// `line` with every `` `code` `` span replaced by spaces.
fn without_code_spans(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut in_code = false;
    for c in line.chars() {
        if c == '`' {
            in_code = !in_code;
            out.push(' ');
        } else {
            out.push(if in_code { ' ' } else { c });
        }
    }
    out
}

/// The targets of the links and images on one line of prose: `[text](target)`,
/// `![alt](target)`, `[label]: target`, and `src="…"` / `href="…"` in HTML.
fn link_targets(line: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("](") {
        let after = &rest[at + 2..];
        let target = match after.strip_prefix('<') {
            Some(inner) => inner.split('>').next().unwrap_or(""),
            None => after.split([')', ' ', '\t']).next().unwrap_or(""),
        };
        targets.push(target.to_string());
        rest = after;
    }
    let trimmed = line.trim_start();
    if let Some(label_end) = trimmed.strip_prefix('[').and_then(|t| t.find("]:")) {
        if let Some(target) = trimmed[label_end + 3..].split_whitespace().next() {
            targets.push(target.to_string());
        }
    }
    for attribute in ["src=\"", "href=\""] {
        let mut rest = line;
        while let Some(at) = rest.find(attribute) {
            let after = &rest[at + attribute.len()..];
            targets.push(after.split('"').next().unwrap_or("").to_string());
            rest = after;
        }
    }
    targets
}

/// The file a relative link points at, or `None` for a link the test leaves
/// alone (a web address, mail, or an anchor in the same page).
fn local_target(from: &Path, target: &str) -> Option<PathBuf> {
    let lower = target.to_ascii_lowercase();
    if ["http://", "https://", "mailto:"].iter().any(|scheme| lower.starts_with(scheme)) {
        return None;
    }
    let path = target.split(['#', '?']).next().unwrap_or("");
    if path.is_empty() {
        return None;
    }
    let dir = from.parent().unwrap_or(Path::new("."));
    Some(dir.join(path.replace("%20", " ")))
}

/// Every `cargo run -p checker -- …` on a line, as the text after `--`: up to
/// the closing backtick when the command is in a code span, else up to a
/// shell comment (` # …`), two spaces in a row (an aligned comment, or the
/// checker's own `Next: … lesson2  (looping server)`) or the end of the line.
fn checker_commands(line: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find(CHECKER) {
        let in_code_span = rest[..at].matches('`').count() % 2 == 1;
        let after = &rest[at + CHECKER.len()..];
        let end = if in_code_span {
            after.find('`').unwrap_or(after.len())
        } else {
            [" #", "  "].iter().filter_map(|stop| after.find(stop)).min().unwrap_or(after.len())
        };
        commands.push(after[..end].trim().to_string());
        rest = &after[end..];
    }
    commands
}

/// What is wrong with the arguments of one `cargo run -p checker -- ARGS`
/// found in `file`, if anything. Placeholders in brackets (`[LESSON]`) stand
/// for optional arguments and are left out; other placeholders (`SUBMISSIONS`,
/// `FILE`) are taken as the values they stand for.
fn command_problem(file: &Path, args: &str) -> Option<String> {
    let Some(words) = shlex::split(args) else {
        return Some("its quotes do not close".to_string());
    };
    let words: Vec<String> = words.into_iter().filter(|word| !(word.starts_with('[') && word.ends_with(']'))).collect();
    let cli = match crate::cli::Cli::try_parse_from(std::iter::once("checker".to_string()).chain(words)) {
        Ok(cli) => cli,
        Err(err)
            if matches!(err.kind(), clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion) =>
        {
            return None
        }
        Err(err) => {
            let first_line = err.to_string().lines().next().unwrap_or("").trim_start_matches("error: ").to_string();
            return Some(format!("the checker would refuse it: {first_line}"));
        }
    };
    let name = cli.lesson.filter(|name| name != "list")?;
    if lessons::find(&name).is_some() {
        return None;
    }
    // A lesson with a page but no checks yet may show its own command on its
    // own page, and nowhere else.
    let number = name.to_ascii_lowercase().trim_start_matches("lesson").parse::<u8>().ok();
    let own_page = number.is_some_and(|number| {
        let file_name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
        file_name.starts_with(&format!("lesson{number:02}-"))
    });
    if own_page {
        return None;
    }
    let known: Vec<String> = LESSONS.iter().map(|l| format!("lesson{}", l.number)).collect();
    Some(format!("there is no lesson `{name}` in the checker (it has {})", known.join(", ")))
}

#[test]
fn every_lesson_has_a_chapter_listed_in_the_summary() {
    let summary_path = src().join("SUMMARY.md");
    let summary = read(&summary_path);
    let listed: Vec<String> = prose_lines(&summary).iter().flat_map(|(_, line)| link_targets(line)).collect();
    let mut problems = Vec::new();
    for lesson in LESSONS {
        let chapter = format!("{}.md", lesson.folder());
        if !src().join(&chapter).is_file() {
            problems.push(format!("lesson {} has no chapter: write docs/src/{chapter}", lesson.number));
        }
        if !listed.iter().any(|target| target.trim_start_matches("./") == chapter) {
            problems.push(format!(
                "lesson {} is not in the book's table of contents: add `- [Lesson {}: {}]({chapter})` to docs/src/SUMMARY.md",
                lesson.number, lesson.number, lesson.title
            ));
        }
    }
    assert_none("Lessons without a chapter in the book", &problems);
}

#[test]
fn every_check_is_named_word_for_word_in_its_chapter() {
    let mut problems = Vec::new();
    for lesson in LESSONS {
        let path = src().join(format!("{}.md", lesson.folder()));
        let Ok(chapter) = std::fs::read_to_string(&path) else {
            continue; // reported by the test above
        };
        for check in lesson.checks {
            if !chapter.contains(check.name) {
                problems.push(format!(
                    "{} does not contain the name of lesson {}'s check \"{}\" word for word: add it to the page's table of checks",
                    shown(&path),
                    lesson.number,
                    check.name
                ));
            }
        }
    }
    assert_none("Checks the course pages do not name", &problems);
}

/// The book is built with mdBook alone, which shows a diagram language's
/// code block (`mermaid`, `dot`, ...) as raw text: diagrams are SVG files
/// under `docs/src/images/`, linked as images.
#[test]
fn no_diagram_is_left_as_a_code_block_the_book_would_show_as_text() {
    const DIAGRAM_LANGUAGES: &[&str] = &["mermaid", "dot", "graphviz", "plantuml", "ditaa", "svgbob"];
    let mut problems = Vec::new();
    for file in markdown_files() {
        for (index, line) in read(&file).lines().enumerate() {
            let Some(info) = line.trim_start().strip_prefix("```") else { continue };
            let language = info.split([',', ' ']).next().unwrap_or_default().trim();
            if DIAGRAM_LANGUAGES.contains(&language) {
                problems.push(format!(
                    "{}:{}: a `{language}` block renders as plain text in the book: draw it as an SVG under \
                     docs/src/images/ and link it as an image",
                    shown(&file),
                    index + 1
                ));
            }
        }
    }
    assert_none("Diagrams the book cannot draw", &problems);
}

#[test]
fn every_relative_link_and_image_resolves() {
    let mut problems = Vec::new();
    for file in markdown_files() {
        for (number, line) in prose_lines(&read(&file)) {
            for target in link_targets(&line) {
                if target.starts_with('/') {
                    problems.push(format!(
                        "{}:{number}: `{target}` is an absolute path; link relative to the page instead",
                        shown(&file)
                    ));
                    continue;
                }
                if let Some(path) = local_target(&file, &target) {
                    if !path.exists() {
                        problems.push(format!(
                            "{}:{number}: the link `{target}` points at {}, which does not exist",
                            shown(&file),
                            shown(&path)
                        ));
                    }
                }
            }
        }
    }
    assert_none("Broken links in the docs", &problems);
}

#[test]
fn every_checker_command_in_the_docs_is_one_the_checker_accepts() {
    let mut files = files_under(&src(), &["md", "py"]);
    files.push(root().join("README.md"));
    let mut problems = Vec::new();
    let mut seen = 0;
    for file in files {
        for (index, line) in read(&file).lines().enumerate() {
            for args in checker_commands(line) {
                seen += 1;
                if let Some(problem) = command_problem(&file, &args) {
                    problems.push(format!("{}:{}: `{CHECKER} {args}`: {problem}", shown(&file), index + 1));
                }
            }
        }
    }
    assert!(seen > 0, "found no `{CHECKER}` command in the docs: is the search looking in the right place?");
    assert_none("Checker commands in the docs that the checker would refuse", &problems);
}

// The helpers above must see what they are meant to: if they found nothing,
// the four tests would pass on any docs.

#[test]
fn finds_links_and_images_outside_code_only() {
    let text = "See [a](a.md#part) and ![b](images/b.svg \"t\").\n`[not](x.md)`\n```\n[nor](y.md)\n```\n[ref]: c.md\n";
    let targets: Vec<String> = prose_lines(text).iter().flat_map(|(_, line)| link_targets(line)).collect();
    assert_eq!(targets, ["a.md#part", "images/b.svg", "c.md"]);
    let page = Path::new("/book/src/page.md");
    assert_eq!(local_target(page, "a.md#part"), Some(PathBuf::from("/book/src/a.md")));
    assert_eq!(local_target(page, "#part"), None);
    assert_eq!(local_target(page, "https://example.com/x.md"), None);
}

#[test]
fn finds_commands_in_code_spans_and_blocks() {
    assert_eq!(checker_commands("run `cargo run -p checker -- lesson1 --solution` to see it"), ["lesson1 --solution"]);
    assert_eq!(checker_commands("cargo run -p checker -- lesson1      # start"), ["lesson1"]);
    assert_eq!(checker_commands("Next: cargo run -p checker -- lesson2  (looping server)"), ["lesson2"]);
    assert_eq!(checker_commands("no command here"), Vec::<String>::new());
}

#[test]
fn refuses_unknown_lessons_flags_and_values() {
    let page = Path::new("docs/src/checker.md");
    for good in [
        "lesson1",
        "lesson1 --solution",
        "lesson1 --cmd \"python3 x.py\"",
        "list",
        "[LESSON] [OPTIONS]",
        "grade SUBMISSIONS --lessons 1-3 --out grades/",
        "lesson3 --format junit --output junit.xml",
    ] {
        assert_eq!(command_problem(page, good), None, "{good}");
    }
    for bad in ["lesson99", "lesson1 --solutions", "lesson1 --format yaml", "grade", "lesson1 --cmd \"python3"] {
        assert!(command_problem(page, bad).is_some(), "{bad} should be refused");
    }
    assert_eq!(command_problem(Path::new("docs/src/lesson99-future.md"), "lesson99"), None);
}
