// Frames: how one message is cut out of a byte stream.
//
// TCP delivers bytes, not messages: one `read` may return half a message,
// or the end of one and the start of the next. So every message, both ways,
// travels as a frame: its length in 4 bytes, big-endian (network byte
// order), then that many bytes of body. The reader reads exactly 4 bytes,
// then exactly the length it found: however the bytes arrive, it gets
// whole messages, one at a time.
//
// The length comes from the peer, so it is checked before it is used: a
// length of 2 GiB must not make us allocate 2 GiB.

use std::io::{self, Read, Write};

/// The longest body a frame may carry, in bytes.
pub const MAX_FRAME: u32 = 1_048_576;

/// Reads one frame's body. `Ok(None)` when the stream ended before a frame
/// began (or within its 4-byte length); an error of kind `InvalidData` when
/// the declared length is over [`MAX_FRAME`] (the body is left unread), and
/// of kind `UnexpectedEof` when the stream ended within the body.
pub fn read_frame(stream: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut prefix = [0u8; 4];
    // `read_exact` keeps reading until it has all 4 bytes, whatever the
    // pieces they come in. An end of stream here is a peer that left.
    match stream.read_exact(&mut prefix) {
        Ok(()) => {}
        Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(err) => return Err(err),
    }
    let len = u32::from_be_bytes(prefix);
    // Check the length before trusting it: only then allocate.
    if len > MAX_FRAME {
        let why = format!("frame too large: {len} bytes declared, at most {MAX_FRAME}");
        return Err(io::Error::new(io::ErrorKind::InvalidData, why));
    }
    let mut body = vec![0u8; len as usize];
    stream.read_exact(&mut body)?;
    Ok(Some(body))
}

/// Writes `body` as one frame: its length, big-endian, then the body.
pub fn write_frame(stream: &mut impl Write, body: &[u8]) -> io::Result<()> {
    let len = u32::try_from(body.len())
        .ok()
        .filter(|&len| len <= MAX_FRAME)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "frame too large"))?;
    // One buffer, one `write_all`: with `TCP_NODELAY` off, two small writes
    // (prefix, then body) can wait on each other's acknowledgement.
    let mut frame = Vec::with_capacity(4 + body.len());
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(body);
    stream.write_all(&frame)
}
