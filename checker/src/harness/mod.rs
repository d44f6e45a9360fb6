//! The engine every lesson's checks run on.
//!
//! A check receives a [`Ctx`] and returns an [`Outcome`]. Through the context
//! it starts the program under test ([`Ctx::spawn`], [`Ctx::start_server`]),
//! connects to it or lets it connect ([`Ctx::connect`], [`Ctx::accept`]) and
//! exchanges bytes over [`Conn`]s whose every call has a deadline. The context
//! owns a log of every program it started and a [`Transcript`] of the wire,
//! which the report shows when a check fails. Programs are killed when the
//! check's `Program` values are dropped, so a check can neither leak a process
//! nor block forever.
//!
//! - [`process`]: starting, capturing and killing programs;
//! - [`net`]: TCP connections with deadlines;
//! - [`transcript`]: the record of bytes sent and received;
//! - [`text`]: escaping bytes and pointing at the first difference.

pub mod http;
pub mod net;
pub mod process;
pub mod text;
pub mod transcript;
pub mod udp;

pub use net::{Conn, End, Received};
pub use process::{Program, ProgramLog};
pub use transcript::Transcript;
pub use udp::{Datagram, Udp};

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::ExitStatus;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a check returns: `Ok(())` when the behaviour is right.
pub type Outcome = Result<(), Failure>;

/// Why a check failed, in the words the learner reads.
#[derive(Clone, Debug, Default)]
pub struct Failure {
    /// What the check did, e.g. "connected to 127.0.0.1:4000 and sent \"hello\"".
    pub did: String,
    /// What should have happened.
    pub expected: String,
    /// What happened instead.
    pub got: String,
    /// Expected and received bytes, when a caret can point at the difference.
    pub diff: Option<(Vec<u8>, Vec<u8>)>,
    /// What the way it went wrong means on the wire (reset, end of stream...).
    pub meaning: Option<String>,
    /// A hint for this particular way of failing, shown instead of the check's.
    pub hint: Option<String>,
    /// The program could not be started at all (missing interpreter, bad
    /// `--cmd`): the run stops with exit status 2.
    pub cannot_run: bool,
}

impl Failure {
    pub fn new(did: impl Into<String>, expected: impl Into<String>, got: impl Into<String>) -> Failure {
        Failure { did: did.into(), expected: expected.into(), got: got.into(), ..Failure::default() }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Failure {
        self.hint = Some(hint.into());
        self
    }

    /// The program should have sent `expected` but `received` came.
    pub fn mismatch(did: impl Into<String>, expected: &[u8], received: &Received) -> Failure {
        let mut failure = Failure::new(did, text::escape(expected), received.describe());
        if !received.bytes.is_empty() {
            failure.diff = Some((expected.to_vec(), received.bytes.clone()));
        }
        if received.end != End::Complete {
            failure.meaning = received.end.hint().map(str::to_string);
        }
        failure
    }
}

/// Reads `expected.len()` bytes from `conn` and compares them.
pub fn expect_bytes(conn: &mut Conn, expected: &[u8], within: Duration, did: &str) -> Outcome {
    let got = conn.read_exact(expected.len(), within);
    if got.complete() && got.bytes == expected {
        Ok(())
    } else {
        Err(Failure::mismatch(did, expected, &got))
    }
}

/// Reads one line from `conn` and compares it with `expected` (without its
/// line end; `\r\n` and `\n` both end a line).
pub fn expect_line(conn: &mut Conn, expected: &str, within: Duration, did: &str) -> Outcome {
    let got = conn.read_line(within);
    let line = got.bytes.strip_suffix(b"\n").map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    if got.complete() && line == Some(expected.as_bytes()) {
        return Ok(());
    }
    Err(Failure::mismatch(did, format!("{expected}\n").as_bytes(), &got))
}

/// Sends `message` on `conn` and expects `expected` back.
pub fn exchange(conn: &mut Conn, message: &[u8], expected: &[u8], within: Duration, did: &str) -> Outcome {
    conn.send(message, within).map_err(|end| Failure::new(did, "to send the message", end.describe()))?;
    expect_bytes(conn, expected, within, did)
}

/// Deadlines, scaled for slow machines by the `SOCKETLINGS_SLOW` variable
/// (`SOCKETLINGS_SLOW=3` triples them).
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    scale: f64,
}

