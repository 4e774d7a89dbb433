//! Trusted publishing through the real binary: `mintup mint` with each
//! provider against fakes, every failure's message, and `upload` minting by
//! itself in a simulated GitHub Actions job.

use std::path::Path;

use crate::support::fake_index::{FakeIndex, Reply};
use crate::support::oidc::{
    self, MINTED, audience, github_claims, github_endpoint, github_env, jwt, refusal,
};
use crate::support::{Run, good, mintup, run};

/// Run mintup with `env` in `home`; the run's leak sweep covers the OIDC
/// token (made by [`jwt`]), GitHub's request bearer, Google's access token
/// and the minted token. The step files are swept there when the job names
/// them; a summary of the test's own is swept here.
fn mintup_with(home: &Path, env: &[(String, String)], args: &[&str], oidc_jwt: &str) -> Run {
    let out = run(mintup(home)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(args));
    let summary = read(&home.join("step_summary.md")) + &read(&home.join("summary.md"));
    for secret in [oidc_jwt, MINTED, oidc::REQUEST_TOKEN] {
        assert!(
            !summary.contains(secret),
            "a secret leaked into the step summary:\n{summary}"
        );
    }
    out
}

/// A GitHub Actions job with `id-token: write` whose OIDC token carries
/// `claims`: the token, GitHub's endpoint handing it out, a home with the
/// step's files, and the job's environment.
struct GithubJob {
    token: String,
    github: FakeIndex,
    home: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl GithubJob {
    fn new(claims: &serde_json::Value) -> Self {
        let token = jwt(claims);
        let github = github_endpoint(claims.clone());
        let home = tempfile::tempdir().unwrap();
        let env = github_env(&github, home.path());
        GithubJob {
            token,
            github,
            home,
            env,
        }
    }

    fn run(&self, args: &[&str]) -> Run {
        mintup_with(self.home.path(), &self.env, args, &self.token)
    }
}

/// The run printed the minted token alone and succeeded.
fn assert_minted(out: &Run) {
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, format!("{MINTED}\n"));
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn github_output_gets_the_token_and_the_mask_comes_first() {
    let job = GithubJob::new(&github_claims("testindex"));
    let index = oidc::index(audience("testindex"), job.token.clone());
    let url = index.url.clone();
    let out = job.run(&["mint", "--repository-url", &url, "--github-output"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // The token goes to the step output only, never to an uncaptured stdout.
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr.lines().next(),
        Some(format!("::add-mask::{MINTED}").as_str())
    );
    assert_eq!(
        read(&job.home.path().join("github_output")),
        format!("api-token={MINTED}\n")
    );
    // The exchange sent the OIDC token from GitHub, as JSON.
    let mint_request = index
        .received()
        .into_iter()
        .find(|r| r.path == "/_/oidc/mint-token")
        .unwrap();
    assert_eq!(
        mint_request.header("content-type"),
        Some("application/json")
    );
}

#[test]
fn json_and_env_formats() {
    let job = GithubJob::new(&github_claims("testindex"));
    let index = oidc::index(audience("testindex"), job.token.clone());
    let out = job.run(&["mint", "--repository-url", &index.url, "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["token"], MINTED);
    assert_eq!(json["expires"], 1_700_000_900);
    assert_eq!(json["repository"], index.url.as_str());
    let out = job.run(&["mint", "--repository-url", &index.url, "--format", "env"]);
    assert_eq!(
        out.stdout,
        format!("MINTUP_TOKEN={MINTED}\nTWINE_USERNAME=__token__\nTWINE_PASSWORD={MINTED}\n")
    );
}

#[test]
fn explicit_audience_skips_the_audience_endpoint() {
    let job = GithubJob::new(&github_claims("custom-aud"));
    let index = oidc::index(Reply::status(500, "must not be asked"), job.token.clone());
    let out = job.run(&[
        "mint",
        "--repository-url",
        &index.url,
        "--audience",
        "custom-aud",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        index
            .received()
            .iter()
            .all(|r| r.path != "/_/oidc/audience")
    );
    assert!(
        job.github.received()[0]
            .query
            .contains("audience=custom-aud")
    );
}

#[test]
fn github_without_id_token_permission_shows_the_yaml() {
    let home = tempfile::tempdir().unwrap();
    let env = vec![
        ("GITHUB_ACTIONS".to_owned(), "true".to_owned()),
        (
            "GITHUB_STEP_SUMMARY".to_owned(),
            home.path().join("summary.md").display().to_string(),
        ),
    ];
    let index = oidc::index(audience("testindex"), String::new());
    let out = mintup_with(
        home.path(),
        &env,
        &["mint", "--repository-url", &index.url],
        "no-jwt",
    );
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    assert!(index.received().is_empty(), "the index was asked first");
    out.stderr_has("error: could not get an OIDC token from GitHub Actions")
        .stderr_has("ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set")
        .stderr_has("permissions:\n          id-token: write")
        .stderr_has("::error title=Trusted publishing failed::");
    let summary = read(&home.path().join("summary.md"));
    assert!(
        summary.starts_with("### Trusted publishing failed\n"),
        "{summary}"
    );
    assert!(summary.contains("id-token: write"), "{summary}");
}

/// A port on this machine that nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// What the job itself lacks is said before any request: with the index
/// unreachable, and for PyPI with every proxy pointing at a closed local
/// port, so that a request would show as "could not reach".
#[test]
fn missing_provider_setup_is_named_before_any_request() {
    let home = tempfile::tempdir().unwrap();
    let unreachable = format!("http://127.0.0.1:{}/legacy/", closed_port());
    let proxy = format!("http://127.0.0.1:{}", closed_port());
    let env = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .chain(
                ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"].map(|k| (k.to_owned(), proxy.clone())),
            )
            .collect()
    };
    // The job's variables, mint's extra arguments, and what it must say.
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], &'a str);
    let cases: [Case; 5] = [
        (
            &[("GITHUB_ACTIONS", "true")],
            &["--repository-url", &unreachable],
            "ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set",
        ),
        (&[("GITHUB_ACTIONS", "true")], &[], "id-token: write"),
        (
            &[("GITLAB_CI", "true")],
            &[],
            "GitLab CI provides no PYPI_ID_TOKEN",
        ),
        (
            &[("GITLAB_CI", "true")],
            &["-r", "testpypi"],
            "GitLab CI provides no TESTPYPI_ID_TOKEN",
        ),
        (
            &[("BUILDKITE", "true"), ("PATH", "/nonexistent")],
            &["--repository-url", &unreachable],
            "could not run `buildkite-agent`",
        ),
    ];
    for (vars, extra, expected) in cases {
        let mut args = vec!["mint"];
        args.extend_from_slice(extra);
        let out = mintup_with(home.path(), &env(vars), &args, "no-jwt");
        assert_eq!(out.code, 1, "{vars:?}: {}", out.stderr);
        out.stderr_has(expected);
        assert!(
            !out.stderr.contains("could not reach"),
            "{vars:?} made a request first:\n{}",
            out.stderr
        );
    }
}

/// PyPI refuses runs triggered by pull_request_target: said from the
/// environment, before any request (an unreachable PyPI would show).
#[test]
fn pull_request_target_runs_are_refused_before_any_request() {
    let job = GithubJob::new(&github_claims("testpypi"));
    let proxy = format!("http://127.0.0.1:{}", closed_port());
    let mut env = job.env.clone();
    env.push(("GITHUB_EVENT_NAME".into(), "pull_request_target".into()));
    for name in ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"] {
        env.push((name.into(), proxy.clone()));
    }
    let out = mintup_with(
        job.home.path(),
        &env,
        &["mint", "-r", "testpypi"],
        &job.token,
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.stderr_has("this run was triggered by pull_request_target")
        .stderr_has("hint: publish from a workflow the repository itself triggers");
    assert!(!out.stderr.contains("could not reach"), "{}", out.stderr);
    assert!(
        job.github.received().is_empty(),
        "no OIDC token was asked for"
    );
}

#[test]
fn fork_pull_requests_never_get_tokens() {
    let home = tempfile::tempdir().unwrap();
    let event = home.path().join("event.json");
    std::fs::write(
        &event,
        r#"{"pull_request": {"head": {"repo": {"fork": true}}}}"#,
    )
    .unwrap();
    let env = vec![
        ("GITHUB_ACTIONS".to_owned(), "true".to_owned()),
        ("GITHUB_EVENT_NAME".to_owned(), "pull_request".to_owned()),
        ("GITHUB_EVENT_PATH".to_owned(), event.display().to_string()),
    ];
    let index = oidc::index(audience("testindex"), String::new());
    let out = mintup_with(
        home.path(),
        &env,
        &["mint", "--repository-url", &index.url],
        "no-jwt",
    );
    assert_eq!(out.code, 1);
    out.stderr_has(
        "triggered by a pull request from a fork, and GitHub never gives those an OIDC token",
    )
    .stderr_has("hint: publish from a push, tag or release workflow");
}

#[test]
fn outside_ci_lists_the_providers() {
    let home = tempfile::tempdir().unwrap();
    let index = oidc::index(audience("testindex"), String::new());
    let out = mintup_with(
        home.path(),
        &[],
        &["mint", "--repository-url", &index.url],
        "no-jwt",
    );
    assert_eq!(out.code, 1);
    out.stderr_has("error: not running in a CI system that can prove its identity")
        .stderr_has("GitHub Actions: a job with `permissions: id-token: write`")
        .stderr_has("GitLab CI/CD: an `id_tokens:` entry named <AUDIENCE>_ID_TOKEN")
        .stderr_has("Google Cloud: a VM or service with a service account");
    assert!(
        index.received().is_empty(),
        "nothing is asked of the index outside CI"
    );
}

#[test]
fn audience_endpoint_failures() {
    let job = GithubJob::new(&github_claims("testindex"));
    let cases = [
        (
            Reply::status(404, "Not Found"),
            "/_/oidc/audience does not offer trusted publishing (404)",
            "use an API token (-t)",
        ),
        (
            Reply::status(
                403,
                r#"{"message": "Trusted publishing functionality not enabled"}"#,
            ),
            "/_/oidc/audience has trusted publishing disabled (403)",
            "turned trusted publishing off",
        ),
    ];
    for (reply, message, hint) in cases {
        let index = oidc::index(reply, job.token.clone());
        let out = job.run(&["mint", "--repository-url", &index.url]);
        assert_eq!(out.code, 1);
        out.stderr_has(&format!("caused by: {}{message}", index.base()))
            .stderr_has(hint);
    }
    let port = crate::support::peers::free_port();
    let url = format!("http://127.0.0.1:{port}/legacy/");
    let out = job.run(&["mint", "--repository-url", &url]);
    assert_eq!(out.code, 1);
    out.stderr_has(&format!(
        "caused by: could not reach http://127.0.0.1:{port}/_/oidc/audience"
    ));
}

#[test]
fn refused_mint_explains_claims_and_the_publisher() {
    let job = GithubJob::new(&github_claims("testindex"));
    let index = oidc::index_with(audience("testindex"), |_| {
        refusal(
            "invalid-publisher",
            "valid token, but no corresponding publisher (Publisher with matching claims was not found)",
        )
    });
    let out = job.run(&["mint", "-r", "testpypi", "--repository-url", &index.url]);
    assert_eq!(out.code, 1);
    out.stderr_has("refused to mint a token")
        .stderr_has("  * invalid-publisher: valid token, but no corresponding publisher (Publisher with matching claims was not found)")
        .stderr_has("  sub: repo:octo/demo:ref:refs/tags/v1.0.0")
        .stderr_has("  repository_owner_id: 4242")
        .stderr_has("  environment: MISSING")
        .stderr_has("the trusted publisher on the index must say, for this run:\n  owner: octo\n  repository: demo\n  workflow: release.yml\n")
        .stderr_has("hint: make the index's trusted publisher match");
    let summary = read(&job.home.path().join("step_summary.md"));
    assert!(
        summary.contains(
            "  job_workflow_ref: octo/demo/.github/workflows/release.yml@refs/tags/v1.0.0"
        ),
        "{summary}"
    );
    assert!(!summary.contains(&job.token) && !summary.contains(MINTED));
}

#[test]
fn reused_token_and_broken_answers() {
    let job = GithubJob::new(&github_claims("testindex"));
    let index = oidc::index_with(audience("testindex"), |_| {
        refusal("invalid-reuse-token", "invalid token: already used")
    });
    let out = job.run(&["mint", "--repository-url", &index.url]);
    assert_eq!(out.code, 1);
    out.stderr_has("  * invalid-reuse-token: invalid token: already used")
        .stderr_has("hint: each OIDC token can be exchanged once");
    let index = oidc::index_with(audience("testindex"), |_| {
        Reply::status(502, "<html>Bad Gateway</html>")
    });
    let out = job.run(&["mint", "--repository-url", &index.url]);
    assert_eq!(out.code, 1);
    out.stderr_has(
        "the index answered 502 with something other than JSON: <html>Bad Gateway</html>",
    )
    .stderr_has("hint: the index is having trouble: wait a few minutes");
    let index = oidc::index_with(audience("testindex"), |_| {
        Reply::status(200, r#"{"success": true, "token": null}"#)
    });
    let out = job.run(&["mint", "--repository-url", &index.url]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.is_empty(),
        "never print an empty or null token: {}",
        out.stdout
    );
    out.stderr_has("the index answered 200 without a token");
}

#[test]
fn wrong_audience_is_caught_before_the_exchange() {
    let token = jwt(&github_claims("testpypi"));
    let index = oidc::index(audience("testindex"), token.clone());
    let github = FakeIndex::always(Reply::status(
        200,
        &serde_json::json!({"value": token}).to_string(),
    ));
    let home = tempfile::tempdir().unwrap();
    let mut env = github_env(&github, home.path());
    env.retain(|(k, _)| k != "ACTIONS_ID_TOKEN_REQUEST_URL");
    env.push((
        "ACTIONS_ID_TOKEN_REQUEST_URL".into(),
        format!("{}/token", github.base()),
    ));
    let out = mintup_with(
        home.path(),
        &env,
        &["mint", "--repository-url", &index.url],
        &token,
    );
    assert_eq!(out.code, 1);
    out.stderr_has(
        "the OIDC token from GitHub Actions is for the audience 'testpypi', not 'testindex'",
    );
    assert!(
        index
            .received()
            .iter()
            .all(|r| r.path != "/_/oidc/mint-token")
    );
}

/// The claims of a job of octo/demo's release.yml (at refs/tags/v1.0.0)
/// that runs the reusable workflow `called`.
fn reusable_claims(called: &str) -> serde_json::Value {
    let mut claims = github_claims("testindex");
    claims["job_workflow_ref"] = called.into();
    claims
}

const CALLED_HERE: &str = "octo/demo/.github/workflows/publish.yml@refs/tags/v1.0.0";
const CALLED_ELSEWHERE: &str = "octo/shared/.github/workflows/publish.yml@refs/heads/main";

#[test]
fn a_reusable_workflow_is_told_which_file_pypi_matches() {
    let job = GithubJob::new(&reusable_claims(CALLED_HERE));
    let index = oidc::index(audience("testindex"), job.token.clone());
    let out = job.run(&["mint", "--repository-url", &index.url]);
    assert_minted(&out);
    out.stderr_has(
        "warning: this job runs the reusable workflow octo/demo/.github/workflows/publish.yml \
         (called from octo/demo/.github/workflows/release.yml)\n  PyPI matches the trusted \
         publisher's workflow against the file in job_workflow_ref, the called workflow: the \
         publisher on PyPI must name publish.yml, not release.yml\n  PyPI refuses PEP 740 \
         attestations made in this job: it checks the signing certificate's Build Config URI, \
         which names the calling workflow (release.yml, from workflow_ref), against the \
         publisher's workflow, which names the called one (publish.yml); to attest, upload \
         from release.yml itself\n",
    )
    // One annotation, its lines escaped as workflow commands need.
    .stderr_has(
        "::warning::this job runs the reusable workflow octo/demo/.github/workflows/publish.yml \
         (called from octo/demo/.github/workflows/release.yml)%0A  PyPI matches",
    );
}

#[test]
fn a_reusable_workflow_of_another_repository_is_told_no_publisher_matches() {
    let job = GithubJob::new(&reusable_claims(CALLED_ELSEWHERE));
    let index = oidc::index(audience("testindex"), job.token.clone());
    let out = job.run(&["mint", "--repository-url", &index.url]);
    assert_minted(&out);
    out.stderr_has(
        "warning: this job runs the reusable workflow octo/shared/.github/workflows/publish.yml \
         (called from octo/demo/.github/workflows/release.yml)\n  PyPI looks the trusted \
         publisher up by octo/demo and the file in job_workflow_ref (publish.yml), then \
         requires job_workflow_ref to be \
         octo/demo/.github/workflows/publish.yml@refs/tags/v1.0.0; it is \
         octo/shared/.github/workflows/publish.yml@refs/heads/main, so no publisher can match \
         this job: upload from release.yml itself",
    )
    .stderr_has("\n  PyPI refuses PEP 740 attestations made in this job");
}

/// An index that answers every exchange as PyPI does when no publisher
/// matches.
fn no_publisher_index() -> FakeIndex {
    oidc::index_with(audience("testindex"), |_| {
        refusal(
            "invalid-publisher",
            "valid token, but no corresponding publisher (Publisher with matching claims was not found)",
        )
    })
}

#[test]
fn refused_reusable_workflow_of_another_repository_is_told_to_upload_from_the_caller() {
    let job = GithubJob::new(&reusable_claims(CALLED_ELSEWHERE));
    let index = no_publisher_index();
    let out = job.run(&["mint", "--repository-url", &index.url]);
    assert_eq!(out.code, 1);
    out.stderr_has(
        "no trusted publisher can match this run:\n  this job runs the reusable workflow \
         octo/shared/.github/workflows/publish.yml (called from \
         octo/demo/.github/workflows/release.yml)\n  PyPI looks the trusted publisher up by \
         octo/demo",
    )
    .stderr_has(
        "hint: run the upload in a job of release.yml itself, not in the reusable workflow it \
         calls, and register release.yml as the publisher's workflow",
    );
    // Fields of a publisher that cannot match would only get it registered.
    assert!(!out.stderr.contains("must say"), "{}", out.stderr);
    assert!(!out.stderr.contains("pre-filled"), "{}", out.stderr);
    let summary = read(&job.home.path().join("step_summary.md"));
    assert!(
        summary.contains("no trusted publisher can match this run"),
        "{summary}"
    );
}

#[test]
fn refused_reusable_workflow_of_this_run_is_told_to_register_the_called_file() {
    let job = GithubJob::new(&reusable_claims(CALLED_HERE));
    let index = no_publisher_index();
    let out = job.run(&["mint", "--repository-url", &index.url]);
    assert_eq!(out.code, 1);
    out.stderr_has(
        "the trusted publisher on the index must say, for this run:\n  owner: octo\n  \
         repository: demo\n  workflow: publish.yml\n",
    )
    .stderr_has(
        "note: this job runs the reusable workflow octo/demo/.github/workflows/publish.yml \
         (called from octo/demo/.github/workflows/release.yml)\n  PyPI matches the trusted \
         publisher's workflow against the file in job_workflow_ref, the called workflow: the \
         publisher on PyPI must name publish.yml, not release.yml\n  PyPI refuses PEP 740 \
         attestations",
    )
    .stderr_has("hint: make the index's trusted publisher match");
}

#[test]
fn gitlab_reads_the_audience_variable() {
    let claims = serde_json::json!({"aud": "testindex", "sub": "project_path:grp/proj:ref_type:tag:ref:v1", "project_path": "grp/proj"});
    let token = jwt(&claims);
    let index = oidc::index(audience("testindex"), token.clone());
    let home = tempfile::tempdir().unwrap();
    let env = vec![
        ("GITLAB_CI".to_owned(), "true".to_owned()),
        ("TESTINDEX_ID_TOKEN".to_owned(), token.clone()),
    ];
    let out = mintup_with(
        home.path(),
        &env,
        &["mint", "--repository-url", &index.url],
        &token,
    );
    assert_minted(&out);
    let out = mintup_with(
        home.path(),
        &env[..1],
        &["mint", "--repository-url", &index.url],
        &token,
    );
    assert_eq!(out.code, 1);
    out.stderr_has("GitLab CI/CD")
        .stderr_has("GitLab CI provides no <AUDIENCE>_ID_TOKEN");
    let out = mintup_with(
        home.path(),
        &env[..1],
        &[
            "mint",
            "--repository-url",
            &index.url,
            "--audience",
            "testindex",
        ],
        &token,
    );
    assert_eq!(out.code, 1);
    out.stderr_has("GitLab CI provides no TESTINDEX_ID_TOKEN")
        .stderr_has("TESTINDEX_ID_TOKEN:\n          aud: testindex");
}

#[test]
fn google_direct_and_impersonated() {
    let claims = serde_json::json!({"aud": "testindex", "email": "publisher@proj.iam.gserviceaccount.com", "email_verified": true, "sub": "1234"});
    let token = jwt(&claims);
    let index = oidc::index(audience("testindex"), token.clone());
    let jwt_for_metadata = token.clone();
    let metadata = FakeIndex::start(move |req| {
        if req.header("metadata-flavor") != Some("Google") {
            return Reply::status(403, "missing Metadata-Flavor");
        }
        match req.path.as_str() {
            "/computeMetadata/v1/instance/service-accounts/default/identity"
                if req.query.contains("audience=testindex") =>
            {
                Reply::status(200, &jwt_for_metadata)
            }
            "/computeMetadata/v1/instance/service-accounts/default/token" => Reply::status(
                200,
                r#"{"access_token": "ya29.access", "expires_in": 3599, "token_type": "Bearer"}"#,
            ),
            _ => Reply::status(404, "no"),
        }
    });
    let jwt_for_iam = token.clone();
    let iam = FakeIndex::start(move |req| {
        let body: serde_json::Value = serde_json::from_str(&req.text).unwrap_or_default();
        if req.path
            == "/v1/projects/-/serviceAccounts/publisher@proj.iam.gserviceaccount.com:generateIdToken"
            && req.header("authorization") == Some("Bearer ya29.access")
            && body["audience"] == "testindex"
        {
            Reply::status(
                200,
                &serde_json::json!({ "token": jwt_for_iam }).to_string(),
            )
        } else {
            Reply::status(400, "bad request")
        }
    });
    let home = tempfile::tempdir().unwrap();
    let host = metadata.base().trim_start_matches("http://").to_owned();
    let direct = vec![("GCE_METADATA_HOST".to_owned(), host.clone())];
    let out = mintup_with(
        home.path(),
        &direct,
        &[
            "mint",
            "--provider",
            "google",
            "--repository-url",
            &index.url,
        ],
        &token,
    );
    assert_minted(&out);
    let impersonated = vec![
        ("GCE_METADATA_HOST".to_owned(), host),
        (
            "GOOGLE_SERVICE_ACCOUNT_NAME".to_owned(),
            "publisher@proj.iam.gserviceaccount.com".to_owned(),
        ),
        ("MINTUP_GOOGLE_IAM_URL".to_owned(), iam.base()),
    ];
    let out = mintup_with(
        home.path(),
        &impersonated,
        &["mint", "--repository-url", &index.url],
        &token,
    );
    assert_minted(&out);
    assert_eq!(iam.received().len(), 1);
}

#[test]
fn buildkite_and_circleci_clis_on_path() {
    let token = jwt(&serde_json::json!({"aud": "testindex", "sub": "organization:o:pipeline:p"}));
    let index = oidc::index(audience("testindex"), token.clone());
    let home = tempfile::tempdir().unwrap();
    let bin = home.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    // Each fake CLI prints the token only when called with the audience.
    for (name, expected_args) in [
        ("buildkite-agent", "oidc request-token --audience testindex"),
        (
            "circleci",
            r#"run oidc get --claims {"aud":"testindex"} --root-issuer"#,
        ),
    ] {
        let script = bin.join(name);
        std::fs::write(
            &script,
            format!("#!/bin/sh\n[ \"$*\" = '{expected_args}' ] || {{ echo \"unexpected: $*\" >&2; exit 3; }}\necho '{token}'\n"),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:/usr/bin:/bin", bin.display());
    for variable in ["BUILDKITE", "CIRCLECI"] {
        let env = vec![
            (variable.to_owned(), "true".to_owned()),
            ("PATH".to_owned(), path.clone()),
        ];
        let out = mintup_with(
            home.path(),
            &env,
            &["mint", "--repository-url", &index.url],
            &token,
        );
        assert_eq!(
            (out.code, out.stdout.as_str()),
            (0, format!("{MINTED}\n").as_str()),
            "{variable}: {}",
            out.stderr
        );
    }
    let env = vec![
        ("BUILDKITE".to_owned(), "true".to_owned()),
        ("PATH".to_owned(), "/nonexistent".to_owned()),
    ];
    let out = mintup_with(
        home.path(),
        &env,
        &["mint", "--repository-url", &index.url],
        &token,
    );
    assert_eq!(out.code, 1);
    out.stderr_has("could not run `buildkite-agent`")
        .stderr_has("hint: `buildkite-agent` must be on PATH");
}

#[test]
fn upload_mints_by_itself_in_github_actions() {
    let job = GithubJob::new(&github_claims("testindex"));
    let index = oidc::index(audience("testindex"), job.token.clone());
    let wheel = good("mintup_hatch_demo-0.4.2-py3-none-any.whl");
    let sdist = good("mintup_hatch_demo-0.4.2.tar.gz");
    let out = job.run(&["upload", "--repository-url", &index.url, &wheel, &sdist]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr.lines().next(),
        Some(format!("::add-mask::{MINTED}").as_str())
    );
    out.stderr_has("note: using a token minted from this GitHub Actions run (trusted publishing)");
    assert_eq!(out.results("uploaded"), 2, "{}", out.stdout);
    assert!(!out.stdout.contains(MINTED));
    // The fake index only accepts the minted token, so the uploads used it;
    // and one fresh token serves both files.
    let paths: Vec<String> = index.received().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths.iter().filter(|p| *p == "/legacy/").count(), 2);
    assert_eq!(
        paths.iter().filter(|p| *p == "/_/oidc/mint-token").count(),
        1
    );
    assert_eq!(job.github.received().len(), 1);
}

/// An index that is not PyPI must not learn a JWT that PyPI would take.
#[test]
fn another_host_naming_pypis_audience_gets_no_token() {
    for name in ["pypi", "testpypi"] {
        let job = GithubJob::new(&github_claims(name));
        let index = oidc::index(audience(name), job.token.clone());
        let wheel = good("mintup_hatch_demo-0.4.2-py3-none-any.whl");
        for args in [
            vec!["mint", "--repository-url", &index.url],
            vec!["upload", "--repository-url", &index.url, &wheel],
        ] {
            let out = job.run(&args);
            assert_eq!(out.code, 1, "{}", out.stderr);
            out.stderr_has(&format!(
                "names the OIDC audience '{name}', which is PyPI's"
            ))
            .stderr_has(&format!("--audience {name}"));
        }
        assert!(
            index
                .received()
                .iter()
                .all(|r| r.path == "/_/oidc/audience"),
            "only the audience was asked"
        );
        assert!(
            job.github.received().is_empty(),
            "no OIDC token was requested"
        );
        // Said explicitly, the audience is the user's choice.
        let out = job.run(&["mint", "--repository-url", &index.url, "--audience", name]);
        assert_minted(&out);
        let out = job.run(&[
            "upload",
            "--repository-url",
            &index.url,
            "--audience",
            name,
            &wheel,
        ]);
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
}

/// `auto` mints for PyPI, TestPyPI and this machine only; another host
/// needs `--trusted-publishing always`, and nothing is asked of anyone.
#[test]
fn auto_does_not_mint_for_other_hosts() {
    let job = GithubJob::new(&github_claims("testindex"));
    let wheel = good("mintup_hatch_demo-0.4.2-py3-none-any.whl");
    let out = job.run(&[
        "upload",
        "--repository-url",
        "https://index.example.invalid/legacy/",
        &wheel,
    ]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    out.stderr_has("no password or token").stderr_has(
        "index.example.invalid is not PyPI or TestPyPI, so it needs --trusted-publishing always",
    );
    assert!(job.github.received().is_empty());
}

#[test]
fn upload_in_ci_shows_the_mint_error_not_missing_credentials() {
    let job = GithubJob::new(&github_claims("testindex"));
    let index = oidc::index_with(audience("testindex"), |_| {
        refusal(
            "invalid-publisher",
            "valid token, but no corresponding publisher",
        )
    });
    let wheel = good("mintup_hatch_demo-0.4.2-py3-none-any.whl");
    let out = job.run(&["upload", "--repository-url", &index.url, &wheel]);
    assert_eq!(out.code, 1);
    out.stderr_has("refused to mint a token")
        .stderr_has("  owner: octo\n");
    assert!(
        !out.stderr.contains("no password or token"),
        "{}",
        out.stderr
    );
    assert!(index.received().iter().all(|r| r.path != "/legacy/"));
}

#[test]
fn upload_always_with_credentials_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    let wheel = good("mintup_hatch_demo-0.4.2-py3-none-any.whl");
    let out = run(mintup(home.path()).args([
        "upload",
        "--trusted-publishing",
        "always",
        "-t",
        crate::support::SECRET,
        &wheel,
    ]));
    assert_eq!(out.code, 2);
    out.stderr_has("--trusted-publishing always asks for trusted publishing only, but --password/--token gives credentials")
        .stderr_has("hint: drop those credentials");
}

/// A reporter that remembers what the library told it.
#[derive(Default)]
struct Recorder {
    notes: std::sync::Mutex<Vec<String>>,
    secrets: std::sync::Mutex<usize>,
}

impl mintup::upload::Reporter for Recorder {
    fn start_file(&self, _: &str, _: u64) {}
    fn advance(&self, _: &str, _: u64) {}
    fn finish_file(&self, _: &str) {}
    fn note(&self, message: &str) {
        self.notes.lock().unwrap().push(message.to_owned());
    }
    fn new_secret(&self, _: &mintup::auth::Secret) {
        *self.secrets.lock().unwrap() += 1;
    }
}

/// Upload both good files through the library with `minted` as the token
/// in hand, minting again from `ci` at `index` when it runs out.
fn upload_minted(
    ci: &GithubJob,
    index: &FakeIndex,
    minted: mintup::mint::Minted,
    retries: u32,
) -> (Vec<mintup::upload::FileReport>, std::sync::Arc<Recorder>) {
    use mintup::upload::{UploadAuth, UploadJob};
    let url = url::Url::parse(&index.url).unwrap();
    let minter = mintup::mint::Minter {
        upload_url: url.clone(),
        kind: mintup::index::IndexKind::Other,
        audience: None,
        provider: None,
        env: mintup::config::env::EnvSnapshot::from_pairs(ci.env.clone()),
        machine: mintup::mint::MachineFacts::default(),
        project: None,
    };
    let job = UploadJob {
        dists: mintup::dist::collect::collect(&[
            good("mintup_hatch_demo-0.4.2-py3-none-any.whl"),
            good("mintup_hatch_demo-0.4.2.tar.gz"),
        ])
        .unwrap(),
        auth: UploadAuth::minted(minter, minted),
        client: mintup::http::build_client(None, None).unwrap(),
        options: mintup::upload::UploadOptions {
            target: mintup::index::Target {
                url,
                kind: mintup::index::IndexKind::Other,
            },
            skip_existing: false,
            comment: None,
            attestations: false,
            print_hash: false,
            verbose: false,
            verify: true,
            stall_timeout: std::time::Duration::from_secs(60),
            retries,
            jobs: 1,
            keep_going: false,
            check_url: mintup::upload::CheckUrl::Off,
            json_api: None,
        },
    };
    let recorder = std::sync::Arc::new(Recorder::default());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let reports = runtime
        .block_on(mintup::upload::run(
            job,
            recorder.clone(),
            std::future::pending(),
        ))
        .unwrap();
    (reports, recorder)
}

fn mint_requests(index: &FakeIndex) -> usize {
    index
        .received()
        .iter()
        .filter(|r| r.path == "/_/oidc/mint-token")
        .count()
}

fn all_uploaded(reports: &[mintup::upload::FileReport]) -> bool {
    reports
        .iter()
        .all(|r| matches!(r.result, mintup::upload::FileResult::Uploaded { .. }))
}

#[test]
fn a_token_minted_a_lifetime_ago_is_minted_again() {
    let ci = GithubJob::new(&github_claims("testindex"));
    let index = oidc::index(audience("testindex"), ci.token.clone());
    // The clock runs from the mint, not from when the upload starts (an
    // `--attest` in between takes time): the index refuses this one, so
    // only a fresh mint uploads, and it serves both files.
    let stale = mintup::mint::Minted {
        token: mintup::auth::Secret::new("pypi-expired"),
        expires: None,
        minted_at: std::time::Instant::now()
            .checked_sub(mintup::mint::TOKEN_LIFETIME)
            .unwrap(),
        provider: mintup::mint::Provider::GitHub,
        warnings: vec![],
    };
    let (reports, recorder) = upload_minted(&ci, &index, stale, 0);
    assert!(all_uploaded(&reports), "{reports:#?}");
    assert_eq!(mint_requests(&index), 1);
    assert_eq!(ci.github.received().len(), 1, "one OIDC token per mint");
    assert_eq!(
        *recorder.secrets.lock().unwrap(),
        1,
        "the new token is handed out for masking"
    );
    assert!(
        recorder
            .notes
            .lock()
            .unwrap()
            .iter()
            .any(|n| n.contains("minted a fresh token"))
    );
}

/// Each retry takes the credentials anew: a token the index says expires
/// within the margin is replaced before every attempt, not once per file.
#[test]
fn credentials_are_taken_per_attempt_from_the_real_expiry() {
    let ci = GithubJob::new(&github_claims("testindex"));
    let jwt = ci.token.clone();
    let soon = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 60
    };
    let mut uploads = 0;
    let index = FakeIndex::start(move |req| match req.path.as_str() {
        "/_/oidc/audience" => audience("testindex"),
        "/_/oidc/mint-token" if req.text.contains(&jwt) => Reply::status(
            200,
            &serde_json::json!({"success": true, "token": MINTED, "expires": soon()}).to_string(),
        )
        .header("content-type", "application/json"),
        "/legacy/" => {
            uploads += 1;
            if uploads == 1 {
                Reply::status(503, "busy")
            } else {
                Reply::ok()
            }
        }
        _ => Reply::status(404, "not here"),
    });
    let fresh = mintup::mint::Minted {
        token: mintup::auth::Secret::new(MINTED),
        expires: Some(soon() as i64),
        minted_at: std::time::Instant::now(),
        provider: mintup::mint::Provider::GitHub,
        warnings: vec![],
    };
    let (reports, _) = upload_minted(&ci, &index, fresh, 1);
    assert!(all_uploaded(&reports), "{reports:#?}");
    // Wheel: two attempts; sdist: one. Each found less than the margin left.
    assert_eq!(mint_requests(&index), 3);
}

#[test]
fn raw_mint_prints_the_token_alone_after_the_mask() {
    let job = GithubJob::new(&github_claims("testindex"));
    let index = oidc::index(audience("testindex"), job.token.clone());
    let out = job.run(&["mint", "--repository-url", &index.url]);
    assert_minted(&out);
    assert_eq!(
        out.stderr.lines().next(),
        Some(format!("::add-mask::{MINTED}").as_str())
    );
}

#[test]
fn created_answers_count_and_echoed_tokens_stay_hidden() {
    let job = GithubJob::new(&github_claims("testindex"));
    let index = oidc::index_with(audience("testindex"), |_| {
        Reply::status(201, &serde_json::json!({ "token": MINTED }).to_string())
    });
    assert_minted(&job.run(&["mint", "--repository-url", &index.url]));
    // An index that echoes the request back in an error: the OIDC token must
    // not reach the message (mintup_with checks every part of it).
    let index = oidc::index_with(audience("testindex"), |req| Reply::status(400, &req.text));
    let out = job.run(&["mint", "--repository-url", &index.url]);
    assert_eq!(out.code, 1);
    out.stderr_has("answered 400 without a token");
}

#[test]
fn bad_provider_variables_are_named() {
    let home = tempfile::tempdir().unwrap();
    let index = oidc::index(audience("testindex"), String::new());
    let env = vec![("GCE_METADATA_HOST".to_owned(), "bad host".to_owned())];
    let out = mintup_with(
        home.path(),
        &env,
        &[
            "mint",
            "--provider",
            "google",
            "--repository-url",
            &index.url,
        ],
        "no-jwt",
    );
    assert_eq!(out.code, 1);
    out.stderr_has("GCE_METADATA_HOST is not a usable URL: 'bad host'")
        .stderr_has("hint: fix or unset GCE_METADATA_HOST");
    let env = vec![
        (
            "GOOGLE_SERVICE_ACCOUNT_NAME".to_owned(),
            "sa@p.iam.gserviceaccount.com".to_owned(),
        ),
        (
            "MINTUP_GOOGLE_IAM_URL".to_owned(),
            "http://iam.example/".to_owned(),
        ),
        ("GCE_METADATA_HOST".to_owned(), "127.0.0.1:1".to_owned()),
    ];
    let out = mintup_with(
        home.path(),
        &env,
        &["mint", "--repository-url", &index.url],
        "no-jwt",
    );
    assert_eq!(out.code, 1);
    // Checked before any access token is fetched: it would travel in clear.
    out.stderr_has("MINTUP_GOOGLE_IAM_URL is not a usable URL: 'http://iam.example/'");
}

/// The help says what the code does: with --github-output the token goes to
/// the step output instead of stdout, not as well.
#[test]
fn mint_help_says_github_output_replaces_stdout() {
    let home = tempfile::tempdir().unwrap();
    let out = run(mintup(home.path()).args(["mint", "--help"]));
    assert_eq!(out.code, 0);
    out.stdout_has("instead of printing the token (stdout stays")
        .stdout_has("With --github-output it is written to the step output");
    assert!(!out.stdout.contains("also writes"), "{}", out.stdout);
}
