//! Uploads to the in-process fake index: what arrives on the wire, and how
//! each kind of answer is reported.

use base64::Engine as _;

use crate::support::fake_index::{FakeIndex, Received, Reply};
use crate::support::{
    Run, SECRET, good, mintup, raw_http, root, run, sha256_hex, upload, upload_args,
};

const HATCH_WHEEL: &str = "mintup_hatch_demo-0.4.2-py3-none-any.whl";
const HATCH_SDIST: &str = "mintup_hatch_demo-0.4.2.tar.gz";

fn upload_to(index: &FakeIndex, extra: &[&str], files: &[String]) -> Run {
    upload(&index.url, "alice", extra, files)
}

fn only_request(index: &FakeIndex) -> Received {
    let received = index.received();
    assert_eq!(received.len(), 1, "{received:#?}");
    received.into_iter().next().unwrap()
}

/// A wheel's METADATA, read straight from the archive.
fn metadata_of(wheel: &str) -> String {
    let file = std::fs::File::open(good(wheel)).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    let name = archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .find(|n| n.ends_with(".dist-info/METADATA"))
        .unwrap();
    std::io::read_to_string(archive.by_name(&name).unwrap()).unwrap()
}

fn expected_sha256(filename: &str) -> String {
    let text = std::fs::read_to_string(root().join("fixtures/expected.json")).unwrap();
    let list: serde_json::Value = serde_json::from_str(&text).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .find(|e| e["filename"] == filename)
        .and_then(|e| e["sha256"].as_str())
        .unwrap_or_else(|| panic!("{filename} not in expected.json"))
        .to_owned()
}

#[test]
fn fields_digests_and_streamed_file_as_received() {
    let index = FakeIndex::accepting();
    let out = upload_to(&index, &[], &[good(HATCH_WHEEL)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout
            .starts_with(&format!("uploaded  {HATCH_WHEEL}  3.5 KiB")),
        "{}",
        out.stdout
    );
    let req = only_request(&index);
    assert_eq!(
        (req.method.as_str(), req.path.as_str()),
        ("POST", "/legacy/")
    );
    let bytes = std::fs::read(good(HATCH_WHEEL)).unwrap();
    let sha256 = sha256_hex(&bytes);
    assert_eq!(sha256, expected_sha256(HATCH_WHEEL));
    let blake2 = blake2b_simd::Params::new()
        .hash_length(32)
        .hash(&bytes)
        .to_hex()
        .to_string();
    assert_eq!(req.field(":action"), Some("file_upload"));
    assert_eq!(req.field("protocol_version"), Some("1"));
    assert_eq!(req.field("filetype"), Some("bdist_wheel"));
    assert_eq!(req.field("pyversion"), Some("py3"));
    assert_eq!(req.field("sha256_digest"), Some(sha256.as_str()));
    assert_eq!(req.field("blake2_256_digest"), Some(blake2.as_str()));
    assert_eq!(req.field("md5_digest"), None);
    assert_eq!(req.field("name"), Some("mintup-hatch-demo"));
    assert_eq!(req.field("version"), Some("0.4.2"));
    assert_eq!(req.field("metadata_version"), Some("2.4"));
    assert_eq!(req.field("license_expression"), Some("MIT"));
    // Repeated fields arrive once per value, in the metadata's order.
    let metadata = metadata_of(HATCH_WHEEL);
    let values = |header: &str| -> Vec<String> {
        metadata
            .lines()
            .take_while(|l| !l.is_empty())
            .filter_map(|l| l.strip_prefix(&format!("{header}: ")).map(str::to_owned))
            .collect()
    };
    for (header, field) in [
        ("Classifier", "classifiers"),
        ("Project-URL", "project_urls"),
        ("License-File", "license_file"),
        ("Requires-Dist", "requires_dist"),
        ("Provides-Extra", "provides_extra"),
    ] {
        let expected = values(header);
        assert!(!expected.is_empty(), "the fixture has no {header}");
        assert_eq!(req.all(field), expected, "{field}");
    }
    // The file is the last part, with the type Warehouse requires.
    assert_eq!(req.files.len(), 1);
    let file = &req.files[0];
    assert_eq!(
        (file.field.as_str(), file.filename.as_str()),
        ("content", HATCH_WHEEL)
    );
    assert_eq!(file.content_type, "application/octet-stream");
    assert_eq!(
        (file.len, file.sha256.as_str()),
        (bytes.len(), sha256.as_str())
    );
    // Streamed, yet with an exact Content-Length rather than chunked.
    assert_eq!(
        req.header("content-length"),
        Some(req.body_len.to_string().as_str())
    );
    assert_eq!(req.header("transfer-encoding"), None);
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("alice:{SECRET}"));
    assert_eq!(
        req.header("authorization"),
        Some(format!("Basic {basic}").as_str())
    );
    assert!(
        req.header("accept")
            .unwrap()
            .starts_with("application/json")
    );
    assert!(req.header("user-agent").unwrap().starts_with("mintup/"));
}

