//! Lesson 10, an event loop: the solution passes, the skeleton fails, each
//! broken program is rejected by exactly the checks made for its mistake,
//! and correct variants pass.

use crate::common::*;

pub(crate) const PROMPT: &str = "the server asks each new connection `name?`";
pub(crate) const BAD_NAME: &str =
    "a bad name gets `error: bad name` and the connection closed; a good one of 16 characters joins";
pub(crate) const TAKEN: &str = "a name in use gets `error: name taken`, and is free again once its user leaves";
pub(crate) const PRESENT: &str =
    "a new user gets `* present:` with the others in join order, and each of them gets `* NAME joined`";
pub(crate) const LEFT: &str =
    "a user who closes is announced `* NAME left`; a connection that never named itself leaves silently";
pub(crate) const RELAY: &str =
    "a line goes to every other user as `[NAME] LINE`, in the order read, never back to the sender";
pub(crate) const CR_EMPTY: &str = "a `\\r\\n` line end is removed whole, and an empty line is not relayed";
pub(crate) const SPLIT: &str = "a line that arrives in two pieces is relayed once, whole";
pub(crate) const TWO_LINES: &str = "two lines that arrive in one piece are relayed as two lines, in order";
pub(crate) const LONG_LINE: &str =
    "a line of 1,000 bytes is relayed; a longer one disconnects its user, and the others see `left`";
pub(crate) const RESET: &str =
    "a user whose connection is reset leaves cleanly: the others get `* NAME left` and the room goes on";
pub(crate) const CROWD: &str =
    "200 clients connecting at once all join, and the lines of 20 talking at once reach all the others";
pub(crate) const ONE_THREAD: &str = "the server serves 200 clients on one thread";
pub(crate) const STALLED: &str = "a client that never reads holds up no one, and is disconnected with `* NAME left`";
pub(crate) const BUSY: &str = "with 50 idle clients the server uses almost no CPU (no busy loop)";
pub(crate) const CLIENT_SENDS: &str = "the client sends its name, then each line of stdin";
pub(crate) const CLIENT_PRINTS: &str =
    "the client prints each line from the server as it arrives, while stdin is still open";
pub(crate) const CLIENT_EOF: &str = "at the end of stdin the client closes its side and exits 0";
pub(crate) const CLIENT_REFUSED: &str = "the client reports a refused connection without panicking";

/// Every server check: the broken clients and the client variant are only
/// clients, and their server role never listens.
const SERVER: &[&str] = &[
    PROMPT, BAD_NAME, TAKEN, PRESENT, LEFT, RELAY, CR_EMPTY, SPLIT, TWO_LINES, LONG_LINE, RESET, CROWD, ONE_THREAD,
    STALLED, BUSY,
];

#[test]
fn solution_passes_every_check() {
    assert_solution_passes("lesson10");
}

#[test]
fn skeleton_fails_and_says_where_to_start() {
    assert_skeleton_fails("lesson10");
}

/// (fixture, every check it may fail)
const BROKEN: &[(&str, &[&str])] = &[
    ("l10-wrong-prompt", &[PROMPT]),
    ("l10-any-name", &[BAD_NAME]),
    ("l10-duplicate-names", &[TAKEN]),
    ("l10-newest-first", &[PRESENT]),
    ("l10-close-silent", &[LEFT]),
    ("l10-reset-silent", &[RESET]),
    ("l10-echo", &[RELAY]),
    ("l10-raw-lines", &[CR_EMPTY]),
    // One read taken as one line: a line in pieces, lines together, half a
    // name taken for a name, and the stalled check's bulk lines all go wrong.
    ("l10-read-is-line", &[LEFT, SPLIT, TWO_LINES, STALLED]),
    ("l10-no-line-cap", &[LONG_LINE]),
    ("l10-accept-one", &[CROWD]),
    ("l10-thread-per-client", &[ONE_THREAD]),
    // Writes that block (as on a blocking socket): the write to the client
    // that never reads waits, and the whole room with it.
    ("l10-blocking", &[STALLED]),
    // What a write did not take is lost, and nobody is ever disconnected.
    ("l10-ignore-partial-write", &[STALLED]),
    ("l10-busy-loop", &[BUSY]),
];

/// (broken client, the client check it fails): each fails the server
/// checks too, its server never listening.
const BROKEN_CLIENTS: &[(&str, &str)] = &[
    ("l10-client-no-name", CLIENT_SENDS),
    ("l10-client-buffered", CLIENT_PRINTS),
    ("l10-client-waits-for-server", CLIENT_EOF),
    ("l10-client-unwraps", CLIENT_REFUSED),
];

#[test]
fn each_check_rejects_exactly_the_programs_broken_for_it() {
    let clients: Vec<(&str, Vec<&str>)> =
        BROKEN_CLIENTS.iter().map(|&(name, check)| (name, [SERVER, &[check]].concat())).collect();
    let mut table: Vec<(&str, &[&str])> = BROKEN.to_vec();
    table.extend(clients.iter().map(|(name, checks)| (*name, checks.as_slice())));
    assert_each_check_rejects_exactly("lesson10", &table);
}

#[test]
fn legitimate_variants_pass() {
    assert_variants_pass(
        "lesson10",
        &[
            // Every message written in two pieces, 3 bytes then the rest
            // (TCP_NODELAY, so they leave apart), and reads of 64 bytes
            // until `WouldBlock`: edge-triggered readiness done right.
            ("l10-pieces", &[]),
            // A client that reads the prompt before it sends its name.
            ("l10-client-waits-for-prompt", SERVER),
        ],
    );
}

#[cfg(unix)]
#[test]
fn the_python_example_passes() {
    let Some(example) = python_example("lesson10.py") else { return };
    let run = passing_run("lesson10", &example);
    assert_eq!(run.code, 0, "failed: {:?}\n{}", run.failed(), run.stdout);
}
