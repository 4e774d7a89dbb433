//! Rules on a wheel's RECORD: every file listed once, with the size and the
//! sha256 it really has. PyPI refuses only an unreadable RECORD (a mismatch
//! just e-mails the owners), so a mismatch is a warning; installers that check
//! RECORD (installer, uv) refuse such wheels, and `--strict` fails them. Sizes
//! are judged from the archive's directory; hashes when the caller read them.

use std::collections::{HashMap, HashSet};

use super::{FileFacts, Problem};
use crate::dist::DistKind;

/// One RECORD row: path, `algorithm=urlsafe-base64-digest`, size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordEntry {
    pub path: String,
    pub hash: Option<(String, String)>,
    pub size: Option<u64>,
}

/// Why RECORD could not be read, with its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("line {line}: {message}")]
    Csv { line: usize, message: String },
    #[error("line {line}: hash '{hash}' is not algorithm=digest")]
    Hash { line: usize, hash: String },
    #[error("line {line}: size '{size}' is not a number")]
    Size { line: usize, size: String },
}

/// Parse RECORD (CSV; paths with commas are quoted).
pub fn parse(text: &str) -> Result<Vec<RecordEntry>, RecordError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut entries = Vec::new();
    for (line, row) in reader.records().enumerate() {
        let line = line + 1;
        let row = row.map_err(|e| RecordError::Csv {
            line,
            message: e.to_string(),
        })?;
        let path = row.get(0).unwrap_or_default().trim();
        if path.is_empty() {
            continue;
        }
        let hash = row
            .get(1)
            .filter(|h| !h.is_empty())
            .map(|h| match h.split_once('=') {
                Some((algorithm, digest)) => Ok((algorithm.to_owned(), digest.to_owned())),
                None => Err(RecordError::Hash {
                    line,
                    hash: h.to_owned(),
                }),
            })
            .transpose()?;
        let size = row
            .get(2)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<u64>().map_err(|_| RecordError::Size {
                    line,
                    size: s.to_owned(),
                })
            })
            .transpose()?;
        entries.push(RecordEntry {
            // Warehouse reads Windows-style separators as `/`.
            path: path.replace('\\', "/"),
            hash,
            size,
        });
    }
    Ok(entries)
}

/// The sha256 digests RECORD promises, by path, for the caller to verify.
pub fn expected_sha256(record: &str) -> HashMap<String, String> {
    parse(record)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|e| match e.hash {
            Some((algorithm, digest)) if algorithm == "sha256" => Some((e.path, digest)),
            _ => None,
        })
        .collect()
}

/// RECORD itself and its signatures carry no hash of their own.
fn is_unhashed(path: &str) -> bool {
    path.ends_with(".dist-info/RECORD")
        || path.ends_with(".dist-info/RECORD.jws")
        || path.ends_with(".dist-info/RECORD.p7s")
}

/// An error and its causes on one line, for a problem's message.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.ends_with(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    text
}

