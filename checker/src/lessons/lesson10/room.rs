//! The room's rules: the prompt, names, joins and leaves, and how each line
//! a user sends reaches the others.

use super::chat::{expect, expect_dropped, open, send, User, PROMPT};
use crate::harness::{text, Ctx, Failure, Outcome};

pub(crate) fn name_prompt(ctx: &mut Ctx) -> Outcome {
    let mut room = open(ctx)?;
    for nth in ["a first", "a second"] {
        let did = format!("connected {nth} client to {} and sent nothing", room.addr);
        let mut conn = room.connect(ctx)?;
        expect(ctx, &mut conn, PROMPT, &did).map_err(|f| room.blame(f))?;
    }
    Ok(())
}

pub(crate) fn bad_name(ctx: &mut Ctx) -> Outcome {
    let mut room = open(ctx)?;
    let mut watcher = room.join(ctx, "Watcher", &mut [])?;
    let bad = ["", "abcdefghijklmnopq", "two words", "Zoë", "hi!", "../etc"];
    for name in bad {
        let sent = format!("{name}\n");
        let did = format!("Watcher was in the room; a new connection sent the name {}", text::escape(sent.as_bytes()));
        let mut conn = room.prompted(ctx, &did)?;
        send(ctx, &mut conn, sent.as_bytes(), &did)?;
        expect(ctx, &mut conn, "error: bad name", &did).map_err(|f| room.blame(f))?;
        expect_dropped(ctx, &mut conn, &format!("{did}, and read `error: bad name`"), "the connection closed")?;
    }
    // The longest name, with every kind of character: the rule is not
    // stricter than it says. Watcher hears of it, and of no bad name.
    let good = "Zz_09-abcdefghij";
    let did = format!(
        "Watcher was in the room; new connections sent the bad names {}, each refused; then one sent \"{good}\"",
        bad.map(|n| text::escape(n.as_bytes())).join(", ")
    );
    let mut conn = room.prompted(ctx, &did)?;
    send(ctx, &mut conn, format!("{good}\n").as_bytes(), &did)?;
    expect(ctx, &mut conn, "* present: Watcher", &did).map_err(|f| room.blame(f))?;
    expect(ctx, &mut watcher.conn, &format!("* {good} joined"), &format!("{did}; then read what Watcher got"))
}

pub(crate) fn name_taken(ctx: &mut Ctx) -> Outcome {
    let mut room = open(ctx)?;
    let mut ann = room.join(ctx, "Ann", &mut [])?;
    let mut bo = room.join(ctx, "Bo", &mut [&mut ann])?;
    let did = "Ann and Bo were in the room; a new connection sent the name \"Ann\\n\"";
    let mut conn = room.prompted(ctx, did)?;
    send(ctx, &mut conn, b"Ann\n", did)?;
    expect(ctx, &mut conn, "error: name taken", did).map_err(|f| room.blame(f))?;
    expect_dropped(ctx, &mut conn, &format!("{did}, and read `error: name taken`"), "the connection closed")?;
    ann.conn.note("closed by the checker: Ann leaves");
    drop(ann);
    // Bo hears that Ann left: then the server is done with her. What Bo
    // hears is the business of the check on leaving, not this one.
    let _ = bo.conn.read_line(ctx.timing.reply());
    let did = "Ann and Bo were in the room and a second Ann was refused; then Ann closed her connection, \
               and a new connection sent the name \"Ann\\n\"";
    let mut again = room.prompted(ctx, did)?;
    send(ctx, &mut again, b"Ann\n", did)?;
    let got = again.read_line(ctx.timing.reply());
    if got.complete() && !got.bytes.starts_with(b"error") {
        return Ok(());
    }
    let failure = Failure::new(did, "the name to be taken: `* present: Bo`", got.describe()).ended(got.end);
    Err(room.blame(if got.bytes.starts_with(b"error: name taken") {
        failure.hint(
            "A name belongs to a user only while it is connected: when a user leaves, remove its name \
             with it, so the name is free for the next one.",
        )
    } else {
        failure
    }))
}

pub(crate) fn present_joined(ctx: &mut Ctx) -> Outcome {
    let mut room = open(ctx)?;
    // Neither alphabetical nor any hash order: only the order they joined.
    let mut zed = room.join_expecting(ctx, "Zed", &[], &mut [])?;
    let mut amy = room.join_expecting(ctx, "Amy", &["Zed"], &mut [&mut zed])?;
    let mut moe = room.join_expecting(ctx, "Moe", &["Zed", "Amy"], &mut [&mut zed, &mut amy])?;
    room.join_expecting(ctx, "Bea", &["Zed", "Amy", "Moe"], &mut [&mut zed, &mut amy, &mut moe]).map(drop)
}

