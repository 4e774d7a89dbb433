//! Trusted publishing: trade the CI run's OIDC identity for a short-lived
//! index token. [`provider`] picks the identity, [`oidc`] fetches a token for
//! the index's audience, [`exchange`] swaps it for an API token, and
//! [`diagnose`] explains a refusal ([`reusable`] what a reusable GitHub
//! workflow changes); [`burn`] revokes the token when the run is done.

pub mod burn;
pub mod claims;
pub mod cli;
pub mod diagnose;
pub mod exchange;
mod google;
pub mod oidc;
mod oidc_error;
pub mod preflight;
pub mod provider;
pub mod reusable;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use url::Url;

use crate::auth::Secret;
use crate::config::env::EnvSnapshot;
use crate::hint::Hint;
use crate::index::IndexKind;

pub use provider::{MachineFacts, Provider};

/// Everything needed to mint, and to mint again later in a long upload.
#[derive(Debug, Clone)]
pub struct Minter {
    pub upload_url: Url,
    pub kind: IndexKind,
    /// `--audience`; asked of the index when `None`.
    pub audience: Option<String>,
    /// `--provider`; detected when `None`.
    pub provider: Option<Provider>,
    pub env: EnvSnapshot,
    pub machine: MachineFacts,
    /// The project being published, for the link to its settings.
    pub project: Option<String>,
}

/// A minted token.
#[derive(Debug, Clone)]
pub struct Minted {
    pub token: Secret,
    /// Unix seconds.
    pub expires: Option<i64>,
    /// When it was asked for: its lifetime runs from no later than this.
    pub minted_at: Instant,
    pub provider: Provider,
    /// Things that may make the index refuse later, such as a reusable workflow.
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum MintError {
    #[error(
        "not running in a CI system that can prove its identity (trusted publishing needs one)"
    )]
    NotInCi,
    #[error("could not get an OIDC token from {provider}")]
    Oidc {
        provider: Provider,
        #[source]
        source: oidc::OidcError,
    },
    #[error("trusted publishing with {index} failed")]
    Exchange {
        index: String,
        #[source]
        source: exchange::ExchangeError,
    },
    #[error(transparent)]
    Client(#[from] crate::http::ClientError),
    #[error(
        "{host} names the OIDC audience '{audience}', which is PyPI's: a token for it could be \
         spent at PyPI, so none is requested for another host"
    )]
    ForeignAudience { host: String, audience: String },
    #[error(
        "this run was triggered by pull_request_target, and PyPI refuses to mint for such runs \
         (\"Publishing from a workflow invoked via 'pull_request_target' is not supported\")"
    )]
    PullRequestTarget,
    #[error("{url} refused to mint a token\n{diagnosis}")]
    Refused {
        url: String,
        diagnosis: String,
        remedy: diagnose::Remedy,
    },
}

