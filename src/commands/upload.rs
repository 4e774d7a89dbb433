//! `mintup upload`: files, settings, credentials (minted or given), the
//! optional attestations, the run, and its report.

use std::io::IsTerminal;
use std::sync::Arc;

use crate::attest::run::{AttestJob, Attested, run as run_attest};
use crate::cli::{ReportFormat, UploadArgs};
use crate::config::env::EnvSnapshot;
use crate::dist::collect::{self, DistFile};
use crate::hint::Hint;
use crate::index::Target;
use crate::mint::burn::{burn, burn_url};
use crate::mint::{MachineFacts, Minter, provider};
use crate::output::fate::AttestationSource;
use crate::output::github::CiOutput;
use crate::output::json;
use crate::output::progress::{Bars, Quiet};
use crate::output::prompt::prompt;
use crate::output::reporter::CliReporter;
use crate::output::text::{self, print_attested};
use crate::settings::{self, CredentialPlan, Terminal};
use crate::upload::credentials::MintedTokens;
use crate::upload::dry_run::LoopbackIndex;
use crate::upload::{self, CheckUrl, Reporter, UploadAuth, UploadJob};

use super::attest::load_trust;
use super::error::{Error, Exit};
use super::runtime;
use super::signals::Signals;

pub fn upload_command(args: UploadArgs, env: EnvSnapshot, ci: &CiOutput) -> Result<Exit, Error> {
    let pypirc = settings::load_pypirc(args.repo.config_file.as_deref(), &env)?;
    // The files before credentials: finding them is offline and free, and
    // "no distributions" is the better first error than "no credentials".
    let dists = collect::collect(&args.dists).map_err(|e| Error::Prepare(e.into()))?;
    let terminal = Terminal {
        interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
        // The machine alone (a Google VM) is no CI: `auto` mints only where a
        // CI system or an explicit service account says so.
        ci_provider: provider::detect(&env, &MachineFacts::default()),
    };
    let plan = settings::resolve_upload(&args, &env, pypirc.as_ref(), terminal)?;
    // The plan is complete: no flag is read past this point.
    drop(args);
    let inner: Box<dyn Reporter> = if plan.progress_bars && std::io::stderr().is_terminal() {
        Box::new(Bars::new())
    } else {
        Box::new(Quiet)
    };
    for note in &plan.notes {
        inner.note(&format!("note: {note}"));
    }
    let client = crate::http::build_client(plan.ca_cert.as_deref(), plan.client_cert.as_deref())
        .map_err(|e| Error::Prepare(e.into()))?;
    let runtime = runtime()?;
    let upload_url = plan.options.target.url.clone();
    let mut minted = None;
    let exit = publish(plan, dists, &client, &runtime, &env, ci, inner, &mut minted);
    // Every token this run minted is burned, whatever the outcome: it would
    // stay valid for up to 15 minutes. A burn failure never changes the exit.
    if let Some(tokens) = minted {
        let mut tokens = tokens.lock().expect("minted tokens").clone();
        // An index may hand out the same token twice: burned once.
        let mut seen = Vec::new();
        tokens.retain(|t| {
            let new = !seen.contains(t);
            seen.push(t.clone());
            new
        });
        for token in &tokens {
            match runtime.block_on(burn(&client, &upload_url, token)) {
                Ok(()) => text::note(&format!(
                    "burn requested for the minted token: {} answered 202",
                    burn_url(&upload_url)
                )),
                Err(e) => ci.warn(&format!(
                    "could not burn the minted token: {}",
                    text::one_line(&e, e.hint().as_deref())
                )),
            }
        }
    }
    if matches!(exit, Ok(Exit::Interrupted | Exit::Terminated)) {
        // The hashing thread of a file never started is not waited for.
        runtime.shutdown_background();
    }
    exit
}

