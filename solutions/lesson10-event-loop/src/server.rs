// The server side of lesson 10: a chat room on one thread.
//
// Lesson 3 gave every client a thread that blocked in `read` until its
// client spoke. Here one thread serves everyone, so it must never block on
// any one socket. Every socket is non-blocking: a `read` or `write` that
// cannot go on at once fails with `WouldBlock` ("not now") instead of
// waiting. The thread sleeps in one place only, `Poll::poll`, which wakes it
// when some socket is ready: a connection to accept, bytes to read, room in
// a send buffer. The loop is:
//
//   poll → for each ready socket: accept / read / write → poll again
//
// mio reports readiness *edge-triggered*: an event says "something changed",
// once. So each time we are told a socket is ready we accept, read or write
// until `WouldBlock`; anything left behind would get no second event.
//
// Nothing waits in the kernel for us, so we keep per client what is half
// done: the bytes of a line not yet ended (`input`) and the bytes the
// socket has not taken yet (`output`). A client that never reads would make
// `output` grow without end: past `MAX_OUTPUT` we drop that client rather
// than let it hold memory, or the room.

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Registry, Token};
use std::collections::HashMap;
use std::io::{self, Read, Write};

/// The listener's token; clients get 1, 2, 3… and a token is never reused,
/// so an event left over for a client that is gone finds nobody.
const LISTENER: Token = Token(0);
/// The longest chat line, without its line end.
const MAX_LINE: usize = 1000;
/// The most output we keep for a client that does not read it.
const MAX_OUTPUT: usize = 64 * 1024;
/// The longest name.
const MAX_NAME: usize = 16;

/// One connection, and what is half done on it.
struct Client {
    stream: TcpStream,
    /// Bytes read but not yet a whole line.
    input: Vec<u8>,
    /// Bytes queued for this client that the socket has not taken yet.
    output: Vec<u8>,
    /// `None` until the client has named itself.
    name: Option<String>,
    /// Refused (bad or taken name): close once `output` is sent.
    closing: bool,
}

/// Everything the loop knows: every connection, and who is in the room.
#[derive(Default)]
struct Room {
    clients: HashMap<Token, Client>,
    /// The named clients, in the order they joined.
    members: Vec<Token>,
    next_token: usize,
}

/// Serve the chat room on `addr` forever, on this one thread.
pub fn run(addr: &str) -> io::Result<()> {
    let (mut poll, listener) = listen(addr)?;
    let mut events = Events::with_capacity(1024);
    let mut room = Room::default();
    loop {
        // The one place we wait: no timeout, so an idle room uses no CPU.
        if let Err(err) = poll.poll(&mut events, None) {
            if err.kind() == io::ErrorKind::Interrupted {
                continue; // a signal woke us: just wait again
            }
            return Err(err);
        }
        for event in events.iter() {
            match event.token() {
                LISTENER => room.accept_all(&listener, poll.registry()),
                token => {
                    // Clients to close once this event is handled.
                    let mut doomed = Vec::new();
                    if event.is_writable() {
                        room.flush(token, &mut doomed);
                    }
                    if event.is_readable() {
                        room.receive(token, &mut doomed);
                    }
                    room.drop_clients(doomed, poll.registry());
                }
            }
        }
    }
}

/// Bind `addr`, and register the listener with a new `Poll`.
fn listen(addr: &str) -> io::Result<(Poll, TcpListener)> {
    // std resolves `addr` and binds; `set_nonblocking` is Python's
    // `setblocking(False)`, and mio takes the socket over from there.
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    let mut listener = TcpListener::from_std(listener);
    let poll = Poll::new()?;
    // For a listener, "readable" means "a connection is waiting".
    poll.registry().register(&mut listener, LISTENER, Interest::READABLE)?;
    Ok((poll, listener))
}

impl Room {
    /// Accept every waiting connection, until `WouldBlock`.
    fn accept_all(&mut self, listener: &TcpListener, registry: &Registry) {
        loop {
            let mut stream = match listener.accept() {
                Ok((stream, _peer)) => stream,
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => return,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => {
                    // Out of file descriptors, say: the connection waits in
                    // the backlog, and the next one to arrive wakes us again.
                    eprintln!("accept failed: {err}");
                    return;
                }
            };
            // Chat lines are small and should leave at once. Nagle's
            // algorithm would hold a small write back until the one before
            // is acknowledged, and the peer may delay that ack by 40 ms.
            if let Err(err) = stream.set_nodelay(true) {
                eprintln!("set_nodelay failed: {err}"); // only slower
            }
            self.next_token += 1;
            let token = Token(self.next_token);
            // Both interests, once: edge-triggered, a writable event comes
            // only when a full send buffer has room again, so it costs
            // nothing while we have nothing to send.
            if let Err(err) = registry.register(&mut stream, token, Interest::READABLE | Interest::WRITABLE) {
                eprintln!("register failed: {err}");
                continue; // dropping the stream closes it
            }
            let client = Client { stream, input: Vec::new(), output: Vec::new(), name: None, closing: false };
            self.clients.insert(token, client);
            let mut doomed = Vec::new();
            self.send(token, b"name?\n", &mut doomed);
            self.drop_clients(doomed, registry);
        }
    }

