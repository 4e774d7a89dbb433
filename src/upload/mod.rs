//! The upload of a batch of collected files: `prepare` inspects and checks
//! every file first (a bad file stops the batch before the first byte is
//! sent), then `batch` sends several at once in the order `schedule`
//! allows and as the `slots` of the `throttle` let it, each file hashed and sent by
//! `send` as `decide` rules, and its result reported at once.

mod answer;
mod batch;
pub mod check_url;
pub mod client;
pub mod credentials;
mod decide;
pub mod dry_run;
pub mod existing;
pub mod form;
mod listings;
pub mod outcome;
mod prepare;
pub mod release_age;
pub mod release_json;
pub mod report;
pub mod response;
pub mod retry;
mod schedule;
mod send;
mod slots;
pub mod stall;
mod throttle;
pub mod verified_body;

use std::time::Duration;

use crate::dist::collect::DistFile;
use crate::index::Target;

pub use batch::run;
pub use credentials::UploadAuth;
pub use outcome::{ExistingContent, FileError, FileReport, FileResult, NotSent};
pub use prepare::{PrepareError, StaleRelease};
pub use report::Reporter;

/// What an upload run needs: the files, the credentials, the client and
/// how to behave.
pub struct UploadJob {
    /// The files, collected once by the caller, with their companions.
    pub dists: Vec<DistFile>,
    pub auth: UploadAuth,
    pub client: reqwest::Client,
    pub options: UploadOptions,
}

/// How an upload behaves, resolved from flags, environment and `.pypirc`.
#[derive(Debug, Clone)]
pub struct UploadOptions {
    pub target: Target,
    pub skip_existing: bool,
    pub comment: Option<String>,
    /// Send each file's `.publish.attestation`.
    pub attestations: bool,
    pub print_hash: bool,
    pub verbose: bool,
    /// Run the pre-upload checks (`--no-verify` turns them off).
    pub verify: bool,
    /// Abandon a file's request when nothing moves for this long.
    pub stall_timeout: Duration,
    /// Retries of a transient failure, per file.
    pub retries: u32,
    /// The most files in flight at once.
    pub jobs: usize,
    /// Go on after a failure with every file that can still be sent.
    pub keep_going: bool,
    /// The simple index that says which files the index has.
    pub check_url: CheckUrl,
    /// PyPI's JSON API (`…/pypi/`), for the 14-day rule; None where the
    /// index has no such rule.
    pub json_api: Option<url::Url>,
}

/// Where the run learns which files the index already has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckUrl {
    /// Named by the user, or known for the index (PyPI's).
    Known(url::Url),
    /// Guessed from the upload URL and probed, when a listing is first needed.
    Discover,
    /// Nowhere: `--no-check-url`, or a dry run.
    Off,
}
