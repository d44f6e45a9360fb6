//! Lesson 7, file transfer: the solution passes, the skeleton fails, and
//! each broken program is rejected by the check made for its mistake.

mod common;
use common::*;

#[test]
fn solution_passes_every_check() {
    assert_solution_passes("lesson7");
}

#[test]
fn skeleton_fails_and_says_where_to_start() {
    assert_skeleton_fails("lesson7");
}

/// (fixture, the check that must reject it)
const BROKEN: &[(&str, &str)] = &[
    ("l7-lossy", "a text file and a binary file holding every byte value arrive byte for byte"),
    ("l7-lazy-create", "an empty file arrives as an empty file"),
    ("l7-in-memory", "a 64 MiB file arrives whole while the server holds less than half of it in memory"),
    ("l7-sanitize", "a name with spaces and non-ASCII letters is kept exactly"),
    ("l7-one-read", "a header that arrives one byte per write is read correctly"),
    ("l7-one-read", "a header and the file's bytes sent in one write all arrive"),
    ("l7-sequential", "four uploads at once all arrive, each answered while the others are unfinished"),
    (
        "l7-trusts-names",
        "a name that is a path (`../x`, an absolute path, `a/b`) gets `ERR` and nothing is written anywhere",
    ),
    ("l7-late-check", "`..`, `.`, an empty name and a 300-byte name get `ERR` as soon as the name line arrives"),
    ("l7-lenient-size", "a size that is not a number (`12k`, `+5`, `-1`, an empty line) gets `ERR` at once"),
    ("l7-straight-to-final", "a connection cut halfway leaves nothing in DIR"),
    ("l7-early-ok", "`OK` comes only after the last byte, when the file is complete in DIR"),
    ("l7-no-truncate", "an upload replaces an existing file of the same name"),
    ("l7-client-full-path", "the client sends the file's name without its folders, its size, then exactly its bytes"),
    ("l7-client-silent", "the client prints the `OK` reply and exits 0"),
    ("l7-client-always-0", "the client prints an `ERR` reply and exits with a non-zero status"),
];

#[test]
fn each_check_rejects_the_program_broken_for_it() {
    assert_each_check_rejects_its_broken_program("lesson7", BROKEN);
}

#[cfg(target_os = "linux")]
#[test]
fn a_server_that_holds_the_file_in_memory_is_told_its_peak() {
    let run = run_fixture("lesson7", "l7-in-memory");
    let failure = run.failure("a 64 MiB file arrives whole while the server holds less than half of it in memory");
    assert!(failure["got"].as_str().unwrap().contains("MiB resident"), "{failure}");
}

#[test]
fn a_server_that_trusts_names_is_shown_the_file_it_wrote_outside_dir() {
    let run = run_fixture("lesson7", "l7-trusts-names");
    let failure = run
        .failure("a name that is a path (`../x`, an absolute path, `a/b`) gets `ERR` and nothing is written anywhere");
    assert!(failure["got"].as_str().unwrap().contains("escaped.txt"), "{failure}");
}
