// One client's connection, from `name?` to the last byte.
//
// A named client has two tasks:
// - this one reads: the name, then each line, which it hands to the room;
// - a writer task owns the socket's write half and writes what the room
//   queued for the client.
// Why two? A write to a client that does not read waits for ever, and we
// must still hear the rest meanwhile: the room dropping that client, the
// server shutting down.
//
// `tokio::select!` waits on several futures at once, runs the branch of
// the first one ready, and drops the others: cancels them. So each future
// in a `select!` that loops must be *cancel safe*: dropped half way, it must
// lose nothing. `read_until` is (the bytes it has read stay in our buffer),
// `mpsc::Receiver::recv` and `watch::Receiver::changed` are.

use crate::room::{Line, Refused, Room};
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

/// The longest chat line, without its line end.
const MAX_LINE: usize = 1000;
/// What every client hears when the server shuts down.
const GOODBYE: &[u8] = b"* server closing\n";

/// Serve one client until it leaves, the room drops it, or shutdown.
/// An error ends this connection only; there is nobody to report it to.
pub async fn handle(socket: TcpStream, room: Arc<Room>, mut shutdown: watch::Receiver<()>) {
    // Chat lines are small and should leave at once: no Nagle (lesson 10).
    // If it fails we are only slower.
    let _ = socket.set_nodelay(true);
    // Two halves, so that reading and writing can be owned by two tasks.
    let (reader, mut writer) = socket.into_split();
    // 2 KiB of buffer holds a whole line (1,002 bytes at most) and costs
    // ten thousand idle clients 20 MB; `BufReader::new` would take 8 KiB.
    let mut reader = BufReader::with_capacity(2048, reader);
    let mut buf = Vec::new();

    if writer.write_all(b"name?\n").await.is_err() {
        return;
    }
    let name = tokio::select! {
        line = next_line(&mut reader, &mut buf) => match line {
            Ok(Some(name)) => name,
            // Gone before naming itself (or a line over `MAX_LINE`):
            // forgotten silently.
            Ok(None) | Err(_) => return,
        },
        _ = shutdown.changed() => {
            let _ = writer.write_all(GOODBYE).await;
            return;
        }
    };
    let joined = match room.join(&name) {
        Ok(joined) => joined,
        Err(refused) => {
            let error: &[u8] = match refused {
                Refused::BadName => b"error: bad name\n",
                Refused::NameTaken => b"error: name taken\n",
                Refused::RoomTooBig => b"",
            };
            // Returning drops both halves: the connection closes.
            let _ = writer.write_all(error).await;
            return;
        }
    };

    let writing = tokio::spawn(write_queue(writer, joined.lines, joined.queued, shutdown.clone()));
    chat(reader, buf, &room, joined.id, joined.evicted, writing, shutdown).await;
}

/// Hand each line of a member to the room, until the member leaves, the
/// room drops it, or shutdown.
async fn chat(
    mut reader: BufReader<OwnedReadHalf>,
    mut buf: Vec<u8>,
    room: &Room,
    id: u64,
    mut evicted: oneshot::Receiver<()>,
    mut writing: JoinHandle<io::Result<()>>,
    mut shutdown: watch::Receiver<()>,
) {
    loop {
        tokio::select! {
            // Look at shutdown first: once it has begun, we only wait for
            // the writer's goodbye.
            biased;
            // The writer says goodbye (it hears the same news); we wait for
            // it, then return and close. No `left`: everyone is leaving.
            _ = shutdown.changed() => {
                let _ = writing.await;
                return;
            }
            line = next_line(&mut reader, &mut buf) => match line {
                // Empty lines are not messages.
                Ok(Some(line)) if line.is_empty() => {}
                Ok(Some(line)) => room.say(id, &line),
                // End of stream, a reset, or a line over `MAX_LINE`.
                Ok(None) | Err(_) => break,
            },
            // The room dropped us: 64 KiB were waiting and we did not read.
            _ = &mut evicted => break,
            // The writer stopped: the client is gone (a reset, say).
            _ = &mut writing => break,
        }
    }
    // `* NAME left` for the others (nothing if the room dropped us first),
    // then stop the writer, wherever it is: that drops the write half.
    room.leave(id);
    writing.abort();
}