#[test]
fn wheels_go_before_sdists_and_print_hash_shows_all_three() {
    let index = FakeIndex::accepting();
    let out = upload_to(
        &index,
        &["--print-hash"],
        &[good(HATCH_SDIST), good(HATCH_WHEEL)],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let order: Vec<String> = index
        .received()
        .iter()
        .map(|r| r.files[0].filename.clone())
        .collect();
    assert_eq!(order, [HATCH_WHEEL, HATCH_SDIST]);
    let bytes = std::fs::read(good(HATCH_SDIST)).unwrap();
    let md5 = {
        use md5::Digest;
        md5::Md5::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    assert!(
        out.stdout
            .contains(&format!("  sha256      {}", sha256_hex(&bytes))),
        "{}",
        out.stdout
    );
    out.stdout_has(&format!("  md5         {md5}"));
    out.stdout_has("  blake2b-256 ");
    assert_eq!(out.stdout.lines().count(), 8, "{}", out.stdout);
}

#[test]
fn folded_description_header_is_sent_unfolded() {
    let index = FakeIndex::accepting();
    let out = upload_to(
        &index,
        &[],
        &[good("OldStyle_Pipes-0.9.1-py2.py3-none-any.whl")],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let req = only_request(&index);
    let description = req.field("description").unwrap();
    assert!(!description.contains("       |"), "{description}");
    assert!(
        !description.lines().any(|l| l.starts_with("        ")),
        "{description}"
    );
    assert!(description.lines().count() > 3, "{description}");
    assert_eq!(req.field("pyversion"), Some("py2.py3"));
}

#[test]
fn signature_comment_and_attestation_are_attached() {
    let dir = tempfile::tempdir().unwrap();
    let wheel = dir.path().join(HATCH_WHEEL);
    std::fs::copy(good(HATCH_WHEEL), &wheel).unwrap();
    std::fs::write(
        dir.path().join(format!("{HATCH_WHEEL}.asc")),
        "-----BEGIN PGP SIGNATURE-----\n",
    )
    .unwrap();
    std::fs::write(
        dir.path()
            .join(format!("{HATCH_WHEEL}.publish.attestation")),
        r#"{"version": 1, "verification_material": {}, "envelope": {}}"#,
    )
    .unwrap();
    let index = FakeIndex::accepting();
    let out = upload_to(
        &index,
        &["--attestations", "--comment", "built in CI"],
        &[dir.path().display().to_string()],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let req = only_request(&index);
    assert_eq!(req.field("comment"), Some("built in CI"));
    let attestations: serde_json::Value =
        serde_json::from_str(req.field("attestations").unwrap()).unwrap();
    assert_eq!(attestations[0]["version"], 1);
    let names: Vec<&str> = req.files.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(names, ["gpg_signature", "content"]);
    assert_eq!(req.files[0].filename, format!("{HATCH_WHEEL}.asc"));
}

#[test]
fn pypi_file_exists_fails_and_skip_existing_skips() {
    let exists = "File already exists ('mintup_hatch_demo-0.4.2-py3-none-any.whl', with blake2_256 hash 'ab'). \
                  See https://pypi.org/help/#file-name-reuse for more information.";
    let index = FakeIndex::always(Reply::json(400, exists));
    let out = upload_to(&index, &[], &[good(HATCH_WHEEL)]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.starts_with(&format!("failed    {HATCH_WHEEL}")),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr
            .contains("already has a file of this name: File already exists ("),
        "{}",
        out.stderr
    );
    out.stderr_has("hint: pass --skip-existing");
    let out = upload_to(&index, &["--skip-existing"], &[good(HATCH_WHEEL)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with(&format!("skipped   {HATCH_WHEEL}")),
        "{}",
        out.stdout
    );
}

#[test]
fn conflict_409_is_exists_too() {
    // pypiserver refuses every re-upload alike: skipped, with a note.
    let index = FakeIndex::always(Reply::status(409, "File already exists"));
    let out = upload_to(
        &index,
        &["--skip-existing"],
        &[good(HATCH_WHEEL), good(HATCH_SDIST)],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.results("skipped"), 2, "{}", out.stdout);
    out.stderr_has("the index does not say whether its copy is identical");
    // devpi's non-volatile index refuses only different bytes: never skipped.
    let index = FakeIndex::always(Reply::status(409, "x already exists in non-volatile index"));
    let out = upload_to(&index, &["--skip-existing"], &[good(HATCH_WHEEL)]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.stderr_has("the index already has a different file of this name");
}

#[test]
fn forbidden_answers_name_the_problem() {
    let cases = [
        (
            "Invalid or non-existent authentication information. See https://pypi.org/help/#invalid-auth for more information.",
            "the token was not recognised",
        ),
        (
            "The given token isn't allowed to upload to project 'mintup-hatch-demo'.",
            "the token is scoped to another project",
        ),
        (
            "Invalid API Token: token is expired",
            "the token has expired",
        ),
    ];
    for (message, hint) in cases {
        let index = FakeIndex::always(Reply::json(403, message));
        let out = upload_to(&index, &[], &[good(HATCH_WHEEL)]);
        assert_eq!(out.code, 1);
        assert!(
            out.stderr
                .contains(&format!("refused it with 403: {message}")),
            "{}",
            out.stderr
        );
        out.stderr_has(&format!("hint: {hint}"));
    }
}

#[test]
fn method_not_allowed_means_simple_index_url() {
    let index = FakeIndex::always(Reply::status(405, "Method Not Allowed"));
    let out = upload_to(&index, &[], &[good(HATCH_WHEEL)]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("hint: this looks like the simple index URL, not the upload URL"),
        "{}",
        out.stderr
    );
}

#[test]
fn file_too_large_400_gets_the_limit_hint() {
    let index = FakeIndex::always(Reply::json(
        400,
        "File too large. Limit for project 'x' is 100 MB. See https://docs.pypi.org/project-management/storage-limits#requesting-a-file-size-limit-increase for more information.",
    ));
    let out = upload_to(&index, &[], &[good(HATCH_WHEEL)]);
    assert_eq!(out.code, 1);
    out.stderr_has("refused it with 400: File too large.");
    assert!(
        out.stderr
            .contains("hint: PyPI's default limit is 100 MiB per file"),
        "{}",
        out.stderr
    );
}

#[test]
fn same_host_redirects_are_followed_with_the_body() {
    let index = FakeIndex::start(|req| {
        if req.path == "/upload" {
            Reply::status(308, "").header("location", "/upload/")
        } else {
            Reply::ok()
        }
    });
    let out = upload(&index.at("/upload"), "u", &[], &[good(HATCH_WHEEL)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stderr_has(&format!(
        "{HATCH_WHEEL}: the index redirects to {}/; sending it there",
        index.at("/upload")
    ));
    let received = index.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[1].path, "/upload/");
    let wheel = std::fs::read(good(HATCH_WHEEL)).unwrap();
    assert_eq!(received[1].files[0].sha256, sha256_hex(&wheel));
}

#[test]
fn redirects_elsewhere_or_in_circles_are_not_followed() {
    // Another host (localhost is not 127.0.0.1 to a browser's origin rules
    // either): the credentials never go there.
    let index = FakeIndex::start(|req| {
        let port = req
            .header("host")
            .unwrap()
            .rsplit(':')
            .next()
            .unwrap()
            .to_owned();
        Reply::status(307, "").header("location", &format!("http://localhost:{port}/legacy/"))
    });
    let out = upload_to(&index, &[], &[good(HATCH_WHEEL)]);
    assert_eq!(out.code, 1);
    assert_eq!(index.received().len(), 1, "followed to another host");
    out.stderr_has(
        "hint: redirects are followed only within the upload URL's scheme, host and port",
    );
    // https on the same host and port: another scheme. The fake index
    // would not see a TLS handshake as a request, so a raw server counts
    // every connection: a follow would be a second one.
    let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = std::sync::Arc::clone(&connections);
    let port = std::sync::Arc::new(std::sync::OnceLock::<u16>::new());
    let own_port = std::sync::Arc::clone(&port);
    let server = raw_http::Server::start(move |mut stream| {
        use std::io::Write;
        if counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            let _ = raw_http::read_request(&mut stream);
            let port = own_port.get().copied().unwrap_or_default();
            let _ = write!(
                stream,
                "HTTP/1.1 308 Permanent Redirect\r\nlocation: https://127.0.0.1:{port}/legacy/\r\n\
                 content-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    port.set(server.port).unwrap();
    let url = format!("http://127.0.0.1:{}/legacy/", server.port);
    let out = upload(&url, "alice", &[], &[good(HATCH_WHEEL)]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.stderr_has(&format!("https://127.0.0.1:{}/legacy/", server.port));
    drop(server);
    assert_eq!(
        connections.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "followed to another scheme"
    );
    // A loop: at most three redirects.
    let index = FakeIndex::start(|req| {
        let next = if req.path == "/a/" { "/b/" } else { "/a/" };
        Reply::status(308, "").header("location", next)
    });
    let out = upload(&index.at("/a/"), "u", &[], &[good(HATCH_WHEEL)]);
    assert_eq!(out.code, 1);
    assert_eq!(index.received().len(), 4);
}

#[test]
fn legacy_without_slash_is_corrected_with_a_note() {
    let index = FakeIndex::accepting();
    let url = index.at("/legacy");
    let home = tempfile::tempdir().unwrap();
    let out = run(mintup(home.path())
        .args(["upload", "--repository-url", &url, "-u", "u", "-p", SECRET])
        .arg(good(HATCH_WHEEL)));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(only_request(&index).path, "/legacy/");
    assert!(
        out.stderr
            .contains("note: added the trailing slash the upload URL needs"),
        "{}",
        out.stderr
    );
}

#[test]
fn html_error_page_is_reduced_to_its_message() {
    let page = "<html><head><title>400 Bad Request</title></head><body><h1>400 Bad Request</h1>\
                The description failed to render for 'text/x-rst'.<br/><br/></body></html>";
    let index = FakeIndex::always(Reply::status(400, page).header("content-type", "text/html"));
    let out = upload_to(&index, &[], &[good(HATCH_WHEEL)]);
    assert_eq!(out.code, 1);
    out.stderr_has(
        "refused it with 400: 400 Bad Request The description failed to render for 'text/x-rst'.",
    );
    assert!(
        out.stderr
            .contains("hint: the long description does not render"),
        "{}",
        out.stderr
    );
}

#[test]
fn reason_phrase_is_used_when_the_body_is_empty() {
    let index =
        FakeIndex::always(Reply::status(400, "").reason("Invalid value for blake2_256_digest"));
    let out = upload_to(&index, &[], &[good(HATCH_WHEEL)]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("refused it with 400: Invalid value for blake2_256_digest"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_web_page_answering_200_is_not_an_upload() {
    let index = FakeIndex::always(
        Reply::status(
            200,
            "<!DOCTYPE html><html><body><a href='x'>x</a></body></html>",
        )
        .header("content-type", "text/html"),
    );
    let out = upload_to(&index, &[], &[good(HATCH_WHEEL)]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("answered with a web page, so the file was probably not stored"),
        "{}",
        out.stderr
    );
}

#[test]
fn first_failure_stops_the_rest() {
    let mut first = true;
    let index = FakeIndex::start(move |_| {
        let reply = if first {
            Reply::status(500, "boom")
        } else {
            Reply::ok()
        };
        first = false;
        reply
    });
    let out = upload_to(
        &index,
        &["--retries", "0"],
        &[good(HATCH_WHEEL), good(HATCH_SDIST)],
    );
    assert_eq!(out.code, 1);
    assert_eq!(index.received().len(), 1);
    out.stdout_has(&format!("not sent  {HATCH_SDIST}"));
    out.stderr_has("refused it with 500: boom");
    out.stderr_has("hint: the index failed; re-run later");
}

#[test]
fn unreachable_server_is_named() {
    let port = crate::support::peers::free_port();
    let url = format!("http://127.0.0.1:{port}/");
    let home = tempfile::tempdir().unwrap();
    let out = run(mintup(home.path())
        .args(["upload", "--retries", "1", "--repository-url", &url])
        .args(["-u", "u", "-p", SECRET])
        .arg(good(HATCH_WHEEL)));
    assert_eq!(out.code, 1);
    // Refused connections are retried: nothing reached the index.
    out.stderr_has(&format!("{HATCH_WHEEL}: retrying in "))
        .stderr_has("(attempt 2/2): cannot connect")
        .stderr_has(&format!("error: {HATCH_WHEEL}: gave up after 2 attempts"));
    assert!(
        out.stderr
            .contains(&format!("caused by: could not upload to {url}")),
        "{}",
        out.stderr
    );
    // The error carries its subject once: the file is named on its first line only.
    let error = &out.stderr[out.stderr.find("error: ").unwrap()..];
    assert_eq!(error.matches(HATCH_WHEEL).count(), 1, "{error}");
    assert!(
        out.stderr.to_lowercase().contains("connection refused"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("hint: check the URL and that the server is reachable"),
        "{}",
        out.stderr
    );
}

#[test]
fn environment_and_pypirc_credentials_reach_the_wire() {
    let index = FakeIndex::accepting();
    let home = tempfile::tempdir().unwrap();
    let basic = |user: &str, pass: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
        )
    };
    // MINTUP_TOKEN beats TWINE_*, and the URL comes from TWINE_REPOSITORY_URL.
    let out = run(mintup(home.path())
        .env("MINTUP_TOKEN", SECRET)
        .env("TWINE_USERNAME", "bob")
        .env("TWINE_PASSWORD", "twine-pass")
        .env("TWINE_REPOSITORY_URL", &index.url)
        .args(["upload", &good(HATCH_WHEEL)]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    // A .pypirc section chosen with -r.
    std::fs::write(
        home.path().join(".pypirc"),
        format!("[distutils]\nindex-servers =\n    local\n\n[local]\nrepository = {}\nusername = carol\npassword = {SECRET}\n", index.url),
    )
    .unwrap();
    let out = run(mintup(home.path()).args(["upload", "-r", "local", &good(HATCH_WHEEL)]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let auth: Vec<String> = index
        .received()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(auth, [basic("__token__", SECRET), basic("carol", SECRET)]);
}

#[test]
fn not_found_points_at_the_url() {
    let index = FakeIndex::always(Reply::status(404, "The resource could not be found."));
    let out = upload_to(&index, &[], &[good(HATCH_WHEEL)]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("refused it with 404: The resource could not be found."),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains(&format!("hint: nothing at {} takes uploads", index.url)),
        "{}",
        out.stderr
    );
}

#[test]
fn large_files_stream_from_disk_with_an_exact_length() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big_demo-1.0-py3-none-any.whl");
    {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.start_file("big_demo-1.0.dist-info/METADATA", stored)
            .unwrap();
        zip.write_all(b"Metadata-Version: 2.1\nName: big-demo\nVersion: 1.0\n")
            .unwrap();
        zip.start_file("big_demo/data.bin", stored).unwrap();
        // 3 MiB that do not compress, so the file is well over one chunk.
        let noise = crate::support::noise(3 * 1024 * 1024, 0x9e37_79b9_7f4a_7c15);
        zip.write_all(&noise).unwrap();
        zip.finish().unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    let index = FakeIndex::accepting();
    let out = upload_to(&index, &[], &[path.display().to_string()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let req = only_request(&index);
    assert_eq!(req.files[0].len, bytes.len());
    assert_eq!(req.files[0].sha256, sha256_hex(&bytes));
    assert_eq!(
        req.field("sha256_digest"),
        Some(sha256_hex(&bytes).as_str())
    );
    assert_eq!(
        req.header("content-length"),
        Some(req.body_len.to_string().as_str())
    );
    assert_eq!(req.header("transfer-encoding"), None);
}

#[test]
fn a_server_that_stops_answering_is_abandoned_after_the_timeout() {
    use std::io::Read;
    // Accepts and reads everything, answers nothing; gone when the test ends.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/legacy/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut sink = [0u8; 65536];
            while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
        }
    });
    let home = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let out = run(mintup(home.path())
        .args([
            "upload",
            "--retries",
            "0",
            "--timeout",
            "1",
            "--repository-url",
            &url,
            "-u",
            "u",
            "-p",
            SECRET,
        ])
        .arg(good(HATCH_WHEEL)));
    assert_eq!(out.code, 1);
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    out.stderr_has("caused by: nothing moved for 1 s, so the request was abandoned")
        .stderr_has("hint: the index stopped answering");
}

#[test]
fn verbose_shows_the_exchange_with_credentials_redacted() {
    let index = FakeIndex::always(Reply::ok().header("x-served-by", "fake"));
    let out = upload_to(&index, &["--verbose"], &[good(HATCH_WHEEL)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stderr_has(&format!("> POST {}", index.url))
        .stderr_has("> authorization: Basic <redacted>")
        .stderr_has("> content-type: multipart/form-data; boundary=")
        .stderr_has("< 200 OK")
        .stderr_has("< x-served-by: fake");
}

#[test]
fn proxies_from_the_environment_are_used_and_no_proxy_bypasses_them() {
    // The "proxy" is a second fake index: a plain-http proxy receives the
    // request with the index's absolute URL and its Host.
    let proxy = FakeIndex::accepting();
    let home = tempfile::tempdir().unwrap();
    let out = run(mintup(home.path())
        .args(upload_args("http://index.invalid/legacy/", "u"))
        .arg("--allow-insecure-http")
        .env("HTTP_PROXY", proxy.base())
        .arg(good(HATCH_WHEEL)));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let received = proxy.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].header("host"), Some("index.invalid"));

    let index = FakeIndex::accepting();
    let home = tempfile::tempdir().unwrap();
    let out = run(mintup(home.path())
        .args(upload_args(&index.url, "u"))
        .env("HTTP_PROXY", proxy.base())
        .env("NO_PROXY", "127.0.0.1")
        .arg(good(HATCH_WHEEL)));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(index.received().len(), 1);
    assert_eq!(proxy.received().len(), 1, "NO_PROXY was not honoured");
}

#[test]
fn json_report_and_step_summary_describe_every_file() {
    let index = FakeIndex::start(|req| {
        if req.files.iter().any(|f| f.filename == HATCH_SDIST) {
            Reply::json(400, "Invalid value for classifiers.")
        } else {
            Reply::ok()
        }
    });
    let home = tempfile::tempdir().unwrap();
    let summary = home.path().join("summary.md");
    let out = run(mintup(home.path())
        .args(upload_args(&index.url, "u"))
        .args(["--format", "json"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args([good(HATCH_WHEEL), good(HATCH_SDIST)]));
    assert_eq!(out.code, 1);
    let report: serde_json::Value =
        serde_json::from_str(&out.stdout).expect("stdout is one JSON document");
    assert_eq!(report["version"], 1);
    assert_eq!(report["ok"], false);
    assert_eq!(report["repository"], index.url.as_str());
    let files = report["files"].as_array().unwrap();
    let wheel_sha = sha256_hex(&std::fs::read(good(HATCH_WHEEL)).unwrap());
    assert_eq!(files[0]["filename"], HATCH_WHEEL);
    assert_eq!(files[0]["result"], "uploaded");
    assert_eq!(files[0]["sha256"], wheel_sha.as_str());
    assert_eq!(files[1]["result"], "failed");
    assert_eq!(files[1]["error"]["code"], "rejected");
    assert_eq!(files[1]["error"]["status"], 400);
    // Errors still reach stderr as text, and GitHub as an annotation.
    out.stderr_has("refused it with 400: Invalid value for classifiers.")
        .stderr_has(&format!(
            "::error title=mintup could not upload {HATCH_SDIST}::"
        ));
    let table = std::fs::read_to_string(&summary).unwrap();
    assert!(
        !table.contains(SECRET),
        "the password leaked into the step summary"
    );
    assert!(
        table.contains(&format!(
            "| `{HATCH_WHEEL}` | 3.5 KiB | `{wheel_sha}` | uploaded |"
        )),
        "{table}"
    );
    assert!(
        table.contains(&format!("| `{HATCH_SDIST}` |")) && table.contains("**failed**"),
        "{table}"
    );
}
