//! `mintup attest` against fake Sigstore services (Fulcio with a test CA,
//! Rekor v1 with real proofs, checkpoints and SETs) and GitHub's fake OIDC
//! endpoint: attestations are written only when they hold, reused when
//! they still do, and never overwritten.

use std::path::Path;

use crate::support::oidc::{github_claims, github_endpoint, github_env};
use crate::support::sigstore::{Fault, Sigstore};
use crate::support::{Run, good, mintup, run, sha256_hex};

const WHEEL: &str = "mintup_hatch_demo-0.4.2-py3-none-any.whl";
const SDIST: &str = "mintup_hatch_demo-0.4.2.tar.gz";

/// A job's workspace: dist/ with both files, and the trust config.
fn workspace(sigstore: &Sigstore) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("dist")).unwrap();
    for name in [WHEEL, SDIST] {
        std::fs::copy(good(name), dir.path().join("dist").join(name)).unwrap();
    }
    std::fs::write(dir.path().join("trust.json"), sigstore.trust_config()).unwrap();
    dir
}

fn attest(dir: &Path, claims: serde_json::Value) -> Run {
    let endpoint = github_endpoint(claims);
    let env = github_env(&endpoint, dir);
    run(mintup(dir).envs(env.iter().map(|(k, v)| (k, v))).args([
        "attest",
        "--sigstore-config",
        "trust.json",
        "dist",
    ]))
}

/// pypi-attestations' verdict on a written attestation, as Warehouse asks
/// for a GitHub publisher.
fn reference_verdict(
    dir: &Path,
    root: &Path,
    name: &str,
    repository: &str,
    workflow: &str,
) -> String {
    reference_verdict_for(dir, root, name, [repository, workflow, "github"])
}

/// The same for a publisher `[repository, workflow, "github" | "gitlab"]`.
fn reference_verdict_for(dir: &Path, root: &Path, name: &str, publisher: [&str; 3]) -> String {
    let dist = dir.join("dist").join(name);
    let out = std::process::Command::new(crate::support::peers::venv_bin("python"))
        .arg(crate::support::root().join("tests/it/support/verify_attestation.py"))
        .arg(root)
        .arg(&dist)
        .arg(dir.join("dist").join(format!("{name}.publish.attestation")))
        .args(publisher)
        .output()
        .expect("run the reference verifier");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout).trim(),
        String::from_utf8_lossy(&out.stderr).trim()
    )
}

fn attestation(dir: &Path, name: &str) -> Option<String> {
    std::fs::read_to_string(dir.join("dist").join(format!("{name}.publish.attestation"))).ok()
}

