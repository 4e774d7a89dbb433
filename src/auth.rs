//! Credentials as types that cannot leak: a `Secret` never shows its value in
//! `Debug` or `Display`, so a stray `{:?}` in an error or log prints `****`.

use std::fmt;

/// A password or API token. The only way to read it is [`Secret::expose`],
/// which call sites use exactly where the value goes on the wire.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wrap a value; surrounding whitespace is trimmed because a token pasted
    /// with a trailing newline is the most common copy-paste accident.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into().trim().to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(****)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("****")
    }
}

/// The user name PyPI expects with an API token.
pub const TOKEN_USERNAME: &str = "__token__";

/// HTTP Basic credentials for one repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: Secret,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let secret = Secret::new("pypi-AgEIcHlwaS5vcmc");
        assert_eq!(format!("{secret}"), "****");
        assert_eq!(format!("{secret:?}"), "Secret(****)");
        let creds = Credentials {
            username: TOKEN_USERNAME.into(),
            password: secret,
        };
        assert!(!format!("{creds:?}").contains("AgEI"));
    }

    #[test]
    fn trims_pasted_whitespace() {
        assert_eq!(Secret::new("  tok\n").expose(), "tok");
    }
}
