//! Lesson 6's connection checks: keep-alive, a body read and discarded,
//! pipelined requests, `Connection: close`, idle and slow clients, and one
//! thread per connection.

use super::site::{describe_codes, same_body, start, start_with, Http, HELLO, STYLE};
use crate::harness::http::{self, get, Framing};
use crate::harness::{expect_closed, send_or_fail, Ctx, End, Failure, Outcome, Received};
use std::time::{Duration, Instant};

pub(super) fn keep_alive(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let mut conn = http.conn(ctx)?;
    let within = ctx.timing.reply();
    let did = "sent `GET /hello.txt HTTP/1.1`";
    let response = http::exchange(&mut conn, &get("/hello.txt", false), false, Framing::Http, within, did)?;
    same_body(did, HELLO, &response)?;
    let did = "sent `GET /style.css HTTP/1.1` on the same connection, after the first response";
    let response =
        http::exchange(&mut conn, &get("/style.css", false), false, Framing::Http, within, did).map_err(|f| {
            f.hint(
                "HTTP/1.1 keeps the connection open: after a response, go back and read the next request on \
                 the same connection.",
            )
        })?;
    same_body(did, STYLE, &response)
}

pub(super) fn body_discarded(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let mut conn = http.conn(ctx)?;
    let within = ctx.timing.reply();
    let did = "sent `GET /hello.txt HTTP/1.1` with `Content-Length: 5` and the body `hello`";
    let with_body = b"GET /hello.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhello";
    // The answer to this one is not judged: RFC 9110 §9.3.1 lets a server
    // refuse a GET with a body (lighttpd answers 400). What matters is where
    // the next request starts.
    let first = http::exchange(&mut conn, with_body, false, Framing::Http, within, did)?;
    let did = "then sent `GET /style.css HTTP/1.1` on the same connection";
    let second = http::exchange(&mut conn, &get("/style.css", false), false, Framing::Http, within, did);
    match second {
        Ok(response) if response.status == 200 => same_body(did, STYLE, &response),
        // A server that said it would close, and closed, read no body as a request.
        Err(_) if first.header("connection").is_some_and(|c| c.to_ascii_lowercase().contains("close")) => Ok(()),
        Ok(response) => Err(Failure::new(did, describe_codes(&[200]), response.summary()).hint(
            "The 5 body bytes of the first request were read as the start of the next one (`helloGET \
             /style.css ...`): after the head, read `Content-Length` bytes and throw them away.",
        )),
        Err(failure) => Err(failure),
    }
}

pub(super) fn pipelined(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let mut conn = http.conn(ctx)?;
    let within = ctx.timing.reply();
    let mut both = get("/hello.txt", false);
    both.extend(get("/style.css", false));
    let did = "sent `GET /hello.txt` and `GET /style.css` together in one write";
    let first = http::exchange(&mut conn, &both, false, Framing::Http, within, did)?;
    same_body(&format!("{did}; this is the first response"), HELLO, &first)?;
    let waited = format!("{did}; waited for the second response");
    let second = http::read_response(&mut conn, false, Framing::Http, within, &waited)?;
    same_body(&format!("{did}; this is the second response"), STYLE, &second)
}

pub(super) fn honours_close(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let within = ctx.timing.reply();
    let mut conn = http.conn(ctx)?;
    let did = "sent `GET /hello.txt HTTP/1.1` with `Connection: close`";
    http::exchange(&mut conn, &get("/hello.txt", true), false, Framing::Http, within, did)?;
    expect_closed(&mut conn, within, did, "the connection to close after the response")?;
    // Our side closes too, so a server that lingers is not kept waiting.
    drop(conn);
    let mut conn = http.conn(ctx)?;
    let did = "sent `GET /hello.txt HTTP/1.0` (HTTP/1.0 closes unless it asks for keep-alive)";
    http::exchange(&mut conn, b"GET /hello.txt HTTP/1.0\r\n\r\n", false, Framing::Http, within, did)?;
    expect_closed(&mut conn, within, did, "the connection to close after the response")
}

/// Starts the server with a short `--idle-timeout-ms`; returns it and that time.
fn start_idle(ctx: &mut Ctx) -> Result<(Http, u128), Failure> {
    let idle = ctx.timing.ms(100).as_millis().max(1);
    let options = ["--idle-timeout-ms".to_string(), idle.to_string()];
    let http = start_with(ctx, &options).map_err(|f| {
        if f.cannot_run {
            return f;
        }
        f.hint(format!(
            "This check starts the server with `--idle-timeout-ms {idle}` after ROOT: accept that option \
             (the idle time in milliseconds, 10000 when it is not given)."
        ))
    })?;
    Ok((http, idle))
}

