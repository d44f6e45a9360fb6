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
// socket has not taken yet (`output`).
//
// `run` (the loop itself) and a few small helpers are written for you. Your
// work is the functions marked `TODO`, in the order of the steps: they are
// numbered in their `todo!` messages, and the lesson's page walks through
// them. Run `cargo run -p checker -- lesson10` after each.

use mio::net::{TcpListener, TcpStream};
#[allow(unused_imports)] // you will use it in `listen` and `accept_all`
use mio::Interest;
use mio::{Events, Poll, Registry, Token};
use std::collections::HashMap;
#[allow(unused_imports)] // `read` and `write` come from these traits
use std::io::{self, Read, Write};

/// The listener's token; clients get 1, 2, 3… and a token is never reused,
/// so an event left over for a client that is gone finds nobody.
const LISTENER: Token = Token(0);
/// The longest chat line, without its line end.
#[allow(dead_code)] // you will use them
const MAX_LINE: usize = 1000;
/// The most output we keep for a client that does not read it.
#[allow(dead_code)]
const MAX_OUTPUT: usize = 64 * 1024;
/// The longest name.
#[allow(dead_code)]
const MAX_NAME: usize = 16;

/// One connection, and what is half done on it.
#[allow(dead_code)] // you will use every field
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
#[allow(dead_code)]
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
    // TODO: bind a `std::net::TcpListener` as in every lesson so far (it
    // resolves `addr` for you), then make it non-blocking: Python's
    // `setblocking(False)` is `set_nonblocking(true)`. `TcpListener::from_std`
    // hands it to mio. Make a `Poll`, and tell its `registry()` to watch
    // the listener under the token `LISTENER`, for readable events:
    // "readable", for a listener, means "a connection is waiting to be
    // accepted". Return both.
    let _ = addr; // only so the skeleton compiles without warnings: delete this line
    todo!("step 1: bind, go non-blocking, and register the listener with a Poll")
}

impl Room {
    /// Accept every waiting connection, until `WouldBlock`.
    fn accept_all(&mut self, listener: &TcpListener, registry: &Registry) {
        // TODO: loop on `listener.accept()`. `WouldBlock` means nobody else
        // is waiting: return. `Interrupted`: try again. Any other error (out
        // of file descriptors): print it on stderr and return.
        // For each new stream: give it the next `Token` (never reuse one),
        // `register` it for `Interest::READABLE | Interest::WRITABLE` (both,
        // once: mio is edge-triggered, so a writable event comes only when a
        // full send buffer has room again, and costs nothing meanwhile), put
        // a `Client` in `self.clients`, and `send` it `name?\n`. `send` may
        // doom it: pass its `doomed` list to `drop_clients`.
        // Chat lines are small: `set_nodelay(true)` on each stream sends
        // them at once (Nagle's algorithm would hold a small write until the
        // one before is acknowledged, which the peer may delay by 40 ms).
        // Pitfall: one readiness event may stand for many connections;
        // accept only one and the rest wait for an event that never comes.
        let _ = (listener, registry); // only so the skeleton compiles without warnings: delete this line
        todo!("step 2: accept until WouldBlock; register, store and greet each client")
    }

    /// Read everything the client has sent, until `WouldBlock`, and act on
    /// each whole line.
    fn receive(&mut self, token: Token, doomed: &mut Vec<Token>) {
        // TODO: loop: find the client in `self.clients` (gone? return) and
        // `read` into a buffer of a few KiB. `Ok(0)` means the client closed
        // its side: push its token on `doomed` and return. `Ok(n)`: append
        // the bytes to `client.input` and call `take_lines` (it returns
        // `false` when the client is to go: then return). `WouldBlock`: all
        // read for now, return. `Interrupted`: read again. Any other error
        // (a reset): doomed.
        // Pitfall: one read is not one line. It may hold half a line, or
        // three: that is why the bytes wait in `input`.
        let _ = (token, doomed); // only so the skeleton compiles without warnings: delete this line
        todo!("step 3: read until WouldBlock into the client's input")
    }

