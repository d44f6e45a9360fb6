//! Reaching the program under test: start a server and connect to it
//! ([`Ctx::start_server`], [`Ctx::start_udp_server`]), connect again
//! ([`Ctx::connect_again`]), or start a client and let it connect
//! ([`Ctx::start_client`], [`Ctx::accept`]).
//! Each waits until the program is ready, within the ready deadline, and
//! fails at once when the program exits first.

use super::status::{exited_early, mentions_address_in_use};
use super::{checker_trouble, net, text, Conn, Ctx, Failure, Outcome, Program, Udp};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// A server the check started, and the first connection to it.
pub struct Server {
    pub program: Program,
    pub addr: SocketAddr,
    pub conn: Conn,
}

/// A server for a check that makes several connections: the connection
/// made at start-up is handed out first, then new ones.
pub struct Served {
    pub program: Program,
    pub addr: SocketAddr,
    first: Option<Conn>,
}

impl Served {
    /// A connection for the next exchange.
    pub fn conn(&mut self, ctx: &mut Ctx) -> Result<Conn, Failure> {
        match self.first.take() {
            Some(conn) => Ok(conn),
            None => ctx.connect_again(&mut self.program, self.addr),
        }
    }
}

impl From<Server> for Served {
    fn from(server: Server) -> Served {
        Served { program: server.program, addr: server.addr, first: Some(server.conn) }
    }
}

/// A client under test, connected to a listener the check holds (kept
/// open until the `Client` is dropped).
pub struct Client {
    pub program: Program,
    pub conn: Conn,
    pub addr: SocketAddr,
    _listener: TcpListener,
}

/// What a client under test reads on stdin.
#[derive(Clone, Copy, Debug)]
pub enum Stdin<'a> {
    /// Nothing: stdin is closed.
    Closed,
    /// A pipe the check writes to later ([`Program::write_stdin`]).
    Open,
    /// These bytes, then the end of input.
    Given(&'a [u8]),
}

/// A UDP server the check started. Late answers to the readiness probes
/// may still be on their way, so checks talk to the server from sockets of
/// their own (the probe socket is closed).
pub struct UdpServer {
    pub program: Program,
    pub addr: SocketAddr,
}

