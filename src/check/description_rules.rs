//! The long description must render as PyPI renders it for its content
//! type (`../shared/reference/legacy-upload.md` §5, step 6): reStructuredText
//! (also the default when no type is given, and what an unknown type is
//! read as) as docutils judges it; Markdown and plain text always render.

use super::{Problem, Target};
use crate::dist::Metadata;
use crate::rst;

pub(super) fn check(meta: &Metadata, target: Target) -> Option<Problem> {
    let text = meta
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())?;
    let declared = meta.description_content_type.as_deref();
    let essence = declared
        .map(|kind| {
            kind.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_else(|| "text/x-rst".to_owned());
    // Any other declared type is already a failure of its own; twine
    // renders it as reStructuredText, and so does this rule.
    if matches!(essence.as_str(), "text/plain" | "text/markdown") {
        return None;
    }
    let first = match rst::check(text) {
        Ok(diagnostics) => diagnostics.into_iter().next()?,
        Err(too_long) => {
            return Some(Problem::warning(
                "description",
                format!("the description was not judged as reStructuredText: {too_long}"),
                "shorten the long description (a changelog can be a link); PyPI's renderer may \
                 time out on it",
            ));
        }
    };
    let what = if declared.is_some() {
        "the reStructuredText description does not render on PyPI"
    } else {
        "the description does not render as reStructuredText, which PyPI assumes when no content type is given"
    };
    let fix = if declared.is_some() {
        "fix that line of the README; docutils stops at its first warning, so check again after each fix"
    } else {
        "if the README is Markdown, declare it (`readme = \"README.md\"` in pyproject.toml sets text/markdown); otherwise fix that line"
    };
    Some(target.pypi_rule(
        "description",
        format!(
            "{what}: line {}: {} ({})",
            first.line,
            first.message.replace('\n', " "),
            first.level.name()
        ),
        fix,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Severity;
    use crate::index::IndexKind;

    fn meta(description: &str, kind: Option<&str>) -> Metadata {
        Metadata {
            description: Some(description.to_owned()),
            description_content_type: kind.map(str::to_owned),
            ..Metadata::default()
        }
    }

    #[test]
    fn broken_rest_fails_for_pypi_and_warns_elsewhere() {
        let broken = meta("Title\n====\n\nText with :func:`x`.\n", Some("text/x-rst"));
        let problem = check(&broken, Target(IndexKind::Pypi)).expect("a problem");
        assert_eq!(problem.severity, Severity::Error);
        assert_eq!(
            problem.message,
            "the reStructuredText description does not render on PyPI: line 2: Title underline too short. (WARNING)"
        );
        let other = check(&broken, Target(IndexKind::Other)).expect("a problem");
        assert_eq!(other.severity, Severity::Warning);
    }

    #[test]
    fn no_content_type_means_rest() {
        let markdown = meta("# Title\n\nSee [docs](https://x) and *args.\n", None);
        let problem = check(&markdown, Target(IndexKind::Pypi)).expect("a problem");
        assert!(
            problem.message.contains("which PyPI assumes"),
            "{}",
            problem.message
        );
        assert!(problem.fix.contains("text/markdown"), "{}", problem.fix);
    }

    #[test]
    fn markdown_plain_and_good_rest_pass() {
        let target = Target(IndexKind::Pypi);
        assert!(check(&meta("# *args", Some("text/markdown")), target).is_none());
        assert!(check(&meta("*args", Some("text/plain")), target).is_none());
        assert!(check(&meta("Title\n=====\n\nFine.\n", None), target).is_none());
        assert!(check(&meta("  ", None), target).is_none());
    }
}
