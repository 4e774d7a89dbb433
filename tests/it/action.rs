//! The GitHub Actions, run in a simulated job: the composite publish action
//! step by step as GitHub runs it (`composite`), and the JavaScript mint
//! action's main and post steps (`javascript`), from a copy of the action
//! whose `action/sha256sums` the release workflow's own step wrote for a
//! fake release served on 127.0.0.1; the install script against planted and
//! tampered files; the publish and mint steps against the fake index and the
//! fake OIDC endpoint. The released `mintup` records each call's argv and
//! environment before running the binary under test.

mod composite;
mod javascript;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use composite::{Outcome, run_composite, yaml};
use javascript::run_javascript;

use crate::support::fake_index::{FakeIndex, Reply};
use crate::support::oidc::{
    self, MINTED, audience, github_claims, github_endpoint, github_env, jwt,
};
use crate::support::{Run, SECRET, good, raw_http, root, run, sha256_hex};

const VERSION_FILE: &str = "action/version";
const WHEEL: &str = "mintup_hatch_demo-0.4.2-py3-none-any.whl";
const LINUX_X64: &str = "x86_64-unknown-linux-musl";

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

fn asset(target: &str) -> String {
    format!("mintup-{}-{target}.tar.gz", version())
}

/// The targets action/install.sh picks from the runner's OS and architecture.
fn install_targets() -> Vec<String> {
    std::fs::read_to_string(root().join("action/install.sh"))
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once(") target=").map(|(_, t)| t))
        .map(|t| t.trim_end_matches(" ;;").to_owned())
        .collect()
}

/// A tar.gz holding one executable, `name`, with `script` in it.
fn archive(name: &str, script: &str) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    {
        let mut tar = tar::Builder::new(&mut gz);
        let mut header = tar::Header::new_gnu();
        header.set_size(script.len() as u64);
        header.set_mode(0o755);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, name, script.as_bytes())
            .unwrap();
        tar.finish().unwrap();
    }
    gz.finish().unwrap()
}

fn write_executable(path: &Path, script: &str) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::write(path, script).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The run block of the release workflow's `github-release` step `name`.
fn release_step(name: &str) -> String {
    let workflow = yaml(&root().join(".github/workflows/release.yml"));
    let steps = workflow["jobs"]["github-release"]["steps"]
        .as_array()
        .unwrap();
    let step = steps
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("release.yml has no step {name:?}"));
    step["run"].as_str().unwrap().to_owned()
}

/// Run `script` as a step without `shell:` runs on Linux (`bash -e`), in `dir`.
fn run_release_step(script: &str, dir: &Path) -> Run {
    let file = dir.join("step.sh");
    std::fs::write(&file, script).unwrap();
    run(std::process::Command::new("bash")
        .args(["--noprofile", "--norc", "-e"])
        .arg(&file)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("VERSION", version())
        .current_dir(dir))
}

/// One recorded call of the released `mintup`.
struct Call {
    argv: Vec<String>,
    env: BTreeMap<String, String>,
}

/// A release and a copy of the action as GitHub checks it out at the
/// release's tag: action.yml, mint/ and action/, with
/// action/sha256sums written by the release workflow's own step from the
/// archives in out/, which are served from srv/v<version>/ on 127.0.0.1.
/// The archives' `mintup` records each call in calls/ and then runs the
/// binary under test (or, once `stub()` is called, only records).
struct Release {
    dir: tempfile::TempDir,
    server: FileServer,
}

