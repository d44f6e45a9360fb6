//! Many clients at once, a client that never reads, and what the server
//! costs: its threads, and its CPU time while idle.

use super::chat::{any_line, open, send, Room, User};
use super::crowd::{crowd_name, CROWD};
use crate::harness::transcript::Direction;
use crate::harness::{checker_trouble, Conn, Ctx, End, Failure, Outcome, Received};
use std::time::{Duration, Instant};

/// Joins `count` clients one after another, each prompted, named and
/// answered before the next; the lines the earlier ones get are left
/// unread in their sockets (a few KiB).
fn join_many(ctx: &mut Ctx, room: &mut Room, count: usize) -> Result<Vec<User>, Failure> {
    let mut users = Vec::with_capacity(count);
    for i in 0..count {
        users.push(room.join(ctx, &crowd_name(i), &mut [])?);
    }
    Ok(users)
}

pub(crate) fn one_thread(ctx: &mut Ctx) -> Outcome {
    let mut room = open(ctx)?;
    let _users = join_many(ctx, &mut room, CROWD)?;
    let Some(threads) = room.program.threads() else {
        ctx.transcript().push(
            "checker",
            Direction::Event,
            "this system does not say how many threads a program runs: not measured".into(),
        );
        return Ok(());
    };
    if threads <= 1 {
        return Ok(());
    }
    Err(Failure::new(
        format!("{CROWD} clients joined the room and stayed connected; then the checker counted your server's threads"),
        "1 thread",
        format!("{threads} threads"),
    )
    .meaning(
        "A thread for each client costs memory (a stack each) and a switch each time another client \
         speaks. An event loop serves them all from one thread.",
    ))
}

/// A connection whose receive buffer is a few KiB: the kernel would
/// otherwise hold megabytes for a socket that is never read.
fn connect_small_buffer(ctx: &mut Ctx, room: &Room) -> Result<Conn, Failure> {
    use socket2::{Domain, Protocol, Socket, Type};
    let made = Socket::new(Domain::for_address(room.addr), Type::STREAM, Some(Protocol::TCP))
        .and_then(|socket| socket.set_recv_buffer_size(4096).map(|()| socket))
        .map(small_segments)
        .and_then(|socket| socket.connect_timeout(&room.addr.into(), ctx.timing.reply()).map(|()| socket));
    let socket = made.map_err(|e| checker_trouble("connect a client with a small receive buffer", &e))?;
    let label = ctx.next_label("conn");
    let conn = Conn::new(socket.into(), label, ctx.transcript().clone());
    conn.note(&format!("connected to {} with a receive buffer of 4 KiB; it will never read", room.addr));
    Ok(conn)
}

/// Asks for segments of 1,000 bytes at most: the system sizes the server's
/// send buffer for this connection from them (about 20 segments), so a few
/// hundred KiB, not megabytes, fill it. Where it cannot be set, the room
/// just sends more before the server's own buffer fills.
fn small_segments(socket: socket2::Socket) -> socket2::Socket {
    #[cfg(all(unix, not(target_os = "redox")))]
    let _ = socket.set_mss(1000);
    socket
}

/// The most the room sends while the stalled client reads nothing: the
/// kernel buffers several MiB of it before the server's own buffer fills.
const STALL_BOUND: usize = 16 << 20;

/// Lines of 1,000 bytes the talker sends in each step until 1 MiB is sent
/// ([`SMALL_STEPS`]), then in each step after. The small steps stay well
/// under 64 KiB: a server that reads a whole step before it writes any of
/// it to Reader (a task per client, in lesson 11) never holds more than
/// that for a client that reads, and drops Stall long before 1 MiB.
const FIRST_STEP_LINES: usize = 32;
const MAX_STEP_LINES: usize = 256;
const SMALL_STEPS: usize = 1 << 20;

pub(crate) fn stalled_reader(ctx: &mut Ctx) -> Outcome {
    let mut room = open(ctx)?;
    room.settle(ctx, "started the server")?;
    let mut stalled = connect_small_buffer(ctx, &room)?;
    let did = "a client with a 4 KiB receive buffer connected and sent the name \"Stall\\n\"";
    any_line(ctx, &mut stalled, did, "the prompt `name?`").map_err(|f| room.blame(f))?;
    send(ctx, &mut stalled, b"Stall\n", did)?;
    any_line(ctx, &mut stalled, did, "the line `* present: …`").map_err(|f| room.blame(f))?;
    let mut talker = room.join(ctx, "Talker", &mut [])?;
    let mut reader = room.join(ctx, "Reader", &mut [&mut talker])?;
    let within = ctx.timing.ms(1000);
    let (mut sent, mut numbered, mut gone) = (0, 0, false);
    while !gone {
        let did = format!(
            "Stall, Talker and Reader were in the room; Stall read nothing while Talker sent lines of 1,000 \
             bytes in steps, and Reader read them: {} in all so far",
            in_kib(sent)
        );
        if sent >= STALL_BOUND {
            return Err(Failure::new(
                did,
                "the server to disconnect Stall once 64 KiB wait for it, and Reader to get `* Stall left`",
                "Stall was still in the room",
            )
            .meaning(
                "The room sent Stall far more than 64 KiB that Stall never read, and the server kept \
                 Stall in the room: it keeps (or loses) whatever Stall's socket does not take.",
            ));
        }
        let count = if sent < SMALL_STEPS { FIRST_STEP_LINES } else { MAX_STEP_LINES };
        let lines: Vec<String> = (0..count).map(|k| format!("{:06} {}", numbered + k, "x".repeat(993))).collect();
        numbered += count;
        let bytes: String = lines.iter().map(|line| format!("{line}\n")).collect();
        let sending = talker.conn.send_in_background(bytes.as_bytes(), within);
        let expected: String = lines.iter().map(|line| format!("[Talker] {line}\n")).collect();
        let got = read_step(&mut reader.conn, expected.as_bytes(), &mut gone, Instant::now() + within);
        if got.complete() && got.bytes == expected.as_bytes() {
            sent += expected.len();
        } else {
            let _ = sending.join();
            let did = format!("{did}; Reader read");
            return Err(room.blame(held_up(Failure::mismatch(did, expected.as_bytes(), &got))));
        }
        if !matches!(sending.join(), Ok(Ok(()))) {
            return Err(room.blame(Failure::new(
                did,
                format!("the server to read Talker's lines within {} ms", within.as_millis()),
                "Talker's write did not finish: the server stopped reading from it",
            )));
        }
        drain(&mut talker.conn);
    }
    let did = "Stall read nothing while the room chatted; Reader got `* Stall left`; then Stall read what was left";
    drain_to_close(ctx, &mut stalled, did)
}

