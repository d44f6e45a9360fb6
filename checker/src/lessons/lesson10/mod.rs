//! Lesson 10: an event loop. A chat room served by one thread that never
//! blocks, and a client that prints the room while it sends stdin.
//!
//! The checks speak of the chat protocol, not of how a server is built, so
//! lesson 11 (the same room on tokio) lists them in its own table: each is a
//! `pub(crate) const`. Lesson 11 replaces [`ONE_THREAD`] with its own thread
//! check and keeps the others.
//!
//! - [`chat`]: the server under test, users joining it, lines on the wire;
//! - [`room`]: names, joins, leaves, and how lines are relayed;
//! - [`crowd`]: 200 clients at once, read from one thread;
//! - [`load`]: a client that never reads, the server's threads and CPU;
//! - [`client`]: the client under test, with the checker as its server.

use super::{Check, Lesson};

pub(crate) mod chat;
mod client;
mod crowd;
mod load;
mod room;

pub static LESSON: Lesson = Lesson {
    number: 10,
    slug: "event-loop",
    title: "an event loop",
    usage: &["server ADDR", "client ADDR NAME"],
    checks: &[
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
        ONE_THREAD,
        STALLED_READER,
        NO_BUSY_LOOP,
        CLIENT_SENDS,
        CLIENT_PRINTS,
        CLIENT_EOF,
        CLIENT_REFUSED,
    ],
};

pub(crate) const NAME_PROMPT: Check = Check {
    name: "the server asks each new connection `name?`",
    points: 1,
    hint: "As soon as a connection is accepted, queue `name?\\n` for it, before it sends anything.",
    run: room::name_prompt,
};

pub(crate) const BAD_NAME: Check = Check {
    name: "a bad name gets `error: bad name` and the connection closed; a good one of 16 characters joins",
    points: 1,
    hint: "A name is 1 to 16 characters, each from `A-Z a-z 0-9 _ -`. Anything else (empty, too long, a \
           space, `é`, `!`) gets `error: bad name\\n`; then close that connection, once the error is sent, \
           and tell no one.",
    run: room::bad_name,
};

pub(crate) const NAME_TAKEN: Check = Check {
    name: "a name in use gets `error: name taken`, and is free again once its user leaves",
    points: 1,
    hint: "Compare the new name with the names of the users connected now. When a user leaves, forget \
           its name with it.",
    run: room::name_taken,
};

pub(crate) const PRESENT_JOINED: Check = Check {
    name: "a new user gets `* present:` with the others in join order, and each of them gets `* NAME joined`",
    points: 2,
    hint: "Keep the named users in the order they joined. The newcomer gets `* present:` then ` NAME` for \
           each of the others and `\\n`; every other user gets `* NAME joined\\n`.",
    run: room::present_joined,
};

pub(crate) const LEFT: Check = Check {
    name: "a user who closes is announced `* NAME left`; a connection that never named itself leaves silently",
    points: 2,
    hint: "A read of 0 bytes means the client closed: remove it, and if it had a name, send `* NAME left\\n` \
           to every other named user.",
    run: room::left,
};

pub(crate) const RELAY: Check = Check {
    name: "a line goes to every other user as `[NAME] LINE`, in the order read, never back to the sender",
    points: 2,
    hint: "For each whole line a named user sends, queue `[NAME] LINE\\n` for every other named user, \
           skipping the sender.",
    run: room::relay,
};

pub(crate) const CR_AND_EMPTY: Check = Check {
    name: "a `\\r\\n` line end is removed whole, and an empty line is not relayed",
    points: 1,
    hint: "Take the `\\n` off a line, then a `\\r` just before it (telnet sends `\\r\\n`). A line that is \
           empty after that is nothing to relay.",
    run: room::cr_and_empty,
};

pub(crate) const SPLIT_LINE: Check = Check {
    name: "a line that arrives in two pieces is relayed once, whole",
    points: 2,
    hint: "One read is not one line: keep the bytes read for each client in a buffer of its own, and \
           take out only the lines that end with `\\n`; the rest waits for the next read.",
    run: room::split_line,
};

