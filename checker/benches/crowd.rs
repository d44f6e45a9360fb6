//! What a crowd of idle clients costs a server: a thread each (lesson 3)
//! against one event loop (lesson 10).
//!
//! `cargo bench -p checker --bench crowd` builds each lesson's solution in
//! release mode, starts its server, connects N clients that say nothing
//! (they send their name where the lesson's protocol asks for one), and
//! prints, per lesson:
//!
//! - the server's threads (`/proc/PID/task`) and resident memory (`VmRSS`
//!   in `/proc/PID/status`), before the crowd and with it;
//! - the time to connect (and name) the whole crowd, one client after the
//!   other;
//! - the CPU time the server uses in one second with the crowd idle.
//!
//! Options, after `--` or from the environment: `--clients N`
//! (`CROWD_CLIENTS`, default 1,000), `--lessons 3,10` (`CROWD_LESSONS`), and
//! `--unnamed` (`CROWD_UNNAMED`): in the chat lessons, clients that connect
//! and never name themselves, so no join is announced to the crowd (each
//! join is a line to every member: N²/2 lines for N named clients).
//! Linux only: elsewhere it says so and stops. Each client is one file
//! descriptor here and one in the server: `ulimit -n` must allow both.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    if !cfg!(target_os = "linux") {
        println!("crowd: reads /proc, which only Linux has: nothing measured");
        return;
    }
    let (clients, lessons, named) = options();
    let how = if named { "named where the lesson asks" } else { "unnamed" };
    println!("{clients} idle clients per server ({how}; release builds)");
    println!(
        "{:<10} {:>8} {:>12} {:>8} {:>12} {:>14} {:>12} {:>12}",
        "lesson", "threads", "RSS", "threads", "RSS", "per client", "connect", "idle CPU"
    );
    println!("{:<10} {:>21} {:>21} {:>41}", "", "(no clients)", "(with the crowd)", "(in 1 s)");
    for lesson in lessons {
        measure(lesson, clients, named);
    }
}

/// `--clients N`, `--lessons A,B` and `--unnamed`, else the environment,
/// else 1,000 named clients for lessons 3 and 10. (`cargo bench` adds
/// `--bench`, which we skip.)
fn options() -> (usize, Vec<u32>, bool) {
    let mut clients = std::env::var("CROWD_CLIENTS").ok();
    let mut lessons = std::env::var("CROWD_LESSONS").ok();
    let mut named = std::env::var_os("CROWD_UNNAMED").is_none();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--clients" => clients = args.next(),
            "--lessons" => lessons = args.next(),
            "--unnamed" => named = false,
            _ => {}
        }
    }
    let clients = clients.map_or(1000, |n| n.replace(['_', ','], "").parse().expect("--clients takes a number"));
    let lessons = lessons.map_or(vec![3, 10], |list| {
        list.split(',').map(|n| n.trim().parse().expect("--lessons takes numbers, like 3,10")).collect()
    });
    (clients, lessons, named)
}

/// Whether a lesson's server waits for a name before it counts a user.
fn names_itself(lesson: u32) -> bool {
    matches!(lesson, 10 | 11)
}

fn measure(lesson: u32, clients: usize, named: bool) {
    let binary = build_solution(lesson);
    let port = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port();
    let addr = format!("127.0.0.1:{port}");
    let server = Server(
        Command::new(&binary)
            .args(["server", &addr])
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| panic!("start {}: {err}", binary.display())),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(&addr).is_err() {
        assert!(Instant::now() < deadline, "lesson {lesson}: the server listens");
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(200)); // it forgets the probe
    let pid = server.0.id();
    let (threads_before, rss_before) = (threads(pid), rss_kib(pid));

    let started = Instant::now();
    let mut crowd = Vec::with_capacity(clients);
    for i in 0..clients {
        crowd.push(join(lesson, &addr, i, named));
        // Read what the room says now and then (`* uN joined`, to everyone),
        // so that no server holds output for clients that never read.
        if i % 64 == 63 {
            drain(&mut crowd);
        }
    }
    let connect = started.elapsed();
    std::thread::sleep(Duration::from_millis(300));
    drain(&mut crowd);
    let (threads_after, rss_after) = (threads(pid), rss_kib(pid));
    let cpu_before = cpu_ms(pid);
    std::thread::sleep(Duration::from_secs(1));
    let idle_cpu = cpu_ms(pid) - cpu_before;
    let per_client = (rss_after.saturating_sub(rss_before)) as f64 / clients as f64;
    println!(
        "lesson{lesson:<4} {threads_before:>8} {:>8} KiB {threads_after:>8} {:>8} KiB {per_client:>10.1} KiB {:>9.0} ms {idle_cpu:>9} ms",
        rss_before,
        rss_after,
        connect.as_secs_f64() * 1000.0
    );
    drop(crowd);
    drop(server);
}

/// Connect client `i` and wait until the server has greeted it (lesson 3)
/// or let it in (lesson 10: `* present:…`), one client after the other: a
/// crowd connecting faster than the server accepts overflows its listen
/// queue, and the kernel's one-second retry of a lost SYN would be what we
/// measured.
fn join(lesson: u32, addr: &str, i: usize, named: bool) -> TcpStream {
    let mut stream =
        TcpStream::connect(addr).unwrap_or_else(|err| panic!("lesson {lesson}: client {i} connects: {err}"));
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("a timeout");
    let wanted: &[u8] = if names_itself(lesson) && named {
        stream.write_all(format!("u{i}\n").as_bytes()).expect("send a name");
        b"* present:"
    } else {
        b""
    };
    let mut seen = Vec::new();
    let mut buf = [0; 16 * 1024];
    let greeted = |seen: &[u8]| match seen.windows(wanted.len().max(1)).position(|w| w.starts_with(wanted)) {
        Some(at) => seen[at..].ends_with(b"\n"),
        None => false,
    };
    while !greeted(&seen) {
        let n = stream.read(&mut buf).unwrap_or_else(|err| panic!("lesson {lesson}: client {i} is greeted: {err}"));
        assert!(n > 0, "lesson {lesson}: the server closed client {i}");
        seen.extend_from_slice(&buf[..n]);
    }
    stream.set_nonblocking(true).expect("non-blocking");
    stream
}

/// Read and forget whatever each client has been sent.
fn drain(crowd: &mut [TcpStream]) {
    let mut buf = [0; 16 * 1024];
    for stream in crowd {
        loop {
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(_) => {}
                Err(err) if err.kind() == ErrorKind::WouldBlock => break,
                Err(err) => panic!("a client was dropped: {err}"),
            }
        }
    }
}

fn threads(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task")).map_or(0, |dir| dir.count())
}

/// CPU time used so far (user and system), in ms: fields 14 and 15 of
/// `/proc/PID/stat`, in ticks of 10 ms (Linux's `USER_HZ` is 100).
fn cpu_ms(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name, field 2, is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')').map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
    let field = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    (field(11) + field(12)) * 10
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Kills the server even when a measure panics.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Builds `lessonNN-solution` with `--release` and returns its path.
fn build_solution(lesson: u32) -> PathBuf {
    let package = format!("lesson{lesson:02}-solution");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
    let out = Command::new(cargo)
        .args(["build", "--release", "--quiet", "-p", &package, "--message-format=json"])
        .args(["--manifest-path", manifest])
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .expect("cargo reports the executable")
}
