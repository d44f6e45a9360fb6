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
    // TODO: receive one datagram into `buf`, and send the same bytes back
    // to whoever sent it. Look up `UdpSocket::recv_from` (it says how many
    // bytes came, and from where) and `send_to` (the page's "Datagrams, not a
    // stream"). Pitfalls: send back only the bytes that came, not the whole
    // 65,507-byte buffer; and an empty datagram (0 bytes) is a message like
    // any other, not an end of stream: it gets an empty answer.
    let _ = (socket, buf); // only so the skeleton compiles without warnings: delete this line
    todo!("receive one datagram and send the same bytes back to its sender")
}
