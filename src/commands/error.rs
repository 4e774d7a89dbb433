//! The top-level error of a command, its exit code and its hint.

use crate::hint::Hint;
use crate::mint::MintError;
use crate::settings::SettingsError;
use crate::upload::PrepareError;

/// How a command ends: the process's exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Every file was uploaded or skipped (or checked, minted, attested).
    Ok = 0,
    /// A file failed, or the run could not proceed.
    Failed = 1,
    /// A usage or configuration error (clap uses 2 as well).
    Usage = 2,
    /// Ctrl-C (SIGINT), as a shell reports it: 128 + 2.
    Interrupted = 130,
    /// SIGTERM: 128 + 15.
    Terminated = 143,
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit as u8)
    }
}

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
    #[error("no token to burn: give -t TOKEN, -t - (one line of stdin) or MINTUP_TOKEN")]
    NoBurnToken,
    #[error(transparent)]
    StdinToken(#[from] super::stdin_token::StdinTokenError),
    #[error(transparent)]
    Burn(#[from] crate::mint::burn::BurnError),
}

impl Error {
    pub fn exit(&self) -> Exit {
        match self {
            Error::Settings(_)
            | Error::NoGithubOutput
            | Error::SigstoreConfig(..)
            | Error::NoBurnToken
            | Error::StdinToken(_) => Exit::Usage,
            _ => Exit::Failed,
        }
    }
}

impl Hint for Error {
    fn hint(&self) -> Option<String> {
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
            Error::NoBurnToken => Some(
                "pass the token `mintup mint` printed, e.g. `printf '%s\\n' \"$token\" | mintup \
                 burn -t -`; the mint action burns its own token at the end of the job"
                    .into(),
            ),
            Error::Burn(e) => e.hint(),
            Error::Runtime(_) | Error::GithubOutput(..) | Error::StdinToken(_) => None,
        }
    }
}
