//! Lesson 9: framing. A key-value store spoken in length-prefixed binary
//! frames, a thread per client, and a client that reads commands from stdin.

use super::{Check, Lesson};
use crate::harness::{
    checker_trouble, describe_status, expect_error_exit, net, text, Conn, Ctx, End, Failure, Outcome, Program, Received,
};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// The longest body a frame may carry.
const MAX_FRAME: usize = 1_048_576;

pub static LESSON: Lesson = Lesson {
    number: 9,
    slug: "framing",
    title: "framing",
    usage: &["server HOST:PORT", "client HOST:PORT"],
    checks: &[
        Check {
            name: "a value set with `S` is answered `O`, and `G` gets it back",
            points: 1,
            hint: "Read the 4-byte length with `read_exact`, turn it into a number with `u32::from_be_bytes`, \
                   read exactly that many bytes, then answer with a frame of your own: the length \
                   `to_be_bytes`, then the body.",
            run: set_then_get,
        },
        Check {
            name: "`D` removes a key, and a missing key gets `N` from `G` and `D`",
            points: 1,
            hint: "`HashMap::remove` returns the value it removed, or `None`: answer `O` or `N` from it.",
            run: missing_keys,
        },
        Check {
            name: "a frame written one byte at a time gets one answer",
            points: 2,
            hint: "One `read` is not one frame: it returns what has arrived, maybe one byte. `read_exact` \
                   waits for the 4 bytes of the length, then for the whole body.",
            run: byte_at_a_time,
        },
        Check {
            name: "200 requests in one write are answered in order",
            points: 2,
            hint: "One `read` can hold many frames (sticky packets). Take one frame at a time with \
                   `read_exact` and leave the rest for the next call.",
            run: two_hundred_in_one_write,
        },
        Check {
            name: "keys and values holding every byte value (0, `\\n`, 255 …) round-trip",
            points: 1,
            hint: "Keys and values are bytes, not text: keep them as `Vec<u8>`, never through `String` \
                   or a line-based reader.",
            run: every_byte,
        },
        Check {
            name: "an empty value is stored, and `G` answers `O` alone",
            points: 1,
            hint: "For `S` the value is all the bytes after the key, maybe none. A key with an empty \
                   value is still there.",
            run: empty_value,
        },
        Check {
            name: "the largest value a frame can carry is stored and got back",
            points: 2,
            hint: "A frame may carry up to 1,048,576 bytes: the limit itself is allowed (`len > MAX`, \
                   not `>=`), and it arrives over many reads, so read the body with `read_exact`.",
            run: largest_value,
        },
        Check {
            name: "a frame declaring 2 GiB is answered `E` at once and the connection closed",
            points: 2,
            hint: "The length comes from the peer: compare it with 1,048,576 before you allocate or \
                   read the body. Over the limit, answer `E` (`Eframe too large`) and return from the \
                   handler, which closes the connection.",
            run: too_large,
        },
        Check {
            name: "half a frame and a close change nothing, and other clients are still served",
            points: 2,
            hint: "A frame counts only once all of it has arrived. An end of stream in the middle of \
                   one (`read_exact` fails with `UnexpectedEof`) ends that connection quietly.",
            run: half_frame,
        },
        Check {
            name: "two connections share one store",
            points: 2,
            hint: "Make one `Arc<Mutex<HashMap<…>>>` before the accept loop and give each thread an \
                   `Arc::clone` of it, not a map of its own.",
            run: shared_store,
        },
        Check {
            name: "20 clients setting distinct keys at once all succeed",
            points: 2,
            hint: "A thread per client, all sharing one store: lock the mutex for one request only, \
                   never while reading from a client.",
            run: twenty_clients,
        },
        Check {
            name: "a malformed body gets `E` and the next request on the same connection is answered",
            points: 2,
            hint: "A body that does not parse (empty, unknown operation, key length 0, key longer than \
                   the body) was still a whole frame: answer `E` and a short message, then read the \
                   next frame. Check lengths before you index a slice: a panic ends the connection.",
            run: malformed_body,
        },
        Check {
            name: "the client sends each command as the exact frame",
            points: 2,
            hint: "`set KEY VALUE` is `S`, the key's length as one byte, the key, then the value: the \
                   rest of the line, spaces and all. `get` and `del` are `G` and `D` with the key alone.",
            run: client_frames,
        },
        Check {
            name: "the client prints each answer as soon as it arrives, while stdin is still open",
            points: 2,
            hint: "Print `OK`, `VALUE <value>`, `NOT FOUND` or `ERROR <message>` for each answer and \
                   `flush()` stdout: in a pipe, output waits in a buffer until you flush or exit.",
            run: client_prints_each,
        },
        Check {
            name: "the client prints answers in order when they arrive split and joined oddly",
            points: 2,
            hint: "One read may hold part of an answer, or the end of one and the start of the next: \
                   read each answer with `read_exact` (4 bytes, then the length found), as the server \
                   reads requests, and the rest waits in the socket for the next.",
            run: client_pieces,
        },
        Check {
            name: "the client reports a refused connection without panicking",
            points: 1,
            hint: "Return the error from `connect` with `?`: `main` prints it and exits non-zero.",
            run: client_refused,
        },
        Check {
            name: "the client reports a server that closes before answering",
            points: 1,
            hint: "`read_frame` gives `Ok(None)` when the server closed: turn it into an error \
                   (`UnexpectedEof`) and return it, so the client says so and exits non-zero.",
            run: client_server_closes,
        },
    ],
};

