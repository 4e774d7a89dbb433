//! `.pypirc` parsing: the INI file twine and distutils read, reduced to the
//! repository sections mintup uses. Pure on `&str`; reading the file is the
//! caller's job.

use std::collections::BTreeMap;

use configparser::ini::Ini;

use crate::auth::Secret;

/// One `[section]` of a `.pypirc`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PypircSection {
    pub repository: Option<String>,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub ca_cert: Option<String>,
    pub client_cert: Option<String>,
}

/// The repository sections of a `.pypirc`, by section name (case kept, as
/// Python's configparser keeps section names).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pypirc {
    pub sections: BTreeMap<String, PypircSection>,
}

/// Why a `.pypirc` could not be parsed; the text is configparser's own.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PypircError(String);

impl Pypirc {
    /// Parse `.pypirc` text. Keys are case-insensitive and take `=` or `:`,
    /// values may continue on indented lines (`index-servers` usually does),
    /// and `%` is literal: twine reads the file without interpolation so that
    /// passwords may contain it.
    pub fn parse(text: &str) -> Result<Self, PypircError> {
        let mut ini = Ini::new_cs();
        ini.set_multiline(true);
        // Python's RawConfigParser has no inline comments: `#` and `;` in a
        // password are part of it.
        ini.set_inline_comment_symbols(Some(&[]));
        let map = ini.read(text.to_owned()).map_err(PypircError)?;
        let mut sections = BTreeMap::new();
        for (name, entries) in map {
            if name == "distutils" || name == "default" {
                continue;
            }
            let value = |key: &str| {
                entries
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(key))
                    .and_then(|(_, v)| v.as_deref())
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
            };
            let section = PypircSection {
                repository: value("repository"),
                username: value("username"),
                password: value("password").map(Secret::new),
                ca_cert: value("ca_cert"),
                client_cert: value("client_cert"),
            };
            sections.insert(name, section);
        }
        Ok(Pypirc { sections })
    }

    pub fn section(&self, name: &str) -> Option<&PypircSection> {
        self.sections.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TYPICAL: &str = "\
[distutils]
index-servers =
    pypi
    testpypi
    private

[pypi]
username = __token__
password = pypi-AgEIcHlwaS5vcmcCJG%secret

[testpypi]
repository: https://test.pypi.org/legacy/
Username = __token__
password = pypi-test

# a comment
[private]
repository = https://devpi.example/root/prod/
username = alice
password =
ca_cert = /etc/ssl/private-ca.pem
";

    #[test]
    fn reads_repository_sections() {
        let rc = Pypirc::parse(TYPICAL).unwrap();
        assert_eq!(
            rc.sections.keys().collect::<Vec<_>>(),
            ["private", "pypi", "testpypi"]
        );
        let pypi = rc.section("pypi").unwrap();
        assert_eq!(pypi.username.as_deref(), Some("__token__"));
        assert_eq!(
            pypi.password.as_ref().unwrap().expose(),
            "pypi-AgEIcHlwaS5vcmcCJG%secret"
        );
        assert_eq!(pypi.repository, None);
    }

    #[test]
    fn keys_are_case_insensitive_and_colon_works() {
        let rc = Pypirc::parse(TYPICAL).unwrap();
        let test = rc.section("testpypi").unwrap();
        assert_eq!(
            test.repository.as_deref(),
            Some("https://test.pypi.org/legacy/")
        );
        assert_eq!(test.username.as_deref(), Some("__token__"));
    }

    #[test]
    fn empty_values_are_absent() {
        let rc = Pypirc::parse(TYPICAL).unwrap();
        let private = rc.section("private").unwrap();
        assert_eq!(private.password, None);
        assert_eq!(private.ca_cert.as_deref(), Some("/etc/ssl/private-ca.pem"));
    }

    #[test]
    fn section_names_keep_their_case() {
        let rc = Pypirc::parse("[Corp]\nrepository = https://x/\n").unwrap();
        assert!(rc.section("Corp").is_some());
        assert!(rc.section("corp").is_none());
    }

    #[test]
    fn hash_and_semicolon_belong_to_the_value() {
        let rc = Pypirc::parse("[x]\npassword = abc#def;ghi\n").unwrap();
        assert_eq!(
            rc.section("x").unwrap().password.as_ref().unwrap().expose(),
            "abc#def;ghi"
        );
        let rc = Pypirc::parse("# comment\n; other\n[x]\nusername = u\n").unwrap();
        assert_eq!(rc.section("x").unwrap().username.as_deref(), Some("u"));
    }

    #[test]
    fn empty_file_has_no_sections() {
        assert!(Pypirc::parse("").unwrap().sections.is_empty());
    }
}
