//! Lesson 9's server checks: the store answers set and get, whatever the
//! writes look like, refuses bad lengths and bodies without dying, and
//! serves many clients at once from one shared store.

use super::frames::{
    ask, describe, expect_frame, frame, frame_len, frame_mismatch, read_frame, request, send, show_frames, MAX_FRAME,
};
use crate::harness::{blame_exit, Conn, Ctx, End, Failure, Outcome, Program};
use std::time::Duration;

fn start(ctx: &mut Ctx) -> Result<crate::harness::Server, Failure> {
    ctx.start_server(|addr| vec!["server".into(), addr.into()])
}

/// A server that exited while the check ran is named in the failure.
fn server_exited(failure: Failure, program: &mut Program) -> Failure {
    blame_exit(
        failure,
        program,
        Some(
            "Your server exited: one client's bytes must end that client's connection at most, \
             never the process. Return errors from the handler; never `unwrap` or `exit` there.",
        ),
    )
}

pub(super) fn set_then_get(ctx: &mut Ctx) -> Outcome {
    let mut s = start(ctx)?;
    ask(ctx, &mut s.conn, &request(b'S', b"name", b"Ada"), b"O", "")?;
    ask(ctx, &mut s.conn, &request(b'G', b"name", b""), b"OAda", "set name=Ada")
}

pub(super) fn missing_keys(ctx: &mut Ctx) -> Outcome {
    let mut s = start(ctx)?;
    ask(ctx, &mut s.conn, &request(b'G', b"nobody", b""), b"N", "on a new server")?;
    ask(ctx, &mut s.conn, &request(b'D', b"nobody", b""), b"N", "on a new server")?;
    ask(ctx, &mut s.conn, &request(b'S', b"k", b"v"), b"O", "")?;
    ask(ctx, &mut s.conn, &request(b'D', b"k", b""), b"O", "set k=v")?;
    ask(ctx, &mut s.conn, &request(b'G', b"k", b""), b"N", "set k=v, deleted k")?;
    ask(ctx, &mut s.conn, &request(b'D', b"k", b""), b"N", "set k=v, deleted k")
}

pub(super) fn byte_at_a_time(ctx: &mut Ctx) -> Outcome {
    let mut s = start(ctx)?;
    let bytes = frame(&request(b'S', b"slow", b"steady"));
    let did = format!("sent {} one byte at a time, 5 ms apart", show_frames(&bytes));
    for (sent, byte) in bytes.iter().enumerate() {
        send(ctx, &mut s.conn, &[*byte], &did).map_err(|f| {
            let got = format!("{} after {sent} of the {} bytes", f.got, bytes.len());
            f.got(got).meaning(
                "Your server stopped reading in the middle of the frame: it took the bytes that had \
                 arrived for a whole frame, and closed.",
            )
        })?;
        std::thread::sleep(Duration::from_millis(5));
    }
    expect_frame(ctx, &mut s.conn, b"O", &did)?;
    // An answer to a piece taken for a frame would come before this one.
    ask(ctx, &mut s.conn, &request(b'G', b"slow", b""), b"Osteady", &did)
}

pub(super) fn two_hundred_in_one_write(ctx: &mut Ctx) -> Outcome {
    let mut s = start(ctx)?;
    let mut bytes = Vec::new();
    for i in 0..100 {
        bytes.extend(frame(&request(b'S', format!("key{i}").as_bytes(), format!("value{i}").as_bytes())));
        bytes.extend(frame(&request(b'G', format!("key{i}").as_bytes(), b"")));
    }
    let did = format!(
        "sent 200 frames in one write ({} bytes): `S keyN valueN` then `G keyN`, for N from 0 to 99",
        bytes.len()
    );
    send(ctx, &mut s.conn, &bytes, &did)?;
    for i in 0..100 {
        let did = match i {
            0 => did.clone(),
            _ => format!("{did}; read the right answers to requests 1 to {}", 2 * i),
        };
        let sticky = |answers: usize| {
            move |f: Failure| match f.end {
                Some(End::TimedOut(_)) => f.meaning(format!(
                    "{answers} of the 200 answers came, then nothing: the frames that arrived in the \
                     same read as an earlier one were lost (sticky packets)."
                )),
                _ => f,
            }
        };
        expect_frame(ctx, &mut s.conn, b"O", &did).map_err(sticky(2 * i))?;
        expect_frame(ctx, &mut s.conn, format!("Ovalue{i}").as_bytes(), &did).map_err(sticky(2 * i + 1))?;
    }
    Ok(())
}

