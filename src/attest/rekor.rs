//! Rekor v1's side of signing, as data: the `dsse` 0.0.1 entry mintup
//! proposes, and the log's answer turned into the transparency entry an
//! attestation carries (hex to base64, integers to strings, the kind from
//! the logged body). The HTTP exchange itself is not here.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::model::{
    Checkpoint, InclusionPromise, InclusionProof, KindVersion, LogId, PAYLOAD_TYPE,
    TransparencyEntry,
};

/// The body of `POST /api/v1/log/entries` for a DSSE envelope signed by the
/// certificate in `certificate_pem`.
pub fn dsse_request(statement: &[u8], signature: &[u8], certificate_pem: &str) -> Value {
    let envelope = json!({
        "payload": STANDARD.encode(statement),
        "payloadType": PAYLOAD_TYPE,
        "signatures": [{"sig": STANDARD.encode(signature)}],
    });
    json!({
        "apiVersion": "0.0.1",
        "kind": "dsse",
        "spec": {
            "proposedContent": {
                "envelope": envelope.to_string(),
                "verifiers": [STANDARD.encode(certificate_pem)],
            }
        }
    })
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RekorError {
    #[error("the log's answer has no entry")]
    Empty,
    #[error("the log's answer lacks {0}")]
    Missing(&'static str),
    #[error("the log's answer has a malformed {0}")]
    Malformed(&'static str),
}

/// The log's hex, taken byte by byte: slicing the text would panic inside a
/// multi-byte character, and `from_str_radix` would take a `+` sign.
fn hex_to_base64(hex: &str, what: &'static str) -> Result<String, RekorError> {
    let digit = |b: u8| {
        char::from(b)
            .to_digit(16)
            .ok_or(RekorError::Malformed(what))
    };
    let pairs = hex.as_bytes().chunks(2);
    let bytes = pairs
        .map(|pair| match *pair {
            [high, low] => Ok(((digit(high)? << 4) | digit(low)?) as u8),
            _ => Err(RekorError::Malformed(what)),
        })
        .collect::<Result<Vec<u8>, _>>()?;
    Ok(STANDARD.encode(bytes))
}

/// The entry in a `201` answer: `{"<uuid>": {"body", "integratedTime",
/// "logID", "logIndex", "verification": {…}}}`.
pub fn entry_from_response(answer: &Value) -> Result<TransparencyEntry, RekorError> {
    let (_, logged) = answer
        .as_object()
        .and_then(|o| o.iter().next())
        .ok_or(RekorError::Empty)?;
    let text = |value: &Value, what: &'static str| {
        value
            .as_str()
            .map(str::to_owned)
            .ok_or(RekorError::Missing(what))
    };
    let integer = |value: &Value, what: &'static str| {
        value
            .as_u64()
            .map(|n| n.to_string())
            .ok_or(RekorError::Missing(what))
    };
    let body = text(&logged["body"], "body")?;
    let decoded: Value = STANDARD
        .decode(&body)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(RekorError::Malformed("body"))?;
    let verification = &logged["verification"];
    let proof = &verification["inclusionProof"];
    let hashes = proof["hashes"]
        .as_array()
        .ok_or(RekorError::Missing("inclusion proof hashes"))?
        .iter()
        .map(|h| hex_to_base64(h.as_str().unwrap_or_default(), "inclusion proof hash"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(TransparencyEntry {
        log_index: integer(&logged["logIndex"], "logIndex")?,
        log_id: LogId {
            key_id: hex_to_base64(&text(&logged["logID"], "logID")?, "logID")?,
        },
        kind_version: KindVersion {
            kind: text(&decoded["kind"], "the body's kind")?,
            version: text(&decoded["apiVersion"], "the body's apiVersion")?,
        },
        integrated_time: integer(&logged["integratedTime"], "integratedTime")?,
        inclusion_promise: Some(InclusionPromise {
            signed_entry_timestamp: text(
                &verification["signedEntryTimestamp"],
                "signedEntryTimestamp",
            )?,
        }),
        inclusion_proof: Some(InclusionProof {
            log_index: integer(&proof["logIndex"], "inclusion proof logIndex")?,
            root_hash: hex_to_base64(&text(&proof["rootHash"], "rootHash")?, "rootHash")?,
            tree_size: integer(&proof["treeSize"], "treeSize")?,
            hashes,
            checkpoint: Some(Checkpoint {
                envelope: text(&proof["checkpoint"], "checkpoint")?,
            }),
        }),
        canonicalized_body: body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attest::model::Attestation;

    fn to_hex(base64: &str) -> String {
        STANDARD
            .decode(base64)
            .unwrap()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// A real logged entry, as Rekor v1 answered it (rebuilt from the
    /// attestation), turns back into that very entry.
    #[test]
    fn answers_become_the_entries_attestations_carry() {
        let attestation: Attestation =
            crate::attest::fixtures::attestation(crate::attest::fixtures::PRODUCTION.0);
        let entry = &attestation.verification_material.transparency_entries[0];
        let proof = entry.inclusion_proof.as_ref().unwrap();
        let answer = json!({
            "24296fb24b8ad77a": {
                "body": entry.canonicalized_body,
                "integratedTime": entry.integrated_time.parse::<u64>().unwrap(),
                "logID": to_hex(&entry.log_id.key_id),
                "logIndex": entry.log_index.parse::<u64>().unwrap(),
                "verification": {
                    "signedEntryTimestamp": entry.inclusion_promise.as_ref().unwrap().signed_entry_timestamp,
                    "inclusionProof": {
                        "checkpoint": proof.checkpoint.as_ref().unwrap().envelope,
                        "hashes": proof.hashes.iter().map(|h| to_hex(h)).collect::<Vec<_>>(),
                        "logIndex": proof.log_index.parse::<u64>().unwrap(),
                        "rootHash": to_hex(&proof.root_hash),
                        "treeSize": proof.tree_size.parse::<u64>().unwrap(),
                    }
                }
            }
        });
        assert_eq!(entry_from_response(&answer).as_ref(), Ok(entry));
        assert_eq!(entry_from_response(&json!({})), Err(RekorError::Empty));
    }

    #[test]
    fn malformed_hex_is_an_error_not_a_panic() {
        assert_eq!(hex_to_base64("00ff", "x"), Ok("AP8=".into()));
        for bad in ["0é0", "abc", "+f", "zz"] {
            assert_eq!(
                hex_to_base64(bad, "x"),
                Err(RekorError::Malformed("x")),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_proposed_entry_carries_envelope_and_verifier() {
        let request = dsse_request(b"{}", b"sig", "-----BEGIN CERTIFICATE-----\n");
        assert_eq!(request["kind"], "dsse");
        let envelope: Value = serde_json::from_str(
            request["spec"]["proposedContent"]["envelope"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(envelope["payload"], "e30=");
        assert_eq!(envelope["payloadType"], PAYLOAD_TYPE);
        assert_eq!(envelope["signatures"][0]["sig"], "c2ln");
        assert_eq!(
            request["spec"]["proposedContent"]["verifiers"][0],
            STANDARD.encode("-----BEGIN CERTIFICATE-----\n")
        );
    }
}
