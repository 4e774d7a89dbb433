//! Which repository: its upload URL, its kind and its `.pypirc` section.

use std::path::PathBuf;

use url::Url;

use crate::cli::RepositoryArgs;
use crate::config::env::EnvSnapshot;
use crate::config::pypirc::{Pypirc, PypircSection};
use crate::index::{IndexKind, Target};

use super::{PYPI_UPLOAD_URL, SettingsError, TESTPYPI_UPLOAD_URL, UrlProblem};

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
