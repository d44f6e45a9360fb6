//! Lesson 2: the looping server. An echo server that serves one client
//! after another, many messages each, and a client that sends stdin's lines.

use super::{Check, Lesson};
use crate::harness::{
    checker_trouble, describe_status, exchange, expect_bytes, expect_closed, expect_exit, expect_stdout, net,
    send_or_fail, text, Conn, Ctx, End, Failure, Outcome, Program, Server, Stdin,
};
use std::net::SocketAddr;

pub static LESSON: Lesson = Lesson {
    number: 2,
    slug: "looping-server",
    title: "looping server",
    usage: &["server HOST:PORT", "client HOST:PORT   (lines on stdin)"],
    checks: &[
        Check {
            name: "one message is echoed exactly",
            points: 1,
            hint: "Write back exactly the bytes `read` returned: `&buf[..n]`, not the whole buffer.",
            run: echoes_one,
        },
        Check {
            name: "five messages on one connection are each echoed before the next is sent",
            points: 2,
            hint: "Keep reading from the same connection in a loop, answering each read at once, \
                   until a read returns 0.",
            run: echoes_five,
        },
        Check {
            name: "three clients one after another are all served by the same process",
            points: 2,
            hint: "Put `accept` in an outer loop: when one client is done, go back and accept the next.",
            run: serves_three_clients,
        },
        Check {
            name: "a client that connects and closes without sending does not stop the server",
            points: 1,
            hint: "A read that returns 0 at once means the client closed without a word: close that \
                   connection and go back to `accept`.",
            run: survives_silent_client,
        },
        Check {
            name: "a client that resets the connection does not stop the server",
            points: 2,
            hint: "A reset makes `read` (or `write`) return an error. Handle it for that connection \
                   (print it, drop the stream) instead of `unwrap()` or `?` out of the accept loop.",
            run: survives_reset,
        },
        Check {
            name: "a 1 MiB payload is echoed complete and in order while the checker is still sending",
            points: 2,
            hint: "Answer each piece as it arrives: read a chunk, `write_all` it, read the next. A \
                   server that waits for the end of the stream before answering never answers a \
                   client that is still sending.",
            run: echoes_while_receiving,
        },
        Check {
            name: "after the client half-closes, the server sends back everything and then closes",
            points: 1,
            hint: "A read that returns 0 means the client will send no more: finish writing, then \
                   close the connection (drop the stream) instead of reading again forever.",
            run: closes_after_half_close,
        },
        Check {
            name: "the client sends each stdin line and prints each answer in order",
            points: 2,
            hint: "Read stdin line by line; for each line send it with its newline, then read the \
                   answer up to its newline (`BufReader::read_line` on the stream) and print it.",
            run: client_sends_lines,
        },
        Check {
            name: "the client stops at an empty line, closes the connection and exits 0",
            points: 1,
            hint: "An empty line ends the session: stop the loop, let the stream drop (that closes \
                   it) and return `Ok(())`.",
            run: client_stops_at_empty_line,
        },
        Check {
            name: "the client exits 0 without hanging when stdin is empty",
            points: 1,
            hint: "At end of input `read_line` returns 0 (`lines()` ends): leave the loop instead of \
                   waiting for an answer to a line that was never sent.",
            run: client_empty_stdin,
        },
    ],
};

fn start(ctx: &mut Ctx) -> Result<Server, Failure> {
    ctx.start_server(|addr| vec!["server".into(), addr.into()])
}

fn echo(ctx: &Ctx, conn: &mut Conn, message: &[u8], did: &str) -> Outcome {
    exchange(conn, message, message, ctx.timing.reply(), did)
}

