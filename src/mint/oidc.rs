//! Getting an ambient OIDC token for an audience from the CI provider
//! (`../shared/reference/trusted-publishing.md` §3), and checking that the
//! token is for that audience before anyone exchanges it.

use std::process::Command;
use std::time::Duration;

use serde::Deserialize;
use url::Url;

use super::claims::Claims;
use super::cli::{self, CliError};
pub use super::oidc_error::OidcError;
use super::oidc_error::shown;
use super::provider::Provider;
use crate::auth::Secret;
use crate::config::env::EnvSnapshot;
use crate::http::status_and_text;

/// An OIDC token and its decoded claims.
#[derive(Debug, Clone)]
pub struct OidcToken {
    pub jwt: Secret,
    pub claims: Claims,
}

/// GitLab's convention: `<AUDIENCE>_ID_TOKEN`, the audience upper-cased with
/// every character outside A-Z and 0-9 replaced by `_`.
pub fn gitlab_variable(audience: &str) -> String {
    let name: String = audience
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("{name}_ID_TOKEN")
}

/// GitHub's token URL with `audience` merged into its query.
pub fn github_token_url(request_url: &str, audience: &str) -> Result<Url, url::ParseError> {
    let mut url = Url::parse(request_url)?;
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "audience")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .append_pair("audience", audience);
    Ok(url)
}

/// Whether the GitHub event file describes a pull request from a fork.
pub fn is_fork_pull_request(event_json: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(event_json)
        .ok()
        .and_then(|event| event.pointer("/pull_request/head/repo/fork")?.as_bool())
        .unwrap_or(false)
}

/// GitHub gives a job the token request URL and bearer only with
/// `permissions: id-token: write`, and never to a fork's pull request.
pub fn github_ready(env: &EnvSnapshot) -> Result<(), OidcError> {
    if env.get("ACTIONS_ID_TOKEN_REQUEST_URL").is_some()
        && env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN").is_some()
    {
        return Ok(());
    }
    let fork = env.get("GITHUB_EVENT_NAME") == Some("pull_request")
        && env
            .get("GITHUB_EVENT_PATH")
            .and_then(|path| std::fs::read_to_string(path).ok())
            .is_some_and(|json| is_fork_pull_request(&json));
    Err(if fork {
        OidcError::GitHubFork
    } else {
        OidcError::GitHubPermission
    })
}

