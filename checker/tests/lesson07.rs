//! Lesson 7, file transfer: the solution passes, the skeleton fails, and
//! each broken program is rejected by the check made for its mistake.

use crate::common::*;

#[test]
fn solution_passes_every_check() {
    assert_solution_passes("lesson7");
}

#[test]
fn skeleton_fails_and_says_where_to_start() {
    assert_skeleton_fails("lesson7");
}

const BYTES: &str = "a text file and a binary file holding every byte value arrive byte for byte";
const EMPTY: &str = "an empty file arrives as an empty file";
const LARGE: &str = "a 64 MiB file arrives whole while the server holds less than half of it in memory";
const NAME: &str = "a name with spaces and non-ASCII letters is kept exactly";
const BYTE_BY_BYTE: &str = "a header that arrives one byte per write is read correctly";
const TOGETHER: &str = "a header and the file's bytes sent in one write all arrive";
const FOUR: &str = "four uploads at once all arrive, each answered while the others are unfinished";
const PATHS: &str =
    "a name that is a path (`../x`, an absolute path, `a/b`) gets `ERR` and nothing is written anywhere";
const BAD_NAMES: &str = "`..`, `.`, an empty name and a 300-byte name get `ERR` as soon as the name line arrives";
const BAD_SIZES: &str = "a size that is not a number (`12k`, `+5`, `-1`, an empty line) gets `ERR` at once";
const CUT: &str = "a connection cut halfway leaves nothing in DIR";
const OK_AFTER: &str = "`OK` comes only after the last byte, when the file is complete in DIR";
const REPLACES: &str = "an upload replaces an existing file of the same name";

/// Every server check: a server that never accepts, reads or answers
/// fails each of them, the cut check included ("could not be judged").
const SERVER: &[&str] =
    &[BYTES, EMPTY, LARGE, NAME, BYTE_BY_BYTE, TOGETHER, FOUR, PATHS, BAD_NAMES, BAD_SIZES, CUT, OK_AFTER, REPLACES];

/// (fixture, every check it may fail)
const BROKEN: &[(&str, &[&str])] = &[
    // Every check with a binary body sees it changed.
    ("l7-lossy", &[BYTES, LARGE, FOUR, OK_AFTER]),
    ("l7-lazy-create", &[EMPTY]),
    ("l7-in-memory", &[LARGE]),
    ("l7-sanitize", &[NAME]),
    ("l7-one-read", &[BYTE_BY_BYTE]),
    // Loses the body's first bytes whenever they come with the header, as
    // they do in every upload here (it waits for them): only the empty file
    // and the refusals escape.
    ("l7-body-from-socket", &[BYTES, LARGE, NAME, BYTE_BY_BYTE, TOGETHER, FOUR, CUT, OK_AFTER, REPLACES]),
    ("l7-sequential", &[FOUR]),
    // No check of names at all: the bad names are taken too.
    ("l7-trusts-names", &[PATHS, BAD_NAMES]),
    ("l7-late-check", &[BAD_NAMES]),
    ("l7-lenient-size", &[BAD_SIZES]),
    ("l7-straight-to-final", &[CUT, OK_AFTER]),
    ("l7-final-then-remove", &[OK_AFTER]),
    ("l7-early-ok", &[OK_AFTER]),
    ("l7-no-truncate", &[REPLACES]),
    ("l7-never-accept", SERVER),
    ("l7-never-read", SERVER),
    ("l7-never-answer", SERVER),
    (
        "l7-client-full-path",
        &["the client sends the file's name without its folders, its size, then exactly its bytes"],
    ),
    ("l7-client-silent", &["the client prints the `OK` reply and exits 0"]),
    ("l7-client-always-0", &["the client prints an `ERR` reply and exits with a non-zero status"]),
];

#[test]
fn each_check_rejects_exactly_the_programs_broken_for_it() {
    assert_each_check_rejects_exactly("lesson7", BROKEN);
}

#[test]
fn legitimate_variants_pass() {
    // `OK <size>\n` in three writes: a reply is a line, however it is cut.
    assert_variants_pass("lesson7", &[("l7-reply-in-pieces", &[])]);
}

#[test]
fn a_cut_that_cannot_be_judged_says_so() {
    let run = run_fixture("lesson7", "l7-never-read");
    let failure = run.failure(CUT);
    assert!(failure["meaning"].as_str().unwrap().contains("could not be judged"), "{failure}");
}

#[test]
fn a_file_under_its_final_name_too_early_is_shown() {
    let run = run_fixture("lesson7", "l7-final-then-remove");
    let failure = run.failure(OK_AFTER);
    assert!(failure["got"].as_str().unwrap().contains("late.bin"), "{failure}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_server_that_holds_the_file_in_memory_is_told_its_peak() {
    let run = run_fixture("lesson7", "l7-in-memory");
    let failure = run.failure(LARGE);
    assert!(failure["got"].as_str().unwrap().contains("MiB resident"), "{failure}");
}

#[test]
fn a_server_that_trusts_names_is_shown_the_file_it_wrote_outside_dir() {
    let run = run_fixture("lesson7", "l7-trusts-names");
    let failure = run.failure(PATHS);
    assert!(failure["got"].as_str().unwrap().contains("escaped.txt"), "{failure}");
}
