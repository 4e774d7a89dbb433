//! Bad input: every broken fixture and misuse gets one precise message, a
//! non-zero exit, and nothing is sent.

use crate::support::fake_index::FakeIndex;
use crate::support::{Run, SECRET, bad, good, mintup, run, upload};

/// Upload `files` to a fake index; return the run and how many requests the
/// index saw.
fn upload_counting(extra: &[&str], files: &[String]) -> (Run, usize) {
    let index = FakeIndex::accepting();
    let out = upload(&index.url, "u", extra, files);
    let sent = index.received().len();
    (out, sent)
}

fn assert_fails_before_sending(files: &[String], expected: &[&str]) {
    let (out, sent) = upload_counting(&[], files);
    assert_eq!(out.code, 1, "stderr: {}", out.stderr);
    assert_eq!(sent, 0, "nothing may be sent when a file is bad");
    assert!(out.stdout.is_empty(), "stdout: {}", out.stdout);
    for text in expected {
        assert!(
            out.stderr.contains(text),
            "expected {text:?} in:\n{}",
            out.stderr
        );
    }
}

#[test]
fn truncated_wheel() {
    assert_fails_before_sending(
        &[bad("truncated-1.0-py3-none-any.whl")],
        &[
            "truncated-1.0-py3-none-any.whl: cannot read its metadata",
            "caused by: it is not a valid zip archive (truncated or corrupt)",
            "hint: rebuild the distribution",
        ],
    );
}

#[test]
fn wheel_without_metadata() {
    assert_fails_before_sending(
        &[bad("nometa-1.0-py3-none-any.whl")],
        &[
            "nometa-1.0-py3-none-any.whl: cannot read its metadata",
            "caused by: it has no nometa-1.0.dist-info/METADATA",
        ],
    );
}

#[test]
fn sdist_without_pkg_info() {
    assert_fails_before_sending(
        &[bad("nopkginfo-1.0.tar.gz")],
        &["caused by: it has no PKG-INFO in its top-level directory (<name>-<version>/PKG-INFO)"],
    );
}

#[test]
fn sdist_with_two_pkg_info() {
    assert_fails_before_sending(
        &[bad("twopkginfo-1.0.tar.gz")],
        &[
            "caused by: it has 2 metadata files (",
            "it must have exactly one",
        ],
    );
}

#[test]
fn empty_file() {
    assert_fails_before_sending(
        &[bad("empty-1.0-py3-none-any.whl")],
        &[
            "empty-1.0-py3-none-any.whl: cannot read its metadata",
            "caused by: the file is empty (0 bytes)",
        ],
    );
}

#[test]
fn not_gzip() {
    assert_fails_before_sending(
        &[bad("notgzip-1.0.tar.gz")],
        &["caused by: it is not a valid gzip-compressed tar archive (truncated or corrupt)"],
    );
}

#[test]
fn unknown_extensions_are_listed_together() {
    assert_fails_before_sending(
        &[
            bad("unknown-1.0.egg"),
            bad("unknown-1.0.rpm"),
            good("legacy_zip-0.1.zip"),
        ],
        &[
            "error: these files are not a distribution: unknown-1.0.egg: not a distribution file",
            "unknown-1.0.rpm: not a distribution file (expected a .whl, .tar.gz or legacy .zip sdist)",
            "hint: pass only wheels",
        ],
    );
}

#[test]
fn a_bad_file_stops_the_batch_before_any_upload() {
    assert_fails_before_sending(
        &[
            good("mintup_hatch_demo-0.4.2-py3-none-any.whl"),
            bad("nometa-1.0-py3-none-any.whl"),
        ],
        &["nometa-1.0-py3-none-any.whl"],
    );
}

#[test]
fn missing_file_and_empty_glob() {
    let (out, _) = upload_counting(&[], &["no/such/file.whl".into()]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("error: no such file or directory: no/such/file.whl"),
        "{}",
        out.stderr
    );
    let pattern = format!(
        "{}/*.nothing",
        crate::support::root().join("fixtures/good").display()
    );
    let (out, _) = upload_counting(&[], &[pattern]);
    out.stderr_has("no files match the pattern");
}

