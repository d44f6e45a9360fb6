//! Lesson 4: UDP. An echo server for datagrams, and a client that waits
//! with a timeout and sends again.

use super::{Check, Lesson};
use crate::harness::udp::{Arrivals, Stamped};
use crate::harness::{
    blame_exit, checker_trouble, describe_status, exited_early, expect_stdout, expect_success, text, Ctx, Failure,
    Outcome, Program, Udp, UdpServer,
};
use std::net::SocketAddr;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

pub static LESSON: Lesson = Lesson {
    number: 4,
    slug: "udp",
    title: "UDP",
    usage: &["server HOST:PORT", "client HOST:PORT MESSAGE [--timeout-ms T] [--retries R]"],
    checks: &[
        Check {
            name: "a datagram is echoed exactly, to the sender's own address",
            points: 2,
            hint: "`recv_from` returns the bytes *and* the sender's address: answer with \
                   `socket.send_to(&buf[..n], from)`, never to a fixed address.",
            run: echoes_to_sender,
        },
        Check {
            name: "two sockets on different ports each get their own answer",
            points: 1,
            hint: "Every datagram says where it came from. Answer each one to its own `from` \
                   address: a UDP server talks to many clients through one socket.",
            run: two_senders,
        },
        Check {
            name: "three datagrams sent back to back come back as three datagrams",
            points: 1,
            hint: "UDP keeps message boundaries: one `recv_from` returns exactly one datagram. \
                   Answer each one on its own with one `send_to`.",
            run: keeps_boundaries,
        },
        Check {
            name: "an 8000-byte datagram comes back whole",
            points: 2,
            hint: "A datagram longer than the buffer given to `recv_from` is cut to the buffer's \
                   size and the rest is lost. Use a buffer of 65,507 bytes, the largest UDP payload.",
            run: large_datagram,
        },
        Check {
            name: "an empty datagram is answered, and the server keeps serving",
            points: 1,
            hint: "In UDP a 0-byte datagram is a real message, not an end of stream: there is no \
                   stream. Answer it like any other and go on.",
            run: empty_datagram,
        },
        Check {
            name: "the client sends exactly MESSAGE as one datagram",
            points: 1,
            hint: "Send the bytes of MESSAGE in one `send_to`, nothing added.",
            run: client_sends_message,
        },
        Check {
            name: "the client prints the answer and exits 0",
            points: 1,
            hint: "After `recv_from`, print the datagram's bytes and a newline, then return `Ok(())`.",
            run: client_prints_answer,
        },
        Check {
            name: "the client sends again after its timeout when no answer comes",
            points: 2,
            hint: "Set a read timeout (`set_read_timeout(Some(Duration::from_millis(t)))`). When \
                   `recv_from` fails with `WouldBlock` or `TimedOut`, send the datagram again.",
            run: client_resends,
        },
        Check {
            name: "the client gives up after R+1 tries, about (R+1)·T ms, with a non-zero exit",
            points: 2,
            hint: "Count the tries: the first send plus at most R resends, each followed by a wait of \
                   T ms. Then say so on stderr and return an error.",
            run: client_gives_up,
        },
    ],
};

/// The client's timeout (before `SOCKETLINGS_SLOW`) and retries in the
/// client checks: small, to stay fast.
const TIMEOUT_MS: u64 = 200;
const RETRIES: u32 = 2;

fn start(ctx: &mut Ctx) -> Result<UdpServer, Failure> {
    ctx.start_udp_server(|addr| vec!["server".into(), addr.into()], b"probe")
}

/// Sends `message` from `socket` and expects the same bytes back from the server.
fn expect_echo(ctx: &Ctx, socket: &Udp, server: SocketAddr, message: &[u8], did: &str) -> Outcome {
    socket.send_to(message, server).map_err(|e| Failure::new(did, "to send", e.to_string()))?;
    let expected = text::escape(message);
    match socket.recv(ctx.timing.reply()) {
        Ok(d) if d.bytes == message && d.from == server => Ok(()),
        Ok(d) if d.from != server => {
            Err(Failure::new(did, format!("{expected} from {server}"), format!("a datagram from {}", d.from)))
        }
        Ok(d) => Err(Failure::new(did, expected, text::escape(&d.bytes)).diff(message, d.bytes)),
        Err(end) => Err(Failure::new(did, expected, format!("no datagram: {}", end.describe()))),
    }
}

