//! Lesson 7's client checks: the client sends the header and the file's
//! bytes to a listener the check holds, then prints the reply and exits
//! with a status that matches it.

use super::inbox::{pattern, LARGE};
use crate::harness::Timing;
use crate::harness::{
    checker_trouble, describe_status, expect_line, expect_printed_line, send_or_fail, text, Conn, Ctx, Failure,
    Outcome, Program, ScratchFolder, Stdin,
};
use std::time::Duration;

/// A client run against the checker acting as server: the file sent and
/// the connection the client opened.
struct ClientRun {
    program: Program,
    conn: Conn,
    body: Vec<u8>,
    _folder: ScratchFolder,
}

/// Writes a file in nested folders and starts `client ADDR PATH` towards a
/// listener of the checker's.
fn start_client(ctx: &mut Ctx) -> Result<ClientRun, Failure> {
    let folder = ScratchFolder::create("files", "docs").map_err(|e| checker_trouble("create a scratch folder", &e))?;
    ctx.grant_read(folder.scratch());
    let body = pattern(200 * 1024);
    folder.write(&[("2024/report.bin", &body)]).map_err(|e| checker_trouble("write a file to send", &e))?;
    let path = folder.dir().join("2024").join("report.bin").display().to_string();
    let client = ctx.start_client(|addr| vec!["client".into(), addr.into(), path], Stdin::Closed)?;
    Ok(ClientRun { program: client.program, conn: client.conn, body, _folder: folder })
}

/// Reads the header and expects `report.bin` and the size.
fn read_header(run: &mut ClientRun, timing: Timing) -> Outcome {
    let did = "started the client with …/docs/2024/report.bin and read the header";
    expect_line(&mut run.conn, "report.bin", timing.reply(), did)?;
    expect_line(&mut run.conn, &run.body.len().to_string(), timing.reply(), did)
}

/// Waits for the client to exit and expects `line` on its stdout, and an
/// exit status that matches the reply (0 for `OK`).
fn expect_exit(run: &mut ClientRun, timing: Timing, did: &str, line: &str, success: bool) -> Outcome {
    let Some(status) = run.program.wait_exit(timing.exit()) else {
        return Err(Failure::new(did, "the client to print the reply and exit", "it was still running"));
    };
    expect_printed_line(&run.program, line, Duration::ZERO, did)?;
    if status.success() != success {
        let expected = if success { "exit status 0" } else { "a non-zero exit status" };
        return Err(Failure::new(did, expected, format!("the client {}", describe_status(status))));
    }
    Ok(())
}

pub(super) fn client_sends_file(ctx: &mut Ctx) -> Outcome {
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

pub(super) fn client_prints_ok(ctx: &mut Ctx) -> Outcome {
    let mut run = start_client(ctx)?;
    let reply = format!("OK {}", run.body.len());
    let size = skip_header(&mut run, ctx.timing);
    let _ = run.conn.read_exact(size, ctx.timing.reply());
    let did = format!("received the file, replied {reply:?} and closed");
    send_or_fail(&mut run.conn, format!("{reply}\n").as_bytes(), ctx.timing.reply(), &did)?;
    run.conn.shutdown_write();
    expect_exit(&mut run, ctx.timing, &did, &reply, true)
}

pub(super) fn client_reports_err(ctx: &mut Ctx) -> Outcome {
    let mut run = start_client(ctx)?;
    skip_header(&mut run, ctx.timing);
    let did = "read the header, replied \"ERR disk full\" at once and closed";
    send_or_fail(&mut run.conn, b"ERR disk full\n", ctx.timing.reply(), did)?;
    run.conn.shutdown_write();
    // Read what the client still sends, so that closing is no reset.
    let _ = run.conn.read_to_close(LARGE, ctx.timing.reply());
    expect_exit(&mut run, ctx.timing, did, "ERR disk full", false)
}
