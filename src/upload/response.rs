//! What an index's answer to an upload means, as a pure table: status,
//! content type and body in, uploaded / already exists / rejected out. Each
//! index's quirk is noted where it is encoded
//! (`../shared/reference/legacy-upload.md` §9–§12).

use crate::untrusted;

pub use super::answer::Answer;
use super::answer::server_message;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx. PyPI's body lists warnings, normally none.
    Uploaded {
        warnings: Option<String>,
    },
    /// The index already has a file of this name.
    AlreadyExists {
        message: String,
    },
    Rejected(Rejection),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub status: u16,
    /// The server's own words, from the JSON body, the text body or the reason.
    pub message: String,
    pub kind: RejectKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejectKind {
    /// 401/403: the credentials were refused; the problem is named where the
    /// server's text tells it.
    Auth(AuthProblem),
    /// 404: nothing at this URL.
    NotFound,
    /// 405: the URL is not an upload endpoint.
    NotUploadUrl,
    /// 3xx: never followed, because the request carries credentials.
    Redirect {
        location: Option<String>,
    },
    /// 200 with an HTML page: a web page answered, not an upload endpoint
    /// (devpi answers a POST to its `/simple/` page this way, devpi#1097).
    HtmlPage,
    TooLarge,
    RateLimited,
    Server,
    /// Anything else, typically a 400 validation error.
    Invalid(InvalidHint),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthProblem {
    /// PyPI: "Invalid or non-existent authentication information".
    UnknownToken,
    /// PyPI: a caveat failed, e.g. "token is expired".
    ExpiredToken,
    /// PyPI: "isn't allowed to upload to project".
    NotAllowedForProject,
    /// PyPI: a user name other than `__token__`.
    PasswordsRetired,
    /// PyPI: user-token uploads need a verified e-mail and 2FA.
    AccountSetup,
    Other,
}

/// Known 400 messages that deserve a specific hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvalidHint {
    DescriptionRender,
    FileTooLarge,
    NonUserCannotCreate,
    FilenameReused,
    None,
}

/// Classify an answer.
pub fn classify(answer: &Answer<'_>) -> Outcome {
    let message = server_message(answer);
    let lower = message.to_lowercase();
    let status = answer.status;
    let rejected = |kind| {
        Outcome::Rejected(Rejection {
            status,
            message: message.clone(),
            kind,
        })
    };
    match status {
        200..=299 if looks_like_html(answer) => rejected(RejectKind::HtmlPage),
        // Warehouse lists warnings in the body; the reason phrase of a 200
        // ("OK") is none.
        200..=299 => Outcome::Uploaded {
            warnings: Some(untrusted::for_log(answer.body.trim(), &[])).filter(|m| !m.is_empty()),
        },
        300..=399 => rejected(RejectKind::Redirect {
            location: answer.location.map(str::to_owned),
        }),
        // pypiserver (without --overwrite), devpi (non-volatile index, only
        // when the bytes differ) and Azure Artifacts answer 409.
        409 => Outcome::AlreadyExists { message },
        // PyPI and GCP: "File already exists"; Nexus: "Repository does not
        // allow updating assets"; GitLab: "has already been taken"; others:
        // "cannot be updated". pypiserver answers 400 instead of 409 when the
        // User-Agent mentions twine, with its "already exists" text.
        400 if [
            "already exist",
            "updating asset",
            "already been taken",
            "cannot be updated",
        ]
        .iter()
        .any(|marker| lower.contains(marker)) =>
        {
            Outcome::AlreadyExists { message }
        }
        // Artifactory refuses an overwrite as a permission problem.
        403 if lower.contains("overwrite artifact") => Outcome::AlreadyExists { message },
        401 | 403 => rejected(RejectKind::Auth(auth_problem(&lower))),
        404 => rejected(RejectKind::NotFound),
        405 => rejected(RejectKind::NotUploadUrl),
        413 => rejected(RejectKind::TooLarge),
        429 => rejected(RejectKind::RateLimited),
        500..=599 => rejected(RejectKind::Server),
        _ => rejected(RejectKind::Invalid(invalid_hint(&lower))),
    }
}

fn auth_problem(lower: &str) -> AuthProblem {
    if lower.contains("invalid or non-existent authentication") {
        AuthProblem::UnknownToken
    } else if lower.contains("expired") {
        AuthProblem::ExpiredToken
    } else if lower.contains("isn't allowed to upload") || lower.contains("not allowed to upload") {
        AuthProblem::NotAllowedForProject
    } else if lower.contains("username/password authentication is no longer supported") {
        AuthProblem::PasswordsRetired
    } else if lower.contains("two factor") || lower.contains("verified") {
        AuthProblem::AccountSetup
    } else {
        AuthProblem::Other
    }
}

