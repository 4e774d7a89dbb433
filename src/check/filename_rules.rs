//! Rules on file names: the name and version agree with the metadata, and on
//! PyPI names are normalized (PEP 625 sdists, normalized wheel names) and
//! platform tags are ones PyPI accepts.

use std::str::FromStr;

use pep440_rs::Version;

use super::{FileFacts, Problem, Target};
use crate::dist::DistKind;
use crate::dist::filename::normalize_name;

const REBUILD: &str = "rebuild with a current build backend (`python -m build`)";

pub(super) fn check(file: &FileFacts, target: Target) -> Vec<Problem> {
    let mut problems = Vec::new();
    let name = &file.filename;
    let meta = &file.metadata;
    if normalize_name(&name.name) != normalize_name(&meta.name) {
        problems.push(Problem::error(
            "filename",
            format!(
                "the file name says project '{}' but the metadata says '{}'",
                name.name, meta.name
            ),
            "the file was renamed or built wrongly: rebuild it",
        ));
    }
    match Version::from_str(meta.version.trim()) {
        Ok(version) if version != name.version => problems.push(Problem::error(
            "filename",
            format!(
                "the file name says version {} but the metadata says {}",
                name.version, meta.version
            ),
            "the file was renamed or built wrongly: rebuild it",
        )),
        _ => {}
    }
    // Warehouse wants the literal name part to be the normalized name with
    // `_` for `-` (wheels since Oct 2025, sdists by PEP 625).
    let expected_name = normalize_name(&meta.name).replace('-', "_");
    match name.kind {
        DistKind::Wheel if name.name != expected_name => problems.push(target.pypi_rule(
            "filename",
            format!(
                "the file name should start with the normalized project name '{expected_name}', not '{}'",
                name.name
            ),
            REBUILD,
        )),
        DistKind::SdistZip => problems.push(target.pypi_rule(
            "filename",
            "a .zip sdist: PyPI accepts only .tar.gz source distributions (PEP 625)",
            "rebuild the sdist with `python -m build --sdist`",
        )),
        DistKind::SdistTarGz => {
            // Warehouse builds the name from the metadata's version, normalized.
            let version = Version::from_str(meta.version.trim()).map_or_else(|_| meta.version.clone(), |v| v.to_string());
            let expected = format!("{expected_name}-{version}.tar.gz");
            if name.filename != expected {
                problems.push(target.pypi_rule(
                    "filename",
                    format!("an sdist must be named exactly {expected} (PEP 625)"),
                    REBUILD,
                ));
            }
        }
        DistKind::Wheel => {}
    }
    if let Some(tags) = &name.wheel_tags {
        for platform in tags.platform.split('.') {
            if !platform_allowed(platform) {
                problems.push(target.pypi_rule(
                    "platform-tag",
                    format!("PyPI does not accept the platform tag '{platform}'"),
                    "build Linux wheels as manylinux or musllinux (auditwheel repair, cibuildwheel)",
                ));
            }
        }
    }
    problems
}

/// PyPI's allow-list of platform tags, by shape.
fn platform_allowed(tag: &str) -> bool {
    const EXACT: &[&str] = &[
        "any",
        "win32",
        "win_amd64",
        "win_arm64",
        "win_ia64",
        "linux_armv6l",
        "linux_armv7l",
    ];
    const PREFIXES: &[&str] = &[
        "manylinux1_",
        "manylinux2010_",
        "manylinux2014_",
        "manylinux_",
        "musllinux_",
        "macosx_",
        "ios_",
        "android_",
        "pyemscripten_",
    ];
    EXACT.contains(&tag) || PREFIXES.iter().any(|p| tag.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::IndexKind;

    use super::super::test_facts as facts;

    fn messages(file: &str, name: &str, version: &str, kind: IndexKind) -> Vec<String> {
        check(&facts(file, name, version), Target(kind))
            .into_iter()
            .map(|p| format!("{:?} {}", p.severity, p.message))
            .collect()
    }

    #[test]
    fn normalized_names_pass() {
        assert!(
            messages(
                "mint_up_demo-1.0-py3-none-any.whl",
                "Mint_Up.Demo",
                "1.0",
                IndexKind::Pypi
            )
            .is_empty()
        );
        assert!(
            messages(
                "mint_up_demo-1.0.tar.gz",
                "Mint-Up-Demo",
                "1.0.0",
                IndexKind::Pypi
            )
            .len()
                == 1
        );
        assert!(
            messages(
                "mint_up_demo-1.0.0.tar.gz",
                "Mint-Up-Demo",
                "1.0.0",
                IndexKind::Pypi
            )
            .is_empty()
        );
    }

    #[test]
    fn unnormalized_names_fail_on_pypi_and_warn_elsewhere() {
        let on = |kind| {
            messages(
                "Mint_Up.Demo-1.0-py3-none-any.whl",
                "Mint_Up.Demo",
                "1.0",
                kind,
            )
        };
        assert_eq!(
            on(IndexKind::Pypi),
            [
                "Error the file name should start with the normalized project name 'mint_up_demo', not 'Mint_Up.Demo'"
            ]
        );
        assert_eq!(on(IndexKind::Other)[0].split(' ').next(), Some("Warning"));
        assert_eq!(
            messages("x-1.0.zip", "x", "1.0", IndexKind::TestPypi),
            ["Error a .zip sdist: PyPI accepts only .tar.gz source distributions (PEP 625)"]
        );
    }

    #[test]
    fn mismatches_and_platforms() {
        assert_eq!(
            messages("x-1.0-py3-none-any.whl", "y", "2.0", IndexKind::Other),
            [
                "Error the file name says project 'x' but the metadata says 'y'",
                "Error the file name says version 1.0 but the metadata says 2.0",
                "Warning the file name should start with the normalized project name 'y', not 'x'",
            ]
        );
        assert_eq!(
            messages(
                "x-1.0-cp312-cp312-linux_x86_64.whl",
                "x",
                "1.0",
                IndexKind::Pypi
            ),
            ["Error PyPI does not accept the platform tag 'linux_x86_64'"]
        );
        assert!(
            messages(
                "x-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                "x",
                "1.0",
                IndexKind::Pypi
            )
            .is_empty()
        );
    }
}
