// The room: who is in it, in the order they joined, and a queue to each.
//
// Every connection's task shares one `Room` (through an `Arc`), and the
// members sit behind a `std::sync::Mutex`, not tokio's. That is safe here
// because no method below awaits: each takes the lock, puts lines on queues
// (which never waits), and lets go. A task that held a `std` lock across an
// `.await` could be parked with it, and every worker thread that then asks
// for the lock would block, the one that should release it included.
//
// A line for many members is built once, as an `Arc<[u8]>`: each queue gets
// a pointer to the same bytes, not a copy.
//
// Each member's queue is an unbounded channel with a budget counted in
// bytes, `MAX_QUEUED`: the bytes on the queue plus those its writer has not
// finished writing. A member that would go over it is not reading: we drop
// it from the room, which tells its task to close the connection. A channel
// bounded in *messages* would not say the same thing: 3,000 `joined` lines
// of 20 bytes are a normal moment for ten thousand users, 64 lines of
// 1,000 bytes could already be 64 KiB.

#[allow(unused_imports)] // you will use them
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{mpsc, oneshot};

/// The most output we keep for a member that does not read it.
#[allow(dead_code)] // you will use it in `Member::push`
pub const MAX_QUEUED: usize = 64 * 1024;

/// One line of output, shared by every queue it is on.
pub type Line = Arc<[u8]>;

/// Why a newcomer was refused.
#[allow(dead_code)] // you will return them from `join`
pub enum Refused {
    BadName,
    NameTaken,
    /// The `* present:` line alone is over `MAX_QUEUED`: the newcomer is
    /// over its budget before it reads a byte, and is closed like a slow
    /// reader, unannounced.
    RoomTooBig,
}

/// What the room keeps for one named client.
#[allow(dead_code)] // you will build them in `join`
struct Member {
    id: u64,
    name: String,
    /// The sending end of the client's queue; its writer task holds the
    /// receiving end.
    queue: mpsc::UnboundedSender<Line>,
    /// Bytes queued and not yet written: we add, the writer subtracts.
    queued: Arc<AtomicUsize>,
    /// Never sent: it is dropped with the member, and that drop is what the
    /// client's task hears as "you are out of the room".
    _evicted: oneshot::Sender<()>,
}

/// What a new member's connection keeps: the other ends of its `Member`.
#[allow(dead_code)] // you will build it in `join`
pub struct Joined {
    /// Names this member to `say` and `leave`.
    pub id: u64,
    /// The lines to write to the client, in order.
    pub lines: mpsc::UnboundedReceiver<Line>,
    /// Lower it by what was written.
    pub queued: Arc<AtomicUsize>,
    /// Resolves (with an error) when the room drops the member.
    pub evicted: oneshot::Receiver<()>,
}

impl Member {
    /// Queue `line`, or say `false` if that would take the member over
    /// `MAX_QUEUED` (or its writer is gone).
    #[allow(dead_code)] // you will call it from `join` and `send_to_others`
    fn push(&self, line: &Line) -> bool {
        // TODO (step 4, the bounded queue): add `line.len()` to `queued`
        // (`fetch_add` returns what was there before) and say `false` if
        // that goes over `MAX_QUEUED`: this member has not read 64 KiB, and
        // the caller drops it. Otherwise `self.queue.send(Arc::clone(line))`:
        // a send on an unbounded channel never waits, so the room is never
        // held up by one slow client; it fails only when the writer task is
        // gone (`false` too). `Arc::clone` copies a pointer, not the line.
        let _ = line; // only so the skeleton compiles without warnings: delete this line
        todo!("count the line against the 64 KiB budget, then queue it")
    }
}

/// The chat room every connection shares.
#[derive(Default)]
pub struct Room {
    inner: Mutex<Members>,
}

#[derive(Default)]
#[allow(dead_code)] // you will use `list` and `next_id` in step 3
struct Members {
    /// In the order they joined.
    list: Vec<Member>,
    next_id: u64,
    /// Set when the server shuts down: from then on the room is silent.
    closed: bool,
}

