//! The context of one check: [`Ctx`] starts the program under test
//! ([`Ctx::spawn`]), keeps the log of every program it started and the
//! [`Transcript`] of the wire, and remembers, through [`Roles`], which
//! roles never became ready in an earlier check of the run.

use super::process::{self, Program, ProgramLog};
use super::roles::{self, Roles};
use super::{Failure, Timing, Transcript};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Everything a check works with.
pub struct Ctx {
    target: Vec<String>,
    pub timing: Timing,
    transcript: Transcript,
    logs: Vec<Arc<ProgramLog>>,
    channels: usize,
    /// What the lesson run remembers between checks, and this check's name.
    roles: Roles,
    check: String,
    /// The role key of each program started, by its log.
    keys: Vec<(Arc<ProgramLog>, String)>,
    /// When each program's output ended (both streams closed), as a thread
    /// watching it saw: a program whose output ended before the check
    /// failed had ended by itself.
    output_ends: Vec<(Arc<ProgramLog>, Arc<std::sync::OnceLock<Instant>>)>,
    /// What the programs this check starts may read and write, besides
    /// the system and their own scratch folder.
    grants: crate::os::Grants,
}

impl Ctx {
    /// A context that runs `target` (a command line) followed by role
    /// arguments, for the check `check` of a lesson run that shares `roles`
    /// between its checks: a role that never became ready in one check is
    /// not started again in the next (see [`roles`]).
    pub fn in_run(target: Vec<String>, timing: Timing, roles: Roles, check: &str) -> Ctx {
        Ctx {
            target,
            timing,
            transcript: Transcript::default(),
            logs: Vec::new(),
            channels: 0,
            roles,
            check: check.to_string(),
            keys: Vec::new(),
            output_ends: Vec::new(),
            grants: crate::os::Grants::default(),
        }
    }

    /// Lets the programs this check starts from now on read the folder (or
    /// file) `path`, even in the strict sandbox of `grade`.
    pub fn grant_read(&mut self, path: &std::path::Path) {
        self.grants.read.push(path.to_path_buf());
    }

    /// Lets the programs this check starts from now on write in the folder `path`.
    pub fn grant_write(&mut self, path: &std::path::Path) {
        self.grants.write.push(path.to_path_buf());
    }

    /// When the output of the program with `log` ended, if it has.
    pub fn output_ended_at(&self, log: &Arc<ProgramLog>) -> Option<Instant> {
        self.output_ends.iter().find(|(l, _)| Arc::ptr_eq(l, log)).and_then(|(_, at)| at.get().copied())
    }

