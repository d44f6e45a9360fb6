//! The learner's commands beside checking: `hint`, `diff` and `reset`.

use crate::lessons::Lesson;
use crate::report::{LessonReport, LessonStatus};
use anyhow::{bail, Context, Result};
use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The hints of the checks that fail now, in the lesson's order, which goes
/// from the first concept to the details. Hints name concepts, never code
/// to copy. `neutral` (a program checked with `--cmd`): in the words of
/// sockets every language shares, not Rust's.
pub fn hints(lesson: &Lesson, report: &LessonReport, neutral: bool) -> String {
    let command = crate::report::human::COMMAND;
    let words = |hint: &str| if neutral { crate::run::socket_words(hint) } else { hint.to_string() };
    let mut out = String::new();
    let _ = writeln!(out, "Lesson {} · {} · hints\n", lesson.number, lesson.title);
    if report.status != LessonStatus::Checked {
        let _ = writeln!(out, "The checks could not run: {}.", report.status.describe());
        if let Some(error) = &report.error {
            let _ = writeln!(out, "\n{}", crate::harness::text::printable_keep_colour(error.trim_end()));
        }
        let _ = writeln!(out, "\nFirst make it build and start; the compiler's first error is the place to begin.");
        return out;
    }
    if report.passed() && neutral {
        let _ = writeln!(out, "Every check passes: no hints needed.");
        return out;
    }
    if report.passed() {
        let _ = writeln!(
            out,
            "Every check passes: no hints needed. Compare your code with the model: {command} diff lesson{}",
            lesson.number
        );
        return out;
    }
    if let Some(start) = &report.start_here {
        let _ = writeln!(out, "Start here: {}\n", crate::harness::text::printable(start));
    }
    let failing: Vec<_> = lesson.checks.iter().zip(&report.checks).filter(|(_, r)| !r.passed).collect();
    for (i, (check, result)) in failing.iter().enumerate() {
        let _ = writeln!(out, "{}. {}", i + 1, check.name);
        let _ = writeln!(out, "   {}", words(check.hint));
        // A hint for the particular way this check failed, when it says more.
        if let Some(failure) = &result.failure {
            if failure.hint != words(check.hint) && failure.todo.is_none() {
                let _ = writeln!(out, "   In this run: {}", crate::harness::text::printable(&failure.hint));
            }
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{} of {} checks fail. The course page explains each: docs/src/{}.md",
        failing.len(),
        lesson.checks.len(),
        lesson.folder()
    );
    out
}

/// The learner's work beside the solution's, as a unified diff, coloured
/// when `color`. By default only the functions the learner was asked to
/// write (those holding a `todo!()` in the lesson's starting code, from git),
/// with comments and blank lines left out, so that a reworded comment is no
/// difference. `all` (or a course without its starting code in git) shows
/// the whole files instead, comments included.
pub fn diff(root: &Path, lesson: &Lesson, color: bool, all: bool) -> Result<String> {
    let mine = PathBuf::from(lesson.exercise_dir());
    let model = PathBuf::from(lesson.solution_dir());
    let skeleton = if all { None } else { skeleton_sources(root, lesson) };
    let mut out = String::new();
    if !all && skeleton.is_none() {
        let _ = writeln!(
            out,
            "(The lesson's starting code is not in this folder's git history, so the functions you wrote cannot be \
             told apart: the whole files follow.)\n"
        );
    }
    let text = match &skeleton {
        Some(skeleton) => functions_diff(root, &mine, &model, skeleton),
        None => files_diff(root, &mine, &model)?,
    };
    for line in text.lines() {
        let style = match line.as_bytes().first() {
            _ if !color => anstyle::Style::new(),
            Some(b'+') => anstyle::AnsiColor::Green.on_default(),
            Some(b'-') => anstyle::AnsiColor::Red.on_default(),
            Some(b'@') => anstyle::AnsiColor::Cyan.on_default(),
            _ => anstyle::Style::new(),
        };
        let _ = writeln!(out, "{style}{line}{style:#}");
    }
    if text.is_empty() {
        match skeleton {
            Some(_) => {
                let _ = writeln!(
                    out,
                    "Your functions and the solution's hold the same code, comments aside. `--all` compares the \
                     whole files."
                );
            }
            None => {
                let _ = writeln!(out, "{} and {} hold the same code.", mine.display(), model.display());
            }
        }
    }
    Ok(out)
}

/// Every source file of the two crates, whole, as unified diffs.
fn files_diff(root: &Path, mine: &Path, model: &Path) -> Result<String> {
    // The sources only: the manifests differ in the package's name alone.
    let mut files = source_files(&root.join(mine))?;
    files.extend(source_files(&root.join(model))?);
    files.retain(|f| f.starts_with("src"));
    files.sort();
    files.dedup();
    let mut out = String::new();
    for file in &files {
        let read = |side: &Path| std::fs::read_to_string(root.join(side).join(file)).unwrap_or_default();
        let (old, new) = (read(mine), read(model));
        if old == new {
            continue;
        }
        let diff = similar::TextDiff::from_lines(&old, &new);
        let text = diff
            .unified_diff()
            .context_radius(3)
            .header(&mine.join(file).display().to_string(), &model.join(file).display().to_string())
            .to_string();
        out.push_str(&text);
    }
    Ok(out)
}

/// The functions that hold a `todo!()` in the starting code, each as the
/// learner has it now beside the solution's, comments left out.
fn functions_diff(root: &Path, mine: &Path, model: &Path, skeleton: &[(PathBuf, String)]) -> String {
    let mut out = String::new();
    for (file, start) in skeleton {
        let read = |side: &Path| std::fs::read_to_string(root.join(side).join(file)).unwrap_or_default();
        let (old, new) = (read(mine), read(model));
        for name in rust::functions_with_todo(start) {
            let yours = rust::function(&old, &name).map(|f| rust::without_comments(&f)).unwrap_or_default();
            let theirs = rust::function(&new, &name).map(|f| rust::without_comments(&f)).unwrap_or_default();
            if yours == theirs {
                continue;
            }
            let _ = writeln!(out, "--- {}  fn {name}", mine.join(file).display());
            let _ = writeln!(out, "+++ {}  fn {name}", model.join(file).display());
            if yours.is_empty() {
                let _ = writeln!(out, "@@ your file has no fn {name} @@");
            }
            let diff = similar::TextDiff::from_lines(&yours, &theirs);
            for group in diff.grouped_ops(3) {
                let _ = writeln!(out, "@@ fn {name} @@");
                for op in group {
                    for change in diff.iter_changes(&op) {
                        let sign = match change.tag() {
                            similar::ChangeTag::Delete => '-',
                            similar::ChangeTag::Insert => '+',
                            similar::ChangeTag::Equal => ' ',
                        };
                        let _ = writeln!(out, "{sign}{}", change.value().trim_end_matches('\n'));
                    }
                }
            }
        }
    }
    out
}

/// The lesson's starting code from git (as `reset` restores it): the source
/// files under `src/` that hold a `todo!()`, relative to the crate's folder.
/// `None` when git, or the lesson in its history, is not there.
fn skeleton_sources(root: &Path, lesson: &Lesson) -> Option<Vec<(PathBuf, String)>> {
    let folder = lesson.exercise_dir();
    let commit = skeleton_commit(root).ok()?;
    let listed = git(root, &["ls-tree", "-r", "--name-only", &commit, "--", &format!("{folder}/src")]).ok()?;
    let mut files = Vec::new();
    for path in listed.lines().filter(|l| l.ends_with(".rs")) {
        let text = git(root, &["show", &format!("{commit}:./{path}")]).ok()?;
        let relative = Path::new(path).strip_prefix(&folder).ok()?.to_path_buf();
        if !rust::functions_with_todo(&text).is_empty() {
            files.push((relative, text));
        }
    }
    files.sort();
    (!files.is_empty()).then_some(files)
}

/// The files of a crate that a learner edits: `Cargo.toml` and `src/**`,
/// relative to the crate's folder.
pub(crate) fn source_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if dir.join("Cargo.toml").is_file() {
        files.push(PathBuf::from("Cargo.toml"));
    }
    let mut stack = vec![PathBuf::from("src")];
    while let Some(sub) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(dir.join(&sub)) else { continue };
        for entry in entries {
            let entry = entry.with_context(|| format!("Failed to list {}", dir.join(&sub).display()))?;
            let path = sub.join(entry.file_name());
            if entry.file_type()?.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    Ok(files)
}

/// Restores `exercises/<folder>` as the course shipped it, from git: the
/// newest commit shared with the course's upstream branch (the learner's own
/// commits on top are not "the skeleton"), or HEAD when there is no
/// upstream. The learner's current files are first copied to
/// `.socketlings-backup/<folder>-<time>/` at the course's root, so nothing is
/// lost; not under `target/`, which a `cargo clean` deletes. The course's
/// `.gitignore` keeps the folder out of git.
pub fn reset(root: &Path, lesson: &Lesson, yes: bool) -> Result<String> {
    let folder = lesson.exercise_dir();
    let commit = skeleton_commit(root)?;
    let listed = git(root, &["ls-tree", "-r", "--name-only", &commit, "--", &folder])?;
    let files: Vec<&str> = listed.lines().filter(|l| !l.is_empty()).collect();
    if files.is_empty() {
        bail!("the course's git history has no {folder} at commit {commit}: download a fresh copy of that folder");
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            bail!("reset replaces your files in {folder}: run it again with --yes to confirm");
        }
        eprint!("Reset {folder} to the lesson's starting code? Your files there are saved first. [y/N] ");
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            return Ok(format!("Nothing changed in {folder}.\n"));
        }
    }
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let backup = root.join(BACKUP_DIR).join(format!("{}-{stamp}", lesson.folder()));
    let crate_dir = root.join(&folder);
    for file in source_files(&crate_dir)? {
        let to = backup.join(&file);
        std::fs::create_dir_all(to.parent().unwrap_or(&backup))?;
        std::fs::copy(crate_dir.join(&file), &to)
            .with_context(|| format!("Failed to save {} before the reset", crate_dir.join(&file).display()))?;
    }
    // Files the learner added under src/ would still be compiled if a
    // `mod` named them; the backup holds them, the crate gets exactly the
    // shipped files.
    let _ = std::fs::remove_dir_all(crate_dir.join("src"));
    for file in &files {
        let bytes = git_bytes(root, &["show", &format!("{commit}:./{file}")])?;
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().unwrap_or(root))?;
        std::fs::write(&path, bytes).with_context(|| format!("Failed to write {}", path.display()))?;
    }
    Ok(format!(
        "{folder} is back to the lesson's starting code ({} files, from commit {}).\nYour previous files are in {}\n",
        files.len(),
        &commit[..commit.len().min(12)],
        backup.strip_prefix(root).unwrap_or(&backup).display()
    ))
}

