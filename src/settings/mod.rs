//! Flags, environment and `.pypirc` resolved into one typed plan. The
//! precedence lives in [`resolve_upload`] and nowhere else.

use std::path::{Path, PathBuf};

use url::Url;

use crate::auth::{Credentials, Secret, TOKEN_USERNAME};
use crate::cli::{ReportFormat, RepositoryArgs, TlsArgs, TrustedPublishing, UploadArgs};
use crate::config::env::EnvSnapshot;
use crate::config::pypirc::{Pypirc, PypircError, PypircSection};
use crate::index::{IndexKind, Target, is_loopback};
use crate::mint::Provider;
use crate::upload::{CheckUrl, UploadOptions};

pub mod burn;
mod credentials;
mod mint;
mod repository;

use crate::hint::Hint;
use credentials::{Level, resolve_credentials};
pub use mint::{MintPlan, resolve_mint};
pub use repository::{redact_userinfo, resolve_target};

pub const PYPI_UPLOAD_URL: &str = "https://upload.pypi.org/legacy/";
pub const TESTPYPI_UPLOAD_URL: &str = "https://test.pypi.org/legacy/";

/// Credentials, or what is known so far when the user must still be asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialPlan {
    Ready(Credentials),
    /// No password anywhere, and asking is allowed.
    Prompt {
        username: Option<String>,
        /// A password found without a user name is kept, not asked again.
        password: Option<Secret>,
    },
    /// Mint a token from the CI's identity (trusted publishing).
    TrustedPublishing,
}

