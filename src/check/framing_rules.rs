//! Rules on how an archive is framed, which PyPI checks before it reads one
//! (warehouse/forklift/legacy.py `_is_valid_dist_file`): no file is both a
//! zip and a tar, a zip reads the same from either end, and an sdist has no
//! sparse members. Each could make two tools unpack different files.

use super::{FileFacts, Problem, Target};

/// Where PyPI explains these rules.
const ARCHIVES: &str = "see https://docs.pypi.org/archives";

pub(super) fn check(file: &FileFacts, target: Target) -> Vec<Problem> {
    let mut problems = Vec::new();
    if file.framing.polyglot {
        problems.push(target.pypi_rule(
            "polyglot",
            "File is both a zip and a tar file: a tar header starts it and a zip directory ends it",
            "rebuild it; nothing may be prepended or appended to a distribution",
        ));
    }
    if let Some(error) = &file.framing.zip {
        problems.push(target.pypi_rule(
            "zip-framing",
            format!("ZIP archive not accepted: {error}"),
            format!("rebuild it with a standard build backend; {ARCHIVES}"),
        ));
    }
    let mut sparse = file.members.iter().filter(|m| m.sparse);
    if let Some(first) = sparse.next() {
        let more = match sparse.count() {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        problems.push(target.pypi_rule(
            "tar-sparse",
            format!(
                "tar archive not accepted: Sparse members are not allowed ({}{more})",
                first.name
            ),
            format!(
                "rebuild the sdist with `python -m build --sdist`, not `tar --sparse`; {ARCHIVES}"
            ),
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::archive::{Compression, Member};
    use crate::dist::zip_framing::{FramingError, FramingKind};
    use crate::index::IndexKind;

    fn messages(file: &FileFacts, kind: IndexKind) -> Vec<String> {
        check(file, Target(kind))
            .into_iter()
            .map(|p| format!("{:?} {}: {}", p.severity, p.rule, p.message))
            .collect()
    }

    #[test]
    fn each_framing_fault_is_refused_on_pypi_only() {
        let mut file = super::super::test_facts("x-1.0-py3-none-any.whl", "x", "1.0");
        assert!(messages(&file, IndexKind::Pypi).is_empty());
        file.framing.polyglot = true;
        file.framing.zip = Some(FramingError {
            kind: FramingKind::FileSize,
            offset: Some(0),
            member: Some("x/__init__.py".into()),
        });
        assert_eq!(
            messages(&file, IndexKind::Pypi),
            [
                "Error polyglot: File is both a zip and a tar file: a tar header starts it and a zip directory ends it",
                "Error zip-framing: ZIP archive not accepted: Mis-matched file size (at byte 0, x/__init__.py)",
            ]
        );
        assert!(
            messages(&file, IndexKind::Other)
                .iter()
                .all(|m| m.starts_with("Warning"))
        );
    }

    #[test]
    fn sparse_members_are_named_once() {
        let mut file = super::super::test_facts("x-1.0.tar.gz", "x", "1.0");
        file.members = ["x-1.0/PKG-INFO", "x-1.0/a", "x-1.0/b", "x-1.0/c"]
            .iter()
            .map(|name| Member {
                name: (*name).into(),
                compression: Compression::Tar,
                size: 1,
                compressed: 1,
                is_file: true,
                sparse: *name != "x-1.0/PKG-INFO",
            })
            .collect();
        assert_eq!(
            messages(&file, IndexKind::TestPypi),
            [
                "Error tar-sparse: tar archive not accepted: Sparse members are not allowed (x-1.0/a and 2 more)"
            ]
        );
    }
}
