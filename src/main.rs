//! The `mintup` binary: parse arguments, resolve settings, run, print the
//! results and any error, and exit with the right status.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;

use mintup::auth::{Credentials, Secret};
use mintup::cli::{Cli, Command, UploadArgs};
use mintup::config::env::EnvSnapshot;
use mintup::error::{EXIT_FAILED, EXIT_OK, Error, render};
use mintup::report::{Bars, Quiet, Reporter, human_size};
use mintup::settings::{self, CredentialPlan, Terminal};
use mintup::upload::{self, FileReport, FileResult, UploadJob};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Upload(args) => match upload_command(args) {
            Ok(code) => code,
            Err(e) => {
                eprint!("{}", render(&e, e.hint().as_deref()));
                e.exit_code()
            }
        },
    };
    ExitCode::from(code as u8)
}

fn upload_command(args: UploadArgs) -> Result<i32, Error> {
    let env = EnvSnapshot::capture();
    let pypirc = settings::load_pypirc(args.config_file.as_deref(), &env)?;
    let terminal = Terminal {
        interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
    };
    let plan = settings::resolve_upload(&args, &env, pypirc.as_ref(), terminal)?;
    let show_bars = !args.disable_progress_bar && std::io::stderr().is_terminal();
    let reporter: Arc<dyn Reporter> = if show_bars {
        Arc::new(Bars::new())
    } else {
        Arc::new(Quiet)
    };
    for note in &plan.notes {
        reporter.note(&format!("note: {note}"));
    }
    let credentials = match plan.credentials {
        CredentialPlan::Ready(c) => c,
        CredentialPlan::Prompt { username } => prompt(username, plan.target.url.as_str())?,
    };
    let client = upload::client::build_client(plan.ca_cert.as_deref(), plan.client_cert.as_deref())
        .map_err(|e| Error::Prepare(e.into()))?;
    let job = UploadJob {
        dists: plan.dists,
        target: plan.target,
        credentials,
        client,
        skip_existing: plan.skip_existing,
        comment: plan.comment,
        attestations: plan.attestations,
        print_hash: plan.print_hash,
        verbose: plan.verbose,
    };
    let print_hash = job.print_hash;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    let reports = runtime.block_on(upload::run(job, Arc::clone(&reporter)))?;
    Ok(print_reports(&reports, print_hash))
}

fn prompt(username: Option<String>, url: &str) -> Result<Credentials, Error> {
    let username = match username {
        Some(u) => u,
        None => {
            eprint!("Username for {url}: ");
            let _ = std::io::stderr().flush();
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .map_err(Error::Prompt)?;
            line.trim().to_owned()
        }
    };
    let password =
        rpassword::prompt_password(format!("Password or token for {username} at {url}: "))
            .map_err(Error::Prompt)?;
    Ok(Credentials {
        username,
        password: Secret::new(password),
    })
}

/// One line per file on stdout; failures in full on stderr. Returns the exit
/// status.
fn print_reports(reports: &[FileReport], print_hash: bool) -> i32 {
    let mut stdout = std::io::stdout().lock();
    let mut ok = true;
    for report in reports {
        let (word, detail) = match &report.result {
            FileResult::Uploaded { .. } => ("uploaded", report.page.clone()),
            FileResult::Skipped { .. } => ("skipped", Some("already on the index".to_owned())),
            FileResult::Failed(_) => ("failed", None),
            FileResult::NotAttempted => ("not sent", Some("an earlier file failed".to_owned())),
        };
        ok &= report.result.is_ok();
        let mut line = format!("{word:<9} {}  {}", report.filename, human_size(report.size));
        if let Some(detail) = detail {
            line.push_str("  ");
            line.push_str(&detail);
        }
        let _ = writeln!(stdout, "{line}");
        if print_hash && let Some(d) = &report.digests {
            let _ = writeln!(stdout, "  sha256      {}", d.sha256);
            let _ = writeln!(stdout, "  md5         {}", d.md5.as_deref().unwrap_or("-"));
            let _ = writeln!(stdout, "  blake2b-256 {}", d.blake2_256);
        }
        match &report.result {
            FileResult::Uploaded { warnings: Some(w) } => {
                eprintln!("warning: {}: the index says: {w}", report.filename);
            }
            FileResult::Skipped {
                message,
                content_differs: true,
            } => {
                eprintln!(
                    "warning: {} was skipped, but the published file differs from this one \
                     (the index accepts identical re-uploads): {message}",
                    report.filename
                );
            }
            FileResult::Failed(e) => {
                let _ = stdout.flush();
                eprint!("{}", render(e, e.hint().as_deref()));
            }
            _ => {}
        }
    }
    if ok { EXIT_OK } else { EXIT_FAILED }
}