/// From credentials to the report: mint or take the credentials, attest,
/// upload, report. `minted` gets the run's minted tokens as soon as there
/// are any, so they are burned even when this fails.
#[allow(clippy::too_many_arguments)]
fn publish(
    plan: settings::UploadPlan,
    mut dists: Vec<DistFile>,
    client: &reqwest::Client,
    runtime: &tokio::runtime::Runtime,
    env: &EnvSnapshot,
    ci: &CiOutput,
    inner: Box<dyn Reporter>,
    burn_later: &mut Option<MintedTokens>,
) -> Result<Exit, Error> {
    let mut options = plan.options;
    let keep_going = options.keep_going;
    let mut attested: Vec<(String, AttestationSource)> = Vec::new();
    let mut signals = None;
    let auth = match plan.credentials {
        CredentialPlan::Ready(c) => {
            ci.suggest_trusted_publishing(&options.target, &dists, plan.dry_run);
            UploadAuth::fixed(c)
        }
        CredentialPlan::Prompt { username, password } => UploadAuth::fixed(
            prompt(username, password, options.target.url.as_str()).map_err(Error::Prompt)?,
        ),
        CredentialPlan::TrustedPublishing => {
            // From here on, Ctrl-C ends the run cleanly so the token is burned.
            signals = Some(Signals::listen(runtime));
            let minter = Minter {
                upload_url: options.target.url.clone(),
                kind: options.target.kind,
                audience: plan.audience,
                provider: None,
                env: env.clone(),
                machine: MachineFacts::read(),
                project: dists.first().map(|d| d.filename.name.clone()),
            };
            let minted = runtime.block_on(minter.mint(client))?;
            ci.mask(&minted.token);
            for warning in &minted.warnings {
                ci.warn(warning);
            }
            inner.note(&format!(
                "note: using a token minted from this {} run (trusted publishing)",
                minted.provider
            ));
            let auth = UploadAuth::minted(minter, minted);
            *burn_later = auth.minted_tokens();
            if let Some(sigstore_config) = &plan.attest {
                let attesting = Attesting {
                    target: &options.target,
                    sigstore_config: sigstore_config.as_deref(),
                    env,
                    runtime,
                    signals: signals.as_mut().expect("listening since the mint"),
                };
                attested = attest_before_upload(attesting, &mut dists)?;
            }
            auth
        }
    };
    // Listening starts after any password prompt, which Ctrl-C must end.
    let mut signals = signals.unwrap_or_else(|| Signals::listen(runtime));
    let reporter: Arc<dyn Reporter> = Arc::new(CliReporter {
        inner,
        ci: ci.clone(),
        print_hash: options.print_hash,
        dry_run_target: plan.dry_run.then(|| options.target.url.to_string()),
        json: plan.format == ReportFormat::Json,
    });
    let repository = options.target.url.to_string();
    // Ctrl-C or SIGTERM ends the run cleanly: what was sent is reported,
    // and the exit status is the shell's 128 + signal. One that came while
    // minting or attesting ends it before any file is sent.
    let signalled = std::sync::OnceLock::new();
    if let Some(exit) = signals.arrived() {
        let _ = signalled.set(exit);
    }
    let stop = async {
        let _ = signalled.set(signals.caught().await);
    };
    let reports = runtime.block_on(async {
        // A dry run sends the same requests to mintup's own verifying index
        // on 127.0.0.1, and asks no check URL: nothing leaves the machine.
        let loopback = match plan.dry_run {
            true => Some(LoopbackIndex::start().await.map_err(Error::Runtime)?),
            false => None,
        };
        if let Some(loopback) = &loopback {
            options.target.url = loopback.url.clone();
            options.check_url = CheckUrl::Off;
        }
        let job = UploadJob {
            dists,
            auth,
            client: client.clone(),
            options,
        };
        upload::run(job, reporter, stop).await.map_err(Error::from)
    })?;
    // One document for stdout and for the step output.
    let report = json::upload(&reports, &repository, plan.dry_run, &attested);
    if plan.format == ReportFormat::Json {
        json::print(&report);
    }
    ci.upload_summary(&reports, &report, plan.dry_run, &attested);
    match signalled.get() {
        None if reports.iter().all(|r| r.result.is_ok()) => Ok(Exit::Ok),
        None => {
            if keep_going {
                text::print_failures(&reports);
            }
            Ok(Exit::Failed)
        }
        Some(&exit) => {
            text::print_interrupted(&reports);
            Ok(exit)
        }
    }
}

/// Where `upload --attest` signs, and with what.
struct Attesting<'a> {
    target: &'a Target,
    sigstore_config: Option<&'a std::path::Path>,
    env: &'a EnvSnapshot,
    runtime: &'a tokio::runtime::Runtime,
    /// A signal stops the signing; the run then sends nothing.
    signals: &'a mut Signals,
}

/// `upload --attest`: write or reuse every file's attestation, and attach
/// it to its file in memory, so the upload sends exactly these (the files
/// were collected before the attestations existed). Any index but PyPI and
/// TestPyPI gets a note.
fn attest_before_upload(
    attesting: Attesting<'_>,
    dists: &mut [DistFile],
) -> Result<Vec<(String, AttestationSource)>, Error> {
    let Attesting {
        target,
        sigstore_config,
        env,
        runtime,
        signals,
    } = attesting;
    if !target.kind.is_pypi_like() {
        text::note(&format!(
            "{} may not accept PEP 740 attestations; sending them anyway",
            target.url
        ));
    }
    let trust = load_trust(sigstore_config)?;
    let client = crate::http::build_client(None, None).map_err(|e| Error::Prepare(e.into()))?;
    let mut notes = Vec::new();
    let job = AttestJob {
        dists,
        trust: &trust,
        provider: None,
        env,
        client: &client,
    };
    let signed = runtime.block_on(async {
        tokio::select! {
            results = run_attest(job, &mut notes) => Some(results),
            _ = signals.caught() => None,
        }
    });
    let Some(results) = signed else {
        return Ok(Vec::new());
    };
    let results = results?;
    for note in notes {
        text::note(&note);
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
            let source = match attested {
                Attested::Generated(_) => AttestationSource::Generated,
                Attested::Reused(_) => AttestationSource::Reused,
            };
            (name.clone(), source)
        })
        .collect();
    print_attested(results, &mut std::io::stderr().lock());
    Ok(statuses)
}
