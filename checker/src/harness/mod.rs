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
pub mod roles;
pub mod text;
pub mod transcript;
pub mod udp;

pub use net::{Conn, End, Received};
pub use process::{Program, ProgramLog};
pub use transcript::Transcript;
pub use udp::Udp;

use roles::Roles;
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
    /// When the check decided it failed (the programs still ran, or not).
    pub at: Option<Instant>,
    /// The check did not run its program: an earlier check (named here)
    /// saw the same role never become ready, and `got` says why.
    pub stopped_by: Option<String>,
    /// How the read that failed ended (closed, reset, timed out...), when
    /// the failure is a read: evidence the report's hint is chosen from.
    pub end: Option<End>,
}

impl Failure {
    pub fn new(did: impl Into<String>, expected: impl Into<String>, got: impl Into<String>) -> Failure {
        Failure {
            did: did.into(),
            expected: expected.into(),
            got: got.into(),
            at: Some(Instant::now()),
            ..Failure::default()
        }
    }

    /// A hint for this particular way of failing, shown instead of the check's.
    pub fn hint(mut self, hint: impl Into<String>) -> Failure {
        self.hint = Some(hint.into());
        self
    }

    /// What the way it went wrong means on the wire.
    pub fn meaning(mut self, meaning: impl Into<String>) -> Failure {
        self.meaning = Some(meaning.into());
        self
    }

    /// What an end of stream means, when it means something (see [`End::hint`]).
    pub fn meaning_of(mut self, end: &End) -> Failure {
        self.meaning = end.hint().map(str::to_string);
        self
    }

    /// Expected and received bytes, for the caret that points at the difference.
    pub fn diff(mut self, expected: impl Into<Vec<u8>>, received: impl Into<Vec<u8>>) -> Failure {
        self.diff = Some((expected.into(), received.into()));
        self
    }

    /// No caret: the bytes are not comparable (another message, another size).
    pub fn without_diff(mut self) -> Failure {
        self.diff = None;
        self
    }

    /// How the read that failed ended: the evidence the report's hint is chosen from.
    pub fn ended(mut self, end: End) -> Failure {
        self.end = Some(end);
        self
    }

