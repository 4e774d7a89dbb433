//! The decisions of one file's send, as pure functions: what the index's
//! listing means before and between attempts, which redirect may be
//! followed, and what a final answer makes of the file.

use url::Url;

use super::existing::{self, Presence};
use super::response::{Outcome, RejectKind, Rejection};
use super::{ExistingContent, FileError, FileResult, UploadOptions};

/// The file a decision is about: its name and its sha256.
pub(super) struct Subject<'a> {
    pub file: &'a str,
    pub sha256: &'a str,
}

impl Subject<'_> {
    fn exists_different(&self, theirs: Option<String>) -> FileError {
        FileError::ExistsDifferent {
            ours: self.sha256.to_owned(),
            theirs,
        }
    }
}

/// One attempt's end: an answer, or a failure to get one.
pub(super) enum AttemptResult {
    Answer(Outcome),
    Failed(FileError),
}

/// Before the first attempt: the same file already listed is skipped, a
/// different one under its name is an error.
pub(super) fn before_sending(subject: &Subject<'_>, presence: Presence) -> Option<FileResult> {
    match presence {
        Presence::Same => Some(FileResult::Skipped {
            message: "the index already has it, with the same sha256".into(),
            content: ExistingContent::Identical,
        }),
        Presence::Different { theirs } => {
            Some(FileResult::Failed(subject.exists_different(Some(theirs))))
        }
        Presence::Absent | Presence::NoDigest => None,
    }
}

/// After an attempt that may have stored the file: the same file listed
/// means that attempt landed.
pub(super) fn landed_earlier(
    subject: &Subject<'_>,
    presence: Option<Presence>,
) -> Option<FileResult> {
    match presence? {
        Presence::Same => Some(FileResult::Uploaded { warnings: None }),
        Presence::Different { theirs } => {
            Some(FileResult::Failed(subject.exists_different(Some(theirs))))
        }
        Presence::Absent | Presence::NoDigest => None,
    }
}

/// Where a redirect answer points, when that is the same scheme, host and
/// port: only there may the credentials (and the body) go again.
pub(super) fn same_origin_redirect(url: &Url, result: &AttemptResult) -> Option<Url> {
    let AttemptResult::Answer(Outcome::Rejected(Rejection {
        kind: RejectKind::Redirect {
            location: Some(location),
        },
        ..
    })) = result
    else {
        return None;
    };
    let next = url.join(location).ok()?;
    (existing::same_origin(url, &next) && next != *url).then_some(next)
}

/// Whether [`settle`] needs the index's listing for this answer.
pub(super) fn needs_listing(
    options: &UploadOptions,
    outcome: &Outcome,
    maybe_stored: bool,
) -> bool {
    matches!(outcome, Outcome::AlreadyExists { .. }) && (maybe_stored || options.skip_existing)
}

/// A final answer's result. "Already exists" is checked against the index's
/// listing where there is one: after an attempt that may have stored the
/// file, or with `--skip-existing`, the same sha256 there means done.
pub(super) fn settle(
    options: &UploadOptions,
    subject: &Subject<'_>,
    outcome: Outcome,
    presence: Option<Presence>,
    maybe_stored: bool,
) -> FileResult {
    let kind = options.target.kind;
    let message = match outcome {
        Outcome::AlreadyExists { message } => message,
        // Only Warehouse uses the body of a 200 for warnings; other indexes
        // say "OK" or the like there.
        Outcome::Uploaded { warnings } => {
            return FileResult::Uploaded {
                warnings: warnings.filter(|_| kind.is_pypi_like()),
            };
        }
        other => return FileResult::Failed(outcome_error(options, other)),
    };
    match presence {
        Some(Presence::Same) if maybe_stored => return FileResult::Uploaded { warnings: None },
        Some(Presence::Same) => {
            return FileResult::Skipped {
                message,
                content: ExistingContent::Identical,
            };
        }
        Some(Presence::Different { theirs }) => {
            return FileResult::Failed(subject.exists_different(Some(theirs)));
        }
        _ => {}
    }
    match ExistingContent::judge(kind, &message) {
        // The index takes identical re-uploads, so its copy differs.
        ExistingContent::Differs => FileResult::Failed(subject.exists_different(None)),
        content if options.skip_existing => FileResult::Skipped { message, content },
        _ => FileResult::Failed(FileError::Exists {
            url: options.target.url.to_string(),
            message,
            pypi_like: kind.is_pypi_like(),
        }),
    }
}

/// An answer that is not an upload, as a failure.
pub(super) fn outcome_error(options: &UploadOptions, outcome: Outcome) -> FileError {
    let url = options.target.url.to_string();
    let kind = options.target.kind;
    match outcome {
        Outcome::Rejected(rejection) => FileError::Rejected {
            url,
            rejection,
            kind,
        },
        Outcome::AlreadyExists { message } => FileError::Exists {
            url,
            message,
            pypi_like: kind.is_pypi_like(),
        },
        Outcome::Uploaded { .. } => unreachable!("an upload is not a failure"),
    }
}