impl Hint for MintError {
    fn hint(&self) -> Option<String> {
        match self {
            MintError::NotInCi => Some(format!(
                "run this in a CI job, or upload with an API token (-t) instead; what each provider needs:\n{}",
                provider::REQUIREMENTS
                    .lines()
                    .map(|l| format!("  {l}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            )),
            MintError::Oidc { source, .. } => source.hint(),
            MintError::Client(_) => None,
            MintError::PullRequestTarget => Some(
                "publish from a workflow the repository itself triggers (a tag push, a release \
                 or workflow_dispatch), never from code a pull request brings"
                    .into(),
            ),
            MintError::ForeignAudience { audience, .. } => Some(format!(
                "check the repository URL; if this index really takes PyPI's audience, say so \
                 with --audience {audience}"
            )),
            MintError::Exchange { source, .. } => source.hint(),
            MintError::Refused { remedy, .. } => Some(remedy.advice()),
        }
    }
}

impl Minter {
    /// Mint a token: audience, OIDC token, exchange. Each call fetches a
    /// fresh OIDC token, since the index accepts each one only once.
    /// `client` talks to the index (with the user's CA bundle and client
    /// certificate); the CI provider is reached with the system's roots.
    pub async fn mint(&self, client: &reqwest::Client) -> Result<Minted, MintError> {
        let provider = match self.provider {
            Some(p) => p,
            None => provider::detect(&self.env, &self.machine).ok_or(MintError::NotInCi)?,
        };
        // What the job itself lacks is named before any request is made.
        let expected = self.audience.as_deref().or(self.kind.audience());
        preflight::check(provider, expected, &self.env)
            .map_err(|source| MintError::Oidc { provider, source })?;
        if self.kind.is_pypi_like()
            && provider == Provider::GitHub
            && self.env.get("GITHUB_EVENT_NAME") == Some("pull_request_target")
        {
            return Err(MintError::PullRequestTarget);
        }
        let minted_at = Instant::now();
        let endpoints = exchange::Endpoints::for_upload_url(&self.upload_url);
        let index = self.upload_url.host_str().unwrap_or_default().to_owned();
        let exchange_error = |source| MintError::Exchange {
            index: index.clone(),
            source,
        };
        let audience = match &self.audience {
            Some(a) => a.clone(),
            None => {
                let audience = exchange::fetch_audience(client, &endpoints)
                    .await
                    .map_err(exchange_error)?;
                refuse_foreign_audience(self.kind, &index, audience)?
            }
        };
        let provider_client = crate::http::build_client(None, None)?;
        let token = oidc::fetch(&provider_client, provider, &audience, &self.env)
            .await
            .map_err(|source| MintError::Oidc { provider, source })?;
        // Said on success too: PyPI may still refuse the attestations.
        let warnings: Vec<String> = reusable::ReusableWorkflow::of(&token.claims)
            .map(|r| r.warning())
            .into_iter()
            .collect();
        match exchange::mint(client, &endpoints, &token.jwt).await {
            Ok(minted) => Ok(Minted {
                token: minted.token,
                expires: minted.expires,
                minted_at,
                provider,
                warnings,
            }),
            Err(exchange::ExchangeError::Refused { errors }) => {
                let refusal =
                    diagnose::refused(&errors, provider, &token.claims, &self.settings_url());
                Err(MintError::Refused {
                    url: endpoints.mint.to_string(),
                    diagnosis: refusal.text,
                    remedy: refusal.remedy,
                })
            }
            Err(other) => Err(exchange_error(other)),
        }
    }

    /// Where the index's trusted publishers are configured.
    pub fn settings_url(&self) -> String {
        let Some(host) = self.kind.web_host() else {
            return format!(
                "the trusted-publisher settings of {}",
                self.upload_url.host_str().unwrap_or_default()
            );
        };
        match self
            .project
            .as_deref()
            .and_then(|project| self.kind.publishing_settings(project))
        {
            Some(page) => page,
            None => format!(
                "https://{host}/manage/project/<project>/settings/publishing/ (for a new \
                 project, its pending publisher at https://{host}/manage/account/publishing/)"
            ),
        }
    }
}

/// An audience asked of a host other than PyPI and TestPyPI may not be
/// theirs: a JWT for it would let that host mint at PyPI on our behalf.
fn refuse_foreign_audience(
    kind: IndexKind,
    host: &str,
    audience: String,
) -> Result<String, MintError> {
    let pypis = [IndexKind::Pypi, IndexKind::TestPypi].map(|k| k.audience());
    if kind == IndexKind::Other && pypis.contains(&Some(audience.as_str())) {
        return Err(MintError::ForeignAudience {
            host: host.to_owned(),
            audience,
        });
    }
    Ok(audience)
}

/// Tokens PyPI mints live 15 minutes.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);

impl Minted {
    /// When the token stops working: `expires` as the index said, read
    /// against this machine's clock, from the moment it was asked for. An
    /// expiry in the past or beyond a day is a clock disagreement, and the
    /// usual lifetime is assumed instead.
    pub fn valid_until(&self) -> Instant {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let lifetime = self
            .expires
            .and_then(|expires| u64::try_from(expires).ok()?.checked_sub(now))
            .filter(|secs| (1..=24 * 60 * 60).contains(secs))
            .map_or(TOKEN_LIFETIME, Duration::from_secs);
        self.minted_at + lifetime
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pypi_and_testpypi_may_name_their_audiences() {
        for audience in ["pypi", "testpypi"] {
            assert!(matches!(
                refuse_foreign_audience(IndexKind::Other, "evil.example", audience.into()),
                Err(MintError::ForeignAudience { .. })
            ));
        }
        assert!(refuse_foreign_audience(IndexKind::Other, "x", "devpi".into()).is_ok());
        assert!(refuse_foreign_audience(IndexKind::Pypi, "upload.pypi.org", "pypi".into()).is_ok());
    }

    #[test]
    fn validity_follows_the_index_and_distrusts_odd_clocks() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let minted = |expires| Minted {
            token: Secret::new("pypi-x"),
            expires,
            minted_at: Instant::now(),
            provider: Provider::GitHub,
            warnings: vec![],
        };
        let short = minted(Some(now + 120));
        let left = short.valid_until() - short.minted_at;
        assert!(left <= Duration::from_secs(120) && left >= Duration::from_secs(110));
        for odd in [
            None,
            Some(now - 10),
            Some(now + 10 * 24 * 3600),
            Some(i64::MIN),
        ] {
            let m = minted(odd);
            assert_eq!(m.valid_until() - m.minted_at, TOKEN_LIFETIME);
        }
    }
}