// ----- frames -----

/// `body` as a frame: its length, 4 bytes big-endian, then the body.
fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = (body.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(body);
    out
}

/// A request body: operation, key length, key, value.
fn request(op: u8, key: &[u8], value: &[u8]) -> Vec<u8> {
    [&[op, key.len() as u8][..], key, value].concat()
}

/// The length of the first frame in `bytes`, prefix included, once it has
/// all arrived; a frame declaring more than the limit ends at its prefix.
fn frame_len(bytes: &[u8]) -> Option<usize> {
    let prefix: [u8; 4] = bytes.get(..4)?.try_into().ok()?;
    let len = u32::from_be_bytes(prefix) as usize;
    if len > MAX_FRAME {
        return Some(4);
    }
    (bytes.len() >= 4 + len).then_some(4 + len)
}

/// Frames shown readably: `[len 0x00000007] "Sk\x03keyval"`, and any bytes
/// after the last whole frame as they are.
fn show_frames(bytes: &[u8]) -> String {
    let mut shown = Vec::new();
    let mut rest = bytes;
    while rest.len() >= 4 {
        let len = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let body = &rest[4..];
        if len > MAX_FRAME || body.len() < len {
            shown.push(format!("[len 0x{len:08x} = {len}] then {} bytes of body", body.len()));
            if !body.is_empty() {
                shown.push(text::escape(body));
            }
            return shown.join(" ");
        }
        shown.push(format!("[len 0x{len:08x}] {}", text::escape(&body[..len])));
        rest = &body[len..];
    }
    if !rest.is_empty() {
        shown.push(format!("{} (part of a length)", text::escape(rest)));
    }
    shown.join(" ")
}

/// "[len 0x00000003] \"Oab\", then nothing more for 1000 ms"
fn describe(got: &Received) -> String {
    match got.end {
        _ if got.bytes.is_empty() => got.describe(),
        End::Complete => show_frames(&got.bytes),
        _ => format!("{}, {}", show_frames(&got.bytes), got.end.describe()),
    }
}

/// Reads one frame and compares its body with `expected`.
fn expect_frame(ctx: &Ctx, conn: &mut Conn, expected: &[u8], did: &str) -> Outcome {
    let got = conn.read_until(ctx.timing.reply(), frame_len);
    let want = frame(expected);
    if got.complete() && got.bytes == want {
        return Ok(());
    }
    Err(frame_mismatch(did, &want, got))
}

