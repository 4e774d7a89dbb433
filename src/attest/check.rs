//! One attestation, put together and judged before it is written or
//! reused: it names this file and its sha256, the certificate's key signed
//! it, and a trusted Rekor v1 log holds it with a valid proof, checkpoint
//! and timestamp. The certificate chain, its SCT and the identity are
//! PyPI's to judge.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::certificate::{self, SignatureError};
use super::chain;
use super::log::{self, LogError};
use super::model::{
    self, Attestation, Envelope, PUBLISH_PREDICATE, TransparencyEntry, VerificationMaterial,
};
use super::trust::TrustConfig;

/// The attestation object for a signed statement and its log entry.
pub fn assemble(
    certificate_der: &[u8],
    entry: TransparencyEntry,
    statement: &[u8],
    signature: &[u8],
) -> Attestation {
    Attestation {
        version: 1,
        verification_material: VerificationMaterial {
            certificate: STANDARD.encode(certificate_der),
            transparency_entries: vec![entry],
        },
        envelope: Envelope {
            statement: STANDARD.encode(statement),
            signature: STANDARD.encode(signature),
        },
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error("it is not a PEP 740 version 1 attestation")]
    Version,
    #[error("its statement is not a one-subject in-toto statement")]
    Statement,
    #[error("it attests {0}, not this file")]
    OtherFile(String),
    #[error("it attests sha256 {attested}, but the file's is {actual}")]
    OtherDigest { attested: String, actual: String },
    #[error("its predicate is {0}, not a publish attestation")]
    Predicate(String),
    #[error("its signature does not hold")]
    Signature(#[from] SignatureError),
    #[error("its transparency log entry does not hold")]
    Log(#[from] LogError),
    #[error("it was logged by a log this trust configuration does not know")]
    UnknownLog,
    #[error(
        "its certificate does not chain to a Fulcio certificate authority this trust configuration knows"
    )]
    Chain,
}

/// Judge an attestation for `filename` with content `sha256` (hex).
pub fn check(
    attestation: &Attestation,
    filename: &str,
    sha256: &str,
    trust: &TrustConfig,
) -> Result<(), CheckError> {
    if attestation.version != 1 {
        return Err(CheckError::Version);
    }
    let statement = attestation.statement_bytes().ok_or(CheckError::Statement)?;
    let (name, attested, predicate) = model::subject(&statement).ok_or(CheckError::Statement)?;
    if name != filename {
        return Err(CheckError::OtherFile(name));
    }
    if !attested.eq_ignore_ascii_case(sha256) {
        return Err(CheckError::OtherDigest {
            attested,
            actual: sha256.to_owned(),
        });
    }
    if predicate != PUBLISH_PREDICATE {
        return Err(CheckError::Predicate(predicate));
    }
    certificate::verify_signature(attestation)?;
    let leaf = STANDARD
        .decode(&attestation.verification_material.certificate)
        .map_err(|_| CheckError::Chain)?;
    if !chain::chains_to(&leaf, &trust.fulcio_chains) {
        return Err(CheckError::Chain);
    }
    let key_id = attestation
        .verification_material
        .transparency_entries
        .first()
        .and_then(|e| STANDARD.decode(&e.log_id.key_id).ok())
        .ok_or(CheckError::UnknownLog)?;
    let log_key = trust.rekor_key(&key_id).ok_or(CheckError::UnknownLog)?;
    log::verify(attestation, log_key)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attest::fixtures::{both_instances as trust, read as fixture};
    use sha2::{Digest as _, Sha256};

    fn sha256(bytes: &[u8]) -> String {
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    #[test]
    fn real_attestations_hold_for_their_files_only() {
        let trust = trust();
        for dist in [
            "rfc8785-0.1.2-py3-none-any.whl",
            "gitlab_oidc_project-0.0.3.tar.gz",
        ] {
            let attestation: Attestation =
                serde_json::from_slice(&fixture(&format!("{dist}.publish.attestation"))).unwrap();
            let digest = sha256(&fixture(dist));
            assert_eq!(check(&attestation, dist, &digest, &trust), Ok(()), "{dist}");
            assert_eq!(
                check(&attestation, "other-1.0.tar.gz", &digest, &trust),
                Err(CheckError::OtherFile(dist.to_owned()))
            );
            assert!(matches!(
                check(&attestation, dist, &"00".repeat(32), &trust),
                Err(CheckError::OtherDigest { .. })
            ));
        }
        // Production's trust alone knows neither staging's Fulcio nor its log.
        let staged: Attestation = serde_json::from_slice(&fixture(
            "rfc8785-0.1.2-py3-none-any.whl.publish.attestation",
        ))
        .unwrap();
        assert_eq!(
            check(
                &staged,
                "rfc8785-0.1.2-py3-none-any.whl",
                &sha256(&fixture("rfc8785-0.1.2-py3-none-any.whl")),
                &TrustConfig::production()
            ),
            Err(CheckError::Chain)
        );
    }

    #[test]
    fn an_assembled_attestation_round_trips() {
        let original: Attestation = serde_json::from_slice(&fixture(
            "gitlab_oidc_project-0.0.3.tar.gz.publish.attestation",
        ))
        .unwrap();
        let rebuilt = assemble(
            &STANDARD
                .decode(&original.verification_material.certificate)
                .unwrap(),
            original.verification_material.transparency_entries[0].clone(),
            &original.statement_bytes().unwrap(),
            &STANDARD.decode(&original.envelope.signature).unwrap(),
        );
        assert_eq!(rebuilt, original);
    }
}
