//! Which core-metadata fields exist, and which Metadata-Version introduced
//! each: a field newer than the version a file declares is refused.

use super::{Problem, SPEC, Target};
use crate::dist::Metadata;

/// Every core-metadata field, lower-cased, as Dynamic may name them.
pub(super) const KNOWN_FIELDS: &[&str] = &[
    "metadata-version",
    "name",
    "version",
    "platform",
    "supported-platform",
    "summary",
    "description",
    "description-content-type",
    "keywords",
    "home-page",
    "download-url",
    "author",
    "author-email",
    "maintainer",
    "maintainer-email",
    "license",
    "license-expression",
    "license-file",
    "classifier",
    "requires-dist",
    "requires-python",
    "requires-external",
    "project-url",
    "provides-extra",
    "provides-dist",
    "obsoletes-dist",
    "requires",
    "provides",
    "obsoletes",
    "import-name",
    "import-namespace",
];

/// The Metadata-Versions Warehouse accepts (2.0 never was one).
pub(super) const SUPPORTED: &[&str] = &["1.0", "1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5"];

/// `(major, minor)`.
pub(super) fn parse_metadata_version(text: &str) -> Option<(u32, u32)> {
    let (major, minor) = text.trim().split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// The optional fields present, with the Metadata-Version that introduced them.
pub(super) fn fields_present(meta: &Metadata) -> Vec<(&'static str, (u32, u32))> {
    let present = [
        (
            "Supported-Platform",
            !meta.supported_platforms.is_empty(),
            (1, 1),
        ),
        ("Classifier", !meta.classifiers.is_empty(), (1, 1)),
        ("Download-URL", meta.download_url.is_some(), (1, 1)),
        ("Requires", !meta.requires.is_empty(), (1, 1)),
        ("Provides", !meta.provides.is_empty(), (1, 1)),
        ("Obsoletes", !meta.obsoletes.is_empty(), (1, 1)),
        ("Maintainer", meta.maintainer.is_some(), (1, 2)),
        ("Maintainer-email", meta.maintainer_email.is_some(), (1, 2)),
        ("Requires-Dist", !meta.requires_dist.is_empty(), (1, 2)),
        ("Requires-Python", meta.requires_python.is_some(), (1, 2)),
        (
            "Requires-External",
            !meta.requires_external.is_empty(),
            (1, 2),
        ),
        ("Project-URL", !meta.project_urls.is_empty(), (1, 2)),
        ("Provides-Dist", !meta.provides_dist.is_empty(), (1, 2)),
        ("Obsoletes-Dist", !meta.obsoletes_dist.is_empty(), (1, 2)),
        (
            "Description-Content-Type",
            meta.description_content_type.is_some(),
            (2, 1),
        ),
        ("Provides-Extra", !meta.provides_extra.is_empty(), (2, 1)),
        ("Dynamic", !meta.dynamic.is_empty(), (2, 2)),
        (
            "License-Expression",
            meta.license_expression.is_some(),
            (2, 4),
        ),
        ("License-File", !meta.license_files.is_empty(), (2, 4)),
        ("Import-Name", !meta.import_names.is_empty(), (2, 5)),
        (
            "Import-Namespace",
            !meta.import_namespaces.is_empty(),
            (2, 5),
        ),
    ];
    present
        .into_iter()
        .filter(|(_, is_present, _)| *is_present)
        .map(|(field, _, version)| (field, version))
        .collect()
}

pub(super) fn field_too_new(
    field: &'static str,
    (major, minor): (u32, u32),
    target: Target,
) -> Problem {
    // setuptools wrote License-File into older versions; mintup leaves it out
    // of the form there (as twine does), so it is only worth a warning.
    if field == "License-File" {
        return Problem::warning(
            "field-version",
            "License-File needs Metadata-Version 2.4; it is left out of the upload",
            "rebuild with setuptools ≥ 77 or hatchling ≥ 1.26 to publish license files",
        );
    }
    target.pypi_rule(
        "field-version",
        format!("{field} needs Metadata-Version {major}.{minor} or later"),
        format!(
            "rebuild so that the declared Metadata-Version is at least {major}.{minor}; {SPEC}"
        ),
    )
}
