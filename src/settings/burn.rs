//! `burn`'s plan: the index, its TLS settings, and where the token comes
//! from.

use std::path::PathBuf;

use crate::auth::Secret;
use crate::cli::BurnArgs;
use crate::config::env::EnvSnapshot;
use crate::config::pypirc::Pypirc;
use crate::index::Target;

use super::{SettingsError, resolve_target, resolve_tls};

/// Where the token to burn is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BurnToken {
    Given(Secret),
    /// `-t -`: one line of standard input, so that the token stays off the
    /// command line (where `ps` shows it).
    Stdin,
}

/// What `burn` needs.
#[derive(Debug, Clone)]
pub struct BurnPlan {
    pub target: Target,
    pub ca_cert: Option<PathBuf>,
    pub client_cert: Option<PathBuf>,
    /// `None` when no token was given anywhere (a usage error).
    pub token: Option<BurnToken>,
    pub notes: Vec<String>,
}

/// The repository as `upload` and `mint` resolve it; the token from `-t`
/// (`-` for stdin), else `MINTUP_TOKEN`. Never a password, `TWINE_PASSWORD`
/// or `.pypirc`: a burn is for a token minted by trusted publishing, not
/// for the stored credentials of an account.
pub fn resolve_burn(
    args: &BurnArgs,
    env: &EnvSnapshot,
    pypirc: Option<&(PathBuf, Pypirc)>,
) -> Result<BurnPlan, SettingsError> {
    let mut notes = Vec::new();
    let (target, section) = resolve_target(&args.repo, env, pypirc, &mut notes)?;
    let (ca_cert, client_cert) = resolve_tls(&args.tls, env, section);
    let token = match &args.token {
        Some(flag) if flag.expose() == "-" => Some(BurnToken::Stdin),
        flag => flag
            .clone()
            .or_else(|| env.get("MINTUP_TOKEN").map(Secret::new))
            .filter(|t| !t.is_empty())
            .map(BurnToken::Given),
    };
    Ok(BurnPlan {
        target,
        ca_cert,
        client_cert,
        token,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn plan(args: &[&str], env: &[(&str, &str)]) -> BurnPlan {
        let cli = Cli::try_parse_from(["mintup", "burn"].iter().chain(args)).unwrap();
        let Command::Burn(args) = cli.command else {
            unreachable!()
        };
        resolve_burn(&args, &EnvSnapshot::from_pairs(env.iter().copied()), None).unwrap()
    }

    #[test]
    fn the_token_comes_from_the_flag_then_mintup_token() {
        let env = [("MINTUP_TOKEN", "pypi-from-env")];
        let given = |s: &str| Some(BurnToken::Given(Secret::new(s)));
        assert_eq!(plan(&["-t", "pypi-flag"], &env).token, given("pypi-flag"));
        assert_eq!(plan(&[], &env).token, given("pypi-from-env"));
        assert_eq!(plan(&["-t", "-"], &env).token, Some(BurnToken::Stdin));
        // Only the flag's `-` means stdin; stored passwords are never burned.
        assert_eq!(plan(&[], &[("MINTUP_TOKEN", " ")]).token, None);
        assert_eq!(plan(&[], &[("TWINE_PASSWORD", "pypi-stored")]).token, None);
    }

    #[test]
    fn the_repository_is_resolved_as_for_upload() {
        assert_eq!(
            plan(&[], &[]).target.url.as_str(),
            "https://upload.pypi.org/legacy/"
        );
        assert_eq!(
            plan(&["-r", "testpypi"], &[]).target.url.as_str(),
            "https://test.pypi.org/legacy/"
        );
        let env = [("MINTUP_REPOSITORY_URL", "https://index.example/legacy")];
        let plan = plan(&[], &env);
        assert_eq!(plan.target.url.as_str(), "https://index.example/legacy/");
        assert_eq!(plan.notes.len(), 1, "{:?}", plan.notes);
    }
}
