// The server side of lesson 4: a UDP echo server.
//
// UDP has no connection: no listen, no accept, no stream. One socket, bound
// to an address, receives datagrams from anyone; each comes with the
// address it was sent from, and the answer goes back to that address with
// `send_to`. Each `recv_from` returns exactly one datagram, boundaries kept.
//
// Run the checks with `cargo run -p checker -- lesson4`.

use std::io;
use std::net::UdpSocket;

/// The largest UDP payload over IPv4: a buffer this big never cuts a datagram.
const MAX_DATAGRAM: usize = 65_507;

/// Echo every datagram back to its sender, forever.
pub fn run(addr: &str) -> io::Result<()> {
    let socket = UdpSocket::bind(addr)?;
    let mut buf = vec![0u8; MAX_DATAGRAM];
    loop {
        // Errors concern one datagram (on some systems an ICMP "port
        // unreachable" from an earlier answer shows up here): report, go on.
        if let Err(err) = echo_one(&socket, &mut buf) {
            eprintln!("datagram: {err}");
        }
    }
}

/// Receive one datagram and send the same bytes back where it came from.
fn echo_one(socket: &UdpSocket, buf: &mut [u8]) -> io::Result<()> {
    // Note: a datagram longer than `buf` would be cut to `buf.len()` bytes and the
    // rest lost: hence the 65,507-byte buffer. `n` may be 0: an empty
    // datagram is a message like any other (there is no "end of stream").
    // TODO: `recv_from` into `buf`: it returns the byte count and the
    // sender's address. Send exactly those bytes back to that address with
    // `send_to`, even when there are none.
    todo!("receive one datagram on {:?} into a {}-byte buffer and send it back", socket.local_addr(), buf.len())
}
