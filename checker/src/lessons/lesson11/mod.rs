//! Lesson 11: async with tokio. Lesson 10's chat room again, on tokio's
//! runtime: the same protocol and the same checks (lesson 10's own
//! functions, listed here), except that "one thread" becomes "a few threads
//! for ten thousand connections", and a graceful shutdown is added.
//!
//! - [`crowd`]: ten thousand connections on the server's few threads, and
//!   one line to a thousand named users;
//! - this file: the table, and the shutdown check.

use super::lesson10::{self, chat};
use super::{Check, Lesson};
use crate::harness::process::Signal;
use crate::harness::transcript::Direction;
use crate::harness::{describe_status, exited_early, Conn, Ctx, End, Failure, Outcome, Program};
use std::time::{Duration, Instant};

mod crowd;

pub static LESSON: Lesson = Lesson {
    number: 11,
    slug: "async",
    title: "async with tokio",
    usage: &["server ADDR", "client ADDR NAME"],
    checks: &[
        lesson10::NAME_PROMPT,
        lesson10::BAD_NAME,
        lesson10::NAME_TAKEN,
        lesson10::PRESENT_JOINED,
        lesson10::LEFT,
        lesson10::RELAY,
        lesson10::CR_AND_EMPTY,
        lesson10::SPLIT_LINE,
        lesson10::TWO_LINES,
        lesson10::LONG_LINE,
        lesson10::RESET,
        Check {
            hint: "Accept in a loop and hand each connection to a task of its own (`tokio::spawn`) at once: \
                   the accept loop never waits for a client.",
            ..lesson10::CROWD
        },
        TEN_THOUSAND,
        Check {
            hint: "Never await one client's write while others wait: give each client a bounded queue \
                   that its own task writes out. When a client has more than 64 KiB waiting, it is not \
                   reading: drop it (its task ends, its socket closes) and announce `left`.",
            ..lesson10::STALLED_READER
        },
        Check {
            hint: "An idle server should sleep in the runtime until a socket, a channel or a signal wakes \
                   it: `.await` them, and never loop on `try_read`, `try_recv` or a zero `sleep`.",
            ..lesson10::NO_BUSY_LOOP
        },
        SHUTDOWN,
        lesson10::CLIENT_SENDS,
        lesson10::CLIENT_PRINTS,
        lesson10::CLIENT_EOF,
        lesson10::CLIENT_REFUSED,
    ],
};

const TEN_THOUSAND: Check = Check {
    name: "10,000 connections are held on at most 2 × cores + 4 threads, and a line from one of 1,000 named users \
           reaches the 999 others within 2 s",
    points: 3,
    hint: "A task per connection (`tokio::spawn`), never a thread: the runtime runs ten thousand tasks on a \
           worker thread per core. Never block inside a task (no `std::net`, no `std::thread::sleep`, no \
           lock held across `.await`).",
    run: ten_thousand,
};

const SHUTDOWN: Check = Check {
    name: "on SIGINT and on SIGTERM the server sends `* server closing` to every client, closes them and exits 0 \
           within 1 s",
    points: 3,
    hint: "Wait for the signals in the accept loop's `select!` (`tokio::signal::ctrl_c()`, and \
           `signal(SignalKind::terminate())` on Unix). Then stop accepting, tell every connection's task \
           (a `broadcast` or `watch` channel), let each write `* server closing\\n` and close, and return \
           from `main` once they are done.",
    run: shutdown,
};

/// The line every client gets when the server shuts down.
const CLOSING: &str = "* server closing";

fn ten_thousand(ctx: &mut Ctx) -> Outcome {
    // Before the server starts, so that it inherits the raised limit.
    let (n, note) = crowd::how_many();
    let mut server = ctx.start_server(|addr| vec!["server".into(), addr.into()])?;
    server.conn.note("closed by the checker, unnamed: the crowd check connects clients of its own");
    drop(server.conn);
    let mut crowd = crowd::Crowd::new(ctx, &mut server.program, server.addr, n, note);
    let outcome = crowd.run();
    let exited = crowd.stop_server();
    drop(crowd);
    let outcome = match (outcome, exited) {
        (Err(failure), Some(status)) => {
            let expected = format!("the server to hold all {} connections", crowd::thousands(n));
            Err(exited_early(&failure.did, &expected, status, &server.program))
        }
        (outcome, _) => outcome,
    };
    drop(server.program);
    outcome
}

fn shutdown(ctx: &mut Ctx) -> Outcome {
    if cfg!(not(unix)) {
        let note = "this system has no SIGINT or SIGTERM to send a program: not checked";
        ctx.transcript().push("checker", Direction::Event, note.into());
        return Ok(());
    }
    goodbye_on(ctx, Signal::Int, "SIGINT")?;
    goodbye_on(ctx, Signal::Term, "SIGTERM")
}

