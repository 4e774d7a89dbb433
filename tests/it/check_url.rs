//! Finding the simple index from the upload URL, on the fake index laid out
//! as each index family lays itself out: the upload refuses every re-upload
//! with 409 (as pypiserver, Nexus and Artifactory do), and only the listing
//! tells an identical file from a different one.

use std::sync::{Arc, Mutex};

use crate::support::fake_index::{FakeIndex, Received, Reply};
use crate::support::{SECRET, good, sha256_hex, upload};

const WHEEL: &str = "mintup_hatch_demo-0.4.2-py3-none-any.whl";
const PROJECT_PAGE: &str = "mintup-hatch-demo/";

fn wheel_sha256() -> String {
    sha256_hex(&std::fs::read(good(WHEEL)).unwrap())
}

/// A PEP 503 page listing the wheel with this sha256.
fn html_page(sha256: &str) -> Reply {
    Reply::status(
        200,
        &format!(
            "<!DOCTYPE html><html><body><a href=\"../../packages/{WHEEL}#sha256={sha256}\">{WHEEL}</a></body></html>"
        ),
    )
    .header("content-type", "text/html; charset=utf-8")
}

/// A PEP 503 root page.
fn root_page() -> Reply {
    Reply::status(
        200,
        "<!DOCTYPE html><html><head><title>Simple index</title></head><body>\
         <a href=\"mintup-hatch-demo/\">mintup-hatch-demo</a></body></html>",
    )
    .header("content-type", "text/html")
}

/// An index whose simple index lives at `simple` and lists the wheel with
/// `listed` as its sha256 (or not at all); uploads at any other path get 409.
fn index_with(simple: &'static str, listed: Option<String>) -> FakeIndex {
    FakeIndex::start(move |request| {
        if request.method == "GET" {
            return match (request.path.strip_prefix(simple), &listed) {
                (Some(PROJECT_PAGE), Some(sha)) => html_page(sha),
                (Some(""), _) => root_page(),
                _ => Reply::status(404, "not found"),
            };
        }
        Reply::status(409, "File already exists")
    })
}

fn gets(index: &FakeIndex) -> Vec<String> {
    index
        .received()
        .into_iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.path)
        .collect()
}

/// Each family's upload path and where its simple index is; the upload
/// path alone leads mintup there.
const LAYOUTS: &[(&str, &str)] = &[
    ("/", "/simple/"),
    ("/legacy/", "/simple/"),
    ("/alice/dev/", "/alice/dev/+simple/"),
    (
        "/repository/pypi-internal/",
        "/repository/pypi-internal/simple/",
    ),
    (
        "/artifactory/api/pypi/pypi-local",
        "/artifactory/api/pypi/pypi-local/simple/",
    ),
    (
        "/api/v4/projects/42/packages/pypi",
        "/api/v4/projects/42/packages/pypi/simple/",
    ),
    ("/pypi/my-repo/", "/pypi/my-repo/simple/"),
    (
        "/org/proj/_packaging/feed/pypi/upload/",
        "/org/proj/_packaging/feed/pypi/simple/",
    ),
    ("/my-project/my-repo/", "/my-project/my-repo/simple/"),
    (
        "/api/packages/alice/pypi",
        "/api/packages/alice/pypi/simple/",
    ),
];

#[test]
fn each_family_s_listing_is_found_and_tells_a_different_file_from_the_same() {
    for (upload_path, simple) in LAYOUTS {
        // A different file under the wheel's name: refused, with both
        // digests, though --skip-existing was given.
        let index = index_with(simple, Some("ab".repeat(32)));
        let url = index.at(upload_path);
        let out = upload(&url, "alice", &["--skip-existing"], &[good(WHEEL)]);
        assert_eq!(out.code, 1, "{upload_path}: {}", out.stderr);
        out.stderr_has(&format!(
            "(its sha256 {}, this file's {})",
            "ab".repeat(32),
            wheel_sha256()
        ));
        let asked = gets(&index);
        assert_eq!(
            asked.last().map(String::as_str),
            Some(format!("{simple}{PROJECT_PAGE}").as_str()),
            "{upload_path}: asked {asked:?}"
        );
        assert_eq!(index.posts(), 0);

        // The same file: skipped as identical, without being sent.
        let index = index_with(simple, Some(wheel_sha256()));
        let out = upload(
            &index.at(upload_path),
            "alice",
            &["--skip-existing"],
            &[good(WHEEL)],
        );
        assert_eq!(out.code, 0, "{upload_path}: {}", out.stderr);
        out.stderr_has("was skipped: the index already has it, with the same sha256");
    }
}

