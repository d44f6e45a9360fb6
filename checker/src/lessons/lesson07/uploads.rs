//! Lesson 7's upload checks: text, binary, empty, large and Unicode-named
//! files arrive byte for byte, whatever the writes look like, four at once,
//! with `OK` only once the file is complete and in place.

use super::inbox::{describe, every_byte, header, pattern, start, LARGE, MEMORY_LIMIT};
use crate::harness::{checker_trouble, expect_line, send_or_fail, text, Ctx, Failure, Outcome};
use std::time::Duration;

pub(super) fn text_and_binary(ctx: &mut Ctx) -> Outcome {
    let mut uploads = start(ctx)?;
    uploads.upload(ctx, "notes.txt", b"first line\nsecond line\r\nno newline at the end")?;
    uploads.upload(ctx, "bytes.bin", &every_byte())
}

pub(super) fn empty_file(ctx: &mut Ctx) -> Outcome {
    start(ctx)?.upload(ctx, "empty.txt", b"")
}

pub(super) fn large_file(ctx: &mut Ctx) -> Outcome {
    let mut uploads = start(ctx)?;
    let body = pattern(LARGE);
    let mut conn = uploads.conn(ctx)?;
    let did = format!("uploaded \"big.bin\" ({} MiB) in 1 MiB writes", LARGE >> 20);
    send_or_fail(&mut conn, header("big.bin", LARGE).as_bytes(), ctx.timing.reply(), &did)?;
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

pub(super) fn unicode_name(ctx: &mut Ctx) -> Outcome {
    start(ctx)?.upload(ctx, "my notes – café 日本.txt", "ünïcödé contents\n".as_bytes())
}

pub(super) fn header_byte_by_byte(ctx: &mut Ctx) -> Outcome {
    let mut uploads = start(ctx)?;
    let mut conn = uploads.conn(ctx)?;
    let body = b"the body, after a header sent one byte at a time\n";
    let head = header("slow.txt", body.len());
    let did =
        format!("sent the header {} one byte per write, 2 ms apart, then the body", text::escape(head.as_bytes()));
    for byte in head.as_bytes() {
        send_or_fail(&mut conn, &[*byte], ctx.timing.reply(), &did)?;
        std::thread::sleep(Duration::from_millis(2));
    }
    send_or_fail(&mut conn, body, ctx.timing.reply(), &did)?;
    expect_line(&mut conn, &format!("OK {}", body.len()), ctx.timing.reply(), &did)?;
    uploads.expect_saved_within("slow.txt", body, &did, ctx.timing.ms(1000))
}

pub(super) fn header_and_data_together(ctx: &mut Ctx) -> Outcome {
    let mut uploads = start(ctx)?;
    let mut conn = uploads.conn(ctx)?;
    let body = b"the body, in the same write as the header\n";
    let did = "sent the header and the whole body in one write";
    send_or_fail(
        &mut conn,
        [header("together.txt", body.len()).as_bytes(), body].concat().as_slice(),
        ctx.timing.reply(),
        did,
    )?;
    expect_line(&mut conn, &format!("OK {}", body.len()), ctx.timing.reply(), did)?;
    uploads.expect_saved_within("together.txt", body, did, ctx.timing.ms(1000))
}

pub(super) fn four_at_once(ctx: &mut Ctx) -> Outcome {
    let mut uploads = start(ctx)?;
    let size = 256 * 1024;
    let bodies: Vec<Vec<u8>> = (0..4u8).map(|i| pattern(size).into_iter().map(|b| b ^ i).collect()).collect();
    let names: Vec<String> = (1..=4).map(|i| format!("upload-{i}.bin")).collect();
    let mut conns = Vec::new();
    let within = ctx.timing.reply();
    for (name, body) in names.iter().zip(&bodies) {
        let mut conn = uploads.conn(ctx)?;
        let did = format!("opened 4 connections; sent the header and the first half of {name}");
        send_or_fail(&mut conn, header(name, size).as_bytes(), within, &did)?;
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
        expect_line(&mut conns[i], &format!("OK {size}"), ctx.timing.ms(3000), &did).map_err(|f| {
            if i == 0 {
                return f;
            }
            f.meaning(
                "This upload was complete but got no answer while an earlier one was unfinished: the \
                 server handles one connection at a time.",
            )
        })?;
        uploads.expect_saved_within(&names[i], &bodies[i], &did, ctx.timing.ms(1000))?;
    }
    Ok(())
}

pub(super) fn ok_after_complete(ctx: &mut Ctx) -> Outcome {
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
    send_or_fail(&mut conn, header("late.bin", body.len()).as_bytes(), ctx.timing.reply(), &did)?;
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
            format!("{}: the unfinished upload is already under its final name", describe(&uploads.inbox)),
        )
        .hint(
            "Write to a temporary file (`.late.bin.part`, say) and rename it to the final name only \
             when every byte has arrived: until then, no one may see a half-written file under that name.",
        ));
    }
    let did = format!("sent the last byte of {}", body.len());
    send_or_fail(&mut conn, last, ctx.timing.reply(), &did)?;
    expect_line(&mut conn, &format!("OK {}", body.len()), ctx.timing.reply(), &did)?;
    uploads.expect_saved("late.bin", &body, &format!("{did}, read `OK`, then looked in DIR at once"))
}

pub(super) fn replaces_existing(ctx: &mut Ctx) -> Outcome {
    let mut uploads = start(ctx)?;
    let old = b"the old contents, longer than the new ones, which must all be gone\n";
    std::fs::write(uploads.inbox.dir().join("report.txt"), old).map_err(|e| checker_trouble("write a file", &e))?;
    uploads.upload(ctx, "report.txt", b"the new report\n")
}
