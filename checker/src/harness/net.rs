//! Sockets with deadlines. Every read, write and connect here ends by a
//! deadline, and everything that crosses the wire is written to the check's
//! [`Transcript`].

use super::text::escape;
use super::transcript::{Direction, Transcript};
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// The most bytes a read keeps while it waits for what it expects: a
/// program that floods a connection cannot exhaust the checker's memory.
const MAX_PENDING: usize = 8 << 20;

/// How a read ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    /// What was asked for arrived.
    Complete,
    /// The program closed the connection, and that was what the read waited
    /// for ([`Conn::read_to_close`]): complete too.
    ClosedAsAsked,
    /// The program closed the connection (a read returned 0 bytes).
    Closed,
    /// The connection was reset (the program crashed, or closed with unread data).
    Reset,
    /// Nothing (more) arrived before the deadline.
    TimedOut(Duration),
    /// More bytes arrived than the check allows.
    TooMuch(usize),
    /// Any other error.
    Error(String),
}

impl End {
    /// What a person should read after "got …": how the read stopped.
    pub fn describe(&self) -> String {
        match self {
            End::Complete => "and that was all that was expected".into(),
            End::ClosedAsAsked => "then your program closed the connection (end of stream)".into(),
            End::Closed => "then your program closed the connection (end of stream)".into(),
            End::Reset => "then the connection was reset by your program".into(),
            End::TimedOut(d) => format!("then nothing more for {} ms", d.as_millis()),
            End::TooMuch(n) => format!("more than {n} bytes, so the checker stopped reading"),
            End::Error(e) => format!("then an error: {e}"),
        }
    }

    /// The concept to look at when a read ended this way too early.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            End::Closed => Some(
                "End of stream: your program closed the connection before it sent everything \
                 expected, or it never answered at all. Look at what runs before the socket is \
                 dropped.",
            ),
            End::Reset => Some(
                "Connection reset: your program crashed, or closed the socket while unread \
                 data was still waiting in it. Check its stderr below.",
            ),
            End::TimedOut(_) => Some(
                "Nothing arrived in time: your program may be waiting for more input (a read \
                 that blocks), waiting for the peer to close, or not writing its answer at all. \
                 Output written with `write` may also sit in a buffer until you flush it.",
            ),
            _ => None,
        }
    }
}

/// Bytes read, and how the reading ended.
#[derive(Debug)]
pub struct Received {
    pub bytes: Vec<u8>,
    pub end: End,
}

impl Received {
    pub fn complete(&self) -> bool {
        matches!(self.end, End::Complete | End::ClosedAsAsked)
    }

    /// "\"HEL\", then your program closed the connection"
    pub fn describe(&self) -> String {
        if self.bytes.is_empty() {
            match &self.end {
                End::Closed | End::ClosedAsAsked => {
                    "nothing: your program closed the connection (end of stream)".into()
                }
                End::Complete => "nothing".into(),
                End::Reset => "nothing: the connection was reset by your program".into(),
                End::TimedOut(d) => format!("nothing within {} ms", d.as_millis()),
                other => format!("nothing ({})", other.describe()),
            }
        } else {
            format!("{}, {}", escape(&self.bytes), self.end.describe())
        }
    }
}

fn classify(err: &io::Error, waited: Duration) -> End {
    match err.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => End::TimedOut(waited),
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe => End::Reset,
        _ => End::Error(err.to_string()),
    }
}

/// A TCP connection from the checker to a program (or from a program to the
/// checker), with a buffer for bytes read but not yet consumed.
pub struct Conn {
    stream: TcpStream,
    label: String,
    transcript: Transcript,
    pending: Vec<u8>,
}

impl Conn {
    pub fn new(stream: TcpStream, label: String, transcript: Transcript) -> Conn {
        let _ = stream.set_nodelay(true);
        Conn { stream, label, transcript, pending: Vec::new() }
    }

