//! Core metadata (`METADATA` / `PKG-INFO`): every field up to Metadata-Version
//! 2.5, parsed from the RFC 822-style text. Pure: works on bytes.

use std::collections::BTreeMap;

/// Every core-metadata field, as written in the file. Multi-use fields keep
/// their order. Adding a field here is a compile error in the form builder
/// until someone decides how it is uploaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    pub metadata_version: String,
    pub name: String,
    pub version: String,
    pub platforms: Vec<String>,
    pub supported_platforms: Vec<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub description_content_type: Option<String>,
    pub keywords: Option<String>,
    pub home_page: Option<String>,
    pub download_url: Option<String>,
    pub author: Option<String>,
    pub author_email: Option<String>,
    pub maintainer: Option<String>,
    pub maintainer_email: Option<String>,
    pub license: Option<String>,
    pub license_expression: Option<String>,
    pub license_files: Vec<String>,
    pub classifiers: Vec<String>,
    pub requires_dist: Vec<String>,
    pub requires_python: Option<String>,
    pub requires_external: Vec<String>,
    pub project_urls: Vec<String>,
    pub provides_extra: Vec<String>,
    pub provides_dist: Vec<String>,
    pub obsoletes_dist: Vec<String>,
    pub requires: Vec<String>,
    pub provides: Vec<String>,
    pub obsoletes: Vec<String>,
    pub dynamic: Vec<String>,
    pub import_names: Vec<String>,
    pub import_namespaces: Vec<String>,
}

/// Why a metadata file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    #[error("it is not valid UTF-8 (invalid byte at offset {0})")]
    NotUtf8(usize),
    #[error("line {line} is not a 'Field: value' header: '{text}'")]
    MalformedLine { line: usize, text: String },
    #[error("the required field '{0}' is missing or empty")]
    Missing(&'static str),
    #[error("the single-use field '{field}' appears {count} times")]
    Repeated { field: String, count: usize },
    #[error("the description is given twice: in a 'Description' header and in the message body")]
    DescriptionTwice,
}

/// A header line with its continuation lines, before unfolding.
struct RawHeader<'a> {
    name: &'a str,
    first: &'a str,
    continuation: Vec<&'a str>,
}

impl Metadata {
    pub fn parse(bytes: &[u8]) -> Result<Self, MetadataError> {
        let text =
            std::str::from_utf8(bytes).map_err(|e| MetadataError::NotUtf8(e.valid_up_to()))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let (headers, body) = split_headers(text)?;
        let mut meta = Metadata::default();
        let mut single_use_counts: BTreeMap<String, (String, usize)> = BTreeMap::new();
        for header in headers {
            let key = header.name.to_ascii_lowercase();
            let value = if key == "description" {
                unfold_description(&header)
            } else {
                unfold(&header)
            };
            if let Some(slot) = meta.required_slot(&key) {
                *slot = value;
            } else if let Some(slot) = meta.optional_slot(&key) {
                *slot = Some(value);
            } else if let Some(list) = meta.multi_slot(&key) {
                list.push(value);
                continue;
            } else {
                // Unknown fields are ignored, as Warehouse ignores unknown
                // form fields.
                continue;
            }
            // Header names are case-insensitive: `Name` and `name` are one field.
            single_use_counts
                .entry(key)
                .or_insert_with(|| (header.name.to_owned(), 0))
                .1 += 1;
        }
        if let Some((field, count)) = single_use_counts.into_values().find(|(_, n)| *n > 1) {
            return Err(MetadataError::Repeated { field, count });
        }
        let body = body.filter(|b| !b.trim().is_empty());
        match (&meta.description, body) {
            (Some(_), Some(_)) => return Err(MetadataError::DescriptionTwice),
            (None, Some(body)) => meta.description = Some(body.to_owned()),
            _ => {}
        }
        for (field, value) in [
            ("Metadata-Version", &meta.metadata_version),
            ("Name", &meta.name),
            ("Version", &meta.version),
        ] {
            if value.is_empty() {
                return Err(MetadataError::Missing(field));
            }
        }
        Ok(meta)
    }

