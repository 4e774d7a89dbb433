//! The attestation checks on outside data: an attestation file (or one an
//! index serves), Rekor's and Fulcio's answers and a trust config, parsed
//! and judged, and the input taken as a DER certificate too. Verdicts of
//! any kind are fine; panics are not.
//!
//! The trust is Sigstore production's and staging's (fixtures/attestations),
//! so that seeds made from the real attestations there get past the log-ID
//! and certificate-chain checks to the proofs and signatures.
#![no_main]

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use libfuzzer_sys::fuzz_target;
use mintup::attest::check::{assemble, check};
use mintup::attest::log::{self, LogKey};
use mintup::attest::model::{self, Attestation};
use mintup::attest::trust::TrustConfig;
use mintup::attest::{certificate, chain, fulcio, rekor};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/attestations")
        .join(name);
    serde_json::from_slice(&std::fs::read(&path).expect("a fixture")).expect("JSON")
}

fn trust() -> &'static TrustConfig {
    static TRUST: OnceLock<TrustConfig> = OnceLock::new();
    TRUST.get_or_init(|| {
        let keys = fixture("rekor-keys.json");
        let rekor_keys = keys
            .as_array()
            .expect("a list")
            .iter()
            .map(|k| {
                let der = STANDARD
                    .decode(k["publicKey"].as_str().expect("a key"))
                    .expect("base64");
                LogKey::from_spki_der(&der).expect("a P-256 key")
            })
            .collect();
        let cas = fixture("fulcio-cas.json");
        let fulcio_chains = ["production", "staging"]
            .iter()
            .flat_map(|instance| cas[instance].as_array().expect("chains"))
            .map(|chain| {
                chain
                    .as_array()
                    .expect("a chain")
                    .iter()
                    .map(|c| STANDARD.decode(c.as_str().expect("text")).expect("base64"))
                    .collect()
            })
            .collect();
        TrustConfig {
            rekor_keys,
            fulcio_chains,
            ..TrustConfig::production()
        }
    })
}

fn certificate_checks(der: &[u8]) {
    let _ = certificate::public_key_info(der);
    let _ = certificate::build_signer(der);
    let _ = chain::chains_to(der, &trust().fulcio_chains);
}

fn attestation_checks(attestation: &Attestation) {
    let trust = trust();
    // Judged for the file its statement names, so that the check goes past
    // the name and digest comparisons.
    let statement = attestation.statement_bytes().unwrap_or_default();
    let (name, sha256) = model::subject(&statement)
        .map(|(name, sha256, _)| (name, sha256))
        .unwrap_or_else(|| ("x-1.0.tar.gz".into(), "00".repeat(32)));
    let _ = check(attestation, &name, &sha256, trust);
    let _ = certificate::verify_signature(attestation);
    // The log checks for each known log, whatever the chain says.
    for key in &trust.rekor_keys {
        let _ = log::verify(attestation, key);
    }
    if let Ok(der) = STANDARD.decode(&attestation.verification_material.certificate) {
        certificate_checks(&der);
    }
}

fuzz_target!(|data: &[u8]| {
    certificate_checks(data);
    if let Ok(attestation) = serde_json::from_slice::<Attestation>(data) {
        attestation_checks(&attestation);
    }
    let Ok(answer) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    // Rekor's answer, turned into an entry and checked as signing does.
    if let Ok(entry) = rekor::entry_from_response(&answer) {
        let statement = model::statement("x-1.0.tar.gz", &"00".repeat(32));
        attestation_checks(&assemble(b"\x30\x00", entry, &statement, b"\x30\x00"));
    }
    // Fulcio's answer.
    if let Ok(issued) = fulcio::issued(&answer) {
        certificate_checks(&issued.leaf_der);
    }
    // A trust config file.
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = TrustConfig::from_client_trust_config(text);
    }
});
