// The sender of lesson 5: one datagram to everyone on the network.
//
// A broadcast address reaches every socket bound to the port on that
// network. Here it is the loopback network's, 127.255.255.255, so nothing
// leaves this machine. The system refuses to send to a broadcast address
// ("Permission denied") unless the socket has the SO_BROADCAST option:
// broadcasting has to be asked for, so it does not happen by mistake.

use std::io;
#[allow(unused_imports)]
use std::net::UdpSocket;
#[allow(unused_imports)]
use std::thread;
use std::time::Duration;

/// Send `message` to `target` `count` times, `interval` apart.
pub fn run(target: &str, message: &str, count: u32, interval: Duration) -> io::Result<()> {
    // TODO: bind a UdpSocket to "127.0.0.1:0", turn on SO_BROADCAST
    // (`set_broadcast(true)`), then send the message `count` times with
    // `send_to`, sleeping `interval` between two sends (none before the first).
    todo!("broadcast {message:?} to {target} {count} times, {interval:?} apart")
}
