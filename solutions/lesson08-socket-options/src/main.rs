//! Lesson 8: socket options and addresses.
//!
//! One role: an echo server whose listening socket is built by hand with
//! `socket2`, so that we choose its options before `bind`:
//!
//! ```text
//! lesson08-solution server 127.0.0.1:0                            # let the system pick the port
//! lesson08-solution server 127.0.0.1:40123 --idle-timeout-ms 5000 # hang up on clients silent for 5 s
//! ```
//!
//! Start two on the same fixed port: both bind (SO_REUSEPORT), and the system
//! shares the new connections between them. Talk to it with
//! `nc 127.0.0.1 40123`.
//!
//! The finished version of `exercises/lesson08-socket-options`: read it after your own.

mod server;

use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "usage: lesson08-solution server HOST:PORT [--idle-timeout-ms T]";

/// How long a connection may stay silent before we say `timeout` and close it.
const DEFAULT_IDLE_MS: u64 = 30_000;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let (addr, idle_ms) = match args.as_slice() {
        ["server", addr] => (*addr, DEFAULT_IDLE_MS),
        ["server", addr, "--idle-timeout-ms", ms] => match ms.parse::<u64>() {
            // A zero timeout is refused by `set_read_timeout`: ask for at least 1 ms.
            Ok(ms) if ms > 0 => (*addr, ms),
            _ => return usage(),
        },
        _ => return usage(),
    };

    // An error (the port is taken, the address is malformed...) is reported
    // in one line on stderr with a non-zero exit status: never a panic.
    match server::run(addr, Duration::from_millis(idle_ms)) {
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
