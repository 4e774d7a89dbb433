//! The top-level error of a command, its exit code and its hint.

use crate::mint::MintError;
use crate::settings::SettingsError;
use crate::upload::PrepareError;

/// Exit status when every file was uploaded or skipped.
pub const EXIT_OK: i32 = 0;
/// Exit status when a file failed or the run could not proceed.
pub const EXIT_FAILED: i32 = 1;
/// Exit status for usage and configuration errors (clap uses 2 as well).
pub const EXIT_USAGE: i32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Prepare(#[from] PrepareError),
    #[error("cannot read the password from the terminal")]
    Prompt(#[source] std::io::Error),
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
    #[error(transparent)]
    Mint(#[from] MintError),
    #[error("--github-output was given but GITHUB_OUTPUT is not set")]
    NoGithubOutput,
    #[error("cannot write the step output file {}", .0.display())]
    GithubOutput(std::path::PathBuf, #[source] std::io::Error),
    #[error(transparent)]
    Attest(#[from] crate::attest::run::AttestError),
    #[error("the sigstore config {} is unusable", .0.display())]
    SigstoreConfig(
        std::path::PathBuf,
        #[source] Box<dyn std::error::Error + Send + Sync>,
    ),
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Settings(_) | Error::NoGithubOutput | Error::SigstoreConfig(..) => EXIT_USAGE,
            _ => EXIT_FAILED,
        }
    }

    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Settings(e) => e.hint(),
            Error::Prepare(e) => e.hint(),
            Error::Prompt(_) => Some("pass -t/--token or set MINTUP_TOKEN instead".into()),
            Error::Mint(e) => e.hint(),
            Error::Attest(e) => e.hint(),
            Error::NoGithubOutput => {
                Some("--github-output only works inside a GitHub Actions step".into())
            }
            Error::SigstoreConfig(..) => Some(
                "give a sigstore ClientTrustConfig JSON (a trustedRoot and a signingConfig naming \
                 Fulcio and a Rekor v1 log), as sigstore-python's --trust-config takes"
                    .into(),
            ),
            Error::Runtime(_) | Error::GithubOutput(..) => None,
        }
    }
}