/// Nothing, or a `408 Request Timeout` (RFC 9110 §15.5.9): what a server
/// may send before it hangs up on a slow client.
fn quiet_close(bytes: &[u8]) -> bool {
    bytes.is_empty() || bytes.starts_with(b"HTTP/1.1 408") || bytes.starts_with(b"HTTP/1.0 408")
}

pub(super) fn idle_close(ctx: &mut Ctx) -> Outcome {
    let (mut http, idle) = start_idle(ctx)?;
    let mut conn = http.conn(ctx)?;
    // One request first: a server that drops every connection at once (or
    // crashes) is not closing idle connections.
    let did = "sent `GET /hello.txt HTTP/1.1`";
    http::exchange(&mut conn, &get("/hello.txt", false), false, Framing::Http, ctx.timing.reply(), did)?;
    conn.note("the checker sends nothing more on this connection");
    let within = ctx.timing.reply() + Duration::from_millis(idle as u64);
    let did = format!(
        "started the server with `--idle-timeout-ms {idle}`, sent `GET /hello.txt HTTP/1.1`, read the response, \
         then sent nothing"
    );
    let after = conn.closed_within(within);
    if matches!(after.end, End::Complete | End::ClosedAsAsked | End::Reset) && quiet_close(&after.bytes) {
        return Ok(());
    }
    Err(Failure::new(did, format!("the connection to be closed after about {idle} ms of silence"), after.describe()))
}

pub(super) fn trickled_head(ctx: &mut Ctx) -> Outcome {
    let (mut http, idle) = start_idle(ctx)?;
    let mut conn = http.conn(ctx)?;
    // One request first: a server that drops every connection at once (or
    // crashes) is not cutting off slow heads.
    let did = "sent `GET /hello.txt HTTP/1.1`";
    http::exchange(&mut conn, &get("/hello.txt", false), false, Framing::Http, ctx.timing.reply(), did)?;
    let idle_time = Duration::from_millis(idle as u64);
    let step = (idle_time / 4).max(Duration::from_millis(1));
    let did = format!(
        "started the server with `--idle-timeout-ms {idle}`, sent `GET /hello.txt HTTP/1.1`, read the response, \
         then sent the next request head one byte every {} ms, never ending it",
        step.as_millis()
    );
    conn.note(&format!("the checker now sends one byte every {} ms", step.as_millis()));
    let started = Instant::now();
    let give_up = started + idle_time * 4 + ctx.timing.reply();
    let mut head = b"GET /hello.txt HTTP/1.1\r\nX-Slow: ".iter().copied().chain(std::iter::repeat(b'a'));
    let mut got = Vec::new();
    while Instant::now() < give_up {
        let byte = head.next().unwrap_or(b'a');
        // A send that fails finds the connection closed (or reset) already.
        let end = match conn.send(&[byte], ctx.timing.reply()) {
            Err(end) => end,
            Ok(()) => {
                let after = conn.closed_within(step);
                got.extend_from_slice(&after.bytes);
                after.end
            }
        };
        match end {
            End::TimedOut(_) => continue,
            End::Closed | End::ClosedAsAsked | End::Reset | End::Error(_) if quiet_close(&got) => return Ok(()),
            end => {
                let got = Received { bytes: got, end };
                return Err(Failure::new(did, "the connection closed, with nothing sent or a `408`", got.describe()));
            }
        }
    }
    Err(Failure::new(
        did,
        format!("the connection closed about {idle} ms after the response, the head still unfinished"),
        format!("it was still open {} ms after the response", started.elapsed().as_millis()),
    ))
}

pub(super) fn request_in_pieces(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let mut conn = http.conn(ctx)?;
    let within = ctx.timing.reply();
    let did = "sent `GET /hello.txt HTTP/1.1` in 6 pieces, 30 ms apart";
    let pieces: &[&[u8]] = &[b"GE", b"T /hel", b"lo.txt HTTP/1.1\r", b"\nHost: 127.0.0.1\r\n", b"\r", b"\n"];
    for piece in pieces {
        send_or_fail(&mut conn, piece, within, did)?;
        std::thread::sleep(Duration::from_millis(30));
    }
    let response = http::read_response(&mut conn, false, Framing::Http, within, did)?;
    same_body(did, HELLO, &response)
}

pub(super) fn stalled_client(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let mut stalled = http.conn(ctx)?;
    let half = b"GET /hello.txt HTTP/1.1\r\nHost: 127";
    send_or_fail(&mut stalled, half, ctx.timing.reply(), "sent half a request")?;
    stalled.note("the checker sends nothing more on this connection");
    std::thread::sleep(Duration::from_millis(50));
    let result = http.expect_file(ctx, "/hello.txt", HELLO).map_err(|f| {
        let did = format!("left a first connection with half a request, then on a second connection {}", f.did);
        f.did(did).meaning(
            "The second client waited while the first was stalled: the server handles one connection \
             at a time.",
        )
    });
    drop(stalled);
    result
}
