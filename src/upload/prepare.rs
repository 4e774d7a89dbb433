//! Before the first byte: inspect and check every file, and read what goes
//! with it (its attestations and signature). One bad file stops the batch.

use crate::check;
use crate::dist::collect::{CollectError, DistFile};
use crate::dist::{InspectError, Metadata};
use crate::http::ClientError;

use super::form::FormExtras;
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