fn echoes_one(ctx: &mut Ctx) -> Outcome {
    let mut server = start(ctx)?;
    let did = format!("connected to {} and sent \"ping\"", server.addr);
    let within = ctx.timing.reply();
    send_or_fail(&mut server.conn, b"ping", within, &did)?;
    // The connection stays open: anything more within a short while is
    // more than the echo.
    net::expect_only(&mut server.conn, b"ping", within, ctx.timing.ms(100), &did).map_err(|failure| {
        match failure.meaning.as_deref() {
            Some(m) if m.contains("more byte") => {
                failure.hint("Write back exactly the bytes `read` returned, `&buf[..n]`: `&buf` is the whole buffer.")
            }
            _ => failure,
        }
    })
}

fn echoes_five(ctx: &mut Ctx) -> Outcome {
    let mut server = start(ctx)?;
    for i in 1..=5 {
        let message = format!("message {i} of 5\n");
        let did = format!("sent messages 1 to {i} on one connection, waiting for each echo before the next");
        echo(ctx, &mut server.conn, message.as_bytes(), &did)?;
    }
    Ok(())
}

/// Connects a further client to a running server and checks it is echoed.
fn next_client(ctx: &mut Ctx, program: &mut Program, addr: SocketAddr, what_before: &str) -> Outcome {
    let mut conn = ctx.connect_again(program, addr)?;
    let did = format!("{what_before}, then connected a new client and sent \"are you there?\"");
    echo(ctx, &mut conn, b"are you there?", &did).map_err(|failure| match program.try_status() {
        Some(status) => Failure::new(
            did.clone(),
            "the server to go on serving new clients",
            format!("your server {} after the earlier client", describe_status(status)),
        )
        .hint("The server must never exit because of what one client does: loop back to `accept`."),
        None if failure.got.starts_with("nothing") => failure.hint(
            "The connection was queued but never served: after the earlier client, does your \
             server go back to `accept`?",
        ),
        None => failure,
    })
}

fn serves_three_clients(ctx: &mut Ctx) -> Outcome {
    let Server { mut program, addr, mut conn } = start(ctx)?;
    echo(ctx, &mut conn, b"first client", &format!("connected to {addr} and sent \"first client\""))?;
    drop(conn);
    next_client(ctx, &mut program, addr, "served a first client and closed it")?;
    next_client(ctx, &mut program, addr, "served two clients one after another")
}

fn survives_silent_client(ctx: &mut Ctx) -> Outcome {
    let Server { mut program, addr, conn } = start(ctx)?;
    conn.note("closed by the checker without sending anything");
    drop(conn);
    next_client(ctx, &mut program, addr, "connected and closed without sending anything")
}

fn survives_reset(ctx: &mut Ctx) -> Outcome {
    let Server { mut program, addr, mut conn } = start(ctx)?;
    echo(ctx, &mut conn, b"about to vanish", &format!("connected to {addr} and sent \"about to vanish\""))?;
    conn.reset();
    // Give the server a moment to trip over the reset before the next client.
    std::thread::sleep(ctx.timing.ms(50));
    next_client(ctx, &mut program, addr, "reset the connection (SO_LINGER 0) in the middle of a session")
}

fn echoes_while_receiving(ctx: &mut Ctx) -> Outcome {
    let mut server = start(ctx)?;
    let payload: Vec<u8> = (0..1 << 20).map(|i: u32| (i % 251) as u8).collect();
    let within = ctx.timing.ms(5000);
    let mut got = server.conn.send_while_reading(&payload, within);
    if got.complete() && got.bytes == payload {
        // Anything after the payload is more than the echo.
        let extra = server.conn.read_any(ctx.timing.ms(100));
        if extra.bytes.is_empty() {
            return Ok(());
        }
        got.bytes.extend_from_slice(&extra.bytes);
        got.end = extra.end;
    }
    let did = format!(
        "sent 1048576 bytes (0, 1, 2 … 250, 0, 1 …) to {} while reading, without closing the sending side",
        server.addr
    );
    let expected = "the same 1048576 bytes back, in order";
    let failure = match text::first_difference(&payload, &got.bytes) {
        Some(at) if at == payload.len() => Failure::new(
            did,
            expected,
            format!(
                "the {} bytes, then {} more: {}",
                payload.len(),
                got.bytes.len() - at,
                text::escape(&got.bytes[at..])
            ),
        )
        .hint("Echo exactly the bytes of each read, `&buf[..n]`, not the whole buffer."),
        Some(at) if at < got.bytes.len() => Failure::new(
            did,
            expected,
            format!("{} bytes, wrong from byte {at} on ({})", got.bytes.len(), got.end.describe()),
        )
        .hint("Echo exactly the bytes of each read, `&buf[..n]`, in the order they came."),
        _ => Failure::new(did, expected, format!("{} bytes, {}", got.bytes.len(), got.end.describe())),
    };
    Err(match got.end {
        End::TimedOut(_) if got.bytes.is_empty() => failure.hint(
            "Nothing came back while the checker was sending: your server seems to wait for the \
             end of the stream (or for all the data) before answering. Echo each chunk as soon \
             as it is read.",
        ),
        _ => failure,
    })
}

