//! Lesson 7: file transfer. A server that receives uploads framed by a
//! two-line header, streams them to a temporary file and renames it into
//! place, and a client that sends one file.

use super::{Check, Lesson};
use crate::harness::{checker_trouble, describe_status, expect_line, net, text, Conn, Ctx, Failure, Outcome, Program};
use crate::harness::{Served, Timing};
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub static LESSON: Lesson = Lesson {
    number: 7,
    slug: "file-transfer",
    title: "file transfer",
    usage: &["server HOST:PORT DIR", "client HOST:PORT PATH"],
    checks: &[
        Check {
            name: "a text file and a binary file holding every byte value arrive byte for byte",
            points: 2,
            hint: "Copy the body as bytes (`io::copy` from the reader into the `File`): never through a \
                   `String`, which changes or refuses bytes that are not UTF-8.",
            run: text_and_binary,
        },
        Check {
            name: "an empty file arrives as an empty file",
            points: 1,
            hint: "Size 0 means no body at all: create the file anyway, answer `OK 0`, and do not wait for \
                   bytes that will never come.",
            run: empty_file,
        },
        Check {
            name: "a 64 MiB file arrives whole while the server holds less than half of it in memory",
            points: 3,
            hint: "Stream the body: `io::copy(&mut reader.take(size), &mut file)` moves it a few KiB at a \
                   time. Reading it whole into a `Vec` costs as much memory as the file.",
            run: large_file,
        },
        Check {
            name: "a name with spaces and non-ASCII letters is kept exactly",
            points: 1,
            hint: "The name line is UTF-8 text: use it as it is (after the checks), without replacing \
                   characters.",
            run: unicode_name,
        },
        Check {
            name: "a header that arrives one byte per write is read correctly",
            points: 2,
            hint: "One `read` returns what has arrived, perhaps a single byte. Read each header line up \
                   to its `\\n` (`BufRead::read_until`), however many reads it takes.",
            run: header_byte_by_byte,
        },
        Check {
            name: "a header and the file's bytes sent in one write all arrive",
            points: 2,
            hint: "The read that brings the header may bring the start of the file too. Keep one \
                   `BufReader` for header and body: the bytes it read ahead are the body's first bytes.",
            run: header_and_data_together,
        },
        Check {
            name: "four uploads at once all arrive, each answered while the others are unfinished",
            points: 2,
            hint: "Handle each connection on its own thread: an upload that is still sending must not \
                   keep the others waiting.",
            run: four_at_once,
        },
        Check {
            name: "a name that is a path (`../x`, an absolute path, `a/b`) gets `ERR` and nothing is written anywhere",
            points: 3,
            hint: "A name from the network is untrusted: refuse any name with `/`, `\\` or NUL before \
                   touching the disk. `dir.join(\"../x\")` is outside DIR, and `dir.join(\"/x\")` is `/x`.",
            run: path_names_refused,
        },
        Check {
            name: "`..`, `.`, an empty name and a 300-byte name get `ERR` as soon as the name line arrives",
            points: 1,
            hint: "Check the name line as soon as you have read it, and answer `ERR <reason>` at once: do \
                   not wait for the size or the body of an upload you will refuse.",
            run: bad_names_refused_at_once,
        },
        Check {
            name: "a size that is not a number (`12k`, `+5`, `-1`, an empty line) gets `ERR` at once",
            points: 1,
            hint: "The size is one or more ASCII digits and nothing else. `str::parse::<u64>` also takes \
                   `+5`: check the bytes yourself.",
            run: bad_sizes_refused,
        },
        Check {
            name: "a connection cut halfway leaves nothing in DIR",
            points: 3,
            hint: "Write to a temporary file in DIR and rename it into place only when every byte has \
                   arrived; if the connection ends early, remove the temporary file.",
            run: cut_leaves_nothing,
        },
        Check {
            name: "`OK` comes only after the last byte, when the file is complete in DIR",
            points: 2,
            hint: "Write to a temporary file and answer after `io::copy` has moved every byte, the file is \
                   synced and renamed: `OK` is a promise that the file is safely there, and no one sees \
                   the final name before.",
            run: ok_after_complete,
        },
        Check {
            name: "an upload replaces an existing file of the same name",
            points: 1,
            hint: "`fs::rename` onto an existing name replaces it in one step. (Opening the old file for \
                   writing without truncating it would leave its tail.)",
            run: replaces_existing,
        },
        Check {
            name: "the client sends the file's name without its folders, its size, then exactly its bytes",
            points: 2,
            hint: "Send `<name>\\n<size>\\n` with `path.file_name()` and the size from `metadata().len()`, \
                   then `io::copy` the file onto the stream.",
            run: client_sends_file,
        },
        Check {
            name: "the client prints the `OK` reply and exits 0",
            points: 1,
            hint: "After sending, read one line from the server and print it; exit 0 when it starts with \
                   `OK`.",
            run: client_prints_ok,
        },
        Check {
            name: "the client prints an `ERR` reply and exits with a non-zero status",
            points: 1,
            hint: "A refusal may come while you are still sending: if a write fails, still read the reply, \
                   print it, and return an error from `main` so the exit status is not 0.",
            run: client_reports_err,
        },
    ],
};

