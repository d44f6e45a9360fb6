//! Lesson 7: file transfer. A server that receives uploads framed by a
//! two-line header, streams them to a temporary file and renames it into
//! place, and a client that sends one file.
//!
//! # Layout
//!
//! - this module: the lesson's table of checks;
//! - [`inbox`]: DIR in a scratch folder, the server started on it, and
//!   the expectations on what DIR holds;
//! - [`uploads`]: files of every kind and size arrive byte for byte;
//! - [`refusals`]: bad names and sizes, and cut uploads, leave nothing;
//! - [`client`]: the client sends a file and reports the reply.

mod client;
mod inbox;
mod refusals;
mod uploads;

use super::{Check, Lesson};
use client::{client_prints_ok, client_reports_err, client_sends_file};
use refusals::{bad_names_refused_at_once, bad_sizes_refused, cut_leaves_nothing, path_names_refused};
use uploads::{
    empty_file, four_at_once, header_and_data_together, header_byte_by_byte, large_file, ok_after_complete,
    replaces_existing, text_and_binary, unicode_name,
};

pub static LESSON: Lesson = Lesson {
    number: 7,
    slug: "file-transfer",
    title: "file transfer",
    usage: &["server HOST:PORT DIR", "client HOST:PORT PATH"],
    checks: &[
        Check {
            name: "a text file and a binary file holding every byte value arrive byte for byte",
            points: 2,
            hint: "Copy the body as bytes (`io::copy` from the reader into the `File`): never through a \
                   `String`, which changes or refuses bytes that are not UTF-8.",
            run: text_and_binary,
        },
        Check {
            name: "an empty file arrives as an empty file",
            points: 1,
            hint: "Size 0 means no body at all: create the file anyway, answer `OK 0`, and do not wait for \
                   bytes that will never come.",
            run: empty_file,
        },
        Check {
            name: "a 64 MiB file arrives whole while the server holds less than half of it in memory",
            points: 3,
            hint: "Stream the body: `io::copy(&mut reader.take(size), &mut file)` moves it a few KiB at a \
                   time. Reading it whole into a `Vec` costs as much memory as the file.",
            run: large_file,
        },
        Check {
            name: "a name with spaces and non-ASCII letters is kept exactly",
            points: 1,
            hint: "The name line is UTF-8 text: use it as it is (after the checks), without replacing \
                   characters.",
            run: unicode_name,
        },
        Check {
            name: "a header that arrives one byte per write is read correctly",
            points: 2,
            hint: "One `read` returns what has arrived, perhaps a single byte. Read each header line up \
                   to its `\\n` (`BufRead::read_until`), however many reads it takes.",
            run: header_byte_by_byte,
        },
        Check {
            name: "a header and the file's bytes sent in one write all arrive",
            points: 2,
            hint: "The read that brings the header may bring the start of the file too. Keep one \
                   `BufReader` for header and body: the bytes it read ahead are the body's first bytes.",
            run: header_and_data_together,
        },
        Check {
            name: "four uploads at once all arrive, each answered while the others are unfinished",
            points: 2,
            hint: "Handle each connection on its own thread: an upload that is still sending must not \
                   keep the others waiting.",
            run: four_at_once,
        },
        Check {
            name: "a name that is a path (`../x`, an absolute path, `a/b`) gets `ERR` and nothing is written anywhere",
            points: 3,
            hint: "A name from the network is untrusted: refuse any name with `/`, `\\` or NUL before \
                   touching the disk. `dir.join(\"../x\")` is outside DIR, and `dir.join(\"/x\")` is `/x`.",
            run: path_names_refused,
        },
        Check {
            name: "`..`, `.`, an empty name and a 300-byte name get `ERR` as soon as the name line arrives",
            points: 1,
            hint: "Check the name line as soon as you have read it, and answer `ERR <reason>` at once: do \
                   not wait for the size or the body of an upload you will refuse.",
            run: bad_names_refused_at_once,
        },
        Check {
            name: "a size that is not a number (`12k`, `+5`, `-1`, an empty line) gets `ERR` at once",
            points: 1,
            hint: "The size is one or more ASCII digits and nothing else. `str::parse::<u64>` also takes \
                   `+5`: check the bytes yourself.",
            run: bad_sizes_refused,
        },
        Check {
            name: "a connection cut halfway leaves nothing in DIR",
            points: 3,
            hint: "Write to a temporary file in DIR and rename it into place only when every byte has \
                   arrived; if the connection ends early, remove the temporary file.",
            run: cut_leaves_nothing,
        },
        Check {
            name: "`OK` comes only after the last byte, when the file is complete in DIR",
            points: 2,
            hint: "Write to a temporary file and answer after `io::copy` has moved every byte, the file is \
                   synced and renamed: `OK` is a promise that the file is safely there, and no one sees \
                   the final name before.",
            run: ok_after_complete,
        },
        Check {
            name: "an upload replaces an existing file of the same name",
            points: 1,
            hint: "`fs::rename` onto an existing name replaces it in one step. (Opening the old file for \
                   writing without truncating it would leave its tail.)",
            run: replaces_existing,
        },
        Check {
            name: "the client sends the file's name without its folders, its size, then exactly its bytes",
            points: 2,
            hint: "Send `<name>\\n<size>\\n` with `path.file_name()` and the size from `metadata().len()`, \
                   then `io::copy` the file onto the stream.",
            run: client_sends_file,
        },
        Check {
            name: "the client prints the `OK` reply and exits 0",
            points: 1,
            hint: "After sending, read one line from the server and print it; exit 0 when it starts with \
                   `OK`.",
            run: client_prints_ok,
        },
        Check {
            name: "the client prints an `ERR` reply and exits with a non-zero status",
            points: 1,
            hint: "A refusal may come while you are still sending: if a write fails, still read the reply, \
                   print it, and return an error from `main` so the exit status is not 0.",
            run: client_reports_err,
        },
    ],
};