#[allow(dead_code)] // you will call these from `connection.rs`
impl Room {
    /// Let `name` in: queue `* present: …` for it and `* NAME joined` for
    /// the others.
    pub fn join(&self, name: &[u8]) -> Result<Joined, Refused> {
        // TODO (step 3, the room): a name that is not UTF-8 or fails
        // `is_valid_name` is `Refused::BadName`. Then `self.lock()`, and
        // under that one lock: a name in use is `Refused::NameTaken`; build
        // `* present:` with ` NAME` for each member in join order (a line
        // over `MAX_QUEUED` is `Refused::RoomTooBig`); make the member's
        // queue (`mpsc::unbounded_channel()`), its eviction signal
        // (`oneshot::channel()`) and its `queued` counter
        // (`Arc<AtomicUsize>`, one for the room, a clone for the writer);
        // give it the next id, `push` it its `present` line, add it to the
        // list and `send_to_others` its `* NAME joined`. Return the
        // connection's ends in a `Joined`. Pitfall: everything under one
        // lock, or someone could join between the list the newcomer sees
        // and the news the others get.
        let _ = name; // only so the skeleton compiles without warnings: delete this line
        todo!("check the name, then under one lock: present, joined, and a queue")
    }

    /// `[NAME] LINE` to every member but the speaker.
    pub fn say(&self, id: u64, line: &[u8]) {
        // TODO (step 3): find the speaker by `id` (the room may have dropped
        // it already: then say nothing), build `[NAME] LINE\n` once, and
        // `send_to_others`.
        let _ = (id, line); // only so the skeleton compiles without warnings: delete this line
        todo!("relay one line to every other member")
    }

    /// The member's connection ended: out of the room, and `* NAME left` to
    /// the others. Nothing happens if the room dropped it already.
    pub fn leave(&self, id: u64) {
        // TODO (step 3): one line, with `Members::remove`.
        let _ = id; // only so the skeleton compiles without warnings: delete this line
        todo!("remove the member and tell the others")
    }

    /// The server is shutting down: no more news, not even `left`, so
    /// that `* server closing` is the last line every member gets.
    pub fn close(&self) {
        self.lock().closed = true;
    }

    fn lock(&self) -> MutexGuard<'_, Members> {
        // A task that panicked while holding the lock poisons it; the list
        // is still whole (each change is one call), so we go on with it.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[allow(dead_code)] // you will call these from `Room`
impl Members {
    /// Queue `bytes` for every member but `from`, and drop each member it
    /// would take over its budget.
    fn send_to_others(&mut self, from: u64, bytes: &[u8]) {
        // TODO (step 3, then step 4 for the budget): once the room is
        // `closed`, nothing. Otherwise build the `Line` once
        // (`Line::from(bytes)`) and `push` it to every member but `from`;
        // note the ids whose `push` said `false`, and after the loop
        // `remove` each (you cannot remove from a list you are walking).
        let _ = (from, bytes); // only so the skeleton compiles without warnings: delete this line
        todo!("queue one line for every member but one")
    }

    /// Drop a member and tell the others. Their news may take another
    /// member over its budget: `send_to_others` drops that one in turn.
    fn remove(&mut self, id: u64) {
        // TODO (step 3): find the member by id (gone already: nothing to
        // do), take it out with `Vec::remove` (not `swap_remove`, which
        // would break the join order), and `send_to_others` its
        // `* NAME left`. Dropping the member drops its queue's sender and
        // its eviction signal: that is what tells its tasks to stop.
        let _ = id; // only so the skeleton compiles without warnings: delete this line
        todo!("take the member out, in order, and announce it left")
    }
}

/// 1 to 16 characters from `A-Z a-z 0-9 _ -`.
#[allow(dead_code)] // you will call it from `join`
fn is_valid_name(name: &str) -> bool {
    (1..=16).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}
