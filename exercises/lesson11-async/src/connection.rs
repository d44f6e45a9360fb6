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

#[allow(unused_imports)] // you will use them
use crate::room::{Line, Refused, Room};
use std::io;
#[allow(unused_imports)]
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
#[allow(unused_imports)] // `read_until`, `take` and `write_all` come from these traits
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

/// The longest chat line, without its line end.
#[allow(dead_code)] // you will use it in `next_line`
const MAX_LINE: usize = 1000;
/// What every client hears when the server shuts down.
#[allow(dead_code)] // you will use it in step 5
const GOODBYE: &[u8] = b"* server closing\n";

/// Serve one client until it leaves, the room drops it, or shutdown.
/// An error ends this connection only; there is nobody to report it to.
#[allow(dead_code)] // you will spawn it from `server::run`
pub async fn handle(socket: TcpStream, room: Arc<Room>, shutdown: watch::Receiver<()>) {
    // TODO (step 2, the name): `set_nodelay(true)` as in lesson 10 (chat
    // lines are small: no Nagle). `socket.into_split()` gives a read half and
    // a write half that two tasks can own; wrap the read half in a
    // `BufReader`. Write `name?\n` (`write_all(..).await`), then read the
    // first line with `next_line`: the end of the stream, or an error, and
    // we return: dropping both halves closes the connection. `room.join`
    // (step 3) lets the name in or refuses it: write `error: bad name\n`
    // or `error: name taken\n` (`RoomTooBig`: nothing) and return.
    //
    // Step 4: once in, `tokio::spawn(write_queue(..))` with the write half
    // and the queue `join` gave you, then hand the rest to `chat`. Step 5:
    // wait for the name in a `select!` with `shutdown.changed()`: a client
    // still at the prompt gets the goodbye too.
    let _ = (socket, room, shutdown); // only so the skeleton compiles without warnings: delete this line
    todo!("send `name?`, read the name, and let the room take it or refuse it")
}

/// Hand each line of a member to the room, until the member leaves, the
/// room drops it, or shutdown.
#[allow(dead_code)] // you will call it from `handle`
async fn chat(
    reader: BufReader<OwnedReadHalf>,
    buf: Vec<u8>,
    room: &Room,
    id: u64,
    evicted: oneshot::Receiver<()>,
    writing: JoinHandle<io::Result<()>>,
    shutdown: watch::Receiver<()>,
) {
    // TODO (step 5, `select!`): loop over a `tokio::select!` of four
    // futures: the next line (`room.say` it; an empty line is not a
    // message; the end of the stream, an error or a line too long ends the
    // loop), `&mut evicted` (the room dropped this member), `&mut writing`
    // (the writer stopped: the client is gone) and `shutdown.changed()`
    // (wait for the writer's goodbye, `writing.await`, and return). Put
    // shutdown first, with `biased;` at the top of the `select!`. After the
    // loop: `room.leave(id)` (the others get `* NAME left`), then
    // `writing.abort()`, which stops the writer wherever it waits and drops
    // the write half. Pitfall: borrow the futures that must survive a turn
    // of the loop (`&mut evicted`); a fresh `changed()` each turn is fine.
    let _ = (reader, buf, room, id, evicted, writing, shutdown); // only so the skeleton compiles without warnings: delete this line
    todo!("select! between the next line, eviction, the writer's end and shutdown")
}

/// Write what the room queues for the client until the room lets it go,
/// or the server shuts down.
#[allow(dead_code)] // you will spawn it from `handle`
async fn write_queue(
    writer: OwnedWriteHalf,
    lines: mpsc::UnboundedReceiver<Line>,
    queued: Arc<AtomicUsize>,
    shutdown: watch::Receiver<()>,
) -> io::Result<()> {
    // TODO (step 4, the writer task): wait for a line with
    // `lines.recv().await` (`None`: the room dropped this member, return).
    // Then take everything else already queued, without waiting
    // (`try_recv` until it fails), into the same buffer, and write it all
    // with one `write_all`: when ten thousand people join, a writer that
    // wrote each line on its own would make fifty million system calls.
    // After the write, lower `queued` by what you wrote (`fetch_sub`): the
    // room's 64 KiB budget counts what is not yet written.
    //
    // Step 5: make the wait a `select!` with `shutdown.changed()` (first,
    // `biased;`): then write `GOODBYE`, `writer.shutdown().await` (FIN)
    // and return.
    let _ = (writer, lines, queued, shutdown); // only so the skeleton compiles without warnings: delete this line
    todo!("write what is queued, as much as is there, in one write each time")
}

/// Reads the next line, without its `\n` or `\r\n`. `Ok(None)` at the end
/// of the stream (a last line without `\n` is not a line); an error for a
/// line over `MAX_LINE`. Cancel safe: what it read before it was dropped
/// stays in `buf`, for the next call to finish.
#[allow(dead_code)] // you will call it from `handle` and `chat`
async fn next_line(reader: &mut (impl AsyncBufRead + Unpin), buf: &mut Vec<u8>) -> io::Result<Option<Vec<u8>>> {
    // TODO (step 2): `read_until(b'\n', buf)` appends up to and including
    // the next `\n`, however many reads that takes; but a client that never
    // sends `\n` would make `buf` grow without end. So read through
    // `reader.take(n)`, where `n` is what a line may still hold: `MAX_LINE`
    // plus 2 for `\r\n`, minus what `buf` holds already (a `select!` may
    // have dropped an earlier call half way: its bytes are in `buf`). Then:
    // no `\n` at the end of `buf` means the stream ended (return
    // `Ok(None)`) or the line is too long (an `InvalidData` error). Take the
    // line out with `std::mem::take(buf)`, drop its `\n` and a `\r` before
    // it, and check its length again.
    let _ = (reader, buf); // only so the skeleton compiles without warnings: delete this line
    todo!("read one line of at most MAX_LINE bytes, cancel safe")
}
