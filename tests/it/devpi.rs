//! A real devpi-server (from PyPI, in the test venv, offline) on 127.0.0.1:
//! every good fixture is uploaded to a non-volatile index and downloaded back
//! through its simple page; an identical re-upload is accepted, a different
//! file under an existing name is refused.

use crate::support::peers::{Devpi, http_get};
use crate::support::{self, Run, SECRET, good, good_files, sha256_hex};

fn upload(devpi: &Devpi, extra: &[&str], files: &[String]) -> Run {
    support::upload(&devpi.index_url, "alice", extra, files)
}

/// The href of `filename` on a simple page, resolved against the page's path.
fn link_to(page: &str, page_path: &str, filename: &str) -> String {
    let anchor = format!(">{filename}</a>");
    let end = page
        .find(&anchor)
        .unwrap_or_else(|| panic!("{filename} not listed:\n{page}"));
    let start = page[..end].rfind("href=\"").expect("href") + 6;
    let href = &page[start..end];
    let href = &href[..href.find(['#', '"']).unwrap_or(href.len())];
    let mut base: Vec<&str> = page_path.trim_end_matches('/').split('/').collect();
    let mut parts = href.split('/').peekable();
    while parts.peek() == Some(&"..") {
        parts.next();
        base.pop();
    }
    base.extend(parts);
    base.join("/")
}

#[test]
fn upload_download_back_and_reupload() {
    let devpi = Devpi::start("alice", SECRET);
    let files = good_files();
    let out = upload(&devpi, &[], &files);
    assert_eq!(
        out.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
    assert_eq!(out.results("uploaded"), files.len());

    for (project, filename) in [
        (
            "mintup-hatch-demo",
            "mintup_hatch_demo-0.4.2-py3-none-any.whl",
        ),
        ("mintup-hatch-demo", "mintup_hatch_demo-0.4.2.tar.gz"),
        ("mint-up-demo", "Mint_Up.Demo-1.0.0-py3-none-any.whl"),
        ("mintup-imports", "mintup_imports-3.1.4-py3-none-any.whl"),
        ("legacy-zip", "legacy_zip-0.1.zip"),
    ] {
        let page_path = format!("/alice/dev/+simple/{project}/");
        let (status, page) = http_get(devpi.port, &page_path).unwrap();
        assert_eq!(status, 200, "{page_path}");
        let link = link_to(&String::from_utf8_lossy(&page), &page_path, filename);
        let (status, body) = http_get(devpi.port, &link).unwrap();
        assert_eq!(status, 200, "GET {link}");
        assert_eq!(
            sha256_hex(&body),
            sha256_hex(&std::fs::read(good(filename)).unwrap()),
            "{filename}"
        );
    }

    // devpi accepts an identical re-upload to a non-volatile index.
    let out = upload(&devpi, &[], &[good("legacy_zip-0.1.zip")]);
    assert_eq!(out.code, 0, "{}", out.stderr);

    // Different bytes under an existing name: 409, a failure unless skipped.
    let dir = tempfile::tempdir().unwrap();
    let changed = dir.path().join("legacy_zip-0.1.zip");
    let mut bytes = std::fs::read(good("legacy_zip-0.1.zip")).unwrap();
    bytes.extend_from_slice(b"trailing bytes make a different file");
    std::fs::write(&changed, bytes).unwrap();
    let changed = changed.display().to_string();
    let out = upload(&devpi, &[], std::slice::from_ref(&changed));
    assert_eq!(out.code, 1, "{}", out.stdout);
    out.stderr_has("the index already has a different file of this name");
    // devpi refuses only different bytes, so even --skip-existing fails it;
    // its simple index, found from the upload URL, names both digests.
    let ours = sha256_hex(&std::fs::read(dir.path().join("legacy_zip-0.1.zip")).unwrap());
    let theirs = sha256_hex(&std::fs::read(good("legacy_zip-0.1.zip")).unwrap());
    let out = upload(&devpi, &["--skip-existing"], std::slice::from_ref(&changed));
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.stderr_has(&format!("(its sha256 {theirs}, this file's {ours})"));
    // Named as the check URL, it skips an identical file without sending it.
    let check_url = format!("http://127.0.0.1:{}/alice/dev/+simple/", devpi.port);
    let out = upload(
        &devpi,
        &["--check-url", &check_url],
        &[good("legacy_zip-0.1.zip")],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with("skipped   legacy_zip-0.1.zip"),
        "{}",
        out.stdout
    );
    out.stderr_has("the index already has it, with the same sha256");
    // Without one, devpi's own answer says only that its copy differs.
    let out = upload(
        &devpi,
        &["--skip-existing", "--no-check-url"],
        std::slice::from_ref(&changed),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.stderr_has("its copy differs");
}