pub(super) fn every_byte(ctx: &mut Ctx) -> Outcome {
    let mut s = start(ctx)?;
    // A key of 255 bytes (the longest) and a value of every byte, twice.
    let key: Vec<u8> = [0u8, b'\n', 255, b'\r', b' '].iter().copied().chain(1..=250).collect();
    let value: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
    ask(ctx, &mut s.conn, &request(b'S', &key, &value), b"O", "")?;
    let did = "set a key of 255 bytes starting \"\\0\\n\\xff\\r \" to all 256 byte values, twice";
    ask(ctx, &mut s.conn, &request(b'G', &key, b""), &[b"O", &value[..]].concat(), did)?;
    // The same key without its first byte must be another key.
    ask(ctx, &mut s.conn, &request(b'G', &key[1..], b""), b"N", did)?;
    // Two keys that are not UTF-8 and differ in one byte are two keys.
    ask(ctx, &mut s.conn, &request(b'S', b"k\xff", b"one"), b"O", "")?;
    ask(ctx, &mut s.conn, &request(b'S', b"k\xfe", b"two"), b"O", "set \"k\\xff\"=one")?;
    let did = "set \"k\\xff\"=one, then \"k\\xfe\"=two";
    ask(ctx, &mut s.conn, &request(b'G', b"k\xff", b""), b"Oone", did)
}

pub(super) fn empty_value(ctx: &mut Ctx) -> Outcome {
    let mut s = start(ctx)?;
    ask(ctx, &mut s.conn, &request(b'S', b"blank", b""), b"O", "")?;
    ask(ctx, &mut s.conn, &request(b'G', b"blank", b""), b"O", "set blank to an empty value")
}

pub(super) fn largest_value(ctx: &mut Ctx) -> Outcome {
    let mut s = start(ctx)?;
    let key = b"big";
    let value: Vec<u8> = (0..MAX_FRAME - 2 - key.len()).map(|i| (i % 251) as u8).collect();
    let body = request(b'S', key, &value);
    let did = format!("sent `S big` with a value of {} bytes: a frame of exactly 1,048,576 bytes", value.len());
    s.conn
        .send_bulk(&frame(&body), ctx.timing.ms(2000), &did)
        .map_err(|end| Failure::new(&did, "to send", end.describe()))?;
    expect_frame(ctx, &mut s.conn, b"O", &did)?;
    let did = format!("{did}, then `G big`");
    send(ctx, &mut s.conn, &frame(&request(b'G', key, b"")), &did)?;
    let got = s.conn.read_until(ctx.timing.ms(2000), frame_len);
    let want = frame(&[b"O", &value[..]].concat());
    if got.complete() && got.bytes == want {
        return Ok(());
    }
    Err(frame_mismatch(&did, &want, got))
}

/// Sends only the length prefix `len` and expects an `E` answer and a close.
fn refuses_length(ctx: &mut Ctx, conn: &mut Conn, len: u32) -> Outcome {
    let did = format!("sent only a length prefix [len 0x{len:08x} = {len}], and no body");
    send(ctx, conn, &len.to_be_bytes(), &did)?;
    let expected = "a frame starting `E` (\"frame too large\"), then the connection closed";
    let within = ctx.timing.ms(1000);
    let got = conn.read_until(within, frame_len);
    if !(got.complete() && got.bytes.get(4) == Some(&b'E')) {
        let failure = Failure::new(&did, expected, describe(&got)).ended(got.end.clone());
        if matches!(got.end, End::TimedOut(_)) {
            return Err(failure.meaning(
                "Nothing came back: your server is waiting for a body it should never have \
                 accepted (or allocating it).",
            ));
        }
        return Err(failure);
    }
    let after = conn.closed_within(within);
    if !(after.complete() && after.bytes.is_empty()) && after.end != End::Reset {
        return Err(Failure::new(format!("{did}, read the `E` answer"), "the connection closed", describe(&after))
            .hint(
                "After a length over the limit, the stream holds a body you refuse to read: you cannot \
             find the next frame. Answer `E`, then close the connection.",
            ));
    }
    Ok(())
}

pub(super) fn too_large(ctx: &mut Ctx) -> Outcome {
    let mut s = start(ctx)?;
    refuses_length(ctx, &mut s.conn, 0x8000_0000).map_err(|f| server_exited(f, &mut s.program))?;
    // One byte over the limit is too large as well.
    let mut conn = ctx.connect_again(&mut s.program, s.addr)?;
    refuses_length(ctx, &mut conn, MAX_FRAME as u32 + 1).map_err(|f| server_exited(f, &mut s.program))?;
    let mut conn = ctx.connect_again(&mut s.program, s.addr)?;
    ask(ctx, &mut conn, &request(b'G', b"k", b""), b"N", "after two frames too large, on a new connection")
        .map_err(|f| server_exited(f, &mut s.program))
}

