//! Every line `mintup` prints for a person: result lines, details, the
//! attest and check verdicts, the minted token and its burn, the
//! interruption summary, and the one renderer that prints any error as
//! `error:` / `caused by:` / `hint:` lines.

use std::error::Error as StdError;
use std::fmt::Write as _;
use std::io::Write;

use crate::attest::run::Attested;
use crate::check::{FileVerdict, Severity};
use crate::cli::TokenFormat;
use crate::dist::InspectError;
use crate::dist::size::human_size;
use crate::mint::Minted;
use crate::untrusted::defuse_commands;
use crate::upload::{ExistingContent, FileReport, FileResult, NotSent};

use super::fate::Fate;
use crate::hint::Hint;

/// `check`'s verdicts on stdout, a file a line with its problems below;
/// whether any failed.
pub fn print_check(
    verdicts: &[FileVerdict],
    unreadable: &[(String, InspectError)],
    strict: bool,
) -> bool {
    let mut stdout = std::io::stdout().lock();
    let mut failed = false;
    for (filename, error) in unreadable {
        failed = true;
        let _ = writeln!(stdout, "FAILED  {filename}");
        let text = render(error, error.hint().as_deref());
        for line in text.lines() {
            let _ = writeln!(stdout, "    {line}");
        }
    }
    for verdict in verdicts {
        let word = match verdict.worst() {
            None => "PASSED",
            Some(Severity::Warning) => "WARNED",
            Some(Severity::Error) => "FAILED",
        };
        failed |= verdict.fails(strict);
        let _ = writeln!(stdout, "{word}  {}", verdict.filename);
        for problem in &verdict.problems {
            let _ = writeln!(stdout, "    {problem}");
        }
    }
    failed
}

/// A note for the person running mintup, on stderr.
pub fn note(message: &str) {
    eprintln!("note: {}", defuse_commands(message));
}

/// The minted token on stdout, in the asked format.
pub fn print_token(minted: &Minted, format: TokenFormat, repository: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(format_token(minted, format, repository).as_bytes());
    let _ = stdout.flush();
}

/// An error, its causes and its hint on one line, for a note or a warning.
pub fn one_line(error: &dyn StdError, hint: Option<&str>) -> String {
    render(error, hint)
        .trim()
        .trim_start_matches("error: ")
        .replace("\n  caused by: ", ": ")
        .replace("\nhint: ", "; ")
}

/// `burn`'s result on stdout. The index answers 202 to every burn request,
/// so this says what is known: the request was accepted, not that a token
/// is gone.
pub fn print_burn_requested(url: &str) {
    println!(
        "burn requested: {url} answered 202 (the index does not say whether the token existed)"
    );
}

/// After an interruption, on stderr: what landed, what was in flight.
pub fn print_interrupted(reports: &[FileReport]) {
    eprint!("{}", interrupted_summary(reports));
}

/// After `--keep-going`: which files failed, in the files' order (their
/// errors were printed as each ended).
pub fn print_failures(reports: &[FileReport]) {
    let failed: Vec<&str> = reports
        .iter()
        .filter(|r| matches!(r.result, FileResult::Failed(_)))
        .map(|r| r.filename.as_str())
        .collect();
    if !failed.is_empty() {
        eprintln!(
            "error: {} of {} files failed: {}",
            failed.len(),
            reports.len(),
            failed.join(", ")
        );
    }
}

/// A file's result line, and its digests with `--print-hash`.
pub fn result_lines(report: &FileReport, print_hash: bool, dry_run_target: Option<&str>) -> String {
    let fate = Fate::of(report, dry_run_target.is_some());
    let detail = match fate {
        Fate::Ready => dry_run_target.map(|url| {
            let sha256 = report.digests.as_ref().map_or("", |d| d.sha256.as_str());
            format!("sha256 {sha256}; verified, would go to {url}")
        }),
        Fate::Uploaded => report.page.clone(),
        Fate::Skipped => Some("already on the index".to_owned()),
        Fate::Failed => None,
        Fate::Interrupted => {
            Some("in flight when interrupted; the index may or may not have it".to_owned())
        }
        Fate::NotSent(NotSent::EarlierFailure) => Some("an earlier file failed".to_owned()),
        Fate::NotSent(NotSent::Interrupted) => Some("interrupted".to_owned()),
    };
    let word = fate.text_word();
    let mut out = format!("{word:<9} {}  {}", report.filename, human_size(report.size));
    if let Some(detail) = detail {
        out.push_str("  ");
        out.push_str(&detail);
    }
    out.push('\n');
    if print_hash && let Some(d) = &report.digests {
        out.push_str(&format!("  sha256      {}\n", d.sha256));
        out.push_str(&format!(
            "  md5         {}\n",
            d.md5.as_deref().unwrap_or("-")
        ));
        out.push_str(&format!("  blake2b-256 {}\n", d.blake2_256));
    }
    out
}

