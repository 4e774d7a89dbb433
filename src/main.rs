//! The `mintup` binary: parse arguments, resolve settings, run, print the
//! results and any error, and exit with the right status.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

use clap::Parser;

use mintup::attest::run::{AttestError, AttestJob, Attested, run as run_attest};
use mintup::attest::trust::TrustConfig;
use mintup::auth::{Credentials, Secret};
use mintup::check::{self, Severity};
use mintup::cli::{
    AttestArgs, CheckArgs, Cli, Command, MintArgs, ReportFormat, TokenFormat, UploadArgs,
};
use mintup::config::env::EnvSnapshot;
use mintup::dist::collect::{self, DistFile};
use mintup::error::{EXIT_FAILED, EXIT_OK, Error, render};
use mintup::github;
use mintup::json_report;
use mintup::mint::{MachineFacts, Minted, Minter, provider};
use mintup::report::{Bars, Quiet, Reporter, human_size};
use mintup::settings::{self, CredentialPlan, Target, Terminal};
use mintup::untrusted::defuse_commands;
use mintup::upload::dry_run::LoopbackIndex;
use mintup::upload::{
    self, ExistingContent, FileReport, FileResult, NotSent, UploadAuth, UploadJob,
};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env = EnvSnapshot::capture();
    let ci = CiOutput::new(&env);
    let result = match cli.command {
        Command::Upload(args) => upload_command(args, env, &ci),
        Command::Mint(args) => mint_command(args, env, &ci),
        Command::Check(args) => check_command(args, env),
        Command::Attest(args) => attest_command(args, env),
    };
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            let hint = e.hint();
            // The last safety net: no line of an error may read as a
            // workflow command, whatever text reached it.
            eprint!("{}", defuse_commands(&render(&e, hint.as_deref())));
            let title = match e {
                Error::Mint(_) => "Trusted publishing failed",
                _ => "mintup failed",
            };
            ci.report_failure(title, &e, hint.as_deref());
            e.exit_code()
        }
    };
    ExitCode::from(code as u8)
}

/// GitHub Actions' side channels, when mintup runs there: masks,
/// annotations and the step summary.
#[derive(Clone)]
struct CiOutput {
    github: bool,
    summary: Option<PathBuf>,
    output: Option<PathBuf>,
}

impl CiOutput {
    fn new(env: &EnvSnapshot) -> Self {
        CiOutput {
            github: env.get("GITHUB_ACTIONS") == Some("true"),
            summary: env.get("GITHUB_STEP_SUMMARY").map(PathBuf::from),
            output: env.get("GITHUB_OUTPUT").map(PathBuf::from),
        }
    }

    /// Mask a secret before anything else can print it. stderr, so that a
    /// captured stdout holds the token alone; the runner reads both.
    fn mask(&self, secret: &Secret) {
        if self.github {
            eprintln!("{}", github::mask_command(secret));
        }
    }

    fn warn(&self, message: &str) {
        eprintln!("warning: {}", defuse_commands(message));
        if self.github {
            eprintln!("{}", github::warning_command(message));
        }
    }

    /// A token upload to PyPI from GitHub Actions: point at trusted
    /// publishing, which needs no stored secret.
    fn suggest_trusted_publishing(&self, target: &Target, dists: &[DistFile], dry_run: bool) {
        let host = match target.kind {
            mintup::index::IndexKind::Pypi => "pypi.org",
            mintup::index::IndexKind::TestPypi => "test.pypi.org",
            mintup::index::IndexKind::Other => return,
        };
        if !self.github || dry_run {
            return;
        }
        let page = dists.first().map(|d| d.filename.name.clone()).map_or_else(
            || "https://docs.pypi.org/trusted-publishers/".to_owned(),
            |project| {
                github::publishing_settings(host, &mintup::dist::filename::normalize_name(&project))
            },
        );
        eprintln!(
            "{}",
            github::notice_command(
                "Consider trusted publishing",
                &format!(
                    "this upload used a stored token; trusted publishing needs none: add this workflow as a publisher at {page} and drop the password"
                )
            )
        );
    }

