// The server side of lesson 9: a key-value store that speaks in frames.
//
// A thread per client, as in lesson 3, and
// one store shared by them all: the `HashMap` sits behind a `Mutex` (one
// thread at a time touches it) in an `Arc` (every thread holds a handle to
// the same map).
//
// A request that does not parse is answered `E…` and the connection goes on:
// its frame was well delimited, so we know where the next one starts. A
// frame whose length is over the limit is answered `E` and the connection
// closed: we cannot skip a body we refuse to read.
//
// `run` and `handle_client` are written for you: they stand on
// `read_frame` and `write_frame` (in `frame.rs`, your first work), then on
// `parse` and `apply` below.

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
#[allow(dead_code)] // you will build them in `parse`
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
                // Another handle to the same map, for the new thread.
                let store = Arc::clone(&store);
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
    // TODO: the body is one byte of operation (`S`, `G`, `D`), one byte of
    // key length K (1 to 255), K bytes of key, then for `S` the value: all
    // the remaining bytes, maybe none. A slice pattern takes it apart:
    // `let [op, key_len, rest @ ..] = body else { ... }`, then
    // `rest.split_at(k)`. Return `Err` with a short message for a body too
    // short, K = 0, a key longer than the rest, or an unknown operation.
    // Pitfall: `split_at` and `body[0]` panic when the slice is too short:
    // check the lengths first; a client's bytes must never crash a thread.
    let _ = body; // only so the skeleton compiles without warnings: delete this line
    todo!("take the body apart into a Request, or say why it does not parse")
}

/// Runs one request on the store and returns the answer's body.
fn apply(store: &Mutex<HashMap<Vec<u8>, Vec<u8>>>, request: Request) -> Vec<u8> {
    // TODO: `store.lock()` gives the map. `Set` inserts and answers `O`;
    // `Get` answers `O` followed by the value, or `N`; `Delete` answers `O`
    // if the key was there, else `N`. Pitfall: hold the lock only for this
    // one request, never while reading from the network, or one slow client
    // stops every other.
    let _ = (store, request); // only so the skeleton compiles without warnings: delete this line
    todo!("run the request on the shared map and build the answer")
}
