//! `mintup upload` burns every token it minted, once each, after its last
//! request, whatever the outcome; never a token the user gave; and a burn
//! that fails is a warning that leaves the exit status alone.

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::support::fake_index::{FakeIndex, Received, Reply};
use crate::support::oidc::{MINTED, audience, github_claims, github_endpoint, github_env, jwt};
use crate::support::{Run, bad, good, mintup, run};

const WHEEL: &str = "mintup_hatch_demo-0.4.2-py3-none-any.whl";
const SDIST: &str = "mintup_hatch_demo-0.4.2.tar.gz";
const BURN: &str = "/_/oidc/burn-token";

/// How the fake index behaves.
struct Index {
    /// Each upload's answer.
    upload: Box<dyn Fn() -> Reply + Send>,
    /// Each burn's answer.
    burn: Box<dyn Fn() -> Reply + Send>,
    /// The JSON API's answer for a release (asked when the test names it).
    release: Box<dyn Fn() -> Reply + Send>,
    /// Seconds a minted token lives.
    lifetime: u64,
}

impl Default for Index {
    fn default() -> Self {
        Index {
            upload: Box::new(Reply::ok),
            burn: Box::new(|| {
                Reply::status(202, r#"{"message": "Accepted", "errors": []}"#)
                    .header("content-type", "application/json")
            }),
            release: Box::new(|| Reply::status(404, "Not Found")),
            lifetime: 900,
        }
    }
}

/// A GitHub job and an index that mints a new token on each mint request
/// (`MINTED`, then `pypi-ReMiNtEd-2`, …).
struct Job {
    home: tempfile::TempDir,
    env: Vec<(String, String)>,
    index: FakeIndex,
    _github: FakeIndex,
}

impl Job {
    fn new(index: Index) -> Self {
        let claims = github_claims("testindex");
        let token = jwt(&claims);
        let github = github_endpoint(claims);
        let home = tempfile::tempdir().unwrap();
        let env = github_env(&github, home.path());
        let mints = Arc::new(Mutex::new(0));
        let fake = FakeIndex::start(move |req| match req.path.as_str() {
            "/_/oidc/audience" => audience("testindex"),
            "/_/oidc/mint-token" if req.text.contains(&token) => {
                let mut n = mints.lock().unwrap();
                *n += 1;
                let minted = match *n {
                    1 => MINTED.to_owned(),
                    n => format!("pypi-ReMiNtEd-{n}"),
                };
                let expires = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap()
                    .as_secs()
                    + index.lifetime;
                Reply::status(
                    200,
                    &serde_json::json!({"success": true, "token": minted, "expires": expires})
                        .to_string(),
                )
                .header("content-type", "application/json")
            }
            BURN => (index.burn)(),
            path if path.starts_with("/pypi/") => (index.release)(),
            "/legacy/" => (index.upload)(),
            _ => Reply::status(404, "not here"),
        });
        Job {
            home,
            env,
            index: fake,
            _github: github,
        }
    }

    fn command(&self, extra: &[&str], files: &[&str]) -> Command {
        let mut cmd = mintup(self.home.path());
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)))
            .args([
                "upload",
                "--repository-url",
                &self.index.url,
                "--retries",
                "0",
            ])
            .args(extra)
            .args(files.iter().map(|f| match f.strip_prefix("bad:") {
                Some(name) => bad(name),
                None => good(f),
            }));
        cmd
    }

    fn upload(&self, extra: &[&str], files: &[&str]) -> Run {
        run(&mut self.command(extra, files))
    }

    /// The tokens burned, in order, and each burn request.
    fn burned(&self) -> Vec<(String, Received)> {
        self.index
            .received()
            .into_iter()
            .filter(|r| r.path == BURN)
            .map(|r| {
                let body: serde_json::Value = serde_json::from_str(&r.text).unwrap();
                (body["token"].as_str().unwrap().to_owned(), r)
            })
            .collect()
    }
}

