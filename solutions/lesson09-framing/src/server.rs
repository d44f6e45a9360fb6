// The server side of lesson 9: a key-value store that speaks in frames.
//
// A thread per client, as in lesson 3, and one store shared by them all:
// the `HashMap` sits behind a `Mutex` (one thread at a time touches it) in
// an `Arc` (every thread holds a handle to the same map).
//
// A request that does not parse is answered `E…` and the connection goes on:
// its frame was well delimited, so we know where the next one starts. A
// frame whose length is over the limit is answered `E` and the connection
// closed: we cannot skip a body we refuse to read.

use crate::frame::{read_frame, write_frame};
use std::collections::HashMap;
use std::io;
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// The store every connection shares.
type Store = Arc<Mutex<HashMap<Vec<u8>, Vec<u8>>>>;

/// One parsed request.
#[derive(Debug, PartialEq)]
enum Request {
    Set(Vec<u8>, Vec<u8>),
    Get(Vec<u8>),
    Delete(Vec<u8>),
}

/// Accept clients forever, each on its own thread, all sharing one store.
pub fn run(addr: &str) -> io::Result<()> {
    let listener = TcpListener::bind(addr)?;
    let store = Store::default();
    let mut failing = false;
    loop {
        match listener.accept() {
            Ok((stream, peer)) => {
                failing = false;
                let store = Arc::clone(&store);
                // `Builder::spawn` returns an error where `thread::spawn`
                // would panic: then only this connection is dropped.
                let spawned = thread::Builder::new().spawn(move || {
                    if let Err(err) = handle_client(stream, &store) {
                        eprintln!("client {peer}: {err}");
                    }
                });
                if let Err(err) = spawned {
                    eprintln!("client {peer}: no thread for it ({err}): connection dropped");
                }
            }
            Err(err) => {
                // Out of file descriptors, say: pause instead of spinning,
                // and report only the first error of a burst.
                if !failing {
                    eprintln!("accept failed: {err} (retrying)");
                }
                failing = true;
                thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

/// Answer one client's frames until it leaves.
fn handle_client(stream: TcpStream, store: &Mutex<HashMap<Vec<u8>, Vec<u8>>>) -> io::Result<()> {
    let mut reader = stream.try_clone()?;
    let mut writer = stream;
    loop {
        let body = match read_frame(&mut reader) {
            Ok(Some(body)) => body,
            // The client left between frames, or within one: a partial
            // frame is dropped unread, and changes nothing.
            Ok(None) => return Ok(()),
            Err(err) if err.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
            // Too large: say so, then close (returning drops the stream).
            Err(err) if err.kind() == io::ErrorKind::InvalidData => {
                return write_frame(&mut writer, b"Eframe too large");
            }
            Err(err) => return Err(err),
        };
        let answer = match parse(&body) {
            Ok(request) => apply(store, request),
            Err(why) => [b"E", why.as_bytes()].concat(),
        };
        write_frame(&mut writer, &answer)?;
    }
}

/// Reads a request body: operation, key length, key, and for `S` the value.
fn parse(body: &[u8]) -> Result<Request, &'static str> {
    let [op, key_len, rest @ ..] = body else {
        return Err("request too short");
    };
    let key_len = usize::from(*key_len);
    if key_len == 0 {
        return Err("empty key");
    }
    if rest.len() < key_len {
        return Err("key longer than the request");
    }
    let (key, value) = rest.split_at(key_len);
    match (op, value) {
        (b'S', value) => Ok(Request::Set(key.to_vec(), value.to_vec())),
        (b'G', []) => Ok(Request::Get(key.to_vec())),
        (b'D', []) => Ok(Request::Delete(key.to_vec())),
        (b'G' | b'D', _) => Err("bytes after the key"),
        _ => Err("unknown operation"),
    }
}

/// Runs one request on the store and returns the answer's body.
fn apply(store: &Mutex<HashMap<Vec<u8>, Vec<u8>>>, request: Request) -> Vec<u8> {
    // A thread that panicked while holding the lock poisons it; the map is
    // still whole (each change is one call), so we go on with it.
    let mut map = store.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    match request {
        Request::Set(key, value) => {
            map.insert(key, value);
            b"O".to_vec()
        }
        Request::Get(key) => match map.get(&key) {
            Some(value) => [b"O", value.as_slice()].concat(),
            None => b"N".to_vec(),
        },
        Request::Delete(key) => match map.remove(&key) {
            Some(_) => b"O".to_vec(),
            None => b"N".to_vec(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_operation_and_refuses_the_rest() {
        assert_eq!(parse(b"S\x01kv"), Ok(Request::Set(b"k".to_vec(), b"v".to_vec())));
        assert_eq!(parse(b"S\x01k"), Ok(Request::Set(b"k".to_vec(), Vec::new())));
        assert_eq!(parse(b"G\x02k\n"), Ok(Request::Get(b"k\n".to_vec())));
        assert_eq!(parse(b"D\x01\xff"), Ok(Request::Delete(vec![0xff])));
        for bad in [&b""[..], b"G", b"G\x00", b"G\x05ab", b"X\x01k", b"G\x01kv"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
