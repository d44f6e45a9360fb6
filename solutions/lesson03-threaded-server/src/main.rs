//! Lesson 3: the threaded server.
//!
//! One program, two roles, chosen by the first argument:
//!
//! ```text
//! lesson03-solution server 127.0.0.1:40123            # greet every client, many at once
//! lesson03-solution client 127.0.0.1:40123 Ada Bo     # send names, print the answers
//! ```
//!
//! The finished version of `exercises/lesson03-threaded-server`: read it after your own.

mod client;
mod server;

use std::process::ExitCode;

const USAGE: &str = "usage: lesson03-solution server HOST:PORT\n       lesson03-solution client HOST:PORT NAME...";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let result = match args.as_slice() {
        ["server", addr] => server::run(addr),
        ["client", addr, names @ ..] => client::run(addr, names),
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