/// Everything `upload` needs, resolved: the command reads no flag after
/// this.
#[derive(Debug, Clone)]
pub struct UploadPlan {
    /// How the upload itself behaves.
    pub options: UploadOptions,
    pub credentials: CredentialPlan,
    pub ca_cert: Option<PathBuf>,
    pub client_cert: Option<PathBuf>,
    /// `--audience` for trusted publishing.
    pub audience: Option<String>,
    /// Stream every request to mintup's own loopback index instead.
    pub dry_run: bool,
    /// `--attest`: sign (or reuse) each file's attestation before the
    /// upload, with this sigstore configuration (the public-good instance
    /// when `None`). Never in a dry run.
    pub attest: Option<Option<PathBuf>>,
    pub format: ReportFormat,
    /// Progress bars, unless `--disable-progress-bar` (and only ever on a
    /// terminal).
    pub progress_bars: bool,
    /// Things the user should know about how the settings were read.
    pub notes: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read the config file {}", .0.display())]
    PypircRead(PathBuf, #[source] std::io::Error),
    #[error("the config file {} is not valid INI", .0.display())]
    PypircParse(PathBuf, #[source] PypircError),
    #[error("unknown repository '{name}': it is neither pypi nor testpypi, and {where_}")]
    UnknownRepository { name: String, where_: String },
    #[error("repository '{name}' in {} has no 'repository' URL", .path.display())]
    SectionWithoutUrl { name: String, path: PathBuf },
    #[error("'{url}' is not a usable upload URL")]
    BadUrl {
        url: String,
        #[source]
        problem: UrlProblem,
    },
    #[error("no password or token for {url}; looked in: {}", .looked.join(", "))]
    NoPassword { url: String, looked: Vec<String> },
    #[error("a password for {url} but no user name; looked in: {}, .pypirc", .looked.join(", "))]
    NoUsername { url: String, looked: Vec<String> },
    #[error("{0} gives a user name, but the token at a higher precedence means user __token__")]
    UsernameWithToken(&'static str),
    #[error("both {0} are set; give one")]
    PasswordAndToken(&'static str),
    #[error("{mode_source} asks for trusted publishing only, but {credential} gives credentials")]
    TrustedPublishingWithCredentials {
        mode_source: &'static str,
        credential: String,
    },
    #[error("MINTUP_TRUSTED_PUBLISHING must be auto, always or never, not '{0}'")]
    TrustedPublishingValue(String),
    #[error("MINTUP_RETRIES must be a number from 0 to {MAX_RETRIES}, not '{0}'")]
    RetriesValue(String),
    #[error("MINTUP_JOBS must be a number from 1 to {MAX_JOBS}, not '{0}'")]
    JobsValue(String),
    #[error("refusing to send credentials over plain http to {0}")]
    InsecureHttp(String),
    #[error("refusing to trust a plain-http --check-url on another host: {0}")]
    InsecureCheckUrl(String),
    #[error("upload --attest needs trusted publishing, but this upload uses stored credentials")]
    AttestWithoutTrustedPublishing,
    #[error("'{url}' is not a usable MINTUP_JSON_API_URL")]
    BadJsonApiUrl {
        url: String,
        #[source]
        problem: url::ParseError,
    },
    #[error("'{url}' is not a usable --check-url")]
    BadCheckUrl {
        url: String,
        #[source]
        problem: url::ParseError,
    },
}

impl Hint for SettingsError {
    fn hint(&self) -> Option<String> {
        match self {
            SettingsError::UnknownRepository { .. } => Some(
                "use --repository-url URL, or add a [name] section with a repository URL to .pypirc"
                    .into(),
            ),
            SettingsError::TrustedPublishingWithCredentials { .. } => Some(
                "drop those credentials, or use --trusted-publishing auto to let them win".into(),
            ),
            SettingsError::NoPassword { .. } => Some(
                "pass -t/--token, or set MINTUP_TOKEN (or TWINE_PASSWORD) in the environment; \
                 in GitHub Actions, prefer trusted publishing"
                    .into(),
            ),
            SettingsError::InsecureHttp(url) => Some(format!(
                "anyone on the path can read them; use {}, or pass --allow-insecure-http if this network is trusted",
                url.replacen("http://", "https://", 1)
            )),
            SettingsError::AttestWithoutTrustedPublishing => Some(
                "PyPI accepts attestations only on uploads made with a token minted by trusted \
                 publishing: drop the password or token (in CI mintup then mints one), or drop \
                 --attest"
                    .into(),
            ),
            SettingsError::InsecureCheckUrl(url) => Some(format!(
                "anyone on the path could make mintup skip files the index lacks; use {}, or \
                 pass --allow-insecure-http if this network is trusted",
                url.replacen("http://", "https://", 1)
            )),
            SettingsError::BadUrl { .. } => Some(format!(
                "for PyPI the upload URL is {PYPI_UPLOAD_URL}, for TestPyPI {TESTPYPI_UPLOAD_URL}"
            )),
            _ => None,
        }
    }
}

/// What is wrong with an upload URL.
#[derive(Debug, thiserror::Error)]
pub enum UrlProblem {
    #[error(transparent)]
    Parse(#[from] url::ParseError),
    #[error("only http and https URLs can be uploaded to")]
    Scheme,
    #[error("it has no host")]
    NoHost,
    #[error("it contains credentials; pass them with -u/-p or -t instead")]
    Credentials,
}

/// What the caller knows about where mintup runs.
#[derive(Debug, Clone, Copy)]
pub struct Terminal {
    /// Standard input is a terminal someone could type into.
    pub interactive: bool,
    /// The CI provider whose identity trusted publishing would use.
    pub ci_provider: Option<Provider>,
}

/// Read the `.pypirc`: the one `--config-file` names (which must exist) or
/// `~/.pypirc` (which may not).
pub fn load_pypirc(
    explicit: Option<&Path>,
    env: &EnvSnapshot,
) -> Result<Option<(PathBuf, Pypirc)>, SettingsError> {
    let (path, required) = match explicit {
        Some(path) => (path.to_path_buf(), true),
        None => match env.default_pypirc() {
            Some(path) => (path, false),
            None => return Ok(None),
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(SettingsError::PypircRead(path, e)),
    };
    let rc = Pypirc::parse(&text).map_err(|e| SettingsError::PypircParse(path.clone(), e))?;
    Ok(Some((path, rc)))
}

/// Resolve the upload plan. Precedence, highest first, for the repository and
/// for each credential separately:
///
/// 1. flags: `--repository-url`, `-r`, `-u`, `-p`, `-t`;
/// 2. `MINTUP_REPOSITORY_URL`, `MINTUP_REPOSITORY`, `MINTUP_USERNAME`,
///    `MINTUP_PASSWORD`, `MINTUP_TOKEN`;
/// 3. `TWINE_REPOSITORY_URL`, `TWINE_REPOSITORY`, `TWINE_USERNAME`,
///    `TWINE_PASSWORD`;
/// 4. the chosen repository's `.pypirc` section (found by name, or by its
///    `repository` URL when a URL was given);
/// 5. defaults: PyPI, and user `__token__` for PyPI and TestPyPI.
///
/// Within one level a URL beats a name, and a token stands for `__token__` plus
/// the token. The CA bundle is `--cert` > `TWINE_CERT` > `ca_cert`.
pub fn resolve_upload(
    args: &UploadArgs,
    env: &EnvSnapshot,
    pypirc: Option<&(PathBuf, Pypirc)>,
    terminal: Terminal,
) -> Result<UploadPlan, SettingsError> {
    let non_interactive = args.non_interactive;
    let levels = [
        Level {
            username: args.username.as_deref(),
            password: args.password.as_ref().map(Secret::expose),
            token: args.token.as_ref().map(Secret::expose),
            username_label: "-u/--username",
            password_label: "--password/--token",
        },
        Level {
            username: env.get("MINTUP_USERNAME"),
            password: env.get("MINTUP_PASSWORD"),
            token: env.get("MINTUP_TOKEN"),
            username_label: "MINTUP_USERNAME",
            password_label: "MINTUP_PASSWORD/MINTUP_TOKEN",
        },
        Level {
            username: env.get("TWINE_USERNAME"),
            password: env.get("TWINE_PASSWORD"),
            token: None,
            username_label: "TWINE_USERNAME",
            password_label: "TWINE_PASSWORD",
        },
    ];
    let mut notes = Vec::new();
    let (target, section) = resolve_target(&args.repo, env, pypirc, &mut notes)?;
    let (url, kind) = (target.url.clone(), target.kind);
    let (username, password) = resolve_credentials(&levels, section, kind)?;

    let (mode, mode_source) = match (
        args.trusted_publishing,
        env.get("MINTUP_TRUSTED_PUBLISHING"),
    ) {
        (Some(mode), _) => (mode, "--trusted-publishing always"),
        (None, Some(text)) => (
            parse_trusted_publishing(text)?,
            "MINTUP_TRUSTED_PUBLISHING=always",
        ),
        (None, None) => (TrustedPublishing::Auto, ""),
    };
    // Where the user name and password came from, for the messages below.
    let username_source = levels
        .iter()
        .find(|l| l.username.is_some())
        .map_or(".pypirc", |l| l.username_label);
    let password_source = levels
        .iter()
        .find(|l| l.password.is_some() || l.token.is_some())
        .map_or(".pypirc", |l| l.password_label);
    // A user name of `__token__` alone asks for a token, not for a person.
    let named_user = username.as_deref().filter(|u| *u != TOKEN_USERNAME);
    let credentials = match (mode, named_user, &password) {
        (TrustedPublishing::Always, Some(user), _) => {
            return Err(SettingsError::TrustedPublishingWithCredentials {
                mode_source,
                credential: format!("{username_source} (user '{user}')"),
            });
        }
        (TrustedPublishing::Always, None, Some(_)) => {
            return Err(SettingsError::TrustedPublishingWithCredentials {
                mode_source,
                credential: password_source.to_owned(),
            });
        }
        (TrustedPublishing::Always, None, None) => Some(CredentialPlan::TrustedPublishing),
        (TrustedPublishing::Auto, None, None)
            if terminal.ci_provider.is_some() && IndexKind::mints_in_auto(&url) =>
        {
            Some(CredentialPlan::TrustedPublishing)
        }
        _ => None,
    };
    // Why trusted publishing was not tried in a CI that supports it.
    let not_minted = match (mode, named_user, terminal.ci_provider) {
        (TrustedPublishing::Auto, Some(user), Some(provider)) => Some(format!(
            "trusted publishing not tried in this {provider} run: {username_source} gives user '{user}'"
        )),
        (TrustedPublishing::Never, _, Some(provider)) => Some(format!(
            "trusted publishing not tried in this {provider} run: it is set to never"
        )),
        (TrustedPublishing::Auto, None, Some(provider)) if !IndexKind::mints_in_auto(&url) => {
            Some(format!(
                "trusted publishing not tried in this {provider} run: {} is not PyPI or \
                 TestPyPI, so it needs --trusted-publishing always",
                url.host_str().unwrap_or_default()
            ))
        }
        _ => None,
    };
    let credentials = match (credentials, username, password) {
        // A dry run sends nothing anywhere but to mintup's own loopback
        // index, so it asks for no credentials.
        _ if args.dry_run => CredentialPlan::Ready(Credentials {
            username: TOKEN_USERNAME.into(),
            password: Secret::new("dry-run"),
        }),
        (Some(plan), _, _) => plan,
        (None, Some(username), Some(password)) => {
            CredentialPlan::Ready(Credentials { username, password })
        }
        (None, username, password) if terminal.interactive && !non_interactive && !env.is_ci() => {
            CredentialPlan::Prompt { username, password }
        }
        (None, None, Some(_)) => {
            return Err(SettingsError::NoUsername {
                url: url.to_string(),
                looked: levels.iter().map(|l| l.username_label.to_owned()).collect(),
            });
        }
        _ => {
            let mut looked: Vec<String> =
                levels.iter().map(|l| l.password_label.to_owned()).collect();
            looked.push(match pypirc {
                Some((path, _)) => match section {
                    Some(_) => format!("the repository's section of {}", path.display()),
                    None => format!("{} (no section for this repository)", path.display()),
                },
                None => "~/.pypirc (not found)".to_owned(),
            });
            looked.extend(not_minted);
            if env.is_ci() {
                looked.push("no prompt: CI is set".into());
            } else if non_interactive {
                looked.push("no prompt: --non-interactive".into());
            } else {
                looked.push("no prompt: not a terminal".into());
            }
            return Err(SettingsError::NoPassword {
                url: url.to_string(),
                looked,
            });
        }
    };

    let (ca_cert, client_cert) = resolve_tls(&args.tls, env, section);
    if let CredentialPlan::Ready(credentials) = &credentials
        && kind.is_pypi_like()
        && !args.dry_run
        && credentials.username == TOKEN_USERNAME
        && !credentials.password.expose().starts_with("pypi-")
    {
        notes.push(format!(
            "the token from {password_source} does not look like a PyPI API token (they start \
             with pypi-); {url} will likely refuse it"
        ));
    }
    // Every upload carries credentials; only a dry run sends nothing out.
    if url.scheme() == "http" && !is_loopback(&url) && !args.allow_insecure_http && !args.dry_run {
        return Err(SettingsError::InsecureHttp(url.to_string()));
    }
    let check_url = match args.check_url.as_deref().or(env.get("MINTUP_CHECK_URL")) {
        _ if args.no_check_url => CheckUrl::Off,
        Some(text) => {
            CheckUrl::Known(
                base_url(text).map_err(|problem| SettingsError::BadCheckUrl {
                    url: text.to_owned(),
                    problem,
                })?,
            )
        }
        None => match kind.simple_index() {
            Some(known) => CheckUrl::Known(Url::parse(&known).expect("a valid built-in URL")),
            None => CheckUrl::Discover,
        },
    };
    // What the check URL lists decides which files are skipped: a listing
    // anyone on the path could forge gets the credentials' https rule.
    // Guesses share the upload URL's origin, so its rule covers them.
    if let CheckUrl::Known(check) = &check_url
        && check.scheme() == "http"
        && !is_loopback(check)
        && !args.allow_insecure_http
        && !args.dry_run
    {
        return Err(SettingsError::InsecureCheckUrl(check.to_string()));
    }

    // Giving the JSON API applies PyPI's 14-day rule to any index (a
    // Warehouse of one's own, or a test's).
    let json_api = match env.get("MINTUP_JSON_API_URL") {
        Some(text) => Some(
            base_url(text).map_err(|problem| SettingsError::BadJsonApiUrl {
                url: text.to_owned(),
                problem,
            })?,
        ),
        None => kind
            .json_api()
            .map(|known| Url::parse(&known).expect("a valid built-in URL")),
    };

    if args.attest && args.dry_run {
        notes.push("--dry-run signs nothing; --attest is left out".into());
    }
    let attest = (args.attest && !args.dry_run).then(|| {
        args.sigstore_config
            .clone()
            .or_else(|| env.get("MINTUP_SIGSTORE_CONFIG").map(PathBuf::from))
    });
    if attest.is_some() && !matches!(credentials, CredentialPlan::TrustedPublishing) {
        return Err(SettingsError::AttestWithoutTrustedPublishing);
    }
    Ok(UploadPlan {
        options: UploadOptions {
            target,
            skip_existing: args.skip_existing,
            comment: args.comment.clone(),
            // --attest writes or checks every file's attestation: send them.
            attestations: args.attestations || attest.is_some(),
            print_hash: args.print_hash,
            verbose: args.verbose,
            verify: !args.no_verify,
            stall_timeout: std::time::Duration::from_secs(args.timeout),
            retries: match (args.retries, env.get("MINTUP_RETRIES")) {
                (Some(n), _) => n,
                (None, Some(text)) => text
                    .trim()
                    .parse()
                    .ok()
                    .filter(|n| *n <= MAX_RETRIES)
                    .ok_or_else(|| SettingsError::RetriesValue(text.to_owned()))?,
                (None, None) => DEFAULT_RETRIES,
            },
            jobs: match (args.jobs, env.get("MINTUP_JOBS")) {
                (Some(n), _) => n as usize,
                (None, Some(text)) => text
                    .trim()
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_JOBS).contains(n))
                    .ok_or_else(|| SettingsError::JobsValue(text.to_owned()))?,
                (None, None) => DEFAULT_JOBS,
            },
            keep_going: args.keep_going,
            check_url,
            json_api: json_api.filter(|_| !args.dry_run),
        },
        credentials,
        ca_cert,
        client_cert,
        audience: args.audience.clone(),
        dry_run: args.dry_run,
        attest,
        format: args.format,
        progress_bars: !args.disable_progress_bar,
        notes,
    })
}

/// Files in flight at once unless told otherwise, and the most allowed.
pub const DEFAULT_JOBS: usize = 8;
pub const MAX_JOBS: usize = 32;

/// Retries of a transient failure unless told otherwise, and the most allowed.
pub const DEFAULT_RETRIES: u32 = 3;
pub const MAX_RETRIES: u32 = 10;

/// A base URL (a simple index, the JSON API), with the trailing slash
/// paths are joined to.
fn base_url(text: &str) -> Result<Url, url::ParseError> {
    match text.ends_with('/') {
        true => Url::parse(text),
        false => Url::parse(&format!("{text}/")),
    }
}

/// The CA bundle (`--cert` > `TWINE_CERT` > `.pypirc` `ca_cert` >
/// `REQUESTS_CA_BUNDLE` > `SSL_CERT_FILE`) and the
/// client certificate (`--client-cert` > `.pypirc` `client_cert`).
fn resolve_tls(
    tls: &TlsArgs,
    env: &EnvSnapshot,
    section: Option<&PypircSection>,
) -> (Option<PathBuf>, Option<PathBuf>) {
    let ca_cert = tls
        .cert
        .clone()
        .or_else(|| env.get("TWINE_CERT").map(PathBuf::from))
        .or_else(|| section.and_then(|s| s.ca_cert.as_ref()).map(PathBuf::from))
        // What requests (so twine) and OpenSSL-based tools read.
        .or_else(|| env.get("REQUESTS_CA_BUNDLE").map(PathBuf::from))
        .or_else(|| env.get("SSL_CERT_FILE").map(PathBuf::from));
    let client_cert = tls.client_cert.clone().or_else(|| {
        section
            .and_then(|s| s.client_cert.as_ref())
            .map(PathBuf::from)
    });
    (ca_cert, client_cert)
}

fn parse_trusted_publishing(text: &str) -> Result<TrustedPublishing, SettingsError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "auto" | "automatic" => Ok(TrustedPublishing::Auto),
        "always" => Ok(TrustedPublishing::Always),
        "never" => Ok(TrustedPublishing::Never),
        _ => Err(SettingsError::TrustedPublishingValue(text.to_owned())),
    }
}

/// The target `check` judges for: the repository as `upload` would pick it.
pub fn resolve_check_target(
    repo: &RepositoryArgs,
    env: &EnvSnapshot,
    pypirc: Option<&(PathBuf, Pypirc)>,
) -> Result<Target, SettingsError> {
    resolve_target(repo, env, pypirc, &mut Vec::new()).map(|(target, _)| target)
}

#[cfg(test)]
mod tests;
