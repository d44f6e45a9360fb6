// Frames: how one message is cut out of a byte stream. Start here.
//
// TCP delivers bytes, not messages: one `read` may return half a message,
// or the end of one and the start of the next (the "sticky packets" of the
// lesson page). So every message, both ways, travels as a frame: its length
// in 4 bytes, big-endian (network byte order), then that many bytes of
// body. The reader reads exactly 4 bytes, then exactly the length it found:
// however the bytes arrive, it gets whole messages, one at a time.
//
// Run the checks with `cargo run -p checker -- lesson9`.

// `read_exact` and `write_all` come from these traits: keep the import.
#[allow(unused_imports)]
use std::io::{self, Read, Write};

/// The longest body a frame may carry, in bytes.
#[allow(dead_code)] // you will use it in both functions
pub const MAX_FRAME: u32 = 1_048_576;

/// Reads one frame's body. `Ok(None)` when the stream ended before a frame
/// began (or within its 4-byte length); an error of kind `InvalidData` when
/// the declared length is over [`MAX_FRAME`] (the body is left unread), and
/// of kind `UnexpectedEof` when the stream ended within the body.
pub fn read_frame(stream: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    // TODO: read the 4-byte length into a `[u8; 4]` with `read_exact`, which
    // keeps reading until all 4 bytes are there, whatever the pieces they
    // come in. If it fails with `io::ErrorKind::UnexpectedEof`, the peer
    // left: return `Ok(None)`. Turn the 4 bytes into a number with
    // `u32::from_be_bytes` (the page's "Byte order"), then read exactly that
    // many bytes of body. Pitfalls: a single `read` is not a frame (it may
    // hold less, or more); and the length comes from the peer, so compare it
    // with `MAX_FRAME` *before* you allocate the body (the page's "Check the
    // length before you trust it"): too large is an
    // `io::Error::new(io::ErrorKind::InvalidData, ...)`.
    let _ = stream; // only so the skeleton compiles without warnings: delete this line
    todo!("read a 4-byte big-endian length, check it, then read exactly that many bytes")
}

/// Writes `body` as one frame: its length, big-endian, then the body.
pub fn write_frame(stream: &mut impl Write, body: &[u8]) -> io::Result<()> {
    // TODO: refuse a body longer than `MAX_FRAME` (an `InvalidInput` error),
    // then write its length with `u32::to_be_bytes` followed by the body,
    // with `write_all` (a plain `write` may write only part). Pitfall:
    // `body.len()` is a `usize`; `as u32` would silently cut a length over
    // 4 GiB, `u32::try_from` says so.
    let _ = (stream, body); // only so the skeleton compiles without warnings: delete this line
    todo!("write the body's length as 4 big-endian bytes, then the body")
}
