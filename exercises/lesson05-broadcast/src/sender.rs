// The sender of lesson 5: one datagram to everyone on the network.
//
// A broadcast address reaches every socket bound to the port on that
// network. Here it is the loopback network's, 127.255.255.255, so nothing
// leaves this machine. The system refuses to send to a broadcast address
// ("Permission denied") unless the socket has the SO_BROADCAST option:
// broadcasting has to be asked for, so it does not happen by mistake.
//
// Run the checks with `cargo run -p checker -- lesson5`.

use std::io;
#[allow(unused_imports)]
use std::net::UdpSocket;
#[allow(unused_imports)]
use std::thread;
use std::time::Duration;

/// Send `message` to `target` `count` times, `interval` apart.
pub fn run(target: &str, message: &str, count: u32, interval: Duration) -> io::Result<()> {
    // TODO: a socket of our own (any free port: bind port 0 on 127.0.0.1),
    // allowed to broadcast, then `count` datagrams to `target`. Look up
    // `UdpSocket::set_broadcast` (the page's "One sender, many receivers")
    // and `std::thread::sleep`. Pitfalls: without SO_BROADCAST, `send_to`
    // fails with "Permission denied"; and `count` datagrams need only
    // `count - 1` pauses: none before the first, none after the last.
    let _ = (target, message, count, interval); // only so the skeleton compiles without warnings: delete this line
    todo!("broadcast the message `count` times, `interval` apart")
}
