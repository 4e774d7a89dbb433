//! The upload pipeline: collect and inspect every file first (a bad file stops
//! the batch before the first byte is sent), then hash each file while the
//! previous one uploads, send, and classify the answer.

pub mod client;
pub mod credentials;
pub mod dry_run;
pub mod existing;
pub mod form;
pub mod outcome;
pub mod report;
pub mod response;
pub mod retry;
pub mod stall;
pub mod verified_body;

use std::sync::Arc;
use std::time::Duration;

use crate::auth::Credentials;
use crate::check;
use crate::dist::collect::{CollectError, DistFile};
use crate::dist::{Digests, Hashed, InspectError, Metadata, digest};
use crate::index::Target;
pub use report::Reporter;

pub use credentials::UploadAuth;
pub use outcome::{ExistingContent, FileError, FileReport, FileResult, NotSent};

use self::client::{FileRequest, RawAnswer};
use self::form::{FormExtras, build_fields};
use self::response::{Answer, Outcome, classify};
use crate::http::ClientError;

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
    pub check_url: Option<url::Url>,
}

/// Failures that stop the run before any file is sent.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error(transparent)]
    Collect(#[from] CollectError),
    #[error(transparent)]
    Inspect(#[from] InspectError),
    #[error("{}: --attestations was given but {} does not exist", .dist, .expected)]
    MissingAttestation { dist: String, expected: String },
    #[error("{}: cannot read the attestation", .0)]
    AttestationRead(String, #[source] std::io::Error),
    #[error("{}: the attestation is not a JSON object", .0)]
    AttestationJson(String, #[source] serde_json::Error),
    #[error("{}: cannot read the signature", .0)]
    SignatureRead(String, #[source] std::io::Error),
    #[error("{} failing the checks; nothing was sent:\n{}", count_files(.0.len()), crate::check::render(.0).trim_end())]
    Checks(Vec<crate::check::FileVerdict>),
    #[error(transparent)]
    Client(#[from] ClientError),
}

impl PrepareError {
    pub fn hint(&self) -> Option<String> {
        match self {
            PrepareError::Collect(e) => e.hint().map(str::to_owned),
            PrepareError::Inspect(e) => e.hint().map(str::to_owned),
            PrepareError::Checks(_) => Some(
                "fix the files (each line says how), or pass --no-verify to send them anyway"
                    .into(),
            ),
            PrepareError::MissingAttestation { .. } => Some(
                "generate attestations first, or drop --attestations to upload without them".into(),
            ),
            _ => None,
        }
    }
}

fn count_files(n: usize) -> String {
    if n == 1 {
        "1 file".into()
    } else {
        format!("{n} files")
    }
}

/// A file ready to send: everything but its digests.
struct Prepared {
    dist: DistFile,
    metadata: Metadata,
    extras: FormExtras,
    signature: Option<(String, Vec<u8>)>,
}

/// Collect, inspect and check every file. Nothing is sent unless all of them
/// pass; warnings are passed on to the reporter.
fn prepare(job: &UploadJob, reporter: &dyn Reporter) -> Result<Vec<Prepared>, PrepareError> {
    let dists = job.dists.clone();
    let facts = dists
        .iter()
        .map(check::facts)
        .collect::<Result<Vec<_>, _>>()?;
    if job.options.verify {
        let verdicts = check::check_all(&facts, job.options.target.kind);
        let failing: Vec<_> = verdicts
            .iter()
            .filter(|v| v.fails(false))
            .cloned()
            .collect();
        if !failing.is_empty() {
            return Err(PrepareError::Checks(failing));
        }
        for verdict in &verdicts {
            for problem in &verdict.problems {
                reporter.note(&format!("{}: {problem}", verdict.filename));
            }
        }
    }
    let mut prepared = Vec::with_capacity(dists.len());
    for (dist, facts) in dists.into_iter().zip(facts) {
        let metadata = facts.metadata;
        let filename = dist.filename.filename.clone();
        let attestations = if job.options.attestations {
            if dist.attestations.is_empty() {
                return Err(PrepareError::MissingAttestation {
                    dist: filename,
                    expected: format!("{}.publish.attestation", dist.path.display()),
                });
            }
            let mut all = Vec::with_capacity(dist.attestations.len());
            for path in &dist.attestations {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| PrepareError::AttestationRead(filename.clone(), e))?;
                let value: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text)
                    .map_err(|e| PrepareError::AttestationJson(filename.clone(), e))?;
                all.push(serde_json::Value::Object(value));
            }
            Some(serde_json::Value::Array(all).to_string())
        } else {
            None
        };
        let signature = match &dist.signature {
            Some(path) => Some((
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                std::fs::read(path)
                    .map_err(|e| PrepareError::SignatureRead(filename.clone(), e))?,
            )),
            None => None,
        };
        prepared.push(Prepared {
            dist,
            metadata,
            extras: FormExtras {
                comment: job.options.comment.clone(),
                attestations,
            },
            signature,
        });
    }
    Ok(prepared)
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
    let mut reports = Vec::with_capacity(prepared.len());
    let mut pending = prepared
        .first()
        .map(|p| spawn_digest(&p.dist, job.options.print_hash));
    let mut halted: Option<NotSent> = None;
    let mut listings = Listings::default();
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
                    let sending = Sending {
                        digests: &digests,
                        contents: small_contents,
                    };
                    let result =
                        upload_one(&job, item, sending, Arc::clone(&reporter), &mut listings).await;
                    (Some(digests), result)
                }
                Err(source) => (
                    None,
                    FileResult::Failed(FileError::Hash {
                        file: filename.clone(),
                        source,
                    }),
                ),
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

/// One file's send: its digests, and its bytes when already read.
struct Sending<'a> {
    digests: &'a Digests,
    contents: Option<Vec<u8>>,
}

/// Project listings read from the check URL before sending, one fetch per
/// project and run.
type Listings = std::collections::HashMap<String, existing::Listing>;

/// Send one file: not at all when the index already has it, and again after
/// a transient failure, but never into a duplicate: after an answer that
/// leaves open whether the file was stored, the index is asked first.
async fn upload_one(
    job: &UploadJob,
    item: &Prepared,
    sending: Sending<'_>,
    reporter: Arc<dyn Reporter>,
    listings: &mut Listings,
) -> FileResult {
    let file = item.dist.filename.filename.clone();
    let project = item.metadata.name.clone();
    let sha256 = sending.digests.sha256.clone();
    // Credentials are taken per attempt: a token may run out in a long run
    // of retries.
    let credentials = |reporter: Arc<dyn Reporter>| async move {
        job.auth
            .for_attempt(&job.client, reporter.as_ref())
            .await
            .map_err(|source| FileError::Remint {
                file: item.dist.filename.filename.clone(),
                source,
            })
    };
    let mut lookup = Lookup {
        job,
        project: &project,
        credentials: match credentials(Arc::clone(&reporter)).await {
            Ok(credentials) => credentials,
            Err(e) => return FileResult::Failed(e),
        },
    };
    if job.options.check_url.is_some() {
        let listing = match listings.get(&project) {
            Some(listing) => Ok(listing.clone()),
            None => lookup.listing().await,
        };
        match listing {
            Ok(listing) => {
                let presence = listing.presence(&file, &sha256);
                listings.insert(project.clone(), listing);
                match presence {
                    existing::Presence::Same => {
                        return FileResult::Skipped {
                            message: "the index already has it, with the same sha256".into(),
                            content: ExistingContent::Identical,
                        };
                    }
                    existing::Presence::Different { theirs } => {
                        return FileResult::Failed(FileError::ExistsDifferent {
                            file,
                            ours: sha256,
                            theirs: Some(theirs),
                        });
                    }
                    existing::Presence::Absent | existing::Presence::NoDigest => {}
                }
            }
            Err(e) => reporter.lookup_failed(&file, &e),
        }
    }
    let attempts = job.options.retries + 1;
    let mut maybe_stored = false;
    let mut attempt = 1;
    let mut url = job.options.target.url.clone();
    let mut redirects = 0;
    loop {
        if attempt > 1 {
            lookup.credentials = match credentials(Arc::clone(&reporter)).await {
                Ok(credentials) => credentials,
                Err(e) => return FileResult::Failed(e),
            };
        }
        if maybe_stored {
            match lookup.presence(&file, &sha256).await {
                Some(existing::Presence::Same) => {
                    reporter.note(&format!(
                        "note: {file}: an earlier attempt had landed (the index has it with the same sha256)"
                    ));
                    return FileResult::Uploaded { warnings: None };
                }
                Some(existing::Presence::Different { theirs }) => {
                    return FileResult::Failed(FileError::ExistsDifferent {
                        file,
                        ours: sha256,
                        theirs: Some(theirs),
                    });
                }
                _ => {}
            }
        }
        let (result, transient) =
            attempt_once(job, &url, item, &sending, &lookup.credentials, &reporter).await;
        if let Some(next) =
            same_origin_redirect(&url, &result).filter(|_| redirects < MAX_REDIRECTS)
        {
            reporter.note(&format!(
                "{file}: the index redirects to {next}; sending it there"
            ));
            url = next;
            redirects += 1;
            continue;
        }
        let Some(transient) = transient else {
            return match result {
                AttemptResult::Answer(outcome) => {
                    settle(job, &lookup, &file, &sha256, outcome, maybe_stored).await
                }
                AttemptResult::Failed(error) => FileResult::Failed(error),
            };
        };
        let failure = match result {
            AttemptResult::Failed(error) => error,
            AttemptResult::Answer(outcome) => outcome_error(job, &file, outcome),
        };
        let wait = (attempt < attempts)
            .then(|| retry::wait(attempt, &transient, retry::jitter()))
            .flatten();
        let Some(wait) = wait else {
            return FileResult::Failed(if attempt > 1 {
                FileError::GaveUp {
                    file,
                    attempts: attempt,
                    last: Box::new(failure),
                }
            } else {
                failure
            });
        };
        reporter.note(&format!(
            "{file}: retrying in {:.1}s (attempt {}/{attempts}): {}",
            wait.as_secs_f64(),
            attempt + 1,
            transient.reason()
        ));
        tokio::time::sleep(wait).await;
        maybe_stored |= transient.ambiguous();
        attempt += 1;
    }
}

/// Redirects followed for one file, each within the upload URL's origin.
const MAX_REDIRECTS: u32 = 3;

/// Where a redirect answer points, when that is the same scheme, host and
/// port: only there may the credentials (and the body) go again.
fn same_origin_redirect(url: &url::Url, result: &AttemptResult) -> Option<url::Url> {
    let AttemptResult::Answer(Outcome::Rejected(response::Rejection {
        kind: response::RejectKind::Redirect {
            location: Some(location),
        },
        ..
    })) = result
    else {
        return None;
    };
    let next = url.join(location).ok()?;
    (existing::same_origin(url, &next) && next != *url).then_some(next)
}

/// Asks the check URL about one project.
struct Lookup<'a> {
    job: &'a UploadJob,
    project: &'a str,
    /// The attempt's credentials, lent to a check URL of the same origin.
    credentials: Credentials,
}

impl Lookup<'_> {
    async fn listing(&self) -> Result<existing::Listing, existing::LookupError> {
        let check_url = self
            .job
            .options
            .check_url
            .as_ref()
            .expect("a lookup needs a check URL");
        let credentials = existing::same_origin(check_url, &self.job.options.target.url)
            .then_some(&self.credentials);
        existing::fetch(&self.job.client, check_url, self.project, credentials).await
    }

    /// Where the file stands, when the index can tell.
    async fn presence(&self, file: &str, sha256: &str) -> Option<existing::Presence> {
        self.job.options.check_url.as_ref()?;
        self.listing()
            .await
            .ok()
            .map(|listing| listing.presence(file, sha256))
    }
}

