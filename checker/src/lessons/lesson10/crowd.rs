//! 200 clients at once, 20 of them talking. The checker reads them all from one thread, each
//! socket non-blocking, in turn: a thread per client would spend the check's
//! time switching between 200 threads.

use super::chat::{open, Room};
use crate::harness::transcript::Direction;
use crate::harness::{checker_trouble, text, Ctx, Failure, Outcome};
use std::collections::HashSet;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// How many clients the crowd has.
pub(crate) const CROWD: usize = 200;

/// One client in this many talks in the crowd (20 of the 200), at once;
/// each of the others reads every one of their lines.
const TALKER_EVERY: usize = 10;

/// Whether the crowd's `i`th client talks: c005, c015 … c195.
fn talks(i: usize) -> bool {
    i % TALKER_EVERY == TALKER_EVERY / 2
}

/// More bytes than any line of the crowd's can hold (the longest, a
/// `* present:` line, has about 1,000): a line this long is wrong.
const MAX_LINE: usize = 4096;

/// How many clients connect before their prompts are read: all of them at
/// once would overflow a listen queue of 128, the usual.
const WAVE: usize = 50;

/// The name of the crowd's `i`th client: `c000` … `c199`.
pub(crate) fn crowd_name(i: usize) -> String {
    format!("c{i:03}")
}

/// One client of the crowd, and what it has read.
struct Member {
    name: String,
    stream: TcpStream,
    /// Bytes read, not yet a whole line.
    pending: Vec<u8>,
    /// Whole lines read so far.
    lines: usize,
    /// The crowd members whose chat line this one has not read yet.
    missing: HashSet<usize>,
    /// How its connection ended, if it did.
    ended: Option<String>,
    /// A line it should not have got.
    wrong: Option<Vec<u8>>,
}

impl Member {
    /// Takes one line of the `i`th member: its prompt, its `* present:`
    /// line, then `* NAME joined` lines (as many as join after it: within a
    /// wave, the server takes the names in an order of its own) and the
    /// chat. Only the chat lines are judged here.
    fn take(&mut self, i: usize, line: &[u8]) {
        self.lines += 1;
        if self.lines <= 2 || (line.starts_with(b"* ") && line.ends_with(b" joined\n")) {
            return;
        }
        let text = String::from_utf8_lossy(line);
        let from = text
            .strip_prefix("[c")
            .and_then(|rest| rest.get(..3))
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&j| j < CROWD && *text == format!("[{0}] hello from {0}\n", crowd_name(j)));
        match from {
            Some(j) if self.missing.remove(&j) => {}
            // Its own line sent back is the relay check's business.
            Some(j) if j == i => {}
            _ if self.wrong.is_none() => self.wrong = Some(line.to_vec()),
            _ => {}
        }
    }

    /// Reads all that has arrived, and takes each whole line.
    /// At most 16 reads, so a server that floods one client cannot keep the
    /// checker from the others, or from its deadline.
    fn read_ready(&mut self, i: usize, buf: &mut [u8]) {
        for _ in 0..16 {
            if self.ended.is_some() {
                return;
            }
            match self.stream.read(buf) {
                Ok(0) => self.ended = Some("your server closed the connection".into()),
                Ok(n) => {
                    self.pending.extend_from_slice(&buf[..n]);
                    let mut start = 0;
                    while let Some(end) = self.pending[start..].iter().position(|&b| b == b'\n') {
                        let line = self.pending[start..start + end + 1].to_vec();
                        self.take(i, &line);
                        start += end + 1;
                    }
                    self.pending.drain(..start);
                    if self.pending.len() > MAX_LINE && self.wrong.is_none() {
                        self.wrong = Some(self.pending[..MAX_LINE].to_vec());
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => self.ended = Some(format!("the connection failed: {e}")),
            }
        }
    }
}

/// The crowd, read in turn from one thread.
struct Crowd {
    members: Vec<Member>,
    buf: Vec<u8>,
}

impl Crowd {
    /// Reads every member until each of `which` has read `lines(member)`
    /// lines and has no chat line missing when `chat` is true, or the
    /// deadline passes. On the deadline, the first member still waiting.
    fn wait(
        &mut self,
        which: std::ops::Range<usize>,
        lines: usize,
        chat: bool,
        deadline: Instant,
    ) -> Result<(), usize> {
        loop {
            let waiting =
                which.clone().find(|&i| self.members[i].lines < lines || (chat && !self.members[i].missing.is_empty()));
            let Some(first) = waiting else { return Ok(()) };
            let stopped = self.members[first].ended.is_some() || self.members.iter().any(|m| m.wrong.is_some());
            if stopped || Instant::now() >= deadline {
                return Err(first);
            }
            for i in readable(&self.members, deadline) {
                self.members[i].read_ready(i, &mut self.buf);
            }
        }
    }
}

/// The members with something to read (or an end of stream), waiting for
/// one until `deadline`, at most 50 ms: `poll` on Unix.
#[cfg(unix)]
fn readable(members: &[Member], deadline: Instant) -> Vec<usize> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use std::os::fd::AsFd;
    let open: Vec<usize> = (0..members.len()).filter(|&i| members[i].ended.is_none()).collect();
    let mut fds: Vec<PollFd> =
        open.iter().map(|&i| PollFd::new(members[i].stream.as_fd(), PollFlags::POLLIN)).collect();
    let wait = deadline.saturating_duration_since(Instant::now()).min(Duration::from_millis(50));
    if poll(&mut fds, PollTimeout::try_from(wait).unwrap_or(PollTimeout::ZERO)).is_err() {
        return open;
    }
    let ready = |fd: &PollFd| fd.revents().is_some_and(|events| !events.is_empty());
    open.into_iter().zip(&fds).filter(|(_, fd)| ready(fd)).map(|(i, _)| i).collect()
}

