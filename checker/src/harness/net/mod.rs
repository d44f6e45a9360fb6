//! Sockets with deadlines. Every read, write and connect here ends by a
//! deadline, and everything that crosses the wire is written to the check's
//! [`Transcript`].
//!
//! # Layout
//!
//! - this module: [`Conn`], a TCP connection whose every call has a deadline;
//! - [`end`]: how a read ended, and what it received;
//! - [`ports`]: loopback listeners and free ports.

mod end;
mod ports;

pub use end::{End, Received};
pub use ports::{claimed, free_tcp_port, free_udp_port, listen_loopback, waiting_to_be_accepted};

use super::transcript::{Direction, Transcript};
use end::classify;
use std::io::{self, ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// The most bytes a read keeps while it waits for what it expects: a
/// program that floods a connection cannot exhaust the checker's memory.
const MAX_PENDING: usize = 8 << 20;

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
