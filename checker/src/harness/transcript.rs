//! The record of what crossed the wire during one check.

use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};

/// Events kept per check; later ones are counted, not stored.
const MAX_EVENTS: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The checker sent these bytes.
    Sent,
    /// The checker received these bytes.
    Received,
    /// Something happened to the connection (opened, closed, reset...).
    Event,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Entry {
    /// Which connection or socket: "conn 1", "udp 2"...
    pub channel: String,
    pub direction: Direction,
    /// Escaped bytes, or a description for events.
    pub text: String,
}

/// A transcript shared by every connection of one check.
#[derive(Clone, Default)]
pub struct Transcript {
    inner: Arc<Mutex<(Vec<Entry>, usize)>>,
}

impl Transcript {
    pub fn push(&self, channel: &str, direction: Direction, text: String) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.0.len() < MAX_EVENTS {
            inner.0.push(Entry { channel: channel.to_string(), direction, text });
        } else {
            inner.1 += 1;
        }
    }

    pub fn bytes(&self, channel: &str, direction: Direction, bytes: &[u8]) {
        self.push(channel, direction, super::text::escape(bytes));
    }

    /// The entries, and how many more were left out.
    pub fn entries(&self) -> (Vec<Entry>, usize) {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}
