//! Before the first byte: inspect and check every file, and read what goes
//! with it (its attestations and signature). One bad file stops the batch.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use url::Url;

use crate::check;
use crate::dist::collect::{CollectError, DistFile};
use crate::dist::{InspectError, Metadata};
use crate::http::ClientError;

use super::form::FormExtras;
use super::release_age;
use super::release_json;
use super::{Reporter, UploadJob};
use crate::hint::Hint;

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
    #[error(
        "PyPI refuses new files for releases older than 14 days (\"{}\"); nothing was sent:\n{}",
        release_age::PYPI_SAYS,
        stale_lines(.0)
    )]
    StaleReleases(Vec<StaleRelease>),
}

/// A release older than 14 days, and the files of the batch it lacks.
#[derive(Debug)]
pub struct StaleRelease {
    pub project: String,
    pub version: String,
    pub created: Duration,
    pub files: Vec<String>,
}

fn stale_lines(stale: &[StaleRelease]) -> String {
    let lines: Vec<String> = stale
        .iter()
        .map(|s| {
            format!(
                "  {} {} was first uploaded on {}; new: {}",
                s.project,
                s.version,
                release_age::day(s.created),
                s.files.join(", ")
            )
        })
        .collect();
    lines.join("\n")
}

impl Hint for PrepareError {
    fn hint(&self) -> Option<String> {
        match self {
            PrepareError::Collect(e) => e.hint(),
            PrepareError::Inspect(e) => e.hint(),
            PrepareError::Checks(_) => Some(
                "fix the files (each line says how), or pass --no-verify to send them anyway"
                    .into(),
            ),
            PrepareError::StaleReleases(_) => Some(
                "publish these files under a new version: bump it and rebuild (a wheel build tag \
                 does not help, the release stays the same)"
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
pub(super) struct Prepared {
    pub dist: DistFile,
    pub metadata: Metadata,
    pub extras: FormExtras,
    pub signature: Option<(String, Vec<u8>)>,
}

/// Collect, inspect and check every file. Nothing is sent unless all of them
/// pass; warnings are passed on to the reporter.
pub(super) fn prepare(
    job: &UploadJob,
    reporter: &dyn Reporter,
) -> Result<Vec<Prepared>, PrepareError> {
    let dists = job.dists.clone();
    let facts = check::read_all(&dists, false)
        .into_iter()
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

/// PyPI's 14-day rule, before the first byte: each release of the batch is
/// looked up in the JSON API at `base`, and a batch with new files for a
/// release created more than 14 days ago is refused whole. Files the
/// release already has are not new (they are skipped or refused later, as
/// Warehouse checks them first). An unreadable JSON API is a note.
pub(super) async fn refuse_stale_releases(
    job: &UploadJob,
    prepared: &[Prepared],
    base: &Url,
    reporter: &dyn Reporter,
) -> Result<(), PrepareError> {
    let mut releases: Vec<(&str, &str, Vec<&str>)> = Vec::new();
    for item in prepared {
        let (name, version) = (&item.metadata.name, &item.metadata.version);
        let file = item.dist.filename.filename.as_str();
        match releases
            .iter_mut()
            .find(|(n, v, _)| n == name && v == version)
        {
            Some((_, _, files)) => files.push(file),
            None => releases.push((name, version, vec![file])),
        }
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let mut stale = Vec::new();
    for (project, version, files) in releases {
        let facts = match release_json::fetch(&job.client, base, project, version).await {
            Ok(Some(facts)) => facts,
            Ok(None) => continue,
            Err(error) => {
                reporter.release_unknown(project, version, &error);
                continue;
            }
        };
        let refused = release_age::refused(&facts, &files, now);
        if let (false, Some(created)) = (refused.is_empty(), facts.created) {
            stale.push(StaleRelease {
                project: project.to_owned(),
                version: version.to_owned(),
                created,
                files: refused.into_iter().map(str::to_owned).collect(),
            });
        }
    }
    match stale.is_empty() {
        true => Ok(()),
        false => Err(PrepareError::StaleReleases(stale)),
    }
}
