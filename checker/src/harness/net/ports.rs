//! Loopback ports from the system: a listener for the checker
//! ([`listen_loopback`]), free ports for a program to bind, claimed so that
//! two checkers running at once never hand out the same one, and the listen
//! queue of a port ([`waiting_to_be_accepted`]).

use std::io::{self, ErrorKind};
use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

/// A TCP listener on a free loopback port, for checks where the program is
/// the client.
pub fn listen_loopback() -> io::Result<(TcpListener, SocketAddr)> {
    let listener = claimed(|| TcpListener::bind("127.0.0.1:0"), TcpListener::local_addr)?;
    let addr = listener.local_addr()?;
    listener.set_nonblocking(true)?;
    Ok((listener, addr))
}

/// A free UDP port on 127.0.0.1, as chosen by the system.
pub fn free_udp_port() -> io::Result<u16> {
    let socket = claimed(|| std::net::UdpSocket::bind("127.0.0.1:0"), std::net::UdpSocket::local_addr)?;
    Ok(socket.local_addr()?.port())
}

/// A free TCP port on 127.0.0.1, as chosen by the system.
pub fn free_tcp_port() -> io::Result<u16> {
    Ok(claimed(|| TcpListener::bind("127.0.0.1:0"), TcpListener::local_addr)?.local_addr()?.port())
}

/// How long a port stays claimed by the checker that claimed it.
const CLAIM: Duration = Duration::from_secs(60);

/// Binds port 0 until the system gives a port that no other checker on this
/// machine claimed a moment ago, and claims it.
///
/// Two checkers running at once (the test suite, `grade --jobs 2`) each ask
/// the system for free ports. A port handed to a program is free again
/// until the program binds it, and the system may give it to the other
/// checker in that moment: then one program fails to bind, or one checker
/// talks to the other's program. A marker file per port in the temporary
/// folder, made with `create_new` so that one checker wins, keeps a port to
/// the checker that claimed it for [`CLAIM`]. Where the markers cannot be
/// written, any free port will do, as before.
pub fn claimed<S>(bind: impl Fn() -> io::Result<S>, addr_of: impl Fn(&S) -> io::Result<SocketAddr>) -> io::Result<S> {
    for _ in 0..32 {
        let socket = bind()?;
        if claim(addr_of(&socket)?.port()) {
            return Ok(socket);
        }
    }
    bind()
}

/// Claims `port` for this checker; false if another claimed it less than
/// [`CLAIM`] ago.
fn claim(port: u16) -> bool {
    let dir = std::env::temp_dir().join("socketlings-ports");
    let marker = dir.join(port.to_string());
    let create = || std::fs::OpenOptions::new().write(true).create_new(true).open(&marker);
    let _ = std::fs::create_dir_all(&dir);
    match create() {
        Ok(_) => true,
        Err(err) if err.kind() == ErrorKind::AlreadyExists => {
            let age = std::fs::metadata(&marker).and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
            if age.is_some_and(|age| age > CLAIM) {
                // Stale: take it over (whoever removes and makes it first).
                let _ = std::fs::remove_file(&marker);
                return create().is_ok();
            }
            false
        }
        // No markers here (a folder we may not write): any free port.
        Err(_) => true,
    }
}

/// How many connections to a listener on `port` the system has completed
/// but no program has taken with `accept` yet: the listen queue (backlog).
/// The kernel finishes the handshake for a listening socket on its own, so
/// only this queue shows whether a server called `accept`. Read from
/// `/proc/net/tcp{,6}` (the `rx_queue` of a `LISTEN` socket is its queue
/// length); `None` where that is not available.
pub fn waiting_to_be_accepted(port: u16) -> Option<usize> {
    let mut found = None;
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else { continue };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(state), Some(queues)) = (fields.get(1), fields.get(3), fields.get(4)) else {
                continue;
            };
            let listening = *state == "0A";
            let on_port = local.rsplit(':').next().and_then(|p| u16::from_str_radix(p, 16).ok()) == Some(port);
            if !(listening && on_port) {
                continue;
            }
            let queued = queues.rsplit(':').next().and_then(|q| usize::from_str_radix(q, 16).ok()).unwrap_or(0);
            *found.get_or_insert(0) += queued;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpStream;

    #[cfg(target_os = "linux")]
    #[test]
    fn the_listen_queue_shows_a_connection_nobody_accepted() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        assert_eq!(waiting_to_be_accepted(port), Some(0));
        let _client = TcpStream::connect(("127.0.0.1", port)).unwrap();
        assert_eq!(waiting_to_be_accepted(port), Some(1));
        let _served = listener.accept().unwrap();
        assert_eq!(waiting_to_be_accepted(port), Some(0));
    }
}
