//! The command line, as clap derive structs. Their doc comments are the
//! `--help` text; nothing here reads the environment or files.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::auth::Secret;
use crate::mint::Provider;

/// Secrets go straight into [`Secret`], so that `{:?}` of the arguments
/// never shows them.
fn secret(value: &str) -> Result<Secret, std::convert::Infallible> {
    Ok(Secret::new(value))
}

#[derive(Debug, Parser)]
#[command(
    name = "mintup",
    version,
    about = "Publish Python distributions to PyPI and other indexes",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Upload wheels and sdists (a drop-in for `twine upload`)
    #[command(after_long_help = UPLOAD_AFTER_HELP)]
    Upload(UploadArgs),
    /// Check distributions against PyPI's upload rules, without uploading
    #[command(after_long_help = check_after_help())]
    Check(CheckArgs),
    /// Trade this CI run's OIDC identity for a short-lived API token (trusted publishing)
    #[command(after_long_help = MINT_AFTER_HELP)]
    Mint(MintArgs),
    /// Write a PEP 740 publish attestation beside each distribution (Sigstore keyless signing)
    #[command(after_long_help = ATTEST_AFTER_HELP)]
    Attest(AttestArgs),
    /// Ask the index to burn (revoke) a token minted by trusted publishing
    #[command(after_long_help = BURN_AFTER_HELP)]
    Burn(BurnArgs),
}

const BURN_AFTER_HELP: &str = "\
For the split flow: `mintup mint` hands a token to another tool, and
`mintup burn` ends its life when that tool is done, instead of leaving it
valid for the rest of its 15 minutes. The token is POSTed to the index's
/_/oidc/burn-token (beside /_/oidc/mint-token), without an Authorization
header. The index answers 202 whatever it did and never says whether the
token existed, so success means the burn was requested. A 5xx or a failed
connection is retried once.

Exit status: 0 the index accepted the request (202), 1 it did not or could
not be reached, 2 usage error (no token given).";

#[derive(Debug, Args)]
pub struct BurnArgs {
    #[command(flatten)]
    pub repo: RepositoryArgs,

    /// The token to burn; `-` reads it from the first line of stdin, which
    /// keeps it off the command line [env: MINTUP_TOKEN]
    #[arg(short = 't', long, value_name = "TOKEN", value_parser = secret)]
    pub token: Option<Secret>,

    #[command(flatten)]
    pub tls: TlsArgs,
}

const ATTEST_AFTER_HELP: &str = "\
Signs with the CI job's OIDC identity (audience `sigstore`): one ephemeral
key and one Fulcio certificate per run (renewed only when it is about to
expire), a Rekor v1 entry per file, eight files signed at once. Every
attestation is checked before it is written as <dist>.publish.attestation
(it names the file and its sha256, the certificate's key signed it, and the
log entry's inclusion proof, checkpoint and timestamp hold). An existing
attestation is reused when it holds for the file, and is an error, never
overwritten, when it does not. Services: Sigstore's public-good instance,
or a sigstore client trust config file (--sigstore-config,
MINTUP_SIGSTORE_CONFIG).";

#[derive(Debug, Args)]
pub struct AttestArgs {
    /// Files, directories or glob patterns [default: dist/]
    #[arg(value_name = "DIST")]
    pub dists: Vec<String>,

    /// A sigstore ClientTrustConfig JSON file naming Fulcio, Rekor v1 and
    /// their keys [env: MINTUP_SIGSTORE_CONFIG]
    #[arg(long, value_name = "FILE")]
    pub sigstore_config: Option<PathBuf>,

    /// Use this CI provider's identity instead of detecting one
    #[arg(long, value_enum)]
    pub provider: Option<ProviderArg>,
}

const MINT_AFTER_HELP: &str = "\
The token goes to stdout alone (--format raw), as JSON, or as shell
assignments. In GitHub Actions it is masked (::add-mask::) before anything
else is printed. With --github-output it is written to the step output
`api-token` instead, and nothing goes to stdout. The OIDC token itself is
never printed.

Providers, in detection order: GitHub Actions (GITHUB_ACTIONS), GitLab CI/CD
(GITLAB_CI), Buildkite (BUILDKITE), CircleCI (CIRCLECI), then Google Cloud
(GOOGLE_SERVICE_ACCOUNT_NAME, or a Google VM). A CI job's identity comes
before the machine's, so a self-hosted runner on a Google VM publishes as its
repository. --provider overrides the detection.

Exit status: 0 a token was printed, 1 minting failed, 2 usage error.";

fn check_after_help() -> String {
    format!(
        "Each file is PASSED, WARNED or FAILED, with one line per problem: the rule,
what is wrong, and what to do. Rules only PyPI enforces fail for PyPI and
TestPyPI (the default target) and warn for other indexes (-r, --repository-url).
`mintup upload` runs the same checks before sending anything.

Known classifiers: {}.

Exit status: 0 no file failed (with --strict: and none warned), 1 otherwise,
2 usage error.",
        crate::check::classifiers::source()
    )
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files, directories or glob patterns [default: dist/]
    #[arg(value_name = "DIST")]
    pub dists: Vec<String>,

    #[command(flatten)]
    pub repo: RepositoryArgs,

    /// Fail on warnings too
    #[arg(long)]
    pub strict: bool,

    /// Report as text or as one JSON document on stdout
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,
}

/// Which repository: shared by the commands that talk to an index.
#[derive(Debug, Args)]
pub struct RepositoryArgs {
    /// Repository name: `pypi`, `testpypi` or a section of .pypirc
    #[arg(short = 'r', long, value_name = "NAME")]
    pub repository: Option<String>,

    /// Upload URL of the repository (overrides --repository)
    #[arg(long, value_name = "URL")]
    pub repository_url: Option<String>,

    /// The .pypirc file to read [default: ~/.pypirc]
    #[arg(long, value_name = "PATH")]
    pub config_file: Option<PathBuf>,
}

/// How to reach the repository over TLS: shared like [`RepositoryArgs`].
#[derive(Debug, Args)]
pub struct TlsArgs {
    /// CA bundle (PEM) to verify the repository's certificate with
    #[arg(long, value_name = "PATH")]
    pub cert: Option<PathBuf>,

    /// Client certificate and key (one PEM file) for TLS client authentication
    #[arg(long, value_name = "PATH")]
    pub client_cert: Option<PathBuf>,
}

/// `--provider`'s values; the mint module's `Provider` stays free of clap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProviderArg {
    Github,
    Gitlab,
    Buildkite,
    Circleci,
    Google,
}