    /// The checker's end of the connection.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.stream.local_addr()
    }

    /// Writes all of `bytes`, giving up after `within`.
    pub fn send(&mut self, bytes: &[u8], within: Duration) -> Result<(), End> {
        self.transcript.bytes(&self.label, Direction::Sent, bytes);
        self.write_within(bytes, within)
    }

    /// Writes all of `bytes` like [`Conn::send`], but records only a note
    /// (`what`, unless empty) in the transcript: for bulk data nobody
    /// wants to read.
    pub fn send_bulk(&mut self, bytes: &[u8], within: Duration, what: &str) -> Result<(), End> {
        if !what.is_empty() {
            self.note(what);
        }
        self.write_within(bytes, within)
    }

    /// Writes all of `bytes` within `within`.
    fn write_within(&mut self, bytes: &[u8], within: Duration) -> Result<(), End> {
        // One deadline for all of `bytes`: a write timeout alone restarts
        // with every write that moves a few bytes, so a program that reads
        // a trickle could keep this going far past `within`.
        let deadline = Instant::now() + within;
        let mut rest = bytes;
        while !rest.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            let result = if left.is_zero() {
                Err(io::Error::from(io::ErrorKind::TimedOut))
            } else {
                let _ = self.stream.set_write_timeout(Some(left));
                self.stream.write(rest)
            };
            match result {
                Ok(0) => return Err(self.send_failed(&io::Error::from(io::ErrorKind::WriteZero), within)),
                Ok(n) => rest = &rest[n..],
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.send_failed(&e, within)),
            }
        }
        Ok(())
    }

    fn send_failed(&self, err: &io::Error, within: Duration) -> End {
        let end = classify(err, within);
        self.note(&format!("sending failed: {}", end.describe()));
        end
    }

    /// Adds a line to the transcript about this connection.
    pub fn note(&self, text: &str) {
        self.transcript.push(&self.label, Direction::Event, text.to_string());
    }

    /// Reads until `complete` finds a whole item at the start of the buffer
    /// (it returns the item's length), the peer closes, or `within` passes.
    /// The item is removed from the buffer; on failure, all that arrived is.
    pub fn read_until(&mut self, within: Duration, complete: impl Fn(&[u8]) -> Option<usize>) -> Received {
        let deadline = Instant::now() + within;
        let mut buf = [0u8; 16 * 1024];
        loop {
            if let Some(len) = complete(&self.pending) {
                let rest = self.pending.split_off(len);
                let bytes = std::mem::replace(&mut self.pending, rest);
                return Received { bytes, end: End::Complete };
            }
            if self.pending.len() > MAX_PENDING {
                return self.stop(End::TooMuch(MAX_PENDING));
            }
            let now = Instant::now();
            if now >= deadline {
                return self.stop(End::TimedOut(within));
            }
            let _ = self.stream.set_read_timeout(Some(deadline - now));
            match self.stream.read(&mut buf) {
                Ok(0) => return self.stop(End::Closed),
                Ok(n) => {
                    self.transcript.bytes(&self.label, Direction::Received, &buf[..n]);
                    self.pending.extend_from_slice(&buf[..n]);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return self.stop(classify(&e, within)),
            }
        }
    }

    fn stop(&mut self, end: End) -> Received {
        match &end {
            End::Closed => self.note("closed by your program"),
            End::Reset => self.note("reset by your program"),
            End::TimedOut(d) => self.note(&format!("(nothing more for {} ms)", d.as_millis())),
            _ => {}
        }
        Received { bytes: std::mem::take(&mut self.pending), end }
    }

    /// Whatever arrives within `within`, as soon as anything does; nothing
    /// (and `TimedOut`) if nothing does: to see that no more bytes come.
    pub fn read_any(&mut self, within: Duration) -> Received {
        self.read_until(within, |b| (!b.is_empty()).then_some(b.len()))
    }

    /// Exactly `n` bytes.
    pub fn read_exact(&mut self, n: usize, within: Duration) -> Received {
        self.read_until(within, |b| (b.len() >= n).then_some(n))
    }

    /// One line, up to and including its `\n`.
    pub fn read_line(&mut self, within: Duration) -> Received {
        self.read_until(within, |b| b.iter().position(|&c| c == b'\n').map(|i| i + 1))
    }

    /// Everything until the program closes the connection (at most `max` bytes).
    pub fn read_to_close(&mut self, max: usize, within: Duration) -> Received {
        let mut got = self.read_until(within, |b| (b.len() > max).then_some(b.len()));
        match got.end {
            End::Closed => got.end = End::ClosedAsAsked,
            End::Complete => got.end = End::TooMuch(max),
            _ => {}
        }
        got
    }

    /// Whether the program closes the connection within `within`, reading
    /// (and recording) anything it still sends.
    pub fn closed_within(&mut self, within: Duration) -> Received {
        self.read_to_close(1 << 20, within)
    }

    /// Sends `payload` from a second thread while this one reads up to
    /// `payload.len()` bytes back: a program that answers only after the
    /// whole payload (or the end of the stream) has arrived is caught.
    pub fn send_while_reading(&mut self, payload: &[u8], within: Duration) -> Received {
        self.note(&format!("sending {} bytes while reading at the same time", payload.len()));
        let writer = match self.stream.try_clone() {
            Ok(stream) => stream,
            Err(e) => return Received { bytes: Vec::new(), end: End::Error(e.to_string()) },
        };
        let _ = writer.set_write_timeout(Some(within));
        let data = payload.to_vec();
        let sending = std::thread::spawn(move || (&writer).write_all(&data));
        let got = self.read_exact(payload.len(), within);
        if got.end != End::Complete {
            // Unblock the writer: the check is over.
            let _ = self.stream.shutdown(Shutdown::Both);
        }
        let _ = sending.join();
        got
    }

    /// Sends `bytes` from a second thread, so the check can read the answer
    /// while a program that stops reading leaves the write blocked. The
    /// write gives up after `within`; join the handle to wait for it.
    pub fn send_in_background(&self, bytes: &[u8], within: Duration) -> std::thread::JoinHandle<io::Result<()>> {
        self.transcript.bytes(&self.label, Direction::Sent, bytes);
        let writer = self.stream.try_clone();
        let data = bytes.to_vec();
        std::thread::spawn(move || {
            let writer = writer?;
            writer.set_write_timeout(Some(within))?;
            (&writer).write_all(&data)
        })
    }

    /// Closes the checker's writing side: the program reads end of stream.
    pub fn shutdown_write(&mut self) {
        self.note("checker shut down its sending side (half-close)");
        let _ = self.stream.shutdown(Shutdown::Write);
    }

    /// Closes the connection with a reset (SO_LINGER 0) instead of a FIN.
    pub fn reset(self) {
        self.note("checker reset the connection");
        let _ = socket2::SockRef::from(&self.stream).set_linger(Some(Duration::ZERO));
        // Dropping the stream closes it; with a zero linger time, that close
        // is a reset.
    }
}

