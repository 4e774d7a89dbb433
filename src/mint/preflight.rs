//! What each CI provider needs on the machine before a token can be asked
//! for: checked from the environment alone, before any request, so that a
//! missing permission is named as such even when the network is down.

use std::path::Path;

use super::oidc::{OidcError, github_ready, gitlab_variable};
use super::provider::Provider;
use crate::config::env::EnvSnapshot;

/// Check `provider`'s local precondition. `audience` is the one the token
/// will be asked for, when known before asking the index; GitLab's token
/// variable is named after it.
pub fn check(
    provider: Provider,
    audience: Option<&str>,
    env: &EnvSnapshot,
) -> Result<(), OidcError> {
    match provider {
        Provider::GitHub => github_ready(env),
        Provider::GitLab => gitlab(audience, env),
        Provider::Buildkite => on_path("buildkite-agent", env),
        Provider::CircleCi => on_path("circleci", env),
        // The metadata server is the only witness, and asking it is a request.
        Provider::Google => Ok(()),
    }
}

/// GitLab puts a declared `id_tokens:` entry in `<AUDIENCE>_ID_TOKEN`. With
/// the audience still unknown, any such variable will do for now.
fn gitlab(audience: Option<&str>, env: &EnvSnapshot) -> Result<(), OidcError> {
    match audience {
        Some(audience) => {
            let variable = gitlab_variable(audience);
            match env.get(&variable) {
                Some(_) => Ok(()),
                None => Err(OidcError::GitLabMissing { variable }),
            }
        }
        None if env.has_name_ending_with("_ID_TOKEN") => Ok(()),
        None => Err(OidcError::GitLabMissing {
            variable: "<AUDIENCE>_ID_TOKEN".into(),
        }),
    }
}

/// The provider's CLI must be on the job's PATH.
fn on_path(program: &'static str, env: &EnvSnapshot) -> Result<(), OidcError> {
    let found = env
        .get("PATH")
        .map(|path| std::env::split_paths(path).any(|dir| executable_file(&dir.join(program))))
        .unwrap_or(false);
    if found {
        Ok(())
    } else {
        Err(OidcError::Spawn {
            program,
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "not found on PATH"),
        })
    }
}

#[cfg(unix)]
fn executable_file(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn executable_file(path: &Path) -> bool {
    path.is_file() || path.with_extension("exe").is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> EnvSnapshot {
        EnvSnapshot::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn github_needs_both_request_variables() {
        let ok = env(&[
            ("ACTIONS_ID_TOKEN_REQUEST_URL", "https://example/x"),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "bearer"),
        ]);
        assert!(check(Provider::GitHub, None, &ok).is_ok());
        let missing = env(&[("ACTIONS_ID_TOKEN_REQUEST_URL", "https://example/x")]);
        assert!(matches!(
            check(Provider::GitHub, None, &missing),
            Err(OidcError::GitHubPermission)
        ));
    }

    #[test]
    fn gitlab_names_the_variable_of_a_known_audience() {
        let other = env(&[("SIGSTORE_ID_TOKEN", "jwt")]);
        match check(Provider::GitLab, Some("pypi"), &other) {
            Err(OidcError::GitLabMissing { variable }) => assert_eq!(variable, "PYPI_ID_TOKEN"),
            other => panic!("{other:?}"),
        }
        assert!(check(Provider::GitLab, None, &other).is_ok());
        assert!(matches!(
            check(Provider::GitLab, None, &env(&[])),
            Err(OidcError::GitLabMissing { .. })
        ));
    }

    #[test]
    fn buildkite_and_circleci_need_their_cli() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_str().unwrap().to_owned();
        let without = env(&[("PATH", &path)]);
        assert!(check(Provider::Buildkite, None, &without).is_err());
        assert!(check(Provider::CircleCi, None, &without).is_err());
        let agent = dir.path().join("buildkite-agent");
        std::fs::write(&agent, "#!/bin/sh\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&agent, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        assert!(check(Provider::Buildkite, None, &without).is_ok());
    }
}
