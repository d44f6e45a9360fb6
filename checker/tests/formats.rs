//! The report's formats for one run: JUnit XML and Gradescope's results.json
//! parse and agree with the JSON report; `--output` writes any format to a
//! file, without colour.

use crate::common::*;
use serde_json::Value;

/// Runs the checker with `args` and returns its exit status and stdout.
fn run(args: &[&str], envs: &[(&str, &str)]) -> (i32, String) {
    let mut cmd = checker();
    cmd.args(args);
    for (key, value) in envs {
        cmd.env(key, value);
    }
    let out = cmd.output().expect("the checker runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A program that exits at once: every check but one fails, fast.
const FAST: (&str, &str) = ("SOCKETLINGS_SLOW", "0.5");

fn attr<T: std::str::FromStr>(node: roxmltree::Node, name: &str) -> T {
    node.attribute(name)
        .unwrap_or_else(|| panic!("<{}> has {name}", node.tag_name().name()))
        .parse()
        .unwrap_or_else(|_| panic!("{name} is a number"))
}

fn property<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Option<&'a str> {
    node.children()
        .find(|n| n.has_tag_name("properties"))?
        .children()
        .find(|p| p.attribute("name") == Some(name))?
        .attribute("value")
}

#[test]
fn junit_has_a_suite_per_lesson_and_a_case_per_check() {
    let json = run_json(&["lesson1", "--solution"], &[]);
    let (code, xml) = run(&["lesson1", "--solution", "--format", "junit"], &[]);
    assert_eq!(code, 0);
    let doc = roxmltree::Document::parse(&xml).expect("JUnit XML parses");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let names = json.passed();
    assert_eq!(attr::<usize>(root, "tests"), names.len());
    assert_eq!(attr::<usize>(root, "failures"), 0);
    let suites: Vec<_> = root.children().filter(|n| n.has_tag_name("testsuite")).collect();
    assert_eq!(suites.len(), 1);
    let suite = suites[0];
    assert_eq!(suite.attribute("name"), Some("lesson01"));
    let max = json.json["lessons"][0]["max_score"].to_string();
    assert_eq!(property(suite, "score"), Some(max.as_str()));
    assert_eq!(property(suite, "max_score"), Some(max.as_str()));
    let cases: Vec<_> = suite.children().filter(|n| n.has_tag_name("testcase")).collect();
    assert_eq!(cases.iter().map(|c| c.attribute("name").unwrap().to_string()).collect::<Vec<_>>(), names);
    for case in &cases {
        assert_eq!(case.attribute("classname"), Some("lesson01"));
        assert!(attr::<f64>(*case, "time") >= 0.0);
        assert_eq!(property(*case, "points"), property(*case, "max_points"));
    }
    assert!(root.attribute("name").unwrap().contains(&format!("{max}/{max} points")));
}

#[test]
fn junit_failures_carry_what_the_report_says() {
    let json = run_fixture("lesson1", "exit-at-once");
    let (code, xml) = run(&["lesson1", "--cmd", &fixture("exit-at-once"), "--format", "junit"], &[FAST]);
    assert_eq!(code, 1);
    let doc = roxmltree::Document::parse(&xml).expect("JUnit XML parses");
    let failed = json.failed();
    assert!(!failed.is_empty());
    assert_eq!(attr::<usize>(doc.root_element(), "failures"), failed.len());
    for case in doc.descendants().filter(|n| n.has_tag_name("testcase")) {
        let name = case.attribute("name").unwrap();
        let failure = case.children().find(|n| n.has_tag_name("failure"));
        assert_eq!(failure.is_some(), failed.iter().any(|f| f == name), "{name}");
        if let Some(failure) = failure {
            let text = failure.text().unwrap_or_default();
            assert!(text.contains("expected") && text.contains("hint"), "the failure's text: {text}");
            assert!(!text.contains('\u{1b}'), "no colour: {text:?}");
            assert_eq!(property(case, "points"), Some("0"));
        }
    }
}

#[test]
fn junit_reports_a_lesson_that_could_not_run_as_errors() {
    let (code, xml) = run(&["lesson1", "--cmd", "/nonexistent/program", "--format", "junit"], &[]);
    assert_eq!(code, 2);
    let doc = roxmltree::Document::parse(&xml).expect("JUnit XML parses");
    let root = doc.root_element();
    assert!(attr::<usize>(root, "tests") > 0);
    assert_eq!(attr::<usize>(root, "errors"), attr::<usize>(root, "tests"));
    let first = doc.descendants().find(|n| n.has_tag_name("error")).unwrap();
    assert!(first.text().unwrap_or_default().contains("could not be started"), "{xml}");
}

#[test]
fn gradescope_results_have_a_test_per_check_with_its_points() {
    let json = run_json(&["lesson1", "--solution"], &[]);
    let (code, text) = run(&["lesson1", "--solution", "--format", "gradescope"], &[]);
    assert_eq!(code, 0);
    let results: Value = serde_json::from_str(&text).expect("results.json is JSON");
    let max = json.json["lessons"][0]["max_score"].as_u64().unwrap();
    assert_eq!(results["score"].as_u64(), Some(max));
    assert!(results["execution_time"].as_f64().is_some(), "{results}");
    assert!(results["output"].as_str().unwrap().contains(&format!("Total: {max}/{max} points")));
    let tests = results["tests"].as_array().unwrap();
    assert_eq!(tests.len(), json.passed().len());
    assert_eq!(tests.iter().map(|t| t["max_score"].as_u64().unwrap()).sum::<u64>(), max);
    for test in tests {
        assert_eq!(test["status"], "passed");
        assert_eq!(test["score"], test["max_score"]);
        assert_eq!(test["visibility"], "visible");
        assert!(test["name"].as_str().unwrap().starts_with("Lesson 1 · "));
    }
}

#[test]
fn gradescope_results_of_a_failing_program_agree_with_the_report() {
    let json = run_fixture("lesson1", "exit-at-once");
    let (code, text) = run(&["lesson1", "--cmd", &fixture("exit-at-once"), "--format", "gradescope"], &[FAST]);
    assert_eq!(code, 1);
    let results: Value = serde_json::from_str(&text).expect("results.json is JSON");
    assert_eq!(results["score"], json.json["score"]);
    let tests = results["tests"].as_array().unwrap();
    let failed: Vec<&Value> = tests.iter().filter(|t| t["status"] == "failed").collect();
    assert_eq!(failed.len(), json.failed().len());
    for test in failed {
        assert_eq!(test["score"], 0);
        assert!(test["output"].as_str().unwrap().contains("hint"), "{test}");
    }
}

#[test]
fn output_writes_any_format_to_a_file_without_colour() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["human", "json", "junit", "gradescope"] {
        let file = dir.path().join(format!("report.{format}"));
        let (code, stdout) = run(
            &["lesson1", "--solution", "--format", format, "--output", file.to_str().unwrap()],
            &[("CLICOLOR_FORCE", "1")],
        );
        assert_eq!(code, 0, "{format}");
        assert!(stdout.is_empty(), "nothing on stdout with --output: {stdout}");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains('\u{1b}'), "{format} has no colour: {text:?}");
        assert!(text.contains("the server accepts a connection"), "{format}: {text}");
    }
    let human = std::fs::read_to_string(dir.path().join("report.human")).unwrap();
    assert!(human.contains("✓ the server accepts a connection  1/1 pt"), "points per check: {human}");
}

