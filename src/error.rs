//! The top-level error, its exit code, and the one renderer that prints any
//! error as `error:` / `caused by:` / `hint:` lines.

use std::error::Error as StdError;
use std::fmt::Write;

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
    #[error("upload --attest needs trusted publishing, but this upload uses stored credentials")]
    AttestWithoutTrustedPublishing,
    #[error("the sigstore config {} is unusable", .0.display())]
    SigstoreConfig(
        std::path::PathBuf,
        #[source] Box<dyn std::error::Error + Send + Sync>,
    ),
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Settings(_)
            | Error::NoGithubOutput
            | Error::SigstoreConfig(..)
            | Error::AttestWithoutTrustedPublishing => EXIT_USAGE,
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
            Error::AttestWithoutTrustedPublishing => Some(
                "PyPI accepts attestations only on uploads made with a token minted by trusted \
                 publishing: drop the password or token (in CI mintup then mints one), or drop \
                 --attest"
                    .into(),
            ),
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

/// Render an error with its whole cause chain and an optional hint. A
/// `transparent` layer shares its source's message, so repeated lines are
/// dropped.
pub fn render(error: &dyn StdError, hint: Option<&str>) -> String {
    let mut out = format!("error: {error}\n");
    let mut last = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if text != last && !last.ends_with(&text) {
            let _ = writeln!(out, "  caused by: {text}");
        }
        last = text;
        source = cause.source();
    }
    if let Some(hint) = hint {
        let _ = writeln!(out, "hint: {hint}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn renders_chain_and_hint() {
        let e = Outer(std::io::Error::other("inner"));
        assert_eq!(
            render(&e, Some("do this")),
            "error: outer\n  caused by: inner\nhint: do this\n"
        );
        assert_eq!(render(&e, None), "error: outer\n  caused by: inner\n");
    }
}