fn echoes_to_sender(ctx: &mut Ctx) -> Outcome {
    let server = start(ctx)?;
    let socket = ctx.udp()?;
    let did = format!("sent \"ping\" to {} from a new socket", server.addr);
    expect_echo(ctx, &socket, server.addr, b"ping", &did).map_err(|f| {
        if f.got.starts_with("no datagram") {
            f.hint("Your server answered the checker's earlier probe, but not this socket: does it reply to a fixed address instead of each datagram's `from`?")
        } else {
            f
        }
    })
}

fn two_senders(ctx: &mut Ctx) -> Outcome {
    let server = start(ctx)?;
    let (a, b) = (ctx.udp()?, ctx.udp()?);
    // One after the other, each answer awaited: this check is about where an
    // answer goes. (Datagrams back to back are another check's.)
    let did =
        format!("sent \"from A\" from socket A and read its answer, then \"from B\" from socket B, to {}", server.addr);
    for (socket, name, message) in [(&a, "A", &b"from A"[..]), (&b, "B", b"from B")] {
        socket.send_to(message, server.addr).map_err(|e| Failure::new(&did, "to send", e.to_string()))?;
        let expected = format!("socket {name} to get {}", text::escape(message));
        match socket.recv(ctx.timing.reply()) {
            Ok(d) if d.bytes == message => {}
            Ok(d) => return Err(Failure::new(&did, expected, text::escape(&d.bytes))),
            Err(end) => return Err(Failure::new(&did, expected, end.describe())),
        }
    }
    Ok(())
}

fn keeps_boundaries(ctx: &mut Ctx) -> Outcome {
    let server = start(ctx)?;
    let socket = ctx.udp()?;
    let messages: [&[u8]; 3] = [b"one", b"two", b"three"];
    let did = format!("sent \"one\", \"two\" and \"three\" back to back to {}", server.addr);
    for m in messages {
        socket.send_to(m, server.addr).map_err(|e| Failure::new(&did, "to send", e.to_string()))?;
    }
    let mut got = socket.collect(ctx.timing.reply(), 3);
    // A fourth datagram, soon after, is one too many.
    if got.len() == 3 {
        got.extend(socket.poll(ctx.timing.ms(100)));
    }
    let mut got: Vec<&[u8]> = got.iter().map(|d| d.bytes.as_slice()).collect();
    // UDP does not promise order (a server may answer each datagram from a
    // process of its own): the count and the contents must match, in any order.
    let shown = show(&got);
    got.sort_unstable();
    let mut wanted = messages.to_vec();
    wanted.sort_unstable();
    if got == wanted {
        return Ok(());
    }
    Err(Failure::new(
        did,
        format!("three datagrams, in any order: {}", show(&messages)),
        format!("{} datagram(s): {shown}", got.len()),
    ))
}

/// Datagrams as a list a person reads: "\"one\", \"two\"".
fn show(list: &[&[u8]]) -> String {
    list.iter().map(|m| text::escape(m)).collect::<Vec<_>>().join(", ")
}

