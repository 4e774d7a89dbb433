//! `mintup check` on the fixtures, and the same checks run by `upload`
//! before the first byte is sent.

use crate::support::fake_index::FakeIndex;
use crate::support::{Run, bad, good, mintup, root, run, upload};

fn check(args: &[&str]) -> Run {
    let home = tempfile::tempdir().unwrap();
    run(mintup(home.path()).arg("check").args(args))
}

fn good_dir() -> String {
    root().join("fixtures/good").display().to_string()
}

#[test]
fn pypi_rules_fail_the_files_pypi_would_refuse() {
    let out = check(&[&good_dir()]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    out.stdout_has("PASSED  mintup_hatch_demo-0.4.2-py3-none-any.whl\n")
        .stdout_has("PASSED  mintup_hatch_demo-0.4.2.tar.gz\n")
        .stdout_has("FAILED  legacy_zip-0.1.zip\n    error: filename: a .zip sdist: PyPI accepts only .tar.gz source distributions (PEP 625); rebuild the sdist with `python -m build --sdist`\n")
        .stdout_has("FAILED  Mint_Up.Demo-1.0.0-py3-none-any.whl\n    error: filename: the file name should start with the normalized project name 'mint_up_demo', not 'Mint_Up.Demo'")
        .stdout_has("WARNED  mintup_three-3.0.0.dev1-py3-none-any.whl\n    warning: field-version: License-File needs Metadata-Version 2.4; it is left out of the upload");
}

#[test]
fn other_indexes_only_get_warnings_unless_strict() {
    let out = check(&[
        "--repository-url",
        "https://devpi.example/root/dev/",
        &good_dir(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(!out.stdout.contains("FAILED"), "{}", out.stdout);
    out.stdout_has("WARNED  legacy_zip-0.1.zip\n    warning: filename: a .zip sdist");
    let out = check(&[
        "--strict",
        "--repository-url",
        "https://devpi.example/root/dev/",
        &good_dir(),
    ]);
    assert_eq!(out.code, 1);
}

#[test]
fn unreadable_files_fail_like_any_other() {
    let out = check(&[
        &bad("truncated-1.0-py3-none-any.whl"),
        &bad("twopkginfo-1.0.tar.gz"),
        &bad("empty-1.0-py3-none-any.whl"),
        &good("mintup_hatch_demo-0.4.2.tar.gz"),
    ]);
    assert_eq!(out.code, 1);
    out.stdout_has("FAILED  truncated-1.0-py3-none-any.whl\n")
        .stdout_has("caused by: it is not a valid zip archive (truncated or corrupt)")
        .stdout_has("FAILED  twopkginfo-1.0.tar.gz\n")
        .stdout_has("FAILED  empty-1.0-py3-none-any.whl\n")
        .stdout_has("PASSED  mintup_hatch_demo-0.4.2.tar.gz\n");
}

#[test]
fn upload_checks_the_batch_first_and_no_verify_skips_it() {
    let dir = tempfile::tempdir().unwrap();
    let renamed = dir.path().join("other_name-0.4.2-py3-none-any.whl");
    std::fs::copy(good("mintup_hatch_demo-0.4.2-py3-none-any.whl"), &renamed).unwrap();
    let files = [
        good("mintup_hatch_demo-0.4.2.tar.gz"),
        renamed.display().to_string(),
    ];
    let index = FakeIndex::accepting();
    let out = upload(&index.url, "u", &[], &files);
    assert_eq!(out.code, 1);
    assert!(
        index.received().is_empty(),
        "nothing may be sent when a check fails"
    );
    out.stderr_has("error: 1 file failing the checks; nothing was sent:\n  other_name-0.4.2-py3-none-any.whl\n")
        .stderr_has("    error: filename: the file name says project 'other_name' but the metadata says 'mintup-hatch-demo'")
        .stderr_has("hint: fix the files (each line says how), or pass --no-verify");
    let out = upload(&index.url, "u", &["--no-verify"], &files);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(index.received().len(), 2);
}

#[test]
fn dry_run_verifies_the_real_requests_without_credentials_or_network() {
    let dir = tempfile::tempdir().unwrap();
    for name in [
        "mintup_hatch_demo-0.4.2-py3-none-any.whl",
        "mintup_hatch_demo-0.4.2.tar.gz",
    ] {
        std::fs::copy(good(name), dir.path().join(name)).unwrap();
    }
    let home = tempfile::tempdir().unwrap();
    let out = run(mintup(home.path())
        .env("CI", "true")
        .args(["upload", "--dry-run", "--print-hash"])
        .arg(dir.path()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let sha256 = crate::support::sha256_hex(
        &std::fs::read(good("mintup_hatch_demo-0.4.2-py3-none-any.whl")).unwrap(),
    );
    out.stdout_has(&format!(
        "ready     mintup_hatch_demo-0.4.2-py3-none-any.whl  3.5 KiB  sha256 {sha256}; verified, would go to https://upload.pypi.org/legacy/\n"
    ))
        .stdout_has("ready     mintup_hatch_demo-0.4.2.tar.gz")
        .stdout_has("  sha256      ");
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    // The checks apply to the real target: a .zip sdist fails for PyPI.
    let out = run(mintup(home.path())
        .args(["upload", "--dry-run"])
        .arg(good("legacy_zip-0.1.zip")));
    assert_eq!(out.code, 1);
    out.stderr_has("a .zip sdist: PyPI accepts only .tar.gz");
}

/// A wheel whose RECORD promises `promised` for `x/__init__.py`, which holds
/// `a = 1\n`.
fn wheel_with_record(dir: &std::path::Path, promised: &[u8]) -> String {
    wheel(
        dir,
        b"Metadata-Version: 2.1\nName: x\nVersion: 1.0\n",
        promised,
    )
}

/// A wheel of project `x` with this METADATA; RECORD promises `promised` for
/// `x/__init__.py`, which holds `a = 1\n`.
fn wheel(dir: &std::path::Path, metadata: &[u8], promised: &[u8]) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    use std::io::Write;
    let path = dir.join("x-1.0-py3-none-any.whl");
    let hash =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(promised));
    let wheel = b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n";
    let record = format!(
        "x/__init__.py,sha256={hash},{}\nx-1.0.dist-info/METADATA,,\nx-1.0.dist-info/WHEEL,,\nx-1.0.dist-info/RECORD,,\n",
        promised.len()
    );
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in [
        ("x/__init__.py", &b"a = 1\n"[..]),
        ("x-1.0.dist-info/METADATA", metadata),
        ("x-1.0.dist-info/WHEEL", wheel),
        ("x-1.0.dist-info/RECORD", record.as_bytes()),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    path.display().to_string()
}

#[test]
fn a_lying_record_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    // Same size, other bytes: only the hashes tell, and `check` reads them.
    // PyPI only e-mails the owners about it, so it warns (and --strict fails).
    let wheel = wheel_with_record(dir.path(), b"a = 2\n");
    let out = check(&[&wheel]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    out.stdout_has("WARNED  x-1.0-py3-none-any.whl\n")
        .stdout_has("warning: record: RECORD says x/__init__.py has sha256 ");
    assert_eq!(check(&["--strict", &wheel]).code, 1);
    // Another size: the upload pre-flight sees it in the archive's directory.
    let wheel = wheel_with_record(dir.path(), b"a = 22\n");
    let index = FakeIndex::accepting();
    let out = upload(&index.url, "u", &[], &[wheel]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stderr_has("warning: record: RECORD says x/__init__.py has 7 bytes; it has 6");
}

/// A wheel whose METADATA carries this description and content type.
fn wheel_describing(dir: &std::path::Path, kind: &str, description: &str) -> String {
    let metadata = format!(
        "Metadata-Version: 2.1\nName: x\nVersion: 1.0\nDescription-Content-Type: {kind}\n\n{description}"
    );
    wheel(dir, metadata.as_bytes(), b"a = 1\n")
}

#[test]
fn a_description_pypi_cannot_render_fails_as_twine_check_does() {
    let dir = tempfile::tempdir().unwrap();
    let broken = "Demo\n====\n\nCall it with *args.\n";
    let wheel = wheel_describing(dir.path(), "text/x-rst", broken);
    let out = check(&[&wheel]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    out.stdout_has("FAILED  x-1.0-py3-none-any.whl\n    error: description: the reStructuredText description does not render on PyPI: line 4: Inline emphasis start-string without end-string. (WARNING); fix that line of the README");
    let twine = crate::support::run(
        std::process::Command::new(crate::support::peers::venv_bin("twine"))
            .args(["check", &wheel]),
    );
    assert_eq!(twine.code, 1, "twine check agrees: {}", twine.stdout);
    // Only PyPI renders descriptions: another index gets a warning.
    let out = check(&[
        "--repository-url",
        "https://devpi.example/root/dev/",
        &wheel,
    ]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    out.stdout_has("warning: description: ");
    // The upload pre-flight stops the batch before anything is sent.
    let out = run(mintup(dir.path()).args(["upload", "--dry-run", &wheel]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.stderr_has("error: description: the reStructuredText description does not render on PyPI");

    let fine = wheel_describing(
        dir.path(),
        "text/x-rst",
        "Demo\n====\n\nCall it with ``*args``.\n",
    );
    assert_eq!(check(&[&fine]).code, 0);
    let twine = crate::support::run(
        std::process::Command::new(crate::support::peers::venv_bin("twine")).args(["check", &fine]),
    );
    assert_eq!(twine.code, 0, "twine check agrees: {}", twine.stdout);
    let markdown = wheel_describing(dir.path(), "text/markdown", broken);
    assert_eq!(check(&[&markdown]).code, 0);
}

#[test]
fn check_reports_as_json_too() {
    let out = check(&[
        "--format",
        "json",
        &good_dir(),
        &bad("empty-1.0-py3-none-any.whl"),
    ]);
    assert_eq!(out.code, 1);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("one JSON document");
    assert_eq!(
        (report["version"].as_u64(), report["ok"].as_bool()),
        (Some(1), Some(false))
    );
    let file = |name: &str| {
        report["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["filename"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    assert_eq!(
        file("mintup_hatch_demo-0.4.2-py3-none-any.whl")["verdict"],
        "passed"
    );
    let zip = file("legacy_zip-0.1.zip");
    assert_eq!(zip["verdict"], "failed");
    assert_eq!(zip["problems"][0]["rule"], "filename");
    assert_eq!(zip["problems"][0]["severity"], "error");
    let empty = file("empty-1.0-py3-none-any.whl");
    assert_eq!(empty["problems"][0]["rule"], "read");
}
