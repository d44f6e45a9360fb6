//! Lesson 1: basic TCP. A server that answers one client with its message
//! upper-cased, and a client that sends a message and prints the answer.

use super::{Check, Lesson};
use crate::harness::{
    expect_bytes, expect_exit, expect_stdout, expect_success, net, send_or_fail, text, Ctx, Failure, Outcome, Program,
    Server, Stdin,
};
use std::time::{Duration, Instant};

pub static LESSON: Lesson = Lesson {
    number: 1,
    slug: "basic-tcp",
    title: "basic TCP",
    usage: &["server HOST:PORT", "client HOST:PORT MESSAGE"],
    checks: &[
        Check {
            name: "the server accepts a connection",
            points: 1,
            hint: "A server binds to the address it is given, listens, and accepts: \
                   `TcpListener::bind(addr)` does the first two, `listener.accept()` waits for a client.",
            run: server_accepts,
        },
        Check {
            name: "the server answers `hello` with `HELLO`",
            points: 2,
            hint: "Read the message with `stream.read(&mut buf)` (it returns how many bytes came), \
                   upper-case those bytes, and send them back with `write_all` on the same stream.",
            run: server_upper_cases,
        },
        Check {
            name:
                "the server upper-cases ASCII letters only (spaces, `\\r\\n`, digits, punctuation, é, ß, ü unchanged)",
            points: 1,
            hint: "Work on bytes: `[u8]::to_ascii_uppercase` changes a-z only, and keeps every other \
                   byte. `str::to_uppercase` would also turn `ß` into `SS` and `é` into `É`; `trim` \
                   would drop the spaces and the `\\r\\n` that belong to the message.",
            run: server_ascii_only,
        },
        Check {
            name: "the server closes the connection after replying",
            points: 1,
            hint: "The client reads until end of stream, so it waits for the server to close: \
                   drop the `TcpStream` (return from the function) once the answer is written.",
            run: server_closes,
        },
        Check {
            name: "the server exits with status 0 after its one client",
            points: 1,
            hint: "A lesson 1 server serves one client and returns `Ok(())` from `main`: no loop \
                   around `accept` yet (that is lesson 2).",
            run: server_exits,
        },
        Check {
            name: "the client sends exactly MESSAGE",
            points: 1,
            hint: "Send the bytes of MESSAGE and nothing more: no newline, no prefix \
                   (`stream.write_all(message.as_bytes())`).",
            run: client_sends_message,
        },
        Check {
            name: "the client prints exactly the reply and exits with status 0",
            points: 2,
            hint: "Print the bytes the server sent, followed by one newline, then return `Ok(())`.",
            run: client_prints_reply,
        },
        Check {
            name: "the client prints the whole reply when it arrives in two parts",
            points: 2,
            hint: "TCP is a byte stream: one `read` returns whatever has arrived so far, which may \
                   be part of the reply. Read until `read` returns 0 (`read_to_end`): the server \
                   closes when it is done.",
            run: client_reads_until_close,
        },
        Check {
            name: "the client reports a refused connection without panicking",
            points: 1,
            hint: "When `TcpStream::connect` fails, return the error with `?` and let `main` print \
                   it. `unwrap()` turns it into a panic message instead of a clear error.",
            run: client_refused,
        },
    ],
};

fn start(ctx: &mut Ctx) -> Result<Server, Failure> {
    ctx.start_server(|addr| vec!["server".into(), addr.into()])
}

/// A short wait for bytes after the expected reply, when the server does
/// not close at once.
const QUIET_MS: u64 = 100;

