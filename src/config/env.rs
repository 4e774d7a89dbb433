//! A snapshot of the process environment, taken once at the edge so that
//! settings resolution is a pure function of it (and tests pass their own).

use std::collections::BTreeMap;
use std::path::PathBuf;

/// The variables mintup reads, and nothing else (besides GitLab's
/// `<AUDIENCE>_ID_TOKEN` variables, see [`EnvSnapshot::capture`]).
pub const VARIABLES: &[&str] = &[
    "MINTUP_USERNAME",
    "MINTUP_PASSWORD",
    "MINTUP_TOKEN",
    "MINTUP_REPOSITORY",
    "MINTUP_REPOSITORY_URL",
    "TWINE_USERNAME",
    "TWINE_PASSWORD",
    "TWINE_REPOSITORY",
    "TWINE_REPOSITORY_URL",
    "TWINE_CERT",
    "REQUESTS_CA_BUNDLE",
    "SSL_CERT_FILE",
    "MINTUP_RETRIES",
    "MINTUP_JOBS",
    "MINTUP_CHECK_URL",
    "MINTUP_JSON_API_URL",
    "MINTUP_SIGSTORE_CONFIG",
    "MINTUP_TRUSTED_PUBLISHING",
    "MINTUP_GOOGLE_IAM_URL",
    "CI",
    "HOME",
    "USERPROFILE",
    "PATH",
    "GITHUB_ACTIONS",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "GITHUB_EVENT_NAME",
    "GITHUB_EVENT_PATH",
    "GITHUB_OUTPUT",
    "GITHUB_STEP_SUMMARY",
    "GITLAB_CI",
    "BUILDKITE",
    "CIRCLECI",
    "GOOGLE_SERVICE_ACCOUNT_NAME",
    "GCE_METADATA_HOST",
];

#[derive(Clone, Default)]
pub struct EnvSnapshot {
    vars: BTreeMap<String, String>,
}

/// Names only: the values include passwords and tokens.
impl std::fmt::Debug for EnvSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.vars.keys()).finish()
    }
}

impl EnvSnapshot {
    /// Read [`VARIABLES`] and any `*_ID_TOKEN` variable (GitLab's OIDC
    /// tokens, named after their audience) from the process environment.
    pub fn capture() -> Self {
        Self::from_pairs(
            std::env::vars().filter(|(name, _)| {
                VARIABLES.contains(&name.as_str()) || name.ends_with("_ID_TOKEN")
            }),
        )
    }

    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        EnvSnapshot {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// A variable's value; set-but-empty counts as unset, as it does for twine.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Whether any set variable's name ends with `suffix`.
    pub fn has_name_ending_with(&self, suffix: &str) -> bool {
        self.vars
            .iter()
            .any(|(name, value)| name.ends_with(suffix) && !value.is_empty())
    }

    /// Whether we run in CI, where nobody can answer a prompt.
    pub fn is_ci(&self) -> bool {
        self.get("CI")
            .is_some_and(|v| !v.eq_ignore_ascii_case("false") && v != "0")
    }

    /// The default `.pypirc` location: `~/.pypirc`.
    pub fn default_pypirc(&self) -> Option<PathBuf> {
        self.get("HOME")
            .or_else(|| self.get("USERPROFILE"))
            .map(|home| PathBuf::from(home).join(".pypirc"))
    }
}