    /// The program should have sent `expected` but `received` came.
    pub fn mismatch(did: impl Into<String>, expected: &[u8], received: &Received) -> Failure {
        let mut failure = Failure::new(did, text::escape(expected), received.describe()).ended(received.end.clone());
        if !received.bytes.is_empty() {
            failure = failure.diff(expected, received.bytes.clone());
        }
        if !received.complete() || received.bytes.len() < expected.len() {
            // A read that ended with the close had less than expected: the
            // close came too early.
            let end = if received.end == End::ClosedAsAsked { &End::Closed } else { &received.end };
            failure = failure.meaning_of(end);
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

/// The program (a client that met an error: a refused connection, a server
/// that closed early) exits non-zero with a message on stderr, without a panic.
pub fn expect_error_exit(ctx: &Ctx, client: &mut Program, did: &str) -> Outcome {
    let expected = "a short error on stderr and a non-zero exit status, without a panic";
    let Some(status) = client.wait_exit(ctx.timing.exit()) else {
        return Err(Failure::new(did, expected, "the client was still running")
            .hint("An error here ends the client: return it instead of retrying or waiting forever."));
    };
    let (err, _) = client.stderr().snapshot();
    let err = String::from_utf8_lossy(&err);
    if status.success() {
        return Err(Failure::new(did, expected, "exit status 0")
            .hint("The client could not do its work: return the error from `run` so `main` exits non-zero."));
    }
    if err.contains("panicked at") || err.contains("Traceback (most recent call last)") {
        return Err(Failure::new(did, expected, format!("a crash: {}", text::crash_line(&err))));
    }
    if err.trim().is_empty() {
        return Err(Failure::new(did, expected, format!("{}, with nothing on stderr", describe_status(status)))
            .hint("Say what went wrong on stderr (`eprintln!`), e.g. `error: Connection refused`."));
    }
    Ok(())
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

    /// How long a program may take to start listening. An interpreter
    /// starts in a fraction of that; a program that takes longer on a slow
    /// machine gets more with `SOCKETLINGS_SLOW`. Not more by default: a
    /// program that never listens is waited for once per role, and a whole
    /// lesson must still fail within a few seconds.
    pub fn ready(&self) -> Duration {
        self.ms(2000)
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
    /// What the lesson run remembers between checks, and this check's name.
    roles: Roles,
    check: String,
    /// The role key of each program started, by its log.
    keys: Vec<(Arc<ProgramLog>, String)>,
    /// When each program's output ended (both streams closed), as a thread
    /// watching it saw: a program whose output ended before the check
    /// failed had ended by itself.
    output_ends: Vec<(Arc<ProgramLog>, Arc<std::sync::OnceLock<Instant>>)>,
    /// What the programs this check starts may read and write, besides
    /// the system and their own scratch folder.
    grants: crate::os::Grants,
}

impl Ctx {
    /// A context that runs `target` (a command line) followed by role
    /// arguments, for the check `check` of a lesson run that shares `roles`
    /// between its checks: a role that never became ready in one check is
    /// not started again in the next (see [`roles`]).
    pub fn in_run(target: Vec<String>, timing: Timing, roles: Roles, check: &str) -> Ctx {
        Ctx {
            target,
            timing,
            transcript: Transcript::default(),
            logs: Vec::new(),
            channels: 0,
            roles,
            check: check.to_string(),
            keys: Vec::new(),
            output_ends: Vec::new(),
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

    /// When the output of the program with `log` ended, if it has.
    pub fn output_ended_at(&self, log: &Arc<ProgramLog>) -> Option<Instant> {
        self.output_ends.iter().find(|(l, _)| Arc::ptr_eq(l, log)).and_then(|(_, at)| at.get().copied())
    }

    /// Notes the moment the output of `log`'s program ends (bounded wait).
    fn watch_output_end(&mut self, log: &Arc<ProgramLog>) {
        let ended = Arc::new(std::sync::OnceLock::new());
        self.output_ends.push((Arc::clone(log), Arc::clone(&ended)));
        let log = Arc::clone(log);
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(600);
            let _ = log.stdout.wait_for(deadline, |_| false);
            let _ = log.stderr.wait_for(deadline, |_| false);
            if Instant::now() < deadline {
                let _ = ended.set(Instant::now());
            }
        });
    }

    fn key_of(&self, program: &Program) -> Option<&str> {
        self.keys.iter().find(|(log, _)| Arc::ptr_eq(log, program.log())).map(|(_, key)| key.as_str())
    }

    /// `program` became ready (it listens, connected, answered, printed):
    /// its role is judged check by check from now on.
    pub fn mark_ready(&self, program: &Program) {
        if let Some(key) = self.key_of(program) {
            self.roles.ready(key);
        }
    }

    /// `program` kept running for the whole ready deadline without becoming
    /// ready; `cause` says so ("the server never listened on … within 2000
    /// ms"). Later checks that start the same role fail at once with it.
    pub fn mark_never_ready(&self, program: &mut Program, cause: String) {
        if program.try_status().is_some() {
            return;
        }
        if let Some(key) = self.key_of(program) {
            self.roles.stuck(key, cause, &self.check);
        }
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
        let key = roles::key(label, args);
        if let Some(earlier) = self.roles.never_ready(&key) {
            return Err(Failure {
                stopped_by: Some(earlier.check.clone()),
                ..Failure::new(
                    format!("did not start the {label} again"),
                    format!("the {label} to become ready"),
                    format!("not run: {} (see the check `{}`)", earlier.cause, earlier.check),
                )
                .hint(format!(
                    "Fix what the check `{}` shows first: this check starts the {label} the same way.",
                    earlier.check
                ))
            });
        }
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
        self.keys.push((Arc::clone(program.log()), key));
        self.watch_output_end(program.log());
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
                Err(failure) if mentions_address_in_use(&program) => return Err(binds_fixed_address(failure, attempt)),
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
                    self.mark_ready(program);
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

/// The program's stderr says the port was taken.
fn mentions_address_in_use(program: &Program) -> bool {
    said_address_in_use(program.log())
}

/// Whether the program of `log` said on stderr that its address was in use.
pub fn said_address_in_use(log: &ProgramLog) -> bool {
    let (err, _) = log.stderr.snapshot();
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

/// A server said "address in use" on each of the `attempts` free ports it
/// was given: it binds an address of its own, not the one given.
fn binds_fixed_address(failure: Failure, attempts: u32) -> Failure {
    Failure {
        meaning: Some(format!(
            "Your program said \"address already in use\" on each of the {attempts} free ports the checker \
             gave it: it binds an address of its own (a fixed port), not the one on its command line."
        )),
        ..failure
    }
    .hint("Bind the ADDR you are given (the command line's HOST:PORT), not a fixed address.")
}

/// The program exited before doing what the check waited for.
pub fn exited_early(did: &str, expected: &str, status: ExitStatus, program: &Program) -> Failure {
    let status = describe_status(status);
    let failure = Failure::new(did, expected, format!("your program {status} first"));
    if mentions_address_in_use(program) {
        failure.hint(
            "Address in use: another socket holds this port, often one left in TIME_WAIT by an \
             earlier run. Setting SO_REUSEADDR before bind (std's TcpListener::bind does it on \
             Unix) lets a server bind again at once.",
        )
    } else {
        failure.hint(format!(
            "Your program {status} before the check was done: its stderr below says why (a panic, an error \
             returned from `main`, or a `return` that came too soon)."
        ))
    }
}

/// Something went wrong in the checker itself (not the program under test).
pub fn checker_trouble(action: &str, err: &std::io::Error) -> Failure {
    Failure::new(format!("tried to {action}"), "the checker's own socket call to work", err.to_string())
        .hint("This is a problem on this machine, not in your program. Try again; if it persists, check that loopback (127.0.0.1) works.")
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str) -> Vec<String> {
        // `sh -c SCRIPT` takes the role as $0 and its arguments as $1...
        vec!["sh".into(), "-c".into(), script.into()]
    }

    /// Deadlines a tenth of the usual: these programs never become ready.
    const FAST: Timing = Timing { scale: 0.1 };

    #[test]
    fn a_server_that_never_listens_is_waited_for_once_per_run() {
        let roles = Roles::default();
        let mut first = Ctx::in_run(sh("sleep 5"), FAST, roles.clone(), "first check");
        let failure = first.start_server(|addr| vec!["server".into(), addr.into()]).err().unwrap();
        assert!(failure.stopped_by.is_none(), "{failure:?}");
        let mut later = Ctx::in_run(sh("sleep 5"), FAST, roles.clone(), "later check");
        let failure = later.start_server(|addr| vec!["server".into(), addr.into()]).err().unwrap();
        assert_eq!(failure.stopped_by.as_deref(), Some("first check"));
        assert!(failure.got.starts_with("not run: the server never listened on 127.0.0.1:"), "{}", failure.got);
        assert!(later.logs().is_empty(), "no program was started");
        // Another role, or the same role with other options, still runs.
        let mut other = Ctx::in_run(sh("sleep 5"), FAST, roles, "other check");
        assert!(other.spawn("server", &["server".into(), "127.0.0.1:9".into(), "--idle".into()]).is_ok());
        assert!(other.spawn("client", &["client".into()]).is_ok());
    }

    #[test]
    fn a_program_that_exits_is_started_again_in_the_next_check() {
        let roles = Roles::default();
        for check in ["first", "second"] {
            let mut ctx = Ctx::in_run(sh("exit 3"), FAST, roles.clone(), check);
            let failure = ctx.start_server(|addr| vec!["server".into(), addr.into()]).err().unwrap();
            assert!(failure.stopped_by.is_none(), "{failure:?}");
            assert!(failure.got.contains("exited with status 3"), "{}", failure.got);
        }
    }

    #[test]
    fn a_program_whose_output_ended_before_the_failure_had_ended_by_itself() {
        let mut ctx = Ctx::in_run(sh("echo bye"), FAST, Roles::default(), "check");
        let program = ctx.spawn("client", &["client".into()]).unwrap();
        let log = Arc::clone(program.log());
        let deadline = Instant::now() + Duration::from_secs(5);
        while ctx.output_ended_at(&log).is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        let failure = Failure::new("did", "expected", "got");
        drop(program);
        assert!(ctx.output_ended_at(&log).unwrap() < failure.at.unwrap());
    }
}