impl From<ProviderArg> for Provider {
    fn from(arg: ProviderArg) -> Self {
        match arg {
            ProviderArg::Github => Provider::GitHub,
            ProviderArg::Gitlab => Provider::GitLab,
            ProviderArg::Buildkite => Provider::Buildkite,
            ProviderArg::Circleci => Provider::CircleCi,
            ProviderArg::Google => Provider::Google,
        }
    }
}

/// How `upload` and `check` report on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ReportFormat {
    /// A line per file
    #[default]
    Text,
    /// One JSON document (its shape is in the README)
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TokenFormat {
    /// The token alone
    Raw,
    /// {"token", "expires", "repository"}
    Json,
    /// MINTUP_TOKEN=…, TWINE_USERNAME=__token__ and TWINE_PASSWORD=… lines
    Env,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TrustedPublishing {
    /// Mint when no credentials are given, a supported CI is detected, and
    /// the index is PyPI, TestPyPI or this machine
    Auto,
    /// Always mint; credentials are a usage error
    Always,
    /// Never mint
    Never,
}

#[derive(Debug, Args)]
pub struct MintArgs {
    #[command(flatten)]
    pub repo: RepositoryArgs,

    /// The OIDC audience [default: asked of the index]
    #[arg(long)]
    pub audience: Option<String>,

    #[command(flatten)]
    pub tls: TlsArgs,

    /// Use this CI provider's identity instead of detecting one
    #[arg(long, value_enum)]
    pub provider: Option<ProviderArg>,

    /// Append `api-token=<token>` to $GITHUB_OUTPUT instead of printing the
    /// token (stdout stays empty)
    #[arg(long)]
    pub github_output: bool,

    /// How to print the token
    #[arg(long, value_enum, default_value = "raw")]
    pub format: TokenFormat,
}

const UPLOAD_AFTER_HELP: &str = "\
Where settings come from, highest precedence first:
  1. flags (--repository-url, -r, -u, -p, -t)
  2. MINTUP_REPOSITORY_URL, MINTUP_REPOSITORY, MINTUP_USERNAME, MINTUP_PASSWORD, MINTUP_TOKEN
  3. TWINE_REPOSITORY_URL, TWINE_REPOSITORY, TWINE_USERNAME, TWINE_PASSWORD (and TWINE_CERT)
  4. the repository's section in .pypirc (--config-file, default ~/.pypirc)
  5. defaults: PyPI, user name __token__ for PyPI and TestPyPI
At one level a URL beats a repository name, and a token means user __token__.
With no password or token anywhere and a supported CI detected, mintup mints
a token (trusted publishing, see `mintup mint --help`). Otherwise, without a
password, it asks for one only on a terminal, never with --non-interactive or
when CI is set.

Exit status: 0 every file uploaded or skipped, 1 a file failed or could not be
read, 2 usage or configuration error.";

#[derive(Debug, Args)]
pub struct UploadArgs {
    /// Files, directories or glob patterns of distributions to upload
    /// [default: dist/]. `.asc` and `.publish.attestation` files go with their
    /// distribution.
    #[arg(value_name = "DIST")]
    pub dists: Vec<String>,

    #[command(flatten)]
    pub repo: RepositoryArgs,

    /// User name to authenticate with
    #[arg(short, long)]
    pub username: Option<String>,

    /// Password or API token to authenticate with
    #[arg(short, long, value_parser = secret)]
    pub password: Option<Secret>,

    /// API token: the same as `-u __token__ -p TOKEN`
    #[arg(short = 't', long, value_parser = secret, conflicts_with_all = ["username", "password"])]
    pub token: Option<Secret>,

    /// Report a file the index already has as skipped instead of failing
    #[arg(long)]
    pub skip_existing: bool,

    /// Skip the pre-upload checks (`mintup check`) and send the files as they are
    #[arg(long)]
    pub no_verify: bool,

    /// Abandon a file's upload when nothing moves (no byte sent or received)
    /// for this many seconds; a slow upload that keeps moving never times out
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,

    /// Retry a transient failure (connection refused or reset, timeout, 429,
    /// 500/502/503/504) up to N times, with exponential backoff and jitter
    /// [default: 3] [env: MINTUP_RETRIES]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: Option<u32>,

    /// Upload up to N files at once (1 to 32); the first wheel of a release
    /// goes alone and its sdist last. `--jobs 1` sends one file at a time,
    /// in order [default: 8] [env: MINTUP_JOBS]
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=32))]
    pub jobs: Option<u32>,

    /// After a failure, go on uploading every file that can be, then exit 1
    /// listing each failure (by default the first failure stops new uploads)
    #[arg(long)]
    pub keep_going: bool,

    /// The simple index (PEP 503/691) that tells which files the index has,
    /// for hash-verified skips and retries; known for PyPI and TestPyPI, and
    /// found from the upload URL for other indexes when first needed
    /// [env: MINTUP_CHECK_URL]
    #[arg(long, value_name = "URL")]
    pub check_url: Option<String>,

    /// Never ask a simple index which files the index has: skips and
    /// retries go by the index's upload answers alone
    #[arg(long, conflicts_with = "check_url")]
    pub no_check_url: bool,

    /// Allow sending credentials over plain http to a host other than this
    /// machine
    #[arg(long)]
    pub allow_insecure_http: bool,

    /// Do everything but upload: check, hash, build and stream each request to
    /// a loopback index inside mintup that verifies it. Needs no credentials
    /// and no network
    #[arg(long)]
    pub dry_run: bool,

    /// Never prompt for credentials
    #[arg(long)]
    pub non_interactive: bool,

    /// Mint a token from the CI's identity: `auto` when no credentials are
    /// given, a supported CI is detected and the index is PyPI, TestPyPI or
    /// this machine; `always` for any other index [env:
    /// MINTUP_TRUSTED_PUBLISHING]
    #[arg(long, value_enum, value_name = "WHEN")]
    pub trusted_publishing: Option<TrustedPublishing>,

    /// The OIDC audience for trusted publishing [default: asked of the
    /// index; an index other than PyPI or TestPyPI naming theirs is refused
    /// unless given here]
    #[arg(long)]
    pub audience: Option<String>,

    /// A comment to store with each file
    #[arg(short, long)]
    pub comment: Option<String>,

    #[command(flatten)]
    pub tls: TlsArgs,

    /// Send each file's `<file>.publish.attestation`; a file without one is an error
    #[arg(long)]
    pub attestations: bool,

    /// Generate (or reuse) a PEP 740 publish attestation for each file, as
    /// `mintup attest` does, and send it; needs trusted publishing
    #[arg(long)]
    pub attest: bool,

    /// With --attest: a sigstore ClientTrustConfig JSON file naming Fulcio,
    /// Rekor v1 and their keys [env: MINTUP_SIGSTORE_CONFIG]
    #[arg(long, value_name = "FILE", requires = "attest")]
    pub sigstore_config: Option<PathBuf>,

    /// Print each file's sha256, md5 and blake2b-256
    #[arg(long)]
    pub print_hash: bool,

    /// Show the server's answers in full
    #[arg(short, long)]
    pub verbose: bool,

    /// Report as text or as one JSON document on stdout (errors still go to
    /// stderr as text)
    #[arg(long, value_enum, default_value = "text")]
    pub format: ReportFormat,

    /// Do not show progress bars
    #[arg(long)]
    pub disable_progress_bar: bool,
}
