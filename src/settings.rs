//! Flags, environment and `.pypirc` resolved into one typed plan. The
//! precedence lives in [`resolve_upload`] and nowhere else.

use std::path::{Path, PathBuf};

use url::Url;

use crate::auth::{Credentials, Secret, TOKEN_USERNAME};
use crate::cli::{MintArgs, RepositoryArgs, TlsArgs, TokenFormat, TrustedPublishing, UploadArgs};
use crate::config::env::EnvSnapshot;
use crate::config::pypirc::{Pypirc, PypircError, PypircSection};
use crate::index::{IndexKind, Target, is_loopback};
use crate::mint::Provider;

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

/// Everything `upload` needs, resolved.
#[derive(Debug, Clone)]
pub struct UploadPlan {
    pub target: Target,
    pub credentials: CredentialPlan,
    pub ca_cert: Option<PathBuf>,
    pub client_cert: Option<PathBuf>,
    pub skip_existing: bool,
    pub comment: Option<String>,
    pub attestations: bool,
    pub print_hash: bool,
    pub verbose: bool,
    pub verify: bool,
    pub stall_timeout: std::time::Duration,
    /// Retries of a transient failure, per file.
    pub retries: u32,
    /// The simple index consulted for the files the index already has.
    pub check_url: Option<Url>,
    /// `--audience` for trusted publishing.
    pub audience: Option<String>,
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
    #[error("refusing to send credentials over plain http to {0}")]
    InsecureHttp(String),
    #[error("refusing to trust a plain-http --check-url on another host: {0}")]
    InsecureCheckUrl(String),
    #[error("'{url}' is not a usable --check-url")]
    BadCheckUrl {
        url: String,
        #[source]
        problem: url::ParseError,
    },
}

impl SettingsError {
    pub fn hint(&self) -> Option<String> {
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

/// One level of the precedence: what it says about the credentials.
struct Level<'a> {
    username: Option<&'a str>,
    username_label: &'static str,
    password: Option<&'a str>,
    token: Option<&'a str>,
    password_label: &'static str,
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
        Some(text) => Some(parse_check_url(text)?),
        None => kind
            .simple_index()
            .map(|known| Url::parse(&known).expect("a valid built-in URL")),
    };
    // What the check URL lists decides which files are skipped: a listing
    // anyone on the path could forge gets the credentials' https rule.
    if let Some(check) = &check_url
        && check.scheme() == "http"
        && !is_loopback(check)
        && !args.allow_insecure_http
        && !args.dry_run
    {
        return Err(SettingsError::InsecureCheckUrl(check.to_string()));
    }

    Ok(UploadPlan {
        target,
        credentials,
        ca_cert,
        client_cert,
        skip_existing: args.skip_existing,
        comment: args.comment.clone(),
        attestations: args.attestations,
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
        check_url,
        audience: args.audience.clone(),
        notes,
    })
}

/// Retries of a transient failure unless told otherwise, and the most allowed.
pub const DEFAULT_RETRIES: u32 = 3;
pub const MAX_RETRIES: u32 = 10;

/// A simple index URL, with the trailing slash project names are joined to.
fn parse_check_url(text: &str) -> Result<Url, SettingsError> {
    let with_slash = if text.ends_with('/') {
        text.to_owned()
    } else {
        format!("{text}/")
    };
    Url::parse(&with_slash).map_err(|problem| SettingsError::BadCheckUrl {
        url: text.to_owned(),
        problem,
    })
}

