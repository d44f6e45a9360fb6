//! What the chat checks share: the server under test (a [`Room`]), users
//! that join it, and reading the lines they receive.
//!
//! Lines are compared byte for byte, `\n` included: the protocol's server
//! ends its lines with `\n` alone. A check judges only its own behaviour:
//! joining in the other checks reads the `name?`, `* present:` and
//! `* NAME joined` lines without judging them ([`Room::join`]), and only
//! the checks made for those lines use [`Room::join_expecting`].

use crate::harness::{blame_exit, send_or_fail, text, Conn, Ctx, End, Failure, Outcome, Program};
use std::net::SocketAddr;
use std::time::Duration;

/// The server's first line on every connection.
pub(crate) const PROMPT: &str = "name?";

/// A chat server under test.
pub(crate) struct Room {
    pub program: Program,
    pub addr: SocketAddr,
    /// The connection made at start-up, handed out first.
    first: Option<Conn>,
}

/// A named user of the room.
pub(crate) struct User {
    pub name: String,
    pub conn: Conn,
}

/// Starts the server (`server ADDR`) and connects to it.
pub(crate) fn open(ctx: &mut Ctx) -> Result<Room, Failure> {
    let server = ctx.start_server(|addr| vec!["server".into(), addr.into()])?;
    Ok(Room { program: server.program, addr: server.addr, first: Some(server.conn) })
}

impl Room {
    /// A new connection, not yet prompted.
    pub fn connect(&mut self, ctx: &mut Ctx) -> Result<Conn, Failure> {
        match self.first.take() {
            Some(conn) => Ok(conn),
            None => ctx.connect_again(&mut self.program, self.addr),
        }
    }

    /// A new connection whose first line (the prompt) has been read, not judged.
    pub fn prompted(&mut self, ctx: &mut Ctx, did: &str) -> Result<Conn, Failure> {
        let mut conn = self.connect(ctx)?;
        any_line(ctx, &mut conn, &format!("{did}: a new connection"), "the prompt line `name?`")
            .map_err(|f| self.blame(f))?;
        Ok(conn)
    }

    /// Joins as `name`: the prompt, the name, the `* present:` line, and
    /// one line (`* NAME joined`) for each of `watchers`, none judged.
    pub fn join(&mut self, ctx: &mut Ctx, name: &str, watchers: &mut [&mut User]) -> Result<User, Failure> {
        self.join_inner(ctx, name, None, watchers)
    }

    /// Joins as `name` and judges what comes back: `* present:` with
    /// exactly `present`, and `* NAME joined` for each of `watchers`.
    pub fn join_expecting(
        &mut self,
        ctx: &mut Ctx,
        name: &str,
        present: &[&str],
        watchers: &mut [&mut User],
    ) -> Result<User, Failure> {
        self.join_inner(ctx, name, Some(present), watchers)
    }

    fn join_inner(
        &mut self,
        ctx: &mut Ctx,
        name: &str,
        present: Option<&[&str]>,
        watchers: &mut [&mut User],
    ) -> Result<User, Failure> {
        let did = format!("a new connection sent the name {}", text::escape(format!("{name}\n").as_bytes()));
        let mut conn = self.prompted(ctx, &did)?;
        send(ctx, &mut conn, format!("{name}\n").as_bytes(), &did).map_err(|f| self.blame(f))?;
        match present {
            Some(present) => expect(ctx, &mut conn, &present_line(present), &did),
            None => any_line(ctx, &mut conn, &did, "the `* present:` line"),
        }
        .map_err(|f| self.blame(f))?;
        for watcher in watchers {
            let did = format!("{} was in the room; then {did}", watcher.name);
            match present {
                Some(_) => expect(ctx, &mut watcher.conn, &format!("* {name} joined"), &did),
                None => any_line(ctx, &mut watcher.conn, &did, &format!("the line `* {name} joined`")),
            }
            .map_err(|f| self.blame(f))?;
        }
        Ok(User { name: name.to_string(), conn })
    }

    /// Waits until the server has handled what came before: a new
    /// connection is made and its prompt awaited, then closed unnamed. It
    /// also hands out the connection made at start-up, when no user took it.
    pub fn settle(&mut self, ctx: &mut Ctx, did: &str) -> Outcome {
        let conn = self.prompted(ctx, did)?;
        conn.note("closed by the checker, unnamed: it only waited for the server to catch up");
        Ok(())
    }

    /// Waits until the server has read what was sent before, so that the
    /// next bytes arrive apart from those (one read cannot join them): a
    /// [`Room::settle`], then a pause of 20 ms, for a busy machine may
    /// deliver a packet of one connection after a later one of another.
    pub fn wait_read(&mut self, ctx: &mut Ctx, did: &str) -> Outcome {
        self.settle(ctx, did)?;
        std::thread::sleep(ctx.timing.ms(20));
        Ok(())
    }

    /// Adds to `failure` that the server exited, when it did.
    pub fn blame(&mut self, failure: Failure) -> Failure {
        let hint = "One client's trouble (a reset, a bad line, a full buffer) should end that client, never \
                    the server: its stderr below says what ended it.";
        blame_exit(failure, &mut self.program, Some(hint))
    }
}

/// `* present:` then ` NAME` for each of `names`.
pub(crate) fn present_line(names: &[&str]) -> String {
    names.iter().fold(String::from("* present:"), |line, name| format!("{line} {name}"))
}

/// Sends `bytes` on `conn`, within the reply deadline.
pub(crate) fn send(ctx: &Ctx, conn: &mut Conn, bytes: &[u8], did: &str) -> Outcome {
    send_or_fail(conn, bytes, ctx.timing.reply(), did)
}

/// Reads one line and compares it, `\n` included, with `expected` + `\n`.
pub(crate) fn expect(ctx: &Ctx, conn: &mut Conn, expected: &str, did: &str) -> Outcome {
    expect_within(conn, expected, ctx.timing.reply(), did)
}

/// Like [`expect`], with a deadline of the caller's.
pub(crate) fn expect_within(conn: &mut Conn, expected: &str, within: Duration, did: &str) -> Outcome {
    let expected = format!("{expected}\n");
    let got = conn.read_line(within);
    if got.complete() && got.bytes == expected.as_bytes() {
        return Ok(());
    }
    if got.complete() {
        // Another line came: shown as it is, with a caret at the difference.
        let failure = Failure::new(did, text::escape(expected.as_bytes()), text::escape(&got.bytes));
        return Err(failure.diff(expected, got.bytes));
    }
    Err(Failure::mismatch(did, expected.as_bytes(), &got))
}

/// Reads one line, whatever it holds: `what` names the line awaited.
pub(crate) fn any_line(ctx: &Ctx, conn: &mut Conn, did: &str, what: &str) -> Outcome {
    let got = conn.read_line(ctx.timing.reply());
    if got.complete() {
        return Ok(());
    }
    Err(Failure::new(did, what, got.describe()).meaning_of(&got.end).ended(got.end))
}

/// Whether the program closed `conn` (or reset it) within the reply
/// deadline; what it sent before does not count (a farewell is allowed).
pub(crate) fn expect_dropped(ctx: &Ctx, conn: &mut Conn, did: &str, expected: &str) -> Outcome {
    let after = conn.read_to_close(1 << 20, ctx.timing.reply());
    match after.end {
        End::ClosedAsAsked | End::Reset => Ok(()),
        _ => Err(Failure::new(did, expected, after.describe()).ended(after.end)),
    }
}