/// Starts a server, sends `message` and expects its upper-cased form and
/// nothing more.
fn ask(ctx: &mut Ctx, message: &[u8]) -> Outcome {
    let mut server = start(ctx)?;
    let within = ctx.timing.reply();
    let did = format!("connected to {} and sent {}", server.addr, text::escape(message));
    send_or_fail(&mut server.conn, message, within, &did)?;
    let expected = message.to_ascii_uppercase();
    net::expect_only(&mut server.conn, &expected, within, ctx.timing.ms(QUIET_MS), &did).map_err(|failure| {
        if failure.meaning.as_deref().is_some_and(|m| m.contains("more byte")) {
            failure.hint("Send back only the bytes the read returned, `&buf[..n]`, not the whole buffer.")
        } else {
            failure
        }
    })
}

/// Sends `message` and reads whatever comes until the server closes (or
/// the reply deadline): for the checks that judge what happens after the
/// answer, whatever the answer was.
fn exchange_any(ctx: &mut Ctx, message: &[u8]) -> Result<(Server, String, crate::harness::Received), Failure> {
    let mut server = start(ctx)?;
    let within = ctx.timing.reply();
    let did = format!("connected to {} and sent {}", server.addr, text::escape(message));
    send_or_fail(&mut server.conn, message, within, &did)?;
    let got = server.conn.read_to_close(64 * 1024, within);
    Ok((server, did, got))
}

fn server_accepts(ctx: &mut Ctx) -> Outcome {
    let mut server = start(ctx)?;
    // The system completes a connection to a listening socket by itself and
    // queues it; only the server's `accept` takes it off that queue.
    let within = ctx.timing.reply();
    let deadline = Instant::now() + within;
    loop {
        match net::waiting_to_be_accepted(server.addr.port()) {
            // Not measurable here: the connection was made, which is all
            // that can be seen.
            None | Some(0) => return Ok(()),
            Some(_) if Instant::now() >= deadline => break,
            Some(_) => std::thread::sleep(Duration::from_millis(5)),
        }
        if let Some(status) = server.program.try_status() {
            let did = format!("connected to {}", server.addr);
            return Err(crate::harness::exited_early(
                &did,
                "the server to accept the connection",
                status,
                &server.program,
            ));
        }
    }
    server.conn.note("the connection is still in the listen queue: not accepted");
    Err(Failure::new(
        format!("connected to {}: the system completed the connection for the listening socket", server.addr),
        "the server to take the connection with `accept`",
        format!("after {} ms it was still waiting in the listen queue (backlog)", within.as_millis()),
    )
    .hint(
        "A listening socket lets clients connect before anyone calls `accept`: the system queues \
         them. Call `listener.accept()` to take the connection off that queue and talk to the client.",
    ))
}

fn server_upper_cases(ctx: &mut Ctx) -> Outcome {
    ask(ctx, b"hello")
}

fn server_ascii_only(ctx: &mut Ctx) -> Outcome {
    ask(ctx, "  Grüße aus 127.0.0.1, café & straße: ok? \r\n".as_bytes()).map_err(|failure| {
        // The reply is the expected one with its spaces or line end cut off
        // (and not, say, cut short by a small read buffer).
        let trimmed = failure.diff.as_ref().is_some_and(|(expected, got)| {
            got.as_slice() != expected.as_slice()
                && [expected.trim_ascii(), expected.trim_ascii_start(), expected.trim_ascii_end()]
                    .contains(&got.as_slice())
        });
        if trimmed {
            failure.hint(
                "The spaces and the `\\r\\n` are part of the message: send back every byte, \
                 upper-casing a-z only. Do not `trim` (Python: `strip`) what you read.",
            )
        } else {
            failure
        }
    })
}

fn server_closes(ctx: &mut Ctx) -> Outcome {
    let (_server, did, got) = exchange_any(ctx, b"bye")?;
    if got.complete() {
        return Ok(());
    }
    Err(Failure::new(
        format!("{did}, then read what came back and waited for the end of stream"),
        format!("the server to close the connection within {} ms", ctx.timing.reply().as_millis()),
        got.describe(),
    )
    .hint(if got.end == crate::harness::End::Reset {
        "Connection reset: your server closed the connection with unread bytes, or crashed. Read \
         the message before you answer and close."
    } else {
        "The client reads until end of stream, so it waits for the server to close: drop the \
         `TcpStream` (return from the function) once the answer is written."
    }))
}

