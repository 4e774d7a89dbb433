//! Distribution file names: which files are wheels and sdists, and what their
//! names say. Pure: works on the file name only.

use std::str::FromStr;

use pep440_rs::Version;

/// What kind of distribution a file is, as the upload form's `filetype` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DistKind {
    Wheel,
    /// A PEP 625 `.tar.gz` source distribution.
    SdistTarGz,
    /// A legacy `.zip` source distribution: PyPI refuses it, other indexes may not.
    SdistZip,
}

impl DistKind {
    pub fn filetype(self) -> &'static str {
        match self {
            DistKind::Wheel => "bdist_wheel",
            DistKind::SdistTarGz | DistKind::SdistZip => "sdist",
        }
    }

    pub fn is_sdist(self) -> bool {
        !matches!(self, DistKind::Wheel)
    }
}

/// A parsed distribution file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistFilename {
    /// The file name as given.
    pub filename: String,
    pub kind: DistKind,
    /// The name component, as written (not normalized).
    pub name: String,
    pub version: Version,
    /// The version as written, for paths inside the archive (Warehouse looks
    /// for `{name}-{version}.dist-info` with the file name's own spelling).
    pub version_text: String,
    /// Wheel tag fields; `None` for sdists.
    pub wheel_tags: Option<WheelTags>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WheelTags {
    pub build: Option<String>,
    /// The python tag field as written, e.g. `py3` or `py2.py3`.
    pub python: String,
    pub abi: String,
    pub platform: String,
}

impl DistFilename {
    /// The form's `pyversion`: a wheel's python tag field as written (what
    /// twine sends), `source` for an sdist (what Warehouse requires).
    pub fn pyversion(&self) -> &str {
        match &self.wheel_tags {
            Some(tags) => &tags.python,
            None => "source",
        }
    }

    pub fn parse(filename: &str) -> Result<Self, FilenameError> {
        let err = |kind| FilenameError {
            filename: filename.to_owned(),
            kind,
        };
        if let Some(stem) = filename.strip_suffix(".whl") {
            return parse_wheel(filename, stem).map_err(err);
        }
        let (stem, kind) = if let Some(stem) = filename.strip_suffix(".tar.gz") {
            (stem, DistKind::SdistTarGz)
        } else if let Some(stem) = filename.strip_suffix(".zip") {
            (stem, DistKind::SdistZip)
        } else {
            return Err(err(ErrorKind::UnknownExtension));
        };
        // sdist names carry no other dashes once normalized; legacy ones may,
        // so the version is whatever follows the last dash.
        let (name, version) = stem
            .rsplit_once('-')
            .filter(|(name, version)| !name.is_empty() && !version.is_empty())
            .ok_or_else(|| err(ErrorKind::SdistShape))?;
        Ok(DistFilename {
            filename: filename.to_owned(),
            kind,
            name: name.to_owned(),
            version: parse_version(version).map_err(err)?,
            version_text: version.to_owned(),
            wheel_tags: None,
        })
    }
}

fn parse_wheel(filename: &str, stem: &str) -> Result<DistFilename, ErrorKind> {
    let parts: Vec<&str> = stem.split('-').collect();
    let (name, version, build, python, abi, platform) = match parts[..] {
        [n, v, p, a, pl] => (n, v, None, p, a, pl),
        [n, v, b, p, a, pl] => (n, v, Some(b), p, a, pl),
        _ => return Err(ErrorKind::WheelShape(parts.len())),
    };
    if parts.iter().any(|p| p.is_empty()) {
        return Err(ErrorKind::WheelShape(parts.len()));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    {
        return Err(ErrorKind::WheelName(name.to_owned()));
    }
    if let Some(build) = build
        && !build.starts_with(|c: char| c.is_ascii_digit())
    {
        return Err(ErrorKind::WheelBuild(build.to_owned()));
    }
    Ok(DistFilename {
        filename: filename.to_owned(),
        kind: DistKind::Wheel,
        name: name.to_owned(),
        version: parse_version(version)?,
        version_text: version.to_owned(),
        wheel_tags: Some(WheelTags {
            build: build.map(str::to_owned),
            python: python.to_owned(),
            abi: abi.to_owned(),
            platform: platform.to_owned(),
        }),
    })
}

fn parse_version(text: &str) -> Result<Version, ErrorKind> {
    Version::from_str(text).map_err(|e| ErrorKind::Version(text.to_owned(), e.to_string()))
}

/// A file name that is not a distribution we can upload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{filename}: {kind}")]
pub struct FilenameError {
    pub filename: String,
    pub kind: ErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErrorKind {
    #[error("not a distribution file (expected a .whl, .tar.gz or legacy .zip sdist)")]
    UnknownExtension,
    #[error(
        "a wheel name has 5 or 6 dash-separated parts \
         ({{name}}-{{version}}(-{{build}})?-{{python}}-{{abi}}-{{platform}}.whl), this one has {0}"
    )]
    WheelShape(usize),
    #[error("wheel name part '{0}' may only contain letters, digits, '_' and '.'")]
    WheelName(String),
    #[error("wheel build tag '{0}' must start with a digit")]
    WheelBuild(String),
    #[error("an sdist is named {{name}}-{{version}}.tar.gz")]
    SdistShape,
    #[error("'{0}' is not a valid PEP 440 version: {1}")]
    Version(String, String),
}

