//! Google Cloud's identity token: from the metadata server for the VM's or
//! service's own account, or through the IAM credentials API to impersonate
//! `GOOGLE_SERVICE_ACCOUNT_NAME`.

use std::time::Duration;

use serde::Deserialize;
use url::Url;

use super::oidc_error::{OidcError, shown};
use crate::auth::Secret;
use crate::config::env::EnvSnapshot;
use crate::http::status_and_text;
use crate::index::is_loopback;

/// The default Google metadata server; `GCE_METADATA_HOST` (Google's own
/// variable, honoured by its client libraries) overrides it.
const GOOGLE_METADATA_HOST: &str = "metadata.google.internal";
/// The IAM credentials API; `MINTUP_GOOGLE_IAM_URL` overrides it (for a
/// private endpoint).
const GOOGLE_IAM_URL: &str = "https://iamcredentials.googleapis.com";

/// A token for `audience`.
pub(super) async fn token(
    client: &reqwest::Client,
    audience: &str,
    env: &EnvSnapshot,
) -> Result<Secret, OidcError> {
    let host = env.get("GCE_METADATA_HOST").unwrap_or(GOOGLE_METADATA_HOST);
    let metadata = Url::parse(&format!(
        "http://{host}/computeMetadata/v1/instance/service-accounts/default/"
    ))
    .map_err(|_| OidcError::BadVariable {
        variable: "GCE_METADATA_HOST",
        value: host.to_owned(),
    })?;
    let get = |url: String, what: &'static str| {
        let request = client
            .get(&url)
            .header("Metadata-Flavor", "Google")
            .timeout(Duration::from_secs(10));
        async move {
            let unreachable = |source| OidcError::Unreachable { what, source };
            let (status, body) = status_and_text(request).await.map_err(unreachable)?;
            if status == 200 {
                Ok(body)
            } else {
                Err(OidcError::GoogleStatus {
                    what,
                    status,
                    body: shown(&body),
                })
            }
        }
    };
    let Some(account) = env.get("GOOGLE_SERVICE_ACCOUNT_NAME") else {
        let mut url = metadata.join("identity").expect("relative path");
        url.query_pairs_mut()
            .append_pair("audience", audience)
            .append_pair("format", "full");
        return Ok(Secret::new(get(url.to_string(), "metadata server").await?));
    };
    #[derive(Deserialize)]
    struct Access {
        access_token: String,
    }
    #[derive(Deserialize)]
    struct IdToken {
        token: String,
    }
    let iam_text = env.get("MINTUP_GOOGLE_IAM_URL").unwrap_or(GOOGLE_IAM_URL);
    // The access token goes there: https only, but for this machine.
    let iam = Url::parse(iam_text)
        .ok()
        .filter(|u| u.scheme() == "https" || (u.scheme() == "http" && is_loopback(u)))
        .ok_or_else(|| OidcError::BadVariable {
            variable: "MINTUP_GOOGLE_IAM_URL",
            value: iam_text.to_owned(),
        })?;
    let mut token_url = metadata.join("token").expect("relative path");
    token_url
        .query_pairs_mut()
        .append_pair("scopes", "https://www.googleapis.com/auth/cloud-platform");
    let body = get(token_url.to_string(), "metadata server").await?;
    let access = serde_json::from_str::<Access>(&body).map_err(|_| OidcError::GoogleStatus {
        what: "metadata server",
        status: 200,
        body: "no access_token in the answer".into(),
    })?;
    let url = format!(
        "{}/v1/projects/-/serviceAccounts/{account}:generateIdToken",
        iam.as_str().trim_end_matches('/')
    );
    let unreachable = |source| OidcError::Unreachable {
        what: "the IAM credentials API",
        source,
    };
    let request = client
        .post(&url)
        .bearer_auth(&access.access_token)
        .json(&serde_json::json!({ "audience": audience, "includeEmail": true }))
        .timeout(Duration::from_secs(10));
    let (status, body) = status_and_text(request).await.map_err(unreachable)?;
    match serde_json::from_str::<IdToken>(&body) {
        Ok(id) if status == 200 => Ok(Secret::new(id.token)),
        _ => Err(OidcError::GoogleStatus {
            what: "IAM credentials API",
            status,
            body: shown(&body),
        }),
    }
}
