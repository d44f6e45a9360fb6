// From a request target to a file under the root, safely.
//
// The target is the client's to choose, and some clients are hostile. We
// serve files under ROOT and nothing else, whatever the path says:
//
//   /../../etc/passwd     `..` climbs out of ROOT
//   /%2e%2e/etc/passwd    the same, percent-encoded
//   /%2fetc/passwd        decodes to `//etc/passwd`
//
// and in Rust, `root.join("/etc/passwd")` is `/etc/passwd`: joining an
// absolute path throws the root away. So never join the path as a whole.
// Split it at '/', refuse any `..`, and push the plain names onto ROOT one at
// a time. Last, resolve symbolic links and check that the real file is still
// under the (already resolved) root.
//
// `resolve_path` is written for you; the steps it calls are yours.

use crate::response::{Status, BAD_REQUEST, FORBIDDEN, NOT_FOUND};
use std::path::{Path, PathBuf};

/// The file that `target` names under `root`, or the status to answer.
/// `root` must be canonical (absolute, without symlinks).
pub fn resolve_path(root: &Path, target: &str) -> Result<PathBuf, Status> {
    // The query string (`?a=1`) is not part of the path.
    let path = target.split_once('?').map_or(target, |(path, _query)| path);
    // Decode first, check after: `%2e%2e` must be seen as `..`.
    let bytes = percent_decode(path).ok_or(BAD_REQUEST)?;
    // Our file names are UTF-8; other bytes cannot name one of them.
    let path = String::from_utf8(bytes).map_err(|_| NOT_FOUND)?;
    let file = join_segments(root, &path).ok_or(FORBIDDEN)?;
    real_file(root, file)
}

/// `%41` → `A`. Decodes to bytes: `%ff` is one byte, not valid UTF-8 on its
/// own. `None` if a `%` is not followed by two hex digits.
pub fn percent_decode(s: &str) -> Option<Vec<u8>> {
    // TODO: copy the bytes of `s`, except that a `%` and the two hex digits
    // after it become the one byte they spell: `%20` is a space, `%2F` a '/'
    // (the page's "Serving files, and only those"). Anything else after a `%`
    // (`%zz`, or a `%4` at the very end) is `None`. Look up `u8::from_str_radix`
    // and `u8::is_ascii_hexdigit`. Pitfalls: decode to bytes, not to chars:
    // `%C3%A9` is two bytes that make one `é` together; and `from_str_radix`
    // alone accepts "+1", so check both digits first.
    let _ = s; // only so the skeleton compiles without warnings: delete this line
    todo!("percent-decode the path into bytes")
}

/// `root` + the segments of the decoded `path`, one by one. `None` if a
/// segment could leave the root.
pub fn join_segments(root: &Path, path: &str) -> Option<PathBuf> {
    // TODO: build the path one segment at a time, never joining the path as a
    // whole (the top of this file says why). Look up `str::split` and
    // `PathBuf::push`. Empty segments (from `//` and the leading '/') and `.`
    // add nothing; `..`, or a segment holding a NUL or a '\\', is `None`; any
    // other segment is pushed onto a copy of `root`. Pitfall: `push` of an
    // absolute path replaces everything before it; a segment with no '/' in it
    // can never be one, which is why we split first.
    let _ = (root, path); // only so the skeleton compiles without warnings: delete this line
    todo!("join the segments of the path onto the root, refusing `..`")
}

/// The file to send for `file`: itself, or the `index.html` in it if it is
/// a directory; with symlinks resolved, and still under `root`.
pub fn real_file(root: &Path, file: PathBuf) -> Result<PathBuf, Status> {
    // TODO: the real file behind the path, or the status that refuses it
    // (the page's "Serving files, and only those"). A directory means the
    // `index.html` in it. Look up `Path::canonicalize`: it fails for a file
    // that does not exist (NOT_FOUND) and resolves symbolic links. Pitfalls:
    // a link inside `root` may point outside it: only the canonical path tells,
    // so it must still `starts_with(root)`, or FORBIDDEN; and what is left may
    // be a directory or a device, not a file to send (NOT_FOUND).
    let _ = (root, file); // only so the skeleton compiles without warnings: delete this line
    todo!("find the real file under the root, or the status that refuses it")
}

/// The `Content-Type` for a file, from its extension.
pub fn content_type(path: &Path) -> &'static str {
    // TODO: the Content-Type from the file's extension, in any case (`PNG` is
    // `png`). The table of types is on the page, "The protocol" → Responses.
    // Look up `Path::extension` (an `OsStr`, and `None` when there is none)
    // and `str::to_ascii_lowercase`. Pitfall: text types carry
    // `; charset=utf-8`, or a browser may guess the encoding wrong; anything
    // unknown is `application/octet-stream`.
    let _ = path; // only so the skeleton compiles without warnings: delete this line
    todo!("choose the Content-Type from the extension")
}
