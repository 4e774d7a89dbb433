//! Fulcio's side of signing, as data: the `POST /api/v2/signingCert`
//! request in its public-key form (no CSR to build), and the leaf
//! certificate out of the answer's chain.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::key::EphemeralKey;

/// The request body: the OIDC token, the public key and the proof that
/// this key's holder signed the token's identity.
pub fn request(identity_token: &str, identity: &str, key: &EphemeralKey) -> Value {
    json!({
        "credentials": {"oidcIdentityToken": identity_token},
        "publicKeyRequest": {
            "publicKey": {"algorithm": "ECDSA", "content": key.public_key_pem()},
            "proofOfPossession": key.proof_of_possession(identity),
        }
    })
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FulcioError {
    #[error(
        "Fulcio answered with a detached SCT; PEP 740 needs the SCT embedded in the certificate"
    )]
    DetachedSct,
    #[error("Fulcio's answer has no certificate chain")]
    NoChain,
    #[error("Fulcio's certificate is not PEM")]
    Pem,
}

/// The issued certificate: the leaf as PEM (what Rekor is given) and DER
/// (what the attestation carries).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub leaf_pem: String,
    pub leaf_der: Vec<u8>,
}

pub fn issued(answer: &Value) -> Result<Issued, FulcioError> {
    if answer.get("signedCertificateDetachedSct").is_some() {
        return Err(FulcioError::DetachedSct);
    }
    let chain = answer["signedCertificateEmbeddedSct"]["chain"]["certificates"]
        .as_array()
        .filter(|c| !c.is_empty())
        .ok_or(FulcioError::NoChain)?;
    let leaf_pem = chain[0].as_str().ok_or(FulcioError::Pem)?.to_owned();
    let leaf_der = pem_to_der(&leaf_pem).ok_or(FulcioError::Pem)?;
    Ok(Issued { leaf_pem, leaf_der })
}

/// The DER inside one `-----BEGIN CERTIFICATE-----` block.
pub fn pem_to_der(pem: &str) -> Option<Vec<u8>> {
    let body = pem
        .trim()
        .strip_prefix("-----BEGIN CERTIFICATE-----")?
        .split("-----END CERTIFICATE-----")
        .next()?;
    let text: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Verifier as _;
    use p256::ecdsa::{DerSignature, VerifyingKey};
    use p256::pkcs8::DecodePublicKey as _;

    #[test]
    fn the_request_proves_possession_of_the_key() {
        let key = EphemeralKey::generate();
        let request = request("jwt", "repo:octo/demo:ref:refs/tags/v1", &key);
        assert_eq!(request["credentials"]["oidcIdentityToken"], "jwt");
        let pem = request["publicKeyRequest"]["publicKey"]["content"]
            .as_str()
            .unwrap();
        let published = VerifyingKey::from_public_key_pem(pem).unwrap();
        let proof = STANDARD
            .decode(
                request["publicKeyRequest"]["proofOfPossession"]
                    .as_str()
                    .unwrap(),
            )
            .unwrap();
        let proof = DerSignature::try_from(proof.as_slice()).unwrap();
        assert!(
            published
                .verify(b"repo:octo/demo:ref:refs/tags/v1", &proof)
                .is_ok()
        );
    }

    #[test]
    fn the_leaf_comes_first_in_the_chain() {
        let der = [0x30, 0x03, 0x02, 0x01, 0x01];
        let pem = format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            STANDARD.encode(der)
        );
        let answer = json!({"signedCertificateEmbeddedSct": {"chain": {"certificates": [pem, "intermediate"]}}});
        assert_eq!(issued(&answer).unwrap().leaf_der, der);
        assert_eq!(
            issued(&json!({"signedCertificateDetachedSct": {}})),
            Err(FulcioError::DetachedSct)
        );
        assert_eq!(issued(&json!({})), Err(FulcioError::NoChain));
    }
}
