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
//! comes (a listen queue never overflows), and then all send their names
//! at once: the joins pile up, and a server that gathers what is queued
//! for a client into one write gets to. A client goes through [`Stage`]s:
//! connecting, waiting for `name?`, ready, then waiting for its
//! `* present:` line (whose names tell how many joined before it, so how
//! many bytes of `joined` lines are still to come), counting those bytes,
//! and last listening for the message.

use crate::harness::transcript::Direction;
use crate::harness::{Ctx, Failure, Outcome, Program};
use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use std::io::{ErrorKind, Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// How many clients the check connects, unless the descriptor limit is
/// lower. `SOCKETLINGS_CLIENTS` (not documented: for the checker's own
/// tests) asks for fewer.
const CLIENTS: usize = 10_000;

/// Connections made but not yet prompted, at most: a server's accept queue
/// (`listen`'s backlog: 100 for Python's `asyncio.start_server`) never
/// overflows, which would cost a retransmission second.
const IN_FLIGHT: usize = 64;

/// Descriptors the checker keeps for itself besides the clients.
const SPARE_FDS: u64 = 256;

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

/// How the line that lists the others starts.
const PRESENT: &[u8; 10] = b"* present:";

/// The length of every client's name: 64³ names of 3 characters from
/// `A-Z a-z 0-9 _ -`.
const NAME_LEN: usize = 3;

/// The length of a `* NAME joined\n` line.
const JOINED_LEN: usize = NAME_LEN + 10;

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

/// The message one client sends to all the others.
const MESSAGE: &[u8] = b"hello, everyone\n";

/// The part of a line a client keeps: enough for `name?`, the start of
/// `* present:` and the message line.
const KEPT: usize = 128;

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

/// The number of the `i`-th client's name: `a`, `b`, …, `aa`, `ab`, … in
/// the alphabet of names, so that the 50 million lines stay short.
fn name_of(i: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";
    let digit = |place: u32| ALPHABET[i / ALPHABET.len().pow(place) % ALPHABET.len()] as char;
    (0..NAME_LEN as u32).rev().map(digit).collect()
}

/// How far a `* present:` line has been read. Every name in it is one of
/// the crowd's, [`NAME_LEN`] bytes: after `* present:`, the line can end
/// (or the next ` NAME` begin) only every `NAME_LEN + 1` bytes, and only
/// those bytes are looked at. A line that is not made that way is read
/// byte by byte (`odd`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
struct Scan {
    /// The line's first bytes.
    head: [u8; PRESENT.len()],
    /// Bytes of the line before the current chunk.
    len: usize,
    /// Bytes at the start of the next chunk known to be inside a name.
    skip: usize,
    names: usize,
    odd: bool,
}

impl Scan {
    /// Reads the next `bytes` of the line: where the line ends in them
    /// (just after its `\n`), if it does.
    fn take(&mut self, bytes: &[u8]) -> Option<usize> {
        let mut i = self.skip;
        while i < bytes.len() {
            let at = self.len + i;
            let byte = bytes[i];
            if byte == b'\n' {
                self.len = at;
                return Some(i + 1);
            }
            if at < PRESENT.len() {
                self.head[at] = byte;
                self.odd |= at + 1 == PRESENT.len() && self.head != *PRESENT;
                i += 1;
            } else if self.odd {
                self.names += usize::from(byte == b' ');
                i += 1;
            } else if byte == b' ' {
                self.names += 1;
                i += 1 + NAME_LEN;
            } else {
                self.odd = true;
            }
        }
        self.skip = i - bytes.len();
        self.len += bytes.len();
        None
    }
}

/// How many clients to connect, and why fewer than [`CLIENTS`] if so.
pub fn how_many() -> (usize, Option<String>) {
    let wanted = std::env::var("SOCKETLINGS_CLIENTS")
        .ok()
        .and_then(|n| n.trim().parse::<usize>().ok())
        .filter(|&n| n >= 2)
        .unwrap_or(CLIENTS);
    fit(wanted, raise_descriptor_limit())
}

/// `wanted` clients, or as many as a descriptor limit of `limit` leaves
/// room for (the checker and the server each hold one descriptor per
/// client), and the note that says so.
fn fit(wanted: usize, limit: Option<u64>) -> (usize, Option<String>) {
    match limit {
        Some(limit) if limit < wanted as u64 + SPARE_FDS => {
            let n = limit.saturating_sub(SPARE_FDS).max(2) as usize;
            let note = format!(
                "{} clients, not {}: this system lets a process open at most {} descriptors (`ulimit -Hn`)",
                thousands(n),
                thousands(wanted),
                thousands(limit as usize)
            );
            (n, Some(note))
        }
        _ => (wanted, None),
    }
}

/// Raises this process's soft limit of open descriptors to its hard limit
/// (the program under test inherits it) and returns the limit in force.
#[cfg(unix)]
fn raise_descriptor_limit() -> Option<u64> {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).ok()?;
    // An unlimited hard limit still stops at the kernel's `nr_open`.
    let target = hard.min(1 << 20);
    if soft < target && setrlimit(Resource::RLIMIT_NOFILE, target, hard).is_ok() {
        return Some(target);
    }
    Some(soft)
}

