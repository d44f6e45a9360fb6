//! Lesson 8: socket options and addresses. An echo server built with
//! `socket2` that reports its real address, shares its port, names its
//! peers, and hangs up on idle clients.

use super::{Check, Lesson};
use crate::harness::{
    checker_trouble, exchange, exited_early, expect_closed, expect_line, expect_printed_line, net, Conn, Ctx, Failure,
    Outcome, Program,
};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

pub static LESSON: Lesson = Lesson {
    number: 8,
    slug: "socket-options",
    title: "socket options",
    usage: &["server HOST:PORT [--idle-timeout-ms T]"],
    checks: &[
        Check {
            name: "with port 0, the server prints the address it really got and accepts there",
            points: 2,
            hint: "Port 0 asks the system to choose. Print `listener.local_addr()` (getsockname) \
                   after `bind`, not the address you were given.",
            run: prints_real_address,
        },
        Check {
            name: "the peer address printed and sent is the checker's own address",
            points: 2,
            hint: "`stream.peer_addr()` (getpeername), or the address `accept` returns, is the \
                   client's `ip:port`: print `connected <peer>` and send `you are <peer>`.",
            run: names_the_peer,
        },
        Check {
            name: "each line is echoed back",
            points: 1,
            hint: "After the greeting, read lines (`BufReader::read_line`) and write each back.",
            run: echoes_lines,
        },
        Check {
            name: "two servers on the same fixed port both bind and both serve",
            points: 2,
            hint: "SO_REUSEPORT lets several processes bind the same port; the kernel spreads new \
                   connections between them. Set it (and SO_REUSEADDR) with `socket2` before `bind`.",
            run: two_instances,
        },
        Check {
            name: "an idle client gets `timeout` after about T ms and is closed",
            points: 2,
            hint: "`set_read_timeout(Some(t))` makes a blocking read fail with `WouldBlock` or \
                   `TimedOut` after t: then send `timeout` and close.",
            run: idle_timeout,
        },
        Check {
            name: "a client that talks more often than every T ms is never cut off",
            points: 1,
            hint: "The idle timer restarts with every read: a read timeout does exactly that, since \
                   each `read` call waits at most T afresh.",
            run: busy_client_stays,
        },
        Check {
            name: "a server killed with a connection open starts again on the same port at once",
            points: 1,
            hint: "A port whose connection was just closed stays in TIME_WAIT for a while; SO_REUSEADDR \
                   lets a new listener bind it anyway. (On Unix `TcpListener::bind` sets it for you; \
                   with `socket2` you set it yourself.)",
            run: restarts_at_once,
        },
    ],
};

/// The idle timeout the checks pass (`--idle-timeout-ms`), before
/// `SOCKETLINGS_SLOW` scales it like every window of the checks.
const IDLE_MS: u64 = 300;

/// The idle timeout passed to the server, scaled.
fn idle(ctx: &Ctx) -> Duration {
    ctx.timing.ms(IDLE_MS).max(Duration::from_millis(1))
}

/// A server started by a check, with the address it printed.
struct Listening {
    program: Program,
    addr: SocketAddr,
}

/// Starts `server addr` and waits for its `listening on <address>` line.
fn start_at(ctx: &mut Ctx, addr: &str) -> Result<Listening, Failure> {
    let args = ["server", addr, "--idle-timeout-ms", &idle(ctx).as_millis().to_string()].map(String::from);
    let mut program = ctx.spawn("server", &args)?;
    let did = format!("started `{}`", program.log().command_line);
    let expected = "a first line `listening on <address>` on stdout";
    let deadline = Instant::now() + ctx.timing.ready();
    loop {
        let (out, done) = program.stdout().wait_for(Instant::now() + Duration::from_millis(20), |o| o.contains(&b'\n'));
        if done {
            let out = String::from_utf8_lossy(&out);
            let line = out.lines().next().unwrap_or_default().trim_end();
            let printed = line.strip_prefix("listening on ").and_then(|a| a.trim().parse::<SocketAddr>().ok());
            return match printed {
                Some(addr) => {
                    ctx.mark_ready(&program);
                    Ok(Listening { program, addr })
                }
                None => Err(Failure::new(did, expected, format!("the line {line:?}"))),
            };
        }
        if let Some(status) = program.try_status() {
            return Err(exited_early(&did, expected, status, &program));
        }
        if Instant::now() >= deadline {
            let waited = ctx.timing.ready().as_millis();
            ctx.mark_never_ready(&mut program, format!("the server printed no line within {waited} ms"));
            return Err(Failure::new(did, expected, "no line on stdout")
                .hint("Print `listening on <address>` as soon as the socket listens, and flush stdout."));
        }
    }
}

