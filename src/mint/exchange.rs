//! The index side of trusted publishing: the audience endpoint and the
//! mint-token exchange (`../shared/reference/trusted-publishing.md` §2, §4);
//! [`super::burn`] uses the same endpoints to revoke a token.
//! URL derivation and answer classification are pure; the two requests are a
//! thin shell around them.

use std::time::Duration;

use serde::Deserialize;
use url::Url;

use crate::auth::Secret;
use crate::hint::Hint;
use crate::http::status_and_text;
use crate::index::is_loopback;
use crate::untrusted;

/// The index's trusted-publishing endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub audience: Url,
    pub mint: Url,
    /// Where a minted token is burned (revoked) before it expires.
    pub burn: Url,
}

impl Endpoints {
    /// `https://HOST/_/oidc/…` where HOST is the upload URL's host and port.
    /// A loopback upload URL keeps its own scheme (a local test index speaks
    /// plain http); every other index is asked over https.
    pub fn for_upload_url(upload: &Url) -> Self {
        let mut base = upload.clone();
        base.set_path("/");
        base.set_query(None);
        base.set_fragment(None);
        if !is_loopback(upload) && base.scheme() != "https" {
            // http → https keeps the host; the port, if any, is the user's.
            let _ = base.set_scheme("https");
        }
        Endpoints {
            audience: base.join("_/oidc/audience").expect("static path"),
            mint: base.join("_/oidc/mint-token").expect("static path"),
            burn: base.join("_/oidc/burn-token").expect("static path"),
        }
    }
}

/// One `errors[]` entry of a refused mint.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ServerError {
    pub code: String,
    pub description: String,
}

/// A minted API token.
#[derive(Debug, Clone)]
pub struct MintedToken {
    pub token: Secret,
    /// Unix seconds, as the index said.
    pub expires: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error(transparent)]
    Unreachable(#[from] crate::http::AnswerError),
    #[error("{url} does not offer trusted publishing (404)")]
    NotOffered { url: String },
    #[error("{url} has trusted publishing disabled (403)")]
    Disabled { url: String },
    #[error("{url} answered {status} where an audience was expected: {body}")]
    BadAudience {
        url: String,
        status: u16,
        body: String,
    },
    #[error("the index refused to mint a token")]
    Refused { errors: Vec<ServerError> },
    #[error("the index answered {status} with something other than JSON: {snippet}")]
    NotJson { status: u16, snippet: String },
    #[error("the index answered {status} without a token: {snippet}")]
    NoToken { status: u16, snippet: String },
}

impl Hint for ExchangeError {
    fn hint(&self) -> Option<String> {
        Some(match self {
            ExchangeError::Unreachable(_) => {
                "check the repository URL and the network; re-run the job".into()
            }
            ExchangeError::NotOffered { .. } => {
                "this index has no trusted publishing: use an API token (-t) instead".into()
            }
            ExchangeError::Disabled { .. } => {
                "the index's administrators turned trusted publishing off; use an API token or try later"
                    .into()
            }
            ExchangeError::Refused { errors } if errors.iter().any(|e| e.code == "invalid-reuse-token") => {
                "each OIDC token can be exchanged once: re-run the job so that a fresh one is requested"
                    .into()
            }
            ExchangeError::Refused { .. } => {
                "the trusted publisher configured on the index does not match this run (see above)".into()
            }
            ExchangeError::NotJson { status, .. } | ExchangeError::NoToken { status, .. }
                if *status >= 500 =>
            {
                "the index is having trouble: wait a few minutes and re-run (https://status.python.org)"
                    .into()
            }
            _ => return None,
        })
    }
}

/// Classify the audience endpoint's answer.
pub fn classify_audience(url: &Url, status: u16, body: &str) -> Result<String, ExchangeError> {
    let sent = None;
    let url = url.to_string();
    #[derive(Deserialize)]
    struct Audience {
        audience: String,
    }
    match status {
        200 => serde_json::from_str::<Audience>(body)
            .ok()
            .map(|a| a.audience)
            .filter(|a| !a.is_empty())
            .ok_or_else(|| ExchangeError::BadAudience {
                url,
                status,
                body: excerpt(body, sent),
            }),
        404 => Err(ExchangeError::NotOffered { url }),
        403 => Err(ExchangeError::Disabled { url }),
        _ => Err(ExchangeError::BadAudience {
            url,
            status,
            body: excerpt(body, sent),
        }),
    }
}

