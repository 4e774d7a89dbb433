//! `mintup attest`: sign each file with the CI identity, or reuse its
//! attestation when it still holds.

use std::path::{Path, PathBuf};

use crate::attest::run::{AttestError, AttestJob, run as run_attest};
use crate::attest::trust::TrustConfig;
use crate::cli::AttestArgs;
use crate::config::env::EnvSnapshot;
use crate::dist::collect;
use crate::output::text::{self, print_attested};

use super::error::{Error, Exit};
use super::runtime;

pub fn attest_command(args: AttestArgs, env: EnvSnapshot) -> Result<Exit, Error> {
    // `--sigstore-config`, then `MINTUP_SIGSTORE_CONFIG`.
    let config = args
        .sigstore_config
        .clone()
        .or_else(|| env.get("MINTUP_SIGSTORE_CONFIG").map(PathBuf::from));
    let trust = load_trust(config.as_deref())?;
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
        text::note(&note);
    }
    print_attested(results, &mut std::io::stdout().lock());
    Ok(Exit::Ok)
}

/// Sigstore's services and keys from a `ClientTrustConfig` file, or the
/// public-good instance.
pub fn load_trust(config: Option<&Path>) -> Result<TrustConfig, Error> {
    let Some(path) = config else {
        return Ok(TrustConfig::production());
    };
    let unusable =
        |e: Box<dyn std::error::Error + Send + Sync>| Error::SigstoreConfig(path.to_owned(), e);
    let text = std::fs::read_to_string(path).map_err(|e| unusable(Box::new(e)))?;
    TrustConfig::from_client_trust_config(&text).map_err(|e| unusable(Box::new(e)))
}
