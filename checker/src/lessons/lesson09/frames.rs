//! Lesson 9's frames: a 4-byte big-endian length, then the body. Building
//! them ([`frame`], [`request`]), reading one ([`expect_frame`],
//! [`read_frame`]), sending ([`send`], [`ask`]) and showing them readably.

use crate::harness::{send_or_fail, text, Conn, Ctx, End, Failure, Outcome, Received};

/// The longest body a frame may carry.
pub(super) const MAX_FRAME: usize = 1_048_576;

/// `body` as a frame: its length, 4 bytes big-endian, then the body.
pub(super) fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = (body.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(body);
    out
}

/// A request body: operation, key length, key, value.
pub(super) fn request(op: u8, key: &[u8], value: &[u8]) -> Vec<u8> {
    [&[op, key.len() as u8][..], key, value].concat()
}

/// The length of the first frame in `bytes`, prefix included, once it has
/// all arrived; a frame declaring more than the limit ends at its prefix.
pub(super) fn frame_len(bytes: &[u8]) -> Option<usize> {
    let prefix: [u8; 4] = bytes.get(..4)?.try_into().ok()?;
    let len = u32::from_be_bytes(prefix) as usize;
    if len > MAX_FRAME {
        return Some(4);
    }
    (bytes.len() >= 4 + len).then_some(4 + len)
}

/// Frames shown readably: `[len 0x00000007] "Sk\x03keyval"`, and any bytes
/// after the last whole frame as they are.
pub(super) fn show_frames(bytes: &[u8]) -> String {
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
pub(super) fn describe(got: &Received) -> String {
    match got.end {
        _ if got.bytes.is_empty() => got.describe(),
        End::Complete => show_frames(&got.bytes),
        _ => format!("{}, {}", show_frames(&got.bytes), got.end.describe()),
    }
}

/// Reads one frame and compares its body with `expected`.
pub(super) fn expect_frame(ctx: &Ctx, conn: &mut Conn, expected: &[u8], did: &str) -> Outcome {
    let got = conn.read_until(ctx.timing.reply(), frame_len);
    let want = frame(expected);
    if got.complete() && got.bytes == want {
        return Ok(());
    }
    Err(frame_mismatch(did, &want, got))
}

pub(super) fn frame_mismatch(did: &str, want: &[u8], got: Received) -> Failure {
    let mut failure = Failure::mismatch(did, want, &got).expected(show_frames(want)).got(describe(&got));
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
pub(super) fn read_frame(ctx: &Ctx, conn: &mut Conn) -> Received {
    conn.read_until(ctx.timing.reply(), frame_len)
}

pub(super) fn send(ctx: &Ctx, conn: &mut Conn, bytes: &[u8], did: &str) -> Outcome {
    send_or_fail(conn, bytes, ctx.timing.reply(), did)
}

/// Sends one request as one frame and expects `answer` back.
pub(super) fn ask(ctx: &Ctx, conn: &mut Conn, body: &[u8], answer: &[u8], did: &str) -> Outcome {
    let did = format!("{did}{}sent {}", if did.is_empty() { "" } else { ", then " }, show_frames(&frame(body)));
    send(ctx, conn, &frame(body), &did)?;
    expect_frame(ctx, conn, answer, &did)
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