    /// Notes the moment the output of `log`'s program ends (bounded wait).
    fn watch_output_end(&mut self, log: &Arc<ProgramLog>) {
        let ended = Arc::new(std::sync::OnceLock::new());
        self.output_ends.push((Arc::clone(log), Arc::clone(&ended)));
        let log = Arc::clone(log);
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(600);
            let _ = log.stdout.wait_for(deadline, |_| false);
            let _ = log.stderr.wait_for(deadline, |_| false);
            if Instant::now() < deadline {
                let _ = ended.set(Instant::now());
            }
        });
    }

    fn key_of(&self, program: &Program) -> Option<&str> {
        self.keys.iter().find(|(log, _)| Arc::ptr_eq(log, program.log())).map(|(_, key)| key.as_str())
    }

    /// `program` became ready (it listens, connected, answered, printed):
    /// its role is judged check by check from now on.
    pub fn mark_ready(&self, program: &Program) {
        if let Some(key) = self.key_of(program) {
            self.roles.ready(key);
        }
    }

    /// `program` kept running for the whole ready deadline without becoming
    /// ready; `cause` says so ("the server never listened on … within 2000
    /// ms"). Later checks that start the same role fail at once with it.
    pub fn mark_never_ready(&self, program: &mut Program, cause: String) {
        if program.try_status().is_some() {
            return;
        }
        if let Some(key) = self.key_of(program) {
            self.roles.stuck(key, cause, &self.check);
        }
    }

    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// The programs this check started.
    pub fn logs(&self) -> &[Arc<ProgramLog>] {
        &self.logs
    }

    /// The next label for a connection or socket: "conn 1", "conn 2"...
    pub fn next_label(&mut self, kind: &str) -> String {
        self.channels += 1;
        format!("{kind} {}", self.channels)
    }

    /// The command line for the program under test with `args` appended.
    pub fn command(&self, args: &[String]) -> Vec<String> {
        self.target.iter().chain(args).cloned().collect()
    }

    /// Starts the program under test with `args` (stdin closed).
    pub fn spawn(&mut self, label: &str, args: &[String]) -> Result<Program, Failure> {
        self.spawn_inner(label, args, false)
    }

    /// Starts the program under test with `args` and a pipe to its stdin.
    pub fn spawn_with_stdin(&mut self, label: &str, args: &[String]) -> Result<Program, Failure> {
        self.spawn_inner(label, args, true)
    }

    fn spawn_inner(&mut self, label: &str, args: &[String], stdin: bool) -> Result<Program, Failure> {
        let argv = self.command(args);
        let key = roles::key(label, args);
        if let Some(earlier) = self.roles.never_ready(&key) {
            return Err(Failure::new(
                format!("did not start the {label} again"),
                format!("the {label} to become ready"),
                format!("not run: {} (see the check `{}`)", earlier.cause, earlier.check),
            )
            .hint(format!(
                "Fix what the check `{}` shows first: this check starts the {label} the same way.",
                earlier.check
            ))
            .stopped_by(earlier.check.clone()));
        }
        // The files named on the target's own command line (`--cmd "python3
        // x.py"`) are the program's too.
        let mut grants = self.grants.clone();
        grants.read.extend(self.target.iter().map(std::path::PathBuf::from).filter(|p| p.exists()));
        let program = Program::spawn_as(label, &argv, stdin, crate::os::Kind::Program, &grants).map_err(|err| {
            Failure::new(
                format!("started `{}`", process::display_command(&argv)),
                "the program to start",
                format!("it could not be started: {err}"),
            )
            .hint(
                "Check that the program exists and is executable. With --cmd, give the whole \
                 command line, e.g. --cmd \"python3 my_server.py\".",
            )
            .cannot_run()
        })?;
        self.logs.push(Arc::clone(program.log()));
        self.keys.push((Arc::clone(program.log()), key));
        self.watch_output_end(program.log());
        Ok(program)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str) -> Vec<String> {
        // `sh -c SCRIPT` takes the role as $0 and its arguments as $1...
        vec!["sh".into(), "-c".into(), script.into()]
    }

    /// Deadlines a tenth of the usual: these programs never become ready.
    const FAST: Timing = Timing::scaled(0.1);

    #[test]
    fn a_server_that_never_listens_is_waited_for_once_per_run() {
        let roles = Roles::default();
        let mut first = Ctx::in_run(sh("sleep 5"), FAST, roles.clone(), "first check");
        let failure = first.start_server(|addr| vec!["server".into(), addr.into()]).err().unwrap();
        assert!(failure.stopped_by.is_none(), "{failure:?}");
        let mut later = Ctx::in_run(sh("sleep 5"), FAST, roles.clone(), "later check");
        let failure = later.start_server(|addr| vec!["server".into(), addr.into()]).err().unwrap();
        assert_eq!(failure.stopped_by.as_deref(), Some("first check"));
        assert!(failure.got.starts_with("not run: the server never listened on 127.0.0.1:"), "{}", failure.got);
        assert!(later.logs().is_empty(), "no program was started");
        // Another role, or the same role with other options, still runs.
        let mut other = Ctx::in_run(sh("sleep 5"), FAST, roles, "other check");
        assert!(other.spawn("server", &["server".into(), "127.0.0.1:9".into(), "--idle".into()]).is_ok());
        assert!(other.spawn("client", &["client".into()]).is_ok());
    }

    #[test]
    fn a_program_that_exits_is_started_again_in_the_next_check() {
        let roles = Roles::default();
        for check in ["first", "second"] {
            let mut ctx = Ctx::in_run(sh("exit 3"), FAST, roles.clone(), check);
            let failure = ctx.start_server(|addr| vec!["server".into(), addr.into()]).err().unwrap();
            assert!(failure.stopped_by.is_none(), "{failure:?}");
            assert!(failure.got.contains("exited with status 3"), "{}", failure.got);
        }
    }

    #[test]
    fn a_program_whose_output_ended_before_the_failure_had_ended_by_itself() {
        let mut ctx = Ctx::in_run(sh("echo bye"), FAST, Roles::default(), "check");
        let program = ctx.spawn("client", &["client".into()]).unwrap();
        let log = Arc::clone(program.log());
        let deadline = Instant::now() + Duration::from_secs(5);
        while ctx.output_ended_at(&log).is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        let failure = Failure::new("did", "expected", "got");
        drop(program);
        assert!(ctx.output_ended_at(&log).unwrap() < failure.at.unwrap());
    }
}
