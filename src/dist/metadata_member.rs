//! Which archive member holds a distribution's core metadata: a wheel's
//! `.dist-info/METADATA`, an sdist's top-level `PKG-INFO`.

use super::archive::ArchiveError;
use super::filename::DistFilename;

/// `<top>/PKG-INFO`, with `./` prefixes tolerated as tar writers emit them.
pub(super) fn is_top_level_pkg_info(name: &str) -> bool {
    let name = name.trim_start_matches("./");
    matches!(name.split('/').collect::<Vec<_>>()[..], [top, "PKG-INFO"] if !top.is_empty())
}

pub(super) fn no_pkg_info() -> ArchiveError {
    ArchiveError::NoMetadata {
        expected: "PKG-INFO in its top-level directory (<name>-<version>/PKG-INFO)".into(),
    }
}

/// The wheel's `*.dist-info/METADATA`: the one in the top-level `.dist-info`
/// directory named after the file (as Warehouse looks it up), or else the only
/// one there is.
pub(super) fn pick_wheel_metadata(
    names: &[&str],
    dist: &DistFilename,
) -> Result<String, ArchiveError> {
    let candidates: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| {
            matches!(n.split('/').collect::<Vec<_>>()[..],
                [dir, "METADATA"] if dir.ends_with(".dist-info"))
        })
        .collect();
    let expected = format!("{}-{}.dist-info/METADATA", dist.name, dist.version_text);
    if let Some(exact) = candidates.iter().find(|c| **c == expected) {
        return Ok((*exact).to_owned());
    }
    match candidates[..] {
        [only] => Ok(only.to_owned()),
        [] => Err(ArchiveError::NoMetadata { expected }),
        _ => Err(ArchiveError::ManyMetadata(
            candidates.iter().map(|s| (*s).to_owned()).collect(),
        )),
    }
}

pub(super) fn pick_sdist_pkg_info(names: &[&str]) -> Result<String, ArchiveError> {
    let candidates: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| is_top_level_pkg_info(n))
        .collect();
    match candidates[..] {
        [only] => Ok(only.to_owned()),
        [] => Err(no_pkg_info()),
        _ => Err(ArchiveError::ManyMetadata(
            candidates.iter().map(|s| (*s).to_owned()).collect(),
        )),
    }
}
