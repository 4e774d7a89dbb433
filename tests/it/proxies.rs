//! Proxies from the environment: used for every other host, never for this
//! machine, so that `--dry-run` and loopback credentials stay on it.

use crate::support::fake_index::FakeIndex;
use crate::support::{good, mintup, run, upload_args};

const WHEEL: &str = "mintup_hatch_demo-0.4.2-py3-none-any.whl";

/// `mintup` with every proxy variable pointing at `proxy` and no `NO_PROXY`.
fn proxied(home: &std::path::Path, proxy: &FakeIndex) -> std::process::Command {
    let mut cmd = mintup(home);
    for name in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"] {
        cmd.env(name, proxy.base());
    }
    cmd
}

#[test]
fn a_dry_run_never_reaches_a_proxy() {
    // The "proxy" is a fake index: it records whatever reaches it, and
    // would accept the upload a dry run must keep on the machine.
    let proxy = FakeIndex::accepting();
    let home = tempfile::tempdir().unwrap();
    let out = run(proxied(home.path(), &proxy)
        .args(["upload", "--dry-run"])
        .arg(good(WHEEL)));
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout_has(&format!("ready     {WHEEL}"));
    assert!(
        proxy.received().is_empty(),
        "the dry run went through the proxy"
    );
}

#[test]
fn loopback_uploads_go_direct_and_other_hosts_through_the_proxy() {
    let proxy = FakeIndex::accepting();
    let index = FakeIndex::accepting();
    let by_name = index.url.replace("127.0.0.1", "localhost");
    for url in [index.url.as_str(), by_name.as_str()] {
        let home = tempfile::tempdir().unwrap();
        let out = run(proxied(home.path(), &proxy)
            .args(upload_args(url, "u"))
            .arg(good(WHEEL)));
        assert_eq!(out.code, 0, "{url}: {}", out.stderr);
    }
    assert_eq!(index.received().len(), 2);
    assert!(
        proxy.received().is_empty(),
        "a loopback upload went through the proxy"
    );

    // A host name that is not this machine's goes to the proxy (which
    // answers for it, so nothing leaves the machine), through ALL_PROXY alone.
    let home = tempfile::tempdir().unwrap();
    let out = run(mintup(home.path())
        .args(upload_args("http://index.invalid/legacy/", "u"))
        .arg("--allow-insecure-http")
        .env("ALL_PROXY", proxy.base())
        .arg(good(WHEEL)));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let received = proxy.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].header("host"), Some("index.invalid"));
}
