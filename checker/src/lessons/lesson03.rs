//! Lesson 3: the threaded server. A line-based greeter that serves every
//! connection on its own thread, and a client that sends names.

use super::{Check, Lesson};
use crate::harness::{
    blame_exit, expect_closed, expect_exit, expect_line, expect_stdout, send_or_fail, Conn, Ctx, End, Failure, Outcome,
    Program, Stdin,
};
use std::net::SocketAddr;
use std::time::Duration;

pub static LESSON: Lesson = Lesson {
    number: 3,
    slug: "threaded-server",
    title: "threaded server",
    usage: &["server HOST:PORT", "client HOST:PORT NAME..."],
    checks: &[
        Check {
            name: "the server sends `Welcome!` to a new client",
            points: 1,
            hint: "As soon as a connection is accepted, write `Welcome!\\n` to it, before reading anything.",
            run: welcomes,
        },
        Check {
            name: "the server answers a name with `Hello, <name>!`",
            points: 1,
            hint: "Read one line, drop its line end, answer `Hello, {line}!` followed by `\\n`.",
            run: greets,
        },
        Check {
            name: "a `\\r\\n` line end is read as the end of the line",
            points: 1,
            hint: "Clients such as telnet end lines with `\\r\\n`. `BufRead::lines()` removes both; \
                   after `read_line`, the line still ends with them: \
                   `line.trim_end_matches(['\\r', '\\n'])`.",
            run: strips_carriage_return,
        },
        Check {
            name: "`exit` closes that connection only",
            points: 2,
            hint: "On `exit`, return from that connection's handler: dropping its stream closes it. \
                   The other threads, and the accept loop, go on.",
            run: exit_closes_one,
        },
        Check {
            name: "a second client is served while the first stays connected and silent",
            points: 3,
            hint: "`accept` hands you one connection; give it its own thread (`thread::spawn(move || \
                   handle(stream))`) and go straight back to `accept`, so an idle client never \
                   blocks the others.",
            run: serves_while_other_idle,
        },
        Check {
            name: "50 clients connected at once each get exactly their own answers",
            points: 3,
            hint: "Each thread owns its stream and keeps its own state. Nothing one connection reads \
                   should be shared with, or answered to, another.",
            run: fifty_clients,
        },
        Check {
            name: "a line that arrives in two pieces gets one answer",
            points: 2,
            hint: "One `read` is not one message: bytes arrive as the network delivers them. Read by \
                   lines with a `BufReader` (`read_line` or `lines()`), which waits for the `\\n`.",
            run: split_line,
        },
        Check {
            name: "two lines that arrive in one piece get two answers",
            points: 2,
            hint: "One `read` can also hold several lines. A `BufReader` hands them to you one at a \
                   time and keeps the rest for the next call.",
            run: two_lines_in_one_write,
        },
        Check {
            name: "non-ASCII names round-trip (张伟, Zoë)",
            points: 1,
            hint: "Lines are UTF-8: read them as `String`s (`read_line`), not byte by byte as ASCII, \
                   and write the answer's bytes unchanged.",
            run: unicode_names,
        },
        Check {
            name: "a client that leaves without `exit`, or resets, disturbs no one",
            points: 2,
            hint: "When a read returns 0 (the client left) or fails (a reset), end that thread \
                   quietly. Never `unwrap()` there, and never exit the process.",
            run: vanishing_clients,
        },
        Check {
            name: "a line longer than 1,000 bytes closes that connection only",
            points: 2,
            hint: "Bound what one client can make you keep: read at most 1,000 bytes and a line end \
                   (`reader.by_ref().take(1002).read_line(&mut line)`), and when the line is still \
                   longer, or has no `\\n` by then, return from that client's handler.",
            run: long_line_closes,
        },
        Check {
            name: "the client prints the welcome and each answer in order",
            points: 2,
            hint: "Read and print the welcome line first; then, for each name, send it with `\\n`, read \
                   one answer line and print it.",
            run: client_prints,
        },
        Check {
            name: "the client sends `exit` at the end and exits 0",
            points: 1,
            hint: "After the last name, send `exit\\n`, let the stream drop, and return `Ok(())`.",
            run: client_exits,
        },
    ],
};

