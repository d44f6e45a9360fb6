// The receiver of lesson 5: print every datagram that reaches a port.
//
// Several receivers on one machine may listen on the same port, and each
// gets its own copy of a broadcast. A second `bind` to a port in use fails,
// though, unless every socket on it set SO_REUSEADDR (and on Unix
// SO_REUSEPORT) *before* binding. `UdpSocket::bind` creates and binds in one
// call, leaving no moment to set them; the `socket2` crate splits the steps:
// create, set options, bind, then turn it into a `std` socket.

use socket2::{Domain, Protocol, Socket, Type};
use std::io::{self, Write};
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
    let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    socket.set_reuse_address(true)?;
    #[cfg(unix)]
    socket.set_reuse_port(true)?;
    // 0.0.0.0: every local address, so broadcasts to 127.255.255.255 arrive.
    socket.bind(&SocketAddr::from(([0, 0, 0, 0], port)).into())?;
    Ok(socket.into())
}
