//! `mint`'s plan: the index, its TLS settings, and how to hand on the token.

use std::path::PathBuf;

use crate::cli::{MintArgs, TokenFormat};
use crate::config::env::EnvSnapshot;
use crate::config::pypirc::Pypirc;
use crate::index::Target;
use crate::mint::Provider;

use super::{SettingsError, resolve_target, resolve_tls};

/// What `mint` needs.
#[derive(Debug, Clone)]
pub struct MintPlan {
    pub target: Target,
    pub ca_cert: Option<PathBuf>,
    pub client_cert: Option<PathBuf>,
    pub audience: Option<String>,
    pub provider: Option<Provider>,
    pub github_output: bool,
    pub format: TokenFormat,
    pub notes: Vec<String>,
}

pub fn resolve_mint(
    args: &MintArgs,
    env: &EnvSnapshot,
    pypirc: Option<&(PathBuf, Pypirc)>,
) -> Result<MintPlan, SettingsError> {
    let mut notes = Vec::new();
    let (target, section) = resolve_target(&args.repo, env, pypirc, &mut notes)?;
    let (ca_cert, client_cert) = resolve_tls(&args.tls, env, section);
    Ok(MintPlan {
        target,
        ca_cert,
        client_cert,
        audience: args.audience.clone(),
        provider: args.provider.map(Provider::from),
        github_output: args.github_output,
        format: args.format,
        notes,
    })
}