/// A server under test with its first client, already welcomed.
struct Greeter {
    program: Program,
    addr: SocketAddr,
    conn: Conn,
}

fn start(ctx: &mut Ctx) -> Result<Greeter, Failure> {
    let server = ctx.start_server(|addr| vec!["server".into(), addr.into()])?;
    let mut greeter = Greeter { program: server.program, addr: server.addr, conn: server.conn };
    let did = format!("connected to {}", greeter.addr);
    expect_line(&mut greeter.conn, "Welcome!", ctx.timing.reply(), &did)?;
    Ok(greeter)
}

/// Another client of the same server, welcomed.
fn join(ctx: &mut Ctx, program: &mut Program, addr: SocketAddr, did: &str) -> Result<Conn, Failure> {
    let mut conn = ctx.connect_again(program, addr)?;
    expect_line(&mut conn, "Welcome!", ctx.timing.reply(), did).map_err(|failure| {
        if program.try_status().is_none() && failure.got.starts_with("nothing") {
            one_at_a_time(failure)
        } else {
            failure
        }
    })?;
    Ok(conn)
}

/// The failure of a server that is still busy with an earlier client.
fn one_at_a_time(failure: Failure) -> Failure {
    failure
        .meaning(
            "A new client got no answer while an earlier client was still connected: your server \
             is still busy with that earlier client, serving one connection at a time.",
        )
        .hint(
            "Handle each connection on its own thread (`thread::spawn(move || handle(stream))`) and \
             go straight back to `accept`.",
        )
}

fn send(ctx: &Ctx, conn: &mut Conn, bytes: &[u8], did: &str) -> Outcome {
    send_or_fail(conn, bytes, ctx.timing.reply(), did)
}

/// Sends `name` as a line and expects the greeting for it.
fn greet(ctx: &Ctx, conn: &mut Conn, name: &str, did: &str) -> Outcome {
    send(ctx, conn, format!("{name}\n").as_bytes(), did)?;
    expect_line(conn, &format!("Hello, {name}!"), ctx.timing.reply(), did)
}

fn welcomes(ctx: &mut Ctx) -> Outcome {
    start(ctx).map(drop)
}

fn greets(ctx: &mut Ctx) -> Outcome {
    let mut g = start(ctx)?;
    greet(ctx, &mut g.conn, "Ada", "was welcomed, then sent \"Ada\\n\"")
}

fn strips_carriage_return(ctx: &mut Ctx) -> Outcome {
    let mut g = start(ctx)?;
    // Two lines, so that a `\r` taken for a line end of its own shows as
    // an extra answer (`Hello, !`) before the second greeting.
    let did = "was welcomed, then sent \"Ada\\r\\n\"";
    send(ctx, &mut g.conn, b"Ada\r\n", did)?;
    expect_line(&mut g.conn, "Hello, Ada!", ctx.timing.reply(), did).map_err(carriage_return_hint)?;
    let did = "was welcomed, sent \"Ada\\r\\n\", read \"Hello, Ada!\", then sent \"Bo\\r\\n\"";
    send(ctx, &mut g.conn, b"Bo\r\n", did)?;
    expect_line(&mut g.conn, "Hello, Bo!", ctx.timing.reply(), did).map_err(carriage_return_hint)
}

/// The hint for the way a `\r\n` went wrong: kept in the name, or taken
/// for two line ends.
fn carriage_return_hint(failure: Failure) -> Failure {
    let got = failure.diff.as_ref().map(|(_, got)| got.clone()).unwrap_or_default();
    if got.starts_with(b"Hello, !") {
        failure.hint(
            "Only `\\n` ends a line; a `\\r` just before it belongs to that line end. Splitting on \
             `\\r` as well makes an empty line (and an answer `Hello, !`) out of nothing.",
        )
    } else {
        failure
    }
}