impl Release {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path();
        for file in [
            "action.yml",
            "mint/action.yml",
            "mint/main.js",
            "mint/post.js",
        ] {
            std::fs::create_dir_all(copy.join(file).parent().unwrap()).unwrap();
            std::fs::copy(root().join(file), copy.join(file)).unwrap();
        }
        std::fs::create_dir_all(copy.join("action")).unwrap();
        for entry in std::fs::read_dir(root().join("action")).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), copy.join("action").join(entry.file_name())).unwrap();
        }
        // Not the committed file: this copy is the release's tag.
        std::fs::remove_file(copy.join("action/sha256sums")).unwrap();
        for sub in ["calls", "out", "srv"] {
            std::fs::create_dir_all(copy.join(sub)).unwrap();
        }
        let calls = copy.join("calls").display().to_string();
        let launcher = format!(
            "#!/bin/sh\nlog=$(mktemp '{calls}/call.XXXXXX')\nprintf '%s\\0' \"$@\" >\"$log.argv\"\n\
             cat /proc/$$/environ >\"$log.env\"\n[ -e '{calls}/stub' ] && exit 0\nexec '{}' \"$@\"\n",
            env!("CARGO_BIN_EXE_mintup")
        );
        for target in install_targets() {
            let exe = if target.contains("windows") {
                "mintup.exe"
            } else {
                "mintup"
            };
            std::fs::write(
                copy.join("out").join(asset(&target)),
                archive(exe, &launcher),
            )
            .unwrap();
        }
        let out = run_release_step(&release_step("write action/sha256sums"), copy);
        assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
        let server = FileServer::start(copy.join("srv"));
        let release = Release { dir, server };
        release.serve(&std::fs::read(release.archive()).unwrap());
        release
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn url(&self) -> &str {
        &self.server.url
    }

    /// The Linux x64 archive the release workflow built.
    fn archive(&self) -> PathBuf {
        self.root().join("out").join(asset(LINUX_X64))
    }

    /// Put `bytes` on the release server as the Linux x64 archive, with a
    /// SHA256SUMS that agrees, as anyone who can edit the release could.
    fn serve(&self, bytes: &[u8]) {
        let tag = self.root().join("srv").join(format!("v{}", version()));
        std::fs::create_dir_all(&tag).unwrap();
        std::fs::write(tag.join(asset(LINUX_X64)), bytes).unwrap();
        let sums = format!("{}  {}\n", sha256_hex(bytes), asset(LINUX_X64));
        std::fs::write(tag.join("SHA256SUMS"), sums).unwrap();
    }

    /// From now on the released `mintup` records its calls and exits 0.
    fn stub(&self) {
        std::fs::write(self.root().join("calls/stub"), "").unwrap();
    }

    fn calls(&self) -> Vec<Call> {
        let split = |bytes: Vec<u8>| -> Vec<String> {
            bytes
                .split(|b| *b == 0)
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect()
        };
        let mut calls = Vec::new();
        for entry in std::fs::read_dir(self.root().join("calls")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "argv") {
                let mut argv = split(std::fs::read(&path).unwrap());
                argv.pop(); // after the last NUL
                let env = split(std::fs::read(path.with_extension("env")).unwrap())
                    .into_iter()
                    .filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.into(), v.into())))
                    .collect();
                calls.push(Call { argv, env });
            }
        }
        calls
    }

    /// The one call of `mintup <command>`.
    fn call(&self, command: &str) -> Call {
        let mut calls: Vec<Call> = self
            .calls()
            .into_iter()
            .filter(|c| c.argv.first().is_some_and(|a| a == command))
            .collect();
        assert_eq!(calls.len(), 1, "one call of mintup {command}");
        calls.pop().unwrap()
    }
}

/// A simulated job: its workspace (also HOME), output and summary files and
/// environment.
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

    fn temp(&self) -> PathBuf {
        self.home.path().join("runner_temp")
    }

    /// Run one of the action's scripts (from the release's copy) as a step.
    fn script(&self, release: &Release, script: &str, env: &[(&str, &str)]) -> Run {
        run(std::process::Command::new("bash")
            .arg(release.root().join("action").join(script))
            .env_clear()
            .current_dir(self.home.path())
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .envs(env.iter().copied()))
    }

    /// Run the composite action of the release's copy (`action.yml`) with
    /// `inputs`, the job pointing MINTUP_RELEASES_URL at the release server.
    fn action(&self, release: &Release, file: &str, inputs: &[(&str, &str)]) -> Outcome {
        run_composite(
            &release.root().join(file),
            self.home.path(),
            &self.release_env(release),
            inputs,
        )
    }

    /// Run the mint action of the release's copy with `inputs`, then the
    /// job's `later` steps (a bash script), then its post step.
    fn mint_action(&self, release: &Release, inputs: &[(&str, &str)], later: &str) -> Outcome {
        run_javascript(
            &release.root().join("mint/action.yml"),
            self.home.path(),
            &self.release_env(release),
            inputs,
            later,
        )
    }

    fn release_env(&self, release: &Release) -> Vec<(String, String)> {
        let mut env = self.env.clone();
        env.push(("MINTUP_RELEASES_URL".into(), release.url().into()));
        env
    }

    /// The install script against `url`: its output and the binary it named.
    fn install_from(&self, release: &Release, url: &str) -> (Run, Option<String>) {
        let before = self.output("bin");
        let out = self.script(release, "install.sh", &[("MINTUP_RELEASES_URL", url)]);
        let bin = self.output("bin").filter(|b| Some(b) != before.as_ref());
        (out, bin)
    }

    /// The value of a step output written to the job's GITHUB_OUTPUT.
    fn output(&self, name: &str) -> Option<String> {
        let text = std::fs::read_to_string(self.home.path().join("github_output")).ok()?;
        text.lines()
            .rev()
            .find_map(|l| l.strip_prefix(&format!("{name}=")).map(str::to_owned))
    }

    fn summary(&self) -> String {
        std::fs::read_to_string(self.home.path().join("step_summary.md")).unwrap_or_default()
    }

    /// A directory `name` in the workspace with the demo wheel.
    fn dist(&self, name: &str) {
        let dist = self.home.path().join(name);
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::copy(good(WHEEL), dist.join(WHEEL)).unwrap();
    }
}

