//! UDP sockets with deadlines. There is no connection: a [`Udp`] socket
//! sends datagrams to an address and receives them with the sender's
//! address, and every datagram goes into the check's transcript.

use super::net::End;
use super::transcript::{Direction, Transcript};
use std::io::{self, ErrorKind};
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

/// Large enough for any UDP payload over IPv4.
pub const MAX_DATAGRAM: usize = 65_507;

/// A datagram received, with who sent it.
#[derive(Debug)]
pub struct Datagram {
    pub bytes: Vec<u8>,
    pub from: SocketAddr,
}

/// A checker-side UDP socket on 127.0.0.1.
pub struct Udp {
    socket: UdpSocket,
    label: String,
    transcript: Transcript,
}

impl Udp {
    pub fn bind(label: String, transcript: Transcript) -> io::Result<Udp> {
        let socket = super::net::claimed(|| UdpSocket::bind("127.0.0.1:0"), UdpSocket::local_addr)?;
        Ok(Udp { socket, label, transcript })
    }

    pub fn from_socket(socket: UdpSocket, label: String, transcript: Transcript) -> Udp {
        Udp { socket, label, transcript }
    }

    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// Sends one datagram to `to`.
    pub fn send_to(&self, bytes: &[u8], to: SocketAddr) -> io::Result<()> {
        self.transcript.push(&self.label, Direction::Sent, format!("{} to {to}", super::text::escape(bytes)));
        self.socket.send_to(bytes, to).map(drop)
    }

    /// Waits up to `within` for one datagram.
    pub fn recv(&self, within: Duration) -> Result<Datagram, End> {
        self.recv_until(Instant::now() + within.max(Duration::from_millis(1)), within)
    }

    /// Waits up to `within` for one datagram, without noting a timeout in
    /// the transcript (for polling).
    pub fn poll(&self, within: Duration) -> Option<Datagram> {
        self.receive(Instant::now() + within, within, false).ok()
    }

    /// Waits until `deadline` for one datagram; `within` is what a timeout reports.
    pub fn recv_until(&self, deadline: Instant, within: Duration) -> Result<Datagram, End> {
        self.receive(deadline, within, true)
    }

    fn receive(&self, deadline: Instant, within: Duration, note_timeout: bool) -> Result<Datagram, End> {
        let mut buf = vec![0u8; MAX_DATAGRAM + 1];
        loop {
            let now = Instant::now();
            if now >= deadline {
                if note_timeout {
                    self.transcript.push(
                        &self.label,
                        Direction::Event,
                        format!("(no datagram for {} ms)", within.as_millis()),
                    );
                }
                return Err(End::TimedOut(within));
            }
            let _ = self.socket.set_read_timeout(Some(deadline - now));
            match self.socket.recv_from(&mut buf) {
                Ok((n, from)) => {
                    let bytes = buf[..n].to_vec();
                    let text = format!("{} from {from}", super::text::escape(&bytes));
                    self.transcript.push(&self.label, Direction::Received, text);
                    return Ok(Datagram { bytes, from });
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted) => {}
                // On some systems an ICMP "port unreachable" shows up on the next read.
                Err(e) if e.kind() == ErrorKind::ConnectionRefused => {}
                Err(e) => return Err(End::Error(e.to_string())),
            }
        }
    }

    /// Every datagram that arrives within `within` (at most `max`).
    pub fn collect(&self, within: Duration, max: usize) -> Vec<Datagram> {
        let deadline = Instant::now() + within;
        let mut got = Vec::new();
        while got.len() < max {
            match self.recv_until(deadline, within) {
                Ok(d) => got.push(d),
                Err(_) => break,
            }
        }
        got
    }
}

/// The loopback network's broadcast address: Linux delivers a datagram sent
/// there to every socket bound to its port. Never any other broadcast address.
pub const LOOPBACK_BROADCAST: std::net::Ipv4Addr = std::net::Ipv4Addr::new(127, 255, 255, 255);

/// A UDP socket bound to `0.0.0.0:port` with address (and on Unix port)
/// reuse, as a broadcast receiver must be; `port` 0 lets the system choose.
pub fn reusable_receiver(port: u16) -> io::Result<UdpSocket> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    socket.set_reuse_address(true)?;
    #[cfg(unix)]
    socket.set_reuse_port(true)?;
    socket.bind(&SocketAddr::from(([0, 0, 0, 0], port)).into())?;
    Ok(socket.into())
}

/// A UDP socket on 127.0.0.1 allowed to send to a broadcast address.
pub fn broadcaster() -> io::Result<UdpSocket> {
    let socket = super::net::claimed(|| UdpSocket::bind("127.0.0.1:0"), UdpSocket::local_addr)?;
    socket.set_broadcast(true)?;
    Ok(socket)
}

/// A datagram and the moment it arrived.
#[derive(Debug)]
pub struct Stamped {
    pub datagram: Datagram,
    pub at: Instant,
}

/// The most datagrams an [`Arrivals`] keeps waiting; more are dropped, so a
/// program that floods the socket cannot exhaust the checker's memory.
const MAX_WAITING: usize = 1024;

/// Datagrams received by a thread of their own, each stamped with the moment
/// it arrived: timings do not depend on when the check gets round to
/// reading. The thread stops when this is dropped.
pub struct Arrivals {
    waiting: std::sync::mpsc::Receiver<Stamped>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Udp {
    /// Starts receiving on this socket in the background (see [`Arrivals`]).
    /// Read the datagrams from the `Arrivals`, not from this socket.
    pub fn arrivals(&self) -> io::Result<Arrivals> {
        use std::sync::atomic::{AtomicBool, Ordering};
        let socket = self.socket.try_clone()?;
        socket.set_read_timeout(Some(Duration::from_millis(10)))?;
        let (sender, waiting) = std::sync::mpsc::sync_channel(MAX_WAITING);
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let (label, transcript, stopped) = (self.label.clone(), self.transcript.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut buf = vec![0u8; MAX_DATAGRAM + 1];
            while !stopped.load(Ordering::SeqCst) {
                match socket.recv_from(&mut buf) {
                    Ok((n, from)) => {
                        let at = Instant::now();
                        let bytes = buf[..n].to_vec();
                        transcript.push(
                            &label,
                            Direction::Received,
                            format!("{} from {from}", super::text::escape(&bytes)),
                        );
                        // A full queue drops the datagram: the check reads far fewer.
                        let _ = sender.try_send(Stamped { datagram: Datagram { bytes, from }, at });
                    }
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    // Timeouts (to look at `stop`), and ICMP errors from earlier sends.
                    Err(_) => {}
                }
            }
        });
        Ok(Arrivals { waiting, stop, thread: Some(thread) })
    }
}

impl Arrivals {
    /// The next datagram, waiting until `deadline` at most.
    pub fn next_until(&self, deadline: Instant) -> Option<Stamped> {
        let wait = deadline.saturating_duration_since(Instant::now());
        self.waiting.recv_timeout(wait).ok()
    }

    /// The next datagram, waiting `within` at most.
    pub fn next(&self, within: Duration) -> Option<Stamped> {
        self.next_until(Instant::now() + within)
    }
}

impl Drop for Arrivals {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
