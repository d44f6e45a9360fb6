//! Holds the registry of lessons ([`LESSONS`]) against the tree; run by
//! `cargo test --workspace`.
//!
//! A lesson is one registry line and a set of files, each in its own place.
//! For every registered lesson, each of these must exist; and nothing that
//! looks like a lesson's file may exist without its registry line:
//!
//! | what | where |
//! |---|---|
//! | the learner's crate | `exercises/lessonNN-slug/Cargo.toml` |
//! | the solution's crate | `solutions/lessonNN-slug/Cargo.toml` |
//! | the broken and variant programs | `checker/fixtures/src/lessonNN.rs`, listed in the fixture binary's `PROGRAMS` |
//! | the tests | `checker/tests/lessonNN.rs`, a `mod lessonNN;` of `checker/tests/main.rs` |
//! | the course page | `docs/src/lessonNN-slug.md`, a line of `docs/src/SUMMARY.md` |
//! | the README's row | a link to `docs/src/lessonNN-slug.md` in `README.md` |
//!
//! The checks take a folder and a list of lessons, so that the test can
//! also show them failing on a lesson added by half, in a scratch tree.

use crate::lessons::LESSONS;
use std::path::Path;

/// A registered lesson, as far as its files go: `lesson01`, `lesson01-basic-tcp`.
struct Entry {
    id: String,
    folder: String,
}

/// What is missing or extra in the tree at `root` for the lessons `entries`,
/// one line each, saying what to add or remove.
fn problems(root: &Path, entries: &[Entry]) -> Vec<String> {
    let mut problems = Vec::new();
    let read = |path: &str| std::fs::read_to_string(root.join(path)).unwrap_or_default();
    let (fixtures_main, tests_main) = (read("checker/fixtures/src/main.rs"), read("checker/tests/main.rs"));
    let (summary, readme) = (read("docs/src/SUMMARY.md"), read("README.md"));
    for Entry { id, folder } in entries {
        let mut need = |path: String, what: &str| {
            if !root.join(&path).is_file() {
                problems.push(format!("{id} is registered, but {path} is missing: {what}"));
            }
        };
        need(format!("exercises/{folder}/Cargo.toml"), "the learner's crate");
        need(format!("solutions/{folder}/Cargo.toml"), "the solution's crate");
        need(format!("checker/fixtures/src/{id}.rs"), "its broken and variant programs");
        need(format!("checker/tests/{id}.rs"), "its tests");
        need(format!("docs/src/{folder}.md"), "its course page");
        let mut need_line = |text: &str, line: &str, file: &str| {
            if !text.contains(line) {
                problems.push(format!("{id} is registered, but {file} lacks `{line}`"));
            }
        };
        need_line(&fixtures_main, &format!("    {id}::run,"), "checker/fixtures/src/main.rs (PROGRAMS)");
        need_line(&tests_main, &format!("mod {id};"), "checker/tests/main.rs");
        need_line(&summary, &format!("({folder}.md)"), "docs/src/SUMMARY.md");
        need_line(&readme, &format!("(docs/src/{folder}.md)"), "README.md (the table of lessons)");
    }
    // The other way round: every lesson's file belongs to a registered lesson.
    let registered = |name: &str| entries.iter().any(|e| name == e.folder || name == e.id);
    let lesson_like = |name: &str| name.starts_with("lesson") && name[6..].starts_with(|c: char| c.is_ascii_digit());
    for dir in ["exercises", "solutions", "checker/fixtures/src", "checker/tests", "docs/src"] {
        for entry in std::fs::read_dir(root.join(dir)).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".rs").or_else(|| name.strip_suffix(".md")).unwrap_or(&name);
            if lesson_like(stem) && !registered(stem) {
                problems.push(format!(
                    "{dir}/{name} belongs to no registered lesson: add the lesson to LESSONS in \
                     checker/src/lessons/mod.rs, or remove the file"
                ));
            }
        }
    }
    problems
}

fn registry() -> Vec<Entry> {
    LESSONS.iter().map(|lesson| Entry { id: lesson.id(), folder: lesson.folder() }).collect()
}

#[test]
fn every_registered_lesson_has_all_its_parts_and_nothing_is_left_over() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("checker/ is inside the course");
    let problems = problems(root, &registry());
    assert!(problems.is_empty(), "The lessons and the tree disagree:\n{}", problems.join("\n"));
}

#[test]
fn a_lesson_added_by_half_is_caught_both_ways() {
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let root = scratch.path();
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("a folder");
        std::fs::write(path, text).expect("a file");
    };
    // Lesson 1 complete; lesson 2 registered with only its crates and page;
    // lesson 3's crate present but not registered.
    let whole = Entry { id: "lesson01".into(), folder: "lesson01-basic-tcp".into() };
    let half = Entry { id: "lesson02".into(), folder: "lesson02-looping-server".into() };
    for file in [
        "exercises/lesson01-basic-tcp/Cargo.toml",
        "solutions/lesson01-basic-tcp/Cargo.toml",
        "checker/fixtures/src/lesson01.rs",
        "checker/tests/lesson01.rs",
        "docs/src/lesson01-basic-tcp.md",
        "exercises/lesson02-looping-server/Cargo.toml",
        "solutions/lesson02-looping-server/Cargo.toml",
        "docs/src/lesson02-looping-server.md",
        "exercises/lesson03-threaded-server/Cargo.toml",
    ] {
        write(file, "");
    }
    write("checker/fixtures/src/main.rs", "const PROGRAMS = &[\n    lesson01::run,\n];\n");
    write("checker/tests/main.rs", "mod lesson01;\n");
    write("docs/src/SUMMARY.md", "- [Lesson 1](lesson01-basic-tcp.md)\n- [Lesson 2](lesson02-looping-server.md)\n");
    write("README.md", "| 1 | [basic TCP](docs/src/lesson01-basic-tcp.md) |\n");

    let found = problems(root, &[whole, half]);
    for expected in [
        "lesson02 is registered, but checker/fixtures/src/lesson02.rs is missing",
        "lesson02 is registered, but checker/tests/lesson02.rs is missing",
        "lesson02 is registered, but checker/tests/main.rs lacks `mod lesson02;`",
        "lesson02 is registered, but checker/fixtures/src/main.rs (PROGRAMS) lacks `    lesson02::run,`",
        "lesson02 is registered, but README.md (the table of lessons) lacks",
        "exercises/lesson03-threaded-server belongs to no registered lesson",
    ] {
        assert!(found.iter().any(|p| p.starts_with(expected)), "`{expected}` is reported:\n{}", found.join("\n"));
    }
    assert!(!found.iter().any(|p| p.starts_with("lesson01")), "lesson 1 is whole:\n{}", found.join("\n"));
    assert!(!found.iter().any(|p| p.contains("SUMMARY")), "lesson 2 is in SUMMARY:\n{}", found.join("\n"));
}
