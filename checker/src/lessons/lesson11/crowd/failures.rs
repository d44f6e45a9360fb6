//! What the crowd check says when it fails: how far each client got.

use super::lines::{thousands, JOINED_LEN, MESSAGE};
use super::{Client, Crowd, Stage, Waiting, JOINING_MS, STALL_MS};
use crate::harness::Failure;

impl Crowd<'_> {
    /// A deadline passed, or nothing arrived for long.
    pub(super) fn late(&self, waiting: Waiting, stalled: bool) -> Failure {
        let stalled = if stalled {
            format!(", and nothing arrived on any connection for {} ms", self.ctx.timing.ms(STALL_MS).as_millis())
        } else {
            String::new()
        };
        let waiting_for = |behind: Vec<&Client>, what: &str| {
            let first = behind.first().map(|c| self.where_is(c)).unwrap_or_default();
            format!("{} clients still waiting for {what}{stalled}; the first: {first}", thousands(behind.len()))
        };
        let within = self.ctx.timing.ms(JOINING_MS).as_secs();
        match waiting {
            Waiting::Connect => {
                let behind = self.clients.iter().filter(|c| matches!(c.stage, Stage::Connecting | Stage::Prompted));
                Failure::new(
                    self.did(),
                    format!("each connection accepted and sent `name?`, within {within} s"),
                    waiting_for(behind.collect(), "`name?`"),
                )
                .hint(
                    "Keep accepting while earlier clients stay connected: each accepted connection gets a task \
                     of its own, and the accept loop goes straight back to `accept`.",
                )
            }
            Waiting::Join => {
                let behind: Vec<&Client> =
                    self.clients.iter().filter(|c| matches!(c.stage, Stage::Present(_))).collect();
                let got = if behind.is_empty() {
                    let due = JOINED_LEN * self.named * (self.named - 1) / 2;
                    format!(
                        "{} of the {} bytes of `joined` lines the first {} joins make{stalled}",
                        thousands(self.flood),
                        thousands(due),
                        thousands(self.named)
                    )
                } else {
                    waiting_for(behind, "their `* present:` line")
                };
                Failure::new(
                    self.did(),
                    format!(
                        "each client to get its `* present:` line and a `* NAME joined` line for every client that \
                         joined after it, all within {within} s"
                    ),
                    got,
                )
                .hint(
                    "Ten thousand joins make about fifty million `joined` lines: the server must keep every \
                     connection moving at once. A task that waits with a lock held, or a write that blocks a \
                     worker thread, stops the others; and one `write` per line per client is too slow: gather \
                     each client's queued lines into one write.",
                )
            }
            Waiting::Message => {
                let sender = &self.clients[0].name;
                let behind = self.clients.iter().skip(1).filter(|c| c.stage != Stage::Heard);
                Failure::new(
                    format!("{}; then client `{sender}` sent {:?}", self.did(), String::from_utf8_lossy(MESSAGE)),
                    format!(
                        "`[{sender}] hello, everyone` at each of the other {} clients within {} ms",
                        thousands(self.n - 1),
                        self.ctx.timing.ms(2000).as_millis()
                    ),
                    waiting_for(behind.collect(), "the message"),
                )
                .hint(
                    "Each client's task should wake when the room has a line for it and write it out at once. \
                     Writing each line to each client with its own `write` is slow with ten thousand: gather \
                     what is queued for a client into one write.",
                )
            }
        }
    }

    pub(super) fn where_is(&self, client: &Client) -> String {
        let stage = match client.stage {
            Stage::Connecting => "still connecting".to_string(),
            Stage::Prompted => "no `name?` yet".to_string(),
            Stage::Ready => "`name?` read, its name not sent yet".to_string(),
            Stage::Present { .. } => "named, no `* present:` line yet".to_string(),
            Stage::Joined { left } => format!("{} bytes of `joined` lines still to come", thousands(left)),
            Stage::Listening => "every `joined` line read, no message yet".to_string(),
            Stage::Heard => "got the message".to_string(),
        };
        format!("client `{}` ({stage}, {} bytes received)", client.name, thousands(client.received as usize))
    }

    /// Client `i`'s connection ended, or went wrong.
    pub(super) fn lost(&self, i: usize, what: &str) -> Failure {
        let client = &self.clients[i];
        Failure::new(
            self.did(),
            "every client to stay connected and get every line meant for it",
            format!("{what}, for {}", self.where_is(client)),
        )
        .hint(
            "A client that reads everything it is sent must never be dropped. If you disconnect slow \
             readers, count only the output your server holds (not what the kernel already took), and \
             let each client's task write as soon as its socket can take more.",
        )
    }

    pub(super) fn refused(&self, i: usize, err: &std::io::Error) -> Failure {
        Failure::new(
            self.did(),
            format!("the server to accept all {} connections", thousands(self.n)),
            format!("connection {} of {} failed: {err}", i + 1, thousands(self.n)),
        )
        .hint(
            "Keep accepting: every accepted connection gets its own task, and the loop goes straight back to `accept`.",
        )
    }
}
