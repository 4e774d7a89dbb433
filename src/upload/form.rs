//! The legacy-upload form as a pure list of (field, value) pairs, built from
//! the metadata, the file name and the digests. Field names are Warehouse's
//! (`../shared/reference/legacy-upload.md` §3); the file itself is added by
//! the sender as the last part, `content`.

use crate::dist::{Digests, DistFilename, Metadata};

/// What the form carries besides the distribution's own facts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormExtras {
    /// `--comment`.
    pub comment: Option<String>,
    /// The PEP 740 attestations, already serialized as one JSON array.
    pub attestations: Option<String>,
}

pub type Fields = Vec<(&'static str, String)>;

/// Build every text field of the upload request, in a stable order: protocol
/// fields, digests, then metadata. Multi-use metadata fields become repeated
/// fields, one value each, as Warehouse expects.
pub fn build_fields(
    meta: &Metadata,
    file: &DistFilename,
    digests: &Digests,
    extras: &FormExtras,
) -> Fields {
    // Destructured in full so that a new metadata field does not compile until
    // someone decides how it is sent.
    let Metadata {
        metadata_version,
        name,
        version,
        platforms,
        supported_platforms,
        summary,
        description,
        description_content_type,
        keywords,
        home_page,
        download_url,
        author,
        author_email,
        maintainer,
        maintainer_email,
        license,
        license_expression,
        license_files,
        classifiers,
        requires_dist,
        requires_python,
        requires_external,
        project_urls,
        provides_extra,
        provides_dist,
        obsoletes_dist,
        requires,
        provides,
        obsoletes,
        dynamic,
        import_names,
        import_namespaces,
    } = meta;

    let mut fields: Fields = vec![
        (":action", "file_upload".into()),
        ("protocol_version", "1".into()),
        ("filetype", file.kind.filetype().into()),
        ("pyversion", file.pyversion().into()),
        ("sha256_digest", digests.sha256.clone()),
        ("blake2_256_digest", digests.blake2_256.clone()),
        ("metadata_version", metadata_version.clone()),
        // As written in the metadata: twine's dash-mangling renames the
        // project's display name on PyPI (`foo_bar` becomes `foo-bar`).
        ("name", name.clone()),
        ("version", version.clone()),
        // Always present, empty when unset: GitLab's package registry
        // requires the field, Warehouse treats empty as absent.
        (
            "requires_python",
            requires_python.clone().unwrap_or_default(),
        ),
    ];
    // twine sends keywords re-joined with ", " after splitting on commas;
    // Warehouse splits them the same way, so match twine byte for byte.
    let keywords = keywords
        .as_ref()
        .map(|k| k.split(',').map(str::trim).collect::<Vec<_>>().join(", "));
    let single = [
        ("summary", summary.as_ref()),
        ("description", description.as_ref()),
        (
            "description_content_type",
            description_content_type.as_ref(),
        ),
        ("keywords", keywords.as_ref()),
        ("home_page", home_page.as_ref()),
        ("download_url", download_url.as_ref()),
        ("author", author.as_ref()),
        ("author_email", author_email.as_ref()),
        ("maintainer", maintainer.as_ref()),
        ("maintainer_email", maintainer_email.as_ref()),
        ("license", license.as_ref()),
        ("license_expression", license_expression.as_ref()),
    ];
    for (field, value) in single {
        if let Some(value) = value {
            fields.push((field, value.clone()));
        }
    }
    // setuptools wrote License-File into Metadata 2.1/2.2 files before the
    // field existed (2.4); Warehouse rejects fields newer than the declared
    // version, so, like twine, send them only where they are valid.
    let license_files: &[String] = if supports_license_file(metadata_version) {
        license_files
    } else {
        &[]
    };
    let multi: [(&'static str, &[String]); 16] = [
        ("platform", platforms),
        ("supported_platform", supported_platforms),
        ("license_file", license_files),
        ("classifiers", classifiers),
        ("requires_dist", requires_dist),
        ("requires_external", requires_external),
        ("project_urls", project_urls),
        ("provides_extra", provides_extra),
        ("provides_dist", provides_dist),
        ("obsoletes_dist", obsoletes_dist),
        ("requires", requires),
        ("provides", provides),
        ("obsoletes", obsoletes),
        ("dynamic", dynamic),
        // Singular, as Warehouse names them (uv's plural names are ignored).
        ("import_name", import_names),
        ("import_namespace", import_namespaces),
    ];
    for (field, values) in multi {
        fields.extend(values.iter().map(|v| (field, v.clone())));
    }
    if let Some(comment) = &extras.comment {
        fields.push(("comment", comment.clone()));
    }
    if let Some(attestations) = &extras.attestations {
        fields.push(("attestations", attestations.clone()));
    }
    fields
}

fn supports_license_file(metadata_version: &str) -> bool {
    let mut parts = metadata_version.trim().split('.').map(|p| p.parse::<u32>());
    matches!((parts.next(), parts.next()), (Some(Ok(major)), Some(Ok(minor))) if (major, minor) >= (2, 4))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digests() -> Digests {
        Digests {
            size: 3,
            sha256: "aa".repeat(32),
            blake2_256: "bb".repeat(32),
            md5: Some("cc".repeat(16)),
        }
    }

    fn rendered(fields: &Fields) -> String {
        fields.iter().map(|(k, v)| format!("{k}={v}\n")).collect()
    }

    #[test]
    fn wheel_field_list_snapshot() {
        let meta = Metadata::parse(
            b"Metadata-Version: 2.5\nName: Mint_Up.Demo\nVersion: 1.0.0\nSummary: Demo\n\
Keywords: a,b\nLicense-Expression: MIT\nLicense-File: LICENSE\n\
Classifier: Programming Language :: Python :: 3\nClassifier: Typing :: Typed\n\
Requires-Dist: requests>=2\nProject-URL: Source, https://example.org\n\
Provides-Extra: http\nDynamic: Requires-Dist\nImport-Name: mint_up_demo\n\
Description-Content-Type: text/markdown\n\n# Demo\n",
        )
        .unwrap();
        let file = DistFilename::parse("mint_up_demo-1.0.0-py3-none-any.whl").unwrap();
        let extras = FormExtras {
            comment: Some("release".into()),
            attestations: Some("[]".into()),
        };
        let fields = build_fields(&meta, &file, &digests(), &extras);
        let expected = format!(
            ":action=file_upload
protocol_version=1
filetype=bdist_wheel
pyversion=py3
sha256_digest={}
blake2_256_digest={}
metadata_version=2.5
name=Mint_Up.Demo
version=1.0.0
requires_python=
summary=Demo
description=# Demo

description_content_type=text/markdown
keywords=a, b
license_expression=MIT
license_file=LICENSE
classifiers=Programming Language :: Python :: 3
classifiers=Typing :: Typed
requires_dist=requests>=2
project_urls=Source, https://example.org
provides_extra=http
dynamic=Requires-Dist
import_name=mint_up_demo
comment=release
attestations=[]
",
            "aa".repeat(32),
            "bb".repeat(32)
        );
        assert_eq!(rendered(&fields), expected);
        assert!(fields.iter().all(|(k, _)| *k != "md5_digest"));
    }

    #[test]
    fn sdist_is_source_and_old_license_files_are_dropped() {
        let meta = Metadata::parse(
            b"Metadata-Version: 2.1\nName: x\nVersion: 1\nLicense-File: LICENSE\nRequires-Python: >=3.9\n",
        )
        .unwrap();
        let file = DistFilename::parse("x-1.tar.gz").unwrap();
        let fields = build_fields(&meta, &file, &digests(), &FormExtras::default());
        let get = |k: &str| fields.iter().filter(|(f, _)| *f == k).count();
        assert_eq!(get("license_file"), 0);
        assert!(fields.contains(&("filetype", "sdist".into())));
        assert!(fields.contains(&("pyversion", "source".into())));
        assert!(fields.contains(&("requires_python", ">=3.9".into())));
    }

    #[test]
    fn license_file_version_gate() {
        assert!(supports_license_file("2.4"));
        assert!(supports_license_file("2.10"));
        assert!(!supports_license_file("2.2"));
        assert!(!supports_license_file("1.0"));
        assert!(!supports_license_file("junk"));
    }
}