fn frame_mismatch(did: &str, want: &[u8], got: Received) -> Failure {
    let mut failure = Failure::mismatch(did, want, &got);
    failure.expected = show_frames(want);
    failure.got = describe(&got);
    // The caret helps within a body whose length was right; a wrong
    // length is clearer as two frames side by side.
    if got.bytes.get(..4) != want.get(..4) {
        failure = failure.without_diff();
    }
    if let Some(prefix) = got.bytes.get(..4).and_then(|p| <[u8; 4]>::try_from(p).ok()) {
        // A length that is absurd big-endian and fits little-endian came
        // out in the wrong byte order.
        let (be, le) = (u32::from_be_bytes(prefix) as usize, u32::from_le_bytes(prefix) as usize);
        if be > MAX_FRAME && le <= MAX_FRAME {
            failure = failure
                .meaning(format!(
                    "The answer's length {} is {be} bytes read big-endian, as the protocol says, and {le} read \
                     little-endian: your program wrote it in the wrong byte order (and may read lengths that way too).",
                    text::escape(&prefix)
                ))
                .hint(
                    "Lengths are big-endian (network byte order) on every machine: `u32::to_be_bytes` and \
                     `u32::from_be_bytes`, never `to_le_bytes` or `to_ne_bytes`.",
                );
        }
    }
    failure
}

/// Reads one frame, whatever its body: for answers only the status of which matters.
fn read_frame(ctx: &Ctx, conn: &mut Conn) -> Received {
    conn.read_until(ctx.timing.reply(), frame_len)
}

fn send(ctx: &Ctx, conn: &mut Conn, bytes: &[u8], did: &str) -> Outcome {
    conn.send(bytes, ctx.timing.reply()).map_err(|end| {
        let got = end.describe();
        let got = got.strip_prefix("then ").unwrap_or(&got).to_string();
        Failure::new(did, "your program to keep the connection open and read what was sent", got)
            .meaning_of(&end)
            .ended(end)
    })
}

/// Sends one request as one frame and expects `answer` back.
fn ask(ctx: &Ctx, conn: &mut Conn, body: &[u8], answer: &[u8], did: &str) -> Outcome {
    let did = format!("{did}{}sent {}", if did.is_empty() { "" } else { ", then " }, show_frames(&frame(body)));
    send(ctx, conn, &frame(body), &did)?;
    expect_frame(ctx, conn, answer, &did)
}

// ----- server checks -----

fn start(ctx: &mut Ctx) -> Result<crate::harness::Server, Failure> {
    ctx.start_server(|addr| vec!["server".into(), addr.into()])
}

/// A server that exited while the check ran is named in the failure.
fn blame_exit(failure: Failure, program: &mut Program) -> Failure {
    match program.try_status() {
        Some(status) => Failure {
            got: format!("{}; your server {}", failure.got, describe_status(status)),
            hint: Some(
                "Your server exited: one client's bytes must end that client's connection at most, \
                 never the process. Return errors from the handler; never `unwrap` or `exit` there."
                    .into(),
            ),
            ..failure
        },
        None => failure,
    }
}

fn set_then_get(ctx: &mut Ctx) -> Outcome {
    let mut s = start(ctx)?;
    ask(ctx, &mut s.conn, &request(b'S', b"name", b"Ada"), b"O", "")?;
    ask(ctx, &mut s.conn, &request(b'G', b"name", b""), b"OAda", "set name=Ada")
}

fn missing_keys(ctx: &mut Ctx) -> Outcome {
    let mut s = start(ctx)?;
    ask(ctx, &mut s.conn, &request(b'G', b"nobody", b""), b"N", "on a new server")?;
    ask(ctx, &mut s.conn, &request(b'D', b"nobody", b""), b"N", "on a new server")?;
    ask(ctx, &mut s.conn, &request(b'S', b"k", b"v"), b"O", "")?;
    ask(ctx, &mut s.conn, &request(b'D', b"k", b""), b"O", "set k=v")?;
    ask(ctx, &mut s.conn, &request(b'G', b"k", b""), b"N", "set k=v, deleted k")?;
    ask(ctx, &mut s.conn, &request(b'D', b"k", b""), b"N", "set k=v, deleted k")
}

