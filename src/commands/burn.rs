//! `mintup burn`: hand a minted token back to the index to be burned.

use crate::cli::BurnArgs;
use crate::config::env::EnvSnapshot;
use crate::mint::burn::{burn, burn_url};
use crate::output::text;
use crate::settings;
use crate::settings::burn::{BurnToken, resolve_burn};

use super::error::{Error, Exit};
use super::runtime;
use super::stdin_token::read_token;

pub fn burn_command(args: BurnArgs, env: EnvSnapshot) -> Result<Exit, Error> {
    let pypirc = settings::load_pypirc(args.repo.config_file.as_deref(), &env)?;
    let plan = resolve_burn(&args, &env, pypirc.as_ref())?;
    for note in &plan.notes {
        text::note(note);
    }
    let token = match plan.token {
        None => return Err(Error::NoBurnToken),
        Some(BurnToken::Given(token)) => token,
        Some(BurnToken::Stdin) => read_token(std::io::stdin().lock())?,
    };
    let client = crate::http::build_client(plan.ca_cert.as_deref(), plan.client_cert.as_deref())
        .map_err(|e| Error::Prepare(e.into()))?;
    runtime()?.block_on(burn(&client, &plan.target.url, &token))?;
    text::print_burn_requested(burn_url(&plan.target.url).as_str());
    Ok(Exit::Ok)
}
