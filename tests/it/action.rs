//! The GitHub Action's steps, run with bash in a simulated GitHub job: the
//! install step against a local server standing in for the release
//! download, then the publish and mint steps against the fake index and the
//! fake OIDC endpoint. Outputs, step summary, masks and exit status checked.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::support::fake_index::{FakeIndex, Reply};
use crate::support::oidc::{
    self, MINTED, audience, github_claims, github_endpoint, github_env, jwt,
};
use crate::support::{Run, SECRET, good, raw_http, root, run, sha256_hex};

const VERSION_FILE: &str = "action/version";
const WHEEL: &str = "mintup_hatch_demo-0.4.2-py3-none-any.whl";

/// Serves files under `root` on 127.0.0.1 until dropped.
struct FileServer {
    url: String,
    _server: raw_http::Server,
}

impl FileServer {
    fn start(root: PathBuf) -> Self {
        let server = raw_http::Server::start(move |mut stream| {
            let Some(request) = raw_http::read_request(&mut stream) else {
                return;
            };
            let head = String::from_utf8_lossy(&request);
            let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let answer = match std::fs::read(root.join(path.trim_start_matches('/'))) {
                Ok(body) => {
                    let mut answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    answer.extend_from_slice(&body);
                    answer
                }
                Err(_) => {
                    b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                        .to_vec()
                }
            };
            let _ = stream.write_all(&answer);
        });
        FileServer {
            url: format!("http://127.0.0.1:{}", server.port),
            _server: server,
        }
    }
}

fn version() -> String {
    std::fs::read_to_string(root().join(VERSION_FILE))
        .unwrap()
        .trim()
        .to_owned()
}

/// A release directory as the release workflow publishes it: the Linux x64
/// archive (holding a `mintup` that runs the binary under test) and
/// SHA256SUMS; `tamper` makes the sums lie.
fn release(dir: &Path, tamper: bool) {
    let version = version();
    let tag = dir.join(format!("v{version}"));
    std::fs::create_dir_all(&tag).unwrap();
    let asset = format!("mintup-{version}-x86_64-unknown-linux-musl.tar.gz");
    let launcher = format!(
        "#!/bin/sh\nexec '{}' \"$@\"\n",
        env!("CARGO_BIN_EXE_mintup")
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    {
        let mut tar = tar::Builder::new(&mut gz);
        let mut header = tar::Header::new_gnu();
        header.set_size(launcher.len() as u64);
        header.set_mode(0o755);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, "mintup", launcher.as_bytes())
            .unwrap();
        tar.finish().unwrap();
    }
    let bytes = gz.finish().unwrap();
    let sum = if tamper {
        "0".repeat(64)
    } else {
        sha256_hex(&bytes)
    };
    std::fs::write(tag.join(&asset), bytes).unwrap();
    std::fs::write(tag.join("SHA256SUMS"), format!("{sum}  {asset}\n")).unwrap();
}