fn byte_at_a_time(ctx: &mut Ctx) -> Outcome {
    let mut s = start(ctx)?;
    let bytes = frame(&request(b'S', b"slow", b"steady"));
    let did = format!("sent {} one byte at a time, 5 ms apart", show_frames(&bytes));
    for (sent, byte) in bytes.iter().enumerate() {
        send(ctx, &mut s.conn, &[*byte], &did).map_err(|f| Failure {
            got: format!("{} after {sent} of the {} bytes", f.got, bytes.len()),
            meaning: Some(
                "Your server stopped reading in the middle of the frame: it took the bytes that had \
                 arrived for a whole frame, and closed."
                    .into(),
            ),
            ..f
        })?;
        std::thread::sleep(Duration::from_millis(5));
    }
    expect_frame(ctx, &mut s.conn, b"O", &did)?;
    // An answer to a piece taken for a frame would come before this one.
    ask(ctx, &mut s.conn, &request(b'G', b"slow", b""), b"Osteady", &did)
}

fn two_hundred_in_one_write(ctx: &mut Ctx) -> Outcome {
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
                Some(End::TimedOut(_)) => Failure {
                    meaning: Some(format!(
                        "{answers} of the 200 answers came, then nothing: the frames that arrived in the \
                         same read as an earlier one were lost (sticky packets)."
                    )),
                    ..f
                },
                _ => f,
            }
        };
        expect_frame(ctx, &mut s.conn, b"O", &did).map_err(sticky(2 * i))?;
        expect_frame(ctx, &mut s.conn, format!("Ovalue{i}").as_bytes(), &did).map_err(sticky(2 * i + 1))?;
    }
    Ok(())
}

