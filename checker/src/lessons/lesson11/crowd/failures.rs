//! What the crowd check says when it fails: how far each connection got.

use super::lines::{thousands, JOINED_LEN, MESSAGE};
use super::{Client, Crowd, Stage, Waiting, LINE_MS, SETTLING_MS, STALL_MS};
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
            format!("{} still waiting for {what}{stalled}; the first: {first}", thousands(behind.len()))
        };
        let within = self.ctx.timing.ms(SETTLING_MS).as_secs();
        match waiting {
            Waiting::Connect => {
                let behind = self.clients.iter().filter(|c| matches!(c.stage, Stage::Connecting | Stage::Prompted));
                Failure::new(
                    self.did(),
                    format!("each connection accepted and sent `name?`, all within {within} s"),
                    format!(
                        "{} of {} connections open and prompted; {}",
                        thousands(self.prompted),
                        thousands(self.n),
                        waiting_for(behind.collect(), "`name?`")
                    ),
                )
                .hint(
                    "Keep accepting while earlier connections stay open, however many: each accepted connection \
                     gets a task of its own, the accept loop goes straight back to `accept`, and nothing caps the \
                     connections below ten thousand (a semaphore, a descriptor limit of the server's own).",
                )
            }
            Waiting::Join => self.late_joins(within, &stalled, waiting_for),
            Waiting::Message => {
                let sender = &self.clients[0].name;
                let behind: Vec<&Client> =
                    self.clients[1..self.users].iter().filter(|c| c.stage != Stage::Heard).collect();
                Failure::new(
                    format!("{}; then user `{sender}` sent {:?}", self.did(), String::from_utf8_lossy(MESSAGE)),
                    format!(
                        "`[{sender}] hello, everyone` at each of the other {} named users within {} ms",
                        thousands(self.users - 1),
                        self.ctx.timing.ms(LINE_MS).as_millis()
                    ),
                    format!(
                        "{} of the {} named users had not received it; {}",
                        thousands(behind.len()),
                        thousands(self.users - 1),
                        waiting_for(behind.clone(), "the line")
                    ),
                )
                .hint(
                    "Each user's task should wake when the room has a line for it and write it out at once; \
                     the room hands the line to every user without awaiting any of them.",
                )
            }
        }
    }

    fn late_joins(&self, within: u64, stalled: &str, waiting_for: impl Fn(Vec<&Client>, &str) -> String) -> Failure {
        let behind: Vec<&Client> = self.clients.iter().filter(|c| matches!(c.stage, Stage::Present(_))).collect();
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
                "each named user to get its `* present:` line and a `* NAME joined` line for every user that \
                 joined after it, all within {within} s"
            ),
            got,
        )
        .hint(
            "A thousand joins make half a million `joined` lines: the server must keep every connection \
             moving at once. A task that waits with a lock held, or a write that blocks a worker thread, \
             stops the others.",
        )
    }

    /// The sender got its own line back.
    pub(super) fn echoed(&self) -> Failure {
        let sender = &self.clients[0].name;
        Failure::new(
            format!("{}; then user `{sender}` sent {:?}", self.did(), String::from_utf8_lossy(MESSAGE)),
            format!("the line at the other {} named users, and not back at `{sender}`", thousands(self.users - 1)),
            format!("`{sender}` received `[{sender}] hello, everyone` too"),
        )
        .hint("When the room hands a line out, skip the user who said it.")
    }

    pub(super) fn where_is(&self, client: &Client) -> String {
        let stage = match client.stage {
            Stage::Connecting => "still connecting".to_string(),
            Stage::Prompted => "no `name?` yet".to_string(),
            Stage::Ready => "`name?` read, its name not sent".to_string(),
            Stage::Present { .. } => "named, no `* present:` line yet".to_string(),
            Stage::Joined { left } => format!("{} bytes of `joined` lines still to come", thousands(left)),
            Stage::Listening => "every `joined` line read, no line from the sender yet".to_string(),
            Stage::Heard => "got the line".to_string(),
        };
        format!("connection `{}` ({stage}, {} bytes received)", client.name, thousands(client.received as usize))
    }

    /// Connection `i` ended, or went wrong.
    pub(super) fn lost(&self, i: usize, what: &str) -> Failure {
        let client = &self.clients[i];
        Failure::new(
            self.did(),
            "every connection to stay open and get every line meant for it",
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
