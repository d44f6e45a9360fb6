//! The client under test, with the checker as its server.

use super::chat::{expect, send, PROMPT};
use crate::harness::{
    checker_trouble, describe_status, expect_error_exit, expect_stdout_so_far, net, text, Client, Ctx, End, Failure,
    Outcome, Program, Stdin,
};

/// Listens, starts the client as `client ADDR Ada` with stdin open, and
/// accepts its connection.
fn start(ctx: &mut Ctx) -> Result<Client, Failure> {
    ctx.start_client(|addr| vec!["client".into(), addr.into(), "Ada".into()], Stdin::Open)
}

/// Writes `line` to the client's stdin.
fn type_line(client: &mut Program, line: &str, did: &str) -> Outcome {
    client
        .write_stdin(line.as_bytes())
        .map_err(|e| Failure::new(did, "to write to the client's stdin", format!("{e}: the client closed its stdin")))
}

pub(crate) fn sends(ctx: &mut Ctx) -> Outcome {
    let Client { mut program, mut conn, addr, .. } = start(ctx)?;
    let did = format!("listened on {addr}, started the client as `client {addr} Ada`, sent \"name?\\n\"");
    send(ctx, &mut conn, b"name?\n", &did)?;
    expect(ctx, &mut conn, "Ada", &did)?;
    send(ctx, &mut conn, b"* present:\n", &did)?;
    let mut did = format!("{did}, read \"Ada\\n\", sent \"* present:\\n\"");
    for line in ["hello, room", "  two  spaces  ", "张伟 says hi"] {
        did = format!("{did}; wrote {} to the client's stdin", text::escape(format!("{line}\n").as_bytes()));
        type_line(&mut program, &format!("{line}\n"), &did)?;
        expect(ctx, &mut conn, line, &did)?;
    }
    Ok(())
}

pub(crate) fn prints(ctx: &mut Ctx) -> Outcome {
    let Client { program, mut conn, addr, .. } = start(ctx)?;
    let did = format!("listened on {addr}, started the client as Ada with its stdin kept open");
    send(ctx, &mut conn, format!("{PROMPT}\n").as_bytes(), &did)?;
    // What the client sends is the other check's business: it waits in
    // the socket, unread.
    let mut printed = format!("{PROMPT}\n");
    let mut did = format!("{did}; sent \"name?\\n\"");
    for line in ["* present: Bo Cy", "* Dee joined", "[Bo] hi Ada", "[Cy] 张伟 is here too", "* Bo left"] {
        did = format!("{did}; sent {}", text::escape(format!("{line}\n").as_bytes()));
        send(ctx, &mut conn, format!("{line}\n").as_bytes(), &did)?;
        printed.push_str(line);
        printed.push('\n');
        expect_stdout_so_far(ctx, &program, printed.as_bytes(), &did)?;
    }
    Ok(())
}

pub(crate) fn stdin_ends(ctx: &mut Ctx) -> Outcome {
    let Client { mut program, mut conn, addr, .. } = start(ctx)?;
    let did = format!("listened on {addr}, started the client as Ada, sent \"name?\\n\"");
    send(ctx, &mut conn, format!("{PROMPT}\n").as_bytes(), &did)?;
    let did = format!("{did}; wrote \"bye\\n\" to its stdin, then closed its stdin");
    type_line(&mut program, "bye\n", &did)?;
    program.close_stdin();
    // What the client sent (its name, `bye`) is read here, not judged:
    // the end of stream after it is what counts.
    let after = conn.read_to_close(64 * 1024, ctx.timing.reply());
    if !matches!(after.end, End::ClosedAsAsked | End::Reset) {
        return Err(Failure::new(&did, "the client to close its side of the connection", after.describe())
            .hint(
                "At the end of stdin, shut down the connection's sending side \
                 (`stream.shutdown(Shutdown::Write)`): the server reads end of stream, and the user leaves.",
            )
            .ended(after.end));
    }
    conn.note("closed by the checker, as the server does when a user leaves");
    drop(conn);
    let did = format!("{did}; the client closed its side, and the checker closed the connection");
    match program.wait_exit(ctx.timing.exit()) {
        Some(status) if status.success() => Ok(()),
        Some(status) => Err(Failure::new(did, "exit status 0", describe_status(status))),
        None => Err(Failure::new(did, "the client to exit", "it was still running")),
    }
}

pub(crate) fn refused(ctx: &mut Ctx) -> Outcome {
    let port = net::free_tcp_port().map_err(|e| checker_trouble("find a free port", &e))?;
    let addr = format!("127.0.0.1:{port}");
    let mut client = ctx.spawn_with_stdin("client", &["client".into(), addr.clone(), "Ada".into()])?;
    let _ = client.write_stdin(b"hello\n");
    client.close_stdin();
    expect_error_exit(ctx, &mut client, &format!("started the client towards {addr}, where nothing listens"))
}
