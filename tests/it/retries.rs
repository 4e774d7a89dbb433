//! Retries that never double-publish: a fault-injecting fake index (5xx,
//! 429, a body stored before a 503, a reset connection, a different file
//! already there), each asserting the outcome, the number of attempts and
//! that nothing was published twice.

use std::sync::{Arc, Mutex};

use crate::support::fake_index::{FakeIndex, Received, Reply};
use crate::support::{Run, good, mintup, raw_http, run, sha256_hex, upload, upload_args};

const WHEEL: &str = "mintup_hatch_demo-0.4.2-py3-none-any.whl";
const SDIST: &str = "mintup_hatch_demo-0.4.2.tar.gz";

fn sha256_of(name: &str) -> String {
    sha256_hex(&std::fs::read(good(name)).unwrap())
}

/// Files the fake index holds: (file name, sha256).
type Stored = Arc<Mutex<Vec<(String, String)>>>;

/// The PEP 691 page of the project, listing what is stored.
fn listing(stored: &Stored) -> Reply {
    let files: Vec<_> = stored
        .lock()
        .unwrap()
        .iter()
        .map(|(name, sha)| serde_json::json!({"filename": name, "hashes": {"sha256": sha}, "url": name}))
        .collect();
    Reply::status(
        200,
        &serde_json::json!({"meta": {"api-version": "1.1"}, "name": "mintup-hatch-demo", "files": files})
            .to_string(),
    )
    .header("content-type", "application/vnd.pypi.simple.v1+json")
}

/// A stateful index: uploads are stored (unless `answer` says otherwise)
/// and listed at `/simple/<project>/`; `answer` decides each upload's reply
/// from its number (1-based).
fn stateful(
    stored: &Stored,
    mut answer: impl FnMut(usize, &Received) -> (bool, Reply) + Send + 'static,
) -> FakeIndex {
    let stored = Arc::clone(stored);
    let mut uploads = 0;
    FakeIndex::start(move |request| {
        if request.method == "GET" && request.path.starts_with("/simple/") {
            return listing(&stored);
        }
        uploads += 1;
        let (store, reply) = answer(uploads, request);
        if store {
            for file in &request.files {
                stored
                    .lock()
                    .unwrap()
                    .push((file.filename.clone(), file.sha256.clone()));
            }
        }
        reply
    })
}

fn with_check_url(index: &FakeIndex, extra: &[&str], files: &[String]) -> Run {
    let check_url = index.at("/simple/");
    let mut args = vec!["--check-url", check_url.as_str()];
    args.extend_from_slice(extra);
    upload(&index.url, "alice", &args, files)
}

