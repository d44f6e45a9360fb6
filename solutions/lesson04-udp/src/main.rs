//! Lesson 4: UDP.
//!
//! One program, two roles, chosen by the first argument:
//!
//! ```text
//! lesson04-solution server 127.0.0.1:40123                      # echo every datagram
//! lesson04-solution client 127.0.0.1:40123 hello --timeout-ms 500 --retries 2
//! ```
//!
//! The finished version of `exercises/lesson04-udp`: read it after your own.

mod client;
mod server;

use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str =
    "usage: lesson04-solution server HOST:PORT\n       lesson04-solution client HOST:PORT MESSAGE [--timeout-ms T] [--retries R]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let result = match args.as_slice() {
        ["server", addr] => server::run(addr),
        ["client", addr, message, options @ ..] => match client_options(options) {
            Some((timeout, retries)) => client::run(addr, message, timeout, retries),
            None => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };

    // An error (the port is taken, no answer came...) is reported in one line
    // on stderr with a non-zero exit status: never a panic.
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// `--timeout-ms T` (default 1000) and `--retries R` (default 3), in any order.
fn client_options(options: &[&str]) -> Option<(Duration, u32)> {
    let (mut timeout_ms, mut retries) = (1000u64, 3u32);
    let mut rest = options.iter();
    while let Some(flag) = rest.next() {
        let value = rest.next()?;
        match *flag {
            "--timeout-ms" => timeout_ms = value.parse().ok().filter(|&t| t > 0)?,
            "--retries" => retries = value.parse().ok()?,
            _ => return None,
        }
    }
    Some((Duration::from_millis(timeout_ms), retries))
}
