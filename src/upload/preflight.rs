//! Checks on each file before anything is sent, so that a mismatch the index
//! would refuse halfway through a release stops the batch first. Pure: file
//! name, metadata and target in. (`mintup check` will hold the full rule set.)

use std::str::FromStr;

use pep440_rs::Version;

use crate::dist::filename::normalize_name;
use crate::dist::{DistFilename, DistKind, Metadata};
use crate::index::IndexKind;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreflightError {
    #[error("{file}: the file name says project '{in_name}' but its metadata says '{in_metadata}'")]
    NameMismatch {
        file: String,
        in_name: String,
        in_metadata: String,
    },
    #[error("{file}: the file name says version {in_name} but its metadata says {in_metadata}")]
    VersionMismatch {
        file: String,
        in_name: String,
        in_metadata: String,
    },
    #[error("{file}: PyPI accepts only .tar.gz source distributions (PEP 625), not .zip")]
    ZipSdist { file: String },
}

impl PreflightError {
    pub fn hint(&self) -> &'static str {
        match self {
            PreflightError::ZipSdist { .. } => {
                "rebuild the sdist with `python -m build --sdist`, or leave the .zip out"
            }
            _ => "the file was renamed or built wrongly: rebuild it with `python -m build`",
        }
    }
}

/// The file name and the metadata must name the same project and version
/// (PEP 503 names, PEP 440 equality), and PyPI takes no `.zip` sdist.
pub fn check(
    file: &DistFilename,
    meta: &Metadata,
    target: IndexKind,
) -> Result<(), PreflightError> {
    let name = &file.filename;
    if normalize_name(&file.name) != normalize_name(&meta.name) {
        return Err(PreflightError::NameMismatch {
            file: name.clone(),
            in_name: file.name.clone(),
            in_metadata: meta.name.clone(),
        });
    }
    if Version::from_str(meta.version.trim()).ok().as_ref() != Some(&file.version) {
        return Err(PreflightError::VersionMismatch {
            file: name.clone(),
            in_name: file.version.to_string(),
            in_metadata: meta.version.clone(),
        });
    }
    if file.kind == DistKind::SdistZip && target.is_pypi_like() {
        return Err(PreflightError::ZipSdist { file: name.clone() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(name: &str, version: &str) -> Metadata {
        Metadata {
            metadata_version: "2.1".into(),
            name: name.into(),
            version: version.into(),
            ..Metadata::default()
        }
    }

    fn file(name: &str) -> DistFilename {
        DistFilename::parse(name).unwrap()
    }

    #[test]
    fn normalized_names_and_equal_versions_pass() {
        let wheel = file("Mint_Up.Demo-1.0-py3-none-any.whl");
        assert_eq!(
            check(&wheel, &meta("mint-up-demo", "1.0.0"), IndexKind::Pypi),
            Ok(())
        );
        assert_eq!(
            check(
                &file("x-2.0rc1.tar.gz"),
                &meta("X", "2.0.0-RC1"),
                IndexKind::Pypi
            ),
            Ok(())
        );
    }

    #[test]
    fn mismatches_are_named() {
        let err = check(
            &file("other-1.0-py3-none-any.whl"),
            &meta("something", "1.0"),
            IndexKind::Other,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "other-1.0-py3-none-any.whl: the file name says project 'other' but its metadata says 'something'"
        );
        let err = check(&file("x-1.0.tar.gz"), &meta("x", "7.0"), IndexKind::Other).unwrap_err();
        assert_eq!(
            err.to_string(),
            "x-1.0.tar.gz: the file name says version 1.0 but its metadata says 7.0"
        );
    }

    #[test]
    fn zip_sdists_only_elsewhere() {
        assert!(check(&file("x-1.0.zip"), &meta("x", "1.0"), IndexKind::Other).is_ok());
        assert!(matches!(
            check(&file("x-1.0.zip"), &meta("x", "1.0"), IndexKind::TestPypi),
            Err(PreflightError::ZipSdist { .. })
        ));
    }
}
