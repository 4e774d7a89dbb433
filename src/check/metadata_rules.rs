//! Rules on core metadata, as Warehouse validates the form
//! (`../shared/reference/legacy-upload.md` §7). Other indexes validate none
//! of it, so for them every rule here is a warning.

use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::{Requirement, VersionOrUrl};

use super::classifiers::Known;
use super::{Problem, Target};
use crate::dist::Metadata;

const SPEC: &str = "see https://packaging.python.org/specifications/core-metadata";

/// The Metadata-Versions Warehouse accepts (2.0 never was one).
const SUPPORTED: &[&str] = &["1.0", "1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5"];

pub(super) fn check(meta: &Metadata, target: Target) -> Vec<Problem> {
    let mut problems = Vec::new();
    let declared = parse_metadata_version(&meta.metadata_version);
    if !SUPPORTED.contains(&meta.metadata_version.trim()) {
        problems.push(target.pypi_rule(
            "metadata-version",
            format!(
                "Metadata-Version {} is not one PyPI accepts",
                meta.metadata_version
            ),
            "rebuild with a current build backend, which writes 2.1 or later",
        ));
    }
    if let Some(declared) = declared {
        for (field, introduced) in fields_present(meta) {
            if declared < introduced {
                problems.push(field_too_new(field, introduced, target));
            }
        }
    }
    if !is_valid_name(&meta.name) {
        problems.push(target.pypi_rule(
            "name",
            format!("'{}' is not a valid project name", meta.name),
            "use letters, digits, and '.', '_' or '-' between them",
        ));
    }
    match Version::from_str(meta.version.trim()) {
        Err(e) => problems.push(target.pypi_rule(
            "version",
            format!("'{}' is not a PEP 440 version: {e}", meta.version),
            "use a version such as 1.2.3, 1.2.3rc1 or 1.2.3.post1",
        )),
        Ok(version) if version.is_local() => problems.push(target.pypi_rule(
            "version",
            format!("{} has a local part (+…), which PyPI refuses", meta.version),
            "drop the +local part for a public upload",
        )),
        Ok(_) => {}
    }
    if let Some(summary) = &meta.summary {
        if summary.chars().count() > 512 {
            problems.push(target.pypi_rule(
                "summary",
                "Summary is longer than 512 characters",
                "shorten it",
            ));
        }
        if summary.contains('\n') {
            problems.push(target.pypi_rule(
                "summary",
                "Summary spans several lines",
                "make it one line",
            ));
        }
    }
    if let Some(kind) = &meta.description_content_type {
        let essence = kind
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if !matches!(
            essence.as_str(),
            "text/plain" | "text/x-rst" | "text/markdown"
        ) {
            problems.push(target.pypi_rule(
                "description-content-type",
                format!("'{kind}' is not text/plain, text/x-rst or text/markdown"),
                "set readme's content type to one of those",
            ));
        }
    }
    for classifier in &meta.classifiers {
        match super::classifiers::lookup(classifier) {
            Some(Known::Current) => {}
            Some(Known::Deprecated(replacements)) => problems.push(target.pypi_rule(
                "classifier",
                format!("'{classifier}' is deprecated"),
                if replacements.is_empty() {
                    "remove it".to_owned()
                } else {
                    format!("use {} instead", replacements.join(" or "))
                },
            )),
            None => problems.push(target.pypi_rule(
                "classifier",
                format!("'{classifier}' is not a known trove classifier"),
                format!(
                    "check its spelling at https://pypi.org/classifiers/ (list: {})",
                    super::classifiers::source()
                ),
            )),
        }
    }
    if let Some(expression) = &meta.license_expression
        && let Err(e) = spdx::Expression::parse(expression)
    {
        problems.push(target.pypi_rule(
            "license-expression",
            format!(
                "License-Expression '{expression}' is not a valid SPDX expression: {}",
                e.reason
            ),
            "use SPDX identifiers (https://spdx.org/licenses/), e.g. MIT or Apache-2.0 OR MIT",
        ));
    }
    if meta.license.is_some() && meta.license_expression.is_some() {
        problems.push(target.pypi_rule(
            "license",
            "both License and License-Expression are set",
            "keep only License-Expression (an SPDX expression)",
        ));
    }
    for (field, values) in [
        ("Requires-Dist", &meta.requires_dist),
        ("Provides-Dist", &meta.provides_dist),
        ("Obsoletes-Dist", &meta.obsoletes_dist),
    ] {
        for value in values {
            problems.extend(check_requirement(field, value, target));
        }
    }
    if let Some(spec) = &meta.requires_python
        && let Err(e) = VersionSpecifiers::from_str(spec)
    {
        problems.push(target.pypi_rule(
            "requires-python",
            format!("'{spec}' is not a version specifier: {e}"),
            "write it as e.g. >=3.9",
        ));
    }
    for value in &meta.dynamic {
        let lower = value.to_ascii_lowercase();
        if matches!(lower.as_str(), "name" | "version" | "metadata-version") {
            problems.push(target.pypi_rule(
                "dynamic",
                format!("Dynamic: {value} is not allowed"),
                "Name, Version and Metadata-Version must be static",
            ));
        }
    }
    for entry in &meta.project_urls {
        problems.extend(check_project_url(entry, target));
    }
    for (field, value) in [
        ("Home-page", &meta.home_page),
        ("Download-URL", &meta.download_url),
    ] {
        if let Some(url) = value.as_deref().filter(|u| u.trim() != "UNKNOWN")
            && !is_web_url(url)
        {
            problems.push(target.pypi_rule(
                "url",
                format!("{field} '{url}' is not an http(s) URL"),
                "give a full URL starting with https://",
            ));
        }
    }
    for (field, value) in [
        ("Author-email", &meta.author_email),
        ("Maintainer-email", &meta.maintainer_email),
    ] {
        if let Some(list) = value {
            for address in list.split(',').map(str::trim).filter(|a| !a.is_empty()) {
                if !is_email(address) {
                    problems.push(target.pypi_rule(
                        "email",
                        format!("{field} '{address}' is not an e-mail address"),
                        "write it as name@example.org or Name <name@example.org>",
                    ));
                }
            }
        }
    }
    problems
}