#[test]
fn the_action_version_is_the_crate_version() {
    assert_eq!(version(), env!("CARGO_PKG_VERSION"));
}

#[test]
fn the_release_builds_every_target_the_action_installs() {
    let workflow = yaml(&root().join(".github/workflows/release.yml"));
    let mut built: Vec<&str> = workflow["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["target"].as_str().unwrap())
        .collect();
    built.sort_unstable();
    let mut installed = install_targets();
    installed.sort_unstable();
    assert_eq!(installed.len(), 5, "{installed:?}");
    assert_eq!(built, installed);
}

#[test]
fn the_committed_digests_are_for_this_version() {
    let text = std::fs::read_to_string(root().join("action/sha256sums")).unwrap();
    let targets = install_targets();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (digest, file) = line.split_once("  ").expect("`<sha256>  <file>`");
        assert!(
            digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()),
            "{line}"
        );
        assert!(
            targets.iter().any(|t| file == asset(t)),
            "{file} is not an archive of mintup {} the action installs",
            version()
        );
    }
}

#[test]
fn the_release_workflow_writes_a_digest_for_every_target() {
    let release = Release::new();
    let sums = std::fs::read_to_string(release.root().join("action/sha256sums")).unwrap();
    for target in install_targets() {
        let bytes = std::fs::read(release.root().join("out").join(asset(&target))).unwrap();
        let line = format!("{}  {}", sha256_hex(&bytes), asset(&target));
        assert!(sums.lines().any(|l| l == line), "{line} in\n{sums}");
    }

    // A build missing from out/ fails the step, before anything is tagged.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("out")).unwrap();
    std::fs::create_dir_all(dir.path().join("action")).unwrap();
    std::fs::copy(
        root().join("action/install.sh"),
        dir.path().join("action/install.sh"),
    )
    .unwrap();
    for target in install_targets().iter().filter(|t| !t.contains("darwin")) {
        std::fs::write(dir.path().join("out").join(asset(target)), b"x").unwrap();
    }
    let out = run_release_step(&release_step("write action/sha256sums"), dir.path());
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .contains("::error::no archive for aarch64-apple-darwin"),
        "{}",
        out.stdout
    );
}

#[test]
fn install_checks_the_archive_against_the_committed_digests() {
    let release = Release::new();
    let job = Job::new(Vec::new());
    let (out, bin) = job.install_from(&release, release.url());
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let bin = bin.expect("the install step names the binary");
    assert!(bin.ends_with("/mintup"), "{bin}");
    assert!(
        out.stdout.contains(&format!("mintup {}", version())),
        "{}",
        out.stdout
    );

    // The release's archive replaced, and its SHA256SUMS with it: refused.
    let release = Release::new();
    release.serve(&archive("mintup", "#!/bin/sh\necho evil\n"));
    let job = Job::new(Vec::new());
    let (out, bin) = job.install_from(&release, release.url());
    assert_eq!(out.code, 1);
    assert!(
        out.stdout
            .contains(" does not match action/sha256sums (expected "),
        "{}",
        out.stdout
    );
    assert_eq!(bin, None);

    // A ref of the action that is not a release has no digest to check.
    std::fs::write(
        release.root().join("action/sha256sums"),
        "# no release here\n",
    )
    .unwrap();
    release.serve(&std::fs::read(release.archive()).unwrap());
    let (out, bin) = Job::new(Vec::new()).install_from(&release, release.url());
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains(&format!(
            "::error title=mintup::action/sha256sums has no digest for {}",
            asset(LINUX_X64)
        )),
        "{}",
        out.stdout
    );
    assert_eq!(bin, None);

    let job = Job::new(vec![("RUNNER_ARCH".into(), "ARM".into())]);
    let (out, _) = job.install_from(&release, release.url());
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains("no mintup release for Linux/ARM"),
        "{}",
        out.stdout
    );
}