#[test]
fn a_listing_is_asked_with_the_upload_s_credentials() {
    let index = index_with("/simple/", Some(wheel_sha256()));
    let out = upload(&index.url, "alice", &["--skip-existing"], &[good(WHEEL)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let received = index.received();
    let get = received.iter().find(|r| r.method == "GET").expect("a GET");
    let basic = get.header("authorization").expect("credentials");
    assert!(basic.starts_with("Basic "), "{basic}");
}

#[test]
fn an_unknown_project_is_absent_where_the_root_answers_or_the_layout_is_known() {
    // The project's page is 404; /simple/ is a simple index (pypiserver),
    // or the URL is Gitea's documented place, which has no root listing.
    for (upload_path, root, layout) in [
        ("/legacy/", Some("/simple/"), "legacy sibling"),
        ("/api/packages/alice/pypi", None, "Gitea/Forgejo"),
    ] {
        let index = FakeIndex::start(move |request| {
            match (request.method.as_str(), request.path.as_str()) {
                ("GET", path) if Some(path) == root => root_page(),
                ("GET", _) => Reply::status(404, "not found"),
                _ => Reply::ok(),
            }
        });
        let url = index.at(upload_path);
        let out = upload(
            &url,
            "alice",
            &["--skip-existing", "--verbose"],
            &[good(WHEEL)],
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.stderr_has(&format!("({layout} layout)"));
        assert!(
            !out.stderr.contains("no simple index found"),
            "{}",
            out.stderr
        );
        assert_eq!(out.results("uploaded"), 1, "{}", out.stdout);
    }
}

#[test]
fn a_web_page_served_for_every_path_is_not_taken_for_a_listing() {
    let index = FakeIndex::start(|request| match request.method.as_str() {
        "GET" => Reply::status(200, "<html><body><a href='/about'>About</a></body></html>")
            .header("content-type", "text/html"),
        _ => Reply::status(409, "File already exists"),
    });
    let out = upload(&index.url, "alice", &["--skip-existing"], &[good(WHEEL)]);
    out.stderr_has(&format!(
        "note: no simple index found for {} (tried {} (not a simple index), {} (not a simple index))",
        index.url,
        index.at("/simple/"),
        index.at("/legacy/simple/")
    ));
    out.stderr_has("the index does not say whether its copy is identical");
}

/// Uploads are stored and listed at `/simple/`; the first upload is stored
/// and then answered 503, every re-upload gets 409, as pypiserver does.
fn stored_then_lost(listed: bool) -> (FakeIndex, Arc<Mutex<usize>>) {
    let posts = Arc::new(Mutex::new(0));
    let counted = Arc::clone(&posts);
    let index = FakeIndex::start(move |request: &Received| {
        let stored = *counted.lock().unwrap() > 0;
        if request.method == "GET" {
            return match request.path.as_str() {
                "/simple/mintup-hatch-demo/" if stored && listed => html_page(&wheel_sha256()),
                "/simple/mintup-hatch-demo/" if listed => html_page("00"),
                _ => Reply::status(404, "not found"),
            };
        }
        *counted.lock().unwrap() += 1;
        match stored {
            false => Reply::status(503, "stored, but the answer was lost"),
            true => Reply::status(409, "File already exists"),
        }
    });
    (index, posts)
}

#[test]
fn a_file_stored_by_an_attempt_whose_answer_was_lost_counts_as_uploaded() {
    let (index, posts) = stored_then_lost(true);
    let out = upload(&index.url, "alice", &[], &[good(WHEEL)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stderr_has("an earlier attempt had landed (the index has it with the same sha256)");
    assert_eq!(*posts.lock().unwrap(), 1, "sent again");
    assert!(
        out.stdout.starts_with(&format!("uploaded  {WHEEL}")),
        "{}",
        out.stdout
    );
}

#[test]
fn without_a_listing_the_urls_tried_are_named_and_the_answer_decides() {
    let (index, posts) = stored_then_lost(false);
    let out = upload(&index.url, "alice", &["--retries", "1"], &[good(WHEEL)]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.stderr_has(&format!(
        "note: no simple index found for {} (tried {} (404), {} (404))",
        index.url,
        index.at("/simple/"),
        index.at("/legacy/simple/")
    ));
    out.stderr_has("pass --check-url URL to name it");
    assert_eq!(*posts.lock().unwrap(), 2);
}

#[test]
fn no_check_url_asks_nothing() {
    let (index, posts) = stored_then_lost(true);
    let out = upload(
        &index.url,
        "alice",
        &["--retries", "1", "--skip-existing", "--no-check-url"],
        &[good(WHEEL)],
    );
    assert!(gets(&index).is_empty(), "{:?}", gets(&index));
    assert_eq!(*posts.lock().unwrap(), 2);
    // The 409 after a lost answer is taken at its word.
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stderr_has("the index does not say whether its copy is identical");
}

#[test]
fn a_listing_too_large_to_read_is_reported_not_trusted() {
    let huge = format!(
        "<html><body>{}</body></html>",
        format!(
            "<a href=\"x-1.0.tar.gz#sha256={}\">x</a>\n",
            "cd".repeat(32)
        )
        .repeat(120_000)
    );
    let index = FakeIndex::start(move |request| match request.method.as_str() {
        "GET" => Reply::status(200, &huge).header("content-type", "text/html"),
        _ => Reply::status(409, "File already exists"),
    });
    let out = upload(&index.url, "alice", &["--skip-existing"], &[good(WHEEL)]);
    out.stderr_has(&format!(
        "could not ask the index whether it already has it ({}simple/mintup-hatch-demo/ is larger than the 8 MiB a listing may take",
        index.at("/")
    ));
    // The 409 alone cannot say the copy is the same: said, not hidden.
    out.stderr_has("the index does not say whether its copy is identical");
    assert!(!out.stderr.contains(SECRET));
}