#[cfg(not(unix))]
fn raise_descriptor_limit() -> Option<u64> {
    None
}

/// The most threads the server may run on this machine: 2 × cores + 4.
pub fn thread_limit() -> (usize, usize) {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    (cores, 2 * cores + 4)
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
             {WAVE} at a time, each wave once the `joined` lines of the one before are read",
            thousands(self.n)
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

    /// A deadline passed, or nothing arrived for long.
    fn late(&self, waiting: Waiting, stalled: bool) -> Failure {
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
                    waiting_for(behind, "its `* present:` line")
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

    fn where_is(&self, client: &Client) -> String {
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
    fn lost(&self, i: usize, what: &str) -> Failure {
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

    fn refused(&self, i: usize, err: &std::io::Error) -> Failure {
        Failure::new(
            self.did(),
            format!("the server to accept all {} connections", thousands(self.n)),
            format!("connection {} of {} failed: {err}", i + 1, thousands(self.n)),
        )
        .hint(
            "Keep accepting: every accepted connection gets its own task, and the loop goes straight back to `accept`.",
        )
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

/// Whether `line` is the message as relayed from `sender`.
fn is_message(line: &[u8], sender: &str) -> bool {
    let text = &MESSAGE[..MESSAGE.len() - 1];
    line.strip_prefix(format!("[{sender}] ").as_bytes())
        .is_some_and(|rest| rest.strip_suffix(b"\r").unwrap_or(rest) == text)
}

/// Keeps the start of a line, at most [`KEPT`] bytes.
fn keep(line: &mut Vec<u8>, part: &[u8]) {
    let room = KEPT.saturating_sub(line.len());
    line.extend_from_slice(&part[..part.len().min(room)]);
}

/// 10000 → "10,000"
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_short_distinct_and_valid() {
        let names: std::collections::HashSet<String> = (0..CLIENTS).map(name_of).collect();
        assert_eq!(names.len(), CLIENTS);
        assert!(names.iter().all(|n| n.len() == NAME_LEN));
        assert_eq!(name_of(0), "aaa");
        assert_eq!(name_of(65), "abb");
    }

    /// Feeds `line` in pieces of `size` bytes; the scan where it ended.
    fn scan_in_pieces(line: &[u8], size: usize) -> (Scan, usize) {
        let mut scan = Scan::default();
        for (k, piece) in line.chunks(size).enumerate() {
            if let Some(end) = scan.take(piece) {
                return (scan, k * size + end);
            }
        }
        panic!("no end found in {line:?}");
    }

    #[test]
    fn a_present_line_is_read_in_any_pieces() {
        let names: Vec<String> = (0..50).map(name_of).collect();
        let line = format!("* present: {}\nnext", names.join(" "));
        for size in 1..=12 {
            let (scan, end) = scan_in_pieces(line.as_bytes(), size);
            assert_eq!((scan.names, scan.odd, scan.head), (50, false, *PRESENT), "pieces of {size}");
            assert_eq!(end, line.len() - 4);
        }
        let (scan, _) = scan_in_pieces(b"* present:\n", 3);
        assert_eq!(scan.names, 0);
    }

    #[test]
    fn other_lines_are_read_byte_by_byte() {
        let (scan, end) = scan_in_pieces(b"* present: abcd ef\n", 5);
        assert!(scan.odd);
        assert_eq!((scan.names, end), (2, 19));
        let (scan, end) = scan_in_pieces(b"* aaa joined\n* present:\n", 4);
        assert_ne!(scan.head, *PRESENT);
        assert_eq!(end, 13);
    }

    #[test]
    fn a_low_descriptor_limit_means_fewer_clients_and_says_so() {
        assert_eq!(fit(10_000, Some(20_000)), (10_000, None));
        assert_eq!(fit(10_000, None), (10_000, None));
        let (n, note) = fit(10_000, Some(4096));
        assert_eq!(n, 4096 - SPARE_FDS as usize);
        assert_eq!(
            note.as_deref(),
            Some("3,840 clients, not 10,000: this system lets a process open at most 4,096 descriptors (`ulimit -Hn`)")
        );
    }

    #[test]
    fn counts_read_as_people_write_them() {
        assert_eq!(thousands(10_000), "10,000");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn the_message_is_known_with_or_without_a_carriage_return() {
        assert!(is_message(b"[a] hello, everyone", "a"));
        assert!(is_message(b"[a] hello, everyone\r", "a"));
        assert!(!is_message(b"[b] hello, everyone", "a"));
    }
}