/// The user name and password. The password (or token) comes from the
/// highest level that has one; a token there means user `__token__`, and a
/// password takes the highest user name given anywhere, then `.pypirc`'s,
/// then `__token__` on PyPI and TestPyPI. A token never lends its user name
/// to a password from another level.
fn resolve_credentials(
    levels: &[Level<'_>],
    section: Option<&PypircSection>,
    kind: IndexKind,
) -> Result<(Option<String>, Option<Secret>), SettingsError> {
    let first_username = || {
        levels
            .iter()
            .find_map(|l| l.username)
            .map(str::to_owned)
            .or_else(|| section.and_then(|s| s.username.clone()))
            .or_else(|| kind.is_pypi_like().then(|| TOKEN_USERNAME.to_owned()))
    };
    let found = levels
        .iter()
        .enumerate()
        .find_map(|(i, l)| match (l.password, l.token) {
            (Some(_), Some(_)) => Some(Err(SettingsError::PasswordAndToken(l.password_label))),
            (Some(password), None) => Some(Ok((i, Secret::new(password), false))),
            (None, Some(token)) => Some(Ok((i, Secret::new(token), true))),
            (None, None) => None,
        });
    match found.transpose()? {
        Some((level, token, true)) => {
            if let Some(named) = levels[..=level]
                .iter()
                .find(|l| l.username.is_some_and(|u| u != TOKEN_USERNAME))
            {
                return Err(SettingsError::UsernameWithToken(named.username_label));
            }
            Ok((Some(TOKEN_USERNAME.to_owned()), Some(token)))
        }
        Some((_, password, false)) => {
            Ok((first_username(), Some(password).filter(|p| !p.is_empty())))
        }
        None => Ok((
            first_username(),
            section
                .and_then(|s| s.password.clone())
                .filter(|p| !p.is_empty()),
        )),
    }
}

/// Resolve the repository: the URL or name from the highest level that gives
/// one (flags, `MINTUP_*`, `TWINE_*`), else PyPI; and its `.pypirc` section
/// (by name, or by its `repository` URL when a URL was given).
pub fn resolve_target<'rc>(
    repo: &RepositoryArgs,
    env: &EnvSnapshot,
    pypirc: Option<&'rc (PathBuf, Pypirc)>,
    notes: &mut Vec<String>,
) -> Result<(Target, Option<&'rc PypircSection>), SettingsError> {
    let levels = [
        (repo.repository_url.as_deref(), repo.repository.as_deref()),
        (
            env.get("MINTUP_REPOSITORY_URL"),
            env.get("MINTUP_REPOSITORY"),
        ),
        (env.get("TWINE_REPOSITORY_URL"), env.get("TWINE_REPOSITORY")),
    ];
    let chosen = levels.iter().find_map(|(url, name)| {
        url.map(|u| (Some(u), None))
            .or_else(|| name.map(|n| (None, Some(n))))
    });
    let (url_text, name) = match chosen {
        Some((Some(url), _)) => (url.to_owned(), None),
        Some((None, Some(name))) => (repository_url_for(name, pypirc)?, Some(name.to_owned())),
        _ => (repository_url_for("pypi", pypirc)?, Some("pypi".to_owned())),
    };
    let url = parse_upload_url(&url_text, notes)?;
    let kind = IndexKind::of(&url);
    let section = pypirc.and_then(|(_, rc)| match &name {
        Some(name) => rc.section(name),
        None => rc
            .sections
            .values()
            .find(|s| s.repository.as_deref().is_some_and(|r| same_url(r, &url))),
    });
    Ok((Target { url, kind }, section))
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

/// What `mint` needs.
#[derive(Debug, Clone)]
pub struct MintPlan {
    pub target: Target,
    pub ca_cert: Option<PathBuf>,
    pub client_cert: Option<PathBuf>,
    pub audience: Option<String>,
    pub provider: Option<Provider>,
    pub github_output: bool,
    pub format: TokenFormat,
    pub notes: Vec<String>,
}

pub fn resolve_mint(
    args: &MintArgs,
    env: &EnvSnapshot,
    pypirc: Option<&(PathBuf, Pypirc)>,
) -> Result<MintPlan, SettingsError> {
    let mut notes = Vec::new();
    let (target, section) = resolve_target(&args.repo, env, pypirc, &mut notes)?;
    let (ca_cert, client_cert) = resolve_tls(&args.tls, env, section);
    Ok(MintPlan {
        target,
        ca_cert,
        client_cert,
        audience: args.audience.clone(),
        provider: args.provider.map(Provider::from),
        github_output: args.github_output,
        format: args.format,
        notes,
    })
}

/// The upload URL a repository name stands for: its `.pypirc` section's
/// `repository`, else the built-in PyPI or TestPyPI URL.
fn repository_url_for(
    name: &str,
    pypirc: Option<&(PathBuf, Pypirc)>,
) -> Result<String, SettingsError> {
    let section: Option<&PypircSection> = pypirc.and_then(|(_, rc)| rc.section(name));
    if let Some(url) = section.and_then(|s| s.repository.clone()) {
        return Ok(url);
    }
    match name {
        "pypi" => Ok(PYPI_UPLOAD_URL.into()),
        "testpypi" => Ok(TESTPYPI_UPLOAD_URL.into()),
        _ => match pypirc {
            Some((path, _)) if section.is_some() => Err(SettingsError::SectionWithoutUrl {
                name: name.into(),
                path: path.clone(),
            }),
            Some((path, rc)) => Err(SettingsError::UnknownRepository {
                name: name.into(),
                where_: if rc.sections.is_empty() {
                    format!("{} has no repository sections", path.display())
                } else {
                    format!(
                        "{} has only: {}",
                        path.display(),
                        rc.sections.keys().cloned().collect::<Vec<_>>().join(", ")
                    )
                },
            }),
            None => Err(SettingsError::UnknownRepository {
                name: name.into(),
                where_: "there is no .pypirc to define it".into(),
            }),
        },
    }
}

/// Parse and tidy an upload URL. PyPI's `/legacy` without the slash would
/// answer with a redirect we refuse to follow (it carries credentials), so the
/// slash is added here, with a note.
fn parse_upload_url(text: &str, notes: &mut Vec<String>) -> Result<Url, SettingsError> {
    let bad = |problem: UrlProblem| SettingsError::BadUrl {
        url: redact_userinfo(text.trim()),
        problem,
    };
    let mut url = Url::parse(text.trim()).map_err(|e| bad(e.into()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad(UrlProblem::Scheme));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad(UrlProblem::NoHost));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(UrlProblem::Credentials));
    }
    if url.path().ends_with("/legacy") {
        let path = format!("{}/", url.path());
        url.set_path(&path);
        notes.push(format!(
            "added the trailing slash the upload URL needs: {url}"
        ));
    }
    Ok(url)
}

