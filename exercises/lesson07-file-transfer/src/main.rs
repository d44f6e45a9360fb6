//! Lesson 7: file transfer over TCP.
//!
//! One program, two roles, chosen by the first argument:
//!
//! ```text
//! lesson07 server 127.0.0.1:40123 inbox        # receive files into the directory inbox, until killed
//! lesson07 client 127.0.0.1:40123 photo.jpg    # send photo.jpg, print the server's answer
//! ```
//!
//! # Layout
//!
//! - `server.rs`: accept uploads, a thread per connection; read the header,
//!   check it, stream the body into a temporary file, rename it into place.
//! - `client.rs`: send one file (header, then the contents), print the answer.
//!
//! This file reads the arguments for you. Your work is in `server.rs` and
//! `client.rs`, where the plumbing is written and your functions are marked
//! `TODO`. Check it with `cargo run -p checker -- lesson7`.

mod client;
mod server;

use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage: lesson07 server HOST:PORT DIR\n       lesson07 client HOST:PORT PATH";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let result = match args.as_slice() {
        ["server", addr, dir] => server::run(addr, Path::new(dir)),
        ["client", addr, path] => client::run(addr, Path::new(path)),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };

    // An error (the port is taken, DIR is not a directory, the server refused
    // the file...) is reported in one line on stderr with a non-zero exit
    // status: never a panic.
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