/// A simulated job: its HOME, output and summary files and environment.
struct Job {
    home: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Job {
    fn new(extra: Vec<(String, String)>) -> Self {
        let home = tempfile::tempdir().unwrap();
        let path = |name: &str| home.path().join(name).display().to_string();
        let mut env = vec![
            ("PATH".to_owned(), "/usr/local/bin:/usr/bin:/bin".to_owned()),
            ("HOME".to_owned(), home.path().display().to_string()),
            ("GITHUB_ACTIONS".to_owned(), "true".to_owned()),
            ("CI".to_owned(), "true".to_owned()),
            ("RUNNER_OS".to_owned(), "Linux".to_owned()),
            ("RUNNER_ARCH".to_owned(), "X64".to_owned()),
            ("RUNNER_TEMP".to_owned(), path("runner_temp")),
            ("GITHUB_OUTPUT".to_owned(), path("github_output")),
            ("GITHUB_STEP_SUMMARY".to_owned(), path("step_summary.md")),
        ];
        std::fs::create_dir_all(home.path().join("runner_temp")).unwrap();
        // GitHub's variables from `extra` replace the defaults above.
        env.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
        env.extend(extra);
        Job { home, env }
    }

    /// Run one of the action's scripts as its step would.
    fn step(&self, script: &str, inputs: &[(&str, &str)]) -> Run {
        run(std::process::Command::new("bash")
            .arg(root().join("action").join(script))
            .env_clear()
            .current_dir(self.home.path())
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .envs(inputs.iter().copied()))
    }

    /// The value of a step output.
    fn output(&self, name: &str) -> Option<String> {
        let text = std::fs::read_to_string(self.home.path().join("github_output")).ok()?;
        text.lines()
            .rev()
            .find_map(|l| l.strip_prefix(&format!("{name}=")).map(str::to_owned))
    }

    fn summary(&self) -> String {
        std::fs::read_to_string(self.home.path().join("step_summary.md")).unwrap_or_default()
    }

    /// The install step, against a release server: the binary's path.
    fn install(&self, releases: &FileServer) -> String {
        let out = self.step("install.sh", &[("MINTUP_RELEASES_URL", &releases.url)]);
        assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
        self.output("bin")
            .expect("the install step names the binary")
    }

    /// A dist/ directory in the workspace with the demo wheel.
    fn dist(&self) {
        let dist = self.home.path().join("dist");
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::copy(good(WHEEL), dist.join(WHEEL)).unwrap();
    }
}

fn served_release(tamper: bool) -> (tempfile::TempDir, FileServer) {
    let dir = tempfile::tempdir().unwrap();
    release(dir.path(), tamper);
    let server = FileServer::start(dir.path().to_path_buf());
    (dir, server)
}

#[test]
fn the_action_version_is_the_crate_version() {
    assert_eq!(version(), env!("CARGO_PKG_VERSION"));
}

#[test]
fn install_verifies_the_release_checksum() {
    let (_dir, releases) = served_release(false);
    let job = Job::new(Vec::new());
    let bin = job.install(&releases);
    assert!(bin.ends_with("/mintup"), "{bin}");
    // Installed once per job: a second step reuses it without a server.
    let out = job.step(
        "install.sh",
        &[("MINTUP_RELEASES_URL", "http://127.0.0.1:9")],
    );
    assert_eq!(out.code, 0, "{}", out.stdout);

    let (_dir, tampered) = served_release(true);
    let job = Job::new(Vec::new());
    let out = job.step("install.sh", &[("MINTUP_RELEASES_URL", &tampered.url)]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .contains("does not match the release's SHA256SUMS"),
        "{}",
        out.stdout
    );
    assert_eq!(job.output("bin"), None);

    let job = Job::new(vec![("RUNNER_ARCH".into(), "ARM".into())]);
    let out = job.step("install.sh", &[("MINTUP_RELEASES_URL", &releases.url)]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("no mintup release for Linux/ARM"),
        "{}",
        out.stdout
    );
}

#[test]
fn publish_with_a_token_reports_every_file() {
    let (_dir, releases) = served_release(false);
    let index = FakeIndex::accepting();
    let job = Job::new(Vec::new());
    let bin = job.install(&releases);
    job.dist();
    let out = job.step(
        "publish.sh",
        &[
            ("MINTUP_BIN", &bin),
            ("INPUT_USER", "__token__"),
            ("INPUT_PASSWORD", SECRET),
            ("INPUT_REPOSITORY_URL", &index.url),
            ("INPUT_ATTESTATIONS", "false"),
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report: serde_json::Value =
        serde_json::from_str(&job.output("report").expect("a report output")).unwrap();
    assert_eq!(report["files"][0]["filename"], WHEEL);
    let files: serde_json::Value =
        serde_json::from_str(&job.output("files").expect("a files output")).unwrap();
    assert_eq!(files, report["files"]);
    assert_eq!(report["files"][0]["result"], "uploaded");
    assert_eq!(
        report["files"][0]["sha256"],
        sha256_hex(&std::fs::read(good(WHEEL)).unwrap()).as_str()
    );
    // The log shows the result lines and digests (print-hash is on by default).
    assert!(
        out.stderr.contains(&format!("uploaded  {WHEEL}")),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("  sha256      "), "{}", out.stderr);
    assert!(
        job.summary().contains(&format!("| `{WHEEL}` |")),
        "{}",
        job.summary()
    );
    assert!(!job.summary().contains(SECRET));
    assert!(
        !std::fs::read_to_string(job.home.path().join("github_output"))
            .unwrap()
            .contains(SECRET)
    );
    // The password went in the environment, not on the command line.
    assert_eq!(index.received().len(), 1);

    let refusing = FakeIndex::always(Reply::json(
        403,
        "Invalid or non-existent authentication information.",
    ));
    let job = Job::new(Vec::new());
    let bin = job.install(&releases);
    job.dist();
    let out = job.step(
        "publish.sh",
        &[
            ("MINTUP_BIN", &bin),
            ("INPUT_PASSWORD", SECRET),
            ("INPUT_REPOSITORY_URL", &refusing.url),
        ],
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("::error title=mintup could not upload"),
        "{}",
        out.stderr
    );
    let report: serde_json::Value = serde_json::from_str(&job.output("report").unwrap()).unwrap();
    assert_eq!(report["files"][0]["error"]["status"], 403);
}

/// A job with `id-token: write`, its OIDC endpoint, and the token it issues.
fn oidc_job() -> (Job, FakeIndex, String) {
    let claims = github_claims("pypi");
    let endpoint = github_endpoint(claims.clone());
    let scratch = tempfile::tempdir().unwrap();
    let env: Vec<(String, String)> = github_env(&endpoint, scratch.path())
        .into_iter()
        .filter(|(k, _)| {
            k.starts_with("ACTIONS_ID_TOKEN")
                || k.starts_with("GITHUB_") && !k.ends_with("OUTPUT") && !k.ends_with("SUMMARY")
        })
        .collect();
    (Job::new(env), endpoint, jwt(&claims))
}

#[test]
fn publish_by_trusted_publishing_masks_the_token_first() {
    let (_dir, releases) = served_release(false);
    let (job, _endpoint, token) = oidc_job();
    let index = oidc::index(audience("pypi"), token);
    let bin = job.install(&releases);
    job.dist();
    let out = job.step(
        "publish.sh",
        &[("MINTUP_BIN", &bin), ("INPUT_REPOSITORY_URL", &index.url)],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr.lines().find(|l| l.contains(MINTED)),
        Some(format!("::add-mask::{MINTED}").as_str()),
        "the mask comes before anything else that carries the token"
    );
    assert!(
        job.output("report")
            .unwrap()
            .contains("\"result\":\"uploaded\"")
    );
    // Attestations are for PyPI and TestPyPI; this index gets a notice.
    assert!(
        out.stdout
            .contains("::notice title=mintup::attestations are generated only"),
        "{}",
        out.stdout
    );

    // A refused mint fails the step with the diagnosis in the summary.
    let (job, _endpoint, _token) = oidc_job();
    let index = oidc::index_with(audience("pypi"), |_| {
        oidc::refusal(
            "invalid-publisher",
            "valid token, but no corresponding publisher",
        )
    });
    let bin = job.install(&releases);
    job.dist();
    let out = job.step(
        "publish.sh",
        &[("MINTUP_BIN", &bin), ("INPUT_REPOSITORY_URL", &index.url)],
    );
    assert_eq!(out.code, 1);
    assert!(
        job.summary().contains("invalid-publisher"),
        "{}",
        job.summary()
    );
    assert!(index.received().iter().all(|r| r.path != "/legacy/"));
}

#[test]
fn the_mint_action_outputs_a_masked_token() {
    let (_dir, releases) = served_release(false);
    let (job, _endpoint, token) = oidc_job();
    let index = oidc::index(audience("pypi"), token);
    let bin = job.install(&releases);
    let out = job.step(
        "mint.sh",
        &[("MINTUP_BIN", &bin), ("INPUT_REPOSITORY_URL", &index.url)],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr.lines().next(),
        Some(format!("::add-mask::{MINTED}").as_str())
    );
    assert_eq!(job.output("api-token").as_deref(), Some(MINTED));
}

#[test]
fn the_actions_pass_every_input_their_scripts_read() {
    for (action, script) in [
        ("action.yml", "action/publish.sh"),
        ("mint/action.yml", "action/mint.sh"),
    ] {
        let action = std::fs::read_to_string(root().join(action)).unwrap();
        let script = std::fs::read_to_string(root().join(script)).unwrap();
        let mut read: Vec<&str> = script
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| w.starts_with("INPUT_") && w.len() > "INPUT_".len())
            .collect();
        read.sort_unstable();
        read.dedup();
        assert!(!read.is_empty());
        for name in read {
            assert!(
                action.contains(&format!("{name}: ${{{{ inputs.")),
                "the action does not set {name}"
            );
        }
    }
}

#[test]
fn a_token_upload_to_pypi_suggests_trusted_publishing() {
    // The zip sdist fails PyPI's rules, so nothing leaves the machine.
    let home = tempfile::tempdir().unwrap();
    let out = run(crate::support::mintup(home.path())
        .args(["upload", "-t", SECRET])
        .env("GITHUB_ACTIONS", "true")
        .arg(good("legacy_zip-0.1.zip")));
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains(
            "::notice title=Consider trusted publishing::this upload used a stored token; trusted publishing needs none: add this workflow as a publisher at https://pypi.org/manage/project/legacy-zip/settings/publishing/"
        ),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("nothing was sent"), "{}", out.stderr);
}
