//! Burning a minted token: asking the index to revoke it before its 15
//! minutes are up (Warehouse PR #20197, `POST /_/oidc/burn-token`). The
//! index answers 202 whatever happened and never says whether the token
//! existed, so a success is "burn requested", never "revoked".

use std::time::Duration;

use url::Url;

use crate::auth::Secret;
use crate::hint::Hint;
use crate::http::{AnswerError, status_and_text};

use super::TOKEN_LIFETIME;
use super::exchange::{Endpoints, excerpt};

/// How long one burn request may take: the token expires by itself soon
/// anyway, so a slow index must not hold up the end of a run.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The pause before the one retry of a 5xx or a failed connection.
const RETRY_PAUSE: Duration = Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub enum BurnError {
    #[error("could not burn the token{}", tried(*.attempts))]
    Unanswered {
        attempts: u8,
        #[source]
        source: AnswerError,
    },
    #[error("{url} does not offer token burning ({status}){said}")]
    NotOffered {
        url: String,
        status: u16,
        said: String,
    },
    #[error("{url} answered {status} to the burn request{}{said}", tried(*.attempts))]
    Status {
        url: String,
        status: u16,
        attempts: u8,
        said: String,
    },
}

fn tried(attempts: u8) -> &'static str {
    if attempts > 1 { " (tried twice)" } else { "" }
}

impl BurnError {
    /// Worth one more try: the index was not reached, or failed itself.
    fn is_transient(&self) -> bool {
        match self {
            BurnError::Unanswered { source, .. } => {
                matches!(source, AnswerError::Unreachable { .. })
            }
            BurnError::Status { status, .. } => *status >= 500,
            BurnError::NotOffered { .. } => false,
        }
    }

    /// The same failure, on the retry.
    fn retried(self) -> Self {
        match self {
            BurnError::Unanswered { source, .. } => BurnError::Unanswered {
                attempts: 2,
                source,
            },
            BurnError::Status {
                url, status, said, ..
            } => BurnError::Status {
                url,
                status,
                attempts: 2,
                said,
            },
            other => other,
        }
    }
}

impl Hint for BurnError {
    fn hint(&self) -> Option<String> {
        let expires = format!(
            "the token stays valid until it expires, {} minutes after it was minted at most",
            TOKEN_LIFETIME.as_secs() / 60
        );
        Some(match self {
            BurnError::NotOffered { .. } => format!(
                "this index cannot burn tokens (or this is not the upload URL the token was \
                 minted for); {expires}"
            ),
            BurnError::Unanswered { .. } => {
                format!("{expires}; check the network and run `mintup burn` again")
            }
            BurnError::Status { status, .. } if *status >= 500 => {
                format!("the index is having trouble; {expires}, or run `mintup burn` again later")
            }
            BurnError::Status { .. } => {
                format!("the index did not take the request; {expires}")
            }
        })
    }
}

/// Where a token for this upload URL is burned: the mint endpoint's host
/// ([`Endpoints::for_upload_url`]), so the token goes back to where it came
/// from, over https unless the index is on this machine.
pub fn burn_url(upload_url: &Url) -> Url {
    Endpoints::for_upload_url(upload_url).burn
}

/// Ask the index behind `upload_url` to burn `token`: one JSON POST, no
/// Authorization header (the token in the body is the proof), retried once
/// after a 5xx or a failed connection. `Ok` means the index answered 202:
/// the burn was requested.
pub async fn burn(
    client: &reqwest::Client,
    upload_url: &Url,
    token: &Secret,
) -> Result<(), BurnError> {
    let url = burn_url(upload_url);
    match send(client, &url, token).await {
        Err(e) if e.is_transient() => {
            tokio::time::sleep(RETRY_PAUSE).await;
            send(client, &url, token).await.map_err(BurnError::retried)
        }
        other => other,
    }
}

