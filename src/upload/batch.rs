//! A batch's run: several files in flight at once, started in the order the
//! [`Schedule`] allows and as the [`Slots`] admit, each reported the
//! moment it ends. The first failure stops new starts (the files in flight
//! finish) unless `--keep-going`; Ctrl-C abandons the files in flight.

use std::sync::Arc;

use futures_util::stream::FuturesUnordered;
use futures_util::{FutureExt as _, StreamExt};

use crate::dist::{Digests, Hashed, digest};

use super::listings::Listings;
use super::prepare::{Prepared, prepare, refuse_stale_releases};
use super::schedule::{Role, Schedule};
use super::send::FileSend;
use super::slots::Slots;
use super::{FileError, FileReport, FileResult, NotSent, PrepareError, Reporter, UploadJob};

/// Upload every file, several at once. Returns each file's report in the
/// order the files were given.
pub async fn run(
    job: UploadJob,
    reporter: Arc<dyn Reporter>,
    stop: impl Future<Output = ()>,
) -> Result<Vec<FileReport>, PrepareError> {
    let prepared = prepare(&job, reporter.as_ref())?;
    let mut stop = std::pin::pin!(stop);
    // A signal before the first start (while checking, or asking the JSON
    // API) leaves every file not sent.
    let mut halted: Option<NotSent> = None;
    if let Some(base) = &job.options.json_api {
        tokio::select! {
            biased;
            () = &mut stop => halted = Some(NotSent::Interrupted),
            checked = refuse_stale_releases(&job, &prepared, base, reporter.as_ref()) => checked?,
        }
    }
    if halted.is_none() && (&mut stop).now_or_never().is_some() {
        halted = Some(NotSent::Interrupted);
    }
    let shared = Shared {
        job: &job,
        listings: Listings::new(&job.options.check_url),
        slots: Slots::new(job.options.jobs),
        hashing: tokio::sync::Semaphore::new(HASHING_AT_ONCE),
        reporter,
    };
    let mut schedule = Schedule::new(prepared.iter().map(|p| {
        // One release to the index: PEP 440 equality makes 1.0 and 1.0.0
        // the same version (a version that does not parse is its text).
        let release = (
            crate::dist::filename::normalize_name(&p.metadata.name),
            p.metadata
                .version
                .parse::<pep440_rs::Version>()
                .map_err(|_| p.metadata.version.clone()),
        );
        let role = match p.dist.filename.kind.is_sdist() {
            true => Role::Sdist,
            false => Role::Wheel,
        };
        (release, role)
    }));
    let bytes = prepared
        .iter()
        .map(|p| std::fs::metadata(&p.dist.path).map_or(0, |m| m.len()))
        .fold(0u64, u64::saturating_add);
    shared.reporter.batch_started(prepared.len(), bytes);
    let mut reports: Vec<Option<FileReport>> = prepared.iter().map(|_| None).collect();
    let mut in_flight = FuturesUnordered::new();
    loop {
        while halted.is_none() {
            let Some(i) = schedule.next() else { break };
            if !shared.slots.try_take() {
                break;
            }
            schedule.start(i);
            in_flight.push(shared.upload(i, &prepared[i]));
        }
        let held = shared.slots.held_until();
        let waiting = halted.is_none() && schedule.waiting().next().is_some();
        if in_flight.is_empty() && (!waiting || held.is_none()) {
            break;
        }
        let wake = async {
            match held.filter(|_| waiting) {
                Some(at) => tokio::time::sleep_until(at.into()).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            () = &mut stop => {
                halted = Some(NotSent::Interrupted);
                break;
            }
            Some((i, digests, result)) = in_flight.next() => {
                let accepted = result.is_ok();
                schedule.finish(i, accepted);
                shared.slots.give_back();
                if accepted {
                    shared.slots.accepted();
                } else if !job.options.keep_going {
                    halted = halted.or(Some(NotSent::EarlierFailure));
                }
                let report = shared.report(&prepared[i], digests, result);
                shared.reporter.file_done(&report);
                reports[i] = Some(report);
            }
            () = wake => {}
        }
    }
    drop(in_flight);
    let unfinished: Vec<(usize, FileResult)> = schedule
        .running()
        .map(|i| (i, FileResult::Interrupted))
        .chain(schedule.waiting().map(|i| {
            let why = halted.unwrap_or(NotSent::EarlierFailure);
            (i, FileResult::NotAttempted(why))
        }))
        .collect();
    for (i, result) in unfinished {
        let report = shared.report(&prepared[i], None, result);
        shared.reporter.file_done(&report);
        reports[i] = Some(report);
    }
    Ok(reports.into_iter().flatten().collect())
}

/// Files hashed at once: hashing is bound by the CPU (two threads a file),
/// and each file being hashed holds a few 1 MiB chunks.
const HASHING_AT_ONCE: usize = 2;

/// What every file's upload shares.
struct Shared<'a> {
    job: &'a UploadJob,
    listings: Listings,
    slots: Slots,
    hashing: tokio::sync::Semaphore,
    reporter: Arc<dyn Reporter>,
}

impl Shared<'_> {
    /// Hash the file, then send it: its index in the batch, its digests
    /// when they were computed, and its result.
    async fn upload(&self, i: usize, item: &Prepared) -> (usize, Option<Digests>, FileResult) {
        let path = item.dist.path.clone();
        let with_md5 = self.job.options.print_hash;
        let permit = self.hashing.acquire().await.expect("never closed");
        let hashed = tokio::task::spawn_blocking(move || digest::digest_file(&path, with_md5))
            .await
            .expect("hashing task panicked");
        drop(permit);
        match hashed {
            Ok(Hashed {
                digests,
                small_contents,
            }) => {
                let send = FileSend {
                    job: self.job,
                    item,
                    digests: &digests,
                    contents: small_contents,
                    reporter: Arc::clone(&self.reporter),
                    slots: &self.slots,
                };
                let result = send.run(&self.listings).await;
                (i, Some(digests), result)
            }
            Err(source) => (i, None, FileResult::Failed(FileError::Hash { source })),
        }
    }

    fn report(&self, item: &Prepared, digests: Option<Digests>, result: FileResult) -> FileReport {
        let size = digests.as_ref().map_or_else(
            || std::fs::metadata(&item.dist.path).map_or(0, |m| m.len()),
            |d| d.size,
        );
        FileReport {
            filename: item.dist.filename.filename.clone(),
            size,
            digests,
            result,
            page: self
                .job
                .options
                .target
                .kind
                .release_page(&item.metadata.name, &item.metadata.version),
        }
    }
}
