//! The launcher's stages, each this same executable run with a hidden
//! subcommand ([`LAUNCHER`], [`INIT`], [`EXEC`]) and the options of a
//! [`Spec`], which each stage passes on to the next.

use super::{backend, Grants, Kind, Limits, Mode};
use std::path::PathBuf;

/// The hidden subcommands of the launcher's stages.
pub const LAUNCHER: &str = "__contain";
pub const INIT: &str = "__contain-init";
pub const EXEC: &str = "__contain-exec";

/// Runs a launcher stage if `args` (the command line, without the program
/// name) asks for one; otherwise returns.
pub fn run_stage_if_asked(args: &[String]) {
    let Some(stage) = args.first() else { return };
    if ![LAUNCHER, INIT, EXEC].contains(&stage.as_str()) {
        return;
    }
    let spec = match Spec::parse(&args[1..]) {
        Ok(spec) => spec,
        Err(err) => {
            eprintln!("checker {stage}: {err}");
            std::process::exit(125);
        }
    };
    match stage.as_str() {
        LAUNCHER => backend::launcher(spec),
        INIT => backend::init(spec),
        _ => backend::exec(spec),
    }
}

/// The options of a launcher stage.
#[derive(Clone, Debug)]
pub struct Spec {
    pub parent: Option<u32>,
    pub mode: Mode,
    pub kind: Kind,
    pub limits: Limits,
    pub tmp: Option<PathBuf>,
    pub grants: Grants,
    /// Init only: where to write the program's status, and the launcher's pid.
    pub status_fd: Option<i32>,
    pub launcher: Option<u32>,
    pub program: Vec<String>,
}

impl Spec {
    fn parse(args: &[String]) -> Result<Spec, String> {
        let mut spec = Spec {
            parent: None,
            mode: Mode::Off,
            kind: Kind::Helper,
            limits: Limits { memory: 0, processes: 0, file_size: 0 },
            tmp: None,
            grants: Grants::default(),
            status_fd: None,
            launcher: None,
            program: Vec::new(),
        };
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            if flag == "--" {
                spec.program = args.cloned().collect();
                break;
            }
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            let number = || value.parse::<u64>().map_err(|_| format!("{flag} {value}: not a number"));
            match flag.as_str() {
                "--parent" => spec.parent = Some(number()? as u32),
                "--launcher" => spec.launcher = Some(number()? as u32),
                "--status-fd" => spec.status_fd = Some(number()? as i32),
                "--mode" => spec.mode = Mode::parse(value).ok_or_else(|| format!("unknown mode {value}"))?,
                "--kind" => {
                    spec.kind = match value.as_str() {
                        "program" => Kind::Program,
                        "build" => Kind::Build,
                        _ => Kind::Helper,
                    }
                }
                "--memory" => spec.limits.memory = number()?,
                "--processes" => spec.limits.processes = number()?,
                "--file-size" => spec.limits.file_size = number()?,
                "--tmp" => spec.tmp = Some(PathBuf::from(value)),
                "--read" => spec.grants.read.push(PathBuf::from(value)),
                "--write" => spec.grants.write.push(PathBuf::from(value)),
                _ => return Err(format!("unknown option {flag}")),
            }
        }
        if spec.program.is_empty() {
            return Err("no program to run (expected `-- PROGRAM ARGS`)".to_string());
        }
        Ok(spec)
    }

    /// The options again, for the next stage.
    pub(super) fn to_args(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut push = |flag: &str, value: String| {
            out.push(flag.to_string());
            out.push(value);
        };
        push("--mode", self.mode.as_str().to_string());
        push("--kind", format!("{:?}", self.kind).to_lowercase());
        push("--memory", self.limits.memory.to_string());
        push("--processes", self.limits.processes.to_string());
        push("--file-size", self.limits.file_size.to_string());
        if let Some(tmp) = &self.tmp {
            push("--tmp", tmp.display().to_string());
        }
        for path in &self.grants.read {
            push("--read", path.display().to_string());
        }
        for path in &self.grants.write {
            push("--write", path.display().to_string());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn specs_survive_the_round_trip() {
        let grants = Grants { read: vec!["/a b".into()], write: vec!["/c".into()] };
        let spec = Spec {
            parent: None,
            mode: Mode::Strict,
            kind: Kind::Program,
            limits: Limits::default(),
            tmp: Some("/tmp/x".into()),
            grants,
            status_fd: None,
            launcher: None,
            program: vec![],
        };
        let mut args = spec.to_args();
        args.extend(["--".to_string(), "prog".to_string(), "--mode".to_string()]);
        let back = Spec::parse(&args).unwrap();
        assert_eq!(back.mode, Mode::Strict);
        assert_eq!(back.kind, Kind::Program);
        assert_eq!(back.limits, Limits::default());
        assert_eq!(back.grants.read, vec![PathBuf::from("/a b")]);
        assert_eq!(back.program, vec!["prog".to_string(), "--mode".to_string()]);
        assert!(Spec::parse(&["--mode".into(), "strict".into()]).is_err(), "no program");
    }
}
