//! `mintup burn`: hand a minted token back to the index to be burned.

use std::io::BufRead;

use crate::auth::Secret;
use crate::cli::BurnArgs;
use crate::config::env::EnvSnapshot;
use crate::mint::burn::{burn, burn_url};
use crate::output::text;
use crate::settings;
use crate::settings::burn::{BurnToken, resolve_burn};

use super::error::{Error, Exit};
use super::runtime;

/// The longest line `-t -` reads: PyPI's tokens are a few hundred bytes.
const MAX_STDIN_TOKEN: usize = 4096;

/// Why `-t -` found no token on stdin.
#[derive(Debug, thiserror::Error)]
pub enum StdinTokenError {
    #[error("cannot read the token from stdin")]
    Read(#[source] std::io::Error),
    #[error("the first line of stdin is longer than {} KiB; a token is not", MAX_STDIN_TOKEN >> 10)]
    TooLong,
    #[error("stdin holds no token (its first line is empty)")]
    Empty,
}

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

/// The token on the first line of `input`, trimmed; at most
/// [`MAX_STDIN_TOKEN`] bytes are read, so a stream that never ends a line
/// cannot fill memory.
fn read_token(input: impl BufRead) -> Result<Secret, StdinTokenError> {
    let mut line = String::new();
    input
        .take(MAX_STDIN_TOKEN as u64 + 1)
        .read_line(&mut line)
        .map_err(StdinTokenError::Read)?;
    if line.trim_end_matches(['\r', '\n']).len() > MAX_STDIN_TOKEN {
        return Err(StdinTokenError::TooLong);
    }
    let token = Secret::new(line);
    if token.is_empty() {
        return Err(StdinTokenError::Empty);
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_trimmed_line() {
        let token = read_token(&b"  pypi-AgEItoken\r\nsecond line\n"[..]).unwrap();
        assert_eq!(token.expose(), "pypi-AgEItoken");
        let exact = "x".repeat(MAX_STDIN_TOKEN);
        assert_eq!(read_token(exact.as_bytes()).unwrap().expose(), exact);
    }

    #[test]
    fn refuses_empty_long_and_binary_input() {
        for input in [&b""[..], b"\n", b"   \nsecond"] {
            assert!(matches!(read_token(input), Err(StdinTokenError::Empty)));
        }
        let long = "x".repeat(MAX_STDIN_TOKEN + 1);
        assert!(matches!(
            read_token(long.as_bytes()),
            Err(StdinTokenError::TooLong)
        ));
        assert!(matches!(
            read_token(&b"\xff\xfe\n"[..]),
            Err(StdinTokenError::Read(_))
        ));
    }
}
