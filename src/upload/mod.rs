//! The upload of a batch of collected files: `prepare` inspects and checks
//! every file first (a bad file stops the batch before the first byte is
//! sent), then each file is hashed while the previous one uploads, sent by
//! `send` as `decide` rules, and its result reported at once.

mod answer;
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
mod send;
pub mod stall;
pub mod verified_body;

use std::sync::Arc;
use std::time::Duration;

use crate::dist::collect::DistFile;
use crate::dist::{Hashed, digest};
use crate::index::Target;

pub use credentials::UploadAuth;
pub use outcome::{ExistingContent, FileError, FileReport, FileResult, NotSent};
pub use prepare::{PrepareError, StaleRelease};
pub use report::Reporter;

use self::listings::Listings;
use self::prepare::{prepare, refuse_stale_releases};
use self::send::FileSend;

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

fn spawn_digest(
    dist: &DistFile,
    with_md5: bool,
) -> tokio::task::JoinHandle<std::io::Result<Hashed>> {
    let path = dist.path.clone();
    tokio::task::spawn_blocking(move || digest::digest_file(&path, with_md5))
}

/// Upload every file in order, stopping at the first failure so that a
/// release is never left with its later files uploaded around a rejected one.
/// When `stop` completes (the user pressed Ctrl-C), the file in flight is
/// abandoned and reported as such, and no other file is started.
pub async fn run(
    job: UploadJob,
    reporter: Arc<dyn Reporter>,
    stop: impl Future<Output = ()>,
) -> Result<Vec<FileReport>, PrepareError> {
    let prepared = prepare(&job, reporter.as_ref())?;
    if let Some(base) = &job.options.json_api {
        refuse_stale_releases(&job, &prepared, base, reporter.as_ref()).await?;
    }
    let mut reports = Vec::with_capacity(prepared.len());
    let mut pending = prepared
        .first()
        .map(|p| spawn_digest(&p.dist, job.options.print_hash));
    let mut halted: Option<NotSent> = None;
    let listings = Listings::new(&job.options.check_url);
    let mut stop = std::pin::pin!(stop);
    for (i, item) in prepared.iter().enumerate() {
        let filename = item.dist.filename.filename.clone();
        let page = job
            .options
            .target
            .kind
            .release_page(&item.metadata.name, &item.metadata.version);
        let size_on_disk = || std::fs::metadata(&item.dist.path).map_or(0, |m| m.len());
        if let Some(why) = halted {
            record(
                &mut reports,
                reporter.as_ref(),
                FileReport {
                    filename,
                    size: size_on_disk(),
                    digests: None,
                    result: FileResult::NotAttempted(why),
                    page,
                },
            );
            continue;
        }
        let work = async {
            let digests = match pending.take() {
                Some(task) => task.await.expect("hashing task panicked"),
                None => unreachable!("a digest task is started for every file until one fails"),
            };
            pending = prepared
                .get(i + 1)
                .map(|next| spawn_digest(&next.dist, job.options.print_hash));
            match digests {
                Ok(Hashed {
                    digests,
                    small_contents,
                }) => {
                    let send = FileSend {
                        job: &job,
                        item,
                        digests: &digests,
                        contents: small_contents,
                        reporter: Arc::clone(&reporter),
                    };
                    let result = send.run(&listings).await;
                    (Some(digests), result)
                }
                Err(source) => (None, FileResult::Failed(FileError::Hash { source })),
            }
        };
        let (digests, result) = tokio::select! {
            biased;
            () = &mut stop => {
                halted = Some(NotSent::Interrupted);
                (None, FileResult::Interrupted)
            }
            done = work => done,
        };
        if halted.is_none() && !result.is_ok() {
            halted = Some(NotSent::EarlierFailure);
        }
        record(
            &mut reports,
            reporter.as_ref(),
            FileReport {
                filename,
                size: digests.as_ref().map_or_else(size_on_disk, |d| d.size),
                digests,
                result,
                page,
            },
        );
    }
    Ok(reports)
}

/// Keep a file's result, and hand it to the reporter at once: if the run is
/// interrupted later, what was already uploaded has been said.
fn record(reports: &mut Vec<FileReport>, reporter: &dyn Reporter, report: FileReport) {
    reporter.file_done(&report);
    reports.push(report);
}
