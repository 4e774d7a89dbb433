//! `mintup burn` against a fake burn endpoint that records each request and
//! answers as Warehouse does (202) or as a broken or older index would.

use std::collections::VecDeque;
use std::process::Stdio;

use crate::support::fake_index::{FakeIndex, Received, Reply};
use crate::support::{Run, leaks, mintup, run};

const BURN_PATH: &str = "/_/oidc/burn-token";

/// The token to burn, known to the leak sweep however it is handed over.
fn token() -> String {
    leaks::secret("pypi-BuRn-m3-t0ken-0f-th1s-test")
}

/// Warehouse's answer to every burn request.
fn accepted() -> Reply {
    Reply::status(202, r#"{"message": "Accepted", "errors": []}"#)
        .header("content-type", "application/json")
}

/// An index that answers burn requests with `replies`, in order (the last
/// one again when they run out), and anything else with 404.
fn burn_index(replies: Vec<Reply>) -> FakeIndex {
    let mut replies = VecDeque::from(replies);
    FakeIndex::start(move |req| {
        if req.path != BURN_PATH {
            return Reply::status(404, "not here");
        }
        match replies.len() {
            1 => replies[0].clone(),
            _ => replies.pop_front().expect("a reply"),
        }
    })
}

/// `mintup burn --repository-url <index> ARGS` with `env` and nothing on stdin.
fn burn(index: &FakeIndex, args: &[&str], env: &[(&str, &str)]) -> Run {
    let home = tempfile::tempdir().unwrap();
    run(mintup(home.path())
        .args(["burn", "--repository-url", &index.url])
        .args(args)
        .envs(env.iter().copied()))
}

/// The burn requests the index received, each checked to be Warehouse's
/// shape: a JSON POST of the token, with no Authorization header.
fn burn_requests(index: &FakeIndex, token: &str) -> Vec<Received> {
    let received = index.received();
    for r in &received {
        assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", BURN_PATH));
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(
            r.header("authorization"),
            None,
            "no credentials beside the token"
        );
        let body: serde_json::Value = serde_json::from_str(&r.text).unwrap();
        assert_eq!(body, serde_json::json!({ "token": token }));
    }
    received
}

fn never_says_revoked(out: &Run) {
    let all = format!("{}{}", out.stdout, out.stderr).to_lowercase();
    assert!(!all.contains("revoked"), "{all}");
}

#[test]
fn a_202_is_a_burn_requested() {
    let index = burn_index(vec![accepted()]);
    let token = token();
    let out = burn(&index, &["-t", &token], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout_has(&format!(
        "burn requested: {} answered 202",
        index.at(BURN_PATH)
    ));
    never_says_revoked(&out);
    assert_eq!(burn_requests(&index, &token).len(), 1);
}

#[test]
fn the_token_comes_from_mintup_token_or_stdin() {
    let index = burn_index(vec![accepted()]);
    let token = token();
    let out = burn(&index, &[], &[("MINTUP_TOKEN", &token)]);
    assert_eq!(out.code, 0, "{}", out.stderr);

    // `-t -` reads one line; what follows it is not part of the token.
    let dir = tempfile::tempdir().unwrap();
    let stdin = dir.path().join("stdin");
    std::fs::write(&stdin, format!("{token}\nnot the token\n")).unwrap();
    let out = run(mintup(dir.path())
        .args(["burn", "--repository-url", &index.url, "-t", "-"])
        .env("MINTUP_TOKEN", "pypi-not-this-one")
        .stdin(Stdio::from(std::fs::File::open(&stdin).unwrap())));
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout_has("burn requested");
    assert_eq!(burn_requests(&index, &token).len(), 2);
}

#[test]
fn no_token_is_a_usage_error() {
    let index = burn_index(vec![accepted()]);
    let out = burn(&index, &[], &[("TWINE_PASSWORD", "pypi-stored-password")]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    out.stderr_has(
        "error: no token to burn: give -t TOKEN, -t - (one line of stdin) or MINTUP_TOKEN",
    )
    .stderr_has("| mintup burn -t -");
    // Empty stdin is no token either.
    let out = burn(&index, &["-t", "-"], &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    out.stderr_has("stdin holds no token");
    assert!(index.received().is_empty());
}

#[test]
fn a_server_error_is_retried_once() {
    let index = burn_index(vec![Reply::status(500, "oops"), accepted()]);
    let token = token();
    let out = burn(&index, &["-t", &token], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout_has("burn requested");
    assert_eq!(burn_requests(&index, &token).len(), 2);
}

#[test]
fn two_server_errors_leave_the_token_to_expire() {
    let index = burn_index(vec![Reply::status(503, "<h1>Service Unavailable</h1>")]);
    let token = token();
    let out = burn(&index, &["-t", &token], &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.stderr_has(&format!(
        "error: {} answered 503 to the burn request (tried twice): <h1>Service Unavailable</h1>",
        index.at(BURN_PATH)
    ))
    .stderr_has("hint: the index is having trouble; the token stays valid until it expires, 15 minutes after it was minted at most");
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert_eq!(burn_requests(&index, &token).len(), 2);
}

#[test]
fn an_unreachable_index_is_tried_twice() {
    let token = token();
    let home = tempfile::tempdir().unwrap();
    let out = run(mintup(home.path()).args([
        "burn",
        "--repository-url",
        "http://127.0.0.1:9/legacy/",
        "-t",
        &token,
    ]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.stderr_has("error: could not burn the token (tried twice)")
        .stderr_has("caused by: could not reach http://127.0.0.1:9/_/oidc/burn-token")
        .stderr_has("check the network and run `mintup burn` again");
}

#[test]
fn an_index_without_the_endpoint_names_the_status() {
    let token = token();
    for status in [404, 405] {
        // An answer that echoes the token shows everything but the token.
        let echo = format!("no route for {token}");
        let index = burn_index(vec![Reply::status(status, &echo)]);
        let out = burn(&index, &["-t", &token], &[]);
        assert_eq!(out.code, 1, "{}", out.stderr);
        out.stderr_has(&format!(
            "error: {} does not offer token burning ({status}): no route for ****",
            index.at(BURN_PATH)
        ))
        .stderr_has("hint: this index cannot burn tokens");
        assert_eq!(burn_requests(&index, &token).len(), 1, "never retried");
    }
}

#[test]
fn any_other_answer_is_an_error_naming_it() {
    let index = burn_index(vec![Reply::status(200, "ok")]);
    let token = token();
    let out = burn(&index, &["-t", &token], &[("GITHUB_ACTIONS", "true")]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.stderr_has(&format!(
        "error: {} answered 200 to the burn request: ok",
        index.at(BURN_PATH)
    ))
    .stderr_has("::error title=Token burn failed::");
    never_says_revoked(&out);
    assert_eq!(burn_requests(&index, &token).len(), 1);
}