async fn send(client: &reqwest::Client, url: &Url, token: &Secret) -> Result<(), BurnError> {
    let request = client
        .post(url.clone())
        .timeout(TIMEOUT)
        .json(&serde_json::json!({ "token": token.expose() }));
    let (status, body) =
        status_and_text(request)
            .await
            .map_err(|source| BurnError::Unanswered {
                attempts: 1,
                source,
            })?;
    classify(url, status, &body, token)
}

/// The index's answer to one burn request. Only 202 is Warehouse's answer;
/// any other status, 2xx included, is not a burn mintup can vouch for.
fn classify(url: &Url, status: u16, body: &str, token: &Secret) -> Result<(), BurnError> {
    if status == 202 {
        return Ok(());
    }
    // The body could echo the token: withheld, with anything else
    // token-shaped, and made safe to print.
    let said = match excerpt(body, Some(token.expose())) {
        text if text.is_empty() => String::new(),
        text => format!(": {text}"),
    };
    let url = url.to_string();
    Err(match status {
        404 | 405 => BurnError::NotOffered { url, status, said },
        _ => BurnError::Status {
            url,
            status,
            attempts: 1,
            said,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url() -> Url {
        Url::parse("https://upload.pypi.org/_/oidc/burn-token").unwrap()
    }

    fn token() -> Secret {
        Secret::new("pypi-AgEIcHlwaS5vcmcCJGJ1cm4tbWU")
    }

    fn classified(status: u16, body: &str) -> BurnError {
        classify(&url(), status, body, &token()).unwrap_err()
    }

    #[test]
    fn the_burn_endpoint_is_beside_the_mint_endpoint() {
        let at = |s: &str| burn_url(&Url::parse(s).unwrap()).to_string();
        assert_eq!(
            at("https://upload.pypi.org/legacy/"),
            "https://upload.pypi.org/_/oidc/burn-token"
        );
        assert_eq!(
            at("http://127.0.0.1:8080/legacy/?x=1"),
            "http://127.0.0.1:8080/_/oidc/burn-token"
        );
        // The token never goes back over plain http to another host.
        assert_eq!(
            at("http://pypi.example:8443/upload/"),
            "https://pypi.example:8443/_/oidc/burn-token"
        );
    }

    #[test]
    fn only_202_is_a_burn_requested() {
        let body = r#"{"message": "Accepted", "errors": []}"#;
        assert!(classify(&url(), 202, body, &token()).is_ok());
        let e = classified(200, body);
        assert_eq!(
            e.to_string(),
            format!("{} answered 200 to the burn request: {body}", url())
        );
        assert!(!e.is_transient());
    }

    #[test]
    fn an_index_without_the_endpoint_is_named_as_such() {
        for status in [404, 405] {
            let e = classified(status, "");
            assert_eq!(
                e.to_string(),
                format!("{} does not offer token burning ({status})", url())
            );
            assert!(!e.is_transient());
            assert!(e.hint().unwrap().contains("cannot burn tokens"));
        }
    }

    #[test]
    fn server_errors_are_retried_once_and_say_so() {
        let e = classified(503, "<h1>down</h1>");
        assert!(e.is_transient());
        assert!(e.hint().unwrap().contains("having trouble"));
        assert_eq!(
            e.retried().to_string(),
            format!(
                "{} answered 503 to the burn request (tried twice): <h1>down</h1>",
                url()
            )
        );
        assert!(!classified(429, "").is_transient());
    }

    #[test]
    fn the_answer_never_shows_the_token_nor_steers_the_runner() {
        let token = token();
        let echo = format!("no such token {}\n::add-mask::x", token.expose());
        let e = classified(400, &echo).to_string();
        assert!(!e.contains(token.expose()), "{e}");
        assert!(e.contains("\n: :add-mask::x"), "{e}");
        let json = format!(r#"{{"token": "{}"}}"#, token.expose());
        let e = classified(422, &json).to_string();
        assert!(!e.contains(token.expose()), "{e}");
        assert!(!format!("{:?}", classified(500, &echo)).contains(token.expose()));
    }
}
