//! Lesson 6: HTTP, a static file server.
//!
//! One role: serve the files under a directory over HTTP/1.1, to a browser
//! or to `curl`, one thread per connection:
//!
//! ```text
//! lesson06 server 127.0.0.1:8080 ./site                          # serve ./site
//! lesson06 server 127.0.0.1:8080 ./site --idle-timeout-ms 500    # hang up on idle clients sooner
//! ```
//!
//! Then open <http://127.0.0.1:8080/> in a browser, or `curl -i http://127.0.0.1:8080/`.
//!
//! # Layout
//!
//! - `server.rs`: listen, a thread per connection, the request/response loop.
//! - `request.rs`: read and parse the request head.
//! - `files.rs`: map the request target to a file under the root, safely.
//! - `response.rs`: status codes and writing a response.
//!
//! This file reads the arguments for you, and `server.rs` (read it first)
//! already listens, runs a thread per connection and calls your functions.
//! Your work is the HTTP, in `request.rs`, `response.rs` and `files.rs`.
//! Check it with `cargo run -p checker -- lesson6`.

mod files;
mod request;
mod response;
mod server;

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "usage: lesson06 server HOST:PORT ROOT [--idle-timeout-ms MS]";

/// How long a client may take to send a request head (or stay silent) before we close it.
const DEFAULT_IDLE_MS: u64 = 10_000;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let (addr, root, idle_ms) = match args.as_slice() {
        ["server", addr, root] => (*addr, *root, DEFAULT_IDLE_MS),
        ["server", addr, root, "--idle-timeout-ms", ms] => match ms.parse::<u64>() {
            // A zero timeout is refused by `set_read_timeout`: ask for at least 1 ms.
            Ok(ms) if ms > 0 => (*addr, *root, ms),
            _ => return usage(),
        },
        _ => return usage(),
    };

    // An error (the port is taken, ROOT is not a directory...) is reported in
    // one line on stderr with a non-zero exit status: never a panic.
    match server::run(addr, Path::new(root), Duration::from_millis(idle_ms)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(2)
}