/// The failure that ends a file's attempts: the last one's, said to be the
/// last of several.
pub(super) fn give_up(attempts: u32, last: FileError) -> FileError {
    if attempts > 1 {
        FileError::GaveUp {
            attempts,
            last: Box::new(last),
        }
    } else {
        last
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::index::{IndexKind, Target};

    const OURS: &str = "aa";

    fn subject() -> Subject<'static> {
        Subject {
            file: "x-1.0.tar.gz",
            sha256: OURS,
        }
    }

    fn options(url: &str, skip_existing: bool) -> UploadOptions {
        let url = Url::parse(url).unwrap();
        UploadOptions {
            target: Target {
                kind: IndexKind::of(&url),
                url,
            },
            skip_existing,
            comment: None,
            attestations: false,
            print_hash: false,
            verbose: false,
            verify: true,
            stall_timeout: Duration::from_secs(60),
            retries: 3,
            jobs: 1,
            keep_going: false,
            check_url: crate::upload::CheckUrl::Off,
            json_api: None,
        }
    }

    fn exists() -> Outcome {
        Outcome::AlreadyExists {
            message: "File already exists.".into(),
        }
    }

    fn different(theirs: &str) -> Presence {
        Presence::Different {
            theirs: theirs.into(),
        }
    }

    #[test]
    fn listings_decide_before_and_between_attempts() {
        let s = subject();
        assert!(matches!(
            before_sending(&s, Presence::Same),
            Some(FileResult::Skipped {
                content: ExistingContent::Identical,
                ..
            })
        ));
        assert!(matches!(
            before_sending(&s, different("bb")),
            Some(FileResult::Failed(FileError::ExistsDifferent {
                theirs: Some(_),
                ..
            }))
        ));
        assert!(before_sending(&s, Presence::Absent).is_none());
        assert!(before_sending(&s, Presence::NoDigest).is_none());
        assert!(matches!(
            landed_earlier(&s, Some(Presence::Same)),
            Some(FileResult::Uploaded { warnings: None })
        ));
        assert!(landed_earlier(&s, None).is_none());
        assert!(landed_earlier(&s, Some(Presence::Absent)).is_none());
    }

    #[test]
    fn redirects_are_followed_only_within_the_origin() {
        let url = Url::parse("https://h/legacy/").unwrap();
        let redirect = |location: &str| {
            AttemptResult::Answer(Outcome::Rejected(Rejection {
                status: 308,
                message: String::new(),
                kind: RejectKind::Redirect {
                    location: Some(location.into()),
                },
            }))
        };
        assert_eq!(
            same_origin_redirect(&url, &redirect("/upload/")).map(String::from),
            Some("https://h/upload/".into())
        );
        for elsewhere in ["http://h/legacy/", "https://g/legacy/", "https://h:8443/x/"] {
            assert_eq!(same_origin_redirect(&url, &redirect(elsewhere)), None);
        }
        assert_eq!(
            same_origin_redirect(&url, &redirect("/legacy/")),
            None,
            "a loop"
        );
        let ok = AttemptResult::Answer(Outcome::Uploaded { warnings: None });
        assert_eq!(same_origin_redirect(&url, &ok), None);
    }

    #[test]
    fn already_exists_is_settled_by_the_listing_then_by_the_index_kind() {
        let s = subject();
        let pypi = options("https://upload.pypi.org/legacy/", false);
        let other = options("https://index.example/", false);
        let other_skip = options("https://index.example/", true);
        assert!(needs_listing(&other, &exists(), true));
        assert!(needs_listing(&other_skip, &exists(), false));
        assert!(!needs_listing(&other, &exists(), false));
        // Our earlier attempt landed.
        assert!(matches!(
            settle(&other, &s, exists(), Some(Presence::Same), true),
            FileResult::Uploaded { .. }
        ));
        // The same file was there before: skipped, as --skip-existing asks.
        assert!(matches!(
            settle(&other_skip, &s, exists(), Some(Presence::Same), false),
            FileResult::Skipped {
                content: ExistingContent::Identical,
                ..
            }
        ));
        // Another file under the name, with or without --skip-existing.
        for o in [&other, &other_skip] {
            assert!(matches!(
                settle(o, &s, exists(), Some(different("bb")), false),
                FileResult::Failed(FileError::ExistsDifferent { .. })
            ));
        }
        // No listing: PyPI takes identical re-uploads, so its copy differs.
        assert!(matches!(
            settle(&pypi, &s, exists(), None, false),
            FileResult::Failed(FileError::ExistsDifferent { theirs: None, .. })
        ));
        // No listing elsewhere: skipped with --skip-existing, else refused.
        assert!(matches!(
            settle(&other_skip, &s, exists(), None, false),
            FileResult::Skipped {
                content: ExistingContent::Unknown,
                ..
            }
        ));
        assert!(matches!(
            settle(&other, &s, exists(), None, false),
            FileResult::Failed(FileError::Exists { .. })
        ));
    }

    #[test]
    fn warnings_of_a_200_count_only_from_pypi() {
        let uploaded = || Outcome::Uploaded {
            warnings: Some("OK".into()),
        };
        let s = subject();
        let on = |url| settle(&options(url, false), &s, uploaded(), None, false);
        assert!(matches!(
            on("https://upload.pypi.org/legacy/"),
            FileResult::Uploaded { warnings: Some(_) }
        ));
        assert!(matches!(
            on("https://index.example/"),
            FileResult::Uploaded { warnings: None }
        ));
    }

    #[test]
    fn only_a_retried_failure_says_it_gave_up() {
        let last = || FileError::ExistsDifferent {
            ours: OURS.into(),
            theirs: None,
        };
        assert!(matches!(
            give_up(1, last()),
            FileError::ExistsDifferent { .. }
        ));
        assert!(matches!(
            give_up(4, last()),
            FileError::GaveUp { attempts: 4, .. }
        ));
    }
}
