//! Lesson 11: async Rust with tokio — the chat room for ten thousand.
//!
//! One program, two roles, chosen by the first argument:
//!
//! ```text
//! lesson11-solution server 127.0.0.1:40123        # the chat room, a task per client
//! lesson11-solution client 127.0.0.1:40123 Ada    # join as Ada: stdin out, the room in
//! ```
//!
//! The room is shared state behind a `std::sync::Mutex` that no task holds
//! across an `.await` (see `room.rs`). The other design, an actor task that
//! owns the room and hears from the connections over a channel, passes the
//! same checks.
//!
//! The finished version of `exercises/lesson11-async`: read it after your own.

mod client;
mod connection;
mod room;
mod server;

use std::process::ExitCode;

const USAGE: &str = "usage: lesson11-solution server HOST:PORT\n       lesson11-solution client HOST:PORT NAME";

// `#[tokio::main]` turns `async fn main` into a plain `main` that starts the
// runtime (a worker thread per core) and runs this future on it.
#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();

    let result = match args.as_slice() {
        ["server", addr] => server::run(addr).await,
        ["client", addr, name] => client::run(addr, name).await,
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