fn exit_closes_one(ctx: &mut Ctx) -> Outcome {
    let mut g = start(ctx)?;
    let mut other = join(ctx, &mut g.program, g.addr, "connected a second client")?;
    let did = "connected two clients, then sent \"exit\\n\" on the first";
    send(ctx, &mut g.conn, b"exit\n", did)?;
    expect_closed(&mut g.conn, ctx.timing.reply(), did, "the first connection to be closed, with nothing more sent")?;
    greet(ctx, &mut other, "Still here", &format!("{did}, then sent \"Still here\\n\" on the second"))
        .map_err(|f| exit_ended_server(f, &mut g.program))
}

/// Blames a failure on a server that exited, when it did.
fn exit_ended_server(failure: Failure, program: &mut Program) -> Failure {
    blame_exit(
        failure,
        program,
        Some("`exit` ends one client's session, not the server: return from that connection's handler only."),
    )
}

fn serves_while_other_idle(ctx: &mut Ctx) -> Outcome {
    let mut g = start(ctx)?;
    let did = "client A connected, was welcomed and then stayed silent; client B connected";
    let within = ctx.timing.ms(1000);
    let mut b = ctx.connect_again(&mut g.program, g.addr)?;
    expect_line(&mut b, "Welcome!", within, did).map_err(one_at_a_time)?;
    send(ctx, &mut b, b"Bo\n", did)?;
    expect_line(&mut b, "Hello, Bo!", within, &format!("{did}, was welcomed and sent \"Bo\\n\"")).map_err(one_at_a_time)
}

fn fifty_clients(ctx: &mut Ctx) -> Outcome {
    let mut g = start(ctx)?;
    let mut clients = vec![];
    for i in 2..=50 {
        let did = format!("opened clients 1 to {i} one after another, each welcomed before the next");
        clients.push(join(ctx, &mut g.program, g.addr, &did)?);
    }
    clients.insert(0, g.conn);
    for round in 1..=5 {
        let did = format!("with 50 clients connected, sent round {round} of 5: a different name on each");
        for (i, conn) in clients.iter_mut().enumerate() {
            send(ctx, conn, format!("client{}-name{round}\n", i + 1).as_bytes(), &did)?;
        }
        for (i, conn) in clients.iter_mut().enumerate() {
            let did = format!("{did}, then read client {}'s answer", i + 1);
            expect_line(conn, &format!("Hello, client{}-name{round}!", i + 1), ctx.timing.reply(), &did)?;
        }
    }
    Ok(())
}

fn split_line(ctx: &mut Ctx) -> Outcome {
    let mut g = start(ctx)?;
    let pause = Duration::from_millis(150);
    let did = format!("sent \"Spl\", waited {} ms, then sent \"it\\n\"", pause.as_millis());
    send(ctx, &mut g.conn, b"Spl", &did)?;
    std::thread::sleep(pause);
    send(ctx, &mut g.conn, b"it\n", &did)?;
    expect_line(&mut g.conn, "Hello, Split!", ctx.timing.reply(), &did)
}

fn two_lines_in_one_write(ctx: &mut Ctx) -> Outcome {
    let mut g = start(ctx)?;
    let did = "sent \"One\\nTwo\\n\" in a single write";
    send(ctx, &mut g.conn, b"One\nTwo\n", did)?;
    expect_line(&mut g.conn, "Hello, One!", ctx.timing.reply(), did)?;
    expect_line(&mut g.conn, "Hello, Two!", ctx.timing.reply(), &format!("{did}, read \"Hello, One!\""))
}

fn unicode_names(ctx: &mut Ctx) -> Outcome {
    let mut g = start(ctx)?;
    greet(ctx, &mut g.conn, "张伟", "sent \"张伟\\n\" (UTF-8)")?;
    greet(ctx, &mut g.conn, "Zoë", "sent \"Zoë\\n\" (UTF-8)")
}

