//! The crowd's connections: opened, polled, written and read, never
//! blocking.

use super::lines::{is_message, keep, name_of, Scan, JOINED_LEN, PRESENT};
use super::{Client, Crowd, Stage, Waiting, STALL_MS};
use crate::harness::Outcome;
use mio::net::TcpStream;
use mio::{Events, Interest, Token};
use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, Instant};

impl Crowd<'_> {
    /// Opens the next connection, registered for reading and writing.
    pub(super) fn start_client(&mut self) -> Outcome {
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
    pub(super) fn turn(&mut self, deadline: Instant, waiting: Waiting) -> Outcome {
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

    pub(super) fn flush(&mut self, i: usize) -> Outcome {
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
                    // The flood: counted, not looked at (half a million lines).
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

    /// The bytes of `* NAME joined` lines a user will get, from the
    /// number of names in its `* present:` line: one line for each user
    /// that joins after it, `* ` + NAME + ` joined\n`.
    fn still_to_join(&self, names: usize) -> usize {
        (self.users - 1).saturating_sub(names) * JOINED_LEN
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
            Stage::Listening | Stage::Heard if i == 0 && is_message(line, &self.clients[0].name) => Err(self.echoed()),
            Stage::Listening if i > 0 && is_message(line, &self.clients[0].name) => {
                self.clients[i].stage = Stage::Heard;
                self.heard += 1;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn trouble(&self, action: &str, err: &std::io::Error) -> crate::harness::Failure {
        crate::harness::checker_trouble(action, err)
    }
}