#[test]
fn attestations_are_written_checked_and_reused() {
    let sigstore = Sigstore::start(Fault::None);
    let dir = workspace(&sigstore);
    let out = attest(dir.path(), github_claims("sigstore"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout_has(&format!("attested  {WHEEL}"))
        .stdout_has(&format!("attested  {SDIST}"));
    // One certificate for the run, one log entry per file.
    assert_eq!(sigstore.requests("/api/v2/signingCert"), 1);
    assert_eq!(sigstore.requests("/api/v1/log/entries"), 2);
    let trust =
        mintup::attest::trust::TrustConfig::from_client_trust_config(&sigstore.trust_config())
            .unwrap();
    for name in [WHEEL, SDIST] {
        let written: mintup::attest::model::Attestation =
            serde_json::from_str(&attestation(dir.path(), name).unwrap()).unwrap();
        let sha256 = sha256_hex(&std::fs::read(dir.path().join("dist").join(name)).unwrap());
        assert_eq!(
            mintup::attest::check::check(&written, name, &sha256, &trust),
            Ok(())
        );
    }

    // The reference verifier, as Warehouse runs it, accepts them.
    let trusted_root = dir.path().join("trusted_root.json");
    let config: serde_json::Value = serde_json::from_str(&sigstore.trust_config()).unwrap();
    std::fs::write(&trusted_root, config["trustedRoot"].to_string()).unwrap();
    for name in [WHEEL, SDIST] {
        let verdict =
            reference_verdict(dir.path(), &trusted_root, name, "octo/demo", "release.yml");
        assert_eq!(verdict, "OK", "{name}");
    }
    // Another repository or workflow is refused.
    let verdict = reference_verdict(
        dir.path(),
        &trusted_root,
        WHEEL,
        "octo/other",
        "release.yml",
    );
    assert_ne!(verdict, "OK");
    let verdict = reference_verdict(dir.path(), &trusted_root, WHEEL, "octo/demo", "other.yml");
    assert_ne!(verdict, "OK");

    // A second run reuses them without signing anything.
    let out = attest(dir.path(), github_claims("sigstore"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout_has(&format!("reused    {WHEEL}"));
    assert_eq!(sigstore.requests("/api/v2/signingCert"), 1);

    // Another workflow's run does not send this one's attestations.
    let mut other = github_claims("sigstore");
    let other_workflow = "octo/demo/.github/workflows/other.yml@refs/tags/v1.0.0";
    other["workflow_ref"] = other_workflow.into();
    other["job_workflow_ref"] = other_workflow.into();
    let out = attest(dir.path(), other);
    assert_eq!(out.code, 1);
    out.stderr_has("already has a publish attestation, signed for https://github.com/octo/demo/.github/workflows/release.yml@refs/tags/v1.0.0, not for this run (https://github.com/octo/demo/.github/workflows/other.yml@refs/tags/v1.0.0)");

    // The wheel changed: its attestation no longer holds, and stays as it was.
    let before = attestation(dir.path(), WHEEL);
    let wheel = dir.path().join("dist").join(WHEEL);
    let mut bytes = std::fs::read(&wheel).unwrap();
    bytes.push(0);
    std::fs::write(&wheel, bytes).unwrap();
    let out = attest(dir.path(), github_claims("sigstore"));
    assert_eq!(out.code, 1);
    out.stderr_has("already has a publish attestation that does not hold for it")
        .stderr_has("caused by: it attests sha256 ");
    assert_eq!(attestation(dir.path(), WHEEL), before);
}

#[test]
fn a_log_answer_that_does_not_hold_writes_nothing() {
    for (fault, why) in [
        (
            Fault::NoTimestamp,
            "caused by: the log's answer lacks signedEntryTimestamp",
        ),
        (
            Fault::ForeignCheckpointKey,
            "caused by: the attestation the services produced does not hold, so it was not written",
        ),
    ] {
        let sigstore = Sigstore::start(fault);
        let dir = workspace(&sigstore);
        let out = attest(dir.path(), github_claims("sigstore"));
        assert_eq!(out.code, 1, "{fault:?}");
        out.stderr_has(": signing failed").stderr_has(why);
        assert_eq!(attestation(dir.path(), WHEEL), None, "{fault:?}");
        assert_eq!(attestation(dir.path(), SDIST), None, "{fault:?}");
    }
}

#[test]
fn a_reusable_workflow_is_refused_before_signing() {
    let sigstore = Sigstore::start(Fault::None);
    let dir = workspace(&sigstore);
    let mut claims = github_claims("sigstore");
    claims["job_workflow_ref"] = "octo/shared/.github/workflows/publish.yml@refs/heads/main".into();
    let out = attest(dir.path(), claims);
    assert_eq!(out.code, 1);
    out.stderr_has("PyPI would reject its attestations, so nothing was signed");
    assert_eq!(sigstore.requests("/api/v2/signingCert"), 0);
}

#[test]
fn upload_attest_sends_one_attestation_per_file() {
    use crate::support::oidc::{self, audience, jwt};
    let sigstore = Sigstore::start(Fault::None);
    let dir = workspace(&sigstore);
    let claims = github_claims("testindex");
    let index = oidc::index(audience("testindex"), jwt(&claims));
    let endpoint = github_endpoint(claims);
    let env = github_env(&endpoint, dir.path());
    let out = run(mintup(dir.path())
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(["upload", "--attest", "--sigstore-config", "trust.json"])
        .args(["--format", "json", "--repository-url", &index.url, "dist"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    for file in report["files"].as_array().unwrap() {
        assert_eq!(
            file["attestation"],
            serde_json::json!({"status": "generated", "sent": true})
        );
    }
    let summary = std::fs::read_to_string(dir.path().join("step_summary.md")).unwrap();
    assert!(
        summary.contains("uploaded; attestation generated and sent"),
        "{summary}"
    );
    out.stderr_has(&format!("attested  {WHEEL}"));
    let uploads: Vec<_> = index
        .received()
        .into_iter()
        .filter(|r| r.path == "/legacy/")
        .collect();
    assert_eq!(uploads.len(), 2);
    for upload in uploads {
        let name = &upload.files[0].filename;
        let sent: serde_json::Value =
            serde_json::from_str(upload.field("attestations").expect("an attestations field"))
                .unwrap();
        let list = sent.as_array().unwrap();
        assert_eq!(list.len(), 1);
        let written: serde_json::Value =
            serde_json::from_str(&attestation(dir.path(), name).unwrap()).unwrap();
        assert_eq!(list[0], written, "{name}");
    }

    // With a stored token there is no trusted publishing: refused up front.
    let out = run(mintup(dir.path())
        .args(["upload", "--attest", "-t", crate::support::SECRET])
        .args(["--repository-url", &index.url, "dist"]));
    assert_eq!(out.code, 2);
    out.stderr_has("upload --attest needs trusted publishing");
}

/// Files named one by one, as `dist/*` expands in a shell: the
/// attestations written on the way are the ones sent, though they did not
/// exist when the files were collected.
#[test]
fn upload_attest_with_explicit_files_sends_what_it_signed() {
    use crate::support::oidc::{self, audience, jwt};
    let sigstore = Sigstore::start(Fault::None);
    let dir = workspace(&sigstore);
    let claims = github_claims("testindex");
    let index = oidc::index(audience("testindex"), jwt(&claims));
    let endpoint = github_endpoint(claims);
    let env = github_env(&endpoint, dir.path());
    let files = [WHEEL, SDIST].map(|name| format!("dist/{name}"));
    let out = run(mintup(dir.path())
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(["upload", "--attest", "--sigstore-config", "trust.json"])
        .args(["--repository-url", &index.url])
        .args(&files));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let uploads: Vec<_> = index
        .received()
        .into_iter()
        .filter(|r| r.path == "/legacy/")
        .collect();
    assert_eq!(uploads.len(), 2);
    for upload in uploads {
        let name = &upload.files[0].filename;
        let sent: serde_json::Value =
            serde_json::from_str(upload.field("attestations").expect("an attestations field"))
                .unwrap();
        let written: serde_json::Value =
            serde_json::from_str(&attestation(dir.path(), name).unwrap()).unwrap();
        assert_eq!(sent, serde_json::json!([written]), "{name}");
    }
}

#[test]
fn gitlab_without_a_sigstore_token_is_told_what_to_declare() {
    let sigstore = Sigstore::start(Fault::None);
    let dir = workspace(&sigstore);
    let out = run(mintup(dir.path())
        .env("GITLAB_CI", "true")
        .env("CI", "true")
        .env("PYPI_ID_TOKEN", "not-for-sigstore")
        .args(["attest", "--sigstore-config", "trust.json", "dist"]));
    assert_eq!(out.code, 1);
    out.stderr_has("SIGSTORE_ID_TOKEN")
        .stderr_has("id_tokens:\n        SIGSTORE_ID_TOKEN:\n          aud: sigstore");
    assert_eq!(sigstore.requests("/api/v2/signingCert"), 0);
}

#[test]
fn a_certificate_for_another_workflow_is_not_used() {
    let sigstore = Sigstore::start(Fault::CertifyAnotherWorkflow);
    let dir = workspace(&sigstore);
    let mut claims = github_claims("sigstore");
    let other = "octo/demo/.github/workflows/other.yml@refs/tags/v1.0.0";
    claims["workflow_ref"] = other.into();
    claims["job_workflow_ref"] = other.into();
    let out = attest(dir.path(), claims);
    assert_eq!(out.code, 1);
    out.stderr_has("Fulcio certified https://github.com/octo/demo/.github/workflows/release.yml@refs/tags/v1.0.0, not this run's https://github.com/octo/demo/.github/workflows/other.yml@refs/tags/v1.0.0");
    assert_eq!(sigstore.requests("/api/v1/log/entries"), 0);
    assert_eq!(attestation(dir.path(), WHEEL), None);
}

#[test]
fn a_certificate_from_an_untrusted_fulcio_writes_nothing() {
    let sigstore = Sigstore::start(Fault::None);
    let dir = workspace(&sigstore);
    // Trust another CA (Sigstore production's) than the one that issues.
    let mut config: serde_json::Value = serde_json::from_str(&sigstore.trust_config()).unwrap();
    let cas: serde_json::Value = serde_json::from_slice(
        &std::fs::read(crate::support::root().join("fixtures/attestations/fulcio-cas.json"))
            .unwrap(),
    )
    .unwrap();
    let chain: Vec<serde_json::Value> = cas["production"][1]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| serde_json::json!({"rawBytes": c}))
        .collect();
    config["trustedRoot"]["certificateAuthorities"][0]["certChain"]["certificates"] = chain.into();
    std::fs::write(dir.path().join("trust.json"), config.to_string()).unwrap();
    let out = attest(dir.path(), github_claims("sigstore"));
    assert_eq!(out.code, 1);
    out.stderr_has("caused by: its certificate does not chain to a Fulcio certificate authority this trust configuration knows");
    assert_eq!(attestation(dir.path(), WHEEL), None);
}

#[test]
fn gitlab_identities_are_attested_and_verified() {
    let sigstore = Sigstore::start(Fault::None);
    let dir = workspace(&sigstore);
    let claims = serde_json::json!({
        "iss": "https://gitlab.com",
        "aud": "sigstore",
        "sub": "project_path:grp/proj:ref_type:branch:ref:main",
        "iat": 1_700_000_000, "nbf": 1_699_999_700, "exp": 1_700_000_300,
        "project_path": "grp/proj",
        "ci_config_ref_uri": "gitlab.com/grp/proj//.gitlab-ci.yml@refs/heads/main",
        "ref_type": "branch",
        "ref": "main",
        "sha": "89abcdef0123456789abcdef0123456789abcdef",
    });
    let out = run(mintup(dir.path())
        .env("GITLAB_CI", "true")
        .env("CI", "true")
        .env("SIGSTORE_ID_TOKEN", crate::support::oidc::jwt(&claims))
        .args(["attest", "--sigstore-config", "trust.json", "dist"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let trusted_root = dir.path().join("trusted_root.json");
    let config: serde_json::Value = serde_json::from_str(&sigstore.trust_config()).unwrap();
    std::fs::write(&trusted_root, config["trustedRoot"].to_string()).unwrap();
    for name in [WHEEL, SDIST] {
        let publisher = ["grp/proj", ".gitlab-ci.yml", "gitlab"];
        let verdict = reference_verdict_for(dir.path(), &trusted_root, name, publisher);
        assert_eq!(verdict, "OK", "{name}");
    }
    let other = ["grp/other", ".gitlab-ci.yml", "gitlab"];
    assert_ne!(
        reference_verdict_for(dir.path(), &trusted_root, WHEEL, other),
        "OK"
    );
}

#[test]
fn files_are_signed_a_batch_at_a_time_and_a_certificate_about_to_expire_is_renewed() {
    for (fault, certificates) in [(Fault::None, 1), (Fault::ShortLivedCertificate, 2)] {
        let sigstore = Sigstore::start(fault);
        let dir = workspace(&sigstore);
        // Ten wheels: two batches of at most eight.
        for n in 1..=8 {
            let name = WHEEL.replace("-py3-", &format!("-{n}-py3-"));
            std::fs::copy(good(WHEEL), dir.path().join("dist").join(name)).unwrap();
        }
        let endpoint = github_endpoint(github_claims("sigstore"));
        let env = github_env(&endpoint, dir.path());
        let out = run(mintup(dir.path())
            .envs(env.iter().map(|(k, v)| (k, v)))
            .args(["attest", "--sigstore-config", "trust.json", "dist"]));
        assert_eq!(out.code, 0, "{fault:?}: {}", out.stderr);
        assert_eq!(
            out.stdout
                .lines()
                .filter(|l| l.starts_with("attested "))
                .count(),
            10
        );
        assert_eq!(sigstore.requests("/api/v1/log/entries"), 10);
        assert_eq!(
            sigstore.requests("/api/v2/signingCert"),
            certificates,
            "{fault:?}"
        );
        assert_eq!(
            endpoint.received().len(),
            certificates,
            "one OIDC token per certificate"
        );
    }
}
