//! `mintup attest`: sign each file with the CI identity, or reuse its
//! attestation when it still holds.

use std::path::PathBuf;

use crate::attest::run::{AttestError, AttestJob, run as run_attest};
use crate::attest::trust::TrustConfig;
use crate::cli::AttestArgs;
use crate::config::env::EnvSnapshot;
use crate::dist::collect;
use crate::output::text::print_attested;

use super::error::{EXIT_OK, Error};
use super::runtime;

pub fn attest_command(args: AttestArgs, env: EnvSnapshot) -> Result<i32, Error> {
    let trust = sigstore_trust(args.sigstore_config.as_ref(), &env)?;
    let client = crate::http::build_client(None, None).map_err(|e| Error::Prepare(e.into()))?;
    let mut notes = Vec::new();
    let dists = collect::collect(&args.dists).map_err(AttestError::from)?;
    let job = AttestJob {
        dists: &dists,
        trust: &trust,
        provider: args.provider.map(Into::into),
        env: &env,
        client: &client,
    };
    let results = runtime()?.block_on(run_attest(job, &mut notes))?;
    for note in notes {
        eprintln!("note: {note}");
    }
    print_attested(results, &mut std::io::stdout().lock());
    Ok(EXIT_OK)
}

/// Sigstore's services and keys: `--sigstore-config`, then
/// `MINTUP_SIGSTORE_CONFIG`, then the public-good instance.
pub fn sigstore_trust(flag: Option<&PathBuf>, env: &EnvSnapshot) -> Result<TrustConfig, Error> {
    let config = flag
        .cloned()
        .or_else(|| env.get("MINTUP_SIGSTORE_CONFIG").map(PathBuf::from));
    match &config {
        None => Ok(TrustConfig::production()),
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| Error::SigstoreConfig(path.clone(), Box::new(e)))
            .and_then(|text| {
                TrustConfig::from_client_trust_config(&text)
                    .map_err(|e| Error::SigstoreConfig(path.clone(), Box::new(e)))
            }),
    }
}
