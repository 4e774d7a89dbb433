//! A real pypiserver (from PyPI, in the test venv) on 127.0.0.1 with an
//! htpasswd user: every good fixture is uploaded, downloaded back and
//! compared, then uploaded again.

use crate::support::peers::{PypiServer, http_get};
use crate::support::{Run, SECRET, good_files, mintup, run, sha256_hex};

fn upload(server: &PypiServer, password: &str, extra: &[&str]) -> Run {
    let home = tempfile::tempdir().unwrap();
    run(mintup(home.path())
        .args([
            "upload",
            "--repository-url",
            &server.url,
            "-u",
            "alice",
            "-p",
            password,
        ])
        .args(extra)
        .args(good_files()))
}

fn name_of(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

#[test]
fn upload_download_back_and_reupload() {
    let server = PypiServer::start("alice", SECRET);
    let files = good_files();

    let out = upload(&server, SECRET, &[]);
    assert_eq!(
        out.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    assert_eq!(out.results("uploaded"), files.len(), "{}", out.stdout);

    for path in &files {
        let name = name_of(path);
        let (status, body) = http_get(server.port, &format!("/packages/{name}")).unwrap();
        assert_eq!(status, 200, "GET /packages/{name}");
        assert_eq!(
            sha256_hex(&body),
            sha256_hex(&std::fs::read(path).unwrap()),
            "{name} came back different"
        );
    }
    let (status, page) = http_get(server.port, "/simple/mintup-hatch-demo/").unwrap();
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&page).contains("mintup_hatch_demo-0.4.2-py3-none-any.whl"));

    // Again: pypiserver refuses existing files with 409.
    let out = upload(&server, SECRET, &[]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stdout.lines().next().unwrap().starts_with("failed "),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr
            .contains("already has a file of this name: Package '"),
        "{}",
        out.stderr
    );

    // pypiserver refuses every re-upload alike; its simple index, found
    // from the upload URL, tells identical files from different ones.
    let out = upload(&server, SECRET, &["--skip-existing"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.results("skipped"), files.len(), "{}", out.stdout);
    out.stderr_has("was skipped: the index already has it, with the same sha256");

    let dir = tempfile::tempdir().unwrap();
    let name = "mintup_hatch_demo-0.4.2.tar.gz";
    let original = files.iter().find(|f| f.ends_with(name)).unwrap();
    let mut bytes = std::fs::read(original).unwrap();
    bytes.extend_from_slice(b"trailing bytes make a different file");
    let changed = dir.path().join(name);
    std::fs::write(&changed, &bytes).unwrap();
    let home = tempfile::tempdir().unwrap();
    let out = run(mintup(home.path())
        .args(["upload", "--repository-url", &server.url])
        .args(["-u", "alice", "-p", SECRET, "--skip-existing"])
        .arg(&changed));
    assert_eq!(out.code, 1, "a different file was skipped:\n{}", out.stderr);
    out.stderr_has(&format!(
        "the index already has a different file of this name (its sha256 {}, this file's {})",
        sha256_hex(&std::fs::read(original).unwrap()),
        sha256_hex(&bytes)
    ));
}

#[test]
fn wrong_password_is_refused_and_nothing_is_stored() {
    let server = PypiServer::start("alice", SECRET);
    let out = upload(&server, "not-the-password", &[]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains(&format!("{} refused it with 40", server.url)),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("hint: check the user name and password"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read_dir(&server.packages).unwrap().count(), 0);
}
