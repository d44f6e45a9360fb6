//! Naming the limit that ended a program, in plain words ([`limit_hit`]).

use super::{backend, Limits, MIB};

/// What a limit in plain words means for a program that ended this way,
/// given its stderr; `None` when no limit explains it.
pub fn limit_hit(signal: Option<i32>, stderr: &str, limits: Limits) -> Option<String> {
    let human = |bytes: u64| {
        if bytes >= 1 << 30 && bytes % (1 << 30) == 0 {
            format!("{} GiB", bytes >> 30)
        } else {
            format!("{} MiB", bytes.div_ceil(MIB))
        }
    };
    let xfsz = backend::SIGXFSZ;
    if signal == Some(xfsz) || (stderr.contains("File too large") && limits.file_size > 0) {
        return Some(format!(
            "your program wrote a file larger than {}, the limit for one file, and was stopped",
            human(limits.file_size)
        ));
    }
    if limits.memory > 0
        && (stderr.contains("memory allocation of")
            || stderr.contains("more memory than available")
            || stderr.contains("MemoryError")
            || stderr.contains("Cannot allocate memory")
            || stderr.contains("out of memory"))
    {
        return Some(format!(
            "your program used more than {} of memory, the limit for one program, and was stopped",
            human(limits.memory)
        ));
    }
    if limits.processes > 0
        && (stderr.contains("Resource temporarily unavailable") || stderr.contains("os error 11"))
        && (stderr.contains("thread") || stderr.contains("fork") || stderr.contains("spawn"))
    {
        return Some(format!(
            "your program tried to run more than {} processes and threads at once, the limit, and could not \
             start another",
            limits.processes
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::os::backend;

    #[test]
    fn limits_are_named_in_plain_words() {
        let limits = Limits::default();
        let memory = limit_hit(Some(6), "memory allocation of 2147483648 bytes failed\n", limits).unwrap();
        assert!(memory.contains("more than 1 GiB of memory"), "{memory}");
        let file = limit_hit(Some(backend::SIGXFSZ), "", limits).unwrap();
        assert!(file.contains("larger than 512 MiB"), "{file}");
        assert_eq!(limit_hit(Some(6), "thread 'main' panicked", limits), None);
    }
}