/// `(major, minor)`.
fn parse_metadata_version(text: &str) -> Option<(u32, u32)> {
    let (major, minor) = text.trim().split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// The optional fields present, with the Metadata-Version that introduced them.
fn fields_present(meta: &Metadata) -> Vec<(&'static str, (u32, u32))> {
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

fn field_too_new(field: &'static str, (major, minor): (u32, u32), target: Target) -> Problem {
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

/// Warehouse's project-name pattern, case-insensitive.
fn is_valid_name(name: &str) -> bool {
    let ok = |c: char| c.is_ascii_alphanumeric();
    !name.is_empty()
        && name.starts_with(ok)
        && name.ends_with(ok)
        && name.chars().all(|c| ok(c) || matches!(c, '.' | '_' | '-'))
}

fn check_requirement(field: &'static str, value: &str, target: Target) -> Option<Problem> {
    match Requirement::<pep508_rs::VerbatimUrl>::from_str(value) {
        Err(e) => Some(target.pypi_rule(
            "requirement",
            // The parser's message carries a caret diagram on later lines.
            format!(
                "{field} '{value}' is not a PEP 508 requirement: {}",
                e.to_string().lines().next().unwrap_or_default()
            ),
            "fix the dependency's spelling in pyproject.toml",
        )),
        Ok(req) if matches!(req.version_or_url, Some(VersionOrUrl::Url(_))) => {
            Some(target.pypi_rule(
                "requirement",
                format!("{field} '{value}' is a direct URL reference, which PyPI refuses"),
                "depend on a released version from the index instead",
            ))
        }
        Ok(_) => None,
    }
}

fn check_project_url(entry: &str, target: Target) -> Option<Problem> {
    let Some((label, url)) = entry.split_once(',') else {
        return Some(target.pypi_rule(
            "project-url",
            format!("Project-URL '{entry}' is not 'Label, URL'"),
            "give each URL a label in [project.urls]",
        ));
    };
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 32 {
        return Some(target.pypi_rule(
            "project-url",
            format!("Project-URL label '{label}' must have 1 to 32 characters"),
            "shorten the label in [project.urls]",
        ));
    }
    (!is_web_url(url.trim())).then(|| {
        target.pypi_rule(
            "project-url",
            format!(
                "Project-URL '{label}' is not an http(s) URL: '{}'",
                url.trim()
            ),
            "give a full URL starting with https://",
        )
    })
}

fn is_web_url(text: &str) -> bool {
    url::Url::parse(text)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// `addr@host` or `Name <addr@host>`: one `@` with text either side, no spaces.
fn is_email(text: &str) -> bool {
    let address = match (text.rfind('<'), text.strip_suffix('>')) {
        (Some(open), Some(inner)) => &inner[open + 1..],
        _ => text,
    };
    match address.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !address.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::IndexKind;

    fn meta(extra: &str) -> Metadata {
        Metadata::parse(
            format!("Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n{extra}").as_bytes(),
        )
        .unwrap()
    }

    fn rules(m: &Metadata, kind: IndexKind) -> Vec<String> {
        check(m, Target(kind))
            .into_iter()
            .map(|p| format!("{}: {}", p.rule, p.message))
            .collect()
    }

    #[test]
    fn a_plain_file_passes() {
        let m = meta(
            "Summary: x\nRequires-Dist: requests>=2; extra == \"http\"\nProject-URL: Source, https://example.org\nAuthor-email: A <a@example.org>, b@example.org\nRequires-Python: >=3.9\n",
        );
        assert_eq!(rules(&m, IndexKind::Pypi), Vec::<String>::new());
    }

    #[test]
    fn metadata_versions_and_field_versions() {
        let mut m = meta("Dynamic: Requires-Dist\nLicense-File: LICENSE\n");
        assert_eq!(
            rules(&m, IndexKind::Other),
            [
                "field-version: Dynamic needs Metadata-Version 2.2 or later",
                "field-version: License-File needs Metadata-Version 2.4; it is left out of the upload",
            ]
        );
        m.metadata_version = "2.0".into();
        assert_eq!(
            rules(&m, IndexKind::Other)[0],
            "metadata-version: Metadata-Version 2.0 is not one PyPI accepts"
        );
    }

    #[test]
    fn versions_names_and_requirements() {
        assert_eq!(
            rules(&meta("").clone_with_version("1.0+local"), IndexKind::Pypi),
            ["version: 1.0+local has a local part (+…), which PyPI refuses"]
        );
        let m = meta(
            "Requires-Dist: pkg @ https://example.org/pkg.whl\nRequires-Dist: not a requirement!!\n",
        );
        let found = rules(&m, IndexKind::Pypi);
        assert_eq!(
            found[0],
            "requirement: Requires-Dist 'pkg @ https://example.org/pkg.whl' is a direct URL reference, which PyPI refuses"
        );
        assert!(
            found[1].starts_with(
                "requirement: Requires-Dist 'not a requirement!!' is not a PEP 508 requirement"
            ),
            "{found:?}"
        );
        let mut m = meta("");
        m.name = "-bad-".into();
        assert_eq!(
            rules(&m, IndexKind::Pypi),
            ["name: '-bad-' is not a valid project name"]
        );
    }

    #[test]
    fn classifiers_and_spdx() {
        let m = Metadata::parse(
            b"Metadata-Version: 2.4\nName: d\nVersion: 1\nClassifier: Programming Language :: Python :: 3\n\
Classifier: Programming Language :: Cobol\nClassifier: Framework :: Django CMS :: 4.2\n\
License-Expression: MIT OR Bogus-License-9\n",
        )
        .unwrap();
        let found = rules(&m, IndexKind::Pypi);
        assert_eq!(
            found[0],
            "classifier: 'Programming Language :: Cobol' is not a known trove classifier"
        );
        assert_eq!(
            found[1],
            "classifier: 'Framework :: Django CMS :: 4.2' is deprecated"
        );
        assert!(found[2].starts_with("license-expression: License-Expression 'MIT OR Bogus-License-9' is not a valid SPDX expression"), "{found:?}");
        assert_eq!(found.len(), 3);
        let ok = Metadata::parse(
            b"Metadata-Version: 2.4\nName: d\nVersion: 1\nLicense-Expression: Apache-2.0 OR MIT\n",
        )
        .unwrap();
        assert!(rules(&ok, IndexKind::Pypi).is_empty());
    }

    #[test]
    fn urls_emails_licenses_and_dynamic() {
        let m = Metadata::parse(
            b"Metadata-Version: 2.4\nName: d\nVersion: 1\nLicense: MIT\nLicense-Expression: MIT\n\
Dynamic: Version\nProject-URL: A label that is far too long to be accepted, https://x.org\n\
Project-URL: Docs, ftp://x.org\nHome-page: not a url\nAuthor-email: nobody\n\
Description-Content-Type: text/html\n",
        )
        .unwrap();
        assert_eq!(
            rules(&m, IndexKind::Pypi),
            [
                "description-content-type: 'text/html' is not text/plain, text/x-rst or text/markdown",
                "license: both License and License-Expression are set",
                "dynamic: Dynamic: Version is not allowed",
                "project-url: Project-URL label 'A label that is far too long to be accepted' must have 1 to 32 characters",
                "project-url: Project-URL 'Docs' is not an http(s) URL: 'ftp://x.org'",
                "url: Home-page 'not a url' is not an http(s) URL",
                "email: Author-email 'nobody' is not an e-mail address",
            ]
        );
    }

    impl Metadata {
        fn clone_with_version(&self, version: &str) -> Metadata {
            Metadata {
                version: version.into(),
                ..self.clone()
            }
        }
    }
}
