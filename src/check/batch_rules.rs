//! Rules on the batch as a whole: one sdist per release, and one release
//! where that is what the user meant.

use std::collections::BTreeMap;

use super::{FileFacts, Problem, Target};
use crate::dist::filename::normalize_name;

/// Problems with the index of the file they concern.
pub(super) fn check(files: &[FileFacts], target: Target) -> Vec<(usize, Problem)> {
    let mut problems = Vec::new();
    let mut sdists: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, file) in files.iter().enumerate() {
        if file.filename.kind.is_sdist() {
            let release = (
                normalize_name(&file.metadata.name),
                file.filename.version.to_string(),
            );
            sdists.entry(release).or_default().push(i);
        }
    }
    for ((project, version), indexes) in sdists.into_iter().filter(|(_, v)| v.len() > 1) {
        for &i in &indexes[1..] {
            problems.push((
                i,
                target.pypi_rule(
                    "one-sdist",
                    format!(
                        "{project} {version} already has an sdist in this batch ({}); PyPI takes one per release",
                        files[indexes[0]].filename.filename
                    ),
                    "upload one source distribution per release",
                ),
            ));
        }
    }
    // Several versions of one project are usually a stale dist/.
    let mut versions: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in files {
        let entry = versions
            .entry(normalize_name(&file.metadata.name))
            .or_default();
        let version = file.filename.version.to_string();
        if !entry.contains(&version) {
            entry.push(version);
        }
    }
    for (i, file) in files.iter().enumerate() {
        let found = &versions[&normalize_name(&file.metadata.name)];
        if found.len() > 1 && file.filename.version.to_string() != found[0] {
            problems.push((
                i,
                Problem::warning(
                    "mixed-versions",
                    format!(
                        "the batch holds versions {} of {}",
                        found.join(", "),
                        file.metadata.name
                    ),
                    "clear dist/ before building, unless uploading several releases is the plan",
                ),
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::IndexKind;

    use super::super::test_facts as file;

    #[test]
    fn one_sdist_per_release_and_mixed_versions() {
        let files = [
            file("x-1.0-py3-none-any.whl", "x", "1.0"),
            file("x-1.0.tar.gz", "x", "1.0"),
            file("x-1.0.zip", "X", "1.0"),
            file("x-2.0.tar.gz", "x", "2.0"),
        ];
        let found: Vec<(usize, String)> = check(&files, Target(IndexKind::Pypi))
            .into_iter()
            .map(|(i, p)| (i, p.message))
            .collect();
        assert_eq!(
            found,
            [
                (2, "x 1.0 already has an sdist in this batch (x-1.0.tar.gz); PyPI takes one per release".to_owned()),
                (3, "the batch holds versions 1.0, 2.0 of x".to_owned()),
            ]
        );
    }
}