/// Write what the room queues for the client until the room lets it go,
/// or the server shuts down.
async fn write_queue(
    mut writer: OwnedWriteHalf,
    mut lines: mpsc::UnboundedReceiver<Line>,
    queued: Arc<AtomicUsize>,
    mut shutdown: watch::Receiver<()>,
) -> io::Result<()> {
    loop {
        tokio::select! {
            // Shutdown first: after it, nothing but the goodbye.
            biased;
            _ = shutdown.changed() => {
                writer.write_all(GOODBYE).await?;
                // FIN: "nothing more from us".
                return writer.shutdown().await;
            }
            line = lines.recv() => {
                // `None`: the room dropped the sending end.
                let Some(line) = line else { return Ok(()) };
                let mut batch = line.to_vec();
                // Take everything else already queued, without waiting: when
                // a thousand people join at once, that is a thousand lines
                // in one write, not a thousand system calls.
                while let Ok(line) = lines.try_recv() {
                    batch.extend_from_slice(&line);
                }
                writer.write_all(&batch).await?;
                queued.fetch_sub(batch.len(), Ordering::Relaxed);
                // `batch` is freed here: ten thousand idle clients should
                // not each keep the largest buffer they ever needed.
            }
        }
    }
}

/// Reads the next line, without its `\n` or `\r\n`. `Ok(None)` at the end
/// of the stream (a last line without `\n` is not a line); an error for a
/// line over `MAX_LINE`. Cancel safe: what it read before it was dropped
/// stays in `buf`, for the next call to finish.
async fn next_line(reader: &mut (impl AsyncBufRead + Unpin), buf: &mut Vec<u8>) -> io::Result<Option<Vec<u8>>> {
    // Never read more than a line may hold, with its `\r\n`: a client that
    // sends no `\n` must not make `buf` grow without end.
    let room_left = (MAX_LINE + 2).saturating_sub(buf.len()) as u64;
    reader.take(room_left).read_until(b'\n', buf).await?;
    if buf.last() != Some(&b'\n') {
        if buf.len() < MAX_LINE + 2 {
            return Ok(None); // the stream ended
        }
        return Err(io::Error::new(io::ErrorKind::InvalidData, "line too long"));
    }
    let mut line = std::mem::take(buf);
    line.pop(); // the `\n`
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    if line.len() > MAX_LINE {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "line too long"));
    }
    Ok(Some(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line `next_line` finds in `input`, then how it ended.
    fn lines(input: &[u8]) -> (Vec<Vec<u8>>, io::Result<Option<Vec<u8>>>) {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(async {
            let mut reader = input;
            let mut buf = Vec::new();
            let mut found = Vec::new();
            loop {
                match next_line(&mut reader, &mut buf).await {
                    Ok(Some(line)) => found.push(line),
                    end => return (found, end),
                }
            }
        })
    }

    #[test]
    fn splits_lines_and_drops_their_ends() {
        let (found, end) = lines(b"Ada\r\nhello\n\nbye");
        assert_eq!(found, [&b"Ada"[..], b"hello", b""]);
        assert!(matches!(end, Ok(None)));
    }

    #[test]
    fn a_line_of_1000_bytes_passes_and_1001_does_not() {
        let ok = [vec![b'x'; 1000], b"\r\n".to_vec()].concat();
        assert_eq!(lines(&ok).0, [vec![b'x'; 1000]]);
        for long in [[vec![b'x'; 1001], b"\n".to_vec()].concat(), vec![b'x'; 5000]] {
            let (found, end) = lines(&long);
            assert!(found.is_empty() && end.is_err());
        }
    }
}