/// Classify the mint endpoint's answer. `sent` is the OIDC token that went
/// out, kept out of any excerpt of the answer.
pub fn classify_mint(
    status: u16,
    body: &str,
    sent: Option<&str>,
) -> Result<MintedToken, ExchangeError> {
    #[derive(Deserialize)]
    struct Answer {
        token: Option<String>,
        expires: Option<i64>,
        #[serde(default)]
        errors: Vec<ServerError>,
    }
    let Ok(answer) = serde_json::from_str::<Answer>(body) else {
        return Err(ExchangeError::NotJson {
            status,
            snippet: excerpt(body, sent),
        });
    };
    match (status, answer.token) {
        (200..=299, Some(token)) if plausible_token(&token) => Ok(MintedToken {
            token: Secret::new(token),
            expires: answer.expires,
        }),
        // The index's words are shown as the diagnosis: made safe to print.
        (_, _) if !answer.errors.is_empty() => Err(ExchangeError::Refused {
            errors: answer
                .errors
                .into_iter()
                .map(|e| ServerError {
                    code: untrusted::for_log(&e.code, &sent_parts(sent)),
                    description: untrusted::for_log(&e.description, &sent_parts(sent)),
                })
                .collect(),
        }),
        // Never hand on an empty or `null` token, as token-mint-action did.
        _ => Err(ExchangeError::NoToken {
            status,
            snippet: excerpt(body, sent),
        }),
    }
}

/// A token mintup may print and mask: PyPI's are `pypi-` and base64url.
/// Anything else (a newline, `::`, `##[`) would turn the `::add-mask::`
/// line, or the token printed alone, into another workflow command.
fn plausible_token(token: &str) -> bool {
    !token.is_empty()
        && token.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=' | '+' | '/' | '~')
        })
}

