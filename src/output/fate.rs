//! One file's fate, decided once from its result: the text lines, the JSON
//! report and GitHub's step summary all render these values, each in its
//! own spelling, and none reads another's output back.

use crate::upload::{FileReport, FileResult, NotSent};

/// What became of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Uploaded,
    /// `--dry-run`: verified by the loopback index, and would have gone.
    Ready,
    Skipped,
    Failed,
    /// In flight when the run was interrupted.
    Interrupted,
    NotSent(NotSent),
}

impl Fate {
    pub fn of(report: &FileReport, dry_run: bool) -> Self {
        match &report.result {
            FileResult::Uploaded { .. } if dry_run => Fate::Ready,
            FileResult::Uploaded { .. } => Fate::Uploaded,
            FileResult::Skipped { .. } => Fate::Skipped,
            FileResult::Failed(_) => Fate::Failed,
            FileResult::Interrupted => Fate::Interrupted,
            FileResult::NotAttempted(why) => Fate::NotSent(*why),
        }
    }

    /// The word of the JSON report's `result`, a stable API.
    pub fn json_word(self) -> &'static str {
        match self {
            Fate::Uploaded => "uploaded",
            Fate::Ready => "ready",
            Fate::Skipped => "skipped",
            Fate::Failed => "failed",
            Fate::Interrupted => "interrupted",
            Fate::NotSent(_) => "not-sent",
        }
    }

    /// The word that starts a result line.
    pub fn text_word(self) -> &'static str {
        match self {
            Fate::Interrupted => "stopped",
            Fate::NotSent(_) => "not sent",
            other => other.json_word(),
        }
    }
}

/// How `upload --attest` came by a file's attestation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttestationSource {
    Generated,
    Reused,
}

impl AttestationSource {
    pub fn word(self) -> &'static str {
        match self {
            AttestationSource::Generated => "generated",
            AttestationSource::Reused => "reused",
        }
    }
}

/// What `upload --attest` did for each file, by file name.
pub type Attested<'a> = &'a [(String, AttestationSource)];

/// A file's attestation: how it came about, whether it went with the file,
/// and why not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttestationFate {
    pub source: AttestationSource,
    pub sent: bool,
    pub why_not: Option<&'static str>,
}

impl AttestationFate {
    /// PyPI ignores attestations on an identical re-upload, so a skipped
    /// file's is not sent.
    pub fn of(report: &FileReport, attested: Attested<'_>) -> Option<Self> {
        let (_, source) = attested.iter().find(|(name, _)| *name == report.filename)?;
        let (sent, why_not) = match &report.result {
            FileResult::Uploaded { .. } => (true, None),
            FileResult::Skipped { .. } => (
                false,
                Some(
                    "the index already has this file, and PyPI ignores attestations on an \
                     identical re-upload",
                ),
            ),
            FileResult::Failed(_) | FileResult::Interrupted | FileResult::NotAttempted(_) => {
                (false, Some("the file was not uploaded"))
            }
        };
        Some(AttestationFate {
            source: *source,
            sent,
            why_not,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(result: FileResult) -> FileReport {
        FileReport {
            filename: "x-1.0.tar.gz".into(),
            size: 1,
            digests: None,
            result,
            page: None,
        }
    }

    #[test]
    fn each_result_has_one_fate_and_its_words() {
        let uploaded = report(FileResult::Uploaded { warnings: None });
        assert_eq!(Fate::of(&uploaded, false), Fate::Uploaded);
        assert_eq!(Fate::of(&uploaded, true).text_word(), "ready");
        let stopped = Fate::of(&report(FileResult::Interrupted), false);
        assert_eq!(
            (stopped.text_word(), stopped.json_word()),
            ("stopped", "interrupted")
        );
        let not_sent = Fate::of(
            &report(FileResult::NotAttempted(NotSent::Interrupted)),
            false,
        );
        assert_eq!(
            (not_sent.text_word(), not_sent.json_word()),
            ("not sent", "not-sent")
        );
    }

    #[test]
    fn a_skipped_files_attestation_is_not_sent() {
        let attested = [("x-1.0.tar.gz".to_owned(), AttestationSource::Reused)];
        let skipped = report(FileResult::Skipped {
            message: String::new(),
            content: crate::upload::ExistingContent::Identical,
        });
        let fate = AttestationFate::of(&skipped, &attested).unwrap();
        assert!(!fate.sent && fate.why_not.is_some());
        let other = FileReport {
            filename: "y-1.0.tar.gz".into(),
            ..report(FileResult::Interrupted)
        };
        assert_eq!(AttestationFate::of(&other, &attested), None);
    }
}