fn large_datagram(ctx: &mut Ctx) -> Outcome {
    let server = start(ctx)?;
    let socket = ctx.udp()?;
    let payload: Vec<u8> = (0..8000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let did = format!("sent one datagram of 8000 bytes to {}", server.addr);
    socket.send_to(&payload, server.addr).map_err(|e| Failure::new(&did, "to send", e.to_string()))?;
    match socket.recv(ctx.timing.reply()) {
        Ok(d) if d.bytes == payload => Ok(()),
        Ok(d) if payload.starts_with(&d.bytes) => Err(Failure::new(
            did,
            "the same 8000 bytes in one datagram",
            format!("a datagram of {} bytes", d.bytes.len()),
        )
        .meaning(format!(
            "Your server's answer held only the first {} bytes: its receive buffer is {} bytes, so \
             `recv_from` cut the datagram short and the rest was lost.",
            d.bytes.len(),
            d.bytes.len()
        ))),
        Ok(d) => {
            Err(Failure::new(did, "the same 8000 bytes in one datagram", format!("{} different bytes", d.bytes.len())))
        }
        Err(end) => Err(Failure::new(did, "the same 8000 bytes in one datagram", end.describe())),
    }
}

fn empty_datagram(ctx: &mut Ctx) -> Outcome {
    let mut server = start(ctx)?;
    let socket = ctx.udp()?;
    let did = format!("sent an empty datagram to {}", server.addr);
    expect_echo(ctx, &socket, server.addr, b"", &did).map_err(|f| blame_exit(f, &mut server.program, None))?;
    expect_echo(ctx, &socket, server.addr, b"still there?", &format!("{did}, then \"still there?\""))
}

/// A client the check started, the checker's socket it sends to (received
/// by a thread that stamps each datagram as it arrives), and the timeout
/// it was given.
struct Client {
    program: Program,
    /// The checker's socket: answers go from it, as a server's would.
    socket: Udp,
    arrivals: Arrivals,
    timeout: Duration,
    did: String,
}

/// Starts the client towards a checker socket, with `--timeout-ms` scaled by
/// `SOCKETLINGS_SLOW` like every deadline of the check.
fn start_client(ctx: &mut Ctx, message: &str) -> Result<Client, Failure> {
    let socket = ctx.udp()?;
    let addr = socket.local_addr().map_err(|e| checker_trouble("read an address", &e))?;
    let arrivals = socket.arrivals().map_err(|e| checker_trouble("receive datagrams", &e))?;
    let timeout = ctx.timing.ms(TIMEOUT_MS).max(Duration::from_millis(1));
    let (addr, ms, retries) = (addr.to_string(), timeout.as_millis().to_string(), RETRIES.to_string());
    let args = ["client", &addr, message, "--timeout-ms", &ms, "--retries", &retries].map(String::from);
    let program = ctx.spawn("client", &args)?;
    let did = format!("started `{}` (the checker plays the server)", program.log().command_line);
    Ok(Client { program, socket, arrivals, timeout, did })
}

/// The client's first datagram, as soon as it arrives; a client that exits
/// first fails at once, with its exit status and stderr.
fn first_datagram(ctx: &mut Ctx, client: &mut Client) -> Result<Stamped, Failure> {
    let within = ctx.timing.ready();
    let deadline = Instant::now() + within;
    loop {
        if let Some(first) = client.arrivals.next(Duration::from_millis(20)) {
            ctx.mark_ready(&client.program);
            return Ok(first);
        }
        if let Some(status) = client.program.try_status() {
            // It may have sent just before it exited.
            if let Some(first) = client.arrivals.next(Duration::from_millis(20)) {
                ctx.mark_ready(&client.program);
                return Ok(first);
            }
            return Err(exited_early(&client.did, "a datagram from the client", status, &client.program));
        }
        if Instant::now() >= deadline {
            ctx.mark_never_ready(
                &mut client.program,
                format!("the client never sent a datagram within {} ms", within.as_millis()),
            );
            return Err(Failure::new(
                &client.did,
                "a datagram from the client",
                format!("no datagram within {} ms", within.as_millis()),
            )
            .hint("The client sends MESSAGE to the address on its command line with `send_to`."));
        }
    }
}

fn client_sends_message(ctx: &mut Ctx) -> Outcome {
    let message = "hello over UDP";
    let mut client = start_client(ctx, message)?;
    let d = first_datagram(ctx, &mut client)?.datagram;
    if d.bytes == message.as_bytes() {
        return Ok(());
    }
    Err(Failure::new(client.did, text::escape(message.as_bytes()), text::escape(&d.bytes)).diff(message, d.bytes))
}

/// Waits for the client to exit and expects `answer` and a newline on stdout.
fn expect_printed(ctx: &Ctx, client: &mut Program, answer: &[u8], did: &str) -> Outcome {
    let status = expect_stdout(ctx, client, &[answer, b"\n"].concat(), did)?;
    expect_success(client, status, did, "the client to exit after printing the answer")
}

fn client_prints_answer(ctx: &mut Ctx) -> Outcome {
    let mut client = start_client(ctx, "ping")?;
    let d = first_datagram(ctx, &mut client)?.datagram;
    let answer = b"PONG FROM THE CHECKER";
    let _ = client.socket.send_to(answer, d.from);
    let did = format!("{}, answered {}", client.did, text::escape(answer));
    expect_printed(ctx, &mut client.program, answer, &did)
}

fn client_resends(ctx: &mut Ctx) -> Outcome {
    let mut client = start_client(ctx, "anyone?")?;
    let first = first_datagram(ctx, &mut client)?;
    let timeout = client.timeout;
    let t = timeout.as_millis();
    let did = format!("{}, ignored its first datagram", client.did);
    // Both times are stamped where the datagrams arrived.
    let second = client.arrivals.next_until(first.at + timeout * 4 + ctx.timing.reply()).ok_or_else(|| {
        let status = client.program.try_status().map(|s| format!(", and the client {}", describe_status(s)));
        Failure::new(
            &did,
            format!("the same datagram again after about {t} ms"),
            format!(
                "no second datagram within {} ms{}",
                (timeout * 4 + ctx.timing.reply()).as_millis(),
                status.unwrap_or_default()
            ),
        )
    })?;
    let gap = second.at.duration_since(first.at);
    if second.datagram.bytes != first.datagram.bytes {
        return Err(Failure::new(&did, "the same datagram again", text::escape(&second.datagram.bytes)));
    }
    if gap < timeout * 7 / 10 {
        return Err(Failure::new(&did, format!("a resend after about {t} ms (--timeout-ms)"), format!("a resend after {} ms", gap.as_millis()))
            .hint("Wait for the answer (with the read timeout) before sending again: a resend only makes sense once the wait is over."));
    }
    let answer = b"here I am";
    let _ = client.socket.send_to(answer, second.datagram.from);
    expect_printed(ctx, &mut client.program, answer, &format!("{did}, answered the second"))
}

/// Counts the client's datagrams until it exits (or clearly will not), and
/// how long after the first one it ended: times run from the first
/// datagram's arrival, whenever the client started.
fn count_until_exit(
    ctx: &Ctx,
    client: &mut Client,
    first: Instant,
    tries: u32,
) -> (usize, Option<ExitStatus>, Duration) {
    let deadline = first + client.timeout * tries + ctx.timing.ms(1500);
    let mut datagrams = 1;
    let (status, elapsed) = loop {
        if let Some(status) = client.program.try_status() {
            break (Some(status), first.elapsed());
        }
        if Instant::now() >= deadline {
            break (None, first.elapsed());
        }
        datagrams += usize::from(client.arrivals.next(Duration::from_millis(10)).is_some());
    };
    while client.arrivals.next(Duration::from_millis(20)).is_some() {
        datagrams += 1;
    }
    (datagrams, status, elapsed)
}

fn client_gives_up(ctx: &mut Ctx) -> Outcome {
    let mut client = start_client(ctx, "hello?")?;
    let first = first_datagram(ctx, &mut client)?;
    let timeout = client.timeout;
    let did = format!("{} and never answered", client.did);
    let tries = RETRIES + 1;
    let expected = format!(
        "{tries} datagrams (1 + {RETRIES} resends), then a non-zero exit about {} ms after the first",
        (timeout * tries).as_millis()
    );
    let (datagrams, status, elapsed) = count_until_exit(ctx, &mut client, first.at, tries);
    let Some(status) = status else {
        return Err(Failure::new(
            did,
            expected,
            format!(
                "{datagrams} datagram(s), and the client was still running {} ms after the first",
                elapsed.as_millis()
            ),
        )
        .hint("Stop after R resends: a client must not wait forever for an answer that may never come."));
    };
    if datagrams != tries as usize {
        return Err(Failure::new(
            did,
            expected,
            format!("{datagrams} datagram(s), then the client {}", describe_status(status)),
        ));
    }
    if status.success() {
        return Err(Failure::new(did, expected, "exit status 0")
            .hint("No answer at all is a failure: return an error so the exit status is non-zero."));
    }
    let (low, high) = (timeout * RETRIES, timeout * tries + ctx.timing.ms(700));
    if !(low..=high).contains(&elapsed) {
        return Err(Failure::new(
            did,
            expected,
            format!("the client gave up {} ms after its first datagram", elapsed.as_millis()),
        )
        .hint("Each try waits --timeout-ms for the answer: no more, no less."));
    }
    let (err, _) = client.program.stderr().snapshot();
    if err.iter().all(u8::is_ascii_whitespace) {
        return Err(Failure::new(did, "a message on stderr saying no answer came", "nothing on stderr"));
    }
    Ok(())
}
