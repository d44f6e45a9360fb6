//! The crowd check: ten thousand named clients on a few threads, and one
//! message that reaches them all.
//!
//! Every join is announced to everyone already there: with `n` clients the
//! server sends about n²/2 lines (50 million for 10,000), so the checker
//! reads all its sockets while the clients join. One `mio::Poll` over every
//! client socket, never blocking, with an overall deadline and a shorter
//! one for "nothing arrived at all"; between two polls it samples the
//! server's threads and fails as soon as there are too many.
//!
//! The clients connect a few dozen at a time, each until its `name?`
//! comes (a listen queue never overflows), and then send their names in
//! waves of a thousand, each wave once every `joined` line of the one
//! before has arrived: a server that gathers what is queued for a client
//! into one write gets to, and never holds much for a client that reads.
//! A client goes through [`Stage`]s: connecting, waiting for `name?`,
//! ready, then waiting for its `* present:` line (whose names tell how
//! many joined before it, so how many bytes of `joined` lines are still to
//! come), counting those bytes, and last listening for the message.
//!
//! - [`count`]: how many clients (the descriptor limit), how many threads;
//! - [`lines`]: the names, the `* present:` line, the message;
//! - [`failures`]: what the check says when it fails.

mod count;
mod failures;
mod lines;

pub use count::how_many;
use count::thread_limit;
pub(super) use lines::thousands;
use lines::{is_message, keep, name_of, Scan, JOINED_LEN, MESSAGE, PRESENT};

use crate::harness::transcript::Direction;
use crate::harness::{Ctx, Failure, Outcome, Program};
use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Connections made but not yet prompted, at most: a server's accept queue
/// (`listen`'s backlog: 100 for Python's `asyncio.start_server`) never
/// overflows, which would cost a retransmission second.
const IN_FLIGHT: usize = 64;

/// How long every client may take to connect and join, all together: a
/// debug build of a task-per-client server with a channel per client
/// needs about a minute for 10,000 on two cores (50 million `joined`
/// lines). A server that stops sending anything fails long before: see
/// [`STALL_MS`].
const JOINING_MS: u64 = 90_000;

/// How long nothing may arrive on any connection before the check gives up.
const STALL_MS: u64 = 3000;

/// How often the server's threads are counted: a thread per client is
/// caught within the first hundred or so.
const SAMPLE_EVERY: Duration = Duration::from_millis(50);

/// Clients that send their names at once; the next wave waits until every
/// `joined` line of this one has arrived.
const WAVE: usize = 1000;

/// What the clients are waiting for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Waiting {
    Connect,
    Join,
    Message,
}