    /// Handle each whole line in the client's input. `false` when the
    /// client is to be dropped.
    #[allow(dead_code)] // you will call it from `receive`
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
        // TODO: find the client (gone? return). First ask `has_room` (step
        // 6) whether its output may grow by `bytes.len()`; if not, push its
        // token on `doomed` and return. Else append `bytes` to
        // `client.output` and `flush`: most of the time the socket takes
        // it all at once.
        let _ = (token, bytes, doomed); // only so the skeleton compiles without warnings: delete this line
        todo!("step 4: queue the bytes in the client's output, then flush")
    }

    /// Write the client's queued output until it is all sent or the socket
    /// says `WouldBlock`; the rest waits for its next writable event.
    fn flush(&mut self, token: Token, doomed: &mut Vec<Token>) {
        // TODO: find the client (gone? return). While `client.output` is not
        // empty, `write` it: `Ok(n)` took the first n bytes (`drain(..n)`
        // them). `WouldBlock`: the send buffer is full; return, and the
        // writable event will call us again. `Interrupted`: again. `Ok(0)`
        // or another error: doomed. Once all is sent, a `closing` client
        // (refused) is doomed too: its error is on its way.
        // Pitfall: a write may take only part of the buffer, as much as the
        // socket's send buffer has room for. `write_all` would loop on
        // `WouldBlock`; drop only what was taken and keep the rest.
        let _ = (token, doomed); // only so the skeleton compiles without warnings: delete this line
        todo!("step 4: write the queued output until it is empty or WouldBlock")
    }

    /// One whole line from a client: its name, or a message for the room.
    #[allow(dead_code)] // called by `take_lines`, which you will call
    fn handle_line(&mut self, token: Token, line: Vec<u8>, doomed: &mut Vec<Token>) {
        // TODO: a client with no name yet is naming itself: `join`. A named
        // client's empty line is ignored. Any other line goes to every other
        // member as `[NAME] LINE\n` (`send_to_others`).
        // Pitfall: `self.clients.get(&token)` borrows the room; copy out
        // what you need (the name) before calling a `&mut self` method.
        let _ = (token, line, doomed); // only so the skeleton compiles without warnings: delete this line
        todo!("step 5: join, ignore an empty line, or relay the line to the others")
    }

    /// The client's first line: its name. Let it in, or refuse it.
    #[allow(dead_code)] // you will call it from `handle_line`
    fn join(&mut self, token: Token, line: &[u8], doomed: &mut Vec<Token>) {
        // TODO: not UTF-8, or not `is_valid_name`: `refuse` with
        // `error: bad name\n`. A member already has it: `error: name taken\n`
        // (only named clients hold a name). Else send the newcomer
        // `* present:` and ` NAME` for each member in `self.members` order,
        // then `\n`; send every other member `* NAME joined\n`; set the
        // client's `name` and push its token on `self.members`.
        let _ = (token, line, doomed); // only so the skeleton compiles without warnings: delete this line
        todo!("step 5: check the name, send `* present:…` and `* NAME joined`")
    }

    /// Send an error, then close once it is sent (see `flush`).
    #[allow(dead_code)] // you will call it from `join`
    fn refuse(&mut self, token: Token, error: &[u8], doomed: &mut Vec<Token>) {
        if let Some(client) = self.clients.get_mut(&token) {
            client.closing = true;
        }
        self.send(token, error, doomed);
    }

    /// Queue `bytes` for every member but `from`.
    #[allow(dead_code)] // you will call it
    fn send_to_others(&mut self, from: Token, bytes: &[u8], doomed: &mut Vec<Token>) {
        for member in self.members.clone() {
            if member != from {
                self.send(member, bytes, doomed);
            }
        }
    }

    /// Close each doomed client; a member's leaving is announced, which may
    /// doom more (a slow reader that cannot take the news).
    fn drop_clients(&mut self, doomed: Vec<Token>, registry: &Registry) {
        // TODO: while `doomed` has a token: remove its client from
        // `self.clients` (not there? it was doomed twice: skip it),
        // `registry.deregister` its stream and drop it, which closes the
        // connection. If it had a name, take it out of `self.members` and
        // send the others `* NAME left\n`: that may doom more clients, so
        // pass the same list and keep going until it is empty. A client that
        // never named itself is forgotten silently.
        let _ = (doomed, registry); // only so the skeleton compiles without warnings: delete this line
        todo!("step 5: close the doomed clients and announce `* NAME left`")
    }
}

/// Take the next whole line out of `input`, without its `\n` (or `\r\n`).
/// `Ok(None)`: no whole line yet. An error: the line is over `MAX_LINE`.
#[allow(dead_code)] // called by `take_lines`, which you will call
fn next_line(input: &mut Vec<u8>) -> io::Result<Option<Vec<u8>>> {
    // TODO: find the first `\n` (`iter().position`). None yet: if `input`
    // already holds more than `MAX_LINE` bytes and a `\r`, the line is too
    // long: return an `InvalidData` error; else `Ok(None)`, and wait for
    // more. Found: `drain(..=end)` the line out, drop its `\n` and a `\r`
    // before it, and refuse it if it is still longer than `MAX_LINE`.
    // Pitfall: without the bound, a client that never sends `\n` makes us
    // keep everything it sends.
    let _ = input; // only so the skeleton compiles without warnings: delete this line
    todo!("step 3: take one whole line out of the input, or say it is too long")
}

/// 1 to 16 characters from `A-Z a-z 0-9 _ -`.
#[allow(dead_code)] // you will call it from `join`
fn is_valid_name(name: &str) -> bool {
    // TODO: check the length, and every byte (`is_ascii_alphanumeric`).
    let _ = name; // only so the skeleton compiles without warnings: delete this line
    todo!("step 5: is this a valid name?")
}

/// May a client's unsent output grow by `more` bytes?
#[allow(dead_code)] // you will call it from `send`
fn has_room(output: &[u8], more: usize) -> bool {
    // TODO: yes while it stays within `MAX_OUTPUT`. A client that lets
    // 64 KiB pile up is not reading: `send` drops it, so that it holds
    // neither our memory nor the rest of the room.
    // Pitfall: the kernel buffers a lot for a socket that does not read
    // (several MiB on loopback) before `write` says `WouldBlock`: only then
    // does `output` start to grow. That is fine: what we bound is ours.
    let _ = (output, more); // only so the skeleton compiles without warnings: delete this line
    todo!("step 6: the slow-reader limit")
}