enum AttemptResult {
    Answer(Outcome),
    Failed(FileError),
}

/// Send the file once: its result, and whether trying again may help.
async fn attempt_once(
    job: &UploadJob,
    url: &url::Url,
    item: &Prepared,
    sending: &Sending<'_>,
    credentials: &Credentials,
    reporter: &Arc<dyn Reporter>,
) -> (AttemptResult, Option<retry::Transient>) {
    let file = item.dist.filename.filename.clone();
    let target = url;
    let url = url.to_string();
    let digests = sending.digests;
    let contents = sending.contents.clone();
    let fields = build_fields(&item.metadata, &item.dist.filename, digests, &item.extras);
    if job.options.verbose {
        reporter.note(&format!(
            "POST {url} ({file}, {} bytes, {} form fields, user {})",
            digests.size,
            fields.len(),
            credentials.username
        ));
    }
    let request = FileRequest {
        url: target,
        credentials,
        fields,
        path: &item.dist.path,
        contents,
        stall_timeout: job.options.stall_timeout,
        filename: &file,
        size: digests.size,
        sha256: &digests.sha256,
        signature: item.signature.clone(),
        verbose: job.options.verbose,
    };
    let raw: RawAnswer = match client::send_file(&job.client, request, Arc::clone(reporter)).await {
        Ok(raw) => raw,
        Err(source) => {
            let transient = retry::transient_error(&source);
            return (
                AttemptResult::Failed(FileError::Send { file, url, source }),
                transient,
            );
        }
    };
    if job.options.verbose {
        let headers: Vec<String> = raw.headers.iter().map(|h| format!("< {h}")).collect();
        reporter.note(&format!(
            "< {} {}\n{}\n{}",
            raw.status,
            raw.reason.as_deref().unwrap_or(""),
            headers.join("\n"),
            raw.body.trim()
        ));
    }
    let transient = retry::transient_status(
        raw.status,
        raw.reason.as_deref().unwrap_or(""),
        raw.retry_after.as_deref(),
    );
    let answer = Answer {
        status: raw.status,
        content_type: raw.content_type.as_deref(),
        body: &raw.body,
        reason: raw.reason.as_deref(),
        location: raw.location.as_deref(),
    };
    (AttemptResult::Answer(classify(&answer)), transient)
}

