//! Lesson 11, async with tokio: the solution passes, the skeleton fails,
//! each broken program is rejected by exactly the checks made for its
//! mistake, and a server built the other way round passes.
//!
//! The crowd check opens 10,000 connections and names 1,000 of them. The
//! solution, the variant, the thread-per-connection fixture and the one
//! capped at 1,024 connections meet it at full size. The other fixture rows, and the Python example, meet 150
//! connections, all named (`SOCKETLINGS_CLIENTS`, read for these tests):
//! what each of those rows is about lies elsewhere, or shows at 150 (a lock
//! held across `.await` blocks for good once a line has more than 128
//! recipients, tokio's budget of operations before a task must yield; a
//! line sent back to its sender).
//!
//! Not covered: no fixture refuses or closes connections while the
//! 10,000 open (`l11-capped` only leaves them waiting), nor leaves some of
//! the 999 without the line; the crowd made
//! smaller by a low descriptor limit is tested only in its arithmetic (a
//! unit test of `fit`), and the check off Linux, where threads are not
//! counted, not at all.

use crate::common::*;

const NAME_PROMPT: &str = "the server asks each new connection `name?`";
const BAD_NAME: &str = "a bad name gets `error: bad name` and the connection closed; a good one of 16 characters joins";
const NAME_TAKEN: &str = "a name in use gets `error: name taken`, and is free again once its user leaves";
const PRESENT_JOINED: &str =
    "a new user gets `* present:` with the others in join order, and each of them gets `* NAME joined`";
const LEFT: &str = "a user who closes is announced `* NAME left`; a connection that never named itself leaves silently";
const RELAY: &str = "a line goes to every other user as `[NAME] LINE`, in the order read, never back to the sender";
const CR_AND_EMPTY: &str = "a `\\r\\n` line end is removed whole, and an empty line is not relayed";
const SPLIT_LINE: &str = "a line that arrives in two pieces is relayed once, whole";
const TWO_LINES: &str = "two lines that arrive in one piece are relayed as two lines, in order";
const LONG_LINE: &str =
    "a line of 1,000 bytes is relayed; a longer one disconnects its user, and the others see `left`";
const RESET: &str =
    "a user whose connection is reset leaves cleanly: the others get `* NAME left` and the room goes on";
const CROWD: &str = "200 clients connecting at once all join, and the lines of 20 talking at once reach all the others";
const TEN_THOUSAND: &str = "10,000 connections are held on at most 2 × cores + 4 threads, and a line from one of \
                            1,000 named users reaches the 999 others within 2 s";
const STALLED_READER: &str = "a client that never reads holds up no one, and is disconnected with `* NAME left`";
const NO_BUSY_LOOP: &str = "with 50 idle clients the server uses almost no CPU (no busy loop)";
const SHUTDOWN: &str = "on SIGINT and on SIGTERM the server sends `* server closing` to every client, closes them \
                        and exits 0 within 1 s";
const CLIENT_SENDS: &str = "the client sends its name, then each line of stdin";
const CLIENT_PRINTS: &str = "the client prints each line from the server as it arrives, while stdin is still open";
const CLIENT_EOF: &str = "at the end of stdin the client closes its side and exits 0";
const CLIENT_REFUSED: &str = "the client reports a refused connection without panicking";

/// The crowd the fixture rows and the Python example
/// meet: 150 connections, all named; over 128, so that a lock held across
/// `.await` blocks (see the top of this file).
const FEW: &[(&str, &str)] = &[("SOCKETLINGS_CLIENTS", "150")];

#[test]
fn solution_passes_every_check() {
    let run = solution_run("lesson11");
    assert_eq!(run.code, 0, "the solution passes every check; failed: {:?}\n{}", run.failed(), run.stdout);
}

/// (fixture, what the crowd check says it got): the programs that break
/// the crowd check only at full size, each failing it and nothing else.
const FULL_SIZE: &[(&str, &str)] = &[
    // A thread per connection, over the limit long before 10,000.
    ("l11-threads", " connections were open"),
    // At most 1,024 connections at once: the next ones wait, unprompted.
    ("l11-capped", "1,024 of 10,000 connections open and prompted"),
];

