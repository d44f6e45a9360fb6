// The receiver of lesson 5: print every datagram that reaches a port.
//
// Several receivers on one machine may listen on the same port, and each
// gets its own copy of a broadcast. A second `bind` to a port in use fails,
// though, unless every socket on it set SO_REUSEADDR (and on Unix
// SO_REUSEPORT) *before* binding. `UdpSocket::bind` creates and binds in one
// call, leaving no moment to set them; the `socket2` crate splits the steps:
// create, set options, bind, then turn it into a `std` socket.
//
// Run the checks with `cargo run -p checker -- lesson5`.

#[allow(unused_imports)]
use socket2::{Domain, Protocol, Socket, Type};
use std::io::{self, Write};
#[allow(unused_imports)]
use std::net::{SocketAddr, UdpSocket};

/// Print `<sender ip>:<sender port> <message>` for every datagram, forever.
pub fn run(port: u16) -> io::Result<()> {
    let socket = shared_socket(port)?;
    let mut buf = vec![0u8; 65_507];
    let mut out = io::stdout().lock();
    loop {
        let (n, from) = socket.recv_from(&mut buf)?;
        writeln!(out, "{from} {}", String::from_utf8_lossy(&buf[..n]))?;
        // The line must reach whoever reads our output now, not at exit.
        out.flush()?;
    }
}

/// A UDP socket on 0.0.0.0:`port` that other receivers may share.
fn shared_socket(port: u16) -> io::Result<UdpSocket> {
    // TODO: a socket that shares its port, built in the four steps that
    // `UdpSocket::bind` does in one: create, set options, bind, hand over to
    // `std`. Look up `socket2::Socket` (its `new`, `set_reuse_address`,
    // `set_reuse_port` and `bind`) and the `From` conversion into a std
    // `UdpSocket` (the page's "Sharing a port"). Pitfalls: an option set
    // *after* `bind` is too late, since the port is checked at `bind`;
    // `set_reuse_port` exists on Unix only (`#[cfg(unix)]`); and bind to
    // 0.0.0.0, every local address, or broadcasts to 127.255.255.255 miss
    // you. `socket2::SockAddr` converts from a std `SocketAddr`.
    let _ = port; // only so the skeleton compiles without warnings: delete this line
    todo!("create a UDP socket that shares its port with other receivers, then bind it")
}
