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
    // TODO: copy the bytes of `s`, except that `%` and two hex digits become
    // the one byte they spell (`%2F` → b'/', `%20` → b' '). `%` followed by
    // anything else (`%zz`, `%4` at the end) → `None`. Careful:
    // `u8::from_str_radix("+1", 16)` is `Ok(1)`, so check the two digits
    // with `is_ascii_hexdigit` first.
    todo!("percent-decode {s:?} into bytes")
}

/// `root` + the segments of the decoded `path`, one by one. `None` if a
/// segment could leave the root.
pub fn join_segments(root: &Path, path: &str) -> Option<PathBuf> {
    // TODO: start from `root.to_path_buf()` and go through `path.split('/')`:
    // - skip "" (from `//` or the leading '/') and ".";
    // - `..`, or a segment containing '\0' or '\\', → `None`;
    // - `push` any other segment.
    // A segment pushed this way can never be absolute, since it has no '/'.
    todo!("join the segments of {path:?} onto {}", root.display())
}

/// The file to send for `file`: itself, or the `index.html` in it if it is
/// a directory; with symlinks resolved, and still under `root`.
pub fn real_file(root: &Path, file: PathBuf) -> Result<PathBuf, Status> {
    // TODO:
    // - if `file.is_dir()`, use `file.join("index.html")` instead;
    // - `canonicalize()` it: that fails if it does not exist (NOT_FOUND) and
    //   resolves symlinks, so a link to somewhere outside shows up as outside;
    // - the result must `starts_with(root)`, or FORBIDDEN;
    // - and `is_file()` (not a directory, a device...), or NOT_FOUND.
    todo!("find the real file for {} under {}", file.display(), root.display())
}

/// The `Content-Type` for a file, from its extension.
pub fn content_type(path: &Path) -> &'static str {
    // TODO: match on the extension (`path.extension()`, in lower case):
    //   html, htm → "text/html; charset=utf-8"
    //   css       → "text/css; charset=utf-8"
    //   js, mjs   → "text/javascript; charset=utf-8"
    //   txt       → "text/plain; charset=utf-8"
    //   json      → "application/json"
    //   svg       → "image/svg+xml"
    //   png       → "image/png"
    //   jpg, jpeg → "image/jpeg"
    //   gif       → "image/gif"
    //   ico       → "image/x-icon"
    //   anything else, or no extension → "application/octet-stream"
    todo!("choose the Content-Type of {}", path.display())
}