/// Get a token for `audience` from `provider` and check its audience.
pub async fn fetch(
    client: &reqwest::Client,
    provider: Provider,
    audience: &str,
    env: &EnvSnapshot,
) -> Result<OidcToken, OidcError> {
    let jwt = match provider {
        Provider::GitHub => github(client, audience, env).await?,
        Provider::GitLab => {
            let variable = gitlab_variable(audience);
            env.get(&variable)
                .map(Secret::new)
                .ok_or(OidcError::GitLabMissing { variable })?
        }
        Provider::Google => super::google::token(client, audience, env).await?,
        Provider::Buildkite => {
            run_cli(
                "buildkite-agent",
                vec![
                    "oidc".into(),
                    "request-token".into(),
                    "--audience".into(),
                    audience.into(),
                ],
            )
            .await?
        }
        Provider::CircleCi => {
            run_cli(
                "circleci",
                vec![
                    "run".into(),
                    "oidc".into(),
                    "get".into(),
                    "--claims".into(),
                    serde_json::json!({ "aud": audience }).to_string(),
                    "--root-issuer".into(),
                ],
            )
            .await?
        }
    };
    let claims =
        Claims::decode(jwt.expose()).map_err(|source| OidcError::Malformed { provider, source })?;
    let audiences = claims.audiences();
    if audiences != [audience] {
        return Err(OidcError::WrongAudience {
            provider,
            expected: audience.to_owned(),
            found: if audiences.is_empty() {
                "(none)".to_owned()
            } else {
                audiences
                    .iter()
                    .map(|a| format!("'{a}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        });
    }
    Ok(OidcToken { jwt, claims })
}

async fn github(
    client: &reqwest::Client,
    audience: &str,
    env: &EnvSnapshot,
) -> Result<Secret, OidcError> {
    github_ready(env)?;
    let (Some(request_url), Some(request_token)) = (
        env.get("ACTIONS_ID_TOKEN_REQUEST_URL"),
        env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
    ) else {
        return Err(OidcError::GitHubPermission);
    };
    let url = github_token_url(request_url, audience).map_err(|_| OidcError::BadVariable {
        variable: "ACTIONS_ID_TOKEN_REQUEST_URL",
        value: request_url.to_owned(),
    })?;
    let unreachable = |source| OidcError::Unreachable {
        what: "GitHub's OIDC token endpoint",
        source,
    };
    let request = client
        .get(url.clone())
        .bearer_auth(request_token)
        .timeout(Duration::from_secs(30));
    let (status, body) = status_and_text(request).await.map_err(unreachable)?;
    if status != 200 {
        return Err(OidcError::GitHubStatus {
            status,
            body: shown(&body),
        });
    }
    #[derive(Deserialize)]
    struct Answer {
        value: Option<String>,
    }
    serde_json::from_str::<Answer>(&body)
        .ok()
        .and_then(|a| a.value)
        .filter(|v| !v.trim().is_empty())
        .map(Secret::new)
        .ok_or(OidcError::GitHubNoValue)
}

/// Run a provider's CLI off the async runtime, within [`cli::Limits`], and
/// take its stdout.
async fn run_cli(program: &'static str, args: Vec<String>) -> Result<Secret, OidcError> {
    let mut command = Command::new(program);
    command.args(args);
    let output = tokio::task::spawn_blocking(move || cli::run(command, cli::Limits::default()))
        .await
        .map_err(|e| OidcError::Spawn {
            program,
            source: std::io::Error::other(e),
        })?
        .map_err(|source| match source {
            CliError::Spawn(source) => OidcError::Spawn { program, source },
            source => OidcError::Cli { program, source },
        })?;
    if !output.status.success() {
        return Err(OidcError::CommandFailed {
            program,
            status: output.status.to_string(),
            stderr: shown(String::from_utf8_lossy(&output.stderr).trim()),
        });
    }
    Ok(Secret::new(
        String::from_utf8_lossy(&output.stdout).into_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hint::Hint;

    #[test]
    fn gitlab_variable_names() {
        assert_eq!(gitlab_variable("pypi"), "PYPI_ID_TOKEN");
        assert_eq!(gitlab_variable("testpypi"), "TESTPYPI_ID_TOKEN");
        assert_eq!(
            gitlab_variable("http://test.audience"),
            "HTTP___TEST_AUDIENCE_ID_TOKEN"
        );
    }

    #[test]
    fn github_audience_is_merged_into_the_query() {
        let url = github_token_url(
            "https://pipelines.example/abc/idtoken?api-version=2.0",
            "pypi",
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "https://pipelines.example/abc/idtoken?api-version=2.0&audience=pypi"
        );
        let url = github_token_url("https://x.example/t?audience=old&a=1", "testpypi").unwrap();
        assert_eq!(url.as_str(), "https://x.example/t?a=1&audience=testpypi");
        let url = github_token_url("https://x.example/t", "pypi").unwrap();
        assert_eq!(url.as_str(), "https://x.example/t?audience=pypi");
    }

    #[test]
    fn fork_pull_requests() {
        assert!(is_fork_pull_request(
            r#"{"pull_request": {"head": {"repo": {"fork": true}}}}"#
        ));
        assert!(!is_fork_pull_request(
            r#"{"pull_request": {"head": {"repo": {"fork": false}}}}"#
        ));
        assert!(!is_fork_pull_request("not json"));
    }

    #[test]
    fn permission_hint_shows_the_yaml() {
        let hint = OidcError::GitHubPermission.hint().unwrap();
        assert!(
            hint.contains("permissions:\n          id-token: write"),
            "{hint}"
        );
        let hint = OidcError::GitLabMissing {
            variable: "PYPI_ID_TOKEN".into(),
        }
        .hint()
        .unwrap();
        assert!(
            hint.contains("PYPI_ID_TOKEN:\n          aud: pypi"),
            "{hint}"
        );
    }
}
