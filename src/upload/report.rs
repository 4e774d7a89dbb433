//! How progress leaves the upload: a small [`Reporter`] trait, drawn as bars
//! or plain notes by the command line, recorded by tests. Results are not
//! reported here alone: the run also returns them.

use crate::auth::Secret;

use super::FileReport;

pub trait Reporter: Send + Sync {
    /// The batch is about to be sent: its files and their bytes.
    fn batch_started(&self, _files: usize, _bytes: u64) {}
    /// A file's bytes start going out (several files may be in flight).
    fn start_file(&self, filename: &str, size: u64);
    /// `bytes` more of `filename` were handed to the connection.
    fn advance(&self, filename: &str, bytes: u64);
    /// The file's request is done, whatever its result.
    fn finish_file(&self, filename: &str);
    /// A line for the user's eyes on stderr: a note, a warning, verbose
    /// detail. Implementations print no line that reads as a workflow
    /// command ([`crate::untrusted::defuse_commands`]): notes carry the
    /// index's answers.
    fn note(&self, message: &str);
    /// The check URL could not say whether the index has `file`; `then`
    /// says what happens instead.
    fn lookup_failed(&self, file: &str, error: &super::existing::LookupError, then: &str) {
        self.note(&format!(
            "note: {file}: could not ask the index whether it already has it ({error}); {then}"
        ));
    }
    /// The JSON API could not say when a release was created: the 14-day
    /// rule is left to the index.
    fn release_unknown(
        &self,
        project: &str,
        version: &str,
        error: &super::release_json::ReleaseJsonError,
    ) {
        self.note(&format!(
            "note: could not read when {project} {version} was released ({error}); PyPI refuses \
             new files for releases older than 14 days"
        ));
    }
    /// A file's result is known (uploaded, skipped, failed or not sent).
    fn file_done(&self, _report: &FileReport) {}
    /// Print what `print` prints without tearing the progress drawn
    /// meanwhile.
    fn suspend(&self, print: &mut dyn FnMut()) {
        print();
    }
    /// A secret was just made (a re-minted token): where logs are public, the
    /// binary masks it before anything else is printed.
    fn new_secret(&self, _secret: &Secret) {}
}

/// Reports nothing, for the library's own tests.
#[cfg(test)]
pub(crate) struct Silent;

#[cfg(test)]
impl Reporter for Silent {
    fn start_file(&self, _: &str, _: u64) {}
    fn advance(&self, _: &str, _: u64) {}
    fn finish_file(&self, _: &str) {}
    fn note(&self, _: &str) {}
}