fn closes_after_half_close(ctx: &mut Ctx) -> Outcome {
    let mut server = start(ctx)?;
    let message = b"last words";
    send_or_fail(&mut server.conn, message, ctx.timing.reply(), "sent \"last words\"")?;
    server.conn.shutdown_write();
    let got = server.conn.read_to_close(1 << 16, ctx.timing.reply());
    if got.complete() && got.bytes == message {
        return Ok(());
    }
    let did = format!("sent \"last words\" to {} and shut down the checker's sending side", server.addr);
    Err(Failure::mismatch(did, message, &got).hint(
        "After the client half-closes, your read returns 0: send what is left, then close the \
         connection. Reading again after 0 only returns 0 again, forever.",
    ))
}

/// Runs the client with `stdin`, plays an upper-casing server for
/// `expected_lines`, and returns the finished client.
fn run_client(ctx: &mut Ctx, stdin: &[u8], expected_lines: &[&str]) -> Result<(Program, Conn, String), Failure> {
    let mut client = ctx.start_client(|addr| vec!["client".into(), addr.into()], Stdin::Given(stdin))?;
    let did = format!("listened on {}, started the client with stdin {}", client.addr, text::escape(stdin));
    for line in expected_lines {
        let expected = format!("{line}\n");
        expect_bytes(&mut client.conn, expected.as_bytes(), ctx.timing.reply(), &did)?;
        let answer = format!("{}\n", line.to_uppercase());
        send_or_fail(&mut client.conn, answer.as_bytes(), ctx.timing.reply(), &did)?;
    }
    Ok((client.program, client.conn, did))
}

fn client_sends_lines(ctx: &mut Ctx) -> Outcome {
    // The last line has no newline: the client adds one.
    let (mut client, _conn, did) = run_client(ctx, b"alpha\nbeta\ngamma", &["alpha", "beta", "gamma"])?;
    let did = format!("{did}, answered each line upper-cased");
    match expect_stdout(ctx, &mut client, b"ALPHA\nBETA\nGAMMA\n", &did)? {
        Some(_) => Ok(()),
        None => Err(Failure::new(did, "the client to exit at the end of its input", "it was still running")),
    }
}

fn client_stops_at_empty_line(ctx: &mut Ctx) -> Outcome {
    let (mut client, mut conn, did) = run_client(ctx, b"one\n\nnot this one\n", &["one"])?;
    let did = format!("{did}, answered \"ONE\\n\"");
    expect_closed(&mut conn, ctx.timing.reply(), &did, "the client to close the connection at the empty line")?;
    expect_exit(ctx, &mut client, &did, "the client to exit")
}

fn client_empty_stdin(ctx: &mut Ctx) -> Outcome {
    let (_listener, addr) = net::listen_loopback().map_err(|e| checker_trouble("listen", &e))?;
    let mut client = ctx.spawn_with_stdin("client", &["client".into(), addr.to_string()])?;
    client.close_stdin();
    let did = format!("started the client towards {addr} with an empty stdin");
    expect_exit(ctx, &mut client, &did, "the client to exit 0")
}
