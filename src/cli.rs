//! The command line, as clap derive structs. Their doc comments are the
//! `--help` text; nothing here reads the environment or files.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

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
}

const UPLOAD_AFTER_HELP: &str = "\
Where settings come from, highest precedence first:
  1. flags (--repository-url, -r, -u, -p, -t)
  2. MINTUP_REPOSITORY_URL, MINTUP_REPOSITORY, MINTUP_USERNAME, MINTUP_PASSWORD, MINTUP_TOKEN
  3. TWINE_REPOSITORY_URL, TWINE_REPOSITORY, TWINE_USERNAME, TWINE_PASSWORD (and TWINE_CERT)
  4. the repository's section in .pypirc (--config-file, default ~/.pypirc)
  5. defaults: PyPI, user name __token__ for PyPI and TestPyPI
At one level a URL beats a repository name, and a token means user __token__.
Without a password, mintup asks for one only on a terminal, never with
--non-interactive or when CI is set.

Exit status: 0 every file uploaded or skipped, 1 a file failed or could not be
read, 2 usage or configuration error.";

#[derive(Debug, Args)]
pub struct UploadArgs {
    /// Files, directories or glob patterns of distributions to upload
    /// [default: dist/]. `.asc` and `.publish.attestation` files go with their
    /// distribution.
    #[arg(value_name = "DIST")]
    pub dists: Vec<String>,

    /// Repository name: `pypi`, `testpypi` or a section of .pypirc
    #[arg(short = 'r', long, value_name = "NAME")]
    pub repository: Option<String>,

    /// Upload URL of the repository (overrides --repository)
    #[arg(long, value_name = "URL")]
    pub repository_url: Option<String>,

    /// The .pypirc file to read [default: ~/.pypirc]
    #[arg(long, value_name = "PATH")]
    pub config_file: Option<PathBuf>,

    /// User name to authenticate with
    #[arg(short, long)]
    pub username: Option<String>,

    /// Password or API token to authenticate with
    #[arg(short, long)]
    pub password: Option<String>,

    /// API token: the same as `-u __token__ -p TOKEN`
    #[arg(short = 't', long, conflicts_with_all = ["username", "password"])]
    pub token: Option<String>,

    /// Report a file the index already has as skipped instead of failing
    #[arg(long)]
    pub skip_existing: bool,

    /// Never prompt for credentials
    #[arg(long)]
    pub non_interactive: bool,

    /// A comment to store with each file
    #[arg(short, long)]
    pub comment: Option<String>,

    /// CA bundle (PEM) to verify the repository's certificate with
    #[arg(long, value_name = "PATH")]
    pub cert: Option<PathBuf>,

    /// Client certificate and key (one PEM file) for TLS client authentication
    #[arg(long, value_name = "PATH")]
    pub client_cert: Option<PathBuf>,

    /// Send each file's `<file>.publish.attestation`; a file without one is an error
    #[arg(long)]
    pub attestations: bool,

    /// Print each file's sha256, md5 and blake2b-256
    #[arg(long)]
    pub print_hash: bool,

    /// Show the server's answers in full
    #[arg(short, long)]
    pub verbose: bool,

    /// Do not show progress bars
    #[arg(long)]
    pub disable_progress_bar: bool,
}
