//! Which files the index already has, and with which sha256: read from its
//! simple index (PEP 691 JSON, or PEP 503 HTML with `#sha256=` fragments).
//! A file present with the same digest counts as uploaded; one with another
//! digest is never skipped silently.

use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE};
use url::Url;

use crate::auth::Credentials;

/// Lookups are small GETs; they must not hold up a publish for long.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(15);
const MAX_LISTING: usize = 8 * 1024 * 1024;

/// A project's files on the index: (file name, sha256 if listed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    pub files: Vec<(String, Option<String>)>,
}

/// Where one file stands on the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presence {
    Absent,
    Same,
    Different {
        theirs: String,
    },
    /// Listed, without a digest to compare.
    NoDigest,
}

impl Listing {
    pub fn presence(&self, filename: &str, sha256: &str) -> Presence {
        let found = self
            .files
            .iter()
            .find(|(name, _)| name == filename)
            .or_else(|| {
                self.files
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case(filename))
            });
        match found {
            None => Presence::Absent,
            Some((_, None)) => Presence::NoDigest,
            Some((_, Some(theirs))) if theirs.eq_ignore_ascii_case(sha256) => Presence::Same,
            Some((_, Some(theirs))) => Presence::Different {
                theirs: theirs.clone(),
            },
        }
    }
}

/// Read a project page: PEP 691 JSON when the content type says so,
/// otherwise PEP 503 HTML.
pub fn parse(content_type: Option<&str>, body: &str) -> Listing {
    let json = content_type.is_some_and(|t| t.contains("json"));
    if json {
        parse_json(body)
    } else {
        parse_html(body)
    }
}

fn parse_json(body: &str) -> Listing {
    let value: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let files = value
        .get("files")
        .and_then(|f| f.as_array())
        .map(|files| {
            files
                .iter()
                .filter_map(|file| {
                    let name = file.get("filename")?.as_str()?.to_owned();
                    let sha256 = file
                        .get("hashes")
                        .and_then(|h| h.get("sha256"))
                        .and_then(|h| h.as_str())
                        .map(str::to_owned);
                    Some((name, sha256))
                })
                .collect()
        })
        .unwrap_or_default();
    Listing { files }
}

/// Every `<a href="…">`: the file name is the link's last path segment, the
/// digest its `#sha256=` fragment.
fn parse_html(body: &str) -> Listing {
    let mut files = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find("href=") {
        rest = &rest[at + 5..];
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let Some(end) = rest[1..].find(quote) else {
            break;
        };
        let href = rest[1..=end].replace("&amp;", "&");
        rest = &rest[end + 1..];
        let (location, fragment) = href.split_once('#').unwrap_or((&href, ""));
        let path = location.split('?').next().unwrap_or_default();
        let Some(last) = path.rsplit('/').next().filter(|s| !s.is_empty()) else {
            continue;
        };
        let name = percent_encoding::percent_decode_str(last)
            .decode_utf8_lossy()
            .into_owned();
        let sha256 = fragment
            .split('&')
            .find_map(|part| part.strip_prefix("sha256="))
            .map(str::to_owned);
        files.push((name, sha256));
    }
    Listing { files }
}

#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    #[error("{0} cannot be joined with the project name")]
    Url(String),
    #[error("{url} could not be read")]
    Http {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{url} answered {status}")]
    Status { url: String, status: u16 },
}

/// Fetch a project's listing. Credentials go along only to the upload URL's
/// own origin (a private index's simple pages usually need them; another
/// host never gets them). A project the index does not know has no files.
pub async fn fetch(
    client: &reqwest::Client,
    check_url: &Url,
    project: &str,
    credentials: Option<&Credentials>,
) -> Result<Listing, LookupError> {
    let url = check_url
        .join(&format!(
            "{}/",
            crate::dist::filename::normalize_name(project)
        ))
        .map_err(|_| LookupError::Url(check_url.to_string()))?;
    let mut request = client.get(url.clone()).timeout(LOOKUP_TIMEOUT).header(
        ACCEPT,
        "application/vnd.pypi.simple.v1+json, text/html;q=0.1",
    );
    if let Some(credentials) = credentials {
        request = request.basic_auth(&credentials.username, Some(credentials.password.expose()));
    }
    let http = |source| LookupError::Http {
        url: url.to_string(),
        source,
    };
    let mut response = request.send().await.map_err(http)?;
    let status = response.status().as_u16();
    if status == 404 {
        return Ok(Listing::default());
    }
    if !response.status().is_success() {
        return Err(LookupError::Status {
            url: url.to_string(),
            status,
        });
    }
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(http)? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_LISTING {
            break;
        }
    }
    Ok(parse(
        content_type.as_deref(),
        &String::from_utf8_lossy(&body),
    ))
}

/// The same scheme, host and port: where credentials may go.
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "aa11";

    #[test]
    fn pep_691_json() {
        let listing = parse(
            Some("application/vnd.pypi.simple.v1+json"),
            r#"{"meta":{"api-version":"1.1"},"name":"x","files":[
                {"filename":"x-1.0.tar.gz","hashes":{"sha256":"aa11"},"url":"u"},
                {"filename":"x-1.0-py3-none-any.whl","hashes":{},"url":"v"}]}"#,
        );
        assert_eq!(listing.presence("x-1.0.tar.gz", SHA), Presence::Same);
        assert_eq!(
            listing.presence("x-1.0.tar.gz", "bb22"),
            Presence::Different { theirs: SHA.into() }
        );
        assert_eq!(
            listing.presence("x-1.0-py3-none-any.whl", SHA),
            Presence::NoDigest
        );
        assert_eq!(listing.presence("x-2.0.tar.gz", SHA), Presence::Absent);
    }

    #[test]
    fn pep_503_html_as_pypiserver_and_devpi_write_it() {
        let listing = parse(
            Some("text/html"),
            "<html><body>\n<a href=\"../../packages/x-1.0.tar.gz#sha256=aa11\">x-1.0.tar.gz</a><br>\n\
             <a href='/root/dev/+f/abc/x%2B1-1.0-py3-none-any.whl#md5=00&amp;sha256=CC33'>x</a>\n</body></html>",
        );
        assert_eq!(listing.presence("x-1.0.tar.gz", SHA), Presence::Same);
        assert_eq!(
            listing.presence("x+1-1.0-py3-none-any.whl", "cc33"),
            Presence::Same
        );
    }

    #[test]
    fn origins() {
        let u = |s| Url::parse(s).unwrap();
        assert!(same_origin(
            &u("https://h/legacy/"),
            &u("https://h:443/simple/")
        ));
        assert!(!same_origin(&u("https://h/"), &u("https://g/")));
        assert!(!same_origin(&u("http://h/"), &u("https://h/")));
    }
}
