//! Lesson 9: framing. A key-value store spoken in length-prefixed binary
//! frames, a thread per client, and a client that reads commands from stdin.
//!
//! # Layout
//!
//! - this module: the lesson's table of checks;
//! - [`frames`]: building, reading and showing frames;
//! - [`server`]: the store's checks;
//! - [`client`]: the client's checks.

mod client;
mod frames;
mod server;

use super::{Check, Lesson};
use client::{client_frames, client_pieces, client_prints_each, client_refused, client_server_closes};
use server::{
    byte_at_a_time, empty_value, every_byte, half_frame, largest_value, malformed_body, missing_keys, set_then_get,
    shared_store, too_large, twenty_clients, two_hundred_in_one_write,
};

pub static LESSON: Lesson = Lesson {
    number: 9,
    slug: "framing",
    title: "framing",
    usage: &["server HOST:PORT", "client HOST:PORT"],
    checks: &[
        Check {
            name: "a value set with `S` is answered `O`, and `G` gets it back",
            points: 1,
            hint: "Read the 4-byte length with `read_exact`, turn it into a number with `u32::from_be_bytes`, \
                   read exactly that many bytes, then answer with a frame of your own: the length \
                   `to_be_bytes`, then the body.",
            run: set_then_get,
        },
        Check {
            name: "`D` removes a key, and a missing key gets `N` from `G` and `D`",
            points: 1,
            hint: "`HashMap::remove` returns the value it removed, or `None`: answer `O` or `N` from it.",
            run: missing_keys,
        },
        Check {
            name: "a frame written one byte at a time gets one answer",
            points: 2,
            hint: "One `read` is not one frame: it returns what has arrived, maybe one byte. `read_exact` \
                   waits for the 4 bytes of the length, then for the whole body.",
            run: byte_at_a_time,
        },
        Check {
            name: "200 requests in one write are answered in order",
            points: 2,
            hint: "One `read` can hold many frames (sticky packets). Take one frame at a time with \
                   `read_exact` and leave the rest for the next call.",
            run: two_hundred_in_one_write,
        },
        Check {
            name: "keys and values holding every byte value (0, `\\n`, 255 …) round-trip",
            points: 1,
            hint: "Keys and values are bytes, not text: keep them as `Vec<u8>`, never through `String` \
                   or a line-based reader.",
            run: every_byte,
        },
        Check {
            name: "an empty value is stored, and `G` answers `O` alone",
            points: 1,
            hint: "For `S` the value is all the bytes after the key, maybe none. A key with an empty \
                   value is still there.",
            run: empty_value,
        },
        Check {
            name: "the largest value a frame can carry is stored and got back",
            points: 2,
            hint: "A frame may carry up to 1,048,576 bytes: the limit itself is allowed (`len > MAX`, \
                   not `>=`), and it arrives over many reads, so read the body with `read_exact`.",
            run: largest_value,
        },
        Check {
            name: "a frame declaring 2 GiB is answered `E` at once and the connection closed",
            points: 2,
            hint: "The length comes from the peer: compare it with 1,048,576 before you allocate or \
                   read the body. Over the limit, answer `E` (`Eframe too large`) and return from the \
                   handler, which closes the connection.",
            run: too_large,
        },
        Check {
            name: "half a frame and a close change nothing, and other clients are still served",
            points: 2,
            hint: "A frame counts only once all of it has arrived. An end of stream in the middle of \
                   one (`read_exact` fails with `UnexpectedEof`) ends that connection quietly.",
            run: half_frame,
        },
        Check {
            name: "two connections share one store",
            points: 2,
            hint: "Make one `Arc<Mutex<HashMap<…>>>` before the accept loop and give each thread an \
                   `Arc::clone` of it, not a map of its own.",
            run: shared_store,
        },
        Check {
            name: "20 clients setting distinct keys at once all succeed",
            points: 2,
            hint: "A thread per client, all sharing one store: lock the mutex for one request only, \
                   never while reading from a client.",
            run: twenty_clients,
        },
        Check {
            name: "a malformed body gets `E` and the next request on the same connection is answered",
            points: 2,
            hint: "A body that does not parse (empty, unknown operation, key length 0, key longer than \
                   the body) was still a whole frame: answer `E` and a short message, then read the \
                   next frame. Check lengths before you index a slice: a panic ends the connection.",
            run: malformed_body,
        },
        Check {
            name: "the client sends each command as the exact frame",
            points: 2,
            hint: "`set KEY VALUE` is `S`, the key's length as one byte, the key, then the value: the \
                   rest of the line, spaces and all. `get` and `del` are `G` and `D` with the key alone.",
            run: client_frames,
        },
        Check {
            name: "the client prints each answer as soon as it arrives, while stdin is still open",
            points: 2,
            hint: "Print `OK`, `VALUE <value>`, `NOT FOUND` or `ERROR <message>` for each answer and \
                   `flush()` stdout: in a pipe, output waits in a buffer until you flush or exit.",
            run: client_prints_each,
        },
        Check {
            name: "the client prints answers in order when they arrive split and joined oddly",
            points: 2,
            hint: "One read may hold part of an answer, or the end of one and the start of the next: \
                   read each answer with `read_exact` (4 bytes, then the length found), as the server \
                   reads requests, and the rest waits in the socket for the next.",
            run: client_pieces,
        },
        Check {
            name: "the client reports a refused connection without panicking",
            points: 1,
            hint: "Return the error from `connect` with `?`: `main` prints it and exits non-zero.",
            run: client_refused,
        },
        Check {
            name: "the client reports a server that closes before answering",
            points: 1,
            hint: "`read_frame` gives `Ok(None)` when the server closed: turn it into an error \
                   (`UnexpectedEof`) and return it, so the client says so and exits non-zero.",
            run: client_server_closes,
        },
    ],
};