    /// `Metadata-Version`, `Name` and `Version`, by lower-cased header name.
    fn required_slot(&mut self, key: &str) -> Option<&mut String> {
        Some(match key {
            "metadata-version" => &mut self.metadata_version,
            "name" => &mut self.name,
            "version" => &mut self.version,
            _ => return None,
        })
    }

    /// The optional single-use fields, by lower-cased header name.
    fn optional_slot(&mut self, key: &str) -> Option<&mut Option<String>> {
        Some(match key {
            "summary" => &mut self.summary,
            "description" => &mut self.description,
            "description-content-type" => &mut self.description_content_type,
            "keywords" => &mut self.keywords,
            "home-page" => &mut self.home_page,
            "download-url" => &mut self.download_url,
            "author" => &mut self.author,
            "author-email" => &mut self.author_email,
            "maintainer" => &mut self.maintainer,
            "maintainer-email" => &mut self.maintainer_email,
            "license" => &mut self.license,
            "license-expression" => &mut self.license_expression,
            "requires-python" => &mut self.requires_python,
            _ => return None,
        })
    }

    /// The multiple-use fields, by lower-cased header name.
    fn multi_slot(&mut self, key: &str) -> Option<&mut Vec<String>> {
        Some(match key {
            "platform" => &mut self.platforms,
            "supported-platform" => &mut self.supported_platforms,
            "license-file" => &mut self.license_files,
            "classifier" => &mut self.classifiers,
            "requires-dist" => &mut self.requires_dist,
            "requires-external" => &mut self.requires_external,
            "project-url" => &mut self.project_urls,
            "provides-extra" => &mut self.provides_extra,
            "provides-dist" => &mut self.provides_dist,
            "obsoletes-dist" => &mut self.obsoletes_dist,
            "requires" => &mut self.requires,
            "provides" => &mut self.provides,
            "obsoletes" => &mut self.obsoletes,
            "dynamic" => &mut self.dynamic,
            "import-name" => &mut self.import_names,
            "import-namespace" => &mut self.import_namespaces,
            _ => return None,
        })
    }
}

/// Split the text into header lines (with their continuations) and the body
/// after the first blank line.
fn split_headers(text: &str) -> Result<(Vec<RawHeader<'_>>, Option<&str>), MetadataError> {
    let mut headers: Vec<RawHeader<'_>> = Vec::new();
    let mut rest = text;
    let mut line_no = 0;
    while !rest.is_empty() {
        let (line, next) = match rest.find('\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        line_no += 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            return Ok((headers, Some(next)));
        }
        if line.starts_with([' ', '\t']) {
            match headers.last_mut() {
                Some(header) => header.continuation.push(line),
                None => {
                    return Err(MetadataError::MalformedLine {
                        line: line_no,
                        text: line.to_owned(),
                    });
                }
            }
        } else {
            let (name, value) = line
                .split_once(':')
                .filter(|(name, _)| is_field_name(name))
                .ok_or_else(|| MetadataError::MalformedLine {
                    line: line_no,
                    text: line.to_owned(),
                })?;
            headers.push(RawHeader {
                name,
                first: value.strip_prefix(' ').unwrap_or(value),
                continuation: Vec::new(),
            });
        }
        rest = next;
    }
    Ok((headers, None))
}

fn is_field_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':')
}

/// RFC 822 unfolding for ordinary fields: continuation lines join with one
/// space.
fn unfold(header: &RawHeader<'_>) -> String {
    let mut value = header.first.trim().to_owned();
    for line in &header.continuation {
        let line = line.trim();
        if !line.is_empty() {
            if !value.is_empty() {
                value.push(' ');
            }
            value.push_str(line);
        }
    }
    value
}

