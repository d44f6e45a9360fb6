//! Lesson 10: one thread, many clients — an event loop.
//!
//! One program, two roles, chosen by the first argument:
//!
//! ```text
//! lesson10-solution server 127.0.0.1:40123        # a chat room, on one thread
//! lesson10-solution client 127.0.0.1:40123 Ada    # join as Ada: stdin out, the room in
//! ```
//!
//! The finished version of `exercises/lesson10-event-loop`: read it after your own.

mod client;
mod server;

use std::process::ExitCode;

const USAGE: &str = "usage: lesson10-solution server HOST:PORT\n       lesson10-solution client HOST:PORT NAME";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let result = match args.as_slice() {
        ["server", addr] => server::run(addr),
        ["client", addr, name] => client::run(addr, name),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };

    // An error (the port is taken, the server is not there...) is reported in
    // one line on stderr with a non-zero exit status: never a panic.
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
