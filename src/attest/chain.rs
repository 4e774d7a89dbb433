//! The leaf certificate chains to a trusted Fulcio CA: each certificate's
//! signature checked with its issuer's key, ECDSA P-256 with SHA-256 or
//! P-384 with SHA-384 (production Fulcio's intermediate and root are
//! P-384). Validity dates, SCTs and the identity policy are PyPI's.

use p256::pkcs8::DecodePublicKey as _;

use super::certificate::{self, element};

const SEQUENCE: u8 = 0x30;
const BIT_STRING: u8 = 0x03;
const OID: u8 = 0x06;
const ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
const ECDSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];

/// A certificate's signed part, how it was signed, and the signature.
struct Signed<'a> {
    tbs: &'a [u8],
    algorithm: &'a [u8],
    signature: &'a [u8],
}

fn signed(certificate: &[u8]) -> Option<Signed<'_>> {
    let (cert, _) = element(certificate).filter(|(e, _)| e.tag == SEQUENCE)?;
    let (tbs, rest) = element(cert.contents).filter(|(e, _)| e.tag == SEQUENCE)?;
    let (algorithm, rest) = element(rest).filter(|(e, _)| e.tag == SEQUENCE)?;
    let (oid, _) = element(algorithm.contents).filter(|(e, _)| e.tag == OID)?;
    let (value, _) = element(rest).filter(|(e, _)| e.tag == BIT_STRING)?;
    let (&unused, signature) = value.contents.split_first()?;
    (unused == 0).then_some(Signed {
        tbs: tbs.whole,
        algorithm: oid.contents,
        signature,
    })
}

/// `subject` was signed by `issuer`'s key.
fn issued_by(subject: &[u8], issuer: &[u8]) -> bool {
    let Some(signed) = signed(subject) else {
        return false;
    };
    let Some(spki) = certificate::public_key_info(issuer) else {
        return false;
    };
    match signed.algorithm {
        ECDSA_SHA256 => {
            use p256::ecdsa::signature::Verifier as _;
            let key = p256::ecdsa::VerifyingKey::from_public_key_der(spki);
            let sig = p256::ecdsa::DerSignature::try_from(signed.signature);
            matches!((key, sig), (Ok(k), Ok(s)) if k.verify(signed.tbs, &s).is_ok())
        }
        ECDSA_SHA384 => {
            use p384::ecdsa::signature::Verifier as _;
            let key = p384::ecdsa::VerifyingKey::from_public_key_der(spki);
            let sig = p384::ecdsa::DerSignature::try_from(signed.signature);
            matches!((key, sig), (Ok(k), Ok(s)) if k.verify(signed.tbs, &s).is_ok())
        }
        _ => false,
    }
}

/// The leaf chains through one of `chains` (each intermediate first, root
/// last, as DER) up to its root.
pub fn chains_to(leaf: &[u8], chains: &[Vec<Vec<u8>>]) -> bool {
    chains.iter().any(|chain| {
        let mut subject = leaf;
        for issuer in chain {
            if !issued_by(subject, issuer) {
                return false;
            }
            subject = issuer;
        }
        !chain.is_empty()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attest::fixtures::{PRODUCTION, STAGING, fulcio_chains, leaf};

    #[test]
    fn real_leaves_chain_to_their_own_fulcio_only() {
        let production = leaf(PRODUCTION.0);
        let staging = leaf(STAGING.0);
        assert!(chains_to(&production, &fulcio_chains("production")));
        assert!(chains_to(&staging, &fulcio_chains("staging")));
        assert!(!chains_to(&production, &fulcio_chains("staging")));
        assert!(!chains_to(&staging, &fulcio_chains("production")));
        assert!(!chains_to(&production, &[]));
    }
}
