//! The real attestations in `fixtures/attestations/` and the trust they
//! verify under, for the unit tests of this module.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::log::LogKey;
use super::model::Attestation;
use super::trust::TrustConfig;

/// A wheel logged by Sigstore's staging Rekor, and its log.
pub(super) const STAGING: (&str, &str) = (
    "rfc8785-0.1.2-py3-none-any.whl",
    "https://rekor.sigstage.dev",
);
/// An sdist logged by production Rekor, and its log.
pub(super) const PRODUCTION: (&str, &str) = (
    "gitlab_oidc_project-0.0.3.tar.gz",
    "https://rekor.sigstore.dev",
);

pub(super) fn read(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/attestations")
            .join(name),
    )
    .expect("a fixture")
}

pub(super) fn attestation(dist: &str) -> Attestation {
    serde_json::from_slice(&read(&format!("{dist}.publish.attestation"))).expect("an attestation")
}

/// The leaf certificate (DER) of a fixture's attestation.
pub(super) fn leaf(dist: &str) -> Vec<u8> {
    STANDARD
        .decode(attestation(dist).verification_material.certificate)
        .expect("base64")
}

/// The Rekor key of the log at `base_url`.
pub(super) fn log(base_url: &str) -> LogKey {
    let keys: serde_json::Value = serde_json::from_slice(&read("rekor-keys.json")).expect("JSON");
    let key = keys
        .as_array()
        .expect("a list")
        .iter()
        .find(|k| k["baseUrl"] == base_url)
        .expect("a known log");
    let der = STANDARD
        .decode(key["publicKey"].as_str().expect("a key"))
        .expect("base64");
    let log = LogKey::from_spki_der(&der).expect("a P-256 key");
    assert_eq!(
        STANDARD.encode(log.id),
        key["keyId"].as_str().expect("an ID")
    );
    log
}

/// Fulcio's chains for `production` or `staging`.
pub(super) fn fulcio_chains(instance: &str) -> Vec<Vec<Vec<u8>>> {
    let all: serde_json::Value = serde_json::from_slice(&read("fulcio-cas.json")).expect("JSON");
    all[instance]
        .as_array()
        .expect("chains")
        .iter()
        .map(|chain| {
            chain
                .as_array()
                .expect("a chain")
                .iter()
                .map(|c| STANDARD.decode(c.as_str().expect("text")).expect("base64"))
                .collect()
        })
        .collect()
}

/// Production's and staging's Rekor keys and Fulcio chains together.
pub(super) fn both_instances() -> TrustConfig {
    TrustConfig {
        rekor_keys: vec![log(PRODUCTION.1), log(STAGING.1)],
        fulcio_chains: [fulcio_chains("production"), fulcio_chains("staging")].concat(),
        ..TrustConfig::production()
    }
}