/// Elsewhere: every member, after a millisecond's pause.
#[cfg(not(unix))]
fn readable(members: &[Member], _deadline: Instant) -> Vec<usize> {
    std::thread::sleep(Duration::from_millis(1));
    (0..members.len()).collect()
}

pub(crate) fn crowd(ctx: &mut Ctx) -> Outcome {
    let mut room = open(ctx)?;
    room.prompted(ctx, "started the server")?.note("closed by the checker, unnamed, before the crowd came");
    let mut crowd = Crowd { members: Vec::with_capacity(CROWD), buf: vec![0; 64 * 1024] };
    note(
        ctx,
        &format!(
            "{CROWD} clients connect, {WAVE} at a time; each reads its prompt, sends its name, reads `* present:`"
        ),
    );
    // A wave is 50 clients at once, connected and read within this: the
    // last wave's names make 7,500 `joined` lines, which a busy machine may
    // take a while to send.
    let wave_within = ctx.timing.ms(3000);
    for wave in (0..CROWD).step_by(WAVE) {
        join_wave(&mut room, &mut crowd, wave, wave_within)?;
    }
    let talkers = CROWD / TALKER_EVERY;
    note(ctx, &format!("{talkers} of the clients (c005, c015 … c195) send \"hello from <its name>\\n\", all at once"));
    for (_, member) in crowd.members.iter_mut().enumerate().filter(|(i, _)| talks(*i)) {
        let line = format!("hello from {}\n", member.name);
        (&member.stream).write_all(line.as_bytes()).map_err(|e| checker_trouble("send a line", &e))?;
    }
    let within = ctx.timing.ms(3000);
    crowd.wait(0..CROWD, 0, true, Instant::now() + within).map_err(|i| {
        let did = format!(
            "{CROWD} clients joined (c000 … c199), then {talkers} of them (c005, c015 … c195) each sent \"hello \
             from <its name>\\n\" at the same time"
        );
        let what = format!("the line of each of the {talkers} talkers but itself within {} ms", within.as_millis());
        room.blame(stuck(&crowd, i, &did, &what, true))
    })
}