/// Where `reset` saves the learner's files, under the course's root.
pub const BACKUP_DIR: &str = ".socketlings-backup";

/// The commit holding the course's own version of the exercises.
fn skeleton_commit(root: &Path) -> Result<String> {
    git(root, &["rev-parse", "--show-toplevel"]).context(
        "reset takes the lesson's starting code from the course's git history, and this folder is not a git \
         repository: download a fresh copy of the lesson's folder instead",
    )?;
    for upstream in ["@{upstream}", "origin/HEAD"] {
        if let Ok(base) = git(root, &["merge-base", "HEAD", upstream]) {
            return Ok(base.trim().to_string());
        }
    }
    Ok(git(root, &["rev-parse", "HEAD"])?.trim().to_string())
}

fn git(root: &Path, args: &[&str]) -> Result<String> {
    Ok(String::from_utf8_lossy(&git_bytes(root, args)?).into_owned())
}

fn git_bytes(root: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .context("reset needs git, which could not be started")?;
    if !out.status.success() {
        bail!("git {} failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(out.stdout)
}

/// Just enough of Rust's lexical rules to find functions in a source file
/// and to tell code from comments, without parsing it: comments, string and
/// character literals are recognised so that a brace or a `//` inside them
/// counts for nothing.
mod rust {
    /// What a byte of a source file belongs to.
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    enum Class {
        Code,
        Comment,
        Literal,
    }

    /// The class of every byte of `text`.
    fn classify(text: &str) -> Vec<Class> {
        let b = text.as_bytes();
        let mut class = vec![Class::Code; b.len()];
        let mut i = 0;
        let mark = |from: usize, to: usize, c: Class, class: &mut Vec<Class>| {
            for x in &mut class[from..to.min(b.len())] {
                *x = c;
            }
        };
        while i < b.len() {
            let rest = &b[i..];
            if rest.starts_with(b"//") {
                let end = rest.iter().position(|&c| c == b'\n').map_or(b.len(), |n| i + n);
                mark(i, end, Class::Comment, &mut class);
                i = end;
            } else if rest.starts_with(b"/*") {
                // Block comments nest in Rust.
                let (mut depth, mut j) = (0usize, i);
                while j < b.len() {
                    if b[j..].starts_with(b"/*") {
                        depth += 1;
                        j += 2;
                    } else if b[j..].starts_with(b"*/") {
                        depth -= 1;
                        j += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        j += 1;
                    }
                }
                mark(i, j, Class::Comment, &mut class);
                i = j;
            } else if let Some(end) = raw_string_end(b, i) {
                mark(i, end, Class::Literal, &mut class);
                i = end;
            } else if b[i] == b'"' {
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                let end = (j + 1).min(b.len());
                mark(i, end, Class::Literal, &mut class);
                i = end;
            } else if b[i] == b'\'' {
                // A character literal ('x', '\n', '{'), or else a lifetime.
                let end = if rest.get(1) == Some(&b'\\') {
                    // The escaped character may itself be a quote: '\''.
                    rest.iter().skip(3).position(|&c| c == b'\'').map(|n| i + n + 4)
                } else {
                    let width = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                    (b.get(i + 1 + width) == Some(&b'\'')).then_some(i + width + 2)
                };
                match end {
                    Some(end) => {
                        mark(i, end, Class::Literal, &mut class);
                        i = end;
                    }
                    None => i += 1,
                }
            } else {
                i += 1;
            }
        }
        class
    }

    /// Where a raw string (`r"…"`, `r#"…"#`, `br"…"`) starting at `i` ends.
    fn raw_string_end(b: &[u8], i: usize) -> Option<usize> {
        if i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_') {
            return None;
        }
        let start = if b[i..].starts_with(b"br") {
            i + 2
        } else if b[i] == b'r' {
            i + 1
        } else {
            return None;
        };
        let hashes = b[start..].iter().take_while(|&&c| c == b'#').count();
        if b.get(start + hashes) != Some(&b'"') {
            return None;
        }
        let mut close = vec![b'"'];
        close.extend(std::iter::repeat_n(b'#', hashes));
        let body = start + hashes + 1;
        let n = b[body..].windows(close.len()).position(|w| w == close.as_slice())?;
        Some(body + n + close.len())
    }

    /// The functions of `text` as (name, first byte of its line, end of its
    /// body): every `fn name(` or `fn name<` with a body, found in code only.
    fn functions(text: &str) -> Vec<(String, usize, usize)> {
        let b = text.as_bytes();
        let class = classify(text);
        let code = |i: usize| class.get(i) == Some(&Class::Code);
        let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
        let mut found = Vec::new();
        let mut i = 0;
        while let Some(n) = text[i..].find("fn ") {
            let at = i + n;
            i = at + 3;
            if !code(at) || (at > 0 && ident(b[at - 1])) {
                continue;
            }
            let name_start = at + 3 + b[at + 3..].iter().take_while(|c| c.is_ascii_whitespace()).count();
            let name_len = b[name_start..].iter().take_while(|&&c| ident(c)).count();
            let after = name_start + name_len;
            if name_len == 0 || !matches!(b.get(after), Some(b'(' | b'<')) {
                continue;
            }
            // The body: the first `{` outside the parameters' parentheses,
            // unless a `;` comes first (a declaration without one).
            let mut parens = 0i32;
            let mut open = None;
            for (j, &c) in b.iter().enumerate().skip(after) {
                if !code(j) {
                    continue;
                }
                match c {
                    b'(' => parens += 1,
                    b')' => parens -= 1,
                    b';' if parens == 0 => break,
                    b'{' if parens == 0 => {
                        open = Some(j);
                        break;
                    }
                    _ => {}
                }
            }
            let Some(open) = open else { continue };
            let mut depth = 0i32;
            let mut close = None;
            for (j, &c) in b.iter().enumerate().skip(open) {
                if !code(j) {
                    continue;
                }
                match c {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            close = Some(j + 1);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let Some(close) = close else { continue };
            let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
            found.push((text[name_start..after].to_string(), line_start, close));
        }
        found
    }

    /// The names of the functions whose body holds a `todo!(` in code.
    pub fn functions_with_todo(text: &str) -> Vec<String> {
        let class = classify(text);
        let mut names = Vec::new();
        for (name, start, end) in functions(text) {
            let body = &text[start..end];
            let has_todo = body.match_indices("todo!(").any(|(n, _)| class[start + n] == Class::Code);
            if has_todo && !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }

    /// The text of the first function called `name`, from the start of its
    /// `fn` line to its closing brace.
    pub fn function(text: &str, name: &str) -> Option<String> {
        let (_, start, end) = functions(text).into_iter().find(|(n, _, _)| n == name)?;
        Some(text[start..end].to_string())
    }

    /// `text` without its comments and blank lines, each line's trailing
    /// spaces trimmed: two versions that differ only there come out equal.
    pub fn without_comments(text: &str) -> String {
        let class = classify(text);
        let mut out = String::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let kept: String =
                line.char_indices().filter(|&(n, _)| class[offset + n] != Class::Comment).map(|(_, c)| c).collect();
            offset += line.len();
            let kept = kept.trim_end();
            if !kept.trim().is_empty() {
                out.push_str(kept);
                out.push('\n');
            }
        }
        out
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        const SOURCE: &str = r##"
/// A doc comment with fn fake() { todo!() } in it.
pub fn given(addr: &str) -> io::Result<()> {
    let braces = "}}} // not a comment {";
    let c = '{';
    let (quote, brace) = ('\'', '\u{7b}');
    Ok(())
}

fn yours<'a>(line: &'a str) -> Option<&'a str> {
    // TODO: a comment with a } brace.
    let _ = line; /* a block { comment */
    todo!("answer {line:?} with r#\"{\"#")
}

fn also_yours(x: u8) -> u8 {
    if x > 0 {
        todo!()
    }
    0
}
"##;

        #[test]
        fn only_the_functions_holding_a_todo_are_found() {
            assert_eq!(functions_with_todo(SOURCE), ["yours", "also_yours"]);
        }

        #[test]
        fn a_function_ends_at_its_own_closing_brace() {
            let yours = function(SOURCE, "yours").unwrap();
            assert!(yours.starts_with("fn yours<'a>"), "{yours}");
            assert!(yours.ends_with("\")\n}"), "{yours}");
            let given = function(SOURCE, "given").unwrap();
            assert!(given.starts_with("pub fn given") && given.ends_with("Ok(())\n}"), "{given}");
            assert_eq!(function(SOURCE, "fake"), None, "a fn in a comment is no function");
        }

        #[test]
        fn comments_and_blank_lines_are_left_out() {
            let yours = without_comments(&function(SOURCE, "yours").unwrap());
            assert_eq!(yours, "fn yours<'a>(line: &'a str) -> Option<&'a str> {\n    let _ = line;\n    todo!(\"answer {line:?} with r#\\\"{\\\"#\")\n}\n");
            let reworded = "fn f() {\n    // one way to say it\n\n    g(); // why\n}\n";
            let other = "fn f() {\n    // another way\n    g();\n}\n";
            assert_eq!(without_comments(reworded), without_comments(other));
            assert_eq!(without_comments("let url = \"http://x\"; // c\n"), "let url = \"http://x\";\n");
        }
    }
}