/// Where one client is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Connecting,
    /// Connected, waiting for `name?`.
    Prompted,
    /// `name?` read; its name not sent yet.
    Ready,
    /// `name?` read, its name sent, reading the `* present:` line.
    Present(Scan),
    /// Named: this many bytes of `* NAME joined` lines still to come.
    Joined {
        left: usize,
    },
    /// Every `joined` line read: waiting for the message.
    Listening,
    /// The message arrived.
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
    /// Clients started, prompted (`name?` read), named (`* present:`
    /// read), and that got the message.
    started: usize,
    prompted: usize,
    named: usize,
    heard: usize,
    /// Whether the clients have begun to send their names.
    naming: bool,
    /// Bytes of `joined` lines read, all clients together.
    flood: usize,
    /// How many clients the check connects, and the note saying why not 10,000.
    n: usize,
    note: Option<String>,
    max_threads: usize,
    cores: usize,
    most_threads: usize,
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
            max_threads,
            cores,
            most_threads: 0,
            last_sample: Instant::now(),
            last_progress: Instant::now(),
            buf: vec![0; 256 * 1024],
        }
    }

    /// What the check did, as far as it got.
    fn did(&self) -> String {
        let mut did = if self.naming {
            format!(
                "connected {} clients, {IN_FLIGHT} at a time, each until it read `name?`; then they sent their \
                 names, {} at once, each wave once every `joined` line of the one before had arrived ({} named \
                 so far); the checker read every connection all along",
                thousands(self.n),
                thousands(WAVE.min(self.n)),
                thousands(self.named)
            )
        } else {
            format!(
                "connected clients, {IN_FLIGHT} at a time, each until it read `name?`, on the way to {} ({} so far)",
                thousands(self.n),
                thousands(self.started)
            )
        };
        if let Some(note) = &self.note {
            did.push_str(&format!(" ({note})"));
        }
        did
    }

    /// Connects and names every client, waits for every `joined` line,
    /// then sends one message and waits for it everywhere.
    pub fn run(&mut self) -> Outcome {
        let note = |text: String| self.ctx.transcript().push("crowd", Direction::Event, text);
        note(format!(
            "{} clients connect, {IN_FLIGHT} at a time, each until it reads `name?`; then they send their names, \
             {} at a time, each wave once the `joined` lines of the one before are read",
            thousands(self.n),
            thousands(WAVE.min(self.n))
        ));
        if let Some(fewer) = &self.note {
            note(fewer.clone());
        }
        if self.program.threads().is_none() {
            note("this system does not say how many threads a program runs: not measured".into());
        }
        let joining = self.ctx.timing.ms(JOINING_MS);
        let deadline = Instant::now() + joining;
        while self.prompted < self.n {
            while self.started < self.n && self.started - self.prompted < IN_FLIGHT {
                self.start_client()?;
            }
            self.turn(deadline, Waiting::Connect)?;
        }
        self.naming = true;
        for wave in (0..self.n).step_by(WAVE) {
            let end = (wave + WAVE).min(self.n);
            for i in wave..end {
                let client = &mut self.clients[i];
                client.unsent = format!("{}\n", client.name).into_bytes();
                client.stage = Stage::Present(Scan::default());
                self.flush(i)?;
            }
            // Every `joined` line so far read before the next wave: what a
            // server queues for a client stays a wave's worth.
            while self.named < end || self.flood < JOINED_LEN * end * (end - 1) / 2 {
                self.turn(deadline, Waiting::Join)?;
            }
        }
        let within = self.ctx.timing.ms(2000);
        let sent = Instant::now();
        self.send_message()?;
        let deadline = sent + within;
        while self.heard < self.n - 1 {
            self.turn(deadline, Waiting::Message)?;
        }
        self.sample_threads(true)
    }

    fn start_client(&mut self) -> Outcome {
        let i = self.started;
        let stream = TcpStream::connect(self.addr).map_err(|e| self.trouble("connect", &e))?;
        let mut stream = stream;
        self.poll
            .registry()
            .register(&mut stream, Token(i), Interest::READABLE | Interest::WRITABLE)
            .map_err(|e| self.trouble("register a socket", &e))?;
        let name = name_of(i);
        let client =
            Client { stream, name, stage: Stage::Connecting, line: Vec::new(), unsent: Vec::new(), received: 0 };
        self.clients.push(client);
        self.started += 1;
        Ok(())
    }

    /// One poll: reads and writes what is ready, samples the threads, and
    /// fails on a deadline, a stall or a program that exited.
    fn turn(&mut self, deadline: Instant, waiting: Waiting) -> Outcome {
        let mut events = Events::with_capacity(1024);
        if let Err(e) = self.poll.poll(&mut events, Some(Duration::from_millis(10))) {
            if e.kind() != ErrorKind::Interrupted {
                return Err(self.trouble("poll the sockets", &e));
            }
        }
        for event in events.iter() {
            let i = event.token().0;
            if event.is_writable() {
                self.connected(i)?;
                self.flush(i)?;
            }
            if event.is_readable() || event.is_read_closed() || event.is_error() {
                self.read(i)?;
            }
        }
        self.sample_threads(false)?;
        let now = Instant::now();
        let stalled = now - self.last_progress > self.ctx.timing.ms(STALL_MS);
        if now >= deadline || stalled {
            return Err(self.late(waiting, stalled));
        }
        Ok(())
    }

    fn connected(&mut self, i: usize) -> Outcome {
        let client = &mut self.clients[i];
        if client.stage != Stage::Connecting {
            return Ok(());
        }
        if let Ok(Some(e)) | Err(e) = client.stream.take_error() {
            return Err(self.refused(i, &e));
        }
        match client.stream.peer_addr() {
            Ok(_) => {
                client.stage = Stage::Prompted;
                self.last_progress = Instant::now();
                Ok(())
            }
            Err(e) if e.kind() == ErrorKind::NotConnected => Ok(()),
            Err(e) => Err(self.refused(i, &e)),
        }
    }

    fn flush(&mut self, i: usize) -> Outcome {
        let client = &mut self.clients[i];
        while client.stage != Stage::Connecting && !client.unsent.is_empty() {
            match client.stream.write(&client.unsent) {
                Ok(n) => drop(client.unsent.drain(..n)),
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(self.lost(i, &format!("sending failed: {e}"))),
            }
        }
        Ok(())
    }

    /// Reads everything the socket holds (mio tells only of changes).
    fn read(&mut self, i: usize) -> Outcome {
        self.connected(i)?;
        loop {
            let read = self.clients[i].stream.read(&mut self.buf);
            match read {
                Ok(0) => return Err(self.lost(i, "your server closed the connection")),
                Ok(n) => {
                    self.last_progress = Instant::now();
                    let buf = std::mem::take(&mut self.buf);
                    let fed = self.feed(i, &buf[..n]);
                    self.buf = buf;
                    fed?;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::ConnectionReset => {
                    return Err(self.lost(i, "your server reset the connection"))
                }
                Err(e) if e.kind() == ErrorKind::NotConnected => return Ok(()),
                Err(e) => return Err(self.lost(i, &format!("reading failed: {e}"))),
            }
        }
    }

    /// Takes in `bytes` from client `i`'s connection.
    fn feed(&mut self, i: usize, mut bytes: &[u8]) -> Outcome {
        self.clients[i].received += bytes.len() as u64;
        while !bytes.is_empty() {
            let client = &mut self.clients[i];
            match client.stage {
                Stage::Joined { left } => {
                    // The flood: counted, not looked at (50 million lines).
                    if bytes.len() < left {
                        client.stage = Stage::Joined { left: left - bytes.len() };
                        self.flood += bytes.len();
                        return Ok(());
                    }
                    self.flood += left;
                    bytes = &bytes[left..];
                    client.stage = Stage::Listening;
                }
                Stage::Present(mut scan) => {
                    let Some(end) = scan.take(bytes) else {
                        client.stage = Stage::Present(scan);
                        return Ok(());
                    };
                    bytes = &bytes[end..];
                    if scan.head != *PRESENT {
                        // Announcements may come first, from a server that
                        // counts the client in before it answers: skip them.
                        if scan.head.starts_with(b"error") {
                            let line = String::from_utf8_lossy(&scan.head).into_owned();
                            return Err(self.lost(i, &format!("it was sent {line:?}… instead of `* present:`")));
                        }
                        client.stage = Stage::Present(Scan::default());
                        continue;
                    }
                    self.named += 1;
                    self.clients[i].stage = match self.still_to_join(scan.names) {
                        0 => Stage::Listening,
                        left => Stage::Joined { left },
                    };
                }
                Stage::Connecting | Stage::Prompted | Stage::Ready | Stage::Listening | Stage::Heard => {
                    let end = bytes.iter().position(|&b| b == b'\n');
                    keep(&mut client.line, &bytes[..end.unwrap_or(bytes.len())]);
                    let Some(end) = end else { return Ok(()) };
                    bytes = &bytes[end + 1..];
                    let line = std::mem::take(&mut client.line);
                    self.on_line(i, &line)?;
                }
            }
        }
        Ok(())
    }

    /// The bytes of `* NAME joined` lines a client will get, from the
    /// number of names in its `* present:` line: one line for each client
    /// that joins after it, `* ` + NAME + ` joined\n`.
    fn still_to_join(&self, names: usize) -> usize {
        (self.n - 1).saturating_sub(names) * JOINED_LEN
    }

    fn on_line(&mut self, i: usize, line: &[u8]) -> Outcome {
        match self.clients[i].stage {
            Stage::Connecting | Stage::Prompted if line == b"name?" => {
                self.clients[i].stage = Stage::Ready;
                self.prompted += 1;
                Ok(())
            }
            Stage::Connecting | Stage::Prompted => {
                let line = String::from_utf8_lossy(line).into_owned();
                Err(self.lost(i, &format!("its first line was {line:?}, not `name?`")))
            }
            Stage::Listening if i > 0 && is_message(line, &self.clients[0].name) => {
                self.clients[i].stage = Stage::Heard;
                self.heard += 1;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn send_message(&mut self) -> Outcome {
        self.clients[0].unsent.extend_from_slice(MESSAGE);
        self.flush(0)
    }

    /// Samples the server's threads every [`SAMPLE_EVERY`] (or now, when `now`), and
    /// fails as soon as they are over the limit.
    fn sample_threads(&mut self, now: bool) -> Outcome {
        if !now && self.last_sample.elapsed() < SAMPLE_EVERY {
            return Ok(());
        }
        self.last_sample = Instant::now();
        let Some(threads) = self.program.threads() else { return Ok(()) };
        self.most_threads = self.most_threads.max(threads);
        if threads <= self.max_threads {
            return Ok(());
        }
        let connected = self.clients.iter().filter(|c| c.stage != Stage::Connecting).count();
        Err(Failure::new(
            format!(
                "{}; counted your server's threads every {} ms (/proc/PID/task)",
                self.did(),
                SAMPLE_EVERY.as_millis()
            ),
            format!(
                "at most {} threads (2 × {} cores + 4), however many clients are connected",
                self.max_threads, self.cores
            ),
            format!("{threads} threads with {} clients connected", thousands(connected)),
        )
        .hint(
            "A thread per client does not scale to ten thousand: each one costs a stack and a switch. \
             Make each connection a task (`tokio::spawn`), and never block inside one: no \
             `std::thread::spawn`, no `spawn_blocking` per client, no blocking `std::net` I/O.",
        ))
    }

    fn trouble(&self, action: &str, err: &std::io::Error) -> Failure {
        crate::harness::checker_trouble(action, err)
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