/// PEP 503 normalization: lowercase, runs of `-`, `_` and `.` become `-`,
/// as `pep508_rs` does it. A name that is not a valid project name at all
/// (the checks say so) is only lowercased.
pub fn normalize_name(name: &str) -> String {
    pep508_rs::PackageName::new(name.to_owned())
        .map_or_else(|_| name.to_lowercase(), |n| n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wheel_with_and_without_build_tag() {
        let w = DistFilename::parse("mint_up_demo-1.0.0-py3-none-any.whl").unwrap();
        assert_eq!(w.kind, DistKind::Wheel);
        assert_eq!(w.name, "mint_up_demo");
        assert_eq!(w.version.to_string(), "1.0.0");
        assert_eq!(w.pyversion(), "py3");
        let w = DistFilename::parse("pkg-2.0rc1-7-cp312-cp312-manylinux_2_17_x86_64.whl").unwrap();
        let tags = w.wheel_tags.unwrap();
        assert_eq!(tags.build.as_deref(), Some("7"));
        assert_eq!(tags.python, "cp312");
        assert_eq!(tags.platform, "manylinux_2_17_x86_64");
    }

    #[test]
    fn pyversion_keeps_compressed_tag_sets() {
        let w = DistFilename::parse("six-1.16.0-py2.py3-none-any.whl").unwrap();
        assert_eq!(w.pyversion(), "py2.py3");
    }

    #[test]
    fn sdists() {
        let s = DistFilename::parse("mint_up_demo-1.0.0.tar.gz").unwrap();
        assert_eq!(
            (s.kind, s.name.as_str()),
            (DistKind::SdistTarGz, "mint_up_demo")
        );
        assert_eq!(s.pyversion(), "source");
        let z = DistFilename::parse("Legacy-Thing-0.1.zip").unwrap();
        assert_eq!(
            (z.kind, z.name.as_str()),
            (DistKind::SdistZip, "Legacy-Thing")
        );
        assert_eq!(z.kind.filetype(), "sdist");
    }

    #[test]
    fn bad_names_say_what_is_wrong() {
        let msg = |f: &str| DistFilename::parse(f).unwrap_err().to_string();
        assert_eq!(
            msg("pkg-1.0.egg"),
            "pkg-1.0.egg: not a distribution file (expected a .whl, .tar.gz or legacy .zip sdist)"
        );
        assert!(msg("pkg-1.0-py3.whl").contains("this one has 3"));
        assert!(msg("pkg-one-py3-none-any.whl").contains("'one' is not a valid PEP 440 version"));
        assert!(msg("pkg-1.0-x-py3-none-any.whl").contains("build tag 'x'"));
        assert!(msg("pkg.tar.gz").contains("{name}-{version}.tar.gz"));
    }

    #[test]
    fn pep503_normalization() {
        assert_eq!(normalize_name("Mint_Up.Demo"), "mint-up-demo");
        assert_eq!(normalize_name("a__-.b"), "a-b");
        assert_eq!(normalize_name("a--b"), "a-b");
        assert_eq!(normalize_name("not a name"), "not a name");
    }
}