#[test]
fn default_is_dist_directory() {
    let home = tempfile::tempdir().unwrap();
    let out = run(mintup(home.path()).args(["upload", "-t", SECRET]));
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("error: no such file or directory: dist"),
        "{}",
        out.stderr
    );
    out.stderr_has("hint: build first");
    // Without credentials too: the missing files are the first thing to fix.
    let out = run(mintup(home.path()).env("CI", "true").args(["upload"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.stderr_has("error: no such file or directory: dist");
    assert!(!out.stderr.contains("password"), "{}", out.stderr);
}

/// A listing read over plain http could be forged to make every file look
/// uploaded: the check URL gets the upload URL's https rule.
#[test]
fn a_plain_http_check_url_elsewhere_is_refused() {
    let index = FakeIndex::accepting();
    let wheel = good("mintup_hatch_demo-0.4.2-py3-none-any.whl");
    let far = "http://mirror.example.invalid/simple/";
    let out = upload(
        &index.url,
        "u",
        &["--check-url", far],
        std::slice::from_ref(&wheel),
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    out.stderr_has(&format!(
        "error: refusing to trust a plain-http --check-url on another host: {far}"
    ))
    .stderr_has("hint: anyone on the path could make mintup skip files");
    assert!(index.received().is_empty());
    // This machine's own http index is fine.
    let local = format!("{}/simple/", index.base());
    let out = upload(&index.url, "u", &["--check-url", &local], &[wheel]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn no_credentials_names_every_place_looked() {
    let home = tempfile::tempdir().unwrap();
    let out = run(mintup(home.path())
        .env("CI", "true")
        .args(["upload", &good("legacy_zip-0.1.zip")]));
    assert_eq!(out.code, 2);
    out.stderr_has("error: no password or token for https://upload.pypi.org/legacy/; looked in: --password/--token, \
             MINTUP_PASSWORD/MINTUP_TOKEN, TWINE_PASSWORD, ");
    out.stderr_has("no prompt: CI is set");
    out.stderr_has("hint: pass -t/--token");
}

#[test]
fn unknown_repository_and_usage_errors_exit_2() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join(".pypirc"),
        "[corp]\nrepository = https://corp.example/\n",
    )
    .unwrap();
    let wheel = good("mintup_hatch_demo-0.4.2-py3-none-any.whl");
    let out = run(mintup(home.path()).args(["upload", "-r", "nope", "-t", SECRET, &wheel]));
    assert_eq!(out.code, 2);
    out.stderr_has("unknown repository 'nope'");
    out.stderr_has(".pypirc has only: corp");
    let out = run(mintup(home.path()).args(["upload", "-t", SECRET, "-p", SECRET]));
    assert_eq!(out.code, 2);
    out.stderr_has("cannot be used with");
}

#[test]
fn explicit_config_file_must_exist() {
    let home = tempfile::tempdir().unwrap();
    let out =
        run(mintup(home.path()).args(["upload", "--config-file", "missing.pypirc", "-t", SECRET]));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("error: cannot read the config file missing.pypirc"),
        "{}",
        out.stderr
    );
}

#[test]
fn attestations_flag_requires_the_files() {
    let (out, sent) = upload_counting(&["--attestations"], &[good("legacy_zip-0.1.zip")]);
    assert_eq!((out.code, sent), (1, 0));
    assert!(
        out.stderr
            .contains("legacy_zip-0.1.zip: --attestations was given but"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("legacy_zip-0.1.zip.publish.attestation does not exist"),
        "{}",
        out.stderr
    );
}

#[test]
fn unusable_ca_bundles_are_named() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("junk.pem"), "not a certificate\n").unwrap();
    for (cert, expected) in [
        (
            "missing.pem",
            "error: cannot read the CA bundle missing.pem",
        ),
        (
            "junk.pem",
            "error: the CA bundle junk.pem holds no usable PEM certificate",
        ),
    ] {
        let out = run(mintup(home.path()).args([
            "upload",
            "--cert",
            cert,
            "-t",
            SECRET,
            &good("legacy_zip-0.1.zip"),
        ]));
        assert_eq!(out.code, 1);
        out.stderr_has(expected);
    }
}

#[test]
fn directories_and_pipes_named_like_wheels_are_refused_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let as_dir = dir.path().join("x-1.0-py3-none-any.whl");
    std::fs::create_dir(&as_dir).unwrap();
    assert_fails_before_sending(
        &[as_dir.display().to_string()],
        &["x-1.0-py3-none-any.whl is a directory, not a distribution file"],
    );
    let pipe = dir.path().join("y-1.0-py3-none-any.whl");
    let made = std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .unwrap();
    assert!(made.success());
    assert_fails_before_sending(
        &[pipe.display().to_string()],
        &["y-1.0-py3-none-any.whl is not a regular file (a pipe, socket or device)"],
    );
}

#[test]
fn symlinked_distributions_in_a_directory_are_followed() {
    let dir = tempfile::tempdir().unwrap();
    let wheel = "mintup_hatch_demo-0.4.2-py3-none-any.whl";
    std::os::unix::fs::symlink(good(wheel), dir.path().join(wheel)).unwrap();
    let (out, sent) = upload_counting(&[], &[dir.path().display().to_string()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(sent, 1);
}