#[test]
fn install_never_runs_what_an_earlier_step_left() {
    let release = Release::new();
    let job = Job::new(Vec::new());
    let marker = job.home.path().join("planted-ran");
    let planted = format!("#!/bin/sh\ntouch '{}'\necho planted\n", marker.display());
    // Where the archive is kept within a job, and where the binary was kept
    // before the install step checked every time.
    std::fs::write(
        job.temp().join(asset(LINUX_X64)),
        archive("mintup", &planted),
    )
    .unwrap();
    let old = job.temp().join(format!("mintup-{}-{LINUX_X64}", version()));
    std::fs::create_dir_all(&old).unwrap();
    write_executable(&old.join("mintup"), &planted);

    // With no release to fetch the real archive from, nothing is installed.
    let (out, bin) = job.install_from(&release, "http://127.0.0.1:9");
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_eq!(bin, None);
    // With one, the real binary replaces the planted archive.
    let (out, bin) = job.install_from(&release, release.url());
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let bin = bin.unwrap();
    assert_ne!(Path::new(&bin), old.join("mintup"));
    assert!(!marker.exists(), "a planted binary ran:\n{}", out.stdout);
    assert!(
        out.stdout.contains(&format!("mintup {}", version())),
        "{}",
        out.stdout
    );

    // The kept archive, checked again, serves a second step without a server.
    let (out, again) = job.install_from(&release, "http://127.0.0.1:9");
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("from earlier in this job, checked"),
        "{}",
        out.stdout
    );
    assert_ne!(again.as_deref(), Some(bin.as_str()), "a fresh directory");
    assert!(!marker.exists());
}

#[test]
fn install_bounds_its_downloads() {
    let release = Release::new();
    let job = Job::new(Vec::new());
    // A curl in front of the real one records its arguments.
    let wrappers = job.home.path().join("wrappers");
    std::fs::create_dir_all(&wrappers).unwrap();
    let log = job.home.path().join("curl-args");
    write_executable(
        &wrappers.join("curl"),
        &format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" >'{}'\nexec /usr/bin/curl \"$@\"\n",
            log.display()
        ),
    );
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", wrappers.display());
    let out = job.script(
        &release,
        "install.sh",
        &[("MINTUP_RELEASES_URL", release.url()), ("PATH", &path)],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let args = std::fs::read_to_string(&log).expect("curl ran");
    let args: Vec<&str> = args.lines().collect();
    let value = |flag: &str| -> u32 {
        let at = args.iter().position(|a| *a == flag);
        let at = at.unwrap_or_else(|| panic!("curl without {flag}: {args:?}"));
        args[at + 1].parse().unwrap()
    };
    assert!(value("--connect-timeout") <= 30);
    assert!(value("--max-time") <= 300);
    assert!((1..=5).contains(&value("--retry")));
    assert!(value("--retry-max-time") <= 600);
}

