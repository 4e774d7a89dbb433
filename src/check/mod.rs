//! Pre-flight checks: the rules PyPI's upload endpoint applies that can be
//! decided offline, one small function per rule, run on every file and on the
//! batch before anything is sent (`../shared/reference/legacy-upload.md`
//! §5–§9). The rules are pure and judge [`FileFacts`]; [`facts`] and
//! [`verify_record_hashes`] are the reads that gather them.

mod archive_rules;
mod batch_rules;
pub mod classifiers;
mod description_rules;
mod entry_points;
mod field_values;
mod filename_rules;
mod framing_rules;
mod import_names;
mod metadata_rules;
mod metadata_versions;
pub mod record_rules;

use std::fmt;
use std::sync::Arc;

use crate::dist::archive::Member;
use crate::dist::framing::Framing;
use crate::dist::{self, DistFile, DistFilename, InspectError, Metadata};
use crate::index::IndexKind;

/// Where a metadata problem's fix is explained.
const SPEC: &str = "see https://packaging.python.org/specifications/core-metadata";

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// One broken rule: which, what is wrong, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    pub rule: &'static str,
    pub message: String,
    pub fix: String,
}

impl Problem {
    fn error(rule: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Error,
            rule,
            message: message.into(),
            fix: fix.into(),
        }
    }

    fn warning(rule: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(rule, message, fix)
        }
    }
}

/// `error: rule: what is wrong; what to do`, as `check` and `upload` print it.
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{level}: {}: {}; {}", self.rule, self.message, self.fix)
    }
}

/// Who enforces a rule decides how hard it bites: an error where the target
/// is PyPI or TestPyPI, a warning for any other index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target(pub IndexKind);

impl Target {
    fn pypi_rule(
        self,
        rule: &'static str,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Problem {
        if self.0.is_pypi_like() {
            Problem::error(rule, message, fix)
        } else {
            Problem::warning(rule, message, fix)
        }
    }
}

/// What the checks know about one file.
#[derive(Debug, Clone)]
pub struct FileFacts {
    pub filename: DistFilename,
    pub size: u64,
    pub metadata: Metadata,
    pub members: Vec<Member>,
    /// A wheel's RECORD, as stored (PyPI refuses one that is not UTF-8).
    pub record: Option<Vec<u8>>,
    /// A wheel's `entry_points.txt`, as stored.
    pub entry_points: Option<Vec<u8>>,
    /// How the archive is framed: polyglot, zip records.
    pub framing: Framing,
    /// RECORD's sha256 digests that disagree with the files, as (path,
    /// expected, found); `None` where the hashes were not read.
    pub record_mismatches: Option<Vec<(String, String, String)>>,
    /// Why the files RECORD lists could not all be read for hashing.
    pub record_hash_error: Option<Arc<dist::archive::ArchiveError>>,
}

/// The verdict on one file.
#[derive(Debug, Clone)]
pub struct FileVerdict {
    pub filename: String,
    pub problems: Vec<Problem>,
}

impl FileVerdict {
    pub fn worst(&self) -> Option<Severity> {
        self.problems.iter().map(|p| p.severity).max()
    }

    pub fn fails(&self, strict: bool) -> bool {
        match self.worst() {
            Some(Severity::Error) => true,
            Some(Severity::Warning) => strict,
            None => false,
        }
    }
}

/// Check every file, then the batch; a batch problem is told on the files it
/// concerns.
pub fn check_all(files: &[FileFacts], target: IndexKind) -> Vec<FileVerdict> {
    let target = Target(target);
    let mut verdicts: Vec<FileVerdict> = files
        .iter()
        .map(|file| {
            let mut problems = Vec::new();
            problems.extend(filename_rules::check(file, target));
            problems.extend(metadata_rules::check(&file.metadata, target));
            problems.extend(import_names::check(&file.metadata, target));
            problems.extend(description_rules::check(&file.metadata, target));
            problems.extend(framing_rules::check(file, target));
            problems.extend(archive_rules::check(file, target));
            problems.extend(record_rules::check(file, target));
            problems.extend(entry_points::check(file, target));
            FileVerdict {
                filename: file.filename.filename.clone(),
                problems,
            }
        })
        .collect();
    for (index, problem) in batch_rules::check(files, target) {
        verdicts[index].problems.push(problem);
    }
    verdicts
}

/// Read what the checks need from a file.
pub fn facts(dist: &DistFile) -> Result<FileFacts, InspectError> {
    let inspected = dist::inspect(dist)?;
    let size = std::fs::metadata(&dist.path)
        .map(|m| m.len())
        .unwrap_or_default();
    Ok(FileFacts {
        filename: dist.filename.clone(),
        size,
        metadata: inspected.metadata,
        members: inspected.members,
        record: inspected.record,
        entry_points: inspected.entry_points,
        framing: inspected.framing,
        record_mismatches: None,
        record_hash_error: None,
    })
}

/// Every file's facts, in order. With `record_hashes`, also read and hash
/// every file RECORD lists ([`verify_record_hashes`]): `check` does, the
/// upload pre-flight does not. One unreadable file does not stop the rest.
pub fn read_all(dists: &[DistFile], record_hashes: bool) -> Vec<Result<FileFacts, InspectError>> {
    dists
        .iter()
        .map(|dist| {
            let mut facts = facts(dist)?;
            if record_hashes {
                verify_record_hashes(dist, &mut facts);
            }
            Ok(facts)
        })
        .collect()
}

/// Read every file RECORD hashes and note the ones that differ: a full
/// decompressing read of the wheel, which `mintup check` does and the upload
/// pre-flight leaves out (it checks RECORD against the archive's sizes). A
/// compression bomb is not unpacked, and a read failure becomes a problem of
/// its own rather than hiding the other verdicts.
fn verify_record_hashes(dist: &DistFile, facts: &mut FileFacts) {
    // A RECORD that is not UTF-8 has no hashes to trust (the RECORD rule
    // says so).
    let Some(record) = facts
        .record
        .as_deref()
        .and_then(|bytes| std::str::from_utf8(bytes).ok())
    else {
        return;
    };
    if archive_rules::is_bomb(facts) {
        return;
    }
    let expected = record_rules::expected_sha256(record);
    match dist::archive::sha256_mismatches(&dist.path, &expected) {
        Ok(mismatches) => facts.record_mismatches = Some(mismatches),
        Err(e) => facts.record_hash_error = Some(Arc::new(e)),
    }
}

/// The verdicts that fail, rendered as the lines `check` and `upload` print:
/// the file, then one line per problem.
pub fn render(verdicts: &[FileVerdict]) -> String {
    let mut out = String::new();
    for verdict in verdicts {
        out.push_str(&format!("  {}\n", verdict.filename));
        for problem in &verdict.problems {
            out.push_str(&format!("    {problem}\n"));
        }
    }
    out
}

/// Facts for a file with a bare metadata, for the rules' tests.
#[cfg(test)]
pub(crate) fn test_facts(filename: &str, name: &str, version: &str) -> FileFacts {
    FileFacts {
        filename: DistFilename::parse(filename).expect("a valid test file name"),
        size: 1,
        metadata: Metadata {
            metadata_version: "2.4".into(),
            name: name.into(),
            version: version.into(),
            ..Metadata::default()
        },
        members: Vec::new(),
        record: None,
        entry_points: None,
        framing: Framing::default(),
        record_mismatches: None,
        record_hash_error: None,
    }
}
