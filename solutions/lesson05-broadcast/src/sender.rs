// The sender of lesson 5: one datagram to everyone on the network.
//
// A broadcast address reaches every socket bound to the port on that
// network. Here it is the loopback network's, 127.255.255.255, so nothing
// leaves this machine. The system refuses to send to a broadcast address
// ("Permission denied") unless the socket has the SO_BROADCAST option:
// broadcasting has to be asked for, so it does not happen by mistake.

use std::io;
use std::net::UdpSocket;
use std::thread;
use std::time::Duration;

/// Send `message` to `target` `count` times, `interval` apart.
pub fn run(target: &str, message: &str, count: u32, interval: Duration) -> io::Result<()> {
    let socket = UdpSocket::bind("127.0.0.1:0")?;
    // `std` can set this one itself: no `socket2` needed on the sending side.
    socket.set_broadcast(true)?;
    for i in 0..count {
        // N datagrams, so N-1 pauses: none before the first.
        if i > 0 {
            thread::sleep(interval);
        }
        socket.send_to(message.as_bytes(), target)?;
    }
    Ok(())
}