/// A TCP listener on a free loopback port, for checks where the program is
/// the client.
pub fn listen_loopback() -> io::Result<(TcpListener, SocketAddr)> {
    let listener = claimed(|| TcpListener::bind("127.0.0.1:0"), TcpListener::local_addr)?;
    let addr = listener.local_addr()?;
    listener.set_nonblocking(true)?;
    Ok((listener, addr))
}

/// A free UDP port on 127.0.0.1, as chosen by the system.
pub fn free_udp_port() -> io::Result<u16> {
    let socket = claimed(|| std::net::UdpSocket::bind("127.0.0.1:0"), std::net::UdpSocket::local_addr)?;
    Ok(socket.local_addr()?.port())
}

/// A free TCP port on 127.0.0.1, as chosen by the system.
pub fn free_tcp_port() -> io::Result<u16> {
    Ok(claimed(|| TcpListener::bind("127.0.0.1:0"), TcpListener::local_addr)?.local_addr()?.port())
}

/// How long a port stays claimed by the checker that claimed it.
const CLAIM: Duration = Duration::from_secs(60);

/// Binds port 0 until the system gives a port that no other checker on this
/// machine claimed a moment ago, and claims it.
///
/// Two checkers running at once (the test suite, `grade --jobs 2`) each ask
/// the system for free ports. A port handed to a program is free again
/// until the program binds it, and the system may give it to the other
/// checker in that moment: then one program fails to bind, or one checker
/// talks to the other's program. A marker file per port in the temporary
/// folder, made with `create_new` so that one checker wins, keeps a port to
/// the checker that claimed it for [`CLAIM`]. Where the markers cannot be
/// written, any free port will do, as before.
pub fn claimed<S>(bind: impl Fn() -> io::Result<S>, addr_of: impl Fn(&S) -> io::Result<SocketAddr>) -> io::Result<S> {
    for _ in 0..32 {
        let socket = bind()?;
        if claim(addr_of(&socket)?.port()) {
            return Ok(socket);
        }
    }
    bind()
}

