//! `mintup mint`: trade the CI identity for a token and hand it on.

use std::path::PathBuf;

use crate::cli::MintArgs;
use crate::config::env::EnvSnapshot;
use crate::mint::{MachineFacts, Minter};
use crate::output::github::{self, CiOutput};
use crate::output::text;
use crate::settings;

use super::error::{Error, Exit};
use super::runtime;

pub fn mint_command(args: MintArgs, env: EnvSnapshot, ci: &CiOutput) -> Result<Exit, Error> {
    let pypirc = settings::load_pypirc(args.repo.config_file.as_deref(), &env)?;
    let plan = settings::resolve_mint(&args, &env, pypirc.as_ref())?;
    for note in &plan.notes {
        text::note(note);
    }
    let output_file = match (plan.github_output, env.get("GITHUB_OUTPUT")) {
        (true, None) => return Err(Error::NoGithubOutput),
        (true, Some(path)) => Some(PathBuf::from(path)),
        (false, _) => None,
    };
    let client = crate::http::build_client(plan.ca_cert.as_deref(), plan.client_cert.as_deref())
        .map_err(|e| Error::Prepare(e.into()))?;
    let minter = Minter {
        upload_url: plan.target.url.clone(),
        kind: plan.target.kind,
        audience: plan.audience,
        provider: plan.provider,
        env,
        machine: MachineFacts::read(),
        project: None,
    };
    let minted = runtime()?.block_on(minter.mint(&client))?;
    ci.mask(&minted.token);
    for warning in &minted.warnings {
        ci.warn(warning);
    }
    match output_file {
        // With --github-output the token goes only to the step output, as
        // token-mint-action did: stdout and the masked stderr are separate
        // pipes, and a token printed uncaptured could reach the log before
        // its mask.
        Some(path) => github::append(&path, &github::token_output(&minted.token))
            .map_err(|e| Error::GithubOutput(path, e))?,
        None => text::print_token(&minted, plan.format, plan.target.url.as_str()),
    }
    Ok(Exit::Ok)
}
