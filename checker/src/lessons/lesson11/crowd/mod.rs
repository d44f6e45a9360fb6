//! The crowd check: ten thousand connections held at once on a few
//! threads, and one line that reaches a thousand named users.
//!
//! Two phases, read through one `mio::Poll` over every socket, never
//! blocking, with an overall deadline and a shorter one for "nothing
//! arrived at all"; between two polls the checker samples the server's
//! threads and fails as soon as there are too many.
//!
//! 1. [`count::CLIENTS`] connections, a few dozen at a time, each until its
//!    `name?` comes (a listen queue never overflows). A thread per
//!    connection shows within the first hundred.
//! 2. The first [`NAMED`] of them send their names, in waves, each wave
//!    once every `joined` line of the one before has arrived. Every join is
//!    announced to every named user: n²/2 lines, which is why only a
//!    thousand name themselves (half a million lines; ten thousand would
//!    make fifty million, a test of the machine's throughput rather than of
//!    the server's design). Then one of them sends a line, and every other
//!    named user must read it, and the sender must not.
//!
//! A connection goes through [`Stage`]s: connecting, waiting for `name?`,
//! ready (where the unnamed ones stay), then waiting for its `* present:`
//! line (whose names tell how many joined before it, so how many bytes of
//! `joined` lines are still to come), counting those bytes, and last
//! listening for the line.
//!
//! - [`count`]: how many connections (the descriptor limit), how many threads;
//! - [`io`]: the connections' reads and writes;
//! - [`lines`]: the names, the `* present:` line, the message;
//! - [`failures`]: what the check says when it fails.

mod count;
mod failures;
mod io;
mod lines;

pub use count::how_many;
use count::{thread_limit, NAMED};
pub(super) use lines::thousands;
use lines::{Scan, JOINED_LEN, MESSAGE};

use crate::harness::transcript::Direction;
use crate::harness::{Ctx, Failure, Outcome, Program};
use mio::net::TcpStream;
use mio::Poll;
use std::net::SocketAddr;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

/// Connections made but not yet prompted, at most: a server's accept queue
/// (`listen`'s backlog: 100 for Python's `asyncio.start_server`) never
/// overflows, which would cost a retransmission second.
const IN_FLIGHT: usize = 64;

/// How long the connections may take to open and the named users to join,
/// all together. A server that stops sending anything fails long before:
/// see [`STALL_MS`].
const SETTLING_MS: u64 = 30_000;

/// How long nothing may arrive on any connection before the check gives up.
const STALL_MS: u64 = 3000;

/// How long the named users have to read the line, from the moment it is sent.
const LINE_MS: u64 = 2000;

/// How long the sender's connection is read after everyone else has the
/// line, in case the server sends it back.
const ECHO_MS: u64 = 100;

/// How often the server's threads are counted: a thread per connection is
/// caught within the first hundred or so.
const SAMPLE_EVERY: Duration = Duration::from_millis(50);

/// Users that send their names at once; the next wave waits until every
/// `joined` line of this one has arrived.
const WAVE: usize = 250;

/// What the connections are waiting for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Waiting {
    Connect,
    Join,
    Message,
}

/// Where one connection is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Connecting,
    /// Connected, waiting for `name?`.
    Prompted,
    /// `name?` read; its name not sent (yet, or ever).
    Ready,
    /// `name?` read, its name sent, reading the `* present:` line.
    Present(Scan),
    /// Named: this many bytes of `* NAME joined` lines still to come.
    Joined {
        left: usize,
    },
    /// Every `joined` line read: waiting for the line.
    Listening,
    /// The line arrived.
    Heard,
}

struct Client {
    stream: TcpStream,
    name: String,
    stage: Stage,
    /// The start of the line being read.
    line: Vec<u8>,
    /// Bytes still to send (a write may take only part of them).
    unsent: Vec<u8>,
    received: u64,
}

/// What the crowd check measures, given its program and its server's address.
pub struct Crowd<'a> {
    ctx: &'a Ctx,
    program: &'a mut Program,
    addr: SocketAddr,
    poll: Poll,
    clients: Vec<Client>,
    /// Connections started, prompted (`name?` read), named (`* present:`
    /// read), and that got the line.
    started: usize,
    prompted: usize,
    named: usize,
    heard: usize,
    /// Whether the users have begun to send their names.
    naming: bool,
    /// Bytes of `joined` lines read, all users together.
    flood: usize,
    /// How many connections the check opens, and the note saying why not 10,000.
    n: usize,
    note: Option<String>,
    /// How many of them name themselves.
    users: usize,
    max_threads: usize,
    cores: usize,
    last_sample: Instant,
    last_progress: Instant,
    buf: Vec<u8>,
}

