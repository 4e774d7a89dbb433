//! The leaf certificate chains to a trusted Fulcio CA: each certificate's
//! signature checked with its issuer's key, ECDSA P-256 with SHA-256 or
//! P-384 with SHA-384 (production Fulcio's intermediate and root are
//! P-384). Validity dates, SCTs and the identity policy are PyPI's.

use x509_cert::Certificate;
use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::der::{Decode as _, Header, Reader as _, SliceReader};

use super::certificate;

const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");

/// A certificate, and its TBSCertificate exactly as its issuer signed it:
/// re-encoding the decoded value need not give back the same bytes.
struct Signed<'a> {
    certificate: Certificate,
    tbs: &'a [u8],
}

fn signed(der: &[u8]) -> Option<Signed<'_>> {
    let certificate = certificate::parse(der)?;
    // `parse` checked the whole structure; the TBS is the first element
    // inside the outer SEQUENCE.
    let mut reader = SliceReader::new(der).ok()?;
    Header::decode(&mut reader).ok()?;
    let tbs = reader.tlv_bytes().ok()?;
    Some(Signed { certificate, tbs })
}

/// `subject` was signed by `issuer`'s key.
fn issued_by(subject: &[u8], issuer: &[u8]) -> bool {
    let (Some(subject), Some(issuer)) = (signed(subject), certificate::parse(issuer)) else {
        return false;
    };
    // `None` unless the BIT STRING is whole bytes.
    let Some(signature) = subject.certificate.signature.as_bytes() else {
        return false;
    };
    match subject.certificate.signature_algorithm.oid {
        ECDSA_SHA256 => {
            use p256::ecdsa::signature::Verifier as _;
            let key = certificate::key::<p256::ecdsa::VerifyingKey>(&issuer);
            let sig = p256::ecdsa::DerSignature::try_from(signature);
            matches!((key, sig), (Some(k), Ok(s)) if k.verify(subject.tbs, &s).is_ok())
        }
        ECDSA_SHA384 => {
            use p384::ecdsa::signature::Verifier as _;
            let key = certificate::key::<p384::ecdsa::VerifyingKey>(&issuer);
            let sig = p384::ecdsa::DerSignature::try_from(signature);
            matches!((key, sig), (Some(k), Ok(s)) if k.verify(subject.tbs, &s).is_ok())
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

    #[test]
    fn a_changed_or_malformed_leaf_does_not_chain() {
        let chains = fulcio_chains("production");
        let production = leaf(PRODUCTION.0);
        // A byte of the TBS's serial number: still a certificate, but not
        // the one the intermediate signed.
        let mut changed = production.clone();
        changed[15] ^= 1;
        assert!(certificate::parse(&changed).is_some());
        assert!(!chains_to(&changed, &chains));
        for der in [
            &production[..production.len() - 1],
            b"",
            b"\x30\x84\xff\xff\xff\xff",
        ] {
            assert!(!chains_to(der, &chains));
        }
    }
}