fn every_byte(ctx: &mut Ctx) -> Outcome {
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

fn empty_value(ctx: &mut Ctx) -> Outcome {
    let mut s = start(ctx)?;
    ask(ctx, &mut s.conn, &request(b'S', b"blank", b""), b"O", "")?;
    ask(ctx, &mut s.conn, &request(b'G', b"blank", b""), b"O", "set blank to an empty value")
}

fn largest_value(ctx: &mut Ctx) -> Outcome {
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
        let mut failure = Failure::new(&did, expected, describe(&got));
        failure.end = Some(got.end.clone());
        if matches!(got.end, End::TimedOut(_)) {
            failure.meaning = Some(
                "Nothing came back: your server is waiting for a body it should never have \
                 accepted (or allocating it)."
                    .into(),
            );
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

fn too_large(ctx: &mut Ctx) -> Outcome {
    let mut s = start(ctx)?;
    refuses_length(ctx, &mut s.conn, 0x8000_0000).map_err(|f| blame_exit(f, &mut s.program))?;
    // One byte over the limit is too large as well.
    let mut conn = ctx.connect_again(&mut s.program, s.addr)?;
    refuses_length(ctx, &mut conn, MAX_FRAME as u32 + 1).map_err(|f| blame_exit(f, &mut s.program))?;
    let mut conn = ctx.connect_again(&mut s.program, s.addr)?;
    ask(ctx, &mut conn, &request(b'G', b"k", b""), b"N", "after two frames too large, on a new connection")
        .map_err(|f| blame_exit(f, &mut s.program))
}

fn half_frame(ctx: &mut Ctx) -> Outcome {
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
    ask(ctx, &mut s.conn, &request(b'G', b"k", b""), b"Oold", &did).map_err(|f| blame_exit(f, &mut s.program))?;
    let mut other = ctx.connect_again(&mut s.program, s.addr)?;
    ask(ctx, &mut other, &request(b'G', b"k", b""), b"Oold", &format!("{did}; then a new client"))
        .map_err(|f| store_per_connection(blame_exit(f, &mut s.program)))
}

fn shared_store(ctx: &mut Ctx) -> Outcome {
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

fn twenty_clients(ctx: &mut Ctx) -> Outcome {
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
            .map_err(|f| blame_exit(f, &mut s.program))?;
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

fn malformed_body(ctx: &mut Ctx) -> Outcome {
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
            let mut failure = Failure::new(&did, "a frame starting `E` and a short message", describe(&got)).hint(
                "A body that does not parse still came in a whole frame: answer `E` and a \
                     message, and keep the connection. Check the body's length before indexing it.",
            );
            failure.end = Some(got.end);
            return Err(blame_exit(failure, &mut s.program));
        }
        let did = format!("{did}, read the `E` answer");
        ask(ctx, &mut s.conn, &request(b'S', format!("after{round}").as_bytes(), b"ok"), b"O", &did)
            .map_err(|f| blame_exit(f, &mut s.program))?;
    }
    Ok(())
}

// ----- client checks -----

/// A client under test, connected to the checker's listener, with its stdin open.
fn start_client(ctx: &mut Ctx) -> Result<(Program, Conn, SocketAddr), Failure> {
    let (listener, addr) = net::listen_loopback().map_err(|e| checker_trouble("listen", &e))?;
    let mut client = ctx.spawn_with_stdin("client", &["client".into(), addr.to_string()])?;
    let conn = ctx.accept(&listener, &mut client)?;
    Ok((client, conn, addr))
}

fn to_stdin(client: &mut Program, line: &str, did: &str) -> Outcome {
    client
        .write_stdin(line.as_bytes())
        .map_err(|e| Failure::new(did, "to write to the client's stdin", format!("{e}: the client closed its stdin")))
}

/// Waits until the client's stdout is `expected`.
fn expect_stdout(ctx: &Ctx, client: &Program, expected: &str, did: &str) -> Outcome {
    let deadline = Instant::now() + ctx.timing.reply();
    let (out, found) = client.stdout().wait_for(deadline, |out| out.len() >= expected.len());
    if found && out == expected.as_bytes() {
        return Ok(());
    }
    let failure = Failure::new(
        did,
        format!("{} on stdout", text::escape(expected.as_bytes())),
        format!("{} on stdout{}", text::escape(&out), if found { "" } else { " (nothing more came)" }),
    );
    Err(Failure { diff: Some((expected.as_bytes().to_vec(), out)), ..failure })
}

/// Reads one request frame from the client and compares its body.
fn expect_request(ctx: &Ctx, conn: &mut Conn, body: &[u8], did: &str) -> Outcome {
    expect_frame(ctx, conn, body, did)
}

fn client_frames(ctx: &mut Ctx) -> Outcome {
    let (mut client, mut conn, _) = start_client(ctx)?;
    let lines = [
        ("set name  Ada  Lovelace \n", request(b'S', b"name", b" Ada  Lovelace ")),
        ("get name\n", request(b'G', b"name", b"")),
        ("del name\n", request(b'D', b"name", b"")),
        ("set 张 伟\n", request(b'S', "张".as_bytes(), "伟".as_bytes())),
    ];
    for (line, body) in &lines {
        let did = format!("wrote {} to the client's stdin", text::escape(line.as_bytes()));
        to_stdin(&mut client, line, &did)?;
        expect_request(ctx, &mut conn, body, &did)?;
        send(ctx, &mut conn, &frame(b"O"), &did)?;
    }
    Ok(())
}

fn client_prints_each(ctx: &mut Ctx) -> Outcome {
    let (mut client, mut conn, _) = start_client(ctx)?;
    let steps: [(&str, &[u8], &str); 5] = [
        ("set a 1 2\n", b"O", "OK\n"),
        ("get a\n", b"O1 2", "VALUE 1 2\n"),
        ("get b\n", b"N", "NOT FOUND\n"),
        ("del a\n", b"O", "OK\n"),
        ("get c\n", b"Eno room", "ERROR no room\n"),
    ];
    let mut printed = String::new();
    let mut did = String::from("kept the client's stdin open");
    for (line, answer, shown) in steps {
        did = format!("{did}; wrote {} and answered {}", text::escape(line.as_bytes()), show_frames(&frame(answer)));
        to_stdin(&mut client, line, &did)?;
        let _ = read_frame(ctx, &mut conn);
        send(ctx, &mut conn, &frame(answer), &did)?;
        printed.push_str(shown);
        expect_stdout(ctx, &client, &printed, &did)?;
    }
    client.close_stdin();
    let did = format!("{did}; closed stdin");
    match client.wait_exit(ctx.timing.exit()) {
        Some(status) if status.success() => Ok(()),
        Some(status) => Err(Failure::new(did, "exit status 0", describe_status(status))),
        None => Err(Failure::new(did, "the client to exit at the end of stdin", "it was still running")),
    }
}

fn client_pieces(ctx: &mut Ctx) -> Outcome {
    let (mut client, mut conn, _) = start_client(ctx)?;
    let big: Vec<u8> = (0..200_000).map(|i| b'a' + (i % 26) as u8).collect();
    to_stdin(&mut client, "get one\nget two\nset three 3\n", "wrote three commands to the client's stdin")?;
    client.close_stdin();
    let _ = read_frame(ctx, &mut conn);
    // The three answers as one stream, cut inside frames and across them:
    // bytes that arrived early wait in the socket for the client's next
    // read, whether it sent its next request yet or not.
    let first = frame(b"Ofirst");
    let stream = [first.clone(), frame(&[b"O", &big[..]].concat()), frame(b"O")].concat();
    let cuts = [0, 1, 4, first.len() + 2, first.len() + 100_000, stream.len()];
    let did = "wrote \"get one\", \"get two\", \"set three 3\" to the client's stdin and closed it; read \
               the first request; sent the three answers (\"first\", a 200,000-byte value, `O`) in 5 \
               writes 20 ms apart: 1 byte, 3 bytes, the rest of the first answer with 2 bytes of the \
               second's length, 100,000 bytes, and the end of the second answer joined with the third";
    for piece in cuts.windows(2) {
        send(ctx, &mut conn, &stream[piece[0]..piece[1]], did).map_err(|f| Failure {
            meaning: Some(
                "Your client closed the connection in the middle of the answers: it took a piece that \
                 arrived for a whole answer."
                    .into(),
            ),
            ..f
        })?;
        std::thread::sleep(Duration::from_millis(20));
    }
    client.wait_exit(ctx.timing.exit());
    let expected = format!("VALUE first\nVALUE {}\nOK\n", String::from_utf8_lossy(&big));
    expect_stdout(ctx, &client, &expected, did)
}

fn client_refused(ctx: &mut Ctx) -> Outcome {
    let port = net::free_tcp_port().map_err(|e| checker_trouble("find a free port", &e))?;
    let addr = format!("127.0.0.1:{port}");
    let mut client = ctx.spawn_with_stdin("client", &["client".into(), addr.clone()])?;
    let _ = client.write_stdin(b"get k\n");
    client.close_stdin();
    expect_error_exit(ctx, &mut client, &format!("started the client towards {addr}, where nothing listens"))
}

fn client_server_closes(ctx: &mut Ctx) -> Outcome {
    let (mut client, mut conn, addr) = start_client(ctx)?;
    let _ = client.write_stdin(b"get k\n");
    client.close_stdin();
    let _ = conn.read_any(ctx.timing.reply());
    conn.note("closed by the checker before answering");
    drop(conn);
    expect_error_exit(
        ctx,
        &mut client,
        &format!("listened on {addr}, wrote \"get k\\n\" to the client, closed the connection as the request arrived"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_shown_as_length_and_body() {
        assert_eq!(show_frames(&frame(b"Sk\x03")), "[len 0x00000003] \"Sk\\x03\"");
        assert_eq!(show_frames(&[0, 0, 0, 9, b'O']), "[len 0x00000009 = 9] then 1 bytes of body \"O\"");
        assert_eq!(frame_len(&[0x80, 0, 0, 0]), Some(4));
        assert_eq!(frame_len(&[0, 0, 0, 2, b'O']), None);
        assert_eq!(frame_len(&[0, 0, 0, 1, b'O', 0]), Some(5));
    }
}