/// Three users in the room, then `signal`: each user reads the goodbye and
/// the end of its connection, and the server exits 0, all within 1 s.
fn goodbye_on(ctx: &mut Ctx, signal: Signal, signal_name: &str) -> Outcome {
    let mut room = chat::open(ctx)?;
    let mut ann = room.join(ctx, "Ann", &mut [])?;
    let mut bo = room.join(ctx, "Bo", &mut [&mut ann])?;
    let cy = room.join(ctx, "Cy", &mut [&mut ann, &mut bo])?;
    let did = format!("Ann, Bo and Cy were in the room; then the checker sent {signal_name} to your server");
    room.program.signal(signal);
    let within = ctx.timing.ms(1000);
    let deadline = Instant::now() + within;
    for mut user in [ann, bo, cy] {
        let did = format!("{did}, and read {}'s connection", user.name);
        let left = || deadline.saturating_duration_since(Instant::now());
        read_goodbye(&mut user.conn, left(), &did)
            .map_err(|failure| blame_signal(failure, &mut room.program, signal_name, within))?;
        let after = user.conn.read_to_close(1 << 20, left());
        if !matches!(after.end, End::ClosedAsAsked | End::Reset) || !after.bytes.is_empty() {
            return Err(Failure::new(
                format!("{did} after `{CLOSING}`"),
                format!("the connection closed within {} ms of the signal, with nothing more sent", within.as_millis()),
                after.describe(),
            )
            .hint(
                "The goodbye is a client's last line: once shutdown begins, the room sends nothing more, and \
                 each connection's task writes `* server closing\\n` and ends, which closes the connection.",
            )
            .ended(after.end));
        }
    }
    let did = format!("{did}; each client read `{CLOSING}` and the end of its connection");
    let left = deadline.saturating_duration_since(Instant::now());
    match room.program.wait_exit(left) {
        Some(status) if status.success() => Ok(()),
        Some(status) if status.code().is_none() => Err(blame_signal(
            Failure::new(&did, "exit status 0", describe_status(status)),
            &mut room.program,
            signal_name,
            within,
        )),
        Some(status) => Err(Failure::new(did, "exit status 0", describe_status(status)).hint(
            "A shutdown asked for by a signal is a normal end: once the clients are told, return `Ok(())` \
             from `main` (exit status 0), not an error or `process::exit` with another code.",
        )),
        None => Err(Failure::new(
            did,
            format!("the server to exit within {} ms of the signal", within.as_millis()),
            "it was still running",
        )
        .hint(
            "Once every connection has said goodbye, return from `main`: a task still running (the accept \
             loop, a connection that waits for its client) keeps the runtime, and the program, alive. Wait \
             for the connections with a bound (`tokio::time::timeout`).",
        )),
    }
}

/// Reads lines until `* server closing`; announcements that someone left
/// may come first.
fn read_goodbye(conn: &mut Conn, within: Duration, did: &str) -> Outcome {
    let deadline = Instant::now() + within;
    loop {
        let got = conn.read_line(deadline.saturating_duration_since(Instant::now()));
        let line = got.bytes.strip_suffix(b"\n");
        if got.complete() && line == Some(CLOSING.as_bytes()) {
            return Ok(());
        }
        let left = line.is_some_and(|l| l.starts_with(b"* ") && l.ends_with(b" left"));
        if !(got.complete() && left) {
            return Err(Failure::mismatch(did, format!("{CLOSING}\n").as_bytes(), &got));
        }
    }
}

/// Says what the program did with the signal when that explains `failure`:
/// it died of it (no handler), or it is still running (it ignored it).
fn blame_signal(failure: Failure, program: &mut Program, signal_name: &str, within: Duration) -> Failure {
    // A program the signal ended may not be reaped yet when its sockets close.
    match program.wait_exit(Duration::from_millis(200)) {
        Some(status) if status.code().is_none() => failure
            .meaning(format!(
                "Your server {} at once: nothing in it catches {signal_name}, so the system ended it, \
                 and its clients were never told.",
                describe_status(status)
            ))
            .hint(
                "Catch the signal: `tokio::signal::ctrl_c()` for SIGINT and `signal(SignalKind::terminate())` \
                 for SIGTERM, awaited in the accept loop's `select!`.",
            ),
        Some(_) => failure.hint(format!(
            "Your server exited on {signal_name} without telling its clients: before returning from `main`, \
             let every connection's task write `{CLOSING}\\n` and close."
        )),
        None => failure.hint(format!(
            "Your server was still running {} ms after {signal_name}, and said nothing: does it act on the \
             signal? When it comes, leave the accept loop and tell every connection's task to write \
             `{CLOSING}\\n` and close.",
            within.as_millis()
        )),
    }
}