impl Ctx {
    /// Starts `server` on a free port (`args` builds its arguments from the
    /// address) and connects to it. If the program fails because the port
    /// was taken in the meantime, it is started again on another port.
    pub fn start_server(&mut self, args: impl Fn(&str) -> Vec<String>) -> Result<Server, Failure> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let port = net::free_tcp_port().map_err(|e| checker_trouble("find a free port", &e))?;
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            let mut program = self.spawn("server", &args(&addr.to_string()))?;
            match self.connect(&mut program, addr) {
                Ok(conn) => return Ok(Server { program, addr, conn }),
                Err(failure) if attempt < 3 && mentions_address_in_use(&program) => drop(failure),
                Err(failure) if mentions_address_in_use(&program) => return Err(binds_fixed_address(failure, attempt)),
                Err(failure) => return Err(failure),
            }
        }
    }

    /// Listens on a free loopback port, starts the client (`args` builds its
    /// arguments from that address) with `stdin`, and waits for it to connect.
    pub fn start_client(&mut self, args: impl FnOnce(&str) -> Vec<String>, stdin: Stdin) -> Result<Client, Failure> {
        let (listener, addr) = net::listen_loopback().map_err(|e| checker_trouble("listen", &e))?;
        let args = args(&addr.to_string());
        let mut program = match stdin {
            Stdin::Closed => self.spawn("client", &args)?,
            Stdin::Open | Stdin::Given(_) => self.spawn_with_stdin("client", &args)?,
        };
        if let Stdin::Given(bytes) = stdin {
            // A client that stops reading early is judged by what it sends.
            let _ = program.write_stdin(bytes);
            program.close_stdin();
        }
        let conn = self.accept(&listener, &mut program)?;
        Ok(Client { program, conn, addr, _listener: listener })
    }

    /// A checker-side UDP socket on a free loopback port.
    pub fn udp(&mut self) -> Result<Udp, Failure> {
        let label = self.next_label("udp");
        Udp::bind(label, self.transcript().clone()).map_err(|e| checker_trouble("bind a UDP socket", &e))
    }

    /// Wraps a UDP socket the check made itself (for broadcast), so its
    /// datagrams go into the transcript.
    pub fn wrap_udp(&mut self, kind: &str, socket: std::net::UdpSocket) -> Udp {
        let label = self.next_label(kind);
        Udp::from_socket(socket, label, self.transcript().clone())
    }

    /// Starts a UDP echo-style server on a free port (`args` builds its
    /// arguments from the address) and waits until it answers `probe`:
    /// UDP has no connection to wait for, so the checker sends the probe
    /// every 20 ms (bounded by the ready deadline) until an answer comes.
    pub fn start_udp_server(&mut self, args: impl Fn(&str) -> Vec<String>, probe: &[u8]) -> Result<UdpServer, Failure> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let port = net::free_udp_port().map_err(|e| checker_trouble("find a free port", &e))?;
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            let mut program = self.spawn("server", &args(&addr.to_string()))?;
            let socket = self.udp()?;
            match self.wait_udp_ready(&mut program, &socket, addr, probe) {
                Ok(()) => return Ok(UdpServer { program, addr }),
                Err(failure) if attempt < 3 && mentions_address_in_use(&program) => drop(failure),
                Err(failure) if mentions_address_in_use(&program) => return Err(binds_fixed_address(failure, attempt)),
                Err(failure) => return Err(failure),
            }
        }
    }

    fn wait_udp_ready(&mut self, program: &mut Program, socket: &Udp, addr: SocketAddr, probe: &[u8]) -> Outcome {
        let within = self.timing.ready();
        let deadline = Instant::now() + within;
        let did = format!(
            "started `{}` and sent {} to {addr} every 20 ms until an answer came",
            program.log().command_line,
            text::escape(probe)
        );
        while Instant::now() < deadline {
            let _ = socket.send_to(probe, addr);
            let wait = (Instant::now() + Duration::from_millis(20)).min(deadline);
            if socket.recv_until(wait, Duration::from_millis(20)).is_ok() {
                self.mark_ready(program);
                return Ok(());
            }
            if let Some(status) = program.try_status() {
                return Err(exited_early(&did, "the server to answer a datagram", status, program));
            }
        }
        self.mark_never_ready(
            program,
            format!("the server never answered a datagram sent to {addr} within {} ms", within.as_millis()),
        );
        Err(Failure::new(did, "an answer to one of them", format!("no answer for {} ms", within.as_millis())).hint(
            "Bind a `UdpSocket` to exactly the address given, then loop: `recv_from` a datagram and \
             `send_to` the same bytes back to the address it came from.",
        ))
    }

    /// Connects to `addr`, retrying while the program starts up, until the
    /// ready deadline. Fails at once if the program exits first.
    pub fn connect(&mut self, program: &mut Program, addr: SocketAddr) -> Result<Conn, Failure> {
        let within = self.timing.ready();
        let deadline = Instant::now() + within;
        let did = format!("started `{}` and connected to {addr}", program.log().command_line);
        loop {
            match connect_to(addr, Duration::from_millis(250)) {
                Ok(stream) => {
                    self.mark_ready(program);
                    let label = self.next_label("conn");
                    let conn = Conn::new(stream, label, self.transcript().clone());
                    conn.note(&format!("connected to {addr}"));
                    return Ok(conn);
                }
                Err(err) => {
                    if let Some(status) = program.try_status() {
                        return Err(exited_early(
                            &did,
                            "the server to listen and accept a connection",
                            status,
                            program,
                        ));
                    }
                    if Instant::now() >= deadline {
                        self.mark_never_ready(
                            program,
                            format!("the server never listened on {addr} within {} ms", within.as_millis()),
                        );
                        return Err(Failure::new(
                            did,
                            format!("a server listening on {addr}"),
                            format!("{err} for {} ms", within.as_millis()),
                        )
                        .hint(format!(
                            "Connection refused means nothing is listening on that address. Does \
                             your server bind to exactly the address it is given ({addr}) and \
                             listen? (`TcpListener::bind` does both.)"
                        )));
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
        }
    }

    /// Connects once more to a server that is already running.
    pub fn connect_again(&mut self, program: &mut Program, addr: SocketAddr) -> Result<Conn, Failure> {
        let did = format!("connected again to {addr}");
        match connect_to(addr, self.timing.reply()) {
            Ok(stream) => {
                let label = self.next_label("conn");
                let conn = Conn::new(stream, label, self.transcript().clone());
                conn.note(&format!("connected to {addr}"));
                Ok(conn)
            }
            // A refused connection often means the program is exiting (its
            // listener closed with it): give its status a moment to arrive
            // through the launcher, so the failure names the exit.
            Err(err) => match program.wait_exit(self.timing.ms(200)) {
                Some(status) => Err(exited_early(&did, "the server to accept another connection", status, program)),
                None => Err(Failure::new(did, "the server to accept another connection", err.to_string()).hint(
                    "The server stopped listening: it closed its listener or left the loop that calls `accept`.",
                )),
            },
        }
    }

    /// Waits for a program (the client under test) to connect to `listener`.
    pub fn accept(&mut self, listener: &TcpListener, program: &mut Program) -> Result<Conn, Failure> {
        let addr = listener.local_addr().map_err(|e| checker_trouble("read the listener's address", &e))?;
        let did = format!("listened on {addr} and started `{}`", program.log().command_line);
        let deadline = Instant::now() + self.timing.ready();
        loop {
            match listener.accept() {
                Ok((stream, peer)) => {
                    self.mark_ready(program);
                    let _ = stream.set_nonblocking(false);
                    let label = self.next_label("conn");
                    let conn = Conn::new(stream, label, self.transcript().clone());
                    conn.note(&format!("your program connected from {peer}"));
                    return Ok(conn);
                }
                Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {
                    if let Some(status) = program.try_status() {
                        return Err(exited_early(&did, &format!("the client to connect to {addr}"), status, program));
                    }
                    if Instant::now() >= deadline {
                        self.mark_never_ready(
                            program,
                            format!(
                                "the client never connected to {addr} within {} ms",
                                self.timing.ready().as_millis()
                            ),
                        );
                        return Err(Failure::new(
                            did,
                            format!("the client to connect to {addr}"),
                            format!("no connection within {} ms", self.timing.ready().as_millis()),
                        )
                        .hint("The client should connect to the address given on its command line."));
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(err) => return Err(checker_trouble("accept a connection", &err)),
            }
        }
    }
}

/// Connects to `addr`. With nothing listening on a loopback port in the
/// ephemeral range, a connect may pick that very port as its own and connect
/// to itself (a TCP self-connect): that is refused too, since nobody listens.
fn connect_to(addr: SocketAddr, within: Duration) -> std::io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, within)?;
    match (stream.local_addr(), stream.peer_addr()) {
        (Ok(me), Ok(peer)) if me == peer => Err(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)),
        _ => Ok(stream),
    }
}

/// A server said "address in use" on each of the `attempts` free ports it
/// was given: it binds an address of its own, not the one given.
fn binds_fixed_address(failure: Failure, attempts: u32) -> Failure {
    failure
        .meaning(format!(
            "Your program said \"address already in use\" on each of the {attempts} free ports the checker \
             gave it: it binds an address of its own (a fixed port), not the one on its command line."
        ))
        .hint("Bind the ADDR you are given (the command line's HOST:PORT), not a fixed address.")
}