#[test]
fn a_successful_upload_burns_its_token_after_the_last_request() {
    let job = Job::new(Index::default());
    let out = job.upload(&[], &[WHEEL, SDIST]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let burned = job.burned();
    assert_eq!(burned.len(), 1);
    assert_eq!(burned[0].0, MINTED);
    assert_eq!(burned[0].1.method, "POST");
    assert_eq!(burned[0].1.header("authorization"), None);
    let paths: Vec<String> = job.index.received().into_iter().map(|r| r.path).collect();
    assert_eq!(paths.last().map(String::as_str), Some(BURN), "{paths:?}");
    out.stderr_has(&format!(
        "burn requested for the minted token: {}{BURN} answered 202",
        job.index.base()
    ));
    assert!(!out.stderr.contains("revoked"));
}

#[test]
fn failures_skips_and_refused_files_burn_it_too() {
    // Refused by the index.
    let job = Job::new(Index {
        upload: Box::new(|| Reply::status(400, "Invalid distribution")),
        ..Index::default()
    });
    let out = job.upload(&[], &[WHEEL]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(job.burned().len(), 1);

    // Every file already there.
    let job = Job::new(Index {
        upload: Box::new(|| Reply::status(409, "File already exists")),
        ..Index::default()
    });
    let out = job.upload(&["--skip-existing", "--no-check-url"], &[WHEEL, SDIST]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.results("skipped"), 2, "{}", out.stdout);
    assert_eq!(job.burned().len(), 1);

    // A file that cannot be read stops the batch before the first upload.
    let job = Job::new(Index::default());
    let out = job.upload(&[], &[WHEEL, "bad:truncated-1.0-py3-none-any.whl"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let received = job.index.received();
    assert!(received.iter().all(|r| r.path != "/legacy/"));
    assert_eq!(job.burned().len(), 1);
}

#[test]
fn re_minted_tokens_are_burned_once_each() {
    // Tokens that live a minute: every attempt mints a fresh one.
    let job = Job::new(Index {
        lifetime: 60,
        ..Index::default()
    });
    let out = job.upload(&["--jobs", "1"], &[WHEEL, SDIST]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut tokens: Vec<String> = job.burned().into_iter().map(|(t, _)| t).collect();
    tokens.sort();
    assert_eq!(tokens, vec![MINTED, "pypi-ReMiNtEd-2", "pypi-ReMiNtEd-3"]);
}

#[test]
fn a_token_the_user_gave_is_never_burned() {
    let job = Job::new(Index::default());
    let out = job.upload(&["-t", "pypi-user-given-token"], &[WHEEL]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(job.burned().is_empty());
    assert!(job.index.received().iter().all(|r| r.path == "/legacy/"));
}

#[test]
fn a_failed_burn_is_retried_once_then_a_warning_and_the_exit_stands() {
    let job = Job::new(Index {
        burn: Box::new(|| Reply::status(503, "busy")),
        ..Index::default()
    });
    let out = job.upload(&[], &[WHEEL]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(job.burned().len(), 2, "one retry");
    out.stderr_has("warning: could not burn the minted token")
        .stderr_has("::warning::could not burn the minted token");
}

/// Run `command`, send SIGINT once `reached` is true of the index's
/// requests, and wait for the end: stderr and the exit status.
fn interrupt_when(
    job: &Job,
    mut command: Command,
    reached: impl Fn(&[Received]) -> bool,
) -> (String, Option<i32>) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !reached(&job.index.received()) {
        assert!(Instant::now() < deadline, "the request never arrived");
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("mintup did not end after the signal");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let mask = format!("::add-mask::{MINTED}");
    assert!(
        stderr.lines().all(|l| l == mask || !l.contains(MINTED)),
        "{stderr}"
    );
    (stderr, out.status.code())
}

#[test]
fn an_interrupted_upload_burns_its_token() {
    let job = Job::new(Index {
        upload: Box::new(|| Reply::ok().after(Duration::from_secs(5))),
        ..Index::default()
    });
    let command = job.command(&["--jobs", "1"], &[WHEEL, SDIST]);
    let (stderr, code) = interrupt_when(&job, command, |received| {
        received.iter().any(|r| r.path == "/legacy/")
    });
    assert_eq!(code, Some(130), "{stderr}");
    assert_eq!(job.burned().len(), 1, "{stderr}");
}

#[test]
fn a_signal_before_the_first_upload_sends_nothing_and_burns_the_token() {
    // The JSON API takes its time; Ctrl-C comes while it is asked.
    let job = Job::new(Index {
        release: Box::new(|| Reply::status(404, "Not Found").after(Duration::from_secs(10))),
        ..Index::default()
    });
    let mut command = job.command(&[], &[WHEEL, SDIST]);
    command.env("MINTUP_JSON_API_URL", job.index.at("/pypi/"));
    let (stderr, code) = interrupt_when(&job, command, |received| {
        received.iter().any(|r| r.path.starts_with("/pypi/"))
    });
    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("not sent"), "{stderr}");
    assert!(
        job.index.received().iter().all(|r| r.path != "/legacy/"),
        "a file was sent"
    );
    assert_eq!(job.burned().len(), 1, "{stderr}");
}
