//! Lesson 5: UDP broadcast. A sender that broadcasts on the loopback
//! network, and receivers that share one port.

use super::{Check, Lesson};
use crate::harness::udp::{broadcaster, reusable_receiver, LOOPBACK_BROADCAST};
use crate::harness::{
    checker_trouble, exited_early, expect_exit, expect_printed_line, text, Ctx, Failure, Outcome, Program, Udp,
};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

pub static LESSON: Lesson = Lesson {
    number: 5,
    slug: "broadcast",
    title: "UDP broadcast",
    usage: &["sender 127.255.255.255:PORT MESSAGE [--count N] [--interval-ms I]", "receiver PORT"],
    checks: &[
        Check {
            name: "the sender's broadcast reaches a receiver (SO_BROADCAST is set)",
            points: 2,
            hint: "Sending to a broadcast address is refused (\"Permission denied\") unless the socket \
                   has SO_BROADCAST: `socket.set_broadcast(true)` before `send_to`.",
            run: sender_broadcasts,
        },
        Check {
            name: "two receivers on the same port both get every datagram of the sender",
            points: 2,
            hint: "Send to the broadcast address given, not to one receiver: every socket bound to \
                   that port gets a copy.",
            run: sender_reaches_two,
        },
        Check {
            name: "the sender honours --count and --interval-ms",
            points: 1,
            hint: "Send N datagrams with a pause of I ms between two of them (N−1 pauses): \
                   `thread::sleep(Duration::from_millis(i))`.",
            run: sender_count_and_interval,
        },
        Check {
            name: "the receiver prints a broadcast as soon as it arrives",
            points: 2,
            hint: "Print each datagram on its own line and flush stdout at once (`println!` flushes \
                   at each newline in Rust; in Python use `print(..., flush=True)`). Output that \
                   waits in a buffer reaches no one while the program runs.",
            run: receiver_prints,
        },
        Check {
            name: "the receiver prints the sender's real address and port",
            points: 1,
            hint: "`recv_from` returns the sender's address: print it as `ip:port`, then a space and \
                   the message.",
            run: receiver_shows_source,
        },
        Check {
            name: "two receivers on the same port both start and both print each broadcast",
            points: 2,
            hint: "A second `bind` to a port in use fails unless every socket on it set SO_REUSEADDR \
                   (and on Unix SO_REUSEPORT) before binding. `std::net` cannot, `socket2` can: \
                   `Socket::new`, `set_reuse_address(true)`, `set_reuse_port(true)`, then `bind`.",
            run: two_receivers,
        },
    ],
};

/// A port that nothing uses at the moment, chosen by the system.
fn free_port() -> Result<u16, Failure> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").map_err(|e| checker_trouble("find a free port", &e))?;
    socket.local_addr().map(|a| a.port()).map_err(|e| checker_trouble("find a free port", &e))
}

/// Two checker receivers on one free port.
fn checker_receivers(ctx: &mut Ctx) -> Result<(u16, Udp, Udp), Failure> {
    let first = reusable_receiver(0).map_err(|e| checker_trouble("bind a receiver", &e))?;
    let port = first.local_addr().map_err(|e| checker_trouble("read an address", &e))?.port();
    let second = reusable_receiver(port).map_err(|e| checker_trouble("bind a second receiver", &e))?;
    Ok((port, ctx.wrap_udp("receiver", first), ctx.wrap_udp("receiver", second)))
}

/// Runs the sender with `--count` and `--interval-ms` (`interval` is
/// already scaled by `SOCKETLINGS_SLOW`, like every window of the check).
fn run_sender(ctx: &mut Ctx, port: u16, message: &str, count: u32, interval: Duration) -> Result<Program, Failure> {
    let target = SocketAddr::from((LOOPBACK_BROADCAST, port)).to_string();
    let interval = interval.as_millis().to_string();
    let args = ["sender", &target, message, "--count", &count.to_string(), "--interval-ms", &interval];
    ctx.spawn("sender", &args.map(String::from))
}

/// Collects the datagrams `receiver` gets until the sender has exited and
/// a little after; returns them with the moments they arrived (stamped by
/// a thread that receives them as they come). A sender that sent nothing
/// and still runs at the end is remembered as never ready.
fn gather(ctx: &Ctx, sender: &mut Program, receiver: &Udp, within: Duration) -> Vec<(Vec<u8>, Instant)> {
    let Ok(arrivals) = receiver.arrivals() else { return Vec::new() };
    let deadline = Instant::now() + within;
    let mut got = Vec::new();
    let mut exited_at = None;
    while Instant::now() < deadline && got.len() < 100 {
        if exited_at.is_none() && sender.try_status().is_some() {
            exited_at = Some(Instant::now());
        }
        if exited_at.is_some_and(|at| at.elapsed() > ctx.timing.ms(100)) {
            break;
        }
        if let Some(d) = arrivals.next(Duration::from_millis(10)) {
            got.push((d.datagram.bytes, d.at));
        }
    }
    if got.is_empty() {
        ctx.mark_never_ready(sender, format!("the sender sent nothing within {} ms", within.as_millis()));
    } else {
        ctx.mark_ready(sender);
    }
    got
}

