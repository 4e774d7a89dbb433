//! Reading a release's page from PyPI's JSON API, for the 14-day rule
//! ([`super::release_age`]).

use std::time::Duration;

use url::Url;

use super::existing::same_origin;
use super::release_age::{self, ReleaseFacts};

/// A release page is small but carries the long description.
const MAX_PAGE: usize = 8 * 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(15);
/// Warehouse redirects a version spelled otherwise than at its upload.
const MAX_REDIRECTS: usize = 2;

#[derive(Debug, thiserror::Error)]
pub enum ReleaseJsonError {
    #[error("{url} could not be read")]
    Http {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{url} answered {status}")]
    Status { url: String, status: u16 },
    #[error("{url} is larger than the {} MiB a release page may take", MAX_PAGE >> 20)]
    TooLarge { url: String },
    #[error("{url} is not a release page of the JSON API")]
    NotARelease { url: String },
    #[error("{0} cannot be joined with the project and version")]
    Url(String),
}

/// What the JSON API at `base` (`https://pypi.org/pypi/`) says of one
/// release; None when the index has no such release.
pub async fn fetch(
    client: &reqwest::Client,
    base: &Url,
    project: &str,
    version: &str,
) -> Result<Option<ReleaseFacts>, ReleaseJsonError> {
    let project = crate::dist::filename::normalize_name(project);
    let mut url = base
        .join(&format!("{project}/{version}/json"))
        .map_err(|_| ReleaseJsonError::Url(base.to_string()))?;
    let mut redirects = 0;
    loop {
        let http = |source| ReleaseJsonError::Http {
            url: url.to_string(),
            source,
        };
        let response = client
            .get(url.clone())
            .timeout(TIMEOUT)
            .send()
            .await
            .map_err(http)?;
        let status = response.status();
        if status.as_u16() == 404 {
            return Ok(None);
        }
        if status.is_redirection() {
            let next = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .and_then(|l| url.join(l).ok())
                .filter(|next| same_origin(&url, next));
            if let Some(next) = next.filter(|_| redirects < MAX_REDIRECTS) {
                url = next;
                redirects += 1;
                continue;
            }
        }
        if !status.is_success() {
            return Err(ReleaseJsonError::Status {
                url: url.to_string(),
                status: status.as_u16(),
            });
        }
        let body = crate::http::body_within(response, MAX_PAGE)
            .await
            .map_err(http)?
            .ok_or_else(|| ReleaseJsonError::TooLarge {
                url: url.to_string(),
            })?;
        return release_age::parse(&String::from_utf8_lossy(&body))
            .map(Some)
            .ok_or(ReleaseJsonError::NotARelease {
                url: url.to_string(),
            });
    }
}