    /// In GitHub Actions: the step summary's table of files, and the step
    /// output `files` (the JSON report's files) for later steps.
    fn upload_summary(
        &self,
        reports: &[FileReport],
        report: &serde_json::Value,
        dry_run: bool,
        attested: json_report::Attested<'_>,
    ) {
        if !self.github {
            return;
        }
        let files = &report["files"];
        let writes = [
            (
                &self.summary,
                github::upload_table(reports, dry_run, attested),
            ),
            (&self.output, format!("files={files}\n")),
        ];
        for (path, text) in writes {
            if let Some(path) = path
                && let Err(e) = github::append(path, &text)
            {
                eprintln!("warning: cannot write {}: {e}", path.display());
            }
        }
    }

    /// An `::error::` annotation and a step-summary block for a failure.
    /// Error texts carry claims and URLs, never tokens.
    fn report_failure(&self, title: &str, error: &dyn std::error::Error, hint: Option<&str>) {
        if !self.github {
            return;
        }
        let text = render(error, hint);
        eprintln!("{}", github::error_command(title, &text));
        if let Some(path) = &self.summary
            && let Err(e) = github::append(path, &github::summary_block(title, &text))
        {
            eprintln!(
                "warning: cannot write the step summary {}: {e}",
                path.display()
            );
        }
    }
}

/// The command line's reporter: progress through `inner`, each file's result
/// line as soon as it is known, and re-minted tokens masked before anything
/// else is printed.
struct CliReporter {
    inner: Box<dyn Reporter>,
    ci: CiOutput,
    print_hash: bool,
    /// `--dry-run`: where the files would have gone.
    dry_run_target: Option<String>,
    /// `--format json`: stdout holds the JSON document alone.
    json: bool,
}

impl Reporter for CliReporter {
    fn file_done(&self, report: &FileReport) {
        // With --format json, stdout holds the document alone and the
        // result lines go to stderr, for the log.
        let line = result_lines(report, self.print_hash, self.dry_run_target.as_deref());
        if self.json {
            eprint!("{line}");
        } else {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(line.as_bytes());
            let _ = stdout.flush();
        }
        print_details(report);
        if let FileResult::Failed(e) = &report.result {
            let title = format!("mintup could not upload {}", report.filename);
            self.ci.report_failure(&title, e, e.hint().as_deref());
        }
    }
    fn start_file(&self, filename: &str, size: u64) {
        self.inner.start_file(filename, size);
    }
    fn advance(&self, bytes: u64) {
        self.inner.advance(bytes);
    }
    fn finish_file(&self) {
        self.inner.finish_file();
    }
    fn note(&self, message: &str) {
        self.inner.note(message);
    }
    fn new_secret(&self, secret: &Secret) {
        self.ci.mask(secret);
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)
}

