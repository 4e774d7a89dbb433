//! Test helpers: the binary with a clean environment, output checks, paths.

pub(crate) mod fake_index;
pub(crate) mod leaks;
pub(crate) mod oidc;
pub(crate) mod peers;
pub(crate) mod raw_http;
pub(crate) mod sigstore;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The password every CLI test hands to mintup; it must never be printed.
pub(crate) const SECRET: &str = "pypi-SeCrEt-d0-n0t-pr1nt";

pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn good(name: &str) -> String {
    root()
        .join("fixtures/good")
        .join(name)
        .display()
        .to_string()
}

pub(crate) fn bad(name: &str) -> String {
    root().join("fixtures/bad").join(name).display().to_string()
}

pub(crate) fn good_files() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join("fixtures/good"))
        .expect("fixtures/good")
        .map(|e| e.expect("entry").path().display().to_string())
        .collect();
    files.sort();
    files
}

/// `mintup` with an empty environment and a HOME of its own (so no real
/// ~/.pypirc is read).
pub(crate) fn mintup(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mintup"));
    cmd.env_clear().env("HOME", home).current_dir(home);
    cmd
}

/// `upload --repository-url URL -u USER -p SECRET`: the same for mintup
/// and twine.
pub(crate) fn upload_args<'a>(url: &'a str, user: &'a str) -> [&'a str; 7] {
    ["upload", "--repository-url", url, "-u", user, "-p", SECRET]
}

/// `mintup upload --repository-url URL -u USER -p SECRET EXTRA... FILES...`
/// from a fresh HOME.
pub(crate) fn upload(url: &str, user: &str, extra: &[&str], files: &[String]) -> Run {
    let home = tempfile::tempdir().expect("tempdir");
    run(mintup(home.path())
        .args(upload_args(url, user))
        .args(extra)
        .args(files))
}

/// What a run printed.
pub(crate) struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Check that stderr contains `text`, showing stderr if not.
    pub(crate) fn stderr_has(&self, text: &str) -> &Self {
        assert!(
            self.stderr.contains(text),
            "expected {text:?} in stderr:\n{}",
            self.stderr
        );
        self
    }

    /// Check that stdout contains `text`, showing stdout if not.
    pub(crate) fn stdout_has(&self, text: &str) -> &Self {
        assert!(
            self.stdout.contains(text),
            "expected {text:?} in stdout:\n{}",
            self.stdout
        );
        self
    }

    /// How many result lines start with `word` (`uploaded`, `skipped`, …).
    pub(crate) fn results(&self, word: &str) -> usize {
        self.stdout
            .lines()
            .filter(|l| l.starts_with(&format!("{word} ")))
            .count()
    }
}

/// Run, and sweep every output for every secret ([`leaks::sweep`]).
pub(crate) fn run(cmd: &mut Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("mintup runs");
    let run = Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    };
    leaks::sweep(cmd, &run.stdout, &run.stderr);
    run
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `len` bytes that do not compress, the same for the same `seed`
/// (xorshift64).
pub(crate) fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}
