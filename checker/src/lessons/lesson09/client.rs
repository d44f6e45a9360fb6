//! Lesson 9's client checks: the client turns stdin's commands into frames
//! to a listener the check holds, prints each answer, and reports a refused
//! connection or a server that closes.

use super::frames::{expect_frame, frame, read_frame, request, send, show_frames};
use crate::harness::{
    checker_trouble, expect_error_exit, expect_exit, expect_stdout, expect_stdout_so_far, net, text, Client, Conn, Ctx,
    Failure, Outcome, Program, Stdin,
};
use std::time::Duration;

/// A client under test, connected to the checker's listener, with its stdin open.
fn start_client(ctx: &mut Ctx) -> Result<Client, Failure> {
    ctx.start_client(|addr| vec!["client".into(), addr.into()], Stdin::Open)
}

fn to_stdin(client: &mut Program, line: &str, did: &str) -> Outcome {
    client
        .write_stdin(line.as_bytes())
        .map_err(|e| Failure::new(did, "to write to the client's stdin", format!("{e}: the client closed its stdin")))
}

/// Reads one request frame from the client and compares its body.
fn expect_request(ctx: &Ctx, conn: &mut Conn, body: &[u8], did: &str) -> Outcome {
    expect_frame(ctx, conn, body, did)
}

pub(super) fn client_frames(ctx: &mut Ctx) -> Outcome {
    let Client { program: mut client, mut conn, .. } = start_client(ctx)?;
    let lines = [
        ("set name  Ada  Lovelace \n", request(b'S', b"name", b" Ada  Lovelace ")),
        ("get name\n", request(b'G', b"name", b"")),
        ("del name\n", request(b'D', b"name", b"")),
        ("set 张 伟\n", request(b'S', "张".as_bytes(), "伟".as_bytes())),
    ];
    for (line, body) in &lines {
        let did = format!("wrote {} to the client's stdin", text::escape(line.as_bytes()));
        to_stdin(&mut client, line, &did)?;
        expect_request(ctx, &mut conn, body, &did)?;
        send(ctx, &mut conn, &frame(b"O"), &did)?;
    }
    Ok(())
}

pub(super) fn client_prints_each(ctx: &mut Ctx) -> Outcome {
    let Client { program: mut client, mut conn, .. } = start_client(ctx)?;
    let steps: [(&str, &[u8], &str); 5] = [
        ("set a 1 2\n", b"O", "OK\n"),
        ("get a\n", b"O1 2", "VALUE 1 2\n"),
        ("get b\n", b"N", "NOT FOUND\n"),
        ("del a\n", b"O", "OK\n"),
        ("get c\n", b"Eno room", "ERROR no room\n"),
    ];
    let mut printed = String::new();
    let mut did = String::from("kept the client's stdin open");
    for (line, answer, shown) in steps {
        did = format!("{did}; wrote {} and answered {}", text::escape(line.as_bytes()), show_frames(&frame(answer)));
        to_stdin(&mut client, line, &did)?;
        let _ = read_frame(ctx, &mut conn);
        send(ctx, &mut conn, &frame(answer), &did)?;
        printed.push_str(shown);
        expect_stdout_so_far(ctx, &client, printed.as_bytes(), &did)?;
    }
    client.close_stdin();
    let did = format!("{did}; closed stdin");
    expect_exit(ctx, &mut client, &did, "the client to exit at the end of stdin")
}

pub(super) fn client_pieces(ctx: &mut Ctx) -> Outcome {
    let Client { program: mut client, mut conn, .. } = start_client(ctx)?;
    let big: Vec<u8> = (0..200_000).map(|i| b'a' + (i % 26) as u8).collect();
    to_stdin(&mut client, "get one\nget two\nset three 3\n", "wrote three commands to the client's stdin")?;
    client.close_stdin();
    let _ = read_frame(ctx, &mut conn);
    // The three answers as one stream, cut inside frames and across them:
    // bytes that arrived early wait in the socket for the client's next
    // read, whether it sent its next request yet or not.
    let first = frame(b"Ofirst");
    let stream = [first.clone(), frame(&[b"O", &big[..]].concat()), frame(b"O")].concat();
    let cuts = [0, 1, 4, first.len() + 2, first.len() + 100_000, stream.len()];
    let did = "wrote \"get one\", \"get two\", \"set three 3\" to the client's stdin and closed it; read \
               the first request; sent the three answers (\"first\", a 200,000-byte value, `O`) in 5 \
               writes 20 ms apart: 1 byte, 3 bytes, the rest of the first answer with 2 bytes of the \
               second's length, 100,000 bytes, and the end of the second answer joined with the third";
    for piece in cuts.windows(2) {
        send(ctx, &mut conn, &stream[piece[0]..piece[1]], did).map_err(|f| {
            f.meaning(
                "Your client closed the connection in the middle of the answers: it took a piece that \
                 arrived for a whole answer.",
            )
        })?;
        std::thread::sleep(Duration::from_millis(20));
    }
    let expected = format!("VALUE first\nVALUE {}\nOK\n", String::from_utf8_lossy(&big));
    expect_stdout(ctx, &mut client, expected.as_bytes(), did).map(drop)
}

pub(super) fn client_refused(ctx: &mut Ctx) -> Outcome {
    let port = net::free_tcp_port().map_err(|e| checker_trouble("find a free port", &e))?;
    let addr = format!("127.0.0.1:{port}");
    let mut client = ctx.spawn_with_stdin("client", &["client".into(), addr.clone()])?;
    let _ = client.write_stdin(b"get k\n");
    client.close_stdin();
    expect_error_exit(ctx, &mut client, &format!("started the client towards {addr}, where nothing listens"))
}

pub(super) fn client_server_closes(ctx: &mut Ctx) -> Outcome {
    let Client { program: mut client, mut conn, addr, .. } = start_client(ctx)?;
    let _ = client.write_stdin(b"get k\n");
    client.close_stdin();
    let _ = conn.read_any(ctx.timing.reply());
    conn.note("closed by the checker before answering");
    drop(conn);
    expect_error_exit(
        ctx,
        &mut client,
        &format!("listened on {addr}, wrote \"get k\\n\" to the client, closed the connection as the request arrived"),
    )
}