/// The failure of a sender whose datagrams never arrived.
fn nothing_arrived(did: &str, expected: &str, sender: &mut Program) -> Failure {
    let (err, _) = sender.stderr().snapshot();
    let err = String::from_utf8_lossy(&err).to_lowercase();
    let failure = Failure::new(did, expected, "no datagram arrived");
    if err.contains("permission denied") || err.contains("os error 13") || err.contains("errno 13") {
        failure.hint(
            "Your sender's send failed with \"Permission denied\": the system refuses to send to a \
             broadcast address unless the socket has SO_BROADCAST. Call `set_broadcast(true)` first.",
        )
    } else {
        failure
    }
}

fn sender_broadcasts(ctx: &mut Ctx) -> Outcome {
    let (port, receiver, _) = checker_receivers(ctx)?;
    let mut sender = run_sender(ctx, port, "hello everyone", 1, ctx.timing.ms(10))?;
    let did = format!(
        "bound a receiver to 0.0.0.0:{port}, ran the sender towards {LOOPBACK_BROADCAST}:{port} with --count 1"
    );
    let got = gather(ctx, &mut sender, &receiver, ctx.timing.exit());
    match got.first() {
        Some((bytes, _)) if bytes == b"hello everyone" => Ok(()),
        Some((bytes, _)) => Err(Failure::new(did, "\"hello everyone\"", text::escape(bytes))),
        None => Err(nothing_arrived(&did, "one datagram \"hello everyone\"", &mut sender)),
    }
}

fn sender_reaches_two(ctx: &mut Ctx) -> Outcome {
    let (port, first, second) = checker_receivers(ctx)?;
    let interval = ctx.timing.ms(30);
    let mut sender = run_sender(ctx, port, "to all", 3, interval)?;
    let did = format!(
        "bound two receivers to 0.0.0.0:{port}, ran the sender with --count 3 --interval-ms {}",
        interval.as_millis()
    );
    let within = ctx.timing.exit();
    let a = gather(ctx, &mut sender, &first, within);
    let b = gather(ctx, &mut sender, &second, ctx.timing.ms(50));
    for (name, got) in [("first", &a), ("second", &b)] {
        if got.is_empty() {
            return Err(nothing_arrived(&did, &format!("3 datagrams on the {name} receiver"), &mut sender));
        }
        if got.len() != 3 || got.iter().any(|(m, _)| m != b"to all") {
            let shown: Vec<String> = got.iter().map(|(m, _)| text::escape(m)).collect();
            return Err(Failure::new(&did, format!("3 datagrams \"to all\" on the {name} receiver"), shown.join(", ")));
        }
    }
    Ok(())
}

fn sender_count_and_interval(ctx: &mut Ctx) -> Outcome {
    let (port, receiver, _) = checker_receivers(ctx)?;
    let (count, interval) = (5u32, ctx.timing.ms(80));
    let mut sender = run_sender(ctx, port, "tick", count, interval)?;
    let did = format!("ran the sender with --count {count} --interval-ms {}", interval.as_millis());
    let span_expected = interval * (count - 1);
    let expected = format!("{count} datagrams over about {} ms, then exit 0", span_expected.as_millis());
    let got = gather(ctx, &mut sender, &receiver, span_expected + ctx.timing.ms(2000));
    if got.is_empty() {
        return Err(nothing_arrived(&did, &expected, &mut sender));
    }
    if got.len() != count as usize {
        return Err(Failure::new(did, expected, format!("{} datagrams", got.len())));
    }
    let span = got[got.len() - 1].1.duration_since(got[0].1);
    if span < span_expected * 6 / 10 || span > span_expected * 2 + ctx.timing.ms(200) {
        return Err(Failure::new(did, expected, format!("{} datagrams over {} ms", got.len(), span.as_millis())));
    }
    expect_exit(ctx, &mut sender, &did, "the sender to exit after its last datagram")
}

/// The datagram broadcast until a receiver shows it received one.
const PROBE: &str = "probe";

/// Whether `line` is the probe as a receiver prints it: `<ip:port> probe`
/// (or `probe` alone: the source is another check's business).
fn is_probe_line(line: &str) -> bool {
    let line = line.trim_end_matches('\r');
    line == PROBE || line.ends_with(&format!(" {PROBE}"))
}

