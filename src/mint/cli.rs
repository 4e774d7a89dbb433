//! Running a CI provider's token CLI (`buildkite-agent`, `circleci`) with a
//! bound on its time and its output: a hung agent must not hold a release,
//! and nothing it prints is read without end.

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Longer than either CLI takes to ask its agent for a token (a second or
/// two), short enough that a hung one fails the job rather than stalls it.
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// Per stream: a token is about a KiB, and an error a few lines.
pub const MAX_OUTPUT: u64 = 64 * 1024;
/// How often the child is looked at while it runs.
const POLL: Duration = Duration::from_millis(20);

/// The bounds a run is held to.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub timeout: Duration,
    pub max_output: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: TIMEOUT,
            max_output: MAX_OUTPUT,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("could not start it")]
    Spawn(#[source] std::io::Error),
    #[error("it ran longer than {} s and was stopped", .0.as_secs_f32())]
    TimedOut(Duration),
    #[error("it printed more than {} KiB and was stopped", .0 >> 10)]
    TooMuchOutput(u64),
}

/// What the CLI said and how it ended.
#[derive(Debug)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Run `command` within `limits`; on expiry or too much output the child
/// is killed (and reaped) before the error is returned. Blocking.
pub fn run(mut command: Command, limits: Limits) -> Result<Output, CliError> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(CliError::Spawn)?;
    let deadline = Instant::now() + limits.timeout;
    let mut streams = [
        Stream::collect(child.stdout.take(), limits.max_output),
        Stream::collect(child.stderr.take(), limits.max_output),
    ];
    let status = loop {
        // A CLI that talks without end blocks on its full pipe once the
        // reader stops, so the readers are looked at first.
        for stream in &mut streams {
            if stream
                .poll(Duration::ZERO)
                .is_some_and(|b| b.len() as u64 > limits.max_output)
            {
                return Err(stop(child, CliError::TooMuchOutput(limits.max_output)));
            }
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => thread::sleep(POLL),
            Ok(None) => return Err(stop(child, CliError::TimedOut(limits.timeout))),
            Err(e) => return Err(stop(child, CliError::Spawn(e))),
        }
    };
    // A grandchild may still hold the pipes open: wait for the readers only
    // until the deadline.
    let [stdout, stderr] = streams.map(|mut stream| {
        match stream.poll(deadline.saturating_duration_since(Instant::now())) {
            Some(bytes) if bytes.len() as u64 > limits.max_output => {
                Err(CliError::TooMuchOutput(limits.max_output))
            }
            Some(bytes) => Ok(std::mem::take(bytes)),
            None => Err(CliError::TimedOut(limits.timeout)),
        }
    });
    Ok(Output {
        status,
        stdout: stdout?,
        stderr: stderr?,
    })
}

/// One output stream, read on a thread of its own at most one byte past
/// the limit.
struct Stream {
    done: Option<Vec<u8>>,
    receiver: mpsc::Receiver<Vec<u8>>,
}

impl Stream {
    fn collect(stream: Option<impl Read + Send + 'static>, max: u64) -> Self {
        let (tx, receiver) = mpsc::channel();
        thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(stream) = stream {
                // A read error ends the output as its end does.
                let _ = stream.take(max + 1).read_to_end(&mut bytes);
            }
            let _ = tx.send(bytes);
        });
        Stream {
            done: None,
            receiver,
        }
    }

    /// The whole output, once the reader has it; waits up to `wait`.
    fn poll(&mut self, wait: Duration) -> Option<&mut Vec<u8>> {
        if self.done.is_none() {
            self.done = self.receiver.recv_timeout(wait).ok();
        }
        self.done.as_mut()
    }
}

fn stop(mut child: Child, error: CliError) -> CliError {
    // It may have exited in the meantime; either way it is reaped.
    let _ = child.kill();
    let _ = child.wait();
    error
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    /// A `buildkite-agent` on a PATH of its own that runs `script`.
    fn fake_agent(dir: &std::path::Path, script: &str) -> Command {
        let path = dir.join("buildkite-agent");
        std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut command = Command::new("buildkite-agent");
        command.env("PATH", format!("{}:/usr/bin:/bin", dir.display()));
        command
    }

    fn short(max_output: u64) -> Limits {
        Limits {
            timeout: Duration::from_millis(300),
            max_output,
        }
    }

    #[test]
    fn a_hung_cli_is_stopped_and_killed() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        let agent = fake_agent(
            dir.path(),
            &format!("echo $$ > {}\nexec sleep 600", pid_file.display()),
        );
        let err = run(agent, short(MAX_OUTPUT)).unwrap_err();
        assert!(matches!(err, CliError::TimedOut(_)), "{err}");
        assert_eq!(err.to_string(), "it ran longer than 0.3 s and was stopped");
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        let alive = Command::new("kill")
            .args(["-0", pid.trim()])
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(!alive.success(), "the agent (pid {pid}) was killed");
    }

    #[test]
    fn a_cli_that_talks_without_end_is_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let agent = fake_agent(dir.path(), "exec yes");
        let err = run(agent, short(1024)).unwrap_err();
        assert!(matches!(err, CliError::TooMuchOutput(1024)), "{err}");
    }

    #[test]
    fn a_quick_cli_gives_its_output() {
        let dir = tempfile::tempdir().unwrap();
        let agent = fake_agent(dir.path(), "echo token; echo note >&2; exit 3");
        let output = run(agent, Limits::default()).unwrap();
        assert_eq!(output.stdout, b"token\n");
        assert_eq!(output.stderr, b"note\n");
        assert_eq!(output.status.code(), Some(3));
    }
}