fn server_exits(ctx: &mut Ctx) -> Outcome {
    let (mut server, did, _) = exchange_any(ctx, b"one client")?;
    drop(server.conn);
    let did = format!("{did}, read the answer, closed the connection");
    expect_exit(ctx, &mut server.program, &did, "the server to exit with status 0")
}

/// Runs the client against a checker-side listener; `serve` plays the server.
fn with_client(
    ctx: &mut Ctx,
    message: &str,
    serve: impl FnOnce(&mut Ctx, &mut net::Conn, &str) -> Outcome,
) -> Result<Program, Failure> {
    let mut client = ctx.start_client(|addr| vec!["client".into(), addr.into(), message.into()], Stdin::Closed)?;
    let did = format!("listened on {}, started `{}`", client.addr, client.program.log().command_line);
    serve(ctx, &mut client.conn, &did)?;
    Ok(client.program)
}

fn client_sends_message(ctx: &mut Ctx) -> Outcome {
    let message = "hello, server";
    with_client(ctx, message, |ctx, conn, did| {
        expect_bytes(conn, message.as_bytes(), ctx.timing.reply(), did)?;
        // Anything more within a short while is one byte too many.
        let extra = conn.read_until(ctx.timing.ms(100), |_| None);
        if !extra.bytes.is_empty() {
            let mut sent = message.as_bytes().to_vec();
            sent.extend_from_slice(&extra.bytes);
            return Err(Failure::new(
                did,
                text::escape(message.as_bytes()),
                format!("{}: extra bytes after MESSAGE", text::escape(&sent)),
            )
            .hint("Send MESSAGE exactly: no newline or other byte after it."));
        }
        Ok(())
    })
    .map(drop)
}

/// Checks that the client prints `reply` and a newline, then exits 0.
fn expect_printed(ctx: &mut Ctx, client: &mut Program, reply: &[u8], did: &str) -> Outcome {
    let status = expect_stdout(ctx, client, &[reply, b"\n"].concat(), did)?;
    expect_success(client, status, did, "the client to exit after printing the reply")
}

fn client_prints_reply(ctx: &mut Ctx) -> Outcome {
    let reply = b"THE CHECKER SAYS HI";
    let mut client = with_client(ctx, "hi", |ctx, conn, _| {
        conn.read_exact(2, ctx.timing.reply());
        let _ = conn.send(reply, ctx.timing.reply());
        Ok(())
    })?;
    let did = format!("acted as the server: read \"hi\", sent {}, closed", text::escape(reply));
    expect_printed(ctx, &mut client, reply, &did)
}

fn client_reads_until_close(ctx: &mut Ctx) -> Outcome {
    let (first, second) = (&b"FIRST PART, "[..], &b"SECOND PART"[..]);
    let pause = Duration::from_millis(200);
    let mut client = with_client(ctx, "split", |ctx, conn, _| {
        conn.read_exact(5, ctx.timing.reply());
        let _ = conn.send(first, ctx.timing.reply());
        std::thread::sleep(pause);
        let _ = conn.send(second, ctx.timing.reply());
        Ok(())
    })?;
    let did = format!(
        "acted as the server: sent {}, waited {} ms, sent {}, closed",
        text::escape(first),
        pause.as_millis(),
        text::escape(second)
    );
    expect_printed(ctx, &mut client, &[first, second].concat(), &did)
}

fn client_refused(ctx: &mut Ctx) -> Outcome {
    let port = net::free_tcp_port().map_err(|e| crate::harness::checker_trouble("find a free port", &e))?;
    let addr = format!("127.0.0.1:{port}");
    let mut client = ctx.spawn("client", &["client".into(), addr.clone(), "anyone there?".into()])?;
    let did = format!("started the client towards {addr}, where nothing listens");
    crate::harness::expect_error_exit(ctx, &mut client, &did)
}
