//! Just enough DER to take the public key out of a Fulcio leaf certificate
//! and check the attestation's DSSE signature with it. Chains, SCTs and
//! identities are PyPI's to verify.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{DerSignature, VerifyingKey};
use p256::pkcs8::DecodePublicKey as _;

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

/// One DER element.
pub(super) struct Element<'a> {
    pub tag: u8,
    /// Header and contents.
    pub whole: &'a [u8],
    pub contents: &'a [u8],
}

/// The first DER element of `der`, and what follows it.
pub(super) fn element(der: &[u8]) -> Option<(Element<'_>, &[u8])> {
    let (&tag, rest) = der.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (length, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let length = rest[..count]
            .iter()
            .fold(0usize, |n, &b| (n << 8) | usize::from(b));
        (length, &rest[count..])
    };
    if rest.len() < length {
        return None;
    }
    let header = der.len() - rest.len();
    let whole = &der[..header + length];
    Some((
        Element {
            tag,
            whole,
            contents: &rest[..length],
        },
        &rest[length..],
    ))
}

const SEQUENCE: u8 = 0x30;
/// `[0] EXPLICIT Version`, present in every v3 certificate.
const VERSION: u8 = 0xa0;

/// The DER SubjectPublicKeyInfo of a certificate.
pub fn public_key_info(certificate: &[u8]) -> Option<&[u8]> {
    let (cert, _) = element(certificate).filter(|(e, _)| e.tag == SEQUENCE)?;
    let (tbs, _) = element(cert.contents).filter(|(e, _)| e.tag == SEQUENCE)?;
    let mut rest = tbs.contents;
    let (first, after) = element(rest)?;
    if first.tag == VERSION {
        rest = after;
    }
    // serialNumber, signature, issuer, validity, subject
    for _ in 0..5 {
        rest = element(rest)?.1;
    }
    let (spki, _) = element(rest)?;
    (spki.tag == SEQUENCE).then_some(spki.whole)
}

/// The DER of Fulcio's Build Signer URI extension (1.3.6.1.4.1.57264.1.9).
const BUILD_SIGNER_URI: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30, 0x01, 0x09];
const OID: u8 = 0x06;
const OCTET_STRING: u8 = 0x04;
const UTF8_STRING: u8 = 0x0c;
/// `[3] EXPLICIT Extensions`.
const EXTENSIONS: u8 = 0xa3;

/// The value of an extension (the contents of its extnValue), by OID.
fn extension<'a>(certificate: &'a [u8], oid: &[u8]) -> Option<&'a [u8]> {
    let (cert, _) = element(certificate).filter(|(e, _)| e.tag == SEQUENCE)?;
    let (tbs, _) = element(cert.contents).filter(|(e, _)| e.tag == SEQUENCE)?;
    let mut rest = tbs.contents;
    while let Some((item, after)) = element(rest) {
        if item.tag == EXTENSIONS {
            let (list, _) = element(item.contents)?;
            let mut extensions = list.contents;
            while let Some((extension, next)) = element(extensions) {
                let (id, mut fields) = element(extension.contents)?;
                if id.tag == OID && id.contents == oid {
                    while let Some((field, more)) = element(fields) {
                        if field.tag == OCTET_STRING {
                            return Some(field.contents);
                        }
                        fields = more;
                    }
                }
                extensions = next;
            }
            return None;
        }
        rest = after;
    }
    None
}

/// The workflow (or pipeline) the certificate was issued to: Fulcio's
/// Build Signer URI, e.g. `https://github.com/o/r/.github/workflows/x.yml@ref`.
pub fn build_signer(certificate: &[u8]) -> Option<String> {
    let value = extension(certificate, BUILD_SIGNER_URI)?;
    let (text, _) = element(value).filter(|(e, _)| e.tag == UTF8_STRING)?;
    String::from_utf8(text.contents.to_vec()).ok()
}

/// The envelope's signature is the certificate key's, over the DSSE PAE of
/// the statement.
pub fn verify_signature(attestation: &Attestation) -> Result<(), SignatureError> {
    let der = STANDARD
        .decode(&attestation.verification_material.certificate)
        .map_err(|_| SignatureError::Certificate)?;
    let key = public_key_info(&der)
        .and_then(|spki| VerifyingKey::from_public_key_der(spki).ok())
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
}
