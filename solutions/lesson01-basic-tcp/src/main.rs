//! Lesson 1: basic TCP.
//!
//! One program, two roles, chosen by the first argument:
//!
//! ```text
//! lesson01-solution server 127.0.0.1:40123          # answer one client, then exit
//! lesson01-solution client 127.0.0.1:40123 hello    # send `hello`, print the answer
//! ```
//!
//! The finished version of `exercises/lesson01-basic-tcp`: read it after your own.

mod client;
mod server;

use std::process::ExitCode;

const USAGE: &str = "usage: lesson01-solution server HOST:PORT\n       lesson01-solution client HOST:PORT MESSAGE";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let result = match args.as_slice() {
        ["server", addr] => server::run(addr),
        ["client", addr, message] => client::run(addr, message),
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