/// Starts a server on port 0 and connects to the address it printed.
fn start(ctx: &mut Ctx) -> Result<(Listening, Conn), Failure> {
    let mut server = start_at(ctx, "127.0.0.1:0")?;
    if server.addr.port() == 0 {
        return Err(Failure::new(
            "started the server with 127.0.0.1:0",
            "the port the system chose, not 0",
            format!("listening on {}", server.addr),
        ));
    }
    let conn = ctx.connect_again(&mut server.program, server.addr)?;
    Ok((server, conn))
}

fn prints_real_address(ctx: &mut Ctx) -> Outcome {
    start(ctx).map(drop)
}

fn names_the_peer(ctx: &mut Ctx) -> Outcome {
    let (server, mut conn) = start(ctx)?;
    let me = conn.local_addr().map_err(|e| checker_trouble("read its own address", &e))?;
    let did = format!("connected to {} from {me}", server.addr);
    expect_line(&mut conn, &format!("you are {me}"), ctx.timing.reply(), &did)?;
    expect_printed_line(&server.program, &format!("connected {me}"), ctx.timing.reply(), &did)
}

fn echoes_lines(ctx: &mut Ctx) -> Outcome {
    let (_server, mut conn) = start(ctx)?;
    conn.read_line(ctx.timing.reply());
    exchange(&mut conn, b"echo me\n", b"echo me\n", ctx.timing.reply(), "read the greeting, sent \"echo me\\n\"")
}

fn two_instances(ctx: &mut Ctx) -> Outcome {
    let port = net::free_tcp_port().map_err(|e| checker_trouble("find a free port", &e))?;
    let addr = format!("127.0.0.1:{port}");
    let first = start_at(ctx, &addr)?;
    let second = start_at(ctx, &addr).map_err(|f| {
        f.hint("The second server could not bind the port the first holds: set SO_REUSEPORT (with `socket2`, before `bind`) so both can.")
    })?;
    let did = format!("started two servers on {addr}, then connected again and again (at most 200 times)");
    let served = |p: &Program| String::from_utf8_lossy(&p.stdout().snapshot().0).contains("\nconnected ");
    let deadline = Instant::now() + ctx.timing.ready();
    for _ in 0..200 {
        if served(&first.program) && served(&second.program) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            break;
        }
        let stream = TcpStream::connect_timeout(&first.addr, ctx.timing.reply());
        std::thread::sleep(Duration::from_millis(5));
        drop(stream);
    }
    let which = if served(&first.program) { "only the first server" } else { "only the second server, or neither," };
    Err(Failure::new(did, "both servers to print `connected …`", format!("{which} printed `connected`")))
}

fn idle_timeout(ctx: &mut Ctx) -> Outcome {
    let (server, mut conn) = start(ctx)?;
    conn.read_line(ctx.timing.reply());
    let started = Instant::now();
    let idle = idle(ctx);
    let did = format!("read the greeting from {}, then sent nothing", server.addr);
    expect_line(&mut conn, "timeout", idle + ctx.timing.ms(1500), &did)?;
    let waited = started.elapsed();
    if waited < idle * 7 / 10 || waited > idle + ctx.timing.ms(700) {
        return Err(Failure::new(
            did,
            format!("`timeout` after about {} ms", idle.as_millis()),
            format!("`timeout` after {} ms", waited.as_millis()),
        ));
    }
    expect_closed(&mut conn, ctx.timing.reply(), &did, "the connection to be closed after `timeout`")
}

fn busy_client_stays(ctx: &mut Ctx) -> Outcome {
    let (_server, mut conn) = start(ctx)?;
    conn.read_line(ctx.timing.reply());
    let idle = idle(ctx);
    for i in 1..=8 {
        std::thread::sleep(idle / 3);
        let line = format!("still here {i}\n");
        let did = format!(
            "sent a line every {} ms (timeout {} ms); this is line {i} of 8",
            (idle / 3).as_millis(),
            idle.as_millis()
        );
        exchange(&mut conn, line.as_bytes(), line.as_bytes(), ctx.timing.reply(), &did)?;
    }
    Ok(())
}

fn restarts_at_once(ctx: &mut Ctx) -> Outcome {
    let port = net::free_tcp_port().map_err(|e| checker_trouble("find a free port", &e))?;
    let addr = format!("127.0.0.1:{port}");
    let mut first = start_at(ctx, &addr)?;
    let mut conn = ctx.connect_again(&mut first.program, first.addr)?;
    conn.read_line(ctx.timing.reply());
    first.program.kill_now();
    conn.note("the checker killed the server (SIGKILL) with this connection open");
    let _ = conn.closed_within(ctx.timing.reply());
    drop(conn);
    let mut second = start_at(ctx, &addr).map_err(|f| {
        let did = format!("killed the server on {addr} while a connection was open, then started it again: {}", f.did);
        f.did(did)
    })?;
    ctx.connect_again(&mut second.program, second.addr).map(drop)
}
