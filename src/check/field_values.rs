//! What one core-metadata field's value must look like: project names,
//! requirements, project URLs, e-mail addresses and license expressions, as
//! Warehouse and `packaging` parse them.

use std::str::FromStr;

use pep508_rs::{Requirement, VersionOrUrl};

use super::{Problem, Target};

/// Parse as PyPI does (packaging's canonicalization): operators and
/// identifiers in any case, deprecated identifiers and a trailing `+` allowed.
pub(super) fn parse_license_expression(
    expression: &str,
) -> Result<spdx::Expression, spdx::ParseError> {
    let spaced = expression.replace('(', " ( ").replace(')', " ) ");
    let normalized: Vec<String> = spaced
        .split_whitespace()
        .map(|token| match token.to_ascii_uppercase().as_str() {
            operator @ ("AND" | "OR" | "WITH") => operator.to_owned(),
            _ => token.to_owned(),
        })
        .collect();
    spdx::Expression::parse_mode(&normalized.join(" "), spdx::ParseMode::LAX)
}

/// Split an address list on the commas between addresses, not those inside a
/// quoted display name or angle brackets.
pub(super) fn split_addresses(list: &str) -> Vec<&str> {
    let (mut parts, mut start, mut quoted, mut angled) = (Vec::new(), 0, false, false);
    for (i, c) in list.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '<' if !quoted => angled = true,
            '>' if !quoted => angled = false,
            ',' if !quoted && !angled => {
                parts.push(list[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(list[start..].trim());
    parts.into_iter().filter(|p| !p.is_empty()).collect()
}

/// Warehouse's project-name pattern, case-insensitive.
pub(super) fn is_valid_name(name: &str) -> bool {
    let ok = |c: char| c.is_ascii_alphanumeric();
    !name.is_empty()
        && name.starts_with(ok)
        && name.ends_with(ok)
        && name.chars().all(|c| ok(c) || matches!(c, '.' | '_' | '-'))
}

/// The name in a requirement's lead (its project name, or an extra in the
/// brackets after it) that ends in `-`, `.` or `_`, as in `tx- >=1`,
/// `a_[x]` or `a[x-]`, and that separator. pep508_rs 0.9 panics on such a
/// name where another character or the end of the extras follows it (a
/// panic aborts mintup), so it is refused here first, in the parser's words
/// for a name at the end of the text.
pub(super) fn name_ending_in_separator(value: &str) -> Option<(&'static str, char)> {
    let name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
    let ends_badly = |text: &str| {
        let end = text.find(|c| !name_char(c)).unwrap_or(text.len());
        text[..end]
            .chars()
            .last()
            .filter(|c| matches!(c, '.' | '-' | '_'))
    };
    let rest = value.trim_start();
    if let Some(separator) = ends_badly(rest) {
        return Some(("Package", separator));
    }
    let after_name = rest.trim_start_matches(name_char).trim_start();
    let extras = after_name.strip_prefix('[')?;
    let extras = extras.split(']').next().unwrap_or_default();
    extras
        .split(',')
        .find_map(|extra| ends_badly(extra.trim_start()))
        .map(|separator| ("Extra", separator))
}

pub(super) fn check_requirement(
    field: &'static str,
    value: &str,
    target: Target,
) -> Option<Problem> {
    if let Some((kind, separator)) = name_ending_in_separator(value) {
        return Some(target.pypi_rule(
            "requirement",
            format!(
                "{field} '{value}' is not a PEP 508 requirement: \
                 {kind} name must end with an alphanumeric character, not '{separator}'"
            ),
            "fix the dependency's spelling in pyproject.toml",
        ));
    }
    match Requirement::<pep508_rs::VerbatimUrl>::from_str(value) {
        Err(e) => Some(target.pypi_rule(
            "requirement",
            // The parser's message carries a caret diagram on later lines.
            format!(
                "{field} '{value}' is not a PEP 508 requirement: {}",
                e.to_string().lines().next().unwrap_or_default()
            ),
            "fix the dependency's spelling in pyproject.toml",
        )),
        Ok(req) if matches!(req.version_or_url, Some(VersionOrUrl::Url(_))) => {
            Some(target.pypi_rule(
                "requirement",
                format!("{field} '{value}' is a direct URL reference, which PyPI refuses"),
                "depend on a released version from the index instead",
            ))
        }
        Ok(_) => None,
    }
}

pub(super) fn check_project_url(entry: &str, target: Target) -> Option<Problem> {
    let Some((label, url)) = entry.split_once(',') else {
        return Some(target.pypi_rule(
            "project-url",
            format!("Project-URL '{entry}' is not 'Label, URL'"),
            "give each URL a label in [project.urls]",
        ));
    };
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 32 {
        return Some(target.pypi_rule(
            "project-url",
            format!("Project-URL label '{label}' must have 1 to 32 characters"),
            "shorten the label in [project.urls]",
        ));
    }
    (!is_web_url(url.trim())).then(|| {
        target.pypi_rule(
            "project-url",
            format!(
                "Project-URL '{label}' is not an http(s) URL: '{}'",
                url.trim()
            ),
            "give a full URL starting with https://",
        )
    })
}

pub(super) fn is_web_url(text: &str) -> bool {
    url::Url::parse(text)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// `addr@host` or `Name <addr@host>`: one `@` with text either side, no spaces.
pub(super) fn is_email(text: &str) -> bool {
    let address = match (text.rfind('<'), text.strip_suffix('>')) {
        (Some(open), Some(inner)) => &inner[open + 1..],
        _ => text,
    };
    match address.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !address.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    }
}