pub(super) fn check(file: &FileFacts, target: super::Target) -> Vec<Problem> {
    let (DistKind::Wheel, Some(record)) = (file.filename.kind, &file.record) else {
        return Vec::new();
    };
    let fix = "rebuild the wheel; a file changed after it was built";
    // Warehouse takes a RECORD it cannot decode or read as CSV for none at
    // all and refuses the wheel; any other flaw only e-mails the owners.
    let record = match std::str::from_utf8(record) {
        Ok(record) => record,
        Err(e) => {
            return vec![target.pypi_rule(
                "record",
                format!(
                    "RECORD is not UTF-8 (at byte {}), which PyPI reads as no RECORD: \
                     \"Wheel '{}' does not contain the required RECORD file\"",
                    e.valid_up_to(),
                    file.filename.filename
                ),
                "rebuild the wheel with a standard build backend",
            )];
        }
    };
    let entries = match parse(record) {
        Ok(entries) => entries,
        Err(e @ RecordError::Csv { .. }) => {
            return vec![target.pypi_rule("record", format!("RECORD is not valid CSV: {e}"), fix)];
        }
        Err(e) => {
            return vec![Problem::warning(
                "record",
                format!("RECORD is malformed: {e}"),
                fix,
            )];
        }
    };
    let mut problems = Vec::new();
    let mut listed: HashSet<&str> = HashSet::new();
    for entry in &entries {
        if !listed.insert(entry.path.as_str()) {
            problems.push(Problem::warning(
                "record",
                format!("RECORD lists {} twice", entry.path),
                fix,
            ));
        }
    }
    let sizes: HashMap<&str, u64> = file
        .members
        .iter()
        .filter(|m| m.is_file)
        .map(|m| (m.name.as_str(), m.size))
        .collect();
    for member in file.members.iter().filter(|m| m.is_file) {
        if !listed.contains(member.name.as_str()) && !is_unhashed(&member.name) {
            problems.push(Problem::warning(
                "record",
                format!("{} is in the wheel but not in RECORD", member.name),
                fix,
            ));
        }
    }
    for entry in &entries {
        match sizes.get(entry.path.as_str()) {
            None => problems.push(Problem::warning(
                "record",
                format!(
                    "RECORD lists {}, which the wheel does not contain",
                    entry.path
                ),
                fix,
            )),
            Some(&actual) if entry.size.is_some_and(|s| s != actual) => {
                problems.push(Problem::warning(
                    "record",
                    format!(
                        "RECORD says {} has {} bytes; it has {actual}",
                        entry.path,
                        entry.size.unwrap_or_default()
                    ),
                    fix,
                ))
            }
            Some(_) if entry.hash.is_none() && !is_unhashed(&entry.path) => {
                problems.push(Problem::warning(
                    "record",
                    format!("RECORD gives no hash for {}", entry.path),
                    "rebuild the wheel with a standard build backend",
                ))
            }
            Some(_) => {}
        }
    }
    if let Some(error) = &file.record_hash_error {
        problems.push(Problem::warning(
            "record",
            format!(
                "could not read every file RECORD lists to hash it: {}",
                with_causes(error.as_ref())
            ),
            fix,
        ));
    }
    for (path, expected, found) in file.record_mismatches.iter().flatten() {
        problems.push(Problem::warning(
            "record",
            format!("RECORD says {path} has sha256 {expected}, but it has {found}"),
            fix,
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::archive::{Compression, Member};

    fn member(name: &str, size: u64) -> Member {
        Member {
            name: name.into(),
            compression: Compression::Deflated,
            size,
            compressed: size,
            is_file: true,
            sparse: false,
        }
    }

    #[test]
    fn parses_quoted_paths_and_empty_fields() {
        let entries = parse("\"a,b.py\",sha256=abc,12\nx.dist-info/RECORD,,\n").unwrap();
        assert_eq!(entries[0].path, "a,b.py");
        assert_eq!(entries[0].hash, Some(("sha256".into(), "abc".into())));
        assert_eq!((entries[1].hash.clone(), entries[1].size), (None, None));
        assert!(
            parse("a.py,nohash,1\n")
                .unwrap_err()
                .to_string()
                .contains("is not algorithm=digest")
        );
    }

    #[test]
    fn unlisted_missing_resized_and_rehashed_files() {
        let mut facts = super::super::test_facts("x-1.0-py3-none-any.whl", "x", "1.0");
        facts.members = vec![
            member("x/__init__.py", 10),
            member("x/extra.py", 5),
            member("x-1.0.dist-info/RECORD", 99),
        ];
        facts.record = Some(
            b"x/__init__.py,sha256=AAAA,11\nx/gone.py,sha256=BBBB,3\nx-1.0.dist-info/RECORD,,\n\
              x/gone.py,sha256=BBBB,3\n"
                .to_vec(),
        );
        facts.record_mismatches =
            Some(vec![("x/__init__.py".into(), "AAAA".into(), "CCCC".into())]);
        let messages: Vec<String> =
            check(&facts, super::super::Target(crate::index::IndexKind::Pypi))
                .into_iter()
                .map(|p| p.message)
                .collect();
        assert_eq!(
            messages,
            [
                "RECORD lists x/gone.py twice",
                "x/extra.py is in the wheel but not in RECORD",
                "RECORD says x/__init__.py has 11 bytes; it has 10",
                "RECORD lists x/gone.py, which the wheel does not contain",
                "RECORD lists x/gone.py, which the wheel does not contain",
                "RECORD says x/__init__.py has sha256 AAAA, but it has CCCC",
            ]
        );
    }

    #[test]
    fn only_an_unreadable_record_is_refused() {
        let mut facts = super::super::test_facts("x-1.0-py3-none-any.whl", "x", "1.0");
        let verdict = |facts: &FileFacts| {
            check(facts, super::super::Target(crate::index::IndexKind::Pypi))
                .into_iter()
                .map(|p| format!("{:?} {}", p.severity, p.message))
                .collect::<Vec<_>>()
        };
        facts.record = Some(b"x/\xe9.py,,\n".to_vec());
        assert_eq!(
            verdict(&facts),
            [
                "Error RECORD is not UTF-8 (at byte 2), which PyPI reads as no RECORD: \
              \"Wheel 'x-1.0-py3-none-any.whl' does not contain the required RECORD file\""
            ]
        );
        facts.record = Some(b"x/a.py,sha256,1\n".to_vec());
        assert_eq!(
            verdict(&facts),
            ["Warning RECORD is malformed: line 1: hash 'sha256' is not algorithm=digest"]
        );
    }
}
