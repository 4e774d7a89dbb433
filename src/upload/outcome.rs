//! What happened to each file, and the hint that goes with a failure. The
//! hints are pure: a rejection and the target in, advice out.

use crate::dist::Digests;
use crate::index::IndexKind;

use super::response::{AuthProblem, InvalidHint, RejectKind, Rejection};
use crate::hint::Hint;

/// The result of one file.
#[derive(Debug)]
pub struct FileReport {
    pub filename: String,
    pub size: u64,
    pub digests: Option<Digests>,
    pub result: FileResult,
    /// The release's page, on indexes that have one.
    pub page: Option<String>,
}

#[derive(Debug)]
pub enum FileResult {
    Uploaded {
        warnings: Option<String>,
    },
    /// Already on the index and `--skip-existing` was given.
    Skipped {
        message: String,
        content: ExistingContent,
    },
    Failed(FileError),
    /// In flight when the run was interrupted: the index may or may not
    /// have it.
    Interrupted,
    /// Not tried, and why.
    NotAttempted(NotSent),
}

/// Why a file was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotSent {
    EarlierFailure,
    Interrupted,
}

/// What a refusal as "exists" says about the index's copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExistingContent {
    /// The index accepts an identical re-upload (PyPI, devpi) or said so
    /// (Azure), so its copy differs from this file.
    Differs,
    /// The index refuses any re-upload (pypiserver) or does not say.
    Unknown,
    /// Its simple index lists the file with this file's sha256.
    Identical,
}

impl ExistingContent {
    /// Judge from the index and its message.
    pub fn judge(kind: IndexKind, message: &str) -> Self {
        let lower = message.to_lowercase();
        if kind.is_pypi_like()
            || lower.contains("non-volatile index")
            || lower.contains("already contains file")
        {
            ExistingContent::Differs
        } else {
            ExistingContent::Unknown
        }
    }
}

impl FileResult {
    pub fn is_ok(&self) -> bool {
        matches!(
            self,
            FileResult::Uploaded { .. } | FileResult::Skipped { .. }
        )
    }
}

/// Why a file failed. The file itself is not named here: its report
/// carries the name, and the output says it once.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("could not mint a fresh token for it")]
    Remint {
        #[source]
        source: crate::mint::MintError,
    },
    #[error("cannot read it to compute its digests")]
    Hash {
        #[source]
        source: std::io::Error,
    },
    #[error("could not upload to {url}")]
    Send {
        url: String,
        #[source]
        source: super::client::SendError,
    },
    #[error("{url} already has a file of this name: {message}")]
    Exists {
        url: String,
        message: String,
        pypi_like: bool,
    },
    #[error("the index already has a different file of this name{}", describe_digests(.ours, .theirs.as_deref()))]
    ExistsDifferent {
        ours: String,
        theirs: Option<String>,
    },
    #[error("gave up after {attempts} attempts")]
    GaveUp {
        attempts: u32,
        #[source]
        last: Box<FileError>,
    },
    #[error("{url} refused it with {status}: {message}", status = .rejection.status, message = display_message(&.rejection.message))]
    Rejected {
        url: String,
        rejection: Rejection,
        kind: IndexKind,
    },
}

fn describe_digests(ours: &str, theirs: Option<&str>) -> String {
    match theirs {
        Some(theirs) => format!(" (its sha256 {theirs}, this file's {ours})"),
        None => format!(
            " (this file's sha256 is {ours}; the index accepts identical re-uploads, so its copy differs)"
        ),
    }
}

fn display_message(message: &str) -> &str {
    if message.is_empty() {
        "(no message)"
    } else {
        message
    }
}

impl Hint for FileError {
    fn hint(&self) -> Option<String> {
        match self {
            FileError::Hash { .. } => None,
            FileError::Remint { source, .. } => source.hint(),
            FileError::Send {
                source: super::client::SendError::Stalled(_),
                ..
            } => Some(
                "the index stopped answering: re-run (with --skip-existing where the index refuses \
                 re-uploads, as pypiserver does), or raise --timeout for a slow index"
                    .into(),
            ),
            FileError::Send { .. } => Some(
                "check the URL and that the server is reachable from here; re-running is safe"
                    .into(),
            ),
            FileError::ExistsDifferent { .. } => Some(
                "a published file can never be replaced: bump the version (or add a build tag to \
                 a wheel) and rebuild; if this file is the right one, the index's copy came from \
                 another build"
                    .into(),
            ),
            FileError::GaveUp { last, .. } => last.hint(),
            FileError::Exists {
                pypi_like: true, ..
            } => Some(
                "PyPI accepts an identical re-upload, so this file's content differs from the one \
                 published; file names can never be reused: bump the version (or add a build tag \
                 to a wheel) and rebuild"
                    .into(),
            ),
            FileError::Exists { .. } => Some(
                "pass --skip-existing to report existing files as skipped, or bump the version"
                    .into(),
            ),
            FileError::Rejected {
                rejection,
                kind,
                url,
                ..
            } => rejection_hint(rejection, *kind, url),
        }
    }
}