/// A short excerpt of an answer for an error message, made safe to print
/// ([`untrusted::for_log`]) and with anything that may be a credential
/// withheld: a body that carries a `token`, and the OIDC token we sent (or
/// any of its three parts) echoed back.
pub(crate) fn excerpt(body: &str, sent: Option<&str>) -> String {
    let body = body.trim();
    if serde_json::from_str::<serde_json::Value>(body).is_ok_and(|v| v.get("token").is_some()) {
        return "(an answer that carries a token; not shown)".to_owned();
    }
    let text = untrusted::for_log(body, &sent_parts(sent));
    let cut: String = text.chars().take(300).collect();
    if cut.len() < text.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

/// The OIDC token that went out and each of its parts, as secrets to
/// withhold from what the index says back.
fn sent_parts(sent: Option<&str>) -> Vec<&str> {
    sent.into_iter()
        .flat_map(|sent| std::iter::once(sent).chain(sent.split('.')))
        .filter(|part| part.len() >= 8)
        .collect()
}

/// `GET` the audience.
pub async fn fetch_audience(
    client: &reqwest::Client,
    endpoints: &Endpoints,
) -> Result<String, ExchangeError> {
    let url = &endpoints.audience;
    let request = client.get(url.clone()).timeout(Duration::from_secs(10));
    let (status, body) = status_and_text(request).await?;
    classify_audience(url, status, &body)
}

/// `POST` the OIDC token and get an API token.
pub async fn mint(
    client: &reqwest::Client,
    endpoints: &Endpoints,
    oidc: &Secret,
) -> Result<MintedToken, ExchangeError> {
    let url = &endpoints.mint;
    let request = client
        .post(url.clone())
        .timeout(Duration::from_secs(10))
        .json(&serde_json::json!({ "token": oidc.expose() }));
    let (status, body) = status_and_text(request).await?;
    classify_mint(status, &body, Some(oidc.expose()))
}
#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn endpoints_follow_the_upload_host() {
        let e = Endpoints::for_upload_url(&url("https://upload.pypi.org/legacy/"));
        assert_eq!(
            e.audience.as_str(),
            "https://upload.pypi.org/_/oidc/audience"
        );
        assert_eq!(e.mint.as_str(), "https://upload.pypi.org/_/oidc/mint-token");
        let e = Endpoints::for_upload_url(&url("http://test.pypi.org/legacy/"));
        assert_eq!(e.mint.as_str(), "https://test.pypi.org/_/oidc/mint-token");
        assert_eq!(e.burn.as_str(), "https://test.pypi.org/_/oidc/burn-token");
        let e = Endpoints::for_upload_url(&url("http://127.0.0.1:8080/legacy/?x=1"));
        assert_eq!(e.audience.as_str(), "http://127.0.0.1:8080/_/oidc/audience");
        let e = Endpoints::for_upload_url(&url("http://localhost:9/"));
        assert_eq!(e.mint.as_str(), "http://localhost:9/_/oidc/mint-token");
    }

    #[test]
    fn audience_answers() {
        let u = url("https://upload.pypi.org/_/oidc/audience");
        assert_eq!(
            classify_audience(&u, 200, r#"{"audience":"pypi"}"#).unwrap(),
            "pypi"
        );
        let err = |status, body| classify_audience(&u, status, body).unwrap_err().to_string();
        assert_eq!(
            err(404, ""),
            "https://upload.pypi.org/_/oidc/audience does not offer trusted publishing (404)"
        );
        assert_eq!(
            err(
                403,
                r#"{"message": "Trusted publishing functionality not enabled"}"#
            ),
            "https://upload.pypi.org/_/oidc/audience has trusted publishing disabled (403)"
        );
        assert!(err(200, "<html>").contains("answered 200 where an audience was expected: <html>"));
    }

    #[test]
    fn mint_answers() {
        let ok = classify_mint(
            200,
            r#"{"success": true, "token": "pypi-abc", "expires": 1700000900}"#,
            None,
        )
        .unwrap();
        assert_eq!(
            (ok.token.expose(), ok.expires),
            ("pypi-abc", Some(1_700_000_900))
        );
        let refused = classify_mint(
            422,
            r#"{"message": "Token request failed", "errors": [{"code": "invalid-publisher", "description": "valid token, but no corresponding publisher"}]}"#,
            None,
        );
        match refused {
            Err(ExchangeError::Refused { errors }) => {
                assert_eq!(errors[0].code, "invalid-publisher")
            }
            other => panic!("{other:?}"),
        }
        let err = classify_mint(502, "<html>Bad gateway</html>", None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the index answered 502 with something other than JSON: <html>Bad gateway</html>"
        );
        assert!(err.hint().unwrap().contains("wait a few minutes"));
        assert!(matches!(
            classify_mint(200, r#"{"token": null}"#, None),
            Err(ExchangeError::NoToken { .. })
        ));
        assert!(matches!(
            classify_mint(200, r#"{"token": ""}"#, None),
            Err(ExchangeError::NoToken { .. })
        ));
    }

    #[test]
    fn any_2xx_with_a_token_is_success_and_excerpts_withhold_secrets() {
        let ok = classify_mint(201, r#"{"token": "pypi-created"}"#, None).unwrap();
        assert_eq!(ok.token.expose(), "pypi-created");
        let err = classify_mint(400, r#"{"token": "pypi-leak", "oops": 1}"#, None).unwrap_err();
        assert!(!err.to_string().contains("pypi-leak"), "{err}");
        let sent = "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJweXBpIn0.c2lnbmF0dXJlLXBhcnQ";
        let echo = format!("bad request for eyJhdWQiOiJweXBpIn0 and pypi-AgEIabc_d-e! {sent}");
        let err = classify_mint(400, &echo, Some(sent))
            .unwrap_err()
            .to_string();
        assert!(
            !err.contains("eyJhdWQiOiJweXBpIn0") && !err.contains("c2lnbmF0dXJlLXBhcnQ"),
            "{err}"
        );
        assert!(err.contains("pypi-****!"), "{err}");
    }

    #[test]
    fn the_indexs_words_cannot_steer_the_runner() {
        let body = r#"{"errors": [{"code": "::add-mask::x", "description": "no\n::stop-commands::tok\u001b[0m ##[set-output name=a]b"}]}"#;
        match classify_mint(422, body, None) {
            Err(ExchangeError::Refused { errors }) => {
                assert_eq!(errors[0].code, ": :add-mask::x");
                assert_eq!(
                    errors[0].description,
                    "no\n: :stop-commands::tok ## [set-output name=a]b"
                );
            }
            other => panic!("{other:?}"),
        }
        // The token itself is printed after `::add-mask::` and alone.
        for token in [
            "pypi-x\n::stop-commands::tok",
            "::add-mask::x",
            "a ##[b]c",
            " ",
        ] {
            let body = serde_json::json!({ "token": token }).to_string();
            assert!(
                matches!(
                    classify_mint(200, &body, None),
                    Err(ExchangeError::NoToken { .. })
                ),
                "{token:?}"
            );
        }
        let err = classify_mint(502, "down\r::add-mask::x", None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the index answered 502 with something other than JSON: down::add-mask::x"
        );
    }

    #[test]
    fn reuse_gets_its_own_hint() {
        let err = classify_mint(422, r#"{"errors": [{"code": "invalid-reuse-token", "description": "invalid token: already used"}]}"#, None)
            .unwrap_err();
        assert!(err.hint().unwrap().contains("exchanged once"));
    }
}