    /// Read everything the client has sent, until `WouldBlock`, and act on
    /// each whole line.
    fn receive(&mut self, token: Token, doomed: &mut Vec<Token>) {
        let mut buf = [0; 4096];
        loop {
            let Some(client) = self.clients.get_mut(&token) else { return };
            match client.stream.read(&mut buf) {
                // 0 bytes: the client closed its side. It is gone.
                Ok(0) => return doomed.push(token),
                // One read is not one line: it may hold half a line, or
                // three. Keep the bytes, and take out the lines now whole.
                Ok(n) => {
                    client.input.extend_from_slice(&buf[..n]);
                    if !self.take_lines(token, doomed) {
                        return;
                    }
                }
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => return,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                // Reset, say: gone too.
                Err(_) => return doomed.push(token),
            }
        }
    }

    /// Handle each whole line in the client's input. `false` when the
    /// client is to be dropped.
    fn take_lines(&mut self, token: Token, doomed: &mut Vec<Token>) -> bool {
        loop {
            let Some(client) = self.clients.get_mut(&token) else { return false };
            let line = match next_line(&mut client.input) {
                Ok(Some(line)) => line,
                Ok(None) => return true,
                Err(_) => {
                    doomed.push(token); // a line over `MAX_LINE`
                    return false;
                }
            };
            if client.closing {
                continue; // refused: we only wait to send the error
            }
            self.handle_line(token, line, doomed);
        }
    }

    /// Queue `bytes` for one client, and write what its socket takes now.
    fn send(&mut self, token: Token, bytes: &[u8], doomed: &mut Vec<Token>) {
        let Some(client) = self.clients.get_mut(&token) else { return };
        if !has_room(&client.output, bytes.len()) {
            return doomed.push(token);
        }
        client.output.extend_from_slice(bytes);
        self.flush(token, doomed);
    }

    /// Write the client's queued output until it is all sent or the socket
    /// says `WouldBlock`; the rest waits for its next writable event.
    fn flush(&mut self, token: Token, doomed: &mut Vec<Token>) {
        let Some(client) = self.clients.get_mut(&token) else { return };
        while !client.output.is_empty() {
            // A write may take only part of the buffer: as much as the
            // socket's send buffer has room for. We drop what it took.
            match client.stream.write(&client.output) {
                Ok(0) => return doomed.push(token),
                Ok(n) => {
                    client.output.drain(..n);
                }
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => return,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return doomed.push(token),
            }
        }
        if client.closing {
            doomed.push(token); // the error is sent: now close
        }
    }

    /// One whole line from a client: its name, or a message for the room.
    fn handle_line(&mut self, token: Token, line: Vec<u8>, doomed: &mut Vec<Token>) {
        // The name is copied out: `self.clients` stays free for `&mut self`.
        match self.clients.get(&token).map(|client| client.name.clone()) {
            None => {}
            Some(None) => self.join(token, &line, doomed),
            // Empty lines are not messages.
            Some(Some(_)) if line.is_empty() => {}
            Some(Some(name)) => {
                let message = [b"[", name.as_bytes(), b"] ", &line, b"\n"].concat();
                self.send_to_others(token, &message, doomed);
            }
        }
    }

    /// The client's first line: its name. Let it in, or refuse it.
    fn join(&mut self, token: Token, line: &[u8], doomed: &mut Vec<Token>) {
        // `self.clients[member]` cannot panic: a token is in `members` only
        // while its client is in `clients` (`drop_clients` removes both).
        let name = match std::str::from_utf8(line) {
            Ok(name) if is_valid_name(name) => name.to_string(),
            _ => return self.refuse(token, b"error: bad name\n", doomed),
        };
        if self.members.iter().any(|member| self.clients[member].name.as_deref() == Some(name.as_str())) {
            return self.refuse(token, b"error: name taken\n", doomed);
        }
        let mut present = String::from("* present:");
        for member in &self.members {
            present.push(' ');
            present.push_str(self.clients[member].name.as_deref().unwrap_or_default());
        }
        present.push('\n');
        self.send(token, present.as_bytes(), doomed);
        self.send_to_others(token, format!("* {name} joined\n").as_bytes(), doomed);
        if let Some(client) = self.clients.get_mut(&token) {
            client.name = Some(name);
            self.members.push(token);
        }
    }