/// The programs of [`FULL_SIZE`] against the full crowd. Only Linux says
/// how many threads a program runs.
#[cfg(target_os = "linux")]
#[test]
fn the_full_crowd_rejects_what_only_it_can() {
    let runs = in_parallel(FULL_SIZE, |(name, _)| {
        let cmd = fixture(name);
        let run = run_json(&["lesson11", "--cmd", &cmd], &[("SOCKETLINGS_SLOW", "0.5")]);
        if run.failed() == [TEN_THOUSAND] {
            return run;
        }
        run_json(&["lesson11", "--cmd", &cmd], &[("SOCKETLINGS_SLOW", "3")])
    });
    for (run, (name, got)) in runs.iter().zip(FULL_SIZE) {
        assert_eq!(run.failed(), [TEN_THOUSAND], "`{name}` fails exactly the crowd check\n{}", run.stdout);
        let said = run.failure(TEN_THOUSAND)["got"].as_str().unwrap_or_default();
        assert!(said.contains(got), "`{name}`: the crowd check says {said:?}, not {got:?}");
    }
}

#[test]
fn skeleton_fails_and_says_where_to_start() {
    assert_skeleton_fails("lesson11");
}

/// Every server check: lesson 10's broken clients are only clients, and
/// their server role never listens.
const SERVER: &[&str] = &[
    NAME_PROMPT,
    BAD_NAME,
    NAME_TAKEN,
    PRESENT_JOINED,
    LEFT,
    RELAY,
    CR_AND_EMPTY,
    SPLIT_LINE,
    TWO_LINES,
    LONG_LINE,
    RESET,
    CROWD,
    TEN_THOUSAND,
    STALLED_READER,
    NO_BUSY_LOOP,
    SHUTDOWN,
];

/// (fixture, every check it may fail). The longest runs first, so that
/// none is left to run alone at the end.
const BROKEN: &[(&str, &[&str])] = &[
    // A `std::sync::Mutex` held across the `.await` of each write: once a
    // line has more recipients than a task may serve before it yields, the
    // task yields with the lock held and the next one to lock blocks the
    // runtime's thread for good.
    ("l11-mutex-across-await", &[CROWD, TEN_THOUSAND, STALLED_READER]),
    ("l11-unbounded", &[STALLED_READER]),
    ("l11-ignores-signal", &[SHUTDOWN]),
    ("l11-ctrl-c-only", &[SHUTDOWN]),
    ("l11-silent-shutdown", &[SHUTDOWN]),
    // (`l11-threads` and `l11-capped` meet the full crowd: see
    // `the_full_crowd_rejects_what_only_it_can`.)
    // Lesson 10's programs, each wrong in the one way its check is about:
    // they are chat servers too (on `mio`), and the same check functions
    // reject them here. None catches a signal, so each dies of SIGINT
    // without a goodbye.
    ("l10-no-line-cap", &[LONG_LINE, SHUTDOWN]),
    ("l10-read-is-line", &[LEFT, SPLIT_LINE, TWO_LINES, STALLED_READER, SHUTDOWN]),
    ("l10-reset-silent", &[RESET, SHUTDOWN]),
    ("l10-wrong-prompt", &[NAME_PROMPT, TEN_THOUSAND, SHUTDOWN]),
    ("l10-any-name", &[BAD_NAME, SHUTDOWN]),
    ("l10-duplicate-names", &[NAME_TAKEN, SHUTDOWN]),
    ("l10-newest-first", &[PRESENT_JOINED, SHUTDOWN]),
    // The crowd's sender must not get its line back either.
    ("l10-echo", &[RELAY, TEN_THOUSAND, SHUTDOWN]),
    ("l10-raw-lines", &[CR_AND_EMPTY, SHUTDOWN]),
    ("l10-busy-loop", &[NO_BUSY_LOOP, SHUTDOWN]),
];

/// (lesson 10's broken client, the client check it fails): each fails the
/// server checks too, its server never listening.
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
    assert_each_check_rejects_exactly_with("lesson11", FEW, &table);
}

#[test]
fn legitimate_variants_pass() {
    // The room owned by one task that the connections talk to over a
    // channel (the solution shares it behind a `Mutex`), against the full crowd.
    assert_variants_pass("lesson11", &[("l11-actor", &[])]);
}

/// The Python example, with as many connections as the fixture rows: it
/// meets the full crowd in about 3 s, and its whole run then takes 10 s,
/// more than this file's share of the suite.
#[cfg(unix)]
#[test]
fn the_python_example_passes() {
    if std::process::Command::new("python3").arg("--version").output().is_err() {
        eprintln!("python3 is not installed: nothing to run");
        return;
    }
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/src/examples/lesson11.py");
    let cmd = format!("python3 {example}");
    let mut run = run_json(&["lesson11", "--cmd", &cmd], FEW);
    if run.code != 0 {
        run = run_json(&["lesson11", "--cmd", &cmd], &[FEW, &[("SOCKETLINGS_SLOW", "3")]].concat());
    }
    assert_eq!(run.code, 0, "failed: {:?}\n{}", run.failed(), run.stdout);
}
