//! Which CI provider's identity to use. Pure: decided from the environment
//! snapshot and, for Google Cloud, the machine's DMI product name.

use std::fmt;

use crate::config::env::EnvSnapshot;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    GitHub,
    GitLab,
    Buildkite,
    CircleCi,
    Google,
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Provider::GitHub => "GitHub Actions",
            Provider::GitLab => "GitLab CI/CD",
            Provider::Buildkite => "Buildkite",
            Provider::CircleCi => "CircleCI",
            Provider::Google => "Google Cloud",
        })
    }
}

/// What detection looks at besides the environment.
#[derive(Debug, Clone, Default)]
pub struct MachineFacts {
    /// `/sys/class/dmi/id/product_name`, trimmed, where readable.
    pub dmi_product_name: Option<String>,
}

impl MachineFacts {
    pub fn read() -> Self {
        MachineFacts {
            dmi_product_name: std::fs::read_to_string("/sys/class/dmi/id/product_name")
                .ok()
                .map(|s| s.trim().to_owned()),
        }
    }
}

/// Detect the provider. The CI systems come first, each by its own variable,
/// and the Google Cloud machine identity last: a job's identity describes the
/// run, so a self-hosted GitHub or GitLab runner on a Google VM publishes as
/// its repository, not as the VM's service account.
pub fn detect(env: &EnvSnapshot, machine: &MachineFacts) -> Option<Provider> {
    let set = |name| env.get(name).is_some();
    // GitHub sets exactly `true`; anything else is someone's `false` or `0`.
    if env.get("GITHUB_ACTIONS") == Some("true") {
        Some(Provider::GitHub)
    } else if set("GITLAB_CI") {
        Some(Provider::GitLab)
    } else if set("BUILDKITE") {
        Some(Provider::Buildkite)
    } else if set("CIRCLECI") {
        Some(Provider::CircleCi)
    } else if set("GOOGLE_SERVICE_ACCOUNT_NAME")
        || matches!(
            machine.dmi_product_name.as_deref(),
            Some("Google" | "Google Compute Engine")
        )
    {
        Some(Provider::Google)
    } else {
        None
    }
}

/// What each provider needs, for the "not in a supported CI" error.
pub const REQUIREMENTS: &str = "\
GitHub Actions: a job with `permissions: id-token: write`
GitLab CI/CD: an `id_tokens:` entry named <AUDIENCE>_ID_TOKEN (e.g. PYPI_ID_TOKEN with `aud: pypi`)
Buildkite: `buildkite-agent` on PATH (PyPI does not accept Buildkite tokens yet)
CircleCI: the `circleci` CLI on PATH (PyPI does not accept CircleCI tokens yet)
Google Cloud: a VM or service with a service account, or GOOGLE_SERVICE_ACCOUNT_NAME to impersonate one";

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> EnvSnapshot {
        EnvSnapshot::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn ci_variables_win_over_the_google_machine() {
        let google = MachineFacts {
            dmi_product_name: Some("Google Compute Engine".into()),
        };
        assert_eq!(
            detect(&env(&[("GITHUB_ACTIONS", "true")]), &google),
            Some(Provider::GitHub)
        );
        assert_eq!(
            detect(&env(&[("GITLAB_CI", "true")]), &google),
            Some(Provider::GitLab)
        );
        assert_eq!(detect(&env(&[]), &google), Some(Provider::Google));
    }

    #[test]
    fn each_provider_by_its_variable() {
        let none = MachineFacts::default();
        assert_eq!(
            detect(&env(&[("BUILDKITE", "true")]), &none),
            Some(Provider::Buildkite)
        );
        assert_eq!(
            detect(&env(&[("CIRCLECI", "true")]), &none),
            Some(Provider::CircleCi)
        );
        assert_eq!(
            detect(
                &env(&[(
                    "GOOGLE_SERVICE_ACCOUNT_NAME",
                    "sa@p.iam.gserviceaccount.com"
                )]),
                &none
            ),
            Some(Provider::Google)
        );
        assert_eq!(detect(&env(&[("CI", "true")]), &none), None);
        assert_eq!(detect(&env(&[("GITHUB_ACTIONS", "false")]), &none), None);
        let other_vm = MachineFacts {
            dmi_product_name: Some("KVM".into()),
        };
        assert_eq!(detect(&env(&[]), &other_vm), None);
    }
}
