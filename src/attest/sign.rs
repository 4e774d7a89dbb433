//! Keyless signing against Fulcio and Rekor v1: one key and one
//! certificate per run, then a statement, a signature and a log entry per
//! file, each checked (see [`super::check`]) before it is handed back.

use std::time::Duration;

use serde_json::Value;

use super::check::{self, CheckError};
use super::fulcio::{self, FulcioError, Issued};
use super::key::EphemeralKey;
use super::model::{self, Attestation};
use super::rekor::{self, RekorError};
use super::trust::TrustConfig;
use crate::auth::Secret;
use crate::http::{AnswerError, status_and_text};

/// Sigstore calls are small; a stuck service must not hold a release.
const SERVICE_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error(transparent)]
    Http(#[from] AnswerError),
    #[error("{url} answered {status}: {body}")]
    Status {
        url: String,
        status: u16,
        body: String,
    },
    #[error("{url} did not answer with JSON")]
    Json { url: String },
    #[error(transparent)]
    Fulcio(#[from] FulcioError),
    #[error(transparent)]
    Rekor(#[from] RekorError),
    #[error("the attestation the services produced does not hold, so it was not written")]
    Check(#[from] CheckError),
}

/// A run's signing identity: the ephemeral key and its certificate.
pub struct Signer<'a> {
    client: &'a reqwest::Client,
    trust: &'a TrustConfig,
    key: EphemeralKey,
    issued: Issued,
}

async fn post(client: &reqwest::Client, url: &url::Url, body: &Value) -> Result<Value, SignError> {
    let url_text = url.to_string();
    let request = client.post(url.clone()).timeout(SERVICE_TIMEOUT).json(body);
    let (status, text) = status_and_text(request).await?;
    if !(200..300).contains(&status) {
        return Err(SignError::Status {
            url: url_text,
            status,
            // Fulcio's and Rekor's words, made safe to print.
            body: crate::untrusted::for_log(&text, &[])
                .chars()
                .take(500)
                .collect(),
        });
    }
    serde_json::from_str(&text).map_err(|_| SignError::Json { url: url_text })
}

impl<'a> Signer<'a> {
    /// Make the run's key and get its certificate for the OIDC token's
    /// identity (`email` if it has one, else `sub`).
    pub async fn start(
        client: &'a reqwest::Client,
        trust: &'a TrustConfig,
        token: &Secret,
        identity: &str,
    ) -> Result<Signer<'a>, SignError> {
        let key = EphemeralKey::generate();
        let url = trust
            .fulcio
            .join("api/v2/signingCert")
            .expect("a path joins any URL");
        let answer = post(
            client,
            &url,
            &fulcio::request(token.expose(), identity, &key),
        )
        .await?;
        let issued = fulcio::issued(&answer)?;
        Ok(Signer {
            client,
            trust,
            key,
            issued,
        })
    }

    /// The run's leaf certificate (DER).
    pub fn certificate(&self) -> &[u8] {
        &self.issued.leaf_der
    }

    /// Sign, log and check one file's publish attestation.
    pub async fn attest(&self, filename: &str, sha256: &str) -> Result<Attestation, SignError> {
        let statement = model::statement(filename, sha256);
        let signature = self.key.sign_statement(&statement);
        let url = self
            .trust
            .rekor
            .join("api/v1/log/entries")
            .expect("a path joins any URL");
        let request = rekor::dsse_request(&statement, &signature, &self.issued.leaf_pem);
        let answer = post(self.client, &url, &request).await?;
        let entry = rekor::entry_from_response(&answer)?;
        let attestation = check::assemble(&self.issued.leaf_der, entry, &statement, &signature);
        check::check(&attestation, filename, sha256, self.trust)?;
        Ok(attestation)
    }
}
