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

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{mpsc, oneshot};

/// The most output we keep for a member that does not read it.
pub const MAX_QUEUED: usize = 64 * 1024;

/// One line of output, shared by every queue it is on.
pub type Line = Arc<[u8]>;

/// Why a newcomer was refused.
pub enum Refused {
    BadName,
    NameTaken,
    /// The `* present:` line alone is over `MAX_QUEUED`: the newcomer is
    /// over its budget before it reads a byte, and is closed like a slow
    /// reader, unannounced.
    RoomTooBig,
}

/// What the room keeps for one named client.
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
    fn push(&self, line: &Line) -> bool {
        let before = self.queued.fetch_add(line.len(), Ordering::Relaxed);
        // `send` on an unbounded channel never waits: it cannot block the
        // room. It fails only when the receiver (the writer task) is gone.
        before + line.len() <= MAX_QUEUED && self.queue.send(Arc::clone(line)).is_ok()
    }
}

/// The chat room every connection shares.
#[derive(Default)]
pub struct Room {
    inner: Mutex<Members>,
}

#[derive(Default)]
struct Members {
    /// In the order they joined.
    list: Vec<Member>,
    next_id: u64,
    /// Set when the server shuts down: from then on the room is silent.
    closed: bool,
}

impl Room {
    /// Let `name` in: queue `* present: …` for it and `* NAME joined` for
    /// the others.
    pub fn join(&self, name: &[u8]) -> Result<Joined, Refused> {
        let name = match std::str::from_utf8(name) {
            Ok(name) if is_valid_name(name) => name.to_string(),
            _ => return Err(Refused::BadName),
        };
        let mut members = self.lock();
        if members.list.iter().any(|member| member.name == name) {
            return Err(Refused::NameTaken);
        }
        // All under one lock: nobody can join or speak between the list
        // the newcomer sees and the news the others get.
        let mut present = String::from("* present:");
        for member in &members.list {
            present.push(' ');
            present.push_str(&member.name);
        }
        present.push('\n');
        if present.len() > MAX_QUEUED {
            return Err(Refused::RoomTooBig);
        }
        let joined = format!("* {name} joined\n");

        let (queue, lines) = mpsc::unbounded_channel();
        let (evicted, on_evicted) = oneshot::channel();
        let queued = Arc::new(AtomicUsize::new(0));
        members.next_id += 1;
        let id = members.next_id;
        let member = Member { id, name, queue, queued: Arc::clone(&queued), _evicted: evicted };
        // A new queue is empty, and the line is within the budget: it fits.
        member.push(&Line::from(present.as_bytes()));
        members.list.push(member);
        members.send_to_others(id, joined.as_bytes());
        Ok(Joined { id, lines, queued, evicted: on_evicted })
    }

    /// `[NAME] LINE` to every member but the speaker.
    pub fn say(&self, id: u64, line: &[u8]) {
        let mut members = self.lock();
        // The speaker may have been dropped already (it stopped reading).
        let Some(speaker) = members.list.iter().find(|member| member.id == id) else { return };
        let message = [b"[", speaker.name.as_bytes(), b"] ", line, b"\n"].concat();
        members.send_to_others(id, &message);
    }

    /// The member's connection ended: out of the room, and `* NAME left` to
    /// the others. Nothing happens if the room dropped it already.
    pub fn leave(&self, id: u64) {
        self.lock().remove(id);
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

impl Members {
    /// Queue `bytes` for every member but `from`, and drop each member it
    /// would take over its budget.
    fn send_to_others(&mut self, from: u64, bytes: &[u8]) {
        if self.closed {
            return;
        }
        let line = Line::from(bytes);
        let mut over = Vec::new();
        for member in &self.list {
            if member.id != from && !member.push(&line) {
                over.push(member.id);
            }
        }
        for id in over {
            self.remove(id);
        }
    }

    /// Drop a member and tell the others. Their news may take another
    /// member over its budget: `send_to_others` drops that one in turn.
    fn remove(&mut self, id: u64) {
        let Some(index) = self.list.iter().position(|member| member.id == id) else { return };
        let gone = self.list.remove(index); // `remove`, not `swap_remove`: keeps the join order
        self.send_to_others(id, format!("* {} left\n", gone.name).as_bytes());
    }
}

/// 1 to 16 characters from `A-Z a-z 0-9 _ -`.
fn is_valid_name(name: &str) -> bool {
    (1..=16).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_valid_and_free_or_refused() {
        let room = Room::default();
        for bad in [&b""[..], b"abcdefghijklmnopq", b"two words", "Zo\u{eb}".as_bytes(), b"hi!", b"\xff"] {
            assert!(matches!(room.join(bad), Err(Refused::BadName)), "{bad:?}");
        }
        let ann = room.join(b"Ann").unwrap_or_else(|_| panic!("Ann is refused"));
        assert!(matches!(room.join(b"Ann"), Err(Refused::NameTaken)));
        room.leave(ann.id);
        assert!(room.join(b"Ann").is_ok(), "a name is free again once its user left");
    }
}