/// What the `print-escapes` fixture prints, as every report must show it:
/// escaped, never obeyed by the terminal.
const ESCAPED: &str = r"copy\x1b]52;c;Zm9yZ2Vk\x07title\x1b]0;pwned\x07clear\x1b[2Jover\rwritten \u{9b}31mC1\x7f";

/// The control characters in `text` other than line breaks and tabs, and
/// the escape sequences other than colours (`ESC [ digits ; m`).
fn raw_controls(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let colour = rest.strip_prefix("\u{1b}[").and_then(|p| {
            let n = p.bytes().take_while(|b| b.is_ascii_digit() || *b == b';').count();
            (p.as_bytes().get(n) == Some(&b'm')).then_some(3 + n)
        });
        if let Some(len) = colour {
            rest = &rest[len..];
            continue;
        }
        if c.is_control() && c != '\n' && c != '\t' {
            found.push(format!("{c:?} before {:?}", rest.chars().skip(1).take(12).collect::<String>()));
        }
        rest = &rest[c.len_utf8()..];
    }
    found
}

#[test]
fn a_programs_escape_sequences_are_shown_escaped_in_every_format() {
    let program = fixture("print-escapes");
    // On a terminal (colours forced), and in a pipe.
    for envs in [&[FAST, ("CLICOLOR_FORCE", "1")][..], &[FAST, ("NO_COLOR", "1")][..]] {
        let (code, human) = run(&["lesson1", "--cmd", &program], envs);
        assert_eq!(code, 1, "{human}");
        assert!(human.contains(ESCAPED), "the program's output is shown escaped:\n{human}");
        assert_eq!(raw_controls(&human), Vec::<String>::new(), "only the checker's own colours:\n{human}");
    }
    let (_, junit) = run(&["lesson1", "--cmd", &program, "--format", "junit"], &[FAST]);
    roxmltree::Document::parse(&junit).expect("JUnit XML parses");
    assert!(junit.contains(ESCAPED), "{junit}");
    assert_eq!(raw_controls(&junit), Vec::<String>::new());
    let (_, results) = run(&["lesson1", "--cmd", &program, "--format", "gradescope"], &[FAST]);
    let results: Value = serde_json::from_str(&results).expect("results.json parses");
    let outputs: Vec<&str> = results["tests"].as_array().unwrap().iter().filter_map(|t| t["output"].as_str()).collect();
    assert!(outputs.iter().any(|o| o.contains(ESCAPED)), "{results}");
    assert!(outputs.iter().all(|o| raw_controls(o).is_empty()), "{results}");
}
