//! Rules on core metadata, as Warehouse validates the form
//! (`../shared/reference/legacy-upload.md` §7). Other indexes validate none
//! of it, so for them every rule here is a warning.

use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers};

use super::classifiers::Known;
use super::field_values::{
    check_project_url, check_requirement, is_email, is_valid_name, is_web_url,
    parse_license_expression, split_addresses,
};
use super::metadata_versions::{
    KNOWN_FIELDS, SUPPORTED, field_too_new, fields_present, parse_metadata_version,
};
use super::{Problem, Target};
use crate::dist::Metadata;

pub(super) fn check(meta: &Metadata, target: Target) -> Vec<Problem> {
    let meta = &without_unknown(meta);
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
        let param = |name: &str| {
            kind.split(';')
                .skip(1)
                .filter_map(|param| param.split_once('='))
                .find(|(key, _)| key.trim().eq_ignore_ascii_case(name))
                .map(|(_, value)| value.trim().trim_matches('"').to_owned())
        };
        // packaging's rule, which Warehouse applies: UTF-8 or nothing. The
        // packaging Warehouse pins (26.2) compares case-sensitively, so
        // "utf-8" is refused too (packaging 26.3 will not).
        if let Some(charset) = param("charset").filter(|c| c != "UTF-8") {
            let spelling = match charset.eq_ignore_ascii_case("UTF-8") {
                true => " (PyPI takes only this spelling, in capitals)",
                false => "",
            };
            problems.push(target.pypi_rule(
                "description-content-type",
                format!(
                    "Description-Content-Type can only specify the UTF-8 charset, not \
                     '{charset}'{spelling}"
                ),
                "write the README in UTF-8 and drop the charset (or say charset=UTF-8)",
            ));
        }
        let variant = param("variant");
        if let Some(variant) = variant.filter(|v| !matches!(v.as_str(), "GFM" | "CommonMark")) {
            problems.push(target.pypi_rule(
                "description-content-type",
                format!("the Markdown variant '{variant}' is neither GFM nor CommonMark"),
                "use variant=GFM or variant=CommonMark, or leave it out",
            ));
        }
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
            // The bundled list can lag behind PyPI's: unknown is a warning.
            None => problems.push(Problem::warning(
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
        && let Err(e) = parse_license_expression(expression)
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
            format!(
                "'{spec}' is not a version specifier: {}",
                e.to_string().lines().next().unwrap_or_default()
            ),
            "write it as e.g. >=3.9",
        ));
    }
    for value in &meta.dynamic {
        let lower = value.to_ascii_lowercase();
        if !KNOWN_FIELDS.contains(&lower.as_str()) {
            problems.push(target.pypi_rule(
                "dynamic",
                format!("Dynamic: {value} is not a core-metadata field"),
                "name a field such as Requires-Dist or Classifier",
            ));
        } else if matches!(lower.as_str(), "name" | "version" | "metadata-version") {
            problems.push(target.pypi_rule(
                "dynamic",
                format!("Dynamic: {value} is not allowed"),
                "Name, Version and Metadata-Version must be static",
            ));
        }
    }
    let mut labels = Vec::new();
    for entry in &meta.project_urls {
        problems.extend(check_project_url(entry, target));
        if let Some((label, _)) = entry.split_once(',') {
            let label = label.trim();
            if labels.contains(&label) {
                problems.push(target.pypi_rule(
                    "project-url",
                    format!("the Project-URL label '{label}' appears twice"),
                    "give each URL its own label",
                ));
            }
            labels.push(label);
        }
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
            for address in split_addresses(list) {
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

/// Warehouse deletes every field whose value is `UNKNOWN` (what distutils
/// wrote for unset fields) before validating; so do the rules.
fn without_unknown(meta: &Metadata) -> Metadata {
    let known = |v: &Option<String>| v.clone().filter(|v| v.trim() != "UNKNOWN");
    let known_all = |v: &[String]| -> Vec<String> {
        v.iter()
            .filter(|v| v.trim() != "UNKNOWN")
            .cloned()
            .collect()
    };
    Metadata {
        summary: known(&meta.summary),
        description: known(&meta.description),
        description_content_type: known(&meta.description_content_type),
        keywords: known(&meta.keywords),
        home_page: known(&meta.home_page),
        download_url: known(&meta.download_url),
        author: known(&meta.author),
        author_email: known(&meta.author_email),
        maintainer: known(&meta.maintainer),
        maintainer_email: known(&meta.maintainer_email),
        license: known(&meta.license),
        license_expression: known(&meta.license_expression),
        requires_python: known(&meta.requires_python),
        platforms: known_all(&meta.platforms),
        supported_platforms: known_all(&meta.supported_platforms),
        classifiers: known_all(&meta.classifiers),
        ..meta.clone()
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
        // pep508_rs 0.9 panicked on a project or extra name ending in a
        // separator before another character or the extras' end (found by
        // the metadata fuzz target).
        let m = meta(
            "Obsoletes-Dist: tx-)rrstobsoletes-\nObsoletes-Dist: 5[000---------\n\
             Requires-Dist: a- >=1\nRequires-Dist: b_[x]\nRequires-Dist:  c.;x\nRequires-Dist: d-\n\
             Requires-Dist: e[x-]\nRequires-Dist: f [ x , y_ ]>=1\nRequires-Dist: g[x.\n",
        );
        let found = rules(&m, IndexKind::Pypi);
        let expected = [
            ("Package", '-'),
            ("Package", '_'),
            ("Package", '.'),
            ("Package", '-'),
            ("Extra", '-'),
            ("Extra", '_'),
            ("Extra", '.'),
            ("Package", '-'),
            ("Extra", '-'),
        ];
        assert_eq!(found.len(), expected.len(), "{found:?}");
        for (problem, (kind, end)) in found.iter().zip(expected) {
            assert!(
                problem.ends_with(&format!(
                    "is not a PEP 508 requirement: {kind} name must end with an alphanumeric character, not '{end}'"
                )),
                "{problem}"
            );
        }
        // Valid extras and names with inner separators still pass.
        assert_eq!(
            rules(
                &meta("Requires-Dist: a.b-c_d[x-y, z.w] >=1; extra == \"t-t\"\n"),
                IndexKind::Pypi
            ),
            Vec::<String>::new()
        );
        let mut m = meta("");
        m.name = "-bad-".into();
        assert_eq!(
            rules(&m, IndexKind::Pypi),
            ["name: '-bad-' is not a valid project name"]
        );
    }

    #[test]
    fn what_pypi_accepts_passes() {
        let m = Metadata::parse(
            b"Metadata-Version: 2.4\nName: d\nVersion: 1\nLicense: UNKNOWN\nAuthor-email: UNKNOWN\n\
Maintainer-email: \"Doe, John\" <john@example.org>, Ann <ann@example.org>\n\
License-Expression: mit or GPL-2.0 OR GPL-3.0+\nDynamic: license-file\n\
Description-Content-Type: text/markdown; variant=GFM\n",
        )
        .unwrap();
        assert_eq!(rules(&m, IndexKind::Pypi), Vec::<String>::new());
    }

    #[test]
    fn only_the_utf8_charset_is_accepted() {
        for (kind, refused) in [
            ("text/markdown; charset=UTF-8", false),
            ("text/x-rst; charset=\"UTF-8\"", false),
            ("text/x-rst; charset=\"utf-8\"", true),
            ("text/plain", false),
            ("text/x-rst; charset=latin-1", true),
            ("text/markdown; variant=GFM; Charset=ISO-8859-1", true),
        ] {
            let m = meta(&format!("Description-Content-Type: {kind}\n"));
            let found = rules(&m, IndexKind::Pypi);
            assert_eq!(
                found
                    .iter()
                    .any(|p| p.contains("can only specify the UTF-8 charset")),
                refused,
                "{kind}: {found:?}"
            );
        }
    }

    #[test]
    fn summary_python_labels_variants_and_dynamic_names() {
        let m = Metadata::parse(
            b"Metadata-Version: 2.2\nName: d\nVersion: 1\nSummary: one\n  two\nRequires-Python: >=three\n\
Project-URL: Docs, https://a.org\nProject-URL: Docs, https://b.org\nDynamic: Frobnication\n\
Description-Content-Type: text/markdown; variant=Kramdown\n",
        )
        .unwrap();
        let found = rules(&m, IndexKind::Pypi);
        assert_eq!(
            found[0],
            "description-content-type: the Markdown variant 'Kramdown' is neither GFM nor CommonMark"
        );
        assert!(
            found[1].starts_with("requires-python: '>=three' is not a version specifier"),
            "{found:?}"
        );
        assert_eq!(
            found[2],
            "dynamic: Dynamic: Frobnication is not a core-metadata field"
        );
        assert_eq!(
            found[3],
            "project-url: the Project-URL label 'Docs' appears twice"
        );
        let long = meta(&format!("Summary: {}\n", "x".repeat(513)));
        assert_eq!(
            rules(&long, IndexKind::Pypi),
            ["summary: Summary is longer than 512 characters"]
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