fn vanishing_clients(ctx: &mut Ctx) -> Outcome {
    let Greeter { mut program, addr, conn: leaver } = start(ctx)?;
    let mut stayer = join(ctx, &mut program, addr, "connected a second client")?;
    let mut resetter = join(ctx, &mut program, addr, "connected a third client")?;
    let did =
        "connected three clients; the first closed without `exit`, the third sent \"half\" and reset the connection";
    leaver.note("closed by the checker without sending `exit`");
    drop(leaver);
    send(ctx, &mut resetter, b"half", did)?;
    resetter.reset();
    std::thread::sleep(ctx.timing.ms(50));
    let did = format!("{did}; then the second sent \"Bea\\n\"");
    greet(ctx, &mut stayer, "Bea", &did).map_err(|f| exit_ended_server(f, &mut program))?;
    join(ctx, &mut program, addr, &format!("{did}, then a fourth client connected")).map(drop)
}

fn long_line_closes(ctx: &mut Ctx) -> Outcome {
    let mut g = start(ctx)?;
    let longest = "a".repeat(1000);
    greet(ctx, &mut g.conn, &longest, "sent a name of 1,000 bytes, the longest the protocol allows")?;
    let did = "sent a name of 1,000 bytes, read its greeting, then sent a line of 1,001 bytes";
    send(ctx, &mut g.conn, format!("{}\n", "b".repeat(1001)).as_bytes(), did)?;
    let after = g.conn.closed_within(ctx.timing.reply());
    let closed = matches!(after.end, End::Closed | End::ClosedAsAsked | End::Reset);
    if !(closed && after.bytes.is_empty()) {
        return Err(Failure::new(did, "the connection closed, with no answer", after.describe()));
    }
    let did = format!("{did}; then a second client connected");
    let mut other = join(ctx, &mut g.program, g.addr, &did).map_err(|f| exit_ended_server(f, &mut g.program))?;
    greet(ctx, &mut other, "Still here", &format!("{did} and sent \"Still here\\n\""))
        .map_err(|f| exit_ended_server(f, &mut g.program))
}

/// Plays the server for the client under test: sends `welcome`, then for
/// each name expects it and answers `Hello, <name>! (checker)`. Returns the
/// client and the connection, before `exit`.
fn serve_client(ctx: &mut Ctx, names: &[&str]) -> Result<(Program, Conn, String), Failure> {
    let client = ctx.start_client(
        |addr| ["client", addr].into_iter().chain(names.iter().copied()).map(String::from).collect(),
        Stdin::Closed,
    )?;
    let (program, mut conn) = (client.program, client.conn);
    let did = format!("acted as the server on {}: sent \"Welcome!\\n\", answered each name", client.addr);
    send(ctx, &mut conn, b"Welcome!\n", &did)?;
    for name in names {
        expect_line(&mut conn, name, ctx.timing.reply(), &did)?;
        send(ctx, &mut conn, format!("Hello, {name}! (checker)\n").as_bytes(), &did)?;
    }
    Ok((program, conn, did))
}

fn client_prints(ctx: &mut Ctx) -> Outcome {
    let names = ["Ann", "Bo", "张伟"];
    let (mut client, mut conn, did) = serve_client(ctx, &names)?;
    let _ = conn.read_line(ctx.timing.reply());
    drop(conn);
    let expected: String = std::iter::once("Welcome!\n".to_string())
        .chain(names.iter().map(|n| format!("Hello, {n}! (checker)\n")))
        .collect();
    expect_stdout(ctx, &mut client, expected.as_bytes(), &did).map(drop)
}

fn client_exits(ctx: &mut Ctx) -> Outcome {
    let (mut client, mut conn, did) = serve_client(ctx, &["Cy"])?;
    expect_line(&mut conn, "exit", ctx.timing.reply(), &format!("{did}, then waited for `exit`"))?;
    expect_closed(&mut conn, ctx.timing.reply(), &did, "the client to close the connection after `exit`")?;
    expect_exit(ctx, &mut client, &did, "the client to exit after `exit`")
}