/// The URL text with any `user:password@` replaced by `****@`, working on
/// text that may not even parse.
pub fn redact_userinfo(text: &str) -> String {
    let Some(scheme_end) = text.find("://").map(|i| i + 3) else {
        return text.to_owned();
    };
    let rest = &text[scheme_end..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}****{}", &text[..scheme_end], &rest[at..]),
        None => text.to_owned(),
    }
}

/// Whether a `.pypirc` `repository` names this URL (parsed, so host case and
/// default ports do not matter; a missing trailing slash neither).
fn same_url(a: &str, b: &Url) -> bool {
    let normalize = |u: &Url| u.as_str().trim_end_matches('/').to_owned();
    Url::parse(a.trim()).is_ok_and(|a| normalize(&a) == normalize(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn args(cmdline: &[&str]) -> UploadArgs {
        let mut argv = vec!["mintup", "upload"];
        argv.extend_from_slice(cmdline);
        match crate::cli::Cli::parse_from(argv).command {
            crate::cli::Command::Upload(a) => a,
            other => panic!("not an upload: {other:?}"),
        }
    }

    fn rc(text: &str) -> (PathBuf, Pypirc) {
        (
            PathBuf::from("/home/u/.pypirc"),
            Pypirc::parse(text).unwrap(),
        )
    }

    const NO_TTY: Terminal = Terminal {
        interactive: false,
        ci_provider: None,
    };

    fn resolve(
        cmd: &[&str],
        env: &[(&str, &str)],
        pypirc: Option<&(PathBuf, Pypirc)>,
    ) -> Result<UploadPlan, SettingsError> {
        let a = args(cmd);
        resolve_upload(
            &a,
            &EnvSnapshot::from_pairs(env.iter().copied()),
            pypirc,
            NO_TTY,
        )
    }

    fn creds(plan: &UploadPlan) -> (String, String) {
        match &plan.credentials {
            CredentialPlan::Ready(c) => (c.username.clone(), c.password.expose().to_owned()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn defaults_to_pypi_with_token_user() {
        let plan = resolve(&[], &[("TWINE_PASSWORD", "pypi-x")], None).unwrap();
        assert_eq!(plan.target.url.as_str(), PYPI_UPLOAD_URL);
        assert_eq!(plan.target.kind, IndexKind::Pypi);
        assert_eq!(creds(&plan), ("__token__".into(), "pypi-x".into()));
    }

    #[test]
    fn retries_and_check_url_come_from_flag_then_env_then_the_index() {
        let token = [("MINTUP_TOKEN", "pypi-x")];
        let plan = resolve(&[], &token, None).unwrap();
        assert_eq!(plan.retries, DEFAULT_RETRIES);
        assert_eq!(
            plan.check_url.as_ref().map(Url::as_str),
            Some("https://pypi.org/simple/")
        );
        let env = [
            ("MINTUP_TOKEN", "pypi-x"),
            ("MINTUP_RETRIES", "5"),
            ("MINTUP_CHECK_URL", "https://mirror.example/simple"),
        ];
        let plan = resolve(&[], &env, None).unwrap();
        assert_eq!(plan.retries, 5);
        assert_eq!(
            plan.check_url.as_ref().map(Url::as_str),
            Some("https://mirror.example/simple/")
        );
        let plan = resolve(
            &["--retries", "0", "--check-url", "https://x/s/"],
            &env,
            None,
        )
        .unwrap();
        assert_eq!(plan.retries, 0);
        assert_eq!(
            plan.check_url.as_ref().map(Url::as_str),
            Some("https://x/s/")
        );
        let other = ["--repository-url", "https://devpi.example/root/dev/"];
        assert_eq!(resolve(&other, &token, None).unwrap().check_url, None);
        let bad = [("MINTUP_TOKEN", "pypi-x"), ("MINTUP_RETRIES", "many")];
        assert!(matches!(
            resolve(&[], &bad, None),
            Err(SettingsError::RetriesValue(v)) if v == "many"
        ));
    }

    #[test]
    fn a_token_unlike_pypis_gets_a_note() {
        let plan = resolve(&["-t", "ghp_notapypitoken"], &[], None).unwrap();
        assert_eq!(
            plan.notes,
            [
                "the token from --password/--token does not look like a PyPI API token (they start \
              with pypi-); https://upload.pypi.org/legacy/ will likely refuse it"
            ]
        );
        assert!(
            resolve(&["-t", "pypi-AgEI"], &[], None)
                .unwrap()
                .notes
                .is_empty()
        );
        let other = [
            "--repository-url",
            "https://devpi.example/root/dev/",
            "-t",
            "x",
        ];
        assert!(resolve(&other, &[], None).unwrap().notes.is_empty());
    }

    #[test]
    fn credentials_never_go_over_plain_http_to_another_host() {
        let token = [("MINTUP_TOKEN", "pypi-x")];
        let remote = ["--repository-url", "http://index.example/legacy/"];
        let err = resolve(&remote, &token, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "refusing to send credentials over plain http to http://index.example/legacy/"
        );
        assert!(
            err.hint()
                .unwrap()
                .contains("https://index.example/legacy/")
        );
        let allowed = [remote[0], remote[1], "--allow-insecure-http"];
        assert!(resolve(&allowed, &token, None).is_ok());
        let local = ["--repository-url", "http://127.0.0.1:8080/"];
        assert!(resolve(&local, &token, None).is_ok());
    }

    #[test]
    fn flag_beats_mintup_beats_twine_beats_pypirc() {
        let file = rc("[pypi]\nusername = rc-user\npassword = rc-pass\n");
        let env = [
            ("MINTUP_PASSWORD", "mintup-pass"),
            ("TWINE_PASSWORD", "twine-pass"),
            ("TWINE_USERNAME", "twine-user"),
        ];
        let plan = resolve(&["-p", "flag-pass"], &env, Some(&file)).unwrap();
        assert_eq!(creds(&plan), ("twine-user".into(), "flag-pass".into()));
        let plan = resolve(&[], &env, Some(&file)).unwrap();
        assert_eq!(creds(&plan), ("twine-user".into(), "mintup-pass".into()));
        let plan = resolve(&[], &env[1..], Some(&file)).unwrap();
        assert_eq!(creds(&plan), ("twine-user".into(), "twine-pass".into()));
        let plan = resolve(&[], &[], Some(&file)).unwrap();
        assert_eq!(creds(&plan), ("rc-user".into(), "rc-pass".into()));
    }

    #[test]
    fn token_means_token_user() {
        let plan = resolve(&["-t", "pypi-tok"], &[("TWINE_USERNAME", "bob")], None).unwrap();
        assert_eq!(creds(&plan), ("__token__".into(), "pypi-tok".into()));
        let plan = resolve(
            &[],
            &[("MINTUP_TOKEN", "pypi-env"), ("TWINE_USERNAME", "bob")],
            None,
        )
        .unwrap();
        assert_eq!(creds(&plan), ("__token__".into(), "pypi-env".into()));
    }

    #[test]
    fn repository_selection() {
        let file = rc(
            "[corp]\nrepository = https://corp.example/pypi/\nusername = alice\npassword = s3cret\n",
        );
        let plan = resolve(&["-r", "corp"], &[], Some(&file)).unwrap();
        assert_eq!(plan.target.url.as_str(), "https://corp.example/pypi/");
        assert_eq!(plan.target.kind, IndexKind::Other);
        assert_eq!(creds(&plan), ("alice".into(), "s3cret".into()));
        // A URL at the same level beats a name; a flag name beats an env URL.
        let plan = resolve(
            &["-r", "corp", "--repository-url", "https://x.example/"],
            &[("TWINE_PASSWORD", "p"), ("TWINE_USERNAME", "u")],
            Some(&file),
        )
        .unwrap();
        assert_eq!(plan.target.url.as_str(), "https://x.example/");
        let plan = resolve(
            &["-r", "testpypi", "-t", "t"],
            &[("MINTUP_REPOSITORY_URL", "https://x.example/")],
            None,
        )
        .unwrap();
        assert_eq!(plan.target.url.as_str(), TESTPYPI_UPLOAD_URL);
        // A URL given directly still finds the section with that URL.
        let plan = resolve(
            &["--repository-url", "https://corp.example/pypi"],
            &[],
            Some(&file),
        )
        .unwrap();
        assert_eq!(creds(&plan), ("alice".into(), "s3cret".into()));
        let plan = resolve(&["-t", "t"], &[("TWINE_REPOSITORY", "testpypi")], None).unwrap();
        assert_eq!(plan.target.kind, IndexKind::TestPypi);
    }

    #[test]
    fn unknown_repository_lists_what_there_is() {
        let file = rc("[corp]\nrepository = https://corp.example/\n");
        let err = resolve(&["-r", "nope", "-t", "t"], &[], Some(&file)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown repository 'nope': it is neither pypi nor testpypi, and /home/u/.pypirc has only: corp"
        );
        let err = resolve(&["-r", "nope", "-t", "t"], &[], None).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("there is no .pypirc to define it")
        );
    }

    #[test]
    fn legacy_without_slash_is_corrected_with_a_note() {
        let plan = resolve(
            &[
                "--repository-url",
                "https://upload.pypi.org/legacy",
                "-t",
                "pypi-t",
            ],
            &[],
            None,
        )
        .unwrap();
        assert_eq!(plan.target.url.as_str(), PYPI_UPLOAD_URL);
        assert_eq!(plan.notes.len(), 1);
    }

    #[test]
    fn bad_urls() {
        let err = |u: &str| {
            let e = resolve(&["--repository-url", u, "-t", "t"], &[], None).unwrap_err();
            let cause = std::error::Error::source(&e)
                .map(|c| c.to_string())
                .unwrap_or_default();
            format!("{e}: {cause}")
        };
        assert_eq!(
            err("ftp://x/"),
            "'ftp://x/' is not a usable upload URL: only http and https URLs can be uploaded to"
        );
        assert!(err("not a url").starts_with("'not a url' is not a usable upload URL: "));
        assert_eq!(
            err("https://u:hunter2@x.example/"),
            "'https://****@x.example/' is not a usable upload URL: it contains credentials; \
             pass them with -u/-p or -t instead"
        );
        assert!(!err("https://u:hunter2@[bad/").contains("hunter2"));
    }

    #[test]
    fn userinfo_is_redacted_even_in_unparsable_text() {
        assert_eq!(redact_userinfo("https://a:b@h/x@y"), "https://****@h/x@y");
        assert_eq!(redact_userinfo("http://h/p"), "http://h/p");
        assert_eq!(redact_userinfo("no scheme@all"), "no scheme@all");
    }

    #[test]
    fn pypirc_url_match_is_by_parsed_url() {
        let file = rc(
            "[corp]\nrepository = HTTPS://Corp.Example:443/pypi\nusername = alice\npassword = pw\n",
        );
        let plan = resolve(
            &["--repository-url", "https://corp.example/pypi/"],
            &[],
            Some(&file),
        )
        .unwrap();
        assert_eq!(creds(&plan), ("alice".into(), "pw".into()));
    }

    #[test]
    fn no_password_names_every_place_and_never_prompts_in_ci() {
        let err = resolve(&[], &[("CI", "true")], None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no password or token for https://upload.pypi.org/legacy/; looked in: --password/--token, \
             MINTUP_PASSWORD/MINTUP_TOKEN, TWINE_PASSWORD, ~/.pypirc (not found), no prompt: CI is set"
        );
        let a = args(&[]);
        let env = EnvSnapshot::from_pairs([("CI", "true")]);
        let tty = Terminal {
            interactive: true,
            ci_provider: None,
        };
        assert!(resolve_upload(&a, &env, None, tty).is_err());
        let plan = resolve_upload(&a, &EnvSnapshot::default(), None, tty).unwrap();
        assert_eq!(
            plan.credentials,
            CredentialPlan::Prompt {
                username: Some("__token__".into()),
                password: None,
            }
        );
        let a = args(&["--non-interactive"]);
        assert!(resolve_upload(&a, &EnvSnapshot::default(), None, tty).is_err());
    }

    #[test]
    fn ca_cert_precedence() {
        let file = rc("[pypi]\nca_cert = /rc.pem\n");
        let plan = resolve(&["-t", "t"], &[("TWINE_CERT", "/env.pem")], Some(&file)).unwrap();
        assert_eq!(plan.ca_cert, Some(PathBuf::from("/env.pem")));
        let plan = resolve(
            &["-t", "t", "--cert", "/flag.pem"],
            &[("TWINE_CERT", "/env.pem")],
            Some(&file),
        )
        .unwrap();
        assert_eq!(plan.ca_cert, Some(PathBuf::from("/flag.pem")));
        let plan = resolve(&["-t", "t"], &[], Some(&file)).unwrap();
        assert_eq!(plan.ca_cert, Some(PathBuf::from("/rc.pem")));
    }

    fn in_ci(provider: Option<Provider>) -> Terminal {
        Terminal {
            interactive: false,
            ci_provider: provider,
        }
    }

    fn plan_in_ci(cmd: &[&str], env: &[(&str, &str)]) -> Result<UploadPlan, SettingsError> {
        let env = EnvSnapshot::from_pairs(env.iter().copied());
        resolve_upload(&args(cmd), &env, None, in_ci(Some(Provider::GitHub)))
    }

    #[test]
    fn auto_mints_only_without_credentials_in_a_detected_ci() {
        let plan = plan_in_ci(&[], &[]).unwrap();
        assert_eq!(plan.credentials, CredentialPlan::TrustedPublishing);
        // `__token__` alone still asks for a token, as gh-action-pypi-publish does.
        let plan = plan_in_ci(&["-u", "__token__"], &[]).unwrap();
        assert_eq!(plan.credentials, CredentialPlan::TrustedPublishing);
        let plan = plan_in_ci(&[], &[("TWINE_PASSWORD", "pypi-x")]).unwrap();
        assert!(matches!(plan.credentials, CredentialPlan::Ready(_)));
        let plan = plan_in_ci(&["--trusted-publishing", "never"], &[("CI", "1")]);
        assert!(matches!(plan, Err(SettingsError::NoPassword { .. })));
        let err = plan_in_ci(&[], &[("TWINE_USERNAME", "alice"), ("CI", "1")]).unwrap_err();
        assert!(
            err.to_string().contains(
                "trusted publishing not tried in this GitHub Actions run: TWINE_USERNAME gives user 'alice'"
            ),
            "{err}"
        );
        let plan = plan_in_ci(&[], &[("MINTUP_TRUSTED_PUBLISHING", "never"), ("CI", "1")]);
        assert!(matches!(plan, Err(SettingsError::NoPassword { .. })));
        let outside = resolve_upload(&args(&[]), &EnvSnapshot::default(), None, in_ci(None));
        assert!(matches!(outside, Err(SettingsError::NoPassword { .. })));
    }

    #[test]
    fn always_refuses_credentials_and_does_not_need_a_detected_ci() {
        let err = plan_in_ci(&["--trusted-publishing", "always", "-t", "pypi-x"], &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--trusted-publishing always asks for trusted publishing only, but --password/--token \
             gives credentials"
        );
        let err = plan_in_ci(&["--trusted-publishing", "always", "-u", "alice"], &[]).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("but -u/--username (user 'alice') gives credentials"),
            "{err}"
        );
        let env = EnvSnapshot::from_pairs([("MINTUP_TRUSTED_PUBLISHING", "always")]);
        let plan = resolve_upload(&args(&[]), &env, None, in_ci(None)).unwrap();
        assert_eq!(plan.credentials, CredentialPlan::TrustedPublishing);
        let err = plan_in_ci(&[], &[("MINTUP_TRUSTED_PUBLISHING", "sometimes")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "MINTUP_TRUSTED_PUBLISHING must be auto, always or never, not 'sometimes'"
        );
    }

    #[test]
    fn a_token_never_lends_its_user_to_another_password() {
        let file = rc("[pypi]\nusername = rc-user\n");
        let plan = resolve(&["-p", "pw"], &[("MINTUP_TOKEN", "pypi-t")], Some(&file)).unwrap();
        assert_eq!(creds(&plan), ("rc-user".into(), "pw".into()));
        let err = resolve(&["-u", "alice"], &[("MINTUP_TOKEN", "pypi-t")], None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "-u/--username gives a user name, but the token at a higher precedence means user __token__"
        );
        let err = resolve(
            &[],
            &[("MINTUP_TOKEN", "t"), ("MINTUP_PASSWORD", "p")],
            None,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "both MINTUP_PASSWORD/MINTUP_TOKEN are set; give one"
        );
    }

    #[test]
    fn password_without_user_name_for_other_indexes() {
        let err = resolve(
            &["--repository-url", "https://corp.example/"],
            &[("MINTUP_PASSWORD", "pw")],
            None,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "a password for https://corp.example/ but no user name; looked in: -u/--username, \
             MINTUP_USERNAME, TWINE_USERNAME, .pypirc"
        );
        let a = args(&["--repository-url", "https://corp.example/"]);
        let env = EnvSnapshot::from_pairs([("MINTUP_PASSWORD", "pw")]);
        let tty = Terminal {
            interactive: true,
            ci_provider: None,
        };
        let plan = resolve_upload(&a, &env, None, tty).unwrap();
        assert_eq!(
            plan.credentials,
            CredentialPlan::Prompt {
                username: None,
                password: Some(Secret::new("pw")),
            }
        );
    }

    #[test]
    fn debug_of_arguments_and_environment_hides_secrets() {
        let a = args(&["-p", "hunter2-password"]);
        assert!(!format!("{a:?}").contains("hunter2"));
        let env = EnvSnapshot::from_pairs([("MINTUP_TOKEN", "pypi-hunter2")]);
        assert_eq!(format!("{env:?}"), "{\"MINTUP_TOKEN\"}");
    }

    #[test]
    fn a_dry_run_needs_no_credentials() {
        let plan = resolve(&["--dry-run"], &[("CI", "true")], None).unwrap();
        assert!(matches!(plan.credentials, CredentialPlan::Ready(_)));
        assert_eq!(plan.target.url.as_str(), PYPI_UPLOAD_URL);
    }
}