pub(crate) fn left(ctx: &mut Ctx) -> Outcome {
    let mut room = open(ctx)?;
    let mut ann = room.join(ctx, "Ann", &mut [])?;
    let mut bo = room.join(ctx, "Bo", &mut [&mut ann])?;
    let mut cy = room.join(ctx, "Cy", &mut [&mut ann, &mut bo])?;
    // Two connections that never name themselves: one closes at once, one
    // after half a name. Neither is a user: nobody hears of them.
    let quiet = room.prompted(ctx, "Ann, Bo and Cy were in the room")?;
    quiet.note("closed by the checker before sending a name");
    drop(quiet);
    let mut half = room.prompted(ctx, "Ann, Bo and Cy were in the room")?;
    send(ctx, &mut half, b"Dee", "a connection sent \"Dee\" without a line end")?;
    half.note("closed by the checker before the name's line end");
    drop(half);
    room.settle(ctx, "Ann, Bo and Cy were in the room; two connections closed without a name")?;
    ann.conn.note("closed by the checker: Ann leaves");
    drop(ann);
    let did = "Ann, Bo and Cy were in the room; two connections closed without naming themselves (one \
               after sending \"Dee\" and no line end); then Ann closed her connection";
    for user in [&mut bo, &mut cy] {
        expect(ctx, &mut user.conn, "* Ann left", &format!("{did}; {} read", user.name)).map_err(|f| room.blame(f))?;
    }
    let did = format!("{did}; then Bo sent \"still here\\n\"");
    send(ctx, &mut bo.conn, b"still here\n", &did)?;
    expect(ctx, &mut cy.conn, "[Bo] still here", &format!("{did}; Cy read")).map_err(|f| room.blame(f))
}

/// Reads `expected` on `user`'s connection, and says so when what came was
/// the user's own line sent back.
fn expect_from_others(ctx: &Ctx, user: &mut User, expected: &str, did: &str) -> Outcome {
    expect(ctx, &mut user.conn, expected, &format!("{did}; {} read", user.name)).map_err(|failure| {
        let own = format!("[{}] ", user.name);
        let echoed = failure.diff.as_ref().is_some_and(|(_, got)| got.starts_with(own.as_bytes()));
        if echoed {
            failure.meaning(format!(
                "{} got its own line back. A line goes to every user except the one who sent it.",
                user.name
            ))
        } else {
            failure
        }
    })
}

pub(crate) fn relay(ctx: &mut Ctx) -> Outcome {
    let mut room = open(ctx)?;
    let mut ann = room.join(ctx, "Ann", &mut [])?;
    let mut bo = room.join(ctx, "Bo", &mut [&mut ann])?;
    let mut cy = room.join(ctx, "Cy", &mut [&mut ann, &mut bo])?;
    let did = "Ann, Bo and Cy were in the room; Ann sent \"hello from Ann\\n\"";
    send(ctx, &mut ann.conn, b"hello from Ann\n", did)?;
    expect_from_others(ctx, &mut bo, "[Ann] hello from Ann", did)?;
    let did = format!("{did}, then Bo sent \"hi Ann\\n\"");
    send(ctx, &mut bo.conn, b"hi Ann\n", &did)?;
    expect_from_others(ctx, &mut ann, "[Bo] hi Ann", &did)?;
    // Cy reads both only now: in the order the server read them.
    expect_from_others(ctx, &mut cy, "[Ann] hello from Ann", &did)?;
    expect_from_others(ctx, &mut cy, "[Bo] hi Ann", &format!("{did}; Cy read Ann's line"))?;
    let did = format!("{did}; then Cy sent \"hi all\\n\"");
    send(ctx, &mut cy.conn, b"hi all\n", &did)?;
    expect_from_others(ctx, &mut ann, "[Cy] hi all", &did)?;
    expect_from_others(ctx, &mut bo, "[Cy] hi all", &did).map_err(|f| room.blame(f))
}

pub(crate) fn cr_and_empty(ctx: &mut Ctx) -> Outcome {
    let mut room = open(ctx)?;
    let mut ann = room.join(ctx, "Ann", &mut [])?;
    let mut bo = room.join(ctx, "Bo", &mut [&mut ann])?;
    let did = "Ann and Bo were in the room; Ann sent \"telnet\\r\\n\"";
    send(ctx, &mut ann.conn, b"telnet\r\n", did)?;
    expect(ctx, &mut bo.conn, "[Ann] telnet", &format!("{did}; Bo read")).map_err(|f| room.blame(f))?;
    // Each empty line on its own, read apart from the next.
    for empty in [&b"\n"[..], b"\r\n"] {
        let did = format!("Ann sent {}", text::escape(empty));
        send(ctx, &mut ann.conn, empty, &did)?;
        room.wait_read(ctx, &did)?;
    }
    let did = "Ann and Bo were in the room; Ann sent \"telnet\\r\\n\", then the empty lines \"\\n\" and \
               \"\\r\\n\", then \"after\\n\"; Bo read \"[Ann] telnet\\n\", then";
    send(ctx, &mut ann.conn, b"after\n", did)?;
    expect(ctx, &mut bo.conn, "[Ann] after", did).map_err(|f| room.blame(f))
}

