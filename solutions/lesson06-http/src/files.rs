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
// absolute path throws the root away. So we never join the path as a whole.
// We split it at '/', refuse any `..`, and push the plain names onto ROOT one
// at a time. Last, we resolve symbolic links and check that the real file is
// still under the (already resolved) root.

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
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            // Check the digits ourselves: `from_str_radix` would accept "+1".
            let hex = s.get(i + 1..i + 3).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// `root` + the segments of the decoded `path`, one by one. `None` if a
/// segment could leave the root.
pub fn join_segments(root: &Path, path: &str) -> Option<PathBuf> {
    let mut file = root.to_path_buf();
    for segment in path.split('/') {
        match segment {
            // `//` and `/./` add nothing. Skipping empty segments is also
            // what keeps a segment from ever being an absolute path.
            "" | "." => {}
            ".." => return None,
            // NUL ends a path for the system; `\` separates on Windows.
            s if s.contains(['\0', '\\']) => return None,
            s => file.push(s),
        }
    }
    Some(file)
}

/// The file to send for `file`: itself, or the `index.html` in it if it is
/// a directory; with symlinks resolved, and still under `root`.
pub fn real_file(root: &Path, file: PathBuf) -> Result<PathBuf, Status> {
    // `/`, or any directory, means the `index.html` in it.
    let file = if file.is_dir() { file.join("index.html") } else { file };
    // `canonicalize` fails if the file does not exist, and follows symlinks:
    // a link inside ROOT that points outside it ends up outside, and is refused.
    let real = file.canonicalize().map_err(|_| NOT_FOUND)?;
    if !real.starts_with(root) {
        return Err(FORBIDDEN);
    }
    // A directory called `index.html`, a device, a named pipe...: not a file to send.
    if !real.is_file() {
        return Err(NOT_FOUND);
    }
    Ok(real)
}

/// The `Content-Type` for a file, from its extension.
pub fn content_type(path: &Path) -> &'static str {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    // Text types say their encoding, or a browser may guess it wrong.
    match extension.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        // Unknown: plain bytes. A browser offers to save them.
        _ => "application/octet-stream",
    }
}
