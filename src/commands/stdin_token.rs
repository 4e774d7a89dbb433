//! The token `mintup burn -t -` reads from stdin: one line, bounded.

use std::io::BufRead;

use crate::auth::Secret;

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

/// The token on the first line of `input`, trimmed; at most
/// [`MAX_STDIN_TOKEN`] bytes are read, so a stream that never ends a line
/// cannot fill memory.
pub(super) fn read_token(input: impl BufRead) -> Result<Secret, StdinTokenError> {
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