/// Claims `port` for this checker; false if another claimed it less than
/// [`CLAIM`] ago.
fn claim(port: u16) -> bool {
    let dir = std::env::temp_dir().join("socketlings-ports");
    let marker = dir.join(port.to_string());
    let create = || std::fs::OpenOptions::new().write(true).create_new(true).open(&marker);
    let _ = std::fs::create_dir_all(&dir);
    match create() {
        Ok(_) => true,
        Err(err) if err.kind() == ErrorKind::AlreadyExists => {
            let age = std::fs::metadata(&marker).and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
            if age.is_some_and(|age| age > CLAIM) {
                // Stale: take it over (whoever removes and makes it first).
                let _ = std::fs::remove_file(&marker);
                return create().is_ok();
            }
            false
        }
        // No markers here (a folder we may not write): any free port.
        Err(_) => true,
    }
}

/// How many connections to a listener on `port` the system has completed
/// but no program has taken with `accept` yet: the listen queue (backlog).
/// The kernel finishes the handshake for a listening socket on its own, so
/// only this queue shows whether a server called `accept`. Read from
/// `/proc/net/tcp{,6}` (the `rx_queue` of a `LISTEN` socket is its queue
/// length); `None` where that is not available.
pub fn waiting_to_be_accepted(port: u16) -> Option<usize> {
    let mut found = None;
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else { continue };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(state), Some(queues)) = (fields.get(1), fields.get(3), fields.get(4)) else {
                continue;
            };
            let listening = *state == "0A";
            let on_port = local.rsplit(':').next().and_then(|p| u16::from_str_radix(p, 16).ok()) == Some(port);
            if !(listening && on_port) {
                continue;
            }
            let queued = queues.rsplit(':').next().and_then(|q| usize::from_str_radix(q, 16).ok()).unwrap_or(0);
            *found.get_or_insert(0) += queued;
        }
    }
    found
}

/// Reads `expected`, then whatever else the program sends until it closes
/// the connection or `quiet` passes: the reply must be exactly `expected`,
/// with nothing after it. Extra bytes (a whole buffer sent instead of the
/// bytes read, say) are shown after the expected ones, with a caret.
pub fn expect_only(
    conn: &mut Conn,
    expected: &[u8],
    within: Duration,
    quiet: Duration,
    did: &str,
) -> Result<(), super::Failure> {
    super::expect_bytes(conn, expected, within, did)?;
    let rest = conn.read_to_close(64 * 1024, quiet);
    if rest.bytes.is_empty() {
        return Ok(());
    }
    let extra = rest.bytes.len();
    let got = Received { bytes: [expected, &rest.bytes].concat(), end: rest.end };
    Err(super::Failure::mismatch(did, expected, &got).meaning(format!(
        "The reply was right, then {extra} more byte{} came after it{}.",
        if extra == 1 { "" } else { "s" },
        if rest.bytes.iter().all(|&b| b == 0) { ", all zero: the rest of a buffer" } else { "" }
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_that_ended_with_the_close_says_so() {
        let nothing = Received { bytes: Vec::new(), end: End::ClosedAsAsked };
        assert!(nothing.complete());
        assert_eq!(nothing.describe(), "nothing: your program closed the connection (end of stream)");
        let some = Received { bytes: b"BYE".to_vec(), end: End::ClosedAsAsked };
        assert_eq!(some.describe(), "\"BYE\", then your program closed the connection (end of stream)");
        assert!(!some.describe().contains("all that was expected"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_listen_queue_shows_a_connection_nobody_accepted() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        assert_eq!(waiting_to_be_accepted(port), Some(0));
        let _client = TcpStream::connect(("127.0.0.1", port)).unwrap();
        assert_eq!(waiting_to_be_accepted(port), Some(1));
        let _served = listener.accept().unwrap();
        assert_eq!(waiting_to_be_accepted(port), Some(0));
    }
}
