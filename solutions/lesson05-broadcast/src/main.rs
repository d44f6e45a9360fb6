//! Lesson 5: UDP broadcast.
//!
//! One program, two roles, chosen by the first argument:
//!
//! ```text
//! lesson05-solution receiver 40123                                   # print every datagram
//! lesson05-solution sender 127.255.255.255:40123 hello --count 3 --interval-ms 500
//! ```
//!
//! The finished version of `exercises/lesson05-broadcast`: read it after your own.

mod receiver;
mod sender;

use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str =
    "usage: lesson05-solution sender 127.255.255.255:PORT MESSAGE [--count N] [--interval-ms I]\n       lesson05-solution receiver PORT";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let result = match args.as_slice() {
        ["sender", target, message, options @ ..] => match sender_options(options) {
            Some((count, interval)) => sender::run(target, message, count, interval),
            None => return usage(),
        },
        ["receiver", port] => match port.parse() {
            Ok(port) => receiver::run(port),
            Err(_) => return usage(),
        },
        _ => return usage(),
    };

    // An error (the port is taken, the send was refused...) is reported in
    // one line on stderr with a non-zero exit status: never a panic.
    match result {
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

/// `--count N` (default 3) and `--interval-ms I` (default 500), in any order.
fn sender_options(options: &[&str]) -> Option<(u32, Duration)> {
    let (mut count, mut interval_ms) = (3u32, 500u64);
    let mut rest = options.iter();
    while let Some(flag) = rest.next() {
        let value = rest.next()?;
        match *flag {
            "--count" => count = value.parse().ok()?,
            "--interval-ms" => interval_ms = value.parse().ok()?,
            _ => return None,
        }
    }
    Some((count, Duration::from_millis(interval_ms)))
}
