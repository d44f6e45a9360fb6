//! What a lesson run remembers from one check to the next: for each role
//! of the program (`server`, `client`, `receiver`...), whether it ever
//! became ready, and the cause when it never did.
//!
//! A program that showed no sign of readiness for the whole deadline
//! (never listened, never connected, never sent, never printed what was
//! awaited) while it kept running will do the same in the next check: the
//! later checks that start that role fail at once with the same cause,
//! instead of each waiting out its own deadline. Only that case counts:
//! - a program that exits before it is ready is started again in each
//!   check (an exit is quick to see, and may depend on the arguments);
//! - once one program of a role has been ready in this run, nothing is
//!   remembered for that role (a later failure may be the check's doing:
//!   a port held by another server, say);
//! - the role is keyed with the options it is given and with whether its
//!   address has port 0, so a start with other options is not affected.
//!   Fresh values (the port, the folder, the message) do not count.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// Why a role never became ready, and in which check that was seen.
#[derive(Clone, Debug)]
pub struct NeverReady {
    /// "the server never listened on 127.0.0.1:4000 within 2000 ms"
    pub cause: String,
    /// The check that waited for it.
    pub check: String,
}

#[derive(Default)]
struct Memory {
    ready: HashSet<String>,
    never: HashMap<String, NeverReady>,
}

/// Shared by every check of one lesson run (cheap to clone).
#[derive(Clone, Default)]
pub struct Roles {
    inner: Arc<Mutex<Memory>>,
}

impl Roles {
    fn lock(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The cause recorded for `key`, if a program of that role never became ready.
    pub fn never_ready(&self, key: &str) -> Option<NeverReady> {
        self.lock().never.get(key).cloned()
    }

    /// A program of role `key` was ready: nothing is remembered against it.
    pub fn ready(&self, key: &str) {
        let mut memory = self.lock();
        memory.ready.insert(key.to_string());
        memory.never.remove(key);
    }

    /// A program of role `key` kept running and never became ready: unless
    /// one was ready before, later starts of that role fail at once.
    pub fn stuck(&self, key: &str, cause: String, check: &str) {
        let mut memory = self.lock();
        if !memory.ready.contains(key) {
            memory.never.entry(key.to_string()).or_insert(NeverReady { cause, check: check.to_string() });
        }
    }
}

/// The key of a role: its label, the options it is given (`--timeout-ms`,
/// without their values) and `port 0` when an address asks for one.
pub fn key(label: &str, args: &[String]) -> String {
    let mut key = label.to_string();
    for arg in args {
        if arg.starts_with("--") {
            key.push(' ');
            key.push_str(arg);
        } else if arg.parse::<std::net::SocketAddr>().is_ok_and(|a| a.port() == 0) {
            key.push_str(" port-0");
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn fresh_values_do_not_change_the_key_options_and_port_0_do() {
        let a = key("client", &args(&["client", "127.0.0.1:4000", "hello", "--timeout-ms", "200"]));
        let b = key("client", &args(&["client", "127.0.0.1:5000", "hi there", "--timeout-ms", "400"]));
        assert_eq!(a, b);
        assert_ne!(a, key("client", &args(&["client", "127.0.0.1:4000", "hello"])));
        assert_ne!(key("server", &args(&["server", "127.0.0.1:0"])), key("server", &args(&["server", "127.0.0.1:9"])));
    }

    #[test]
    fn a_role_once_ready_is_never_remembered_as_stuck() {
        let roles = Roles::default();
        roles.stuck("server", "never listened".into(), "first");
        assert_eq!(roles.never_ready("server").map(|n| n.check), Some("first".into()));
        roles.ready("server");
        assert!(roles.never_ready("server").is_none());
        roles.stuck("server", "never listened".into(), "later");
        assert!(roles.never_ready("server").is_none(), "a role that was ready once is judged check by check");
    }
}