#[test]
fn service_unavailable_twice_then_stored() {
    let stored = Stored::default();
    let index = stateful(&stored, |n, _| {
        if n <= 2 {
            (false, Reply::status(503, "try again"))
        } else {
            (true, Reply::ok())
        }
    });
    let out = upload(&index.url, "alice", &[], &[good(WHEEL)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(index.posts(), 3);
    out.stderr_has(&format!("{WHEEL}: retrying in "))
        .stderr_has("(attempt 2/4): 503 Service Unavailable")
        .stderr_has("(attempt 3/4): 503 Service Unavailable");
    assert_eq!(stored.lock().unwrap().len(), 1);
}

#[test]
fn a_503_after_the_file_was_stored_is_not_sent_again() {
    let stored = Stored::default();
    // The index stores the file, then fails to say so.
    let index = stateful(&stored, |n, _| {
        (true, Reply::status(if n == 1 { 503 } else { 200 }, ""))
    });
    let out = with_check_url(&index, &[], &[good(WHEEL)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(index.posts(), 1, "sent again into a duplicate");
    out.stderr_has("an earlier attempt had landed (the index has it with the same sha256)");
    assert!(
        out.stdout.starts_with(&format!("uploaded  {WHEEL}")),
        "{}",
        out.stdout
    );
    assert_eq!(stored.lock().unwrap().len(), 1);
}

#[test]
fn too_many_requests_waits_as_long_as_asked() {
    let stored = Stored::default();
    let index = stateful(&stored, |n, _| {
        if n == 1 {
            (
                false,
                Reply::status(429, "slow down").header("retry-after", "1"),
            )
        } else {
            (true, Reply::ok())
        }
    });
    let started = std::time::Instant::now();
    let out = upload(&index.url, "alice", &[], &[good(WHEEL)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    out.stderr_has("retrying in 1.0s (attempt 2/4): 429 Too Many Requests");
    assert_eq!(index.posts(), 2);
    // An index asking for an hour is reported, not waited for.
    let index = FakeIndex::always(Reply::status(429, "").header("retry-after", "3600"));
    let out = upload(&index.url, "alice", &[], &[good(WHEEL)]);
    assert_eq!(out.code, 1);
    assert_eq!(index.posts(), 1);
}

#[test]
fn retries_are_bounded() {
    let index = FakeIndex::always(Reply::status(502, "bad gateway"));
    let out = upload(&index.url, "alice", &["--retries", "1"], &[good(WHEEL)]);
    assert_eq!(out.code, 1);
    assert_eq!(index.posts(), 2);
    out.stderr_has(&format!("error: {WHEEL}: gave up after 2 attempts"))
        .stderr_has("refused it with 502");
}

#[test]
fn a_different_file_already_there_is_an_error_naming_both_digests() {
    let stored = Stored::default();
    stored
        .lock()
        .unwrap()
        .push((WHEEL.to_owned(), "ab".repeat(32)));
    let index = stateful(&stored, |_, _| (true, Reply::ok()));
    let out = with_check_url(&index, &["--skip-existing"], &[good(WHEEL)]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(index.posts(), 0);
    out.stderr_has(&format!(
        "error: {WHEEL}: the index already has a different file of this name (its sha256 {}, this file's {})",
        "ab".repeat(32),
        sha256_of(WHEEL)
    ));
}

#[test]
fn a_rerun_after_a_partial_failure_finishes_the_release() {
    let stored = Stored::default();
    // The wheel went up; the sdist was refused by a passing fault.
    let index = stateful(&stored, |_, request| {
        let sdist = request.files.iter().any(|f| f.filename == SDIST);
        if sdist {
            (false, Reply::status(400, "temporary rule"))
        } else {
            (true, Reply::ok())
        }
    });
    let out = with_check_url(&index, &[], &[good(WHEEL), good(SDIST)]);
    assert_eq!(out.code, 1);
    drop(index);
    let index = stateful(&stored, |_, _| (true, Reply::ok()));
    let out = with_check_url(&index, &[], &[good(WHEEL), good(SDIST)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(index.posts(), 1, "only the sdist is sent");
    out.stdout_has(&format!("skipped   {WHEEL}"))
        .stdout_has(&format!("uploaded  {SDIST}"));
    let names: Vec<String> = stored
        .lock()
        .unwrap()
        .iter()
        .map(|(n, _)| n.clone())
        .collect();
    assert_eq!(names, [WHEEL, SDIST]);
}

#[test]
fn a_connection_reset_mid_body_is_retried() {
    use std::io::{Read, Write};
    // First connection: read part of the body, then drop it. Second: read
    // the whole request and answer 200.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/legacy/", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let mut connections = 0;
        for stream in listener.incoming().take(2) {
            let mut stream = stream.unwrap();
            connections += 1;
            stream
                .set_read_timeout(Some(std::time::Duration::from_secs(10)))
                .unwrap();
            if connections == 1 {
                let mut buffer = vec![0u8; 1 << 16];
                let _ = stream.read(&mut buffer);
                drop(stream);
                continue;
            }
            let request = raw_http::read_request(&mut stream);
            assert!(request.is_some(), "the retry's request ended early");
            stream.write_all(raw_http::OK).unwrap();
        }
        connections
    });
    // This server takes two connections: no simple index is asked.
    let out = upload(&url, "alice", &["--no-check-url"], &[good(SDIST)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stderr_has(&format!("{SDIST}: retrying in "))
        .stderr_has("(attempt 2/4): the connection failed");
    assert_eq!(server.join().unwrap(), 2);
}

#[test]
fn the_environment_sets_retries_and_the_check_url() {
    let stored = Stored::default();
    stored
        .lock()
        .unwrap()
        .push((WHEEL.to_owned(), sha256_of(WHEEL)));
    let index = stateful(&stored, |_, _| (false, Reply::status(503, "")));
    let home = tempfile::tempdir().unwrap();
    let out = run(mintup(home.path())
        .args(upload_args(&index.url, "u"))
        .env("MINTUP_RETRIES", "0")
        .env("MINTUP_CHECK_URL", index.at("/simple/"))
        .args([good(WHEEL), good(SDIST)]));
    assert_eq!(out.code, 1);
    out.stdout_has(&format!("skipped   {WHEEL}"));
    assert_eq!(
        index.posts(),
        1,
        "one attempt for the sdist, none for the wheel"
    );
}
