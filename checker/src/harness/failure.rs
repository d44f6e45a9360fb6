//! What a check returns: an [`Outcome`], and when it fails a [`Failure`]
//! built with its builder methods (`Failure::new(did, expected, got)
//! .hint(..).meaning(..).diff(..)`), in the words the learner reads.
//! [`checker_trouble`] is the failure of the checker's own calls.

use super::net::{End, Received};
use super::text;
use std::time::Instant;

/// What a check returns: `Ok(())` when the behaviour is right.
pub type Outcome = Result<(), Failure>;

/// Why a check failed, in the words the learner reads.
#[derive(Clone, Debug, Default)]
pub struct Failure {
    /// What the check did, e.g. "connected to 127.0.0.1:4000 and sent \"hello\"".
    pub did: String,
    /// What should have happened.
    pub expected: String,
    /// What happened instead.
    pub got: String,
    /// Expected and received bytes, when a caret can point at the difference.
    pub diff: Option<(Vec<u8>, Vec<u8>)>,
    /// What the way it went wrong means on the wire (reset, end of stream...).
    pub meaning: Option<String>,
    /// A hint for this particular way of failing, shown instead of the check's.
    pub hint: Option<String>,
    /// The program could not be started at all (missing interpreter, bad
    /// `--cmd`): the run stops with exit status 2.
    pub cannot_run: bool,
    /// When the check decided it failed (the programs still ran, or not).
    pub at: Option<Instant>,
    /// The check did not run its program: an earlier check (named here)
    /// saw the same role never become ready, and `got` says why.
    pub stopped_by: Option<String>,
    /// How the read that failed ended (closed, reset, timed out...), when
    /// the failure is a read: evidence the report's hint is chosen from.
    pub end: Option<End>,
}

impl Failure {
    pub fn new(did: impl Into<String>, expected: impl Into<String>, got: impl Into<String>) -> Failure {
        Failure {
            did: did.into(),
            expected: expected.into(),
            got: got.into(),
            diff: None,
            meaning: None,
            hint: None,
            cannot_run: false,
            at: Some(Instant::now()),
            stopped_by: None,
            end: None,
        }
    }

    /// What the check did, told again (with more of the story).
    pub fn did(mut self, did: impl Into<String>) -> Failure {
        self.did = did.into();
        self
    }

    /// What should have happened, told again (the check knows it better
    /// than the helper that failed).
    pub fn expected(mut self, expected: impl Into<String>) -> Failure {
        self.expected = expected.into();
        self
    }

    /// What happened instead, told again.
    pub fn got(mut self, got: impl Into<String>) -> Failure {
        self.got = got.into();
        self
    }

    /// A hint for this particular way of failing, shown instead of the check's.
    pub fn hint(mut self, hint: impl Into<String>) -> Failure {
        self.hint = Some(hint.into());
        self
    }

    /// What the way it went wrong means on the wire.
    pub fn meaning(mut self, meaning: impl Into<String>) -> Failure {
        self.meaning = Some(meaning.into());
        self
    }

    /// What an end of stream means, when it means something (see [`End::hint`]).
    pub fn meaning_of(mut self, end: &End) -> Failure {
        self.meaning = end.hint().map(str::to_string);
        self
    }

    /// Expected and received bytes, for the caret that points at the difference.
    pub fn diff(mut self, expected: impl Into<Vec<u8>>, received: impl Into<Vec<u8>>) -> Failure {
        self.diff = Some((expected.into(), received.into()));
        self
    }

    /// No caret: the bytes are not comparable (another message, another size).
    pub fn without_diff(mut self) -> Failure {
        self.diff = None;
        self
    }

    /// How the read that failed ended: the evidence the report's hint is chosen from.
    pub fn ended(mut self, end: End) -> Failure {
        self.end = Some(end);
        self
    }

    /// The check did not run its program: the check `earlier` saw the same
    /// role never become ready, and `got` says why.
    pub fn stopped_by(mut self, earlier: impl Into<String>) -> Failure {
        self.stopped_by = Some(earlier.into());
        self
    }

    /// The program could not be started at all: the run stops with exit status 2.
    pub fn cannot_run(mut self) -> Failure {
        self.cannot_run = true;
        self
    }

    /// The program should have sent `expected` but `received` came.
    pub fn mismatch(did: impl Into<String>, expected: &[u8], received: &Received) -> Failure {
        let mut failure = Failure::new(did, text::escape(expected), received.describe()).ended(received.end.clone());
        if !received.bytes.is_empty() {
            failure = failure.diff(expected, received.bytes.clone());
        }
        if !received.complete() || received.bytes.len() < expected.len() {
            // A read that ended with the close had less than expected: the
            // close came too early.
            let end = if received.end == End::ClosedAsAsked { &End::Closed } else { &received.end };
            failure = failure.meaning_of(end);
        }
        failure
    }
}

/// Something went wrong in the checker itself (not the program under test).
pub fn checker_trouble(action: &str, err: &std::io::Error) -> Failure {
    Failure::new(format!("tried to {action}"), "the checker's own socket call to work", err.to_string())
        .hint("This is a problem on this machine, not in your program. Try again; if it persists, check that loopback (127.0.0.1) works.")
}
