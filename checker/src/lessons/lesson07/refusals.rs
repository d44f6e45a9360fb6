//! Lesson 7's refusal checks: names that are paths, bad names and bad
//! sizes get `ERR` and write nothing; a cut upload leaves no partial file.

use super::inbox::{describe, dir_holds_only, header, pattern, start};
use crate::harness::{send_or_fail, Conn, Ctx, Failure, Outcome};
use std::time::Duration;

/// Expects a reply line that starts with `ERR`.
fn expect_err(conn: &mut Conn, within: Duration, did: &str) -> Outcome {
    let got = conn.read_line(within);
    if got.complete() && got.bytes.starts_with(b"ERR") {
        return Ok(());
    }
    Err(Failure::new(did, "a reply line `ERR <reason>`", got.describe()).meaning_of(&got.end))
}

pub(super) fn path_names_refused(ctx: &mut Ctx) -> Outcome {
    let mut uploads = start(ctx)?;
    let beside = uploads.inbox.scratch().join("escaped.txt");
    let absolute = uploads.inbox.scratch().join("absolute.txt");
    let names = ["../escaped.txt".to_string(), absolute.display().to_string(), "a/b".to_string()];
    for name in &names {
        let mut conn = uploads.conn(ctx)?;
        let did = format!("uploaded 5 bytes under the name {name:?}");
        send_or_fail(&mut conn, format!("{name}\n5\nhello").as_bytes(), ctx.timing.reply(), &did)?;
        let refused = expect_err(&mut conn, ctx.timing.reply(), &did);
        // Written files show even when the reply is right: look first.
        uploads.expect_nothing_written(&did, &[beside.clone(), absolute.clone()])?;
        refused?;
    }
    Ok(())
}

pub(super) fn bad_names_refused_at_once(ctx: &mut Ctx) -> Outcome {
    let mut uploads = start(ctx)?;
    let long = "n".repeat(300);
    for name in ["..", ".", "", long.as_str()] {
        let mut conn = uploads.conn(ctx)?;
        let shown = if name.len() > 20 { format!("a name of {} bytes", name.len()) } else { format!("{name:?}") };
        let did = format!("sent only the name line, {shown}, and waited");
        send_or_fail(&mut conn, format!("{name}\n").as_bytes(), ctx.timing.reply(), &did)?;
        expect_err(&mut conn, ctx.timing.reply(), &did)?;
        uploads.expect_nothing_written(&did, &[])?;
    }
    Ok(())
}

pub(super) fn bad_sizes_refused(ctx: &mut Ctx) -> Outcome {
    let mut uploads = start(ctx)?;
    for size in ["12k", "+5", "-1", ""] {
        let mut conn = uploads.conn(ctx)?;
        let did = format!("sent the name line \"sized.txt\" and the size line {size:?}, then waited");
        send_or_fail(&mut conn, format!("sized.txt\n{size}\n").as_bytes(), ctx.timing.reply(), &did)?;
        expect_err(&mut conn, ctx.timing.reply(), &did)?;
        uploads.expect_nothing_written(&did, &[])?;
    }
    Ok(())
}

pub(super) fn cut_leaves_nothing(ctx: &mut Ctx) -> Outcome {
    let mut uploads = start(ctx)?;
    // A server that never accepts, reads or answers also leaves DIR empty:
    // first see it receive a whole file, or the cut cannot be judged.
    let before = b"a whole file, uploaded before the cut\n";
    uploads.upload(ctx, "before.txt", before).map_err(|failure| {
        failure.meaning(
            "This check could not be judged. It first uploads one whole file, to see your server \
             take an upload at all (a server that never accepts, reads or answers leaves DIR empty \
             too); that upload failed. Make the upload checks above pass first.",
        )
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
        send_or_fail(&mut conn, header("cut.bin", size).as_bytes(), ctx.timing.reply(), &did)?;
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
                describe(&uploads.inbox),
            ));
        }
    }
    Ok(())
}
