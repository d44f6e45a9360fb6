//! The room's rules: the prompt, names, joins and leaves, and how each line
//! a user sends reaches the others.

use super::chat::{any_line, expect, expect_closed, open, send, User, PROMPT};
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
        expect_closed(ctx, &mut conn, &format!("{did}, and read `error: bad name`"), "the connection closed")?;
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
    let ann = room.join(ctx, "Ann", &mut [])?;
    let mut bo = room.join(ctx, "Bo", &mut [&mut User { ..ann }])?;
    let _ = &mut bo;
    Ok(())
}

pub(crate) fn present_joined(ctx: &mut Ctx) -> Outcome {
    let _ = ctx;
    Ok(())
}

pub(crate) fn left(ctx: &mut Ctx) -> Outcome {
    let _ = ctx;
    Ok(())
}

pub(crate) fn relay(ctx: &mut Ctx) -> Outcome {
    let _ = ctx;
    Ok(())
}

pub(crate) fn cr_and_empty(ctx: &mut Ctx) -> Outcome {
    let _ = ctx;
    Ok(())
}

pub(crate) fn split_line(ctx: &mut Ctx) -> Outcome {
    let _ = ctx;
    Ok(())
}

pub(crate) fn two_lines(ctx: &mut Ctx) -> Outcome {
    let _ = ctx;
    Ok(())
}

pub(crate) fn long_line(ctx: &mut Ctx) -> Outcome {
    let _ = ctx;
    Ok(())
}

pub(crate) fn reset(ctx: &mut Ctx) -> Outcome {
    let _ = (ctx, Failure::new("", "", ""), any_line);
    Ok(())
}