/// Starts a receiver on `port` and broadcasts probes (every 50 ms, within the
/// ready deadline) until it prints a line with the probe: only a broadcast
/// printed shows it receives (a start-up banner does not).
fn start_receiver(ctx: &mut Ctx, port: u16, sender: &Udp) -> Result<Program, Failure> {
    let mut receiver = ctx.spawn("receiver", &["receiver".into(), port.to_string()])?;
    let target = SocketAddr::from((LOOPBACK_BROADCAST, port));
    let did = format!("started `{}` and broadcast \"{PROBE}\" to {target} every 50 ms", receiver.log().command_line);
    let within = ctx.timing.ready();
    let deadline = Instant::now() + within;
    let printed_probe = |out: &[u8]| String::from_utf8_lossy(out).lines().any(is_probe_line);
    while Instant::now() < deadline {
        let _ = sender.send_to(PROBE.as_bytes(), target);
        let (_, printed) = receiver.stdout().wait_for(Instant::now() + Duration::from_millis(50), printed_probe);
        if printed {
            ctx.mark_ready(&receiver);
            return Ok(receiver);
        }
        if let Some(status) = receiver.try_status() {
            return Err(exited_early(&did, "the receiver to print the probe", status, &receiver));
        }
    }
    ctx.mark_never_ready(&mut receiver, format!("the receiver printed no broadcast within {} ms", within.as_millis()));
    let (out, _) = receiver.stdout().snapshot();
    let got = match String::from_utf8_lossy(&out).lines().next() {
        Some(line) => format!("only the line {} in {} ms", text::escape(line.as_bytes()), within.as_millis()),
        None => format!("nothing printed in {} ms", within.as_millis()),
    };
    Err(Failure::new(did, format!("a line with the broadcast \"{PROBE}\" on stdout"), got))
}

/// Broadcasts `message` and expects the line `<sender> <message>` from `receiver`.
fn expect_printed_broadcast(
    ctx: &Ctx,
    receiver: &Program,
    sender: &Udp,
    port: u16,
    message: &str,
    did: &str,
) -> Outcome {
    let from = sender.local_addr().map_err(|e| checker_trouble("read an address", &e))?;
    let target = SocketAddr::from((LOOPBACK_BROADCAST, port));
    sender.send_to(message.as_bytes(), target).map_err(|e| checker_trouble("broadcast", &e))?;
    expect_printed_line(receiver, &format!("{from} {message}"), ctx.timing.reply(), did)
}

fn receiver_prints(ctx: &mut Ctx) -> Outcome {
    let port = free_port()?;
    let sender = ctx.wrap_udp("sender", broadcaster().map_err(|e| checker_trouble("make a broadcast socket", &e))?);
    let receiver = start_receiver(ctx, port, &sender).map_err(|failure| {
        if failure.got.starts_with("nothing printed") {
            failure.meaning(
                "Your receiver is running but printed nothing: either it receives nothing (is it \
                 bound to 0.0.0.0 and the port given?) or its output waits in a buffer.",
            )
        } else {
            failure
        }
    })?;
    // The receiver prints datagrams and nothing else: its first line is the
    // first broadcast it received.
    let (out, _) = receiver.stdout().snapshot();
    let out = String::from_utf8_lossy(&out);
    let first = out.lines().next().unwrap_or_default();
    if is_probe_line(first) {
        return Ok(());
    }
    let target = SocketAddr::from((LOOPBACK_BROADCAST, port));
    Err(Failure::new(
        format!("started `{}` and broadcast \"{PROBE}\" to {target}", receiver.log().command_line),
        format!("its first line to be the broadcast: `<ip>:<port> {PROBE}`"),
        format!("the first line {}", text::escape(first.as_bytes())),
    )
    .hint("Print each datagram received, on a line of its own, and nothing else (no start-up banner): the lines are what the other program reads."))
}

fn receiver_shows_source(ctx: &mut Ctx) -> Outcome {
    let port = free_port()?;
    let sender = ctx.wrap_udp("sender", broadcaster().map_err(|e| checker_trouble("make a broadcast socket", &e))?);
    let receiver = start_receiver(ctx, port, &sender)?;
    let did = format!("broadcast \"hello, receivers\" to {LOOPBACK_BROADCAST}:{port}");
    expect_printed_broadcast(ctx, &receiver, &sender, port, "hello, receivers", &did)
}

fn two_receivers(ctx: &mut Ctx) -> Outcome {
    let port = free_port()?;
    let sender = ctx.wrap_udp("sender", broadcaster().map_err(|e| checker_trouble("make a broadcast socket", &e))?);
    let first = start_receiver(ctx, port, &sender)?;
    let second = start_receiver(ctx, port, &sender).map_err(|f| {
        f.hint(
            "The second receiver could not share the port: set SO_REUSEADDR (and on Unix \
             SO_REUSEPORT) with `socket2` before `bind`, in every receiver.",
        )
    })?;
    let did = format!("started two receivers on port {port}, then broadcast \"both of you\"");
    expect_printed_broadcast(ctx, &first, &sender, port, "both of you", &format!("{did} (first receiver)"))?;
    let from = sender.local_addr().map_err(|e| checker_trouble("read an address", &e))?;
    let expected = format!("{from} both of you");
    let (_, found) = second.stdout().wait_for(Instant::now() + ctx.timing.reply(), |out| {
        String::from_utf8_lossy(out).lines().any(|l| l.trim_end_matches('\r') == expected)
    });
    if found {
        Ok(())
    } else {
        Err(Failure::new(format!("{did} (second receiver)"), format!("the line \"{expected}\""), "no such line"))
    }
}
