//! The HTTP client: our User-Agent, no redirects (requests carry
//! credentials), a connect timeout, proxies that never see local hosts
//! ([`crate::proxy`]), and the TLS roots the user chose.

use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot read the CA bundle {}", .0.display())]
    CaRead(PathBuf, #[source] std::io::Error),
    #[error("the CA bundle {} holds no usable PEM certificate", .0.display())]
    CaParse(PathBuf, #[source] Option<reqwest::Error>),
    #[error("cannot read the client certificate {}", .0.display())]
    IdentityRead(PathBuf, #[source] std::io::Error),
    #[error("the client certificate {} is not a PEM certificate and private key", .0.display())]
    IdentityParse(PathBuf, #[source] reqwest::Error),
    #[error("cannot set up the HTTP client")]
    Build(#[source] reqwest::Error),
}

/// Build the client: our User-Agent, redirects never followed (the request
/// carries credentials), and the given CA bundle replacing the system roots
/// as `--cert` does in twine.
pub fn build_client(
    ca_cert: Option<&Path>,
    client_cert: Option<&Path>,
) -> Result<reqwest::Client, ClientError> {
    // reqwest is built without a bundled crypto provider; ring is ours. A
    // second call finds it installed, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .user_agent(concat!("mintup/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10));
    // The environment's proxies, never for this machine or the metadata server.
    builder = crate::proxy::apply(builder, &crate::proxy::ProxyEnv::from_process());
    if let Some(path) = ca_cert {
        let pem = std::fs::read(path).map_err(|e| ClientError::CaRead(path.into(), e))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|e| ClientError::CaParse(path.into(), Some(e)))?;
        if certs.is_empty() {
            return Err(ClientError::CaParse(path.into(), None));
        }
        builder = builder.tls_certs_only(certs);
    }
    if let Some(path) = client_cert {
        let pem = std::fs::read(path).map_err(|e| ClientError::IdentityRead(path.into(), e))?;
        let identity = reqwest::Identity::from_pem(&pem)
            .map_err(|e| ClientError::IdentityParse(path.into(), e))?;
        builder = builder.identity(identity);
    }
    builder.build().map_err(ClientError::Build)
}

/// The most mintup reads of a service's answer (audience, mint, OIDC token,
/// Fulcio certificate, Rekor entry): real ones take a few KiB, and a broken
/// or hostile service must not fill memory.
pub const MAX_ANSWER: usize = 1024 * 1024;

/// Why a service gave no answer mintup reads.
#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    #[error("could not reach {url}")]
    Unreachable {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("could not build the request")]
    Request(#[source] reqwest::Error),
    #[error(
        "{url} answered with more than {} KiB, more than any answer mintup expects",
        MAX_ANSWER >> 10
    )]
    TooLarge { url: String },
}

/// Send a request and read its status and body text, at most
/// [`MAX_ANSWER`] bytes of it.
pub async fn status_and_text(
    request: reqwest::RequestBuilder,
) -> Result<(u16, String), AnswerError> {
    let (client, request) = request.build_split();
    let request = request.map_err(AnswerError::Request)?;
    let url = request.url().to_string();
    let unreachable = |source| AnswerError::Unreachable {
        url: url.clone(),
        source,
    };
    let mut response = client.execute(request).await.map_err(unreachable)?;
    let status = response.status().as_u16();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
        if body.len() + chunk.len() > MAX_ANSWER {
            return Err(AnswerError::TooLarge { url });
        }
        body.extend_from_slice(&chunk);
    }
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// Read a response's body, or None when it is longer than `cap` bytes (what
/// was read is dropped, and the rest is never asked for).
pub async fn body_within(
    mut response: reqwest::Response,
    cap: usize,
) -> Result<Option<Vec<u8>>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len().saturating_add(chunk.len()) > cap {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

/// Read at most the first `cap` bytes of a response's body; the rest is
/// never asked for.
pub async fn body_start(
    mut response: reqwest::Response,
    cap: usize,
) -> Result<Vec<u8>, reqwest::Error> {
    let mut body = Vec::new();
    while body.len() < cap {
        let Some(chunk) = response.chunk().await? else {
            break;
        };
        let room = cap - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    Ok(body)
}
