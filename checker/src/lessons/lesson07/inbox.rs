//! The folder lesson 7's server writes to, and the server started on it.
//!
//! [`Inbox`] is DIR inside a scratch folder, so the checks can also look
//! beside DIR for files that should never have been written; [`Uploads`]
//! is the server started on a fresh DIR, with the expectations on what
//! DIR holds. [`pattern`] makes file contents that tell their place.

use crate::harness::Served;
use crate::harness::{checker_trouble, expect_line, send_or_fail, text, Conn, Ctx, Failure, Outcome, ScratchFolder};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The size of the large upload, and the memory the server may use for it.
pub(super) const LARGE: usize = 64 << 20;
pub(super) const MEMORY_LIMIT: u64 = LARGE as u64 / 2;

/// Bytes that tell their place: each MiB starts with its number, the rest
/// is a fixed pseudo-random pattern holding every byte value.
pub(super) fn pattern(len: usize) -> Vec<u8> {
    let mut state: u32 = 0x9e37_79b9;
    let block: Vec<u8> = (0..1 << 20)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect();
    let mut bytes = Vec::with_capacity(len);
    for mib in 0.. {
        if bytes.len() >= len {
            break;
        }
        let mut piece = block.clone();
        piece[..8].copy_from_slice(&(mib as u64).to_be_bytes());
        let take = (len - bytes.len()).min(piece.len());
        bytes.extend_from_slice(&piece[..take]);
    }
    bytes
}

/// Every byte value, then some text: a small binary file.
pub(super) fn every_byte() -> Vec<u8> {
    let mut bytes: Vec<u8> = (0..=255u8).collect();
    bytes.extend((0..=255u8).rev());
    bytes.extend_from_slice(b"\r\n\0end");
    bytes
}

/// DIR (`inbox`) inside a scratch folder, so the checker can also look
/// beside DIR for files that should never have been written.
pub(super) type Inbox = ScratchFolder;

pub(super) fn new_inbox() -> std::io::Result<Inbox> {
    ScratchFolder::create("files", "inbox")
}

/// "DIR holds `a`, `b`" for reports.
pub(super) fn describe(inbox: &Inbox) -> String {
    let entries = inbox.entries();
    if entries.is_empty() {
        return "DIR is empty".into();
    }
    let shown: Vec<String> = entries
        .iter()
        .map(|n| {
            let size = std::fs::metadata(inbox.dir().join(n)).map(|m| m.len()).unwrap_or(0);
            format!("{n:?} ({size} bytes)")
        })
        .collect();
    format!("DIR holds {}", shown.join(", "))
}

/// A server started on a fresh DIR.
pub(super) struct Uploads {
    pub(super) served: Served,
    pub(super) inbox: Inbox,
}

impl Uploads {
    pub(super) fn conn(&mut self, ctx: &mut Ctx) -> Result<Conn, Failure> {
        self.served.conn(ctx)
    }

    /// Uploads `body` as `name` in one connection, header and body in
    /// separate writes, and expects `OK <size>` and the file in DIR.
    pub(super) fn upload(&mut self, ctx: &mut Ctx, name: &str, body: &[u8]) -> Outcome {
        let mut conn = self.conn(ctx)?;
        let did = format!("uploaded {name:?} ({} bytes)", body.len());
        send_or_fail(&mut conn, header(name, body.len()).as_bytes(), ctx.timing.reply(), &did)?;
        send_or_fail(&mut conn, body, ctx.timing.reply(), &did)?;
        // Small files: time to write and sync them, with room to spare.
        expect_line(&mut conn, &format!("OK {}", body.len()), ctx.timing.ms(2000), &did)?;
        // Whether `OK` came too early is the business of the check named
        // for it: here the file has a moment to settle.
        self.expect_saved_within(name, body, &did, ctx.timing.ms(1000))
    }

    /// DIR/name holds exactly `body`, or does within `within`.
    pub(super) fn expect_saved_within(&self, name: &str, body: &[u8], did: &str, within: Duration) -> Outcome {
        let deadline = Instant::now() + within;
        loop {
            let saved = self.expect_saved(name, body, did);
            if saved.is_ok() || Instant::now() >= deadline {
                return saved;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// DIR/name holds exactly `body`.
    pub(super) fn expect_saved(&self, name: &str, body: &[u8], did: &str) -> Outcome {
        let path = self.inbox.dir().join(name);
        let got = std::fs::read(&path).map_err(|e| {
            Failure::new(did, format!("the file {name:?} in DIR"), format!("{e}; {}", describe(&self.inbox)))
        })?;
        if got == body {
            return Ok(());
        }
        let at = text::first_difference(body, &got).unwrap_or(0);
        Err(Failure::new(
            did,
            format!("DIR/{name} to hold the {} bytes sent", body.len()),
            format!("{} bytes, different from byte {at} on", got.len()),
        )
        .hint("Copy exactly `size` bytes, as bytes, from the same buffered reader that read the header."))
    }

    /// Nothing new in DIR, beside it, or at `elsewhere`.
    pub(super) fn expect_nothing_written(&self, did: &str, elsewhere: &[PathBuf]) -> Outcome {
        if !self.inbox.entries().is_empty() {
            return Err(Failure::new(did, "nothing written in DIR", describe(&self.inbox)));
        }
        let beside = self.inbox.entries_beside();
        if let Some(stray) = beside.iter().find(|n| *n != "inbox") {
            return Err(Failure::new(
                did,
                "nothing written outside DIR",
                format!("a new file {stray:?} beside DIR, in {}", self.inbox.scratch().display()),
            ));
        }
        if let Some(path) = elsewhere.iter().find(|p| p.exists()) {
            return Err(Failure::new(did, "nothing written outside DIR", format!("a new file {}", path.display())));
        }
        Ok(())
    }
}

pub(super) fn header(name: &str, size: usize) -> String {
    format!("{name}\n{size}\n")
}

pub(super) fn start(ctx: &mut Ctx) -> Result<Uploads, Failure> {
    let inbox = new_inbox().map_err(|e| checker_trouble("create a scratch folder", &e))?;
    // All of the scratch folder, not only DIR: a file written beside DIR
    // is a bug the checks must see, not one the sandbox hides.
    ctx.grant_write(inbox.scratch());
    let dir = inbox.dir().display().to_string();
    let served = ctx.start_server(|addr| vec!["server".into(), addr.into(), dir.clone()])?.into();
    Ok(Uploads { served, inbox })
}

/// Polls until DIR holds `name` and nothing else, for at most `within`.
pub(super) fn dir_holds_only(inbox: &Inbox, name: &str, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    loop {
        if inbox.entries() == [name] {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pattern_numbers_its_mebibytes_and_holds_every_byte() {
        let bytes = pattern(3 << 20);
        assert_eq!(bytes.len(), 3 << 20);
        assert_eq!(&bytes[(2 << 20)..(2 << 20) + 8], &2u64.to_be_bytes());
        assert!((0..=255u8).all(|b| bytes[..1 << 20].contains(&b)));
        assert_eq!(pattern(10).len(), 10);
    }

    #[test]
    fn every_byte_holds_every_byte() {
        assert!((0..=255u8).all(|b| every_byte().contains(&b)));
    }

    #[test]
    fn the_inbox_lists_hidden_files() {
        let inbox = new_inbox().unwrap();
        std::fs::write(inbox.dir().join(".upload-1.part"), b"x").unwrap();
        assert_eq!(inbox.entries(), [".upload-1.part"]);
        assert!(describe(&inbox).contains("(1 bytes)"));
    }
}
