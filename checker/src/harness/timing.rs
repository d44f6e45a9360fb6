//! Deadlines: every blocking call of a check waits at most a [`Timing`]
//! deadline, scaled for slow machines by `SOCKETLINGS_SLOW`.

use std::time::Duration;

/// Deadlines, scaled for slow machines by the `SOCKETLINGS_SLOW` variable
/// (`SOCKETLINGS_SLOW=3` triples them).
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    scale: f64,
}

impl Timing {
    /// Deadlines `scale` times the usual.
    #[cfg(test)]
    pub const fn scaled(scale: f64) -> Timing {
        Timing { scale }
    }

    pub fn from_env() -> Timing {
        let scale = std::env::var("SOCKETLINGS_SLOW")
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
            .unwrap_or(1.0);
        Timing { scale }
    }

    /// `ms` milliseconds, scaled.
    pub fn ms(&self, ms: u64) -> Duration {
        Duration::from_secs_f64(ms as f64 * self.scale / 1000.0)
    }

    /// How long a program may take to start listening. An interpreter
    /// starts in a fraction of that; a program that takes longer on a slow
    /// machine gets more with `SOCKETLINGS_SLOW`. Not more by default: a
    /// program that never listens is waited for once per role, and a whole
    /// lesson must still fail within a few seconds.
    pub fn ready(&self) -> Duration {
        self.ms(2000)
    }

    /// How long a program may take to answer on loopback.
    pub fn reply(&self) -> Duration {
        self.ms(1000)
    }

    /// How long a program may take to exit once it is done.
    pub fn exit(&self) -> Duration {
        self.ms(2000)
    }
}
