//! GitHub Actions workflow commands and files: masking, step outputs, the
//! step summary and error annotations. The texts are pure; appending to the
//! files GitHub names is the only I/O.

use std::io::Write;
use std::path::Path;

use crate::auth::Secret;
use crate::untrusted;
use crate::upload::{FileReport, FileResult};

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

/// Where a project's trusted publishers are set up on PyPI or TestPyPI.
pub fn publishing_settings(host: &str, project: &str) -> String {
    format!("https://{host}/manage/project/{project}/settings/publishing/")
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
pub fn upload_table(
    reports: &[FileReport],
    dry_run: bool,
    attested: crate::json_report::Attested<'_>,
) -> String {
    let mut out = String::from(if dry_run {
        "### mintup upload (dry run)\n\n"
    } else {
        "### mintup upload\n\n"
    });
    out.push_str("| file | size | sha256 | result |\n|---|---:|---|---|\n");
    for report in reports {
        let result = match &report.result {
            FileResult::Uploaded { .. } if dry_run => "ready".to_owned(),
            FileResult::Uploaded { .. } => match &report.page {
                Some(page) => format!("uploaded ([page]({page}))"),
                None => "uploaded".to_owned(),
            },
            FileResult::Skipped { .. } => "skipped (already there)".to_owned(),
            FileResult::Failed(e) => {
                format!("**failed**: {}", untrusted::for_cell(&e.to_string(), &[]))
            }
            FileResult::Interrupted => "**interrupted** while sending".to_owned(),
            FileResult::NotAttempted(_) => "not sent".to_owned(),
        };
        let attestation = crate::json_report::attestation(report, attested);
        let result = match (
            attestation["status"].as_str(),
            attestation["sent"].as_bool(),
        ) {
            (Some(status), Some(true)) => format!("{result}; attestation {status} and sent"),
            (Some(status), _) => format!("{result}; attestation {status}, not sent"),
            _ => result,
        };
        let sha256 = report
            .digests
            .as_ref()
            .map_or(String::new(), |d| format!("`{}`", d.sha256));
        out.push_str(&format!(
            "| `{}` | {} | {sha256} | {result} |\n",
            report.filename,
            crate::report::human_size(report.size)
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
