//! Why no OIDC token could be had from the CI provider, with the hint for
//! each case, and how a provider's own words are shown in it.

use super::claims::ClaimsError;
use super::cli::CliError;
use super::provider::Provider;
use crate::hint::Hint;
use crate::http::AnswerError;
use crate::untrusted;

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error(
        "this GitHub Actions job cannot request an OIDC token: ACTIONS_ID_TOKEN_REQUEST_URL and \
         ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set"
    )]
    GitHubPermission,
    #[error(
        "this run was triggered by a pull request from a fork, and GitHub never gives those an OIDC token"
    )]
    GitHubFork,
    #[error("GitHub's OIDC token endpoint answered {status}: {body}")]
    GitHubStatus { status: u16, body: String },
    #[error("{variable} is not a usable URL: '{value}'")]
    BadVariable {
        variable: &'static str,
        value: String,
    },
    #[error("GitHub's OIDC token endpoint answered without a token")]
    GitHubNoValue,
    #[error("no usable answer from {what}")]
    Unreachable {
        what: &'static str,
        #[source]
        source: AnswerError,
    },
    #[error("GitLab CI provides no {variable}")]
    GitLabMissing { variable: String },
    #[error("Google's {what} answered {status}: {body}")]
    GoogleStatus {
        what: &'static str,
        status: u16,
        body: String,
    },
    #[error("could not run `{program}`")]
    Spawn {
        program: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("`{program}` gave no token")]
    Cli {
        program: &'static str,
        #[source]
        source: CliError,
    },
    #[error("`{program}` failed ({status}): {stderr}")]
    CommandFailed {
        program: &'static str,
        status: String,
        stderr: String,
    },
    #[error("the OIDC token from {provider} is malformed")]
    Malformed {
        provider: Provider,
        #[source]
        source: ClaimsError,
    },
    #[error("the OIDC token from {provider} is for the audience {found}, not '{expected}'")]
    WrongAudience {
        provider: Provider,
        expected: String,
        found: String,
    },
}

impl Hint for OidcError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            OidcError::GitHubPermission => {
                "give the publishing job permission to request one:\n\n    \
                jobs:\n      publish:\n        permissions:\n          id-token: write\n"
                    .into()
            }
            OidcError::GitHubFork => {
                "publish from a push, tag or release workflow of the repository itself".into()
            }
            OidcError::GitLabMissing { variable } => format!(
                "declare the token in the job:\n\n    publish:\n      id_tokens:\n        {variable}:\n          aud: {}\n",
                variable.trim_end_matches("_ID_TOKEN").to_lowercase()
            ),
            OidcError::Spawn { program, .. } => format!("`{program}` must be on PATH in this job"),
            OidcError::Malformed { .. } => {
                "the CI provider returned something that is not a JWT; re-run the job".into()
            }
            OidcError::WrongAudience {
                provider: Provider::GitLab,
                expected,
                ..
            } => {
                format!("set `aud: {expected}` on the job's id_tokens entry")
            }
            OidcError::WrongAudience { .. } => {
                "the CI provider issued a token for another audience; re-run the job, and check \
                 --audience if you gave one"
                    .into()
            }
            OidcError::GitHubStatus { .. } | OidcError::GitHubNoValue => {
                "GitHub could not issue a token: re-run the job, and see \
                 https://www.githubstatus.com if it keeps failing"
                    .into()
            }
            OidcError::GoogleStatus { .. } => "check the service account of this VM or service; \
                to impersonate GOOGLE_SERVICE_ACCOUNT_NAME it needs the Service Account Token \
                Creator role on that account"
                .into(),
            OidcError::Cli { program, .. } => format!(
                "`{program}` hung or printed far more than a token: check the agent and re-run"
            ),
            OidcError::CommandFailed { program, .. } => format!(
                "`{program}` could not issue a token: check the agent's OIDC setup and re-run"
            ),
            OidcError::Unreachable { .. } => {
                "the provider's token service could not be reached from this job: re-run it".into()
            }
            OidcError::BadVariable { variable, .. } => {
                format!("fix or unset {variable} in the job's environment")
            }
        })
    }
}

/// What a token service or CLI said, for an error message: made safe to
/// print ([`untrusted::for_log`]) and short.
pub(super) fn shown(text: &str) -> String {
    untrusted::for_log(text, &[]).chars().take(300).collect()
}