/// Connects clients `wave` to `wave + WAVE - 1` at once; each reads its
/// prompt, sends its name and reads `* present: …`.
fn join_wave(room: &mut Room, crowd: &mut Crowd, wave: usize, wave_within: Duration) -> Outcome {
    let did = format!(
        "connected clients c{wave:03} to c{:03} at once, with {wave} clients already in the room",
        wave + WAVE - 1
    );
    for (i, stream) in (wave..).zip(connect_wave(room.addr, wave_within)) {
        let stream = stream
            .and_then(|s| s.set_nonblocking(true).and(s.set_nodelay(true)).map(|()| s))
            .map_err(|e| room.blame(Failure::new(&did, "to connect", e.to_string())))?;
        let missing = (0..CROWD).filter(|&j| j != i && talks(j)).collect();
        crowd.members.push(Member {
            name: crowd_name(i),
            stream,
            pending: Vec::new(),
            lines: 0,
            missing,
            ended: None,
            wrong: None,
        });
    }
    let deadline = Instant::now() + wave_within;
    crowd.wait(wave..wave + WAVE, 1, false, deadline).map_err(|i| {
        room.blame(stuck(crowd, i, &format!("{did}; read each one's prompt"), "the prompt `name?`", false).meaning(
            "The connection was made, but the server never spoke on it: it is still waiting in the \
             listen queue, not accepted. (A listen backlog smaller than the burst leaves connections \
             waiting too: keep the usual 128.)",
        ))
    })?;
    for member in &mut crowd.members[wave..wave + WAVE] {
        let name = format!("{}\n", member.name);
        (&member.stream).write_all(name.as_bytes()).map_err(|e| checker_trouble("send a name", &e))?;
    }
    let deadline = Instant::now() + wave_within;
    crowd.wait(wave..wave + WAVE, 2, false, deadline).map_err(|i| {
        room.blame(stuck(crowd, i, &format!("{did}; each sent its name"), "the line `* present: …`", false))
    })?;
    Ok(())
}

/// Connects [`WAVE`] clients at once, each from a thread of its own. A full
/// listen queue drops a connection request, and the system sends it again a
/// second later: with a small backlog the connections wait together, not one
/// after another (a small backlog is slow, not wrong).
fn connect_wave(addr: std::net::SocketAddr, within: Duration) -> Vec<std::io::Result<TcpStream>> {
    std::thread::scope(|scope| {
        let connecting: Vec<_> =
            (0..WAVE).map(|_| scope.spawn(move || TcpStream::connect_timeout(&addr, within))).collect();
        let gone = || Err(std::io::Error::other("the connecting thread failed"));
        connecting.into_iter().map(|c| c.join().unwrap_or_else(|_| gone())).collect()
    })
}

/// Adds a line to the check's transcript.
fn note(ctx: &Ctx, text: &str) {
    ctx.transcript().push("crowd", Direction::Event, text.to_string());
}

/// The failure of the crowd: a member that got a wrong line, or the member
/// `i` that was still waiting for `what` (the talkers' lines when `chatting`).
fn stuck(crowd: &Crowd, i: usize, did: &str, what: &str, chatting: bool) -> Failure {
    if let Some((member, line)) = crowd.members.iter().find_map(|m| Some((m, m.wrong.as_ref()?))) {
        return Failure::new(
            did,
            "lines `[NAME] hello from NAME`, one from each talker",
            format!("{} read {}", member.name, text::escape(line)),
        );
    }
    let member = &crowd.members[i];
    let how = member.ended.clone().unwrap_or_else(|| "nothing more came in time".to_string());
    let got = if chatting {
        let example = member.missing.iter().min().map(|&j| crowd_name(j)).unwrap_or_default();
        let expected = CROWD / TALKER_EVERY - usize::from(talks(i));
        format!(
            "{} of them, then {how}; missing, among others: \"[{example}] hello from {example}\"",
            expected - member.missing.len()
        )
    } else {
        format!("{} lines in all, then {how}", member.lines)
    };
    Failure::new(format!("{did}; {} read", member.name), what, got)
}
