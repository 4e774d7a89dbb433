//! Trusted-publishing fakes: real JWTs (HS256 with a test key; nobody
//! verifies the signature but the index), an index with Warehouse's audience,
//! mint and burn endpoints, and GitHub's OIDC token endpoint.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::fake_index::{FakeIndex, Received, Reply};

/// What the fake index mints.
pub(crate) const MINTED: &str = "pypi-MiNtEd-t0ken-f0r-th1s-run";
/// What the fake GitHub endpoint demands as the request bearer.
pub(crate) const REQUEST_TOKEN: &str = "gh-request-t0ken";

/// A signed JWT with these claims.
pub(crate) fn jwt(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"mintup test signing key");
    let signature = ring::hmac::sign(&key, format!("{header}.{payload}").as_bytes());
    super::leaks::secret(format!(
        "{header}.{payload}.{}",
        URL_SAFE_NO_PAD.encode(signature.as_ref())
    ))
}

/// The claims of a GitHub Actions token for octo/demo's release.yml.
pub(crate) fn github_claims(audience: &str) -> Value {
    json!({
        "iss": "https://token.actions.githubusercontent.com",
        "aud": audience,
        "sub": "repo:octo/demo:ref:refs/tags/v1.0.0",
        "jti": "6f1d1b2a-0000-4000-8000-000000000001",
        "iat": 1_700_000_000, "nbf": 1_699_999_700, "exp": 1_700_000_300,
        "repository": "octo/demo",
        "repository_owner": "octo",
        "repository_owner_id": "4242",
        "workflow_ref": "octo/demo/.github/workflows/release.yml@refs/tags/v1.0.0",
        "job_workflow_ref": "octo/demo/.github/workflows/release.yml@refs/tags/v1.0.0",
        "ref": "refs/tags/v1.0.0",
        "event_name": "push",
    })
}

/// Warehouse's refusal body.
pub(crate) fn refusal(code: &str, description: &str) -> Reply {
    Reply::status(
        422,
        &json!({
            "message": "Token request failed",
            "errors": [{"code": code, "description": description}],
        })
        .to_string(),
    )
    .header("content-type", "application/json")
}

/// An index that serves `audience` and mints [`MINTED`] for exactly `jwt`,
/// and accepts uploads at /legacy/ only with the minted token.
pub(crate) fn index(audience: Reply, jwt: String) -> FakeIndex {
    index_with(audience, move |req| {
        let sent: Value = serde_json::from_str(&req.text).unwrap_or_default();
        if sent["token"] == jwt.as_str() {
            Reply::status(
                200,
                &json!({"success": true, "token": MINTED, "expires": 1_700_000_900}).to_string(),
            )
            .header("content-type", "application/json")
        } else {
            refusal("invalid-token", "malformed or invalid token")
        }
    })
}

/// An index with a custom mint answer (burn requests are accepted).
pub(crate) fn index_with(
    audience: Reply,
    mint: impl Fn(&Received) -> Reply + Send + 'static,
) -> FakeIndex {
    FakeIndex::start(move |req| match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/_/oidc/audience") => audience.clone(),
        ("POST", "/_/oidc/mint-token") => mint(req),
        // Warehouse's answer to every burn request, whatever the token.
        ("POST", "/_/oidc/burn-token") => {
            Reply::status(202, r#"{"message": "Accepted", "errors": []}"#)
                .header("content-type", "application/json")
        }
        ("POST", "/legacy/") => {
            let basic = format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("__token__:{MINTED}"))
            );
            if req.header("authorization") == Some(basic.as_str()) {
                Reply::ok()
            } else {
                Reply::status(403, "Invalid or non-existent authentication information.")
            }
        }
        _ => Reply::status(404, "not here"),
    })
}

pub(crate) fn audience(name: &str) -> Reply {
    Reply::status(200, &json!({ "audience": name }).to_string())
        .header("content-type", "application/json")
}

/// GitHub's token endpoint: to the right bearer, a token with `claims` for
/// the audience the request asked for (as GitHub issues them).
pub(crate) fn github_endpoint(claims: Value) -> FakeIndex {
    FakeIndex::start(move |req| {
        let bearer_ok = req
            .header("authorization")
            .is_some_and(|v| v.eq_ignore_ascii_case(&format!("bearer {REQUEST_TOKEN}")));
        let has_version = req.query.contains("api-version=2.0");
        let audience = req
            .query
            .split('&')
            .find_map(|kv| kv.strip_prefix("audience="));
        match audience {
            Some(audience) if bearer_ok && has_version => {
                let mut claims = claims.clone();
                claims["aud"] = audience.into();
                Reply::status(
                    200,
                    &json!({ "count": 1, "value": jwt(&claims) }).to_string(),
                )
            }
            _ => Reply::status(403, "bad bearer or no audience"),
        }
    })
}

/// The environment of a GitHub Actions job with `id-token: write`.
pub(crate) fn github_env(endpoint: &FakeIndex, home: &std::path::Path) -> Vec<(String, String)> {
    vec![
        ("GITHUB_ACTIONS".into(), "true".into()),
        ("CI".into(), "true".into()),
        (
            "ACTIONS_ID_TOKEN_REQUEST_URL".into(),
            format!("{}/token?api-version=2.0", endpoint.base()),
        ),
        (
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN".into(),
            REQUEST_TOKEN.into(),
        ),
        (
            "GITHUB_OUTPUT".into(),
            home.join("github_output").display().to_string(),
        ),
        (
            "GITHUB_STEP_SUMMARY".into(),
            home.join("step_summary.md").display().to_string(),
        ),
    ]
}
