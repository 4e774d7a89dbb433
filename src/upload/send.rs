//! Sending one file: asked about first where the index can tell, sent again
//! after a transient failure or a same-origin redirect, and never into a
//! duplicate: after an answer that leaves open whether the file was stored,
//! the index is asked before the next attempt. The decisions are in
//! [`super::decide`]; this is their I/O.

use std::sync::Arc;

use crate::auth::Credentials;
use crate::dist::Digests;

use super::client::{self, FileRequest};
use super::decide::{self, AttemptResult, Subject};
use super::existing::Presence;
use super::form::build_fields;
use super::listings::{Ask, Listings};
use super::prepare::Prepared;
use super::response::{Answer, classify};
use super::retry;
use super::slots::Slots;
use super::{CheckUrl, FileError, FileResult, Reporter, UploadJob};

/// One file's send: the run, the file, its digests, and its bytes when the
/// hashing read already holds them.
pub(super) struct FileSend<'a> {
    pub job: &'a UploadJob,
    pub item: &'a Prepared,
    pub digests: &'a Digests,
    pub contents: Option<Vec<u8>>,
    pub reporter: Arc<dyn Reporter>,
    /// The run's slots: told when the index says it is overloaded, given
    /// back while the file waits to retry.
    pub slots: &'a Slots,
}

/// Redirects followed for one file, each within the upload URL's origin.
const MAX_REDIRECTS: u32 = 3;

