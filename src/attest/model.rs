//! The attestation object pypi-attestations reads and Warehouse verifies
//! (PEP 740 version 1), and the in-toto statement it signs.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

/// The predicate type of a publish attestation.
pub const PUBLISH_PREDICATE: &str = "https://docs.pypi.org/attestations/publish/v1";
/// The DSSE payload type of an in-toto statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    pub version: u32,
    pub verification_material: VerificationMaterial,
    pub envelope: Envelope,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationMaterial {
    /// Base64 of the DER leaf certificate.
    pub certificate: String,
    pub transparency_entries: Vec<TransparencyEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// Base64 of the statement bytes (the DSSE payload).
    pub statement: String,
    /// Base64 of the DER ECDSA signature over the DSSE PAE.
    pub signature: String,
}

/// A Rekor entry in Sigstore's protobuf-JSON form: camelCase, 64-bit
/// integers as strings, bytes as base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransparencyEntry {
    pub log_index: String,
    pub log_id: LogId,
    pub kind_version: KindVersion,
    pub integrated_time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inclusion_promise: Option<InclusionPromise>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inclusion_proof: Option<InclusionProof>,
    pub canonicalized_body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogId {
    pub key_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindVersion {
    pub kind: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InclusionPromise {
    pub signed_entry_timestamp: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InclusionProof {
    pub log_index: String,
    pub root_hash: String,
    pub tree_size: String,
    pub hashes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<Checkpoint>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub envelope: String,
}

/// The one-subject in-toto statement of a publish attestation, serialized
/// compactly as sigstore-python writes it.
pub fn statement(filename: &str, sha256_hex: &str) -> Vec<u8> {
    let name = serde_json::Value::from(filename);
    format!(
        "{{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{{\"name\":{name},\"digest\":{{\"sha256\":\"{sha256_hex}\"}}}}],\"predicateType\":\"{PUBLISH_PREDICATE}\",\"predicate\":null}}"
    )
    .into_bytes()
}

/// DSSE v1 pre-authentication encoding: what the signature covers.
pub fn pae(payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEv1 {} {PAYLOAD_TYPE} {} ",
        PAYLOAD_TYPE.len(),
        payload.len()
    )
    .into_bytes();
    out.extend_from_slice(payload);
    out
}

/// What a statement says it attests: (file name, sha256 hex, predicate
/// type), when it is a one-subject in-toto statement.
pub fn subject(statement: &[u8]) -> Option<(String, String, String)> {
    let value: serde_json::Value = serde_json::from_slice(statement).ok()?;
    let subjects = value.get("subject")?.as_array()?;
    let [only] = subjects.as_slice() else {
        return None;
    };
    Some((
        only.get("name")?.as_str()?.to_owned(),
        only.get("digest")?
            .get("sha256")?
            .as_str()?
            .to_ascii_lowercase(),
        value.get("predicateType")?.as_str()?.to_owned(),
    ))
}

impl Attestation {
    pub fn statement_bytes(&self) -> Option<Vec<u8>> {
        STANDARD.decode(&self.envelope.statement).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_are_written_as_sigstore_python_writes_them() {
        let bytes = statement("x-1.0-py3-none-any.whl", &"ab".repeat(32));
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            format!(
                "{{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{{\"name\":\"x-1.0-py3-none-any.whl\",\"digest\":{{\"sha256\":\"{}\"}}}}],\"predicateType\":\"https://docs.pypi.org/attestations/publish/v1\",\"predicate\":null}}",
                "ab".repeat(32)
            )
        );
        assert_eq!(
            subject(&bytes),
            Some((
                "x-1.0-py3-none-any.whl".into(),
                "ab".repeat(32),
                PUBLISH_PREDICATE.into()
            ))
        );
    }

    #[test]
    fn pae_counts_bytes() {
        assert_eq!(
            pae(b"{}"),
            b"DSSEv1 28 application/vnd.in-toto+json 2 {}".to_vec()
        );
    }
}