/// Advice for a rejection: what the server's answer means and what to do.
pub fn rejection_hint(rejection: &Rejection, kind: IndexKind, url: &str) -> Option<String> {
    let pypi = kind.is_pypi_like();
    Some(match &rejection.kind {
        RejectKind::Auth(problem) => match problem {
            AuthProblem::UnknownToken => {
                "the token was not recognised: it is mistyped, truncated or \
                revoked, or it belongs to the other index (PyPI and TestPyPI tokens are separate)"
                    .into()
            }
            AuthProblem::ExpiredToken => {
                "the token has expired (trusted-publishing tokens live 15 \
                minutes): mint or create a new one"
                    .into()
            }
            AuthProblem::NotAllowedForProject => "the token is scoped to another project, or its \
                account is not an owner or maintainer of this one: check the project name and the \
                token's scope"
                .into(),
            AuthProblem::PasswordsRetired => {
                "PyPI takes API tokens only: pass -t/--token (user name __token__)".into()
            }
            AuthProblem::AccountSetup => "the account needs a verified e-mail address and \
                two-factor authentication before it can upload with a user token"
                .into(),
            AuthProblem::Other if pypi => {
                "check the token and that it may upload to this project".into()
            }
            AuthProblem::Other => format!("check the user name and password for {url}"),
        },
        RejectKind::NotFound => format!(
            "nothing at {url} takes uploads: check the upload URL (devpi: the index URL such as \
             /user/index/, pypiserver: the server root)"
        ),
        RejectKind::NotUploadUrl => format!(
            "this looks like the simple index URL, not the upload URL{}",
            if pypi || url.contains("pypi.org") {
                " (PyPI: https://upload.pypi.org/legacy/, TestPyPI: https://test.pypi.org/legacy/)"
            } else {
                ""
            }
        ),
        RejectKind::Redirect { location } => match location
            .as_deref()
            .map(|l| {
                url::Url::parse(url)
                    .and_then(|base| base.join(l))
                    .map_or(l.to_owned(), String::from)
            })
            .as_deref()
        {
            Some(location) if location == format!("{url}/") => {
                format!("the upload URL needs a trailing slash: use --repository-url {location}")
            }
            Some(location) => format!(
                "redirects are followed only within the upload URL's scheme, host and port (the \
                 request carries credentials); if {location} is the real upload URL, pass it \
                 with --repository-url"
            ),
            None => "the server redirected without saying where to; check the upload URL".into(),
        },
        RejectKind::HtmlPage => format!(
            "{url} answered with a web page, so the file was probably not stored: check that it \
             is the upload URL (devpi: the index URL, pypiserver: the server root)"
        ),
        RejectKind::TooLarge => "the file is larger than the server accepts".into(),
        RejectKind::RateLimited => "the index is rate-limiting: wait a while and re-run".into(),
        RejectKind::Server => "the index failed; re-run later (PyPI and devpi accept an identical \
            re-upload; elsewhere add --skip-existing for the files already stored)"
            .into(),
        RejectKind::Invalid(hint) => match hint {
            InvalidHint::DescriptionRender => "the long description does not render as its \
                Description-Content-Type says: fix the README markup (`twine check` shows the \
                error) and rebuild"
                .into(),
            InvalidHint::FileTooLarge => "PyPI's default limit is 100 MiB per file and 10 GiB per \
                project; ask for more at https://pypi.org/help/#file-size-limit"
                .into(),
            InvalidHint::NonUserCannotCreate => {
                "a trusted publisher cannot create a project: add a \
                pending publisher on PyPI, or make the first upload with a user token"
                    .into()
            }
            InvalidHint::FilenameReused => {
                "file names can never be reused, even after deletion: bump the version".into()
            }
            InvalidHint::None => return None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn existing_copies_are_judged_by_index_and_message() {
        let judge = ExistingContent::judge;
        assert_eq!(
            judge(IndexKind::Pypi, "File already exists"),
            ExistingContent::Differs
        );
        assert_eq!(
            judge(
                IndexKind::Other,
                "x.zip already exists in non-volatile index"
            ),
            ExistingContent::Differs
        );
        assert_eq!(
            judge(
                IndexKind::Other,
                "The feed 'f' already contains file 'x' in package 'p 1'."
            ),
            ExistingContent::Differs
        );
        assert_eq!(
            judge(IndexKind::Other, "Package 'x' already exists!"),
            ExistingContent::Unknown
        );
    }

    #[test]
    fn pypi_exists_hint_says_the_content_differs() {
        let error = FileError::Exists {
            url: "https://upload.pypi.org/legacy/".into(),
            message: "File already exists".into(),
            pypi_like: true,
        };
        assert!(
            error
                .hint()
                .unwrap()
                .starts_with("PyPI accepts an identical re-upload")
        );
    }

    #[test]
    fn redirect_hints_resolve_relative_locations() {
        let rejection = |location: &str| Rejection {
            status: 308,
            message: String::new(),
            kind: RejectKind::Redirect {
                location: Some(location.into()),
            },
        };
        let url = "https://upload.pypi.org/legacy";
        assert_eq!(
            rejection_hint(&rejection("/legacy/"), IndexKind::Pypi, url).unwrap(),
            "the upload URL needs a trailing slash: use --repository-url https://upload.pypi.org/legacy/"
        );
        let hint = rejection_hint(
            &rejection("https://elsewhere.example/u/"),
            IndexKind::Other,
            url,
        )
        .unwrap();
        assert!(
            hint.contains("if https://elsewhere.example/u/ is the real upload URL"),
            "{hint}"
        );
    }

    #[test]
    fn release_pages_exist_only_on_pypi_and_testpypi() {
        assert_eq!(
            IndexKind::Pypi.release_page("Demo", "1.0"),
            Some("https://pypi.org/project/Demo/1.0/".into())
        );
        assert_eq!(
            IndexKind::TestPypi.release_page("Demo", "1.0"),
            Some("https://test.pypi.org/project/Demo/1.0/".into())
        );
        assert_eq!(IndexKind::Other.release_page("Demo", "1.0"), None);
    }
}