/// A description in a `Description:` header was folded by distutils with
/// 8 spaces, or by setuptools with 7 spaces and `|` (so that blank and
/// indented lines survive). Undo exactly that prefix; standard unfolding would
/// glue the reST into one line (pypa/twine#1218).
fn unfold_description(header: &RawHeader<'_>) -> String {
    let mut lines = vec![header.first.trim_end()];
    for line in &header.continuation {
        let unfolded = line
            .strip_prefix("       |")
            .or_else(|| line.strip_prefix("        "))
            .unwrap_or_else(|| line.trim_start());
        lines.push(unfolded.trim_end());
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODERN: &str = "Metadata-Version: 2.4
Name: Mint_Up.Demo
Version: 1.0.0
Summary: A demo
Keywords: a,b, c
Author-email: Ana <ana@example.org>
License-Expression: MIT
License-File: LICENSE
License-File: NOTICE
Classifier: Programming Language :: Python :: 3
Classifier: License :: OSI Approved :: MIT License
Requires-Dist: requests>=2; extra == \"http\"
Requires-Python: >=3.9
Project-URL: Homepage, https://example.org
Provides-Extra: http
Import-Name: mint_up_demo
Description-Content-Type: text/markdown

# Title

Body with a trailing line.
";

    #[test]
    fn parses_headers_and_body() {
        let m = Metadata::parse(MODERN.as_bytes()).unwrap();
        assert_eq!(m.metadata_version, "2.4");
        assert_eq!(m.name, "Mint_Up.Demo");
        assert_eq!(m.keywords.as_deref(), Some("a,b, c"));
        assert_eq!(m.license_files, ["LICENSE", "NOTICE"]);
        assert_eq!(m.classifiers.len(), 2);
        assert_eq!(m.requires_dist, ["requests>=2; extra == \"http\""]);
        assert_eq!(m.import_names, ["mint_up_demo"]);
        assert_eq!(
            m.description.as_deref(),
            Some("# Title\n\nBody with a trailing line.\n")
        );
    }

    #[test]
    fn crlf_and_bom_are_tolerated() {
        let text = "\u{feff}Metadata-Version: 2.1\r\nName: x\r\nVersion: 1\r\n\r\nbody\r\n";
        let m = Metadata::parse(text.as_bytes()).unwrap();
        assert_eq!((m.name.as_str(), m.version.as_str()), ("x", "1"));
    }

    #[test]
    fn folded_description_header_is_unfolded() {
        let text = concat!(
            "Metadata-Version: 1.2\nName: old\nVersion: 0.1\n",
            "Description: Title\n",
            "        =====\n",
            "        \n",
            "        - item\n",
            "            indented\n",
            "       |\n",
            "       |  pipe-indented\n",
            "Platform: UNKNOWN\n",
        );
        let m = Metadata::parse(text.as_bytes()).unwrap();
        assert_eq!(
            m.description.as_deref(),
            Some("Title\n=====\n\n- item\n    indented\n\n  pipe-indented")
        );
        assert_eq!(m.platforms, ["UNKNOWN"]);
    }

    #[test]
    fn other_fields_unfold_with_a_space() {
        let text = "Metadata-Version: 2.1\nName: x\nVersion: 1\nSummary: long\n  summary\n";
        let m = Metadata::parse(text.as_bytes()).unwrap();
        assert_eq!(m.summary.as_deref(), Some("long summary"));
    }

    #[test]
    fn errors_quote_the_problem() {
        let err = |t: &str| Metadata::parse(t.as_bytes()).unwrap_err().to_string();
        assert_eq!(
            err("Metadata-Version: 2.1\nVersion: 1\n"),
            "the required field 'Name' is missing or empty"
        );
        assert_eq!(
            err("Metadata-Version: 2.1\nName: x\nName: y\nVersion: 1\n"),
            "the single-use field 'Name' appears 2 times"
        );
        assert_eq!(
            err("Metadata-Version: 2.1\nName: dup\nname: evil\nVersion: 1\n"),
            "the single-use field 'Name' appears 2 times"
        );
        assert_eq!(
            err("Metadata-Version: 2.1\nthis is not a header\n"),
            "line 2 is not a 'Field: value' header: 'this is not a header'"
        );
        assert_eq!(
            err("Metadata-Version: 2.1\nName: x\nVersion: 1\nDescription: a\n\nb\n"),
            "the description is given twice: in a 'Description' header and in the message body"
        );
        assert_eq!(
            Metadata::parse(b"Name: \xff\n").unwrap_err().to_string(),
            "it is not valid UTF-8 (invalid byte at offset 6)"
        );
    }
}