impl FileSend<'_> {
    fn subject(&self) -> Subject<'_> {
        Subject {
            file: &self.item.dist.filename.filename,
            sha256: &self.digests.sha256,
        }
    }

    /// Credentials are taken per attempt: a token may run out in a long run
    /// of retries.
    async fn credentials(&self) -> Result<Credentials, FileError> {
        self.job
            .auth
            .for_attempt(&self.job.client, self.reporter.as_ref())
            .await
            .map_err(|source| FileError::Remint { source })
    }

    /// Send the file, with its retries and redirects.
    pub(super) async fn run(self, listings: &Listings) -> FileResult {
        let subject = self.subject();
        let options = &self.job.options;
        let project = self.item.metadata.name.clone();
        let mut credentials = match self.credentials().await {
            Ok(credentials) => credentials,
            Err(e) => return FileResult::Failed(e),
        };
        // A named or known listing is read before sending; a guessed one
        // only when --skip-existing may spare the upload.
        let look_first = match options.check_url {
            CheckUrl::Known(_) => true,
            CheckUrl::Discover => options.skip_existing,
            CheckUrl::Off => false,
        };
        if look_first {
            match listings
                .before_sending(&self.ask(&project, &credentials))
                .await
            {
                Some(Ok(listing)) => {
                    let presence = listing.presence(subject.file, subject.sha256);
                    if let Some(done) = decide::before_sending(&subject, presence) {
                        return done;
                    }
                }
                Some(Err(e)) => self.reporter.lookup_failed(subject.file, &e, "sending it"),
                None => {}
            }
        }
        let attempts = options.retries + 1;
        let mut maybe_stored = false;
        let mut attempt = 1;
        let mut url = options.target.url.clone();
        let mut redirects = 0;
        loop {
            if attempt > 1 {
                credentials = match self.credentials().await {
                    Ok(credentials) => credentials,
                    Err(e) => return FileResult::Failed(e),
                };
            }
            if maybe_stored {
                let presence = self.presence(listings, &project, &credentials).await;
                if let Some(done) = decide::landed_earlier(&subject, presence) {
                    if matches!(done, FileResult::Uploaded { .. }) {
                        self.reporter.note(&format!(
                            "note: {}: an earlier attempt had landed (the index has it with the \
                             same sha256)",
                            subject.file
                        ));
                    }
                    return done;
                }
            }
            let (result, transient) = self.attempt(&url, &credentials).await;
            if let Some(next) =
                decide::same_origin_redirect(&url, &result).filter(|_| redirects < MAX_REDIRECTS)
            {
                self.reporter.note(&format!(
                    "{}: the index redirects to {next}; sending it there",
                    subject.file
                ));
                url = next;
                redirects += 1;
                continue;
            }
            let Some(transient) = transient else {
                return match result {
                    AttemptResult::Answer(outcome) => {
                        let presence = match decide::needs_listing(options, &outcome, maybe_stored)
                        {
                            true => self.presence(listings, &project, &credentials).await,
                            false => None,
                        };
                        decide::settle(options, &subject, outcome, presence, maybe_stored)
                    }
                    AttemptResult::Failed(error) => FileResult::Failed(error),
                };
            };
            let failure = match result {
                AttemptResult::Failed(error) => error,
                AttemptResult::Answer(outcome) => decide::outcome_error(options, outcome),
            };
            let wait = (attempt < attempts)
                .then(|| retry::wait(attempt, &transient, retry::jitter()))
                .flatten();
            let Some(wait) = wait else {
                return FileResult::Failed(decide::give_up(attempt, failure));
            };
            self.reporter.note(&format!(
                "{}: retrying in {:.1}s (attempt {}/{attempts}): {}",
                subject.file,
                wait.as_secs_f64(),
                attempt + 1,
                transient.reason()
            ));
            // While it waits, the file holds no slot; it takes one again
            // under the limit as it stands then.
            self.slots.give_back();
            tokio::time::sleep(wait).await;
            self.slots.take().await;
            maybe_stored |= transient.ambiguous();
            attempt += 1;
        }
    }

    /// Send the file once: its result, and whether trying again may help.
    async fn attempt(
        &self,
        url: &url::Url,
        credentials: &Credentials,
    ) -> (AttemptResult, Option<retry::Transient>) {
        let (job, item, digests) = (self.job, self.item, self.digests);
        let file = item.dist.filename.filename.clone();
        let fields = build_fields(&item.metadata, &item.dist.filename, digests, &item.extras);
        if job.options.verbose {
            self.reporter.note(&format!(
                "POST {url} ({file}, {} bytes, {} form fields, user {})",
                digests.size,
                fields.len(),
                credentials.username
            ));
        }
        let request = FileRequest {
            url,
            credentials,
            fields,
            path: &item.dist.path,
            contents: self.contents.clone(),
            stall_timeout: job.options.stall_timeout,
            filename: &file,
            size: digests.size,
            sha256: &digests.sha256,
            signature: item.signature.clone(),
            verbose: job.options.verbose,
        };
        let raw = match client::send_file(&job.client, request, Arc::clone(&self.reporter)).await {
            Ok(raw) => raw,
            Err(source) => {
                let transient = retry::transient_error(&source);
                let url = url.to_string();
                return (
                    AttemptResult::Failed(FileError::Send { url, source }),
                    transient,
                );
            }
        };
        if job.options.verbose {
            let headers: Vec<String> = raw.headers.iter().map(|h| format!("< {h}")).collect();
            self.reporter.note(&format!(
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
        if matches!(raw.status, 429 | 503) {
            let retry_after = raw
                .retry_after
                .as_deref()
                .and_then(retry::parse_retry_after);
            self.slots.overloaded(retry_after);
        }
        let answer = Answer {
            status: raw.status,
            content_type: raw.content_type.as_deref(),
            body: &raw.body,
            reason: raw.reason.as_deref(),
            location: raw.location.as_deref(),
        };
        (AttemptResult::Answer(classify(&answer)), transient)
    }
}

impl FileSend<'_> {
    fn ask<'a>(&'a self, project: &'a str, credentials: &'a Credentials) -> Ask<'a> {
        Ask {
            job: self.job,
            project,
            credentials,
            reporter: self.reporter.as_ref(),
        }
    }

    /// Where the file stands on the index now, when the index can tell.
    async fn presence(
        &self,
        listings: &Listings,
        project: &str,
        credentials: &Credentials,
    ) -> Option<Presence> {
        let subject = self.subject();
        match listings.now(&self.ask(project, credentials)).await? {
            Ok(listing) => Some(listing.presence(subject.file, subject.sha256)),
            Err(e) => {
                self.reporter
                    .lookup_failed(subject.file, &e, "going by the answer alone");
                None
            }
        }
    }
}