pub(super) fn half_frame(ctx: &mut Ctx) -> Outcome {
    let mut s = start(ctx)?;
    ask(ctx, &mut s.conn, &request(b'S', b"k", b"old"), b"O", "")?;
    // A second client sends two bytes of a length and leaves; a third sends
    // a length, the start of a body that would set k, and leaves too.
    let mut cut = ctx.connect_again(&mut s.program, s.addr)?;
    let whole = frame(&request(b'S', b"k", b"new value"));
    send(ctx, &mut cut, &whole[..2], "a second client sent 2 bytes of a length")?;
    drop(cut);
    let mut partial = ctx.connect_again(&mut s.program, s.addr)?;
    let half = &whole[..whole.len() - 3];
    let did = format!(
        "set k=old; a second client sent 2 bytes of a length and closed; a third sent {} of the {} bytes of {} and closed",
        half.len(),
        whole.len(),
        show_frames(&whole)
    );
    send(ctx, &mut partial, half, &did)?;
    drop(partial);
    std::thread::sleep(ctx.timing.ms(50));
    ask(ctx, &mut s.conn, &request(b'G', b"k", b""), b"Oold", &did).map_err(|f| server_exited(f, &mut s.program))?;
    let mut other = ctx.connect_again(&mut s.program, s.addr)?;
    ask(ctx, &mut other, &request(b'G', b"k", b""), b"Oold", &format!("{did}; then a new client"))
        .map_err(|f| store_per_connection(server_exited(f, &mut s.program)))
}

pub(super) fn shared_store(ctx: &mut Ctx) -> Outcome {
    let mut s = start(ctx)?;
    let mut b = ctx.connect_again(&mut s.program, s.addr)?;
    ask(ctx, &mut s.conn, &request(b'S', b"shared", b"yes"), b"O", "connection A")?;
    let did = "set shared=yes on connection A; on connection B (still open)";
    ask(ctx, &mut b, &request(b'G', b"shared", b""), b"Oyes", did).map_err(store_per_connection)?;
    ask(ctx, &mut b, &request(b'D', b"shared", b""), b"O", did).map_err(store_per_connection)?;
    let did = "set shared=yes on A, deleted it on B; on A";
    ask(ctx, &mut s.conn, &request(b'G', b"shared", b""), b"N", did).map_err(store_per_connection)
}

fn store_per_connection(failure: Failure) -> Failure {
    // Only an answer that came, and was wrong, says which store was asked.
    if failure.end != Some(End::Complete) {
        return failure;
    }
    failure.hint(
        "Each connection seems to have a store of its own. Make one `Arc<Mutex<HashMap<…>>>` \
         before the accept loop and hand each thread an `Arc::clone` of it.",
    )
}

pub(super) fn twenty_clients(ctx: &mut Ctx) -> Outcome {
    let mut s = start(ctx)?;
    let mut conns = vec![];
    for _ in 1..20 {
        conns.push(ctx.connect_again(&mut s.program, s.addr)?);
    }
    conns.insert(0, s.conn);
    let did = "connected 20 clients, then each sent `S clientN valueN` before any answer was read";
    for (i, conn) in conns.iter_mut().enumerate() {
        send(ctx, conn, &frame(&request(b'S', format!("client{i}").as_bytes(), format!("value{i}").as_bytes())), did)?;
    }
    for (i, conn) in conns.iter_mut().enumerate() {
        expect_frame(ctx, conn, b"O", &format!("{did}; read client {i}'s answer"))
            .map_err(|f| server_exited(f, &mut s.program))?;
    }
    // Each key from another client than the one that set it.
    for i in 0..20 {
        let did = format!("{did}; then client {} asked for client{i}", (i + 1) % 20);
        let conn = &mut conns[(i + 1) % 20];
        ask(ctx, conn, &request(b'G', format!("client{i}").as_bytes(), b""), format!("Ovalue{i}").as_bytes(), &did)
            .map_err(store_per_connection)?;
    }
    Ok(())
}

pub(super) fn malformed_body(ctx: &mut Ctx) -> Outcome {
    let mut s = start(ctx)?;
    let bad: [(&[u8], &str); 5] = [
        (b"", "an empty body"),
        (b"X\x01k", "an unknown operation `X`"),
        (b"G", "no key length"),
        (b"G\x00", "a key length of 0"),
        (b"G\x05ab", "a key length of 5 with 2 bytes of key"),
    ];
    for (round, (body, what)) in bad.iter().enumerate() {
        let did = format!("sent {} ({what})", show_frames(&frame(body)));
        send(ctx, &mut s.conn, &frame(body), &did)?;
        let got = read_frame(ctx, &mut s.conn);
        if !(got.complete() && got.bytes.get(4) == Some(&b'E')) {
            let failure = Failure::new(&did, "a frame starting `E` and a short message", describe(&got))
                .hint(
                    "A body that does not parse still came in a whole frame: answer `E` and a \
                     message, and keep the connection. Check the body's length before indexing it.",
                )
                .ended(got.end);
            return Err(server_exited(failure, &mut s.program));
        }
        let did = format!("{did}, read the `E` answer");
        ask(ctx, &mut s.conn, &request(b'S', format!("after{round}").as_bytes(), b"ok"), b"O", &did)
            .map_err(|f| server_exited(f, &mut s.program))?;
    }
    Ok(())
}
