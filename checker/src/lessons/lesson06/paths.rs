//! Lesson 6's path-safety checks: no answer carries the secret beside
//! ROOT, whether the path climbs with `..`, encodes it, is absolute, or
//! follows a symbolic link.

use super::site::{carries_secret, secret, start, Http};
use crate::harness::http::{self, get, Framing};
use crate::harness::{Ctx, Failure, Outcome};

/// No answer to `target` may carry the secret. Any refusal (4xx), any
/// redirect, and any file from inside ROOT (a server may cut the path at
/// `%00`) pass; a body without `Content-Length` is read to the close, and
/// a body cut short is judged as it came: framing is another check's.
fn never_outside(ctx: &mut Ctx, http: &mut Http, targets: &[String]) -> Outcome {
    serves_files(ctx, http)?;
    let within = ctx.timing.reply();
    for target in targets {
        let mut conn = http.conn(ctx)?;
        let did = format!("sent `GET {target} HTTP/1.1`");
        let expected = "a refusal (a 4xx status such as `403 Forbidden`) or a file from inside ROOT";
        let mut response = http::exchange(&mut conn, &get(target, true), false, Framing::Salvage, within, &did)
            .map_err(|f| {
                let hint = f.hint.clone().unwrap_or_else(|| {
                    "No complete response came for this path. Answer every request, and refuse a path that \
                     leaves the root with 403."
                        .into()
                });
                let expected = format!("{expected}; {}", f.expected);
                f.expected(expected).hint(hint)
            })?;
        // Whatever else comes before the close (we asked for it) must not be the secret either.
        let rest = conn.read_to_close(1 << 16, ctx.timing.ms(50));
        response.body.extend_from_slice(&rest.bytes);
        if carries_secret(&response) {
            return Err(http.leaked(did, expected.into(), &response));
        }
        if !(200..500).contains(&response.status) {
            return Err(Failure::new(did, expected, response.summary()).hint(
                "The secret did not leak, but a path that leaves the root is the client's mistake, not a \
                 failure of the server: refuse it with 403.",
            ));
        }
    }
    Ok(())
}

/// A refusal means something only from a server that serves files: first
/// `/hello.txt` must come back with `200` (its bytes are another check's).
fn serves_files(ctx: &mut Ctx, http: &mut Http) -> Outcome {
    http.expect(ctx, &get("/hello.txt", true), &[200]).map(drop).map_err(|f| {
        f.hint(
            "Before the paths it must refuse, the checker asks for `/hello.txt`, which must be served: a \
             server that refuses everything keeps every file safe, but it is not a file server yet.",
        )
    })
}

pub(super) fn plain_traversal(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let targets = ["/../secret.txt", "/sub/../../secret.txt", "/./../secret.txt"].map(String::from);
    never_outside(ctx, &mut http, &targets)
}

pub(super) fn encoded_traversal(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let targets = [
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/..%2fsecret.txt",
        "/sub/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/hello.txt%00/../../secret.txt",
    ]
    .map(String::from);
    never_outside(ctx, &mut http, &targets)
}

pub(super) fn absolute_paths(ctx: &mut Ctx) -> Outcome {
    let mut http = start(ctx)?;
    let secret = secret(&http.site).display().to_string();
    let encoded = secret.replace('/', "%2f");
    let targets = [format!("/{secret}"), format!("/{encoded}")];
    never_outside(ctx, &mut http, &targets)
}

pub(super) fn symlink_out(ctx: &mut Ctx) -> Outcome {
    if cfg!(not(unix)) {
        return Ok(());
    }
    let mut http = start(ctx)?;
    serves_files(ctx, &mut http)?;
    let mut conn = http.conn(ctx)?;
    let did = "sent `GET /link.txt HTTP/1.1`, where ROOT/link.txt is a symbolic link to ../secret.txt".to_string();
    let expected = "a refusal: a 4xx status such as `403 Forbidden`";
    let response =
        http::exchange(&mut conn, &get("/link.txt", true), false, Framing::Salvage, ctx.timing.reply(), &did)?;
    if carries_secret(&response) {
        return Err(http.leaked(did, expected.into(), &response));
    }
    if !(400..500).contains(&response.status) {
        return Err(Failure::new(did, expected, response.summary()));
    }
    Ok(())
}