    /// Send an error, then close once it is sent (see `flush`).
    fn refuse(&mut self, token: Token, error: &[u8], doomed: &mut Vec<Token>) {
        if let Some(client) = self.clients.get_mut(&token) {
            client.closing = true;
        }
        self.send(token, error, doomed);
    }

    /// Queue `bytes` for every member but `from`.
    fn send_to_others(&mut self, from: Token, bytes: &[u8], doomed: &mut Vec<Token>) {
        for member in self.members.clone() {
            if member != from {
                self.send(member, bytes, doomed);
            }
        }
    }

    /// Close each doomed client; a member's leaving is announced, which may
    /// doom more (a slow reader that cannot take the news).
    fn drop_clients(&mut self, mut doomed: Vec<Token>, registry: &Registry) {
        while let Some(token) = doomed.pop() {
            // Already gone: a client can be doomed twice in one pass.
            let Some(mut client) = self.clients.remove(&token) else { continue };
            let _ = registry.deregister(&mut client.stream);
            drop(client.stream); // closes the connection
            if let Some(name) = client.name {
                self.members.retain(|&member| member != token);
                self.send_to_others(token, format!("* {name} left\n").as_bytes(), &mut doomed);
            }
        }
    }
}

/// Take the next whole line out of `input`, without its `\n` (or `\r\n`).
/// `Ok(None)`: no whole line yet. An error: the line is over `MAX_LINE`.
fn next_line(input: &mut Vec<u8>) -> io::Result<Option<Vec<u8>>> {
    let Some(end) = input.iter().position(|&b| b == b'\n') else {
        // No `\n` yet. Past `MAX_LINE` bytes (and a `\r`), it is too long
        // already: say so now rather than keep what a client sends forever.
        if input.len() > MAX_LINE + 1 {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "line too long"));
        }
        return Ok(None);
    };
    let mut line: Vec<u8> = input.drain(..=end).collect();
    line.pop(); // the `\n`
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    if line.len() > MAX_LINE {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "line too long"));
    }
    Ok(Some(line))
}

/// 1 to 16 characters from `A-Z a-z 0-9 _ -`.
fn is_valid_name(name: &str) -> bool {
    (1..=MAX_NAME).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// May a client's unsent output grow by `more` bytes?
fn has_room(output: &[u8], more: usize) -> bool {
    // The slow-reader limit. The kernel buffers a lot for a socket that does
    // not read (several MiB on loopback) before `write` says `WouldBlock`;
    // only then does `output` grow. A client that lets 64 KiB more pile up
    // is not reading: `send` drops it, so it holds neither our memory nor
    // the rest of the room.
    output.len() + more <= MAX_OUTPUT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lines_however_the_bytes_came() {
        let mut input = b"hi\r\nthere\nhal".to_vec();
        assert_eq!(next_line(&mut input).unwrap(), Some(b"hi".to_vec()));
        assert_eq!(next_line(&mut input).unwrap(), Some(b"there".to_vec()));
        assert_eq!(next_line(&mut input).unwrap(), None);
        input.extend_from_slice(b"f\n");
        assert_eq!(next_line(&mut input).unwrap(), Some(b"half".to_vec()));
    }

    #[test]
    fn a_line_of_1000_bytes_passes_and_1001_does_not() {
        let mut input = [vec![b'x'; 1000], b"\r\n".to_vec()].concat();
        assert_eq!(next_line(&mut input).unwrap().map(|l| l.len()), Some(1000));
        let mut input = [vec![b'x'; 1001], b"\n".to_vec()].concat();
        assert!(next_line(&mut input).is_err());
        let mut input = vec![b'x'; 1002];
        assert!(next_line(&mut input).is_err());
    }

    #[test]
    fn names() {
        for good in ["a", "Ada_Lovelace-1", "0123456789abcdef"] {
            assert!(is_valid_name(good), "{good}");
        }
        for bad in ["", "two words", "0123456789abcdefg", "é", "a!"] {
            assert!(!is_valid_name(bad), "{bad}");
        }
    }
}
