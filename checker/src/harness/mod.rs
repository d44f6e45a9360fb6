//! The engine every lesson's checks run on.
//!
//! A check receives a [`Ctx`] and returns an [`Outcome`]. Through the context
//! it starts the program under test ([`Ctx::spawn`], [`Ctx::start_server`]),
//! connects to it or lets it connect ([`Ctx::connect`], [`Ctx::accept`]) and
//! exchanges bytes over [`Conn`]s whose every call has a deadline. The context
//! owns a log of every program it started and a [`Transcript`] of the wire,
//! which the report shows when a check fails. Programs are killed when the
//! check's `Program` values are dropped, so a check can neither leak a process
//! nor block forever.
//!
//! # Layout
//!
//! - [`failure`]: [`Outcome`] and [`Failure`], with its builder methods;
//! - [`timing`]: [`Timing`], the deadlines scaled by `SOCKETLINGS_SLOW`;
//! - [`context`]: [`Ctx`], the check's programs, transcript and roles;
//! - [`connect`]: starting a server and connecting, or accepting a client;
//! - [`expect`]: expectations on the wire (bytes, a line, a send, an
//!   exchange, the close);
//! - [`output`]: expectations on a program (its exit status, its stdout,
//!   a printed line);
//! - [`folder`]: a scratch folder with files for the program;
//! - [`status`]: how a program ended, in words;
//! - [`process`]: starting, capturing and killing programs;
//! - [`net`], [`udp`], [`http`]: TCP connections, UDP sockets and HTTP
//!   messages with deadlines;
//! - [`transcript`]: the record of bytes sent and received;
//! - [`text`]: escaping bytes and pointing at the first difference;
//! - [`roles`]: what a lesson run remembers between checks.

pub mod connect;
pub mod context;
pub mod expect;
pub mod failure;
pub mod folder;
pub mod http;
pub mod net;
pub mod output;
pub mod process;
pub mod roles;
pub mod status;
pub mod text;
pub mod timing;
pub mod transcript;
pub mod udp;

pub use connect::{Client, Served, Server, Stdin, UdpServer};
pub use context::Ctx;
pub use expect::{exchange, expect_bytes, expect_closed, expect_line, send_or_fail};
pub use failure::{checker_trouble, Failure, Outcome};
pub use folder::ScratchFolder;
pub use net::{Conn, End, Received};
pub use output::{
    expect_error_exit, expect_exit, expect_printed_line, expect_stdout, expect_stdout_so_far, expect_success,
};
pub use process::{Program, ProgramLog};
pub use status::{blame_exit, describe_status, exited_early, said_address_in_use};
pub use timing::Timing;
pub use transcript::Transcript;
pub use udp::Udp;