/// A final answer's result. "Already exists" is checked against the index's
/// listing where there is one: after an attempt that may have stored the
/// file, or with `--skip-existing`, the same sha256 there means done.
async fn settle(
    job: &UploadJob,
    lookup: &Lookup<'_>,
    file: &str,
    sha256: &str,
    outcome: Outcome,
    maybe_stored: bool,
) -> FileResult {
    let Outcome::AlreadyExists { message } = outcome else {
        return match outcome {
            // Only Warehouse uses the body of a 200 for warnings; other
            // indexes say "OK" or the like there.
            Outcome::Uploaded { warnings } => FileResult::Uploaded {
                warnings: warnings.filter(|_| job.options.target.kind.is_pypi_like()),
            },
            other => FileResult::Failed(outcome_error(job, file, other)),
        };
    };
    if maybe_stored || job.options.skip_existing {
        match lookup.presence(file, sha256).await {
            Some(existing::Presence::Same) if maybe_stored => {
                return FileResult::Uploaded { warnings: None };
            }
            Some(existing::Presence::Same) => {
                return FileResult::Skipped {
                    message,
                    content: ExistingContent::Identical,
                };
            }
            Some(existing::Presence::Different { theirs }) => {
                return FileResult::Failed(FileError::ExistsDifferent {
                    file: file.to_owned(),
                    ours: sha256.to_owned(),
                    theirs: Some(theirs),
                });
            }
            _ => {}
        }
    }
    match ExistingContent::judge(job.options.target.kind, &message) {
        // The index takes identical re-uploads, so its copy differs.
        ExistingContent::Differs => FileResult::Failed(FileError::ExistsDifferent {
            file: file.to_owned(),
            ours: sha256.to_owned(),
            theirs: None,
        }),
        content if job.options.skip_existing => FileResult::Skipped { message, content },
        _ => FileResult::Failed(FileError::Exists {
            file: file.to_owned(),
            url: job.options.target.url.to_string(),
            message,
            pypi_like: job.options.target.kind.is_pypi_like(),
        }),
    }
}

/// An answer that is not an upload, as a failure.
fn outcome_error(job: &UploadJob, file: &str, outcome: Outcome) -> FileError {
    let url = job.options.target.url.to_string();
    match outcome {
        Outcome::Rejected(rejection) => FileError::Rejected {
            file: file.to_owned(),
            url,
            rejection,
            kind: job.options.target.kind,
        },
        Outcome::AlreadyExists { message } => FileError::Exists {
            file: file.to_owned(),
            url,
            message,
            pypi_like: job.options.target.kind.is_pypi_like(),
        },
        Outcome::Uploaded { .. } => unreachable!("an upload is not a failure"),
    }
}