impl Timing {
    pub fn from_env() -> Timing {
        let scale = std::env::var("SOCKETLINGS_SLOW")
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
            .unwrap_or(1.0);
        Timing { scale }
    }

    /// `ms` milliseconds, scaled.
    pub fn ms(&self, ms: u64) -> Duration {
        Duration::from_secs_f64(ms as f64 * self.scale / 1000.0)
    }

    /// How long a program may take to start listening.
    pub fn ready(&self) -> Duration {
        self.ms(3000)
    }

    /// How long a program may take to answer on loopback.
    pub fn reply(&self) -> Duration {
        self.ms(1000)
    }

    /// How long a program may take to exit once it is done.
    pub fn exit(&self) -> Duration {
        self.ms(2000)
    }
}

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

/// A UDP server the check started. Late answers to the readiness probes
/// may still be on their way, so checks talk to the server from sockets of
/// their own (the probe socket is closed).
pub struct UdpServer {
    pub program: Program,
    pub addr: SocketAddr,
}

/// Everything a check works with.
pub struct Ctx {
    target: Vec<String>,
    pub timing: Timing,
    transcript: Transcript,
    logs: Vec<Arc<ProgramLog>>,
    channels: usize,
    grants: crate::os::Grants,
}

impl Ctx {
    /// A context that runs `target` (a command line) followed by role arguments.
    pub fn new(target: Vec<String>, timing: Timing) -> Ctx {
        Ctx {
            target,
            timing,
            transcript: Transcript::default(),
            logs: Vec::new(),
            channels: 0,
            grants: crate::os::Grants::default(),
        }
    }

    /// Lets the programs this check starts from now on read the folder (or
    /// file) `path`, even in the strict sandbox of `grade`.
    pub fn grant_read(&mut self, path: &std::path::Path) {
        self.grants.read.push(path.to_path_buf());
    }

    /// Lets the programs this check starts from now on write in the folder `path`.
    pub fn grant_write(&mut self, path: &std::path::Path) {
        self.grants.write.push(path.to_path_buf());
    }

    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// The programs this check started.
    pub fn logs(&self) -> &[Arc<ProgramLog>] {
        &self.logs
    }

    /// The next label for a connection or socket: "conn 1", "conn 2"...
    pub fn next_label(&mut self, kind: &str) -> String {
        self.channels += 1;
        format!("{kind} {}", self.channels)
    }

    /// The command line for the program under test with `args` appended.
    pub fn command(&self, args: &[String]) -> Vec<String> {
        self.target.iter().chain(args).cloned().collect()
    }

    /// Starts the program under test with `args` (stdin closed).
    pub fn spawn(&mut self, label: &str, args: &[String]) -> Result<Program, Failure> {
        self.spawn_inner(label, args, false)
    }

    /// Starts the program under test with `args` and a pipe to its stdin.
    pub fn spawn_with_stdin(&mut self, label: &str, args: &[String]) -> Result<Program, Failure> {
        self.spawn_inner(label, args, true)
    }

