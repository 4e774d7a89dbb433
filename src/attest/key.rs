//! The run's ephemeral P-256 key: made in memory, never written anywhere,
//! used for Fulcio's proof of possession and the DSSE signatures.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{DerSignature, SigningKey, VerifyingKey};
use p256::pkcs8::EncodePublicKey as _;
use p256::pkcs8::LineEnding;

use super::model::pae;

pub struct EphemeralKey {
    signing: SigningKey,
}

/// The key is secret; its Debug shows only that it exists.
impl std::fmt::Debug for EphemeralKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EphemeralKey(****)")
    }
}

impl EphemeralKey {
    pub fn generate() -> Self {
        EphemeralKey {
            signing: SigningKey::random(&mut rand_core::OsRng),
        }
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        *self.signing.verifying_key()
    }

    /// The public key as PEM SubjectPublicKeyInfo, as Fulcio takes it.
    pub fn public_key_pem(&self) -> String {
        self.verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .expect("a P-256 key encodes")
    }

    /// A DER ECDSA signature (SHA-256) over `message`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let signature: DerSignature = self.signing.sign(message);
        signature.as_bytes().to_vec()
    }

    /// Fulcio's proof of possession: the identity claim (`email`, else
    /// `sub`) signed, base64.
    pub fn proof_of_possession(&self, identity: &str) -> String {
        STANDARD.encode(self.sign(identity.as_bytes()))
    }

    /// The DSSE signature of a statement.
    pub fn sign_statement(&self, statement: &[u8]) -> Vec<u8> {
        self.sign(&pae(statement))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Verifier as _;
    use p256::pkcs8::DecodePublicKey as _;

    #[test]
    fn signatures_verify_with_the_published_key() {
        let key = EphemeralKey::generate();
        let statement = crate::attest::model::statement("x-1.0.tar.gz", &"ab".repeat(32));
        let signature = DerSignature::try_from(key.sign_statement(&statement).as_slice()).unwrap();
        let published = VerifyingKey::from_public_key_pem(&key.public_key_pem()).unwrap();
        assert!(published.verify(&pae(&statement), &signature).is_ok());
        assert!(published.verify(&statement, &signature).is_err());
        assert!(
            key.public_key_pem()
                .starts_with("-----BEGIN PUBLIC KEY-----\n")
        );
        assert_eq!(format!("{key:?}"), "EphemeralKey(****)");
    }

    #[test]
    fn every_run_has_its_own_key() {
        assert_ne!(
            EphemeralKey::generate().public_key_pem(),
            EphemeralKey::generate().public_key_pem()
        );
    }
}