fn upload_command(args: UploadArgs, env: EnvSnapshot, ci: &CiOutput) -> Result<i32, Error> {
    let pypirc = settings::load_pypirc(args.repo.config_file.as_deref(), &env)?;
    // The files before credentials: finding them is offline and free, and
    // "no distributions" is the better first error than "no credentials".
    let mut dists = collect::collect(&args.dists).map_err(|e| Error::Prepare(e.into()))?;
    let machine = MachineFacts::read();
    let terminal = Terminal {
        interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
        // The machine alone (a Google VM) is no CI: `auto` mints only where a
        // CI system or an explicit service account says so.
        ci_provider: provider::detect(&env, &MachineFacts::default()),
    };
    let plan = settings::resolve_upload(&args, &env, pypirc.as_ref(), terminal)?;
    let show_bars = !args.disable_progress_bar && std::io::stderr().is_terminal();
    let inner: Box<dyn Reporter> = if show_bars {
        Box::new(Bars::new())
    } else {
        Box::new(Quiet)
    };
    for note in &plan.notes {
        inner.note(&format!("note: {note}"));
    }
    let client = mintup::http::build_client(plan.ca_cert.as_deref(), plan.client_cert.as_deref())
        .map_err(|e| Error::Prepare(e.into()))?;
    let runtime = runtime()?;
    let dry_run = args.dry_run;
    if args.attest && !matches!(plan.credentials, CredentialPlan::TrustedPublishing) && !dry_run {
        return Err(Error::AttestWithoutTrustedPublishing);
    }
    if args.attest && dry_run {
        inner.note("note: --dry-run signs nothing; --attest is left out");
    }
    let env_for_attest = env.clone();
    let mut attested: Vec<(String, &'static str)> = Vec::new();
    let auth = match plan.credentials {
        CredentialPlan::Ready(c) => {
            ci.suggest_trusted_publishing(&plan.target, &dists, dry_run);
            UploadAuth::fixed(c)
        }
        CredentialPlan::Prompt { username, password } => {
            UploadAuth::fixed(prompt(username, password, plan.target.url.as_str())?)
        }
        CredentialPlan::TrustedPublishing => {
            let minter = Minter {
                upload_url: plan.target.url.clone(),
                kind: plan.target.kind,
                audience: plan.audience.clone(),
                provider: None,
                env,
                machine,
                project: dists.first().map(|d| d.filename.name.clone()),
            };
            let minted = runtime.block_on(minter.mint(&client))?;
            ci.mask(&minted.token);
            for warning in &minted.warnings {
                ci.warn(warning);
            }
            inner.note(&format!(
                "note: using a token minted from this {} run (trusted publishing)",
                minted.provider
            ));
            if args.attest && !dry_run {
                attested = attest_before_upload(
                    &args,
                    &mut dists,
                    &plan.target,
                    &env_for_attest,
                    &runtime,
                )?;
            }
            UploadAuth::minted(minter, minted)
        }
    };
    let reporter: Arc<dyn Reporter> = Arc::new(CliReporter {
        inner,
        ci: ci.clone(),
        print_hash: plan.print_hash,
        dry_run_target: dry_run.then(|| plan.target.url.to_string()),
        json: args.format == ReportFormat::Json,
    });
    let repository = plan.target.url.to_string();
    let job = UploadJob {
        dists,
        target: plan.target,
        auth,
        client,
        skip_existing: plan.skip_existing,
        comment: plan.comment,
        // --attest wrote or checked every file's attestation: send them.
        attestations: plan.attestations || (args.attest && !dry_run),
        print_hash: plan.print_hash,
        verbose: plan.verbose,
        verify: plan.verify,
        stall_timeout: plan.stall_timeout,
        retries: plan.retries,
        check_url: plan.check_url,
    };
    // Ctrl-C or SIGTERM ends the run cleanly: what was sent is reported,
    // and the exit status is the shell's 128 + signal.
    let signalled = Arc::new(AtomicI32::new(0));
    let stop = {
        let signalled = Arc::clone(&signalled);
        async move { signalled.store(interruption().await, Ordering::SeqCst) }
    };
    let reports = runtime.block_on(async {
        if !dry_run {
            return upload::run(job, reporter, stop).await.map_err(Error::from);
        }
        // The same requests, to mintup's own verifying index on 127.0.0.1.
        let loopback = LoopbackIndex::start().await.map_err(Error::Runtime)?;
        let job = UploadJob {
            target: Target {
                url: loopback.url.clone(),
                ..job.target
            },
            // Nothing leaves the machine in a dry run.
            check_url: None,
            ..job
        };
        upload::run(job, reporter, stop).await.map_err(Error::from)
    })?;
    // One document for stdout and for the step output.
    let report = json_report::upload(&reports, &repository, dry_run, &attested);
    if args.format == ReportFormat::Json {
        println!("{report}");
    }
    ci.upload_summary(&reports, &report, dry_run, &attested);
    match signalled.load(Ordering::SeqCst) {
        0 if reports.iter().all(|r| r.result.is_ok()) => Ok(EXIT_OK),
        0 => Ok(EXIT_FAILED),
        code => {
            eprint!("{}", interrupted_summary(&reports));
            // The hashing thread of a file never started is not waited for.
            runtime.shutdown_background();
            Ok(code)
        }
    }
}

/// Wait for Ctrl-C (SIGINT) or SIGTERM; the exit status a shell reports
/// for it.
async fn interruption() -> i32 {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            (Ok(mut interrupt), Ok(mut terminate)) => tokio::select! {
                _ = interrupt.recv() => 130,
                _ = terminate.recv() => 143,
            },
            // Without handlers the signal's default action still ends us.
            _ => std::future::pending().await,
        }
    }
    #[cfg(not(unix))]
    {
        match tokio::signal::ctrl_c().await {
            Ok(()) => 130,
            Err(_) => std::future::pending().await,
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

/// `upload --attest`: write or reuse every file's attestation, and attach
/// it to its file in memory, so the upload sends exactly these (the files
/// were collected before the attestations existed). Any index but PyPI and
/// TestPyPI gets a note.
fn attest_before_upload(
    args: &UploadArgs,
    dists: &mut [DistFile],
    target: &Target,
    env: &EnvSnapshot,
    runtime: &tokio::runtime::Runtime,
) -> Result<Vec<(String, &'static str)>, Error> {
    if !target.kind.is_pypi_like() {
        eprintln!(
            "note: {} may not accept PEP 740 attestations; sending them anyway",
            target.url
        );
    }
    let trust = sigstore_trust(args.sigstore_config.as_ref(), env)?;
    let client = mintup::http::build_client(None, None).map_err(|e| Error::Prepare(e.into()))?;
    let mut notes = Vec::new();
    let job = AttestJob {
        dists,
        trust: &trust,
        provider: None,
        env,
        client: &client,
    };
    let results = runtime.block_on(run_attest(job, &mut notes))?;
    for note in notes {
        eprintln!("note: {note}");
    }
    for (filename, attested) in &results {
        let (Attested::Generated(path) | Attested::Reused(path)) = attested;
        if let Some(dist) = dists.iter_mut().find(|d| &d.filename.filename == filename) {
            dist.attestations = vec![path.clone()];
        }
    }
    let statuses = results
        .iter()
        .map(|(name, attested)| {
            let status = match attested {
                Attested::Generated(_) => "generated",
                Attested::Reused(_) => "reused",
            };
            (name.clone(), status)
        })
        .collect();
    print_attested(results, &mut std::io::stderr().lock());
    Ok(statuses)
}

fn mint_command(args: MintArgs, env: EnvSnapshot, ci: &CiOutput) -> Result<i32, Error> {
    let pypirc = settings::load_pypirc(args.repo.config_file.as_deref(), &env)?;
    let plan = settings::resolve_mint(&args, &env, pypirc.as_ref())?;
    for note in &plan.notes {
        eprintln!("note: {note}");
    }
    let output_file = match (plan.github_output, env.get("GITHUB_OUTPUT")) {
        (true, None) => return Err(Error::NoGithubOutput),
        (true, Some(path)) => Some(PathBuf::from(path)),
        (false, _) => None,
    };
    let client = mintup::http::build_client(plan.ca_cert.as_deref(), plan.client_cert.as_deref())
        .map_err(|e| Error::Prepare(e.into()))?;
    let minter = Minter {
        upload_url: plan.target.url.clone(),
        kind: plan.target.kind,
        audience: plan.audience,
        provider: plan.provider,
        env,
        machine: MachineFacts::read(),
        project: None,
    };
    let minted = runtime()?.block_on(minter.mint(&client))?;
    ci.mask(&minted.token);
    for warning in &minted.warnings {
        ci.warn(warning);
    }
    match output_file {
        // With --github-output the token goes only to the step output, as
        // token-mint-action did: stdout and the masked stderr are separate
        // pipes, and a token printed uncaptured could reach the log before
        // its mask.
        Some(path) => github::append(&path, &github::token_output(&minted.token))
            .map_err(|e| Error::GithubOutput(path, e))?,
        None => print!(
            "{}",
            format_token(&minted, plan.format, plan.target.url.as_str())
        ),
    }
    let _ = std::io::stdout().flush();
    Ok(EXIT_OK)
}

/// `mintup check`: a verdict per file on stdout; unreadable files fail like
/// any other.
/// Sigstore's services and keys: `--sigstore-config`, then
/// `MINTUP_SIGSTORE_CONFIG`, then the public-good instance.
fn sigstore_trust(flag: Option<&PathBuf>, env: &EnvSnapshot) -> Result<TrustConfig, Error> {
    let config = flag
        .cloned()
        .or_else(|| env.get("MINTUP_SIGSTORE_CONFIG").map(PathBuf::from));
    match &config {
        None => Ok(TrustConfig::production()),
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| Error::SigstoreConfig(path.clone(), Box::new(e)))
            .and_then(|text| {
                TrustConfig::from_client_trust_config(&text)
                    .map_err(|e| Error::SigstoreConfig(path.clone(), Box::new(e)))
            }),
    }
}

/// What `attest` (and `upload --attest`) did, one line per file.
fn print_attested(results: Vec<(String, Attested)>, out: &mut dyn Write) {
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

fn attest_command(args: AttestArgs, env: EnvSnapshot) -> Result<i32, Error> {
    let trust = sigstore_trust(args.sigstore_config.as_ref(), &env)?;
    let client = mintup::http::build_client(None, None).map_err(|e| Error::Prepare(e.into()))?;
    let mut notes = Vec::new();
    let dists = collect::collect(&args.dists).map_err(AttestError::from)?;
    let job = AttestJob {
        dists: &dists,
        trust: &trust,
        provider: args.provider.map(Into::into),
        env: &env,
        client: &client,
    };
    let results = runtime()?.block_on(run_attest(job, &mut notes))?;
    for note in notes {
        eprintln!("note: {note}");
    }
    print_attested(results, &mut std::io::stdout().lock());
    Ok(EXIT_OK)
}

fn check_command(args: CheckArgs, env: EnvSnapshot) -> Result<i32, Error> {
    let pypirc = settings::load_pypirc(args.repo.config_file.as_deref(), &env)?;
    let target = settings::resolve_check_target(&args.repo, &env, pypirc.as_ref())?;
    let dists = collect::collect(&args.dists).map_err(|e| Error::Prepare(e.into()))?;
    let mut readable = Vec::new();
    let mut unreadable = Vec::new();
    for dist in &dists {
        let facts = check::facts(dist).map(|mut facts| {
            check::verify_record_hashes(dist, &mut facts);
            facts
        });
        match facts {
            Ok(facts) => readable.push(facts),
            Err(e) => unreadable.push((dist.filename.filename.clone(), e)),
        }
    }
    let verdicts = check::check_all(&readable, target.kind);
    if args.format == ReportFormat::Json {
        let unreadable: Vec<json_report::Unreadable<'_>> = unreadable
            .iter()
            .map(|(filename, error)| json_report::Unreadable {
                filename,
                error,
                hint: error.hint(),
            })
            .collect();
        let report = json_report::check(&verdicts, &unreadable, args.strict);
        let ok = report["ok"].as_bool().unwrap_or(false);
        println!("{report}");
        return Ok(if ok { EXIT_OK } else { EXIT_FAILED });
    }
    let mut stdout = std::io::stdout().lock();
    let mut failed = false;
    for (filename, error) in &unreadable {
        failed = true;
        let _ = writeln!(stdout, "FAILED  {filename}");
        let text = render(error, error.hint());
        for line in text.lines() {
            let _ = writeln!(stdout, "    {line}");
        }
    }
    for verdict in &verdicts {
        let word = match verdict.worst() {
            None => "PASSED",
            Some(Severity::Warning) => "WARNED",
            Some(Severity::Error) => "FAILED",
        };
        failed |= verdict.fails(args.strict);
        let _ = writeln!(stdout, "{word}  {}", verdict.filename);
        for problem in &verdict.problems {
            let _ = writeln!(stdout, "    {problem}");
        }
    }
    Ok(if failed { EXIT_FAILED } else { EXIT_OK })
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

fn prompt(
    username: Option<String>,
    password: Option<Secret>,
    url: &str,
) -> Result<Credentials, Error> {
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
    let password = match password {
        Some(password) => password,
        None => Secret::new(
            rpassword::prompt_password(format!("Password or token for {username} at {url}: "))
                .map_err(Error::Prompt)?,
        ),
    };
    Ok(Credentials { username, password })
}

/// A file's result line, and its digests with `--print-hash`.
fn result_lines(report: &FileReport, print_hash: bool, dry_run_target: Option<&str>) -> String {
    let (word, detail) = match &report.result {
        FileResult::Uploaded { .. } if dry_run_target.is_some() => (
            "ready",
            dry_run_target.map(|url| {
                let sha256 = report.digests.as_ref().map_or("", |d| d.sha256.as_str());
                format!("sha256 {sha256}; verified, would go to {url}")
            }),
        ),
        FileResult::Uploaded { .. } => ("uploaded", report.page.clone()),
        FileResult::Skipped { .. } => ("skipped", Some("already on the index".to_owned())),
        FileResult::Failed(_) => ("failed", None),
        FileResult::Interrupted => (
            "stopped",
            Some("in flight when interrupted; the index may or may not have it".to_owned()),
        ),
        FileResult::NotAttempted(why) => (
            "not sent",
            Some(
                match why {
                    NotSent::EarlierFailure => "an earlier file failed",
                    NotSent::Interrupted => "interrupted",
                }
                .to_owned(),
            ),
        ),
    };
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
fn print_details(report: &FileReport) {
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
        FileResult::Failed(e) => eprint!("{}", defuse_commands(&render(e, e.hint().as_deref()))),
        _ => {}
    }
}