/// A file's failure in full, or a warning, on stderr.
pub fn print_details(report: &FileReport) {
    match &report.result {
        FileResult::Uploaded { warnings: Some(w) } => {
            eprintln!(
                "warning: {}: the index says: {}",
                report.filename,
                defuse_commands(w)
            );
        }
        FileResult::Skipped { message, content } => match content {
            ExistingContent::Identical => eprintln!(
                "note: {} was skipped: the index already has it, with the same sha256",
                report.filename
            ),
            ExistingContent::Unknown | ExistingContent::Differs => eprintln!(
                "note: {} was skipped; the index does not say whether its copy is identical: {}",
                report.filename,
                defuse_commands(message)
            ),
        },
        FileResult::Failed(e) => eprint!(
            "{}",
            defuse_commands(&render_about(&report.filename, e, e.hint().as_deref()))
        ),
        _ => {}
    }
}

/// What `attest` (and `upload --attest`) did, one line per file.
pub fn print_attested(results: Vec<(String, Attested)>, out: &mut dyn Write) {
    for (filename, attested) in results {
        let _ = match attested {
            Attested::Generated(path) => {
                writeln!(out, "attested  {filename}  {}", path.display())
            }
            Attested::Reused(path) => writeln!(
                out,
                "reused    {filename}  {} (it holds for this file)",
                path.display()
            ),
        };
    }
}

fn format_token(minted: &Minted, format: TokenFormat, repository: &str) -> String {
    let token = minted.token.expose();
    match format {
        TokenFormat::Raw => format!("{token}\n"),
        TokenFormat::Json => format!(
            "{}\n",
            serde_json::json!({
                "token": token,
                "expires": minted.expires,
                "repository": repository,
            })
        ),
        TokenFormat::Env => {
            format!("MINTUP_TOKEN={token}\nTWINE_USERNAME=__token__\nTWINE_PASSWORD={token}\n")
        }
    }
}

/// After an interruption: what landed, what was in flight, what to do.
fn interrupted_summary(reports: &[FileReport]) -> String {
    let names = |keep: fn(&FileResult) -> bool| {
        let names: Vec<&str> = reports
            .iter()
            .filter(|r| keep(&r.result))
            .map(|r| r.filename.as_str())
            .collect();
        if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        }
    };
    format!(
        "error: interrupted; uploaded: {}; in flight: {}; not sent: {}\n\
         hint: the index may or may not have the file in flight: run the same command again with \
         --skip-existing to finish the release\n",
        names(FileResult::is_ok),
        names(|r| matches!(r, FileResult::Interrupted)),
        names(|r| matches!(r, FileResult::NotAttempted(_))),
    )
}

/// [`render`] for an error about one file, which the first line names.
pub fn render_about(file: &str, error: &dyn StdError, hint: Option<&str>) -> String {
    let text = render(error, hint);
    match text.strip_prefix("error: ") {
        Some(rest) => format!("error: {file}: {rest}"),
        None => text,
    }
}

/// Render an error with its whole cause chain and an optional hint. A
/// `transparent` layer shares its source's message, so repeated lines are
/// dropped.
pub fn render(error: &dyn StdError, hint: Option<&str>) -> String {
    let mut out = format!("error: {error}\n");
    let mut last = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if text != last {
            let _ = writeln!(out, "  caused by: {text}");
        }
        last = text;
        source = cause.source();
    }
    if let Some(hint) = hint {
        let _ = writeln!(out, "hint: {hint}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn renders_chain_and_hint() {
        let e = Outer(std::io::Error::other("inner"));
        assert_eq!(
            render(&e, Some("do this")),
            "error: outer\n  caused by: inner\nhint: do this\n"
        );
        assert_eq!(render(&e, None), "error: outer\n  caused by: inner\n");
    }
}