fn invalid_hint(lower: &str) -> InvalidHint {
    if lower.contains("description failed to render") {
        InvalidHint::DescriptionRender
    } else if lower.contains("file too large") || lower.contains("project size too large") {
        InvalidHint::FileTooLarge
    } else if lower.contains("non-user identities cannot create new projects") {
        InvalidHint::NonUserCannotCreate
    } else if lower.contains("previously used by a file that has since been deleted") {
        InvalidHint::FilenameReused
    } else {
        InvalidHint::None
    }
}

fn looks_like_html(answer: &Answer<'_>) -> bool {
    let html_type = answer
        .content_type
        .is_some_and(|t| t.to_ascii_lowercase().starts_with("text/html"));
    let start = answer
        .body
        .trim_start()
        .get(..15)
        .unwrap_or("")
        .to_lowercase();
    html_type && (start.starts_with("<!doctype") || start.starts_with("<html"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::upload::answer::MAX_MESSAGE;

    fn answer(status: u16, body: &str) -> Answer<'_> {
        Answer {
            status,
            body,
            ..Answer::default()
        }
    }

    fn rejection(outcome: Outcome) -> Rejection {
        match outcome {
            Outcome::Rejected(r) => r,
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    #[test]
    fn a_reason_phrase_is_no_warning() {
        let ok = Answer {
            reason: Some("OK"),
            ..answer(200, "")
        };
        assert_eq!(classify(&ok), Outcome::Uploaded { warnings: None });
    }

    #[test]
    fn success_and_warnings() {
        assert_eq!(
            classify(&answer(200, "")),
            Outcome::Uploaded { warnings: None }
        );
        assert_eq!(
            classify(&answer(200, "use a newer metadata version\n")),
            Outcome::Uploaded {
                warnings: Some("use a newer metadata version".into())
            }
        );
    }

    #[test]
    fn pypi_file_exists_from_json_body() {
        // Warehouse's shape: the generic explanation in `message`, the
        // specific text after the status in `code`.
        let body = r#"{"message": "The server could not comply with the request since it is either malformed or otherwise incorrect.\n\n\nFile already exists ('x-1.tar.gz', with blake2_256 hash 'ab'). See https://pypi.org/help/#file-name-reuse for more information.\n\n", "code": "400 File already exists ('x-1.tar.gz', with blake2_256 hash 'ab'). See https://pypi.org/help/#file-name-reuse for more information.", "title": "Bad Request"}"#;
        let outcome = classify(&Answer {
            content_type: Some("application/json"),
            ..answer(400, body)
        });
        match outcome {
            Outcome::AlreadyExists { message } => {
                assert!(message.starts_with("File already exists ('x-1.tar.gz'"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn pypi_403_message_comes_from_code() {
        let body = r#"{"message": "Access was denied to this resource.\n\n\n\n\n", "code": "403 Username/Password authentication is no longer supported. Migrate to API Tokens or Trusted Publishers instead. See https://pypi.org/help/#apitoken and https://pypi.org/help/#trusted-publishers", "title": "Forbidden"}"#;
        let r = rejection(classify(&answer(403, body)));
        assert!(
            r.message
                .starts_with("Username/Password authentication is no longer supported."),
            "{}",
            r.message
        );
        assert_eq!(r.kind, RejectKind::Auth(AuthProblem::PasswordsRetired));
        let plain = r#"{"message": "  spaced\n out  "}"#;
        assert_eq!(server_message(&answer(400, plain)), "spaced out");
    }

    #[test]
    fn other_indexes_exists_markers() {
        let exists = |status, body| {
            matches!(
                classify(&answer(status, body)),
                Outcome::AlreadyExists { .. }
            )
        };
        // pypiserver and devpi
        assert!(exists(409, "Package 'x-1.tar.gz' already exists!"));
        assert!(exists(
            409,
            "x-1.tar.gz already exists in non-volatile index"
        ));
        // Nexus, GitLab, Artifactory
        assert!(exists(
            400,
            "Repository does not allow updating assets: pypi-hosted"
        ));
        assert!(exists(
            400,
            "{\"message\":\"Validation failed: File name has already been taken\"}"
        ));
        assert!(exists(
            403,
            r#"{"errors":[{"status":403,"message":"Not enough permissions to delete/overwrite artifact 'x' (user: 'u' needs DELETE permission)."}]}"#
        ));
        assert!(!exists(400, "Invalid distribution file."));
    }

    #[test]
    fn pypi_auth_problems_are_told_apart() {
        let problem = |body| match rejection(classify(&answer(403, body))).kind {
            RejectKind::Auth(p) => p,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            problem(
                "Invalid or non-existent authentication information. See https://pypi.org/help/#invalid-auth for more information."
            ),
            AuthProblem::UnknownToken
        );
        assert_eq!(
            problem("Invalid API Token: token is expired"),
            AuthProblem::ExpiredToken
        );
        assert_eq!(
            problem(
                "The given token isn't allowed to upload to project 'x'. See https://pypi.org/help/#project-name for more information."
            ),
            AuthProblem::NotAllowedForProject
        );
        assert_eq!(
            problem(
                "Username/Password authentication is no longer supported. Migrate to API Tokens or Trusted Publishers instead."
            ),
            AuthProblem::PasswordsRetired
        );
        assert_eq!(problem("Forbidden"), AuthProblem::Other);
    }

    #[test]
    fn wrong_url_redirect_and_html() {
        assert_eq!(
            rejection(classify(&answer(405, ""))).kind,
            RejectKind::NotUploadUrl
        );
        let redirect = Answer {
            location: Some("https://upload.pypi.org/legacy/"),
            reason: Some(
                "An upload was attempted to /legacy but the expected upload URL is /legacy/ (with a trailing slash)",
            ),
            ..answer(308, "")
        };
        let r = rejection(classify(&redirect));
        assert_eq!(
            r.kind,
            RejectKind::Redirect {
                location: Some("https://upload.pypi.org/legacy/".into())
            }
        );
        assert!(r.message.contains("trailing slash"));
        let page = Answer {
            content_type: Some("text/html; charset=utf-8"),
            ..answer(200, "<!DOCTYPE html><html><body>simple index</body></html>")
        };
        assert_eq!(rejection(classify(&page)).kind, RejectKind::HtmlPage);
    }

    #[test]
    fn html_error_pages_are_reduced_to_their_text() {
        let bottle = "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\"><html><head><title>Error: 409 Conflict</title></head><body><h1>Error: 409 Conflict</h1><p>Sorry, the requested URL <tt>&#039;http://127.0.0.1/&#039;</tt> caused an error:</p><pre>Package &#039;x-1.tar.gz&#039; already exists!\nYou may start server with `--overwrite` option.</pre></body></html>";
        let msg = server_message(&Answer {
            content_type: Some("text/html"),
            ..answer(409, bottle)
        });
        assert_eq!(
            msg,
            "Package 'x-1.tar.gz' already exists! You may start server with `--overwrite` option."
        );
    }

    #[test]
    fn status_table() {
        let kind = |status, body| rejection(classify(&answer(status, body))).kind;
        assert_eq!(kind(404, ""), RejectKind::NotFound);
        assert_eq!(kind(413, ""), RejectKind::TooLarge);
        assert_eq!(
            kind(429, "Too many new projects created"),
            RejectKind::RateLimited
        );
        assert_eq!(kind(502, "Bad Gateway"), RejectKind::Server);
        assert_eq!(
            kind(400, "The description failed to render for 'text/x-rst'."),
            RejectKind::Invalid(InvalidHint::DescriptionRender)
        );
        assert_eq!(
            kind(400, "File too large. Limit for project 'x' is 100 MB."),
            RejectKind::Invalid(InvalidHint::FileTooLarge)
        );
        assert_eq!(kind(418, "teapot"), RejectKind::Invalid(InvalidHint::None));
    }

    #[test]
    fn decoded_messages_cannot_carry_workflow_commands_or_escapes() {
        let body = r#"{"code": "400 bad\n::add-mask::x", "message": "m"}"#;
        let message = server_message(&answer(400, body));
        // Joined on one line, `::` no longer starts one.
        assert_eq!(message, "bad ::add-mask::x");
        let body = r#"{"message": "\u001b[2J::stop-commands::tok\u0007"}"#;
        assert_eq!(server_message(&answer(400, body)), ": :stop-commands::tok");
        let html = "<html><body><pre>&lt;b&gt;\n##[set-output name=a]b</pre></body></html>";
        assert_eq!(
            server_message(&answer(400, html)),
            "<b> ## [set-output name=a]b"
        );
        let text = "fine\n::error::injected";
        assert_eq!(
            server_message(&answer(400, text)),
            "fine\n: :error::injected"
        );
        let ok = classify(&answer(200, "warning\n::add-mask::x"));
        assert_eq!(
            ok,
            Outcome::Uploaded {
                warnings: Some("warning\n: :add-mask::x".into())
            }
        );
    }

    #[test]
    fn reason_phrase_when_the_body_is_empty_and_long_bodies_are_cut() {
        let a = Answer {
            reason: Some("Bad thing"),
            ..answer(400, "  ")
        };
        assert_eq!(server_message(&a), "Bad thing");
        let long = "x".repeat(5000);
        assert_eq!(
            server_message(&answer(400, &long)).chars().count(),
            MAX_MESSAGE + 1
        );
    }
}