#[test]
fn publish_with_a_token_reports_every_file() {
    let release = Release::new();
    let index = FakeIndex::accepting();
    let job = Job::new(Vec::new());
    job.dist("dist");
    let out = job.action(
        &release,
        "action.yml",
        &[
            ("password", SECRET),
            ("repository-url", &index.url),
            ("attestations", "false"),
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr());
    let report: serde_json::Value =
        serde_json::from_str(out.output("report").expect("a report output")).unwrap();
    assert_eq!(report["files"][0]["filename"], WHEEL);
    let files: serde_json::Value =
        serde_json::from_str(out.output("files").expect("a files output")).unwrap();
    assert_eq!(files, report["files"]);
    assert_eq!(report["files"][0]["result"], "uploaded");
    assert_eq!(
        report["files"][0]["sha256"],
        sha256_hex(&std::fs::read(good(WHEEL)).unwrap()).as_str()
    );
    assert_eq!(index.received().len(), 1);
    // The log shows the result lines and digests (print-hash is on by default).
    let log = out.step("publish");
    assert!(
        log.stderr.contains(&format!("uploaded  {WHEEL}")),
        "{}",
        log.stderr
    );
    assert!(log.stderr.contains("  sha256      "), "{}", log.stderr);
    assert!(
        job.summary().contains(&format!("| `{WHEEL}` |")),
        "{}",
        job.summary()
    );
    assert!(!job.summary().contains(SECRET));
    assert!(out.outputs.values().all(|v| !v.contains(SECRET)));
    // The password went in the environment, not on the command line.
    let upload = release.call("upload");
    assert!(
        upload.argv.iter().all(|a| !a.contains(SECRET)),
        "{:?}",
        upload.argv
    );
    assert_eq!(
        upload.env.get("MINTUP_PASSWORD").map(String::as_str),
        Some(SECRET)
    );
    assert_eq!(
        upload.env.get("MINTUP_USERNAME").map(String::as_str),
        Some("__token__")
    );

    let refusing = FakeIndex::always(Reply::json(
        403,
        "Invalid or non-existent authentication information.",
    ));
    let job = Job::new(Vec::new());
    job.dist("dist");
    let out = job.action(
        &release,
        "action.yml",
        &[("password", SECRET), ("repository-url", &refusing.url)],
    );
    assert_eq!(out.code, 1);
    assert!(
        out.stderr()
            .contains("::error title=mintup could not upload"),
        "{}",
        out.stderr()
    );
    let report: serde_json::Value = serde_json::from_str(out.output("report").unwrap()).unwrap();
    assert_eq!(report["files"][0]["error"]["status"], 403);
}

#[test]
fn publish_passes_the_directory_as_a_directory() {
    // After `--`: a name that looks like an option is still the directory.
    let release = Release::new();
    let index = FakeIndex::accepting();
    let job = Job::new(Vec::new());
    job.dist("-dist");
    let out = job.action(
        &release,
        "action.yml",
        &[
            ("password", SECRET),
            ("repository-url", &index.url),
            ("packages-dir", "-dist/"),
            ("attestations", "false"),
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr());
    assert_eq!(index.received().len(), 1);
    let argv = release.call("upload").argv;
    assert_eq!(argv[argv.len() - 2..], ["--", "-dist"]);
}

/// The fake index's OIDC audience: not PyPI's, which mintup keeps for PyPI.
const AUDIENCE: &str = "testindex";

/// A job with `id-token: write`, its OIDC endpoint, and the token it issues.
fn oidc_job() -> (Job, FakeIndex, String) {
    let claims = github_claims(AUDIENCE);
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
    let release = Release::new();
    let (job, _endpoint, token) = oidc_job();
    let index = oidc::index(audience(AUDIENCE), token);
    job.dist("dist");
    let out = job.action(&release, "action.yml", &[("repository-url", &index.url)]);
    assert_eq!(out.code, 0, "{}", out.stderr());
    let log = out.step("publish");
    assert_eq!(
        log.stderr.lines().find(|l| l.contains(MINTED)),
        Some(format!("::add-mask::{MINTED}").as_str()),
        "the mask comes before anything else that carries the token"
    );
    assert!(
        out.output("report")
            .unwrap()
            .contains("\"result\":\"uploaded\"")
    );
    assert!(out.outputs.values().all(|v| !v.contains(MINTED)));
    // Attestations are for PyPI and TestPyPI; this index gets a notice.
    assert!(
        log.stdout
            .contains("::notice title=mintup::attestations are generated only"),
        "{}",
        log.stdout
    );

    // A refused mint fails the step with the diagnosis in the summary.
    let (job, _endpoint, _token) = oidc_job();
    let index = oidc::index_with(audience(AUDIENCE), |_| {
        oidc::refusal(
            "invalid-publisher",
            "valid token, but no corresponding publisher",
        )
    });
    job.dist("dist");
    let out = job.action(&release, "action.yml", &[("repository-url", &index.url)]);
    assert_eq!(out.code, 1);
    assert!(
        job.summary().contains("invalid-publisher"),
        "{}",
        job.summary()
    );
    assert!(index.received().iter().all(|r| r.path != "/legacy/"));
}

#[test]
fn publish_leaves_the_trusted_publishing_decision_to_mintup() {
    // Which hosts get the job's OIDC identity is mintup's `auto` rule; the
    // action must not widen it to whatever repository-url says.
    let release = Release::new();
    release.stub();
    for url in [
        "https://upload.pypi.org/legacy/",
        "https://pypi.example.invalid/legacy/",
    ] {
        let job = Job::new(Vec::new());
        let out = job.action(&release, "action.yml", &[("repository-url", url)]);
        assert_eq!(out.code, 0, "{}", out.stderr());
    }
    for call in release
        .calls()
        .iter()
        .filter(|c| c.argv.first().is_some_and(|a| a == "upload"))
    {
        assert!(
            !call.argv.iter().any(|a| a.contains("trusted-publishing")),
            "{:?}",
            call.argv
        );
        assert_eq!(call.env.get("MINTUP_TRUSTED_PUBLISHING"), None);
        assert_eq!(call.env.get("MINTUP_PASSWORD"), None);
    }

    // Choosing `always` for another index is the workflow's to say.
    let release = Release::new();
    release.stub();
    let job = Job::new(vec![("MINTUP_TRUSTED_PUBLISHING".into(), "always".into())]);
    let url = "https://pypi.example.invalid/legacy/";
    let out = job.action(&release, "action.yml", &[("repository-url", url)]);
    assert_eq!(out.code, 0, "{}", out.stderr());
    let call = release.call("upload");
    assert_eq!(
        call.env
            .get("MINTUP_TRUSTED_PUBLISHING")
            .map(String::as_str),
        Some("always")
    );
}

/// The burn requests the index received: each one Warehouse's shape, a
/// JSON POST of `token` without an Authorization header.
fn burns(index: &FakeIndex, token: &str) -> usize {
    let burns: Vec<_> = index
        .received()
        .into_iter()
        .filter(|r| r.path == "/_/oidc/burn-token")
        .collect();
    for r in &burns {
        assert_eq!(r.method, "POST");
        assert_eq!(r.header("authorization"), None);
        assert_eq!(r.header("content-type"), Some("application/json"));
        let body: serde_json::Value = serde_json::from_str(&r.text).unwrap();
        assert_eq!(body, serde_json::json!({ "token": token }));
    }
    burns.len()
}

#[test]
fn the_mint_action_outputs_a_masked_token_and_burns_it_when_the_job_ends() {
    let release = Release::new();
    let (job, _endpoint, token) = oidc_job();
    let index = oidc::index(audience(AUDIENCE), token);
    // A later step of the job uses the token; nothing is burned before it.
    let out = job.mint_action(
        &release,
        &[("repository-url", &index.url), ("audience", AUDIENCE)],
        "true",
    );
    assert_eq!(out.code, 0, "{}", out.stderr());
    assert_eq!(
        out.step("main").stderr.lines().next(),
        Some(format!("::add-mask::{MINTED}").as_str())
    );
    assert_eq!(out.output("api-token"), Some(MINTED));
    assert_eq!(out.outputs.keys().collect::<Vec<_>>(), ["api-token"]);
    assert_eq!(out.step("later").code, 0);

    let post = out.step("post");
    assert_eq!(post.code, 0, "{}", post.stderr);
    assert!(post.stdout.contains("burn requested"), "{}", post.stdout);
    assert!(!post.stdout.contains("::warning"), "{}", post.stdout);
    assert_eq!(burns(&index, MINTED), 1);
    let paths: Vec<String> = index.received().into_iter().map(|r| r.path).collect();
    assert_eq!(paths.last().map(String::as_str), Some("/_/oidc/burn-token"));

    assert_eq!(
        release.call("mint").argv,
        [
            "mint",
            "--format",
            "raw",
            "--repository-url",
            &index.url,
            "--audience",
            AUDIENCE
        ]
    );
    // The token went on stdin, never on the command line or in the environment.
    let burn = release.call("burn");
    assert_eq!(
        burn.argv,
        ["burn", "--repository-url", &index.url, "-t", "-"]
    );
    assert!(burn.env.values().all(|v| !v.contains(MINTED)));
}

#[test]
fn the_mint_action_burns_its_token_even_when_a_later_step_failed() {
    let release = Release::new();
    let (job, _endpoint, token) = oidc_job();
    let index = oidc::index(audience(AUDIENCE), token);
    let out = job.mint_action(
        &release,
        &[("repository-url", &index.url)],
        "echo 'the publish failed' >&2; exit 1",
    );
    assert_eq!(out.code, 0, "{}", out.stderr());
    assert_eq!(out.step("later").code, 1);
    assert_eq!(out.step("post").code, 0, "{}", out.stderr());
    assert_eq!(burns(&index, MINTED), 1);
}

#[test]
fn the_mint_action_burns_nothing_when_minting_failed() {
    let release = Release::new();
    let (job, _endpoint, _token) = oidc_job();
    let index = oidc::index_with(audience(AUDIENCE), |_| {
        oidc::refusal(
            "invalid-publisher",
            "valid token, but no corresponding publisher",
        )
    });
    let out = job.mint_action(&release, &[("repository-url", &index.url)], "true");
    assert_eq!(out.code, 1);
    assert!(
        out.step("main").stderr.contains("invalid-publisher"),
        "{}",
        out.stderr()
    );
    assert_eq!(out.output("api-token"), None);
    let post = out.step("post");
    assert_eq!(post.code, 0, "{}", post.stderr);
    assert!(
        post.stdout
            .contains("no token was minted, so none is burned"),
        "{}",
        post.stdout
    );
    assert_eq!(burns(&index, MINTED), 0);
    assert!(
        release
            .calls()
            .iter()
            .all(|c| c.argv.first().is_none_or(|a| a != "burn"))
    );
}

#[test]
fn a_failed_burn_is_a_warning_that_leaves_the_job_alone() {
    let release = Release::new();
    let (job, _endpoint, _token) = oidc_job();
    // An index that mints but cannot burn.
    let index = FakeIndex::start(|req| match req.path.as_str() {
        "/_/oidc/audience" => audience(AUDIENCE),
        "/_/oidc/mint-token" => Reply::status(200, &format!(r#"{{"token": "{MINTED}"}}"#))
            .header("content-type", "application/json"),
        _ => Reply::status(404, "not here"),
    });
    let out = job.mint_action(&release, &[("repository-url", &index.url)], "true");
    assert_eq!(out.code, 0, "{}", out.stderr());
    let post = out.step("post");
    assert_eq!(post.code, 0, "{}", post.stderr);
    assert!(
        post.stderr.contains("does not offer token burning (404)"),
        "{}",
        post.stderr
    );
    assert!(!post.stderr.contains("::error"), "{}", post.stderr);
    assert!(
        post.stdout
            .contains("::warning title=mintup::the token was not burned (see above)"),
        "{}",
        post.stdout
    );
}

/// `INPUT_REPOSITORY_URL` → `repository-url`.
fn kebab(var: &str) -> String {
    var["INPUT_".len()..].to_ascii_lowercase().replace('_', "-")
}

#[test]
fn each_input_variable_is_the_input_of_that_name() {
    let (file, script) = ("action.yml", "action/publish.sh");
    let action = yaml(&root().join(file));
    let declared = action["inputs"].as_object().unwrap();
    let text = std::fs::read_to_string(root().join(script)).unwrap();
    let mut read: Vec<&str> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with("INPUT_") && w.len() > "INPUT_".len())
        .collect();
    read.sort_unstable();
    read.dedup();
    let script_name = Path::new(script).file_name().unwrap().to_str().unwrap();
    let step = action["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["run"].as_str().is_some_and(|r| r.contains(script_name)))
        .unwrap_or_else(|| panic!("{file} runs no {script_name}"));
    let env = step["env"].as_object().unwrap();
    let mut used = Vec::new();
    for (var, value) in env.iter().filter(|(k, _)| k.starts_with("INPUT_")) {
        // `inputs.<kebab>`, or `inputs.<kebab> || inputs.<snake>` for a
        // deprecated snake_case alias that holds pypa's default.
        let name = kebab(var);
        let snake = name.replace('-', "_");
        let one = format!("${{{{ inputs.{name} }}}}");
        let aliased = format!("${{{{ inputs.{name} || inputs.{snake} }}}}");
        let value = value.as_str().unwrap();
        assert!(
            value == one || (snake != name && value == aliased),
            "{file}: {var} is `{value}`, not `{one}`{}",
            if snake != name {
                format!(" or `{aliased}`")
            } else {
                String::new()
            }
        );
        assert!(declared.contains_key(&name), "{file} declares no {name}");
        used.push(name.clone());
        if value == aliased {
            assert!(
                declared[&snake]["deprecationMessage"].is_string(),
                "{file}: {snake} is the deprecated alias of {name}"
            );
            assert!(
                declared[&name]["default"].is_null(),
                "{file}: the default of {name} belongs on {snake}, or the alias is never read"
            );
            used.push(snake);
        }
    }
    for var in &read {
        assert!(env.contains_key(*var), "{file} does not set {var}");
    }
    for name in declared.keys() {
        assert!(
            used.contains(name),
            "{file}: input {name} reaches no script"
        );
    }
}

#[test]
fn the_mint_action_reads_each_input_it_declares() {
    // main.js reads input `<name>` as `input('<name>')`.
    let action = yaml(&root().join("mint/action.yml"));
    let mut declared: Vec<&String> = action["inputs"].as_object().unwrap().keys().collect();
    declared.sort_unstable();
    let main = std::fs::read_to_string(root().join("mint/main.js")).unwrap();
    let mut read: Vec<String> = main
        .split("input('")
        .skip(1)
        .map(|rest| rest[..rest.find('\'').unwrap()].to_owned())
        .collect();
    read.sort_unstable();
    assert_eq!(read.iter().collect::<Vec<_>>(), declared);
}

#[test]
fn every_input_changes_how_mintup_is_run() {
    let release = Release::new();
    release.stub();
    let base = [
        "upload",
        "--format",
        "json",
        "--non-interactive",
        "--disable-progress-bar",
        "--repository-url",
    ];
    let upload = |inputs: &[(&str, &str)]| -> Call {
        let job = Job::new(Vec::new());
        let out = job.action(&release, "action.yml", inputs);
        assert_eq!(out.code, 0, "{}", out.stderr());
        let call = release.call("upload");
        for entry in std::fs::read_dir(release.root().join("calls")).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().unwrap() != "stub" {
                std::fs::remove_file(path).unwrap();
            }
        }
        assert_eq!(call.argv[..base.len()], base);
        call
    };

    let call = upload(&[]);
    assert_eq!(
        call.argv[base.len()..],
        [
            "https://upload.pypi.org/legacy/",
            "--verbose",
            "--print-hash",
            "--attest",
            "--",
            "dist"
        ]
    );
    assert_eq!(call.env.get("MINTUP_USERNAME"), None);

    let call = upload(&[
        ("user", "alice"),
        ("password", SECRET),
        ("repository-url", "https://example.invalid/upload/"),
        ("packages-dir", "out/"),
        ("verify-metadata", "false"),
        ("skip-existing", "true"),
        ("verbose", "false"),
        ("print-hash", "false"),
        ("attestations", "false"),
        ("check-url", "https://example.invalid/simple/"),
        ("retries", "5"),
        ("jobs", "2"),
        ("keep-going", "true"),
        ("dry-run", "true"),
    ]);
    assert_eq!(
        call.argv[base.len()..],
        [
            "https://example.invalid/upload/",
            "--no-verify",
            "--skip-existing",
            "--dry-run",
            "--check-url",
            "https://example.invalid/simple/",
            "--retries",
            "5",
            "--jobs",
            "2",
            "--keep-going",
            "--",
            "out"
        ]
    );
    assert_eq!(call.env["MINTUP_USERNAME"], "alice");
    assert_eq!(call.env["MINTUP_PASSWORD"], SECRET);

    // pypa's snake_case names still work.
    let call = upload(&[
        ("password", SECRET),
        ("repository_url", "https://example.invalid/upload/"),
        ("packages_dir", "out"),
        ("verify_metadata", "False"),
        ("skip_existing", "true"),
        ("verbose", "false"),
        ("print_hash", "true"),
    ]);
    assert_eq!(
        call.argv[base.len()..],
        [
            "https://example.invalid/upload/",
            "--no-verify",
            "--skip-existing",
            "--print-hash",
            "--",
            "out"
        ]
    );

    // The mint action's defaults; the stub prints no token, which fails the
    // step rather than handing on an empty one.
    let job = Job::new(Vec::new());
    let out = job.mint_action(&release, &[], "true");
    assert_eq!(out.code, 1);
    assert!(
        out.step("main")
            .stdout
            .contains("::error title=mintup::mintup mint printed no token"),
        "{}",
        out.step("main").stdout
    );
    assert_eq!(out.output("api-token"), None);
    assert_eq!(
        release.call("mint").argv,
        [
            "mint",
            "--format",
            "raw",
            "--repository-url",
            "https://upload.pypi.org/legacy/"
        ]
    );
}

#[test]
fn every_run_block_is_valid_bash() {
    // scripts/lint-actions runs ShellCheck on these; this is the part of it
    // that needs nothing installed but the venv: a syntax error fails here.
    let mut files = vec![root().join("action.yml"), root().join("mint/action.yml")];
    for entry in std::fs::read_dir(root().join(".github/workflows")).unwrap() {
        files.push(entry.unwrap().path());
    }
    let mut blocks = 0;
    for file in files {
        let doc = yaml(&file);
        let mut steps: Vec<&serde_json::Value> = Vec::new();
        if let Some(s) = doc["runs"]["steps"].as_array() {
            steps.extend(s);
        }
        for job in doc["jobs"].as_object().into_iter().flat_map(|j| j.values()) {
            steps.extend(job["steps"].as_array().into_iter().flatten());
        }
        for step in steps {
            let Some(script) = step["run"].as_str() else {
                continue;
            };
            let mut plain = String::new();
            let mut rest = script;
            while let Some(start) = rest.find("${{") {
                let end = start + rest[start..].find("}}").unwrap() + 2;
                plain.push_str(&rest[..start]);
                plain.push_str("_GHA_EXPR_");
                rest = &rest[end..];
            }
            plain.push_str(rest);
            let out = std::process::Command::new("bash")
                .args(["-n", "-c", &plain])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}: step {:?}: {}",
                file.display(),
                step["name"].as_str().or(step["id"].as_str()).unwrap_or("?"),
                String::from_utf8_lossy(&out.stderr)
            );
            blocks += 1;
        }
    }
    assert!(blocks > 10, "{blocks}");
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
