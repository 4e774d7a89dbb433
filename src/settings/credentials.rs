//! Which user name and password win, level by level.

use crate::auth::{Secret, TOKEN_USERNAME};
use crate::config::pypirc::PypircSection;
use crate::index::IndexKind;

use super::SettingsError;

/// One level of the precedence: what it says about the credentials.
pub(super) struct Level<'a> {
    pub username: Option<&'a str>,
    pub username_label: &'static str,
    pub password: Option<&'a str>,
    pub token: Option<&'a str>,
    pub password_label: &'static str,
}

/// The user name and password. The password (or token) comes from the
/// highest level that has one; a token there means user `__token__`, and a
/// password takes the highest user name given anywhere, then `.pypirc`'s,
/// then `__token__` on PyPI and TestPyPI. A token never lends its user name
/// to a password from another level.
pub(super) fn resolve_credentials(
    levels: &[Level<'_>],
    section: Option<&PypircSection>,
    kind: IndexKind,
) -> Result<(Option<String>, Option<Secret>), SettingsError> {
    let first_username = || {
        levels
            .iter()
            .find_map(|l| l.username)
            .map(str::to_owned)
            .or_else(|| section.and_then(|s| s.username.clone()))
            .or_else(|| kind.is_pypi_like().then(|| TOKEN_USERNAME.to_owned()))
    };
    let found = levels
        .iter()
        .enumerate()
        .find_map(|(i, l)| match (l.password, l.token) {
            (Some(_), Some(_)) => Some(Err(SettingsError::PasswordAndToken(l.password_label))),
            (Some(password), None) => Some(Ok((i, Secret::new(password), false))),
            (None, Some(token)) => Some(Ok((i, Secret::new(token), true))),
            (None, None) => None,
        });
    match found.transpose()? {
        Some((level, token, true)) => {
            if let Some(named) = levels[..=level]
                .iter()
                .find(|l| l.username.is_some_and(|u| u != TOKEN_USERNAME))
            {
                return Err(SettingsError::UsernameWithToken(named.username_label));
            }
            Ok((Some(TOKEN_USERNAME.to_owned()), Some(token)))
        }
        Some((_, password, false)) => {
            Ok((first_username(), Some(password).filter(|p| !p.is_empty())))
        }
        None => Ok((
            first_username(),
            section
                .and_then(|s| s.password.clone())
                .filter(|p| !p.is_empty()),
        )),
    }
}