pub(crate) fn split_line(ctx: &mut Ctx) -> Outcome {
    let mut room = open(ctx)?;
    let mut ann = room.join(ctx, "Ann", &mut [])?;
    let mut bo = room.join(ctx, "Bo", &mut [&mut ann])?;
    let did = "Ann and Bo were in the room; Ann sent \"Spl\", and once the server had read it, \"it\\n\"";
    send(ctx, &mut ann.conn, b"Spl", did)?;
    room.wait_read(ctx, did)?;
    send(ctx, &mut ann.conn, b"it\n", did)?;
    expect(ctx, &mut bo.conn, "[Ann] Split", &format!("{did}; Bo read")).map_err(|f| room.blame(f))
}

pub(crate) fn two_lines(ctx: &mut Ctx) -> Outcome {
    let mut room = open(ctx)?;
    let mut ann = room.join(ctx, "Ann", &mut [])?;
    let mut bo = room.join(ctx, "Bo", &mut [&mut ann])?;
    let did = "Ann and Bo were in the room; Ann sent \"one\\ntwo\\n\" in one write; Bo read";
    send(ctx, &mut ann.conn, b"one\ntwo\n", did)?;
    expect(ctx, &mut bo.conn, "[Ann] one", did).map_err(|f| room.blame(f))?;
    expect(ctx, &mut bo.conn, "[Ann] two", &format!("{did} \"[Ann] one\\n\", then")).map_err(|f| room.blame(f))?;
    // A name and the first line in one write: the rest of a read is kept
    // from the naming to the chat.
    let did = "Ann and Bo were in the room; a new connection sent \"Cy\\nhello\\n\" in one write";
    let mut cy = room.prompted(ctx, did)?;
    send(ctx, &mut cy, b"Cy\nhello\n", did)?;
    for (line, then) in [("* Cy joined", ""), ("[Cy] hello", " \"* Cy joined\\n\", then")] {
        expect(ctx, &mut bo.conn, line, &format!("{did}; Bo read{then}")).map_err(|f| room.blame(f))?;
    }
    Ok(())
}

pub(crate) fn long_line(ctx: &mut Ctx) -> Outcome {
    let mut room = open(ctx)?;
    let mut ann = room.join(ctx, "Ann", &mut [])?;
    let mut bo = room.join(ctx, "Bo", &mut [&mut ann])?;
    let longest = "x".repeat(1000);
    let did = "Ann and Bo were in the room; Ann sent a line of 1,000 bytes, the longest allowed";
    send(ctx, &mut ann.conn, format!("{longest}\n").as_bytes(), did)?;
    expect(ctx, &mut bo.conn, &format!("[Ann] {longest}"), &format!("{did}; Bo read")).map_err(|f| room.blame(f))?;
    let did = "Ann and Bo were in the room; Ann sent a line of 1,000 bytes, relayed; then a line of 1,001 bytes";
    send(ctx, &mut ann.conn, format!("{}\n", "y".repeat(1001)).as_bytes(), did)?;
    expect_dropped(ctx, &mut ann.conn, did, "Ann's connection closed by the server").map_err(|f| room.blame(f))?;
    expect(ctx, &mut bo.conn, "* Ann left", &format!("{did}; Bo read")).map_err(|f| room.blame(f))
}

pub(crate) fn reset(ctx: &mut Ctx) -> Outcome {
    let mut room = open(ctx)?;
    let mut ann = room.join(ctx, "Ann", &mut [])?;
    let mut bo = room.join(ctx, "Bo", &mut [&mut ann])?;
    let mut cy = room.join(ctx, "Cy", &mut [&mut ann, &mut bo])?;
    ann.conn.reset();
    let did = "Ann, Bo and Cy were in the room; Ann's connection was reset (SO_LINGER 0, then close)";
    for user in [&mut bo, &mut cy] {
        expect(ctx, &mut user.conn, "* Ann left", &format!("{did}; {} read", user.name)).map_err(|f| room.blame(f))?;
    }
    let did = format!("{did}; then Bo sent \"still here\\n\"");
    send(ctx, &mut bo.conn, b"still here\n", &did)?;
    expect(ctx, &mut cy.conn, "[Bo] still here", &format!("{did}; Cy read")).map_err(|f| room.blame(f))
}