impl<'a> Crowd<'a> {
    pub fn new(ctx: &'a Ctx, program: &'a mut Program, addr: SocketAddr, n: usize, note: Option<String>) -> Crowd<'a> {
        let (cores, max_threads) = thread_limit();
        Crowd {
            ctx,
            program,
            addr,
            poll: Poll::new().expect("the system offers epoll"),
            clients: Vec::with_capacity(n),
            started: 0,
            prompted: 0,
            named: 0,
            heard: 0,
            naming: false,
            flood: 0,
            n,
            note,
            users: n.min(NAMED),
            max_threads,
            cores,
            last_sample: Instant::now(),
            last_progress: Instant::now(),
            buf: vec![0; 256 * 1024],
        }
    }

    /// What the check did, as far as it got.
    fn did(&self) -> String {
        let mut did = format!(
            "opened {} connections, {IN_FLIGHT} at a time, each until it read `name?` ({} so far)",
            thousands(self.n),
            thousands(if self.naming { self.prompted } else { self.started })
        );
        if self.naming {
            did.push_str(&format!(
                "; then {} of them sent their names, {} at once, each wave once every `joined` line of the one \
                 before had arrived ({} named so far); the checker read every connection all along",
                thousands(self.users),
                thousands(WAVE.min(self.users)),
                thousands(self.named)
            ));
        }
        if let Some(note) = &self.note {
            did.push_str(&format!(" ({note})"));
        }
        did
    }

    /// Opens every connection, names the users and waits for every
    /// `joined` line, then sends one line and waits for it at every other
    /// named user.
    pub fn run(&mut self) -> Outcome {
        let note = |text: String| self.ctx.transcript().push("crowd", Direction::Event, text);
        note(format!(
            "{} connections open, {IN_FLIGHT} at a time, each until it reads `name?`; then {} of them send \
             their names, {} at a time, each wave once the `joined` lines of the one before are read",
            thousands(self.n),
            thousands(self.users),
            thousands(WAVE.min(self.users))
        ));
        if let Some(fewer) = &self.note {
            note(fewer.clone());
        }
        if self.program.threads().is_none() {
            note("this system does not say how many threads a program runs: the thread count was not measured".into());
        }
        let deadline = Instant::now() + self.ctx.timing.ms(SETTLING_MS);
        self.open_all(deadline)?;
        self.name_users(deadline)?;
        self.send_line()?;
        self.sample_threads(true)
    }

    /// Phase 1: every connection opened, each until its `name?`.
    fn open_all(&mut self, deadline: Instant) -> Outcome {
        while self.prompted < self.n {
            while self.started < self.n && self.started - self.prompted < IN_FLIGHT {
                self.start_client()?;
            }
            self.turn(deadline, Waiting::Connect)?;
        }
        Ok(())
    }

    /// Phase 2: the first [`NAMED`] connections name themselves, a wave at a
    /// time, and every `joined` line arrives.
    fn name_users(&mut self, deadline: Instant) -> Outcome {
        self.naming = true;
        for wave in (0..self.users).step_by(WAVE) {
            let end = (wave + WAVE).min(self.users);
            for i in wave..end {
                let client = &mut self.clients[i];
                client.unsent = format!("{}\n", client.name).into_bytes();
                client.stage = Stage::Present(Scan::default());
                self.flush(i)?;
            }
            // Every `joined` line so far read before the next wave: what a
            // server queues for a user stays a wave's worth.
            while self.named < end || self.flood < JOINED_LEN * end * (end - 1) / 2 {
                self.turn(deadline, Waiting::Join)?;
            }
        }
        Ok(())
    }

    /// The first user says one line: every other named user must read it
    /// within [`LINE_MS`], and the sender must not get it back.
    fn send_line(&mut self) -> Outcome {
        let sent = Instant::now();
        self.clients[0].unsent.extend_from_slice(MESSAGE);
        self.flush(0)?;
        let deadline = sent + self.ctx.timing.ms(LINE_MS);
        while self.heard < self.users - 1 {
            self.turn(deadline, Waiting::Message)?;
        }
        let echo = Instant::now() + self.ctx.timing.ms(ECHO_MS);
        while Instant::now() < echo {
            self.turn(deadline.max(echo + SAMPLE_EVERY), Waiting::Message)?;
        }
        Ok(())
    }

    /// Kills the server before the crowd closes (ten thousand closes
    /// would keep it busy announcing a thousand users' departures to each
    /// other), and says how it had ended, if it had.
    pub fn stop_server(&mut self) -> Option<ExitStatus> {
        let status = self.program.try_status();
        self.program.kill_now();
        status
    }

    /// Samples the server's threads every [`SAMPLE_EVERY`] (or now, when `now`), and
    /// fails as soon as they are over the limit.
    fn sample_threads(&mut self, now: bool) -> Outcome {
        if !now && self.last_sample.elapsed() < SAMPLE_EVERY {
            return Ok(());
        }
        self.last_sample = Instant::now();
        let Some(threads) = self.program.threads() else { return Ok(()) };
        if threads <= self.max_threads {
            return Ok(());
        }
        let open = self.clients.iter().filter(|c| c.stage != Stage::Connecting).count();
        Err(Failure::new(
            format!(
                "{}; counted your server's threads every {} ms (/proc/PID/task)",
                self.did(),
                SAMPLE_EVERY.as_millis()
            ),
            format!(
                "at most {} threads (2 × {} cores + 4), however many connections are open",
                self.max_threads, self.cores
            ),
            format!("{threads} threads when {} connections were open", thousands(open)),
        )
        .hint(
            "A thread per connection does not scale to ten thousand: each one costs a stack and a switch. \
             Make each connection a task (`tokio::spawn`), and never block inside one: no \
             `std::thread::spawn`, no `spawn_blocking` per connection, no blocking `std::net` I/O.",
        ))
    }
}

impl Drop for Crowd<'_> {
    /// Resets every connection (`SO_LINGER` 0) instead of closing it: ten
    /// thousand closes would leave as many ports waiting (`TIME_WAIT`)
    /// for a minute.
    fn drop(&mut self) {
        for client in &self.clients {
            let _ = socket2::SockRef::from(&client.stream).set_linger(Some(Duration::ZERO));
        }
    }
}
