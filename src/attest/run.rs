//! `mintup attest`: for each distribution, reuse its
//! `<dist>.publish.attestation` when that holds for this file, or sign a
//! new one; nothing is written unless it was checked, and an existing file
//! that does not hold is an error, never overwritten.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::certificate;
use super::check::{self, CheckError};
use super::model::Attestation;
use super::sign::{SignError, Signer};
use super::trust::TrustConfig;
use crate::config::env::EnvSnapshot;
use crate::dist::collect::{CollectError, DistFile};
use crate::dist::digest;
use crate::hint::Hint;
use crate::mint::oidc::{self, OidcError};
use crate::mint::{Provider, diagnose};

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attested {
    Generated(PathBuf),
    Reused(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum AttestError {
    #[error(transparent)]
    Collect(#[from] CollectError),
    #[error("{}: cannot read it", .0.display())]
    Read(PathBuf, #[source] std::io::Error),
    #[error("{} already has a publish attestation that does not hold for it", .0.display())]
    Existing(PathBuf, #[source] CheckError),
    #[error("{} already has a publish attestation, signed for {signed}, not for this run ({expected})", .path.display())]
    OtherIdentity {
        path: PathBuf,
        signed: String,
        expected: String,
    },
    #[error("Fulcio certified {certified}, not this run's {expected}; nothing was signed")]
    CertifiedOther { certified: String, expected: String },
    #[error("{} is not a publish attestation", .0.display())]
    Unreadable(PathBuf, #[source] serde_json::Error),
    #[error("not in a CI system with an OIDC identity (GitHub Actions, GitLab CI, Google Cloud)")]
    NotInCi,
    #[error("PyPI does not accept attestations signed with {0} identities")]
    Provider(Provider),
    #[error("could not get an OIDC token for Sigstore from {provider}")]
    Oidc {
        provider: Provider,
        #[source]
        source: OidcError,
    },
    #[error("the OIDC token names no identity (no email or sub claim)")]
    NoIdentity,
    #[error("{0}; PyPI would reject its attestations, so nothing was signed")]
    ReusableWorkflow(String),
    #[error("{}: signing failed", .0)]
    Sign(String, #[source] SignError),
    #[error("{}: cannot write it", .0.display())]
    Write(PathBuf, #[source] std::io::Error),
    #[error(transparent)]
    Client(#[from] crate::http::ClientError),
}

impl Hint for AttestError {
    fn hint(&self) -> Option<String> {
        match self {
            AttestError::Existing(..) | AttestError::OtherIdentity { .. } => Some(
                "delete that file to sign again, or rebuild: an attestation belongs to one file's \
                 exact bytes"
                    .into(),
            ),
            AttestError::Oidc { source, .. } => source.hint(),
            AttestError::CertifiedOther { .. } => Some(
                "the Fulcio named by --sigstore-config (or MINTUP_SIGSTORE_CONFIG) issued a \
                 certificate for another identity: check that configuration's CA URL"
                    .into(),
            ),
            AttestError::Provider(_) => Some(
                "sign in a GitHub Actions, GitLab CI/CD or Google Cloud job, or upload without \
                 attestations"
                    .into(),
            ),
            AttestError::NotInCi => Some(
                "attestations are signed with the CI job's identity: run this in the publishing \
                 job, with `permissions: id-token: write` on GitHub"
                    .into(),
            ),
            _ => None,
        }
    }
}

/// What an attest run needs.
pub struct AttestJob<'a> {
    /// The files, collected once by the caller.
    pub dists: &'a [DistFile],
    pub trust: &'a TrustConfig,
    pub provider: Option<Provider>,
    pub env: &'a EnvSnapshot,
    pub client: &'a reqwest::Client,
}

fn attestation_path(dist: &Path) -> PathBuf {
    let mut name = dist.as_os_str().to_owned();
    name.push(".publish.attestation");
    PathBuf::from(name)
}

/// Attest every file; `notes` receives what the user should know (a
/// private repository's names going into the public log).
pub async fn run(
    job: AttestJob<'_>,
    notes: &mut Vec<String>,
) -> Result<Vec<(String, Attested)>, AttestError> {
    let dists = job.dists;
    let mut todo = Vec::new();
    let mut reusable = Vec::new();
    let mut results = Vec::new();
    for dist in dists {
        let sha256 = digest::digest_file(&dist.path, false)
            .map_err(|e| AttestError::Read(dist.path.clone(), e))?
            .digests
            .sha256;
        let path = attestation_path(&dist.path);
        let filename = dist.filename.filename.clone();
        if path.exists() {
            let text = std::fs::read(&path).map_err(|e| AttestError::Read(path.clone(), e))?;
            let existing: Attestation = serde_json::from_slice(&text)
                .map_err(|e| AttestError::Unreadable(path.clone(), e))?;
            check::check(&existing, &filename, &sha256, job.trust)
                .map_err(|e| AttestError::Existing(path.clone(), e))?;
            reusable.push((filename, path, existing));
        } else {
            todo.push((filename, path, sha256));
        }
    }
    let detected = job
        .provider
        .or_else(|| crate::mint::provider::detect(job.env, &crate::mint::MachineFacts::read()));
    let Some(provider) = detected else {
        if !todo.is_empty() {
            return Err(AttestError::NotInCi);
        }
        // Outside CI there is no identity to compare with.
        notes.push(
            "no CI identity here: the existing attestations were checked for their files and \
             log entries, not for who signed them"
                .into(),
        );
        results.extend(
            reusable
                .into_iter()
                .map(|(f, p, _)| (f, Attested::Reused(p))),
        );
        return Ok(results);
    };
    if !matches!(
        provider,
        Provider::GitHub | Provider::GitLab | Provider::Google
    ) {
        return Err(AttestError::Provider(provider));
    }
    let provider_client = crate::http::build_client(None, None)?;
    let token = oidc::fetch(&provider_client, provider, "sigstore", job.env)
        .await
        .map_err(|source| AttestError::Oidc { provider, source })?;
    if let Some(warning) = diagnose::reusable_workflow_warning(&token.claims) {
        return Err(AttestError::ReusableWorkflow(warning));
    }
    if token.claims.get("repository_visibility").as_deref() == Some("private") {
        notes.push(
            "this repository is private, but its name, workflow and commit go into Sigstore's \
             public transparency log with each attestation"
                .into(),
        );
    }
    // An attestation from this job (TestPyPI, then PyPI) is reused; one
    // signed for another workflow is not this run's to send.
    let signer_expected = expected_signer(provider, &token.claims);
    for (filename, path, existing) in reusable {
        let signed = STANDARD
            .decode(&existing.verification_material.certificate)
            .ok()
            .and_then(|der| certificate::build_signer(&der));
        if let (Some(expected), Some(signed)) = (&signer_expected, &signed)
            && expected != signed
        {
            return Err(AttestError::OtherIdentity {
                path,
                signed: signed.clone(),
                expected: expected.clone(),
            });
        }
        results.push((filename, Attested::Reused(path)));
    }
    if todo.is_empty() {
        return Ok(results);
    }
    let certify = Certify {
        client: job.client,
        trust: job.trust,
        expected: signer_expected.as_deref(),
    };
    let mut current = certify.certificate(&token).await?;
    // Every file is signed and logged before any is written, a few at once
    // under the run's one certificate, renewed (with a fresh OIDC token)
    // only when too little of its life is left; a failure leaves no
    // partial set.
    let mut signed = Vec::with_capacity(todo.len());
    for batch in todo.chunks(SIGN_AT_ONCE) {
        if current.used && current.expires_soon() {
            let token = oidc::fetch(&provider_client, provider, "sigstore", job.env)
                .await
                .map_err(|source| AttestError::Oidc { provider, source })?;
            current = certify.certificate(&token).await?;
        }
        current.used = true;
        let signer = &current.signer;
        signed.extend(
            futures_util::future::try_join_all(batch.iter().map(|(filename, _, sha256)| async {
                signer
                    .attest(filename, sha256)
                    .await
                    .map_err(|e| AttestError::Sign(filename.clone(), e))
            }))
            .await?,
        );
    }
    for ((filename, path, _), attestation) in todo.into_iter().zip(signed) {
        write(&path, &attestation)?;
        results.push((filename, Attested::Generated(path)));
    }
    Ok(results)
}

/// Files signed at once: Rekor is asked for one entry per file.
const SIGN_AT_ONCE: usize = 8;

/// Life a certificate must have left for another batch to be signed
/// under it (Fulcio's live ten minutes).
const CERTIFICATE_MARGIN: Duration = Duration::from_secs(2 * 60);

/// What getting the run's certificate needs.
struct Certify<'a> {
    client: &'a reqwest::Client,
    trust: &'a TrustConfig,
    /// The workflow the certificate must name, where known.
    expected: Option<&'a str>,
}

/// A certificate in use, and when it stops being usable. A new one is
/// never renewed before its first batch: no other would live longer.
struct Current<'a> {
    signer: Signer<'a>,
    usable_until: Instant,
    used: bool,
}

impl Current<'_> {
    fn expires_soon(&self) -> bool {
        Instant::now() + CERTIFICATE_MARGIN >= self.usable_until
    }
}

impl<'a> Certify<'a> {
    /// A new key and its certificate for `token`'s identity, checked to name
    /// this run's workflow.
    async fn certificate(&self, token: &oidc::OidcToken) -> Result<Current<'a>, AttestError> {
        let received = Instant::now();
        let identity = token
            .claims
            .get("email")
            .or_else(|| token.claims.get("sub"))
            .ok_or(AttestError::NoIdentity)?;
        let signer = Signer::start(self.client, self.trust, &token.jwt, &identity)
            .await
            .map_err(|e| AttestError::Sign("the run's certificate".into(), e))?;
        // PyPI matches the certificate's workflow against the publisher: one
        // for another workflow would only be refused there.
        let certified = certificate::build_signer(signer.certificate());
        if let (Some(expected), Some(certified)) = (self.expected, &certified)
            && expected != certified
        {
            return Err(AttestError::CertifiedOther {
                certified: certified.clone(),
                expected: expected.to_owned(),
            });
        }
        let lifetime = certificate::lifetime(signer.certificate()).unwrap_or_default();
        Ok(Current {
            signer,
            usable_until: received + lifetime,
            used: false,
        })
    }
}

/// The Build Signer URI Fulcio writes for this run's token: the workflow
/// (GitHub) or pipeline file (GitLab) the job runs.
fn expected_signer(provider: Provider, claims: &crate::mint::claims::Claims) -> Option<String> {
    match provider {
        Provider::GitHub => Some(format!(
            "https://github.com/{}",
            claims.get("job_workflow_ref")?
        )),
        Provider::GitLab => Some(format!("https://{}", claims.get("ci_config_ref_uri")?)),
        _ => None,
    }
}

/// Write beside the final name, then rename: no half-written attestation.
fn write(path: &Path, attestation: &Attestation) -> Result<(), AttestError> {
    let text = serde_json::to_string(attestation).expect("an attestation serializes");
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".{}.tmp", std::process::id()));
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, text)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&temporary);
            AttestError::Write(path.to_owned(), e)
        })
}
