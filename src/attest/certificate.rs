//! The two things mintup reads from a Fulcio leaf certificate: its public
//! key, to check the attestation's DSSE signature, and its Build Signer URI.
//! Parsing is x509-cert's (strict DER). Chains are `chain`'s; SCTs and the
//! identity policy are PyPI's to verify.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::DerSignature;
use p256::ecdsa::signature::Verifier as _;
use x509_cert::Certificate;
use x509_cert::der::asn1::{ObjectIdentifier, Utf8StringRef};
use x509_cert::der::referenced::OwnedToRef as _;
use x509_cert::der::{Decode as _, Encode as _};
use x509_cert::spki::SubjectPublicKeyInfoRef;

use super::model::{Attestation, pae};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the certificate is not a DER X.509 certificate with a P-256 key")]
    Certificate,
    #[error("the envelope is not valid base64")]
    Envelope,
    #[error("the signature was not made by the certificate's key over this statement")]
    Signature,
}

/// The certificate `der` holds, and nothing after it. Malformed input is an
/// error, never a panic, and costs no more than its own length: the
/// decoder refuses any length beyond the bytes it has.
pub(super) fn parse(der: &[u8]) -> Option<Certificate> {
    Certificate::from_der(der).ok()
}

/// The certificate's subject key, as a P-256 or P-384 verifying key.
pub(super) fn key<K>(certificate: &Certificate) -> Option<K>
where
    K: for<'a> TryFrom<SubjectPublicKeyInfoRef<'a>>,
{
    let spki = certificate
        .tbs_certificate
        .subject_public_key_info
        .owned_to_ref();
    K::try_from(spki).ok()
}

/// The DER SubjectPublicKeyInfo of a certificate.
pub fn public_key_info(certificate: &[u8]) -> Option<Vec<u8>> {
    let certificate = parse(certificate)?;
    certificate
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .ok()
}

/// How long the certificate is valid for (notAfter − notBefore). Counted
/// from when it was received on this machine's own clock, it says when to
/// get a new one without trusting the clocks to agree.
pub fn lifetime(certificate: &[u8]) -> Option<std::time::Duration> {
    let validity = parse(certificate)?.tbs_certificate.validity;
    validity
        .not_after
        .to_unix_duration()
        .checked_sub(validity.not_before.to_unix_duration())
}

/// Fulcio's Build Signer URI extension; its value is a DER UTF8String.
const BUILD_SIGNER_URI: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.9");

/// The workflow (or pipeline) the certificate was issued to: Fulcio's
/// Build Signer URI, e.g. `https://github.com/o/r/.github/workflows/x.yml@ref`.
pub fn build_signer(certificate: &[u8]) -> Option<String> {
    let certificate = parse(certificate)?;
    let extension = certificate
        .tbs_certificate
        .extensions?
        .into_iter()
        .find(|e| e.extn_id == BUILD_SIGNER_URI)?;
    let text = Utf8StringRef::from_der(extension.extn_value.as_bytes()).ok()?;
    Some(text.as_str().to_owned())
}

/// The envelope's signature is the certificate key's, over the DSSE PAE of
/// the statement.
pub fn verify_signature(attestation: &Attestation) -> Result<(), SignatureError> {
    let der = STANDARD
        .decode(&attestation.verification_material.certificate)
        .map_err(|_| SignatureError::Certificate)?;
    let key: p256::ecdsa::VerifyingKey = parse(&der)
        .and_then(|c| key(&c))
        .ok_or(SignatureError::Certificate)?;
    let statement = attestation
        .statement_bytes()
        .ok_or(SignatureError::Envelope)?;
    let signature = STANDARD
        .decode(&attestation.envelope.signature)
        .ok()
        .and_then(|s| DerSignature::try_from(s.as_slice()).ok())
        .ok_or(SignatureError::Envelope)?;
    key.verify(&pae(&statement), &signature)
        .map_err(|_| SignatureError::Signature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attest::fixtures::attestation;
    use crate::attest::model::statement;

    #[test]
    fn real_signatures_verify_with_their_certificate() {
        for dist in [
            "rfc8785-0.1.2-py3-none-any.whl",
            "gitlab_oidc_project-0.0.3.tar.gz",
        ] {
            assert_eq!(verify_signature(&attestation(dist)), Ok(()), "{dist}");
        }
    }

    #[test]
    fn the_build_signer_comes_from_fulcio_s_extension() {
        let attestation = attestation("gitlab_oidc_project-0.0.3.tar.gz");
        let der = STANDARD
            .decode(&attestation.verification_material.certificate)
            .unwrap();
        let signer = build_signer(&der).expect("a Build Signer URI");
        assert!(signer.starts_with("https://gitlab.com/"), "{signer}");
        assert_eq!(build_signer(b"\x30\x00"), None);
    }

    #[test]
    fn another_statement_or_certificate_fails() {
        let dist = "rfc8785-0.1.2-py3-none-any.whl";
        let mut changed = attestation(dist);
        changed.envelope.statement = STANDARD.encode(statement(dist, &"00".repeat(32)));
        assert_eq!(verify_signature(&changed), Err(SignatureError::Signature));
        let mut swapped = attestation(dist);
        swapped.verification_material.certificate = attestation("gitlab_oidc_project-0.0.3.tar.gz")
            .verification_material
            .certificate;
        assert_eq!(verify_signature(&swapped), Err(SignatureError::Signature));
        let mut broken = attestation(dist);
        broken.verification_material.certificate = STANDARD.encode(b"\x30\x03\x02\x01\x01");
        assert_eq!(verify_signature(&broken), Err(SignatureError::Certificate));
    }

    #[test]
    fn malformed_der_is_refused_without_panicking() {
        let dist = "gitlab_oidc_project-0.0.3.tar.gz";
        let real = STANDARD
            .decode(&attestation(dist).verification_material.certificate)
            .unwrap();
        assert!(public_key_info(&real).is_some());
        let mut wrong_tag = real.clone();
        wrong_tag[0] = 0x31;
        let mut trailing = real.clone();
        trailing.push(0);
        let cases: [(&str, &[u8]); 9] = [
            ("empty", b""),
            ("a tag alone", b"\x30"),
            ("truncated", &real[..real.len() / 2]),
            ("its last byte missing", &real[..real.len() - 1]),
            ("a SET, not a SEQUENCE", &wrong_tag),
            ("trailing bytes", &trailing),
            ("a 4 GiB length", b"\x30\x84\xff\xff\xff\xff\x02\x01\x01"),
            (
                "a 9-byte length",
                b"\x30\x89\x01\x00\x00\x00\x00\x00\x00\x00\x00",
            ),
            (
                "an indefinite length (BER)",
                b"\x30\x80\x02\x01\x01\x00\x00",
            ),
        ];
        for (what, der) in cases {
            assert_eq!(public_key_info(der), None, "{what}");
            assert_eq!(build_signer(der), None, "{what}");
            let mut broken = attestation(dist);
            broken.verification_material.certificate = STANDARD.encode(der);
            assert_eq!(
                verify_signature(&broken),
                Err(SignatureError::Certificate),
                "{what}"
            );
        }
    }
}
