//! PyPI's 14-day rule before the first byte: the fake index serves a JSON
//! API (named by `MINTUP_JSON_API_URL`, which applies the rule to any
//! index) and a simple index; a batch with new files for an old release is
//! refused whole, files the release has are still skipped.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::support::fake_index::{FakeIndex, Reply};
use crate::support::{Run, good, mintup, run, sha256_hex, upload_args};

const WHEEL: &str = "mintup_hatch_demo-0.4.2-py3-none-any.whl";
const SDIST: &str = "mintup_hatch_demo-0.4.2.tar.gz";
const RELEASE: &str = "/pypi/mintup-hatch-demo/0.4.2/json";

fn sha256_of(name: &str) -> String {
    sha256_hex(&std::fs::read(good(name)).unwrap())
}

/// An upload time `days_ago` days before now, as Warehouse writes it.
fn days_ago(days: u64) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let t = x509_cert::der::DateTime::from_unix_duration(now - Duration::from_secs(days * 86_400))
        .unwrap();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.123456Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minutes(),
        t.seconds()
    )
}

/// An index whose release page answers `release` and whose simple index
/// lists the sdist, identical; uploads are accepted.
fn index(release: Reply) -> FakeIndex {
    let sdist_sha = sha256_of(SDIST);
    FakeIndex::start(
        move |request| match (request.method.as_str(), request.path.as_str()) {
            ("GET", RELEASE) => release.clone(),
            ("GET", "/simple/mintup-hatch-demo/") => Reply::status(
                200,
                &format!("<a href=\"/f/{SDIST}#sha256={sdist_sha}\">{SDIST}</a>"),
            )
            .header("content-type", "text/html"),
            ("GET", _) => Reply::status(404, ""),
            _ => Reply::ok(),
        },
    )
}

/// A release page with the sdist, uploaded `days` days ago.
fn released(days: u64) -> Reply {
    let page = serde_json::json!({
        "info": {"name": "mintup-hatch-demo", "version": "0.4.2"},
        "urls": [{"filename": SDIST, "upload_time_iso_8601": days_ago(days)}],
    });
    Reply::status(200, &page.to_string()).header("content-type", "application/json")
}

fn publish(index: &FakeIndex, files: &[&str]) -> Run {
    let home = tempfile::tempdir().unwrap();
    run(mintup(home.path())
        .args(upload_args(&index.url, "alice"))
        .args(["--check-url", &index.at("/simple/")])
        .env("MINTUP_JSON_API_URL", index.at("/pypi"))
        .args(files.iter().map(|f| good(f))))
}

#[test]
fn a_new_file_for_an_old_release_stops_the_batch_before_the_first_byte() {
    let index = index(released(30));
    let out = publish(&index, &[SDIST, WHEEL]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(index.posts(), 0, "something was sent");
    out.stderr_has(
        "PyPI refuses new files for releases older than 14 days (\"Uploading new files to \
         releases older than 14 days is not allowed.\"); nothing was sent",
    )
    .stderr_has(&format!(
        "mintup-hatch-demo 0.4.2 was first uploaded on {}; new: {WHEEL}",
        &days_ago(30)[..10]
    ))
    .stderr_has("hint: publish these files under a new version");
}

#[test]
fn files_an_old_release_already_has_are_still_skipped() {
    let index = index(released(30));
    let out = publish(&index, &[SDIST]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with(&format!("skipped   {SDIST}")),
        "{}",
        out.stdout
    );
    assert_eq!(index.posts(), 0);
}

#[test]
fn a_release_younger_than_14_days_takes_new_files() {
    let index = index(released(13));
    let out = publish(&index, &[SDIST, WHEEL]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.results("uploaded"), 1, "{}", out.stdout);
    assert_eq!(out.results("skipped"), 1, "{}", out.stdout);
}

#[test]
fn a_new_release_is_not_asked_twice_and_an_unreadable_api_is_a_note() {
    let index = self::index(Reply::status(404, "Not Found"));
    let out = publish(&index, &[SDIST, WHEEL]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stderr.contains("released"), "{}", out.stderr);
    let asked = index
        .received()
        .iter()
        .filter(|r| r.path == RELEASE)
        .count();
    assert_eq!(asked, 1, "one lookup per release");

    let index = self::index(Reply::status(503, "down"));
    let out = publish(&index, &[WHEEL]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stderr_has(&format!(
        "note: could not read when mintup-hatch-demo 0.4.2 was released ({}{RELEASE} answered 503)",
        index.at("")
    ));
    assert_eq!(index.posts(), 1);
}