/// The size of the large upload, and the memory the server may use for it.
const LARGE: usize = 64 << 20;
const MEMORY_LIMIT: u64 = LARGE as u64 / 2;

/// Bytes that tell their place: each MiB starts with its number, the rest
/// is a fixed pseudo-random pattern holding every byte value.
fn pattern(len: usize) -> Vec<u8> {
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
fn every_byte() -> Vec<u8> {
    let mut bytes: Vec<u8> = (0..=255u8).collect();
    bytes.extend((0..=255u8).rev());
    bytes.extend_from_slice(b"\r\n\0end");
    bytes
}

/// The scratch folder: DIR (`inbox`) inside it, so the checker can also
/// look beside DIR for files that should never have been written.
struct Inbox {
    scratch: tempfile::TempDir,
    dir: PathBuf,
}

impl Inbox {
    fn create() -> std::io::Result<Inbox> {
        let scratch = crate::harness::process::scratch_dir("files")?;
        let dir = scratch.path().join("inbox");
        std::fs::create_dir(&dir)?;
        Ok(Inbox { scratch, dir })
    }

    /// The names in DIR, hidden files included, sorted.
    fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .map(|dir| dir.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        names.sort();
        names
    }

    /// "DIR holds `a`, `b`" for reports.
    fn describe(&self) -> String {
        let entries = self.entries();
        if entries.is_empty() {
            return "DIR is empty".into();
        }
        let shown: Vec<String> = entries
            .iter()
            .map(|n| {
                let size = std::fs::metadata(self.dir.join(n)).map(|m| m.len()).unwrap_or(0);
                format!("{n:?} ({size} bytes)")
            })
            .collect();
        format!("DIR holds {}", shown.join(", "))
    }
}

/// A server started on a fresh DIR.
struct Uploads {
    served: Served,
    inbox: Inbox,
}

impl Uploads {
    fn conn(&mut self, ctx: &mut Ctx) -> Result<Conn, Failure> {
        self.served.conn(ctx)
    }

    /// Uploads `body` as `name` in one connection, header and body in
    /// separate writes, and expects `OK <size>` and the file in DIR.
    fn upload(&mut self, ctx: &mut Ctx, name: &str, body: &[u8]) -> Outcome {
        let mut conn = self.conn(ctx)?;
        let did = format!("uploaded {name:?} ({} bytes)", body.len());
        send(&mut conn, header(name, body.len()).as_bytes(), ctx.timing.reply(), &did)?;
        send(&mut conn, body, ctx.timing.reply(), &did)?;
        // Small files: time to write and sync them, with room to spare.
        expect_line(&mut conn, &format!("OK {}", body.len()), ctx.timing.ms(2000), &did)?;
        // Whether `OK` came too early is the business of the check named
        // for it: here the file has a moment to settle.
        self.expect_saved_within(name, body, &did, ctx.timing.ms(1000))
    }

    /// DIR/name holds exactly `body`, or does within `within`.
    fn expect_saved_within(&self, name: &str, body: &[u8], did: &str, within: Duration) -> Outcome {
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
    fn expect_saved(&self, name: &str, body: &[u8], did: &str) -> Outcome {
        let path = self.inbox.dir.join(name);
        let got = std::fs::read(&path).map_err(|e| {
            Failure::new(did, format!("the file {name:?} in DIR"), format!("{e}; {}", self.inbox.describe()))
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
    fn expect_nothing_written(&self, did: &str, elsewhere: &[PathBuf]) -> Outcome {
        if !self.inbox.entries().is_empty() {
            return Err(Failure::new(did, "nothing written in DIR", self.inbox.describe()));
        }
        let beside: Vec<String> = std::fs::read_dir(self.inbox.scratch.path())
            .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        if let Some(stray) = beside.iter().find(|n| *n != "inbox") {
            return Err(Failure::new(
                did,
                "nothing written outside DIR",
                format!("a new file {stray:?} beside DIR, in {}", self.inbox.scratch.path().display()),
            ));
        }
        if let Some(path) = elsewhere.iter().find(|p| p.exists()) {
            return Err(Failure::new(did, "nothing written outside DIR", format!("a new file {}", path.display())));
        }
        Ok(())
    }
}

fn header(name: &str, size: usize) -> String {
    format!("{name}\n{size}\n")
}

fn send(conn: &mut Conn, bytes: &[u8], within: Duration, did: &str) -> Outcome {
    conn.send(bytes, within).map_err(|end| {
        let mut failure = Failure::new(did, "to send it all", end.describe());
        failure.meaning = end.hint().map(str::to_string);
        failure
    })
}

fn start(ctx: &mut Ctx) -> Result<Uploads, Failure> {
    let inbox = Inbox::create().map_err(|e| checker_trouble("create a scratch folder", &e))?;
    // All of the scratch folder, not only DIR: a file written beside DIR
    // is a bug the checks must see, not one the sandbox hides.
    ctx.grant_write(inbox.scratch.path());
    let dir = inbox.dir.display().to_string();
    let served = ctx.start_server(|addr| vec!["server".into(), addr.into(), dir.clone()])?.into();
    Ok(Uploads { served, inbox })
}

fn text_and_binary(ctx: &mut Ctx) -> Outcome {
    let mut uploads = start(ctx)?;
    uploads.upload(ctx, "notes.txt", b"first line\nsecond line\r\nno newline at the end")?;
    uploads.upload(ctx, "bytes.bin", &every_byte())
}

fn empty_file(ctx: &mut Ctx) -> Outcome {
    start(ctx)?.upload(ctx, "empty.txt", b"")
}

fn large_file(ctx: &mut Ctx) -> Outcome {
    let mut uploads = start(ctx)?;
    let body = pattern(LARGE);
    let mut conn = uploads.conn(ctx)?;
    let did = format!("uploaded \"big.bin\" ({} MiB) in 1 MiB writes", LARGE >> 20);
    send(&mut conn, header("big.bin", LARGE).as_bytes(), ctx.timing.reply(), &did)?;
    for (i, chunk) in body.chunks(1 << 20).enumerate() {
        let what = if i == 0 { format!("sending {} MiB of file data", LARGE >> 20) } else { String::new() };
        // 2 s for each MiB: a server that reads at all takes one in far less.
        conn.send_bulk(chunk, ctx.timing.ms(2000), &what).map_err(|end| {
            Failure::new(&did, "the server to read the whole file", format!("after {i} MiB, {}", end.describe()))
        })?;
    }
    // Once the last byte is sent, the server still syncs 64 MiB to disk.
    expect_line(&mut conn, &format!("OK {LARGE}"), ctx.timing.ms(10_000), &did)?;
    uploads.expect_saved_within("big.bin", &body, &did, ctx.timing.ms(1000))?;
    match uploads.served.program.peak_memory() {
        Some(peak) if peak > MEMORY_LIMIT => Err(Failure::new(
            did,
            format!("the server's memory to stay under {} MiB (half the file)", MEMORY_LIMIT >> 20),
            format!("a peak of {} MiB resident (VmHWM in /proc)", peak >> 20),
        )),
        // Measured, or not measurable on this system: the file is right.
        _ => Ok(()),
    }
}

fn unicode_name(ctx: &mut Ctx) -> Outcome {
    start(ctx)?.upload(ctx, "my notes – café 日本.txt", "ünïcödé contents\n".as_bytes())
}

fn header_byte_by_byte(ctx: &mut Ctx) -> Outcome {
    let mut uploads = start(ctx)?;
    let mut conn = uploads.conn(ctx)?;
    let body = b"the body, after a header sent one byte at a time\n";
    let head = header("slow.txt", body.len());
    let did =
        format!("sent the header {} one byte per write, 2 ms apart, then the body", text::escape(head.as_bytes()));
    for byte in head.as_bytes() {
        send(&mut conn, &[*byte], ctx.timing.reply(), &did)?;
        std::thread::sleep(Duration::from_millis(2));
    }
    send(&mut conn, body, ctx.timing.reply(), &did)?;
    expect_line(&mut conn, &format!("OK {}", body.len()), ctx.timing.reply(), &did)?;
    uploads.expect_saved_within("slow.txt", body, &did, ctx.timing.ms(1000))
}

fn header_and_data_together(ctx: &mut Ctx) -> Outcome {
    let mut uploads = start(ctx)?;
    let mut conn = uploads.conn(ctx)?;
    let body = b"the body, in the same write as the header\n";
    let did = "sent the header and the whole body in one write";
    send(
        &mut conn,
        [header("together.txt", body.len()).as_bytes(), body].concat().as_slice(),
        ctx.timing.reply(),
        did,
    )?;
    expect_line(&mut conn, &format!("OK {}", body.len()), ctx.timing.reply(), did)?;
    uploads.expect_saved_within("together.txt", body, did, ctx.timing.ms(1000))
}

fn four_at_once(ctx: &mut Ctx) -> Outcome {
    let mut uploads = start(ctx)?;
    let size = 256 * 1024;
    let bodies: Vec<Vec<u8>> = (0..4u8).map(|i| pattern(size).into_iter().map(|b| b ^ i).collect()).collect();
    let names: Vec<String> = (1..=4).map(|i| format!("upload-{i}.bin")).collect();
    let mut conns = Vec::new();
    let within = ctx.timing.reply();
    for (name, body) in names.iter().zip(&bodies) {
        let mut conn = uploads.conn(ctx)?;
        let did = format!("opened 4 connections; sent the header and the first half of {name}");
        send(&mut conn, header(name, size).as_bytes(), within, &did)?;
        conn.send_bulk(&body[..size / 2], within, "sending the first half of the file").map_err(|end| {
            Failure::new(&did, "the server to read it", end.describe())
                .hint("Each connection needs its own thread: this one was not being read.")
        })?;
        conns.push(conn);
    }
    // Finish the last upload first: a server that works on one connection
    // at a time is still waiting for the rest of the first.
    for i in (0..4).rev() {
        let did = format!(
            "with uploads 1 to {} still unfinished, sent the second half of upload {} and waited for its reply",
            i,
            i + 1
        );
        let did = if i == 0 { "sent the second half of upload 1 and waited for its reply".to_string() } else { did };
        conns[i]
            .send_bulk(&bodies[i][size / 2..], within, "sending the second half of the file")
            .map_err(|end| Failure::new(&did, "the server to read it", end.describe()))?;
        expect_line(&mut conns[i], &format!("OK {size}"), ctx.timing.ms(3000), &did).map_err(|mut f| {
            if i > 0 {
                f.meaning = Some(
                    "This upload was complete but got no answer while an earlier one was unfinished: the \
                     server handles one connection at a time."
                        .into(),
                );
            }
            f
        })?;
        uploads.expect_saved_within(&names[i], &bodies[i], &did, ctx.timing.ms(1000))?;
    }
    Ok(())
}

/// Expects a reply line that starts with `ERR`.
fn expect_err(conn: &mut Conn, within: Duration, did: &str) -> Outcome {
    let got = conn.read_line(within);
    if got.complete() && got.bytes.starts_with(b"ERR") {
        return Ok(());
    }
    let mut failure = Failure::new(did, "a reply line `ERR <reason>`", got.describe());
    failure.meaning = got.end.hint().map(str::to_string);
    Err(failure)
}

fn path_names_refused(ctx: &mut Ctx) -> Outcome {
    let mut uploads = start(ctx)?;
    let beside = uploads.inbox.scratch.path().join("escaped.txt");
    let absolute = uploads.inbox.scratch.path().join("absolute.txt");
    let names = ["../escaped.txt".to_string(), absolute.display().to_string(), "a/b".to_string()];
    for name in &names {
        let mut conn = uploads.conn(ctx)?;
        let did = format!("uploaded 5 bytes under the name {name:?}");
        send(&mut conn, format!("{name}\n5\nhello").as_bytes(), ctx.timing.reply(), &did)?;
        let refused = expect_err(&mut conn, ctx.timing.reply(), &did);
        // Written files show even when the reply is right: look first.
        uploads.expect_nothing_written(&did, &[beside.clone(), absolute.clone()])?;
        refused?;
    }
    Ok(())
}

fn bad_names_refused_at_once(ctx: &mut Ctx) -> Outcome {
    let mut uploads = start(ctx)?;
    let long = "n".repeat(300);
    for name in ["..", ".", "", long.as_str()] {
        let mut conn = uploads.conn(ctx)?;
        let shown = if name.len() > 20 { format!("a name of {} bytes", name.len()) } else { format!("{name:?}") };
        let did = format!("sent only the name line, {shown}, and waited");
        send(&mut conn, format!("{name}\n").as_bytes(), ctx.timing.reply(), &did)?;
        expect_err(&mut conn, ctx.timing.reply(), &did)?;
        uploads.expect_nothing_written(&did, &[])?;
    }
    Ok(())
}

fn bad_sizes_refused(ctx: &mut Ctx) -> Outcome {
    let mut uploads = start(ctx)?;
    for size in ["12k", "+5", "-1", ""] {
        let mut conn = uploads.conn(ctx)?;
        let did = format!("sent the name line \"sized.txt\" and the size line {size:?}, then waited");
        send(&mut conn, format!("sized.txt\n{size}\n").as_bytes(), ctx.timing.reply(), &did)?;
        expect_err(&mut conn, ctx.timing.reply(), &did)?;
        uploads.expect_nothing_written(&did, &[])?;
    }
    Ok(())
}

fn cut_leaves_nothing(ctx: &mut Ctx) -> Outcome {
    let mut uploads = start(ctx)?;
    // A server that never accepts, reads or answers also leaves DIR empty:
    // first see it receive a whole file, or the cut cannot be judged.
    let before = b"a whole file, uploaded before the cut\n";
    uploads.upload(ctx, "before.txt", before).map_err(|failure| Failure {
        meaning: Some(
            "This check could not be judged. It first uploads one whole file, to see your server \
             take an upload at all (a server that never accepts, reads or answers leaves DIR empty \
             too); that upload failed. Make the upload checks above pass first."
                .into(),
        ),
        ..failure
    })?;
    let size = 1 << 20;
    let body = pattern(size);
    for reset in [false, true] {
        let mut conn = uploads.conn(ctx)?;
        let how = if reset { "reset the connection" } else { "closed the connection" };
        let did = format!(
            "uploaded \"before.txt\" (OK), then announced {size} bytes for \"cut.bin\", sent {} KiB, then {how}",
            size / 4 / 1024
        );
        send(&mut conn, header("cut.bin", size).as_bytes(), ctx.timing.reply(), &did)?;
        conn.send_bulk(&body[..size / 4], ctx.timing.reply(), "sending a quarter of the file")
            .map_err(|end| Failure::new(&did, "the server to read it", end.describe()))?;
        std::thread::sleep(ctx.timing.ms(50));
        if reset {
            conn.reset();
        } else {
            drop(conn);
        }
        let wait = ctx.timing.ms(2000);
        if !dir_holds_only(&uploads.inbox, "before.txt", wait) {
            return Err(Failure::new(
                did,
                format!("DIR to hold only \"before.txt\" again within {} ms: no partial file", wait.as_millis()),
                uploads.inbox.describe(),
            ));
        }
    }
    Ok(())
}

/// Polls until DIR holds `name` and nothing else, for at most `within`.
fn dir_holds_only(inbox: &Inbox, name: &str, within: Duration) -> bool {
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

fn ok_after_complete(ctx: &mut Ctx) -> Outcome {
    let mut uploads = start(ctx)?;
    let mut conn = uploads.conn(ctx)?;
    let body = pattern(100_000);
    let (most, last) = body.split_at(body.len() - 1);
    let quiet = ctx.timing.ms(300);
    let did = format!(
        "uploaded \"late.bin\": header and {} of {} bytes, then waited {} ms",
        most.len(),
        body.len(),
        quiet.as_millis()
    );
    send(&mut conn, header("late.bin", body.len()).as_bytes(), ctx.timing.reply(), &did)?;
    conn.send_bulk(most, ctx.timing.reply(), "sending all but the last byte")
        .map_err(|end| Failure::new(&did, "the server to read it", end.describe()))?;
    let early = conn.read_any(quiet);
    if !early.bytes.is_empty() {
        return Err(Failure::new(&did, "no reply yet: one byte is still missing", text::escape(&early.bytes))
            .hint("Send `OK` only after every announced byte has arrived and the file is in place."));
    }
    if uploads.inbox.entries().iter().any(|n| n == "late.bin") {
        return Err(Failure::new(
            did,
            "no \"late.bin\" in DIR yet: one byte is still missing",
            format!("{}: the unfinished upload is already under its final name", uploads.inbox.describe()),
        )
        .hint(
            "Write to a temporary file (`.late.bin.part`, say) and rename it to the final name only \
             when every byte has arrived: until then, no one may see a half-written file under that name.",
        ));
    }
    let did = format!("sent the last byte of {}", body.len());
    send(&mut conn, last, ctx.timing.reply(), &did)?;
    expect_line(&mut conn, &format!("OK {}", body.len()), ctx.timing.reply(), &did)?;
    uploads.expect_saved("late.bin", &body, &format!("{did}, read `OK`, then looked in DIR at once"))
}

fn replaces_existing(ctx: &mut Ctx) -> Outcome {
    let mut uploads = start(ctx)?;
    let old = b"the old contents, longer than the new ones, which must all be gone\n";
    std::fs::write(uploads.inbox.dir.join("report.txt"), old).map_err(|e| checker_trouble("write a file", &e))?;
    uploads.upload(ctx, "report.txt", b"the new report\n")
}

/// A client run against the checker acting as server: the file sent and
/// the connection the client opened.
struct ClientRun {
    program: Program,
    conn: Conn,
    body: Vec<u8>,
    _scratch: tempfile::TempDir,
}

/// Writes a file in nested folders and starts `client ADDR PATH` towards a
/// listener of the checker's.
fn start_client(ctx: &mut Ctx) -> Result<ClientRun, Failure> {
    let scratch =
        crate::harness::process::scratch_dir("files").map_err(|e| checker_trouble("create a scratch folder", &e))?;
    ctx.grant_read(scratch.path());
    let folder = scratch.path().join("docs").join("2024");
    let path = folder.join("report.bin");
    let body = pattern(200 * 1024);
    std::fs::create_dir_all(&folder)
        .and_then(|()| std::fs::write(&path, &body))
        .map_err(|e| checker_trouble("write a file to send", &e))?;
    let (listener, addr) = net::listen_loopback().map_err(|e| checker_trouble("listen", &e))?;
    let mut program = ctx.spawn("client", &["client".into(), addr.to_string(), path.display().to_string()])?;
    let conn = ctx.accept(&listener, &mut program)?;
    Ok(ClientRun { program, conn, body, _scratch: scratch })
}

/// Reads the header and expects `report.bin` and the size.
fn read_header(run: &mut ClientRun, timing: Timing) -> Outcome {
    let did = "started the client with …/docs/2024/report.bin and read the header";
    expect_line(&mut run.conn, "report.bin", timing.reply(), did)?;
    expect_line(&mut run.conn, &run.body.len().to_string(), timing.reply(), did)
}

/// Waits for the client to exit and expects `line` on its stdout.
fn expect_exit(run: &mut ClientRun, timing: Timing, did: &str, line: &str, success: bool) -> Outcome {
    let Some(status) = run.program.wait_exit(timing.exit()) else {
        return Err(Failure::new(did, "the client to print the reply and exit", "it was still running"));
    };
    let (out, _) = run.program.stdout().snapshot();
    let out = String::from_utf8_lossy(&out);
    if !out.lines().any(|l| l.trim_end() == line) {
        return Err(Failure::new(did, format!("the line {line:?} on stdout"), format!("stdout {out:?}")));
    }
    if status.success() != success {
        let expected = if success { "exit status 0" } else { "a non-zero exit status" };
        return Err(Failure::new(did, expected, format!("the client {}", describe_status(status))));
    }
    Ok(())
}

fn client_sends_file(ctx: &mut Ctx) -> Outcome {
    let mut run = start_client(ctx)?;
    read_header(&mut run, ctx.timing)?;
    let did = format!("read the header, then {} bytes of file", run.body.len());
    let got = run.conn.read_exact(run.body.len(), ctx.timing.reply());
    if !got.complete() || got.bytes != run.body {
        let at = text::first_difference(&run.body, &got.bytes).unwrap_or(0);
        return Err(Failure::new(
            did,
            format!("the file's {} bytes", run.body.len()),
            format!("{} bytes, different from byte {at} on ({})", got.bytes.len(), got.end.describe()),
        ));
    }
    let extra = run.conn.read_any(ctx.timing.ms(100));
    if !extra.bytes.is_empty() {
        return Err(Failure::new(did, "nothing after the file's bytes", text::escape(&extra.bytes)));
    }
    Ok(())
}

/// Reads a header, whatever its name and size, for the checks that judge
/// what the client does with the reply; returns the announced size (the
/// file's, when the size line is not a number).
fn skip_header(run: &mut ClientRun, timing: Timing) -> usize {
    let _name = run.conn.read_line(timing.reply());
    let size = run.conn.read_line(timing.reply());
    String::from_utf8_lossy(&size.bytes).trim().parse().unwrap_or(run.body.len())
}

fn client_prints_ok(ctx: &mut Ctx) -> Outcome {
    let mut run = start_client(ctx)?;
    let reply = format!("OK {}", run.body.len());
    let size = skip_header(&mut run, ctx.timing);
    let _ = run.conn.read_exact(size, ctx.timing.reply());
    let did = format!("received the file, replied {reply:?} and closed");
    send(&mut run.conn, format!("{reply}\n").as_bytes(), ctx.timing.reply(), &did)?;
    run.conn.shutdown_write();
    expect_exit(&mut run, ctx.timing, &did, &reply, true)
}

fn client_reports_err(ctx: &mut Ctx) -> Outcome {
    let mut run = start_client(ctx)?;
    skip_header(&mut run, ctx.timing);
    let did = "read the header, replied \"ERR disk full\" at once and closed";
    send(&mut run.conn, b"ERR disk full\n", ctx.timing.reply(), did)?;
    run.conn.shutdown_write();
    // Read what the client still sends, so that closing is no reset.
    let _ = run.conn.read_to_close(LARGE, ctx.timing.reply());
    expect_exit(&mut run, ctx.timing, did, "ERR disk full", false)
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
        let inbox = Inbox::create().unwrap();
        std::fs::write(inbox.dir.join(".upload-1.part"), b"x").unwrap();
        assert_eq!(inbox.entries(), [".upload-1.part"]);
        assert!(inbox.describe().contains("(1 bytes)"));
    }
}