    fn spawn_inner(&mut self, label: &str, args: &[String], stdin: bool) -> Result<Program, Failure> {
        let argv = self.command(args);
        // The files named on the target's own command line (`--cmd "python3
        // x.py"`) are the program's too.
        let mut grants = self.grants.clone();
        grants.read.extend(self.target.iter().map(std::path::PathBuf::from).filter(|p| p.exists()));
        let program =
            Program::spawn_as(label, &argv, stdin, crate::os::Kind::Program, &grants).map_err(|err| Failure {
                cannot_run: true,
                ..Failure::new(
                    format!("started `{}`", process::display_command(&argv)),
                    "the program to start",
                    format!("it could not be started: {err}"),
                )
                .hint(
                    "Check that the program exists and is executable. With --cmd, give the whole \
                 command line, e.g. --cmd \"python3 my_server.py\".",
                )
            })?;
        self.logs.push(Arc::clone(program.log()));
        Ok(program)
    }

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
                Err(failure) => return Err(failure),
            }
        }
    }

    /// A checker-side UDP socket on a free loopback port.
    pub fn udp(&mut self) -> Result<Udp, Failure> {
        let label = self.next_label("udp");
        Udp::bind(label, self.transcript.clone()).map_err(|e| checker_trouble("bind a UDP socket", &e))
    }

    /// Wraps a UDP socket the check made itself (for broadcast), so its
    /// datagrams go into the transcript.
    pub fn wrap_udp(&mut self, kind: &str, socket: std::net::UdpSocket) -> Udp {
        let label = self.next_label(kind);
        Udp::from_socket(socket, label, self.transcript.clone())
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
                return Ok(());
            }
            if let Some(status) = program.try_status() {
                return Err(exited_early(&did, "the server to answer a datagram", status, program));
            }
        }
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
            match TcpStream::connect_timeout(&addr, Duration::from_millis(250)) {
                Ok(stream) => {
                    let label = self.next_label("conn");
                    let conn = Conn::new(stream, label, self.transcript.clone());
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
        match TcpStream::connect_timeout(&addr, self.timing.reply()) {
            Ok(stream) => {
                let label = self.next_label("conn");
                let conn = Conn::new(stream, label, self.transcript.clone());
                conn.note(&format!("connected to {addr}"));
                Ok(conn)
            }
            Err(err) => match program.try_status() {
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
                    let _ = stream.set_nonblocking(false);
                    let label = self.next_label("conn");
                    let conn = Conn::new(stream, label, self.transcript.clone());
                    conn.note(&format!("your program connected from {peer}"));
                    return Ok(conn);
                }
                Err(err) if err.kind() == std::io::ErrorKind::WouldBlock => {
                    if let Some(status) = program.try_status() {
                        return Err(exited_early(&did, &format!("the client to connect to {addr}"), status, program));
                    }
                    if Instant::now() >= deadline {
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

/// The program's stderr says the port was taken.
fn mentions_address_in_use(program: &Program) -> bool {
    let (err, _) = program.stderr().snapshot();
    let err = String::from_utf8_lossy(&err).to_lowercase();
    err.contains("address already in use") || err.contains("addrinuse") || err.contains("os error 98")
}

/// "exited with status 1", "was killed by signal 9"
pub fn describe_status(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exited with status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("was killed by signal {signal}");
        }
    }
    format!("ended ({status})")
}

/// The program exited before doing what the check waited for.
pub fn exited_early(did: &str, expected: &str, status: ExitStatus, program: &Program) -> Failure {
    let failure = Failure::new(did, expected, format!("your program {} first", describe_status(status)));
    if mentions_address_in_use(program) {
        failure.hint(
            "Address in use: another socket holds this port, often one left in TIME_WAIT by an \
             earlier run. Setting SO_REUSEADDR before bind (std's TcpListener::bind does it on \
             Unix) lets a server bind again at once.",
        )
    } else {
        failure.hint("Your program stopped too early: look at its stderr below for the reason.")
    }
}

/// Something went wrong in the checker itself (not the program under test).
pub fn checker_trouble(action: &str, err: &std::io::Error) -> Failure {
    Failure::new(format!("tried to {action}"), "the checker's own socket call to work", err.to_string())
        .hint("This is a problem on this machine, not in your program. Try again; if it persists, check that loopback (127.0.0.1) works.")
}