pub(crate) const TWO_LINES: Check = Check {
    name: "two lines that arrive in one piece are relayed as two lines, in order",
    points: 2,
    hint: "One read can hold several lines: take every whole line out of the client's buffer, in order, \
           before waiting for more.",
    run: room::two_lines,
};

pub(crate) const LONG_LINE: Check = Check {
    name: "a line of 1,000 bytes is relayed; a longer one disconnects its user, and the others see `left`",
    points: 2,
    hint: "Bound what a client can make you keep: a line may be 1,000 bytes (without its line end). \
           When a client's buffer holds more than that with no `\\n`, or a line is longer, close that \
           connection and announce `* NAME left`.",
    run: room::long_line,
};

pub(crate) const RESET: Check = Check {
    name: "a user whose connection is reset leaves cleanly: the others get `* NAME left` and the room goes on",
    points: 2,
    hint: "A reset shows as an error from a read or a write (`ConnectionReset`), not as 0 bytes. Treat it \
           as leaving: remove that client, announce `* NAME left`, and never let it end the server.",
    run: room::reset,
};

pub(crate) const CROWD: Check = Check {
    name: "200 clients connecting at once all join, and the lines of 20 talking at once reach all the others",
    points: 2,
    hint: "Many connections can be waiting when you are told the listener is ready: accept until the \
           system says there are none left (`WouldBlock`), not one per wake-up.",
    run: crowd::crowd,
};

pub(crate) const ONE_THREAD: Check = Check {
    name: "the server serves 200 clients on one thread",
    points: 3,
    hint: "Serve every connection from one loop: make each socket non-blocking, register it with \
           `mio::Poll`, and act only on the sockets `poll` says are ready. No thread per client.",
    run: load::one_thread,
};

pub(crate) const STALLED_READER: Check = Check {
    name: "a client that never reads holds up no one, and is disconnected with `* NAME left`",
    points: 3,
    hint: "Never wait for one client: when a write takes only part of the bytes, or none (`WouldBlock`), \
           keep the rest in that client's output buffer and send it when the socket is writable again. \
           A client with more than 64 KiB waiting is not reading: disconnect it and announce `left`.",
    run: load::stalled_reader,
};

pub(crate) const NO_BUSY_LOOP: Check = Check {
    name: "with 50 idle clients the server uses almost no CPU (no busy loop)",
    points: 2,
    hint: "An idle server should sleep until the system wakes it: wait for readiness with no timeout, \
           never poll with a zero timeout in a loop, and never retry a `WouldBlock` in a loop.",
    run: load::no_busy_loop,
};

pub(crate) const CLIENT_SENDS: Check = Check {
    name: "the client sends its name, then each line of stdin",
    points: 1,
    hint: "The client's first line is the NAME from its command line; after it, send each line read \
           from stdin as it is typed, with its `\\n`.",
    run: client::sends,
};

pub(crate) const CLIENT_PRINTS: Check = Check {
    name: "the client prints each line from the server as it arrives, while stdin is still open",
    points: 1,
    hint: "Read the server and stdin at the same time (a thread for each, or one event loop), print each \
           line from the server whole, and flush stdout: in a pipe, output waits until you flush.",
    run: client::prints,
};

pub(crate) const CLIENT_EOF: Check = Check {
    name: "at the end of stdin the client closes its side and exits 0",
    points: 1,
    hint: "When stdin ends, shut down the sending side of the connection (the server reads that as \
           leaving), then exit with status 0 once the server closes or soon after.",
    run: client::stdin_ends,
};

pub(crate) const CLIENT_REFUSED: Check = Check {
    name: "the client reports a refused connection without panicking",
    points: 1,
    hint: "Return the error from `connect` with `?`: `main` prints it on stderr and exits non-zero.",
    run: client::refused,
};
