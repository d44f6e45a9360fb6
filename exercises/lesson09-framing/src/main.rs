//! Lesson 9: framing.
//!
//! One program, two roles, chosen by the first argument:
//!
//! ```text
//! lesson09 server 127.0.0.1:40123    # a key-value store, a thread per client
//! lesson09 client 127.0.0.1:40123    # commands from stdin, one answer per line
//! ```
//!
//! This file reads the arguments for you. Your work is in `frame.rs` first,
//! then `server.rs`, then `client.rs`. Check it with
//! `cargo run -p checker -- lesson9`.

mod client;
mod frame;
mod server;

use std::process::ExitCode;

const USAGE: &str = "usage: lesson09 server HOST:PORT\n       lesson09 client HOST:PORT";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let result = match args.as_slice() {
        ["server", addr] => server::run(addr),
        ["client", addr] => client::run(addr),
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
