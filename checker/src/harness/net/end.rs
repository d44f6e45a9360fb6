//! How a read ended ([`End`]) and what it received ([`Received`]), in the
//! words the report shows.

use crate::harness::text::escape;
use std::io::{self, ErrorKind};
use std::time::Duration;

/// How a read ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    /// What was asked for arrived.
    Complete,
    /// The program closed the connection, and that was what the read waited
    /// for ([`Conn::read_to_close`](super::Conn::read_to_close)): complete too.
    ClosedAsAsked,
    /// The program closed the connection (a read returned 0 bytes).
    Closed,
    /// The connection was reset (the program crashed, or closed with unread data).
    Reset,
    /// Nothing (more) arrived before the deadline.
    TimedOut(Duration),
    /// More bytes arrived than the check allows.
    TooMuch(usize),
    /// Any other error.
    Error(String),
}

impl End {
    /// What a person should read after "got …": how the read stopped.
    pub fn describe(&self) -> String {
        match self {
            End::Complete => "and that was all that was expected".into(),
            End::ClosedAsAsked => "then your program closed the connection (end of stream)".into(),
            End::Closed => "then your program closed the connection (end of stream)".into(),
            End::Reset => "then the connection was reset by your program".into(),
            End::TimedOut(d) => format!("then nothing more for {} ms", d.as_millis()),
            End::TooMuch(n) => format!("more than {n} bytes, so the checker stopped reading"),
            End::Error(e) => format!("then an error: {e}"),
        }
    }

    /// The concept to look at when a read ended this way too early.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            End::Closed => Some(
                "End of stream: your program closed the connection before it sent everything \
                 expected, or it never answered at all. Look at what runs before the socket is \
                 dropped.",
            ),
            End::Reset => Some(
                "Connection reset: your program crashed, or closed the socket while unread \
                 data was still waiting in it. Check its stderr below.",
            ),
            End::TimedOut(_) => Some(
                "Nothing arrived in time: your program may be waiting for more input (a read \
                 that blocks), waiting for the peer to close, or not writing its answer at all. \
                 Output written with `write` may also sit in a buffer until you flush it.",
            ),
            _ => None,
        }
    }
}

/// Bytes read, and how the reading ended.
#[derive(Debug)]
pub struct Received {
    pub bytes: Vec<u8>,
    pub end: End,
}

impl Received {
    pub fn complete(&self) -> bool {
        matches!(self.end, End::Complete | End::ClosedAsAsked)
    }

    /// "\"HEL\", then your program closed the connection"
    pub fn describe(&self) -> String {
        if self.bytes.is_empty() {
            match &self.end {
                End::Closed | End::ClosedAsAsked => {
                    "nothing: your program closed the connection (end of stream)".into()
                }
                End::Complete => "nothing".into(),
                End::Reset => "nothing: the connection was reset by your program".into(),
                End::TimedOut(d) => format!("nothing within {} ms", d.as_millis()),
                other => format!("nothing ({})", other.describe()),
            }
        } else {
            format!("{}, {}", escape(&self.bytes), self.end.describe())
        }
    }
}

pub(super) fn classify(err: &io::Error, waited: Duration) -> End {
    match err.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => End::TimedOut(waited),
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe => End::Reset,
        _ => End::Error(err.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_that_ended_with_the_close_says_so() {
        let nothing = Received { bytes: Vec::new(), end: End::ClosedAsAsked };
        assert!(nothing.complete());
        assert_eq!(nothing.describe(), "nothing: your program closed the connection (end of stream)");
        let some = Received { bytes: b"BYE".to_vec(), end: End::ClosedAsAsked };
        assert_eq!(some.describe(), "\"BYE\", then your program closed the connection (end of stream)");
        assert!(!some.describe().contains("all that was expected"));
    }
}
