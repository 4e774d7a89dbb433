//! The command line's [`Reporter`]: progress bars or quiet notes, each
//! file's result line as soon as it is known, and fresh secrets masked.

use std::io::Write;

use crate::auth::Secret;
use crate::upload::existing::LookupError;
use crate::upload::release_json::ReleaseJsonError;
use crate::upload::{FileReport, FileResult, Reporter};

use super::github::CiOutput;
use super::text::{one_line, print_details, result_lines};
use crate::hint::Hint;

/// The command line's reporter: progress through `inner`, each file's result
/// line as soon as it is known, and re-minted tokens masked before anything
/// else is printed.
pub struct CliReporter {
    pub inner: Box<dyn Reporter>,
    pub ci: CiOutput,
    pub print_hash: bool,
    /// `--dry-run`: where the files would have gone.
    pub dry_run_target: Option<String>,
    /// `--format json`: stdout holds the JSON document alone.
    pub json: bool,
}

impl Reporter for CliReporter {
    fn file_done(&self, report: &FileReport) {
        // With --format json, stdout holds the document alone and the
        // result lines go to stderr, for the log.
        let line = result_lines(report, self.print_hash, self.dry_run_target.as_deref());
        // Other files' bars are drawn meanwhile: lines go out between draws.
        self.inner.suspend(&mut || {
            if self.json {
                eprint!("{line}");
            } else {
                let mut stdout = std::io::stdout().lock();
                let _ = stdout.write_all(line.as_bytes());
                let _ = stdout.flush();
            }
            print_details(report);
            if let FileResult::Failed(e) = &report.result {
                let title = format!("mintup could not upload {}", report.filename);
                self.ci.report_failure(&title, e, e.hint().as_deref());
            }
        });
        self.inner.file_done(report);
    }
    fn batch_started(&self, files: usize, bytes: u64) {
        self.inner.batch_started(files, bytes);
    }
    fn start_file(&self, filename: &str, size: u64) {
        self.inner.start_file(filename, size);
    }
    fn advance(&self, filename: &str, bytes: u64) {
        self.inner.advance(filename, bytes);
    }
    fn finish_file(&self, filename: &str) {
        self.inner.finish_file(filename);
    }
    fn note(&self, message: &str) {
        self.inner.note(message);
    }
    fn lookup_failed(&self, file: &str, error: &LookupError, then: &str) {
        self.inner.note(&format!(
            "note: {file}: could not ask the index whether it already has it ({}); {then}",
            one_line(error, None)
        ));
    }
    fn release_unknown(&self, project: &str, version: &str, error: &ReleaseJsonError) {
        self.inner.note(&format!(
            "note: could not read when {project} {version} was released ({}); PyPI refuses new \
             files for releases older than 14 days",
            one_line(error, None)
        ));
    }
    fn new_secret(&self, secret: &Secret) {
        self.ci.mask(secret);
    }
}
