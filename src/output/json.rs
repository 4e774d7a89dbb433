//! The `--format json` documents of `upload` and `check`: one JSON object on
//! stdout, versioned, so CI steps (and mintup's GitHub Action) read results
//! without parsing text. Pure: results in, a `serde_json::Value` out. The
//! shape is documented in the README; fields are only ever added.

use serde_json::{Value, json};

use crate::check::{FileVerdict, Severity};
use crate::dist::InspectError;
use crate::upload::{FileError, FileReport, FileResult};

use super::fate::{AttestationFate, Attested, Fate};
use crate::hint::Hint;

/// Print `check`'s document on stdout; whether it failed.
pub fn print_check(
    verdicts: &[FileVerdict],
    unreadable: &[(String, InspectError)],
    strict: bool,
) -> bool {
    let unreadable: Vec<Unreadable<'_>> = unreadable
        .iter()
        .map(|(filename, error)| Unreadable {
            filename,
            error,
            hint: error.hint(),
        })
        .collect();
    let report = check(verdicts, &unreadable, strict);
    println!("{report}");
    !report["ok"].as_bool().unwrap_or(false)
}

/// Print a document on stdout, alone on its line.
pub fn print(document: &Value) {
    println!("{document}");
}

/// The shape's version; bumped only if a field changes meaning.
pub const VERSION: u32 = 1;

/// `upload`: the repository and every file's result.
pub fn upload(
    reports: &[FileReport],
    repository: &str,
    dry_run: bool,
    attested: Attested<'_>,
) -> Value {
    let files: Vec<Value> = reports
        .iter()
        .map(|r| {
            let mut file = upload_file(r, dry_run);
            file["attestation"] = attestation(r, attested);
            file
        })
        .collect();
    json!({
        "version": VERSION,
        "command": "upload",
        "repository": repository,
        "dry_run": dry_run,
        "ok": reports.iter().all(|r| r.result.is_ok()),
        "files": files,
    })
}

fn upload_file(report: &FileReport, dry_run: bool) -> Value {
    let (warnings, error) = match &report.result {
        FileResult::Uploaded { warnings } if !dry_run => (warnings.clone(), None),
        FileResult::Skipped { message, .. } => (Some(message.clone()), None),
        FileResult::Failed(e) => (None, Some(error(e))),
        _ => (None, None),
    };
    let result = Fate::of(report, dry_run).json_word();
    let digests = report.digests.as_ref();
    json!({
        "filename": report.filename,
        "size": report.size,
        "sha256": digests.map(|d| d.sha256.clone()),
        "blake2_256": digests.map(|d| d.blake2_256.clone()),
        "md5": digests.and_then(|d| d.md5.clone()),
        "result": result,
        "url": report.page,
        "warnings": warnings,
        "error": error,
    })
}

/// Whether the file's attestation went with it, and why not.
fn attestation(report: &FileReport, attested: Attested<'_>) -> Value {
    match AttestationFate::of(report, attested) {
        None => Value::Null,
        Some(fate) => {
            let mut value = json!({"status": fate.source.word(), "sent": fate.sent});
            if let Some(why) = fate.why_not {
                value["why"] = json!(why);
            }
            value
        }
    }
}

/// A failure: a stable code, its message, the causes and the hint.
fn error(e: &FileError) -> Value {
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    let mut value = json!({
        "code": code(e),
        "message": e.to_string(),
        "causes": causes,
        "hint": e.hint(),
    });
    if let FileError::Rejected { rejection, .. } = e {
        value["status"] = json!(rejection.status);
    }
    value
}

/// What kind of failure, as a word that does not change with the message.
fn code(e: &FileError) -> &'static str {
    match e {
        FileError::Remint { .. } => "mint",
        FileError::Hash { .. } => "read",
        FileError::Send { .. } => "send",
        FileError::Exists { .. } => "exists",
        FileError::ExistsDifferent { .. } => "exists-different",
        FileError::GaveUp { .. } => "gave-up",
        FileError::Rejected { .. } => "rejected",
    }
}

/// A file `check` could not read, for [`check`].
pub struct Unreadable<'a> {
    pub filename: &'a str,
    pub error: &'a dyn std::error::Error,
    pub hint: Option<String>,
}

/// `check`: each file's verdict and problems.
pub fn check(verdicts: &[FileVerdict], unreadable: &[Unreadable<'_>], strict: bool) -> Value {
    let mut files: Vec<Value> = unreadable
        .iter()
        .map(|u| {
            json!({
                "filename": u.filename,
                "verdict": "failed",
                "problems": [{
                    "severity": "error",
                    "rule": "read",
                    "message": super::text::render(u.error, None).trim(),
                    "fix": u.hint,
                }],
            })
        })
        .collect();
    files.extend(verdicts.iter().map(|v| {
        let problems: Vec<Value> = v
            .problems
            .iter()
            .map(|p| {
                json!({
                    "severity": match p.severity {
                        Severity::Warning => "warning",
                        Severity::Error => "error",
                    },
                    "rule": p.rule,
                    "message": p.message,
                    "fix": p.fix,
                })
            })
            .collect();
        json!({
            "filename": v.filename,
            "verdict": match v.worst() {
                None => "passed",
                Some(Severity::Warning) => "warned",
                Some(Severity::Error) => "failed",
            },
            "problems": problems,
        })
    }));
    json!({
        "version": VERSION,
        "command": "check",
        "strict": strict,
        "ok": unreadable.is_empty() && !verdicts.iter().any(|v| v.fails(strict)),
        "files": files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fate::AttestationSource;
    use crate::upload::ExistingContent;

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
    fn attestations_say_whether_they_went_with_the_file() {
        let attested = [("x-1.0.tar.gz".to_owned(), AttestationSource::Reused)];
        let uploaded = report(FileResult::Uploaded { warnings: None });
        assert_eq!(
            attestation(&uploaded, &attested),
            json!({"status": "reused", "sent": true})
        );
        let skipped = report(FileResult::Skipped {
            message: "exists".into(),
            content: ExistingContent::Identical,
        });
        assert_eq!(attestation(&skipped, &attested)["sent"], false);
        assert!(
            attestation(&skipped, &attested)["why"]
                .as_str()
                .unwrap()
                .contains("identical re-upload")
        );
        assert_eq!(attestation(&uploaded, &[]), Value::Null);
    }
}
