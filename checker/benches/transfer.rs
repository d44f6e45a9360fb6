//! How fast the lesson 7 solution moves a large file over loopback,
//! beside what this machine's loopback and disk allow.
//!
//! `cargo bench -p checker --bench transfer` builds `lesson07-solution` in
//! release mode, then measures, for a 256 MiB file (median of three runs):
//!
//! - loopback: one `TcpStream` writing 256 MiB to a listener that reads and
//!   discards them (the ceiling for any transfer);
//! - disk: writing 256 MiB to a file in the scratch folder and `sync_all`
//!   (the solution syncs before it answers `OK`);
//! - solution: `lesson07-solution client` sending the file to
//!   `lesson07-solution server`, from start to the client's exit.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SIZE: usize = 256 << 20;
const RUNS: usize = 3;

fn main() {
    let solution = build_solution();
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let file = scratch.path().join("big.bin");
    let chunk: Vec<u8> = (0..1 << 20).map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let mut out = std::fs::File::create(&file).expect("create the file");
    for _ in 0..SIZE >> 20 {
        out.write_all(&chunk).expect("write the file");
    }
    drop(out);

    let loopback = median(|| loopback(&chunk));
    let disk = median(|| disk(scratch.path(), &chunk));
    let inbox = scratch.path().join("inbox");
    std::fs::create_dir(&inbox).expect("create DIR");
    let transfer = median(|| transfer(&solution, &inbox, &file));

    let rate = |d: Duration| SIZE as f64 / (1 << 20) as f64 / d.as_secs_f64();
    println!("256 MiB, median of {RUNS} runs");
    println!("loopback alone      {:>8.0} MiB/s", rate(loopback));
    println!("disk write + sync   {:>8.0} MiB/s", rate(disk));
    println!("lesson07-solution   {:>8.0} MiB/s", rate(transfer));
    let ceiling = rate(loopback).min(rate(disk));
    println!("solution / min(loopback, disk) = {:.0} %", 100.0 * rate(transfer) / ceiling);
}

fn median(mut run: impl FnMut() -> Duration) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS).map(|_| run()).collect();
    times.sort();
    times[RUNS / 2]
}

fn loopback(chunk: &[u8]) -> Duration {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    let reader = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        let mut buf = vec![0u8; 1 << 16];
        while stream.read(&mut buf).expect("read") > 0 {}
    });
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).expect("connect");
    for _ in 0..SIZE >> 20 {
        stream.write_all(chunk).expect("write");
    }
    drop(stream);
    reader.join().expect("the reader ends");
    started.elapsed()
}

fn disk(dir: &Path, chunk: &[u8]) -> Duration {
    let path = dir.join("disk.bin");
    let started = Instant::now();
    let mut file = std::fs::File::create(&path).expect("create");
    for _ in 0..SIZE >> 20 {
        file.write_all(chunk).expect("write");
    }
    file.sync_all().expect("sync");
    let elapsed = started.elapsed();
    let _ = std::fs::remove_file(path);
    elapsed
}

fn transfer(solution: &Path, inbox: &Path, file: &Path) -> Duration {
    let port = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port();
    let addr = format!("127.0.0.1:{port}");
    let mut server = Command::new(solution)
        .args(["server", &addr])
        .arg(inbox)
        .stdout(Stdio::null())
        .spawn()
        .expect("start the server");
    let deadline = Instant::now() + Duration::from_secs(5);
    while TcpStream::connect(&addr).is_err() {
        assert!(Instant::now() < deadline, "the server listens");
        std::thread::sleep(Duration::from_millis(5));
    }
    let started = Instant::now();
    let status = Command::new(solution)
        .args(["client", &addr])
        .arg(file)
        .stdout(Stdio::null())
        .status()
        .expect("run the client");
    let elapsed = started.elapsed();
    let _ = server.kill();
    let _ = server.wait();
    assert!(status.success(), "the upload succeeds");
    let _ = std::fs::remove_file(inbox.join("big.bin"));
    elapsed
}

/// Builds the solution with `--release` and returns its path.
fn build_solution() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
    let out = Command::new(cargo)
        .args(["build", "--release", "--quiet", "-p", "lesson07-solution", "--message-format=json"])
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