/// Reads the `expected` bytes of one step, and `* Stall left` once,
/// between two lines, if it comes (then `gone`).
fn read_step(conn: &mut Conn, expected: &[u8], gone: &mut bool, deadline: Instant) -> Received {
    const LEFT: &[u8] = b"* Stall left\n";
    let left = || deadline.saturating_duration_since(Instant::now());
    let mut got = conn.read_exact(expected.len(), left());
    if !got.complete() || got.bytes == expected || *gone {
        return got;
    }
    let at = got.bytes.windows(LEFT.len()).position(|w| w == LEFT).filter(|&at| at == 0 || got.bytes[at - 1] == b'\n');
    let Some(at) = at else { return got };
    *gone = true;
    got.bytes.drain(at..at + LEFT.len());
    let rest = conn.read_exact(LEFT.len(), left());
    got.bytes.extend_from_slice(&rest.bytes);
    Received { bytes: got.bytes, end: rest.end }
}

/// `bytes` in KiB, or MiB from 10 MiB on: "448 KiB", "16.0 MiB".
fn in_kib(bytes: usize) -> String {
    if bytes >= 10 << 20 {
        format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
    } else {
        format!("{} KiB", bytes / 1024)
    }
}

/// What a Reader that stopped getting lines means.
fn held_up(failure: Failure) -> Failure {
    let got = failure.diff.as_ref().map(|(_, got)| got.as_slice()).unwrap_or_default();
    if got.windows(14).any(|w| w == b"* Talker left\n") {
        return failure.meaning(
            "The server disconnected Talker, who only sent lines of 1,000 bytes, many in one write: one \
             read holds many lines here, or ends inside one. Split what you read at each `\\n`.",
        );
    }
    if !matches!(failure.end, Some(End::TimedOut(_))) {
        return failure;
    }
    // Without the caret: the bytes are right so far, and what counts is
    // that no more came (the check's own hint says why, not one about reads).
    failure.without_diff().meaning(
        "Reader stopped getting lines while Stall read nothing: the server waited for Stall. A \
         write to a client that does not read blocks (or takes part of the bytes, or none): keep \
         the rest for later, never wait for one client.",
    )
}

/// Reads and drops whatever already waits on `conn` (a few reads at most).
fn drain(conn: &mut Conn) {
    for _ in 0..64 {
        if conn.read_any(Duration::from_millis(1)).bytes.is_empty() {
            return;
        }
    }
}

/// Reads everything until the server closes `conn`, up to twice the bound.
fn drain_to_close(ctx: &Ctx, conn: &mut Conn, did: &str) -> Outcome {
    let deadline = Instant::now() + ctx.timing.reply();
    let mut read = 0;
    while read <= 2 * STALL_BOUND {
        let got = conn.read_any(deadline.saturating_duration_since(Instant::now()));
        read += got.bytes.len();
        match got.end {
            End::Complete => {}
            End::Closed | End::ClosedAsAsked | End::Reset => return Ok(()),
            end => {
                return Err(Failure::new(did, "Stall's connection closed by the server", end.describe())
                    .hint("Announcing `left` is not enough: close the slow client's connection too.")
                    .ended(end))
            }
        }
    }
    Err(Failure::new(did, "Stall's connection closed by the server", "more bytes than the room ever sent"))
}

pub(crate) fn no_busy_loop(ctx: &mut Ctx) -> Outcome {
    let mut room = open(ctx)?;
    let users = join_many(ctx, &mut room, 50)?;
    // The last join's lines are written; from here on nobody sends anything.
    // Half a second keeps the lesson quick. `/proc` counts CPU time in
    // ticks of 10 ms, and a server that wakes once may be charged a whole
    // one: 20 ms are allowed (two ticks, or 20 ms a second in longer
    // windows), and a busy loop uses hundreds in it.
    let window = ctx.timing.ms(500);
    let limit = Duration::from_millis(20).max(window / 50);
    let Some(before) = room.program.cpu_time() else {
        ctx.transcript().push(
            "checker",
            Direction::Event,
            "this system does not say how much CPU time a program used: not measured".into(),
        );
        return Ok(());
    };
    std::thread::sleep(window);
    let after = room.program.cpu_time().unwrap_or(before);
    drop(users);
    let used = after.saturating_sub(before);
    if used <= limit {
        return Ok(());
    }
    let did = format!("50 clients joined the room, then all stayed silent for {} ms", window.as_millis());
    Err(room.blame(
        Failure::new(
            did,
            format!("your server to sleep: at most {} ms of CPU time", limit.as_millis()),
            format!("{} ms of CPU time (user and system, every thread)", used.as_millis()),
        )
        .meaning(
            "Your server kept the CPU busy with nothing to do: a loop that asks again and again \
             instead of sleeping until a socket is ready.",
        ),
    ))
}
