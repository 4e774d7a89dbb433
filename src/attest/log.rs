//! Offline checks of a Rekor v1 `dsse` entry, as sigstore-python's verifier
//! makes them: the RFC 6962 inclusion proof reaches the root hash, the
//! checkpoint (a signed note) is signed by the log and names that root, the
//! signed entry timestamp covers the entry, and the entry logs this
//! envelope. What needs the certificate chain is left to PyPI.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{DerSignature, VerifyingKey};
use p256::pkcs8::DecodePublicKey as _;
use sha2::{Digest as _, Sha256};

use super::model::{Attestation, TransparencyEntry};

/// A transparency log's ECDSA P-256 key and its ID (SHA-256 of the DER key).
#[derive(Debug, Clone)]
pub struct LogKey {
    pub id: [u8; 32],
    pub key: VerifyingKey,
}

impl LogKey {
    /// From the DER SubjectPublicKeyInfo a trusted root holds.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, LogError> {
        let key = VerifyingKey::from_public_key_der(der).map_err(|_| LogError::Key)?;
        Ok(LogKey {
            id: Sha256::digest(der).into(),
            key,
        })
    }
}

/// Why an entry does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogError {
    #[error("the log key is not an ECDSA P-256 public key")]
    Key,
    #[error("the entry is {0}, not a Rekor v1 dsse 0.0.1 entry")]
    Kind(String),
    #[error("the entry's {0} is malformed")]
    Malformed(&'static str),
    #[error("the entry was logged by another log (key ID {0})")]
    UnknownLog(String),
    #[error("the entry has no inclusion proof with a checkpoint")]
    NoProof,
    #[error("the inclusion proof does not lead to the root hash")]
    Proof,
    #[error("the checkpoint is not signed by the log")]
    CheckpointSignature,
    #[error("the checkpoint names another tree than the inclusion proof")]
    CheckpointTree,
    #[error("the entry has no signed entry timestamp")]
    NoTimestamp,
    #[error("the signed entry timestamp does not verify")]
    Timestamp,
    #[error("the entry logs another envelope than this attestation's")]
    Envelope,
}

/// Check the attestation's first log entry (the one verifiers use) against
/// the log's key.
pub fn verify(attestation: &Attestation, log: &LogKey) -> Result<(), LogError> {
    let entry = attestation
        .verification_material
        .transparency_entries
        .first()
        .ok_or(LogError::Malformed("transparency entries"))?;
    if entry.kind_version.kind != "dsse" || entry.kind_version.version != "0.0.1" {
        return Err(LogError::Kind(format!(
            "{} {}",
            entry.kind_version.kind, entry.kind_version.version
        )));
    }
    let key_id = decode(&entry.log_id.key_id, "log ID")?;
    if key_id != log.id {
        return Err(LogError::UnknownLog(entry.log_id.key_id.clone()));
    }
    let body = decode(&entry.canonicalized_body, "body")?;
    verify_inclusion(entry, &body, log)?;
    verify_timestamp(entry, log)?;
    verify_logs_envelope(attestation, &body)
}

fn decode(text: &str, what: &'static str) -> Result<Vec<u8>, LogError> {
    STANDARD.decode(text).map_err(|_| LogError::Malformed(what))
}

fn number(text: &str, what: &'static str) -> Result<u64, LogError> {
    text.parse().map_err(|_| LogError::Malformed(what))
}

fn signature(der: &[u8]) -> Result<DerSignature, LogError> {
    DerSignature::try_from(der).map_err(|_| LogError::Malformed("signature"))
}

