//! GitHub Actions workflow commands and files: masking, step outputs, the
//! step summary and error annotations. The texts are pure; appending to the
//! files GitHub names is the only I/O.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::auth::Secret;
use crate::config::env::EnvSnapshot;
use crate::dist::collect::DistFile;
use crate::index::Target;
use crate::untrusted::{self, defuse_commands};
use crate::upload::{FileReport, FileResult};

use super::fate::{AttestationFate, Attested, Fate};
use super::text::render;

/// `::add-mask::` for a secret: GitHub then replaces it with `***` in logs.
/// Written before any output that could carry the value.
pub fn mask_command(secret: &Secret) -> String {
    format!("::add-mask::{}", secret.expose())
}

/// An `::error::` annotation; newlines and `%` are escaped as workflow
/// commands require.
pub fn error_command(title: &str, message: &str) -> String {
    format!(
        "::error title={}::{}",
        escape_property(title),
        escape_data(message)
    )
}

/// A `::notice::` annotation with a title.
pub fn notice_command(title: &str, message: &str) -> String {
    format!(
        "::notice title={}::{}",
        escape_property(title),
        escape_data(message)
    )
}

/// A `::warning::` annotation.
pub fn warning_command(message: &str) -> String {
    format!("::warning::{}", escape_data(message))
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// A Markdown block for `$GITHUB_STEP_SUMMARY`: the text in a code fence
/// longer than any run of backticks in it, so that it cannot close the
/// fence, and with no line that reads as a workflow command.
pub fn summary_block(title: &str, body: &str) -> String {
    let body = untrusted::defuse_commands(body.trim_end());
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("### {title}\n\n{fence}\n{body}\n{fence}\n\n")
}

/// The step summary's table for an upload: each file with its size,
/// sha256, result and page.
pub fn upload_table(reports: &[FileReport], dry_run: bool, attested: Attested<'_>) -> String {
    let mut out = String::from(if dry_run {
        "### mintup upload (dry run)\n\n"
    } else {
        "### mintup upload\n\n"
    });
    out.push_str("| file | size | sha256 | result |\n|---|---:|---|---|\n");
    for report in reports {
        let fate = Fate::of(report, dry_run);
        let result = match (fate, &report.result, &report.page) {
            (Fate::Uploaded, _, Some(page)) => format!("uploaded ([page]({page}))"),
            (Fate::Skipped, ..) => "skipped (already there)".to_owned(),
            (Fate::Failed, FileResult::Failed(e), _) => {
                format!("**failed**: {}", untrusted::for_cell(&e.to_string(), &[]))
            }
            (Fate::Interrupted, ..) => "**interrupted** while sending".to_owned(),
            (fate, ..) => fate.text_word().to_owned(),
        };
        let result = match AttestationFate::of(report, attested) {
            Some(a) if a.sent => format!("{result}; attestation {} and sent", a.source.word()),
            Some(a) => format!("{result}; attestation {}, not sent", a.source.word()),
            None => result,
        };
        let sha256 = report
            .digests
            .as_ref()
            .map_or(String::new(), |d| format!("`{}`", d.sha256));
        out.push_str(&format!(
            "| `{}` | {} | {sha256} | {result} |\n",
            report.filename,
            crate::dist::size::human_size(report.size)
        ));
    }
    out.push('\n');
    out
}

/// The step output token-mint-action users already read.
pub fn token_output(token: &Secret) -> String {
    format!("api-token={}\n", token.expose())
}

/// Append text to a file GitHub gave us (`$GITHUB_OUTPUT`, `$GITHUB_STEP_SUMMARY`).
pub fn append(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?
        .write_all(text.as_bytes())
}

/// GitHub Actions' side channels, when mintup runs there: masks,
/// annotations and the step summary.
#[derive(Clone)]
pub struct CiOutput {
    github: bool,
    summary: Option<PathBuf>,
    output: Option<PathBuf>,
}

impl CiOutput {
    pub fn new(env: &EnvSnapshot) -> Self {
        CiOutput {
            github: env.get("GITHUB_ACTIONS") == Some("true"),
            summary: env.get("GITHUB_STEP_SUMMARY").map(PathBuf::from),
            output: env.get("GITHUB_OUTPUT").map(PathBuf::from),
        }
    }

    /// Mask a secret before anything else can print it. stderr, so that a
    /// captured stdout holds the token alone; the runner reads both.
    pub fn mask(&self, secret: &Secret) {
        if self.github {
            eprintln!("{}", mask_command(secret));
        }
    }

    pub fn warn(&self, message: &str) {
        eprintln!("warning: {}", defuse_commands(message));
        if self.github {
            eprintln!("{}", warning_command(message));
        }
    }

    /// A token upload to PyPI from GitHub Actions: point at trusted
    /// publishing, which needs no stored secret.
    pub fn suggest_trusted_publishing(&self, target: &Target, dists: &[DistFile], dry_run: bool) {
        if !self.github || dry_run || !target.kind.is_pypi_like() {
            return;
        }
        let page = dists
            .first()
            .and_then(|d| target.kind.publishing_settings(&d.filename.name))
            .unwrap_or_else(|| "https://docs.pypi.org/trusted-publishers/".to_owned());
        eprintln!(
            "{}",
            notice_command(
                "Consider trusted publishing",
                &format!(
                    "this upload used a stored token; trusted publishing needs none: add this workflow as a publisher at {page} and drop the password"
                )
            )
        );
    }

    /// In GitHub Actions: the step summary's table of files, and the step
    /// output `files` (the JSON report's files) for later steps.
    pub fn upload_summary(
        &self,
        reports: &[FileReport],
        report: &serde_json::Value,
        dry_run: bool,
        attested: Attested<'_>,
    ) {
        if !self.github {
            return;
        }
        let files = &report["files"];
        let writes = [
            (&self.summary, upload_table(reports, dry_run, attested)),
            (&self.output, format!("files={files}\n")),
        ];
        for (path, text) in writes {
            if let Some(path) = path
                && let Err(e) = append(path, &text)
            {
                eprintln!("warning: cannot write {}: {e}", path.display());
            }
        }
    }

    /// An `::error::` annotation and a step-summary block for a failure.
    /// Error texts carry claims and URLs, never tokens.
    pub fn report_failure(&self, title: &str, error: &dyn std::error::Error, hint: Option<&str>) {
        if !self.github {
            return;
        }
        let text = render(error, hint);
        eprintln!("{}", error_command(title, &text));
        if let Some(path) = &self.summary
            && let Err(e) = append(path, &summary_block(title, &text))
        {
            eprintln!(
                "warning: cannot write the step summary {}: {e}",
                path.display()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_escaped() {
        assert_eq!(
            error_command("mintup: mint", "line 1\nline 2 100%"),
            "::error title=mintup%3A mint::line 1%0Aline 2 100%25"
        );
        assert_eq!(warning_command("a\r\nb"), "::warning::a%0D%0Ab");
        assert_eq!(mask_command(&Secret::new("pypi-x")), "::add-mask::pypi-x");
        assert_eq!(token_output(&Secret::new("pypi-x")), "api-token=pypi-x\n");
        assert_eq!(summary_block("T", "body\n"), "### T\n\n```\nbody\n```\n\n");
    }

    #[test]
    fn summary_blocks_hold_any_text() {
        assert_eq!(
            summary_block("T", "a\n````\n::add-mask::x\n"),
            "### T\n\n`````\na\n````\n: :add-mask::x\n`````\n\n"
        );
    }
}