fn hash_children(left: &[u8], right: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update([1u8]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// RFC 6962 / RFC 9162 inclusion: the leaf SHA-256(0x00 ‖ body), folded
/// with the proof's hashes, must give the root hash; the checkpoint must be
/// the log's signature over that root.
fn verify_inclusion(entry: &TransparencyEntry, body: &[u8], log: &LogKey) -> Result<(), LogError> {
    let proof = entry.inclusion_proof.as_ref().ok_or(LogError::NoProof)?;
    let checkpoint = proof.checkpoint.as_ref().ok_or(LogError::NoProof)?;
    let index = number(&proof.log_index, "proof index")?;
    let size = number(&proof.tree_size, "tree size")?;
    if index >= size {
        return Err(LogError::Proof);
    }
    let hashes = proof
        .hashes
        .iter()
        .map(|h| decode(h, "proof hashes"))
        .collect::<Result<Vec<_>, _>>()?;
    let inner = u64::BITS - (index ^ (size - 1)).leading_zeros();
    // `inner` reaches 64 for trees of more than 2^63 leaves, where a plain
    // shift overflows.
    let border = index.checked_shr(inner).unwrap_or(0).count_ones() as usize;
    let inner = inner as usize;
    if hashes.len() != inner + border {
        return Err(LogError::Proof);
    }
    let mut leaf = Sha256::new();
    leaf.update([0u8]);
    leaf.update(body);
    let mut node: [u8; 32] = leaf.finalize().into();
    for (level, hash) in hashes[..inner].iter().enumerate() {
        node = if (index >> level) & 1 == 0 {
            hash_children(&node, hash)
        } else {
            hash_children(hash, &node)
        };
    }
    for hash in &hashes[inner..] {
        node = hash_children(hash, &node);
    }
    let root = decode(&proof.root_hash, "root hash")?;
    if node[..] != root[..] {
        return Err(LogError::Proof);
    }
    verify_checkpoint(&checkpoint.envelope, size, &root, log)
}

/// A signed note: `origin\nsize\nroot\n…\n\n— name base64(key hint ‖ sig)`.
fn verify_checkpoint(envelope: &str, size: u64, root: &[u8], log: &LogKey) -> Result<(), LogError> {
    let (note, signatures) = envelope
        .split_once("\n\n")
        .ok_or(LogError::Malformed("checkpoint"))?;
    let note = format!("{note}\n");
    let mut lines = note.lines();
    let _origin = lines.next();
    let tree_size = lines.next().map(|s| number(s, "checkpoint size"));
    let tree_root = lines.next().map(|r| decode(r, "checkpoint root"));
    let signed_by_log = signatures.lines().any(|line| {
        let Some(blob) = line
            .strip_prefix('\u{2014}')
            .and_then(|rest| rest.trim().rsplit_once(' '))
            .and_then(|(_, blob)| STANDARD.decode(blob).ok())
        else {
            return false;
        };
        blob.len() > 4
            && blob[..4] == log.id[..4]
            && signature(&blob[4..]).is_ok_and(|sig| log.key.verify(note.as_bytes(), &sig).is_ok())
    });
    if !signed_by_log {
        return Err(LogError::CheckpointSignature);
    }
    match (tree_size, tree_root) {
        (Some(Ok(s)), Some(Ok(r))) if s == size && r == root => Ok(()),
        _ => Err(LogError::CheckpointTree),
    }
}

/// The SET: the log's signature over the RFC 8785 JSON of the entry's
/// body, time, log ID (hex) and global index.
fn verify_timestamp(entry: &TransparencyEntry, log: &LogKey) -> Result<(), LogError> {
    let promise = entry
        .inclusion_promise
        .as_ref()
        .ok_or(LogError::NoTimestamp)?;
    let sig = signature(&decode(&promise.signed_entry_timestamp, "timestamp")?)?;
    let log_id: String = log.id.iter().map(|b| format!("{b:02x}")).collect();
    // Keys in RFC 8785 order; base64 and hex need no escaping.
    let payload = format!(
        "{{\"body\":\"{}\",\"integratedTime\":{},\"logID\":\"{log_id}\",\"logIndex\":{}}}",
        entry.canonicalized_body,
        number(&entry.integrated_time, "integrated time")?,
        number(&entry.log_index, "log index")?,
    );
    log.key
        .verify(payload.as_bytes(), &sig)
        .map_err(|_| LogError::Timestamp)
}

/// The body must log this envelope: the statement's hash and this signature.
fn verify_logs_envelope(attestation: &Attestation, body: &[u8]) -> Result<(), LogError> {
    let body: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| LogError::Malformed("body"))?;
    let spec = &body["spec"];
    let statement = attestation
        .statement_bytes()
        .ok_or(LogError::Malformed("statement"))?;
    let payload_hash: String = Sha256::digest(&statement)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let logged_hash = spec["payloadHash"]["value"].as_str();
    let logged_signature = spec["signatures"][0]["signature"].as_str();
    if logged_hash == Some(payload_hash.as_str())
        && logged_signature == Some(attestation.envelope.signature.as_str())
        && spec["signatures"].as_array().is_some_and(|s| s.len() == 1)
    {
        Ok(())
    } else {
        Err(LogError::Envelope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attest::fixtures::{PRODUCTION, STAGING, attestation, log, read as fixture};
    use crate::attest::model::{self, PUBLISH_PREDICATE};

    const CASES: [(&str, &str); 2] = [STAGING, PRODUCTION];

    #[test]
    fn real_entries_verify_and_name_their_file() {
        for (dist, rekor) in CASES {
            let attestation = attestation(dist);
            assert_eq!(verify(&attestation, &log(rekor)), Ok(()), "{dist}");
            let (name, sha256, predicate) =
                model::subject(&attestation.statement_bytes().unwrap()).unwrap();
            assert_eq!(name, *dist);
            let file: String = Sha256::digest(fixture(dist))
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(sha256, file);
            assert_eq!(predicate, PUBLISH_PREDICATE);
        }
    }

    #[test]
    fn another_log_is_refused() {
        let attestation = attestation(CASES[0].0);
        assert!(matches!(
            verify(&attestation, &log("https://rekor.sigstore.dev")),
            Err(LogError::UnknownLog(_))
        ));
    }

    fn entry(a: &mut Attestation) -> &mut TransparencyEntry {
        &mut a.verification_material.transparency_entries[0]
    }

    #[test]
    fn tampering_is_caught() {
        let (dist, rekor) = CASES[1];
        let log = log(rekor);

        let mut a = attestation(dist);
        entry(&mut a).inclusion_promise = None;
        assert_eq!(verify(&a, &log), Err(LogError::NoTimestamp));

        let mut a = attestation(dist);
        entry(&mut a).integrated_time = "1".into();
        assert_eq!(verify(&a, &log), Err(LogError::Timestamp));

        let mut a = attestation(dist);
        let proof = entry(&mut a).inclusion_proof.as_mut().unwrap();
        proof.hashes.swap(0, 1);
        assert_eq!(verify(&a, &log), Err(LogError::Proof));

        let mut a = attestation(dist);
        let proof = entry(&mut a).inclusion_proof.as_mut().unwrap();
        let checkpoint = proof.checkpoint.as_mut().unwrap();
        checkpoint.envelope = checkpoint.envelope.replacen('\n', " \n", 1);
        assert_eq!(verify(&a, &log), Err(LogError::CheckpointSignature));

        let mut a = attestation(dist);
        let proof = entry(&mut a).inclusion_proof.as_mut().unwrap();
        (proof.log_index, proof.tree_size) = ("0".into(), (u64::MAX / 2 + 2).to_string());
        assert_eq!(verify(&a, &log), Err(LogError::Proof));

        let mut a = attestation(dist);
        entry(&mut a).inclusion_proof.as_mut().unwrap().checkpoint = None;
        assert_eq!(verify(&a, &log), Err(LogError::NoProof));

        let mut a = attestation(dist);
        a.envelope.statement = STANDARD.encode(model::statement(dist, &"00".repeat(32)));
        assert_eq!(verify(&a, &log), Err(LogError::Envelope));
    }
}
