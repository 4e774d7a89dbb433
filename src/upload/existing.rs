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

/// Read a project page: PEP 691 JSON when the content type says so, PEP 503
/// HTML when it says HTML. Anything else is not a simple page.
pub fn parse(content_type: Option<&str>, body: &str) -> Option<Listing> {
    match page_kind(content_type)? {
        PageKind::Json => parse_json(body),
        PageKind::Html => Some(parse_html(body)).filter(|listing| is_project_page(body, listing)),
    }
}

enum PageKind {
    Json,
    Html,
}

fn page_kind(content_type: Option<&str>) -> Option<PageKind> {
    let content_type = content_type?.to_ascii_lowercase();
    if content_type.contains("json") {
        Some(PageKind::Json)
    } else if content_type.contains("html") {
        Some(PageKind::Html)
    } else {
        None
    }
}

/// A PEP 691 project page has a `files` array; anything else is not one.
fn parse_json(body: &str) -> Option<Listing> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let files = value
        .get("files")?
        .as_array()?
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
        .collect();
    Some(Listing { files })
}

/// Whether an HTML page is a PEP 503 project page, not any web page served
/// for every path: it says its repository version (PEP 629), is titled as
/// the PEP's pages are ("Links for …"), or links to a distribution.
fn is_project_page(body: &str, listing: &Listing) -> bool {
    let lower = body.to_ascii_lowercase();
    lower.contains("pypi:repository-version")
        || lower.contains("links for")
        || listing.files.iter().any(|(name, _)| {
            let name = name.to_ascii_lowercase();
            DIST_SUFFIXES.iter().any(|suffix| name.ends_with(suffix))
        })
}

/// Whether the start of an HTML root page is a simple index's.
fn is_root_page(start: &str) -> bool {
    let lower = start.to_ascii_lowercase();
    lower.contains("pypi:repository-version") || lower.contains("simple")
}

/// What distributions on an index are named with.
const DIST_SUFFIXES: &[&str] = &[".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz", ".egg"];

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
    #[error("{url} is larger than the {} MiB a listing may take; its files were not compared", MAX_LISTING >> 20)]
    TooLarge { url: String },
    #[error("{url} is not a simple index page (content type {})", .content_type.as_deref().unwrap_or("none"))]
    NotSimple {
        url: String,
        content_type: Option<String>,
    },
}

/// A project's page, or word that the index does not know the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    Listed(Listing),
    NoProject,
}

/// Fetch a project's listing. A project the index does not know has no files.
pub async fn fetch(
    client: &reqwest::Client,
    check_url: &Url,
    project: &str,
    credentials: Option<&Credentials>,
) -> Result<Listing, LookupError> {
    match fetch_page(client, check_url, project, credentials).await? {
        Page::Listed(listing) => Ok(listing),
        Page::NoProject => Ok(Listing::default()),
    }
}

/// Fetch a project's page from a simple index. Credentials go along only to
/// the upload URL's own origin (a private index's simple pages usually need
/// them; another host never gets them): the caller decides.
pub async fn fetch_page(
    client: &reqwest::Client,
    check_url: &Url,
    project: &str,
    credentials: Option<&Credentials>,
) -> Result<Page, LookupError> {
    let url = check_url
        .join(&format!(
            "{}/",
            crate::dist::filename::normalize_name(project)
        ))
        .map_err(|_| LookupError::Url(check_url.to_string()))?;
    let (status, content_type, body) = get(client, &url, credentials, Read::Whole).await?;
    // A redirect is not followed: pypiserver sends projects it lacks to
    // pypi.org, which is not this index.
    if status == 404 || (300..400).contains(&status) {
        return Ok(Page::NoProject);
    }
    let body = body.ok_or_else(|| LookupError::TooLarge {
        url: url.to_string(),
    })?;
    parse(content_type.as_deref(), &String::from_utf8_lossy(&body))
        .map(Page::Listed)
        .ok_or(LookupError::NotSimple {
            url: url.to_string(),
            content_type,
        })
}

/// Whether a simple index's root answers as one: a success with PEP 691's
/// content type, or HTML that starts as a simple index does. Only its
/// start is read: the project list may be huge.
pub async fn root_answers(
    client: &reqwest::Client,
    check_url: &Url,
    credentials: Option<&Credentials>,
) -> Result<(), LookupError> {
    let (status, content_type, start) = get(client, check_url, credentials, Read::Start).await?;
    if status != 200 {
        return Err(LookupError::Status {
            url: check_url.to_string(),
            status,
        });
    }
    let start = String::from_utf8_lossy(start.as_deref().unwrap_or_default());
    let simple = match page_kind(content_type.as_deref()) {
        Some(PageKind::Json) => content_type
            .as_deref()
            .is_some_and(|t| t.contains("vnd.pypi.simple")),
        Some(PageKind::Html) => is_root_page(&start),
        None => false,
    };
    match simple {
        true => Ok(()),
        false => Err(LookupError::NotSimple {
            url: check_url.to_string(),
            content_type,
        }),
    }
}

/// How much of an answer to read.
enum Read {
    /// All of it, unless it is longer than [`MAX_LISTING`].
    Whole,
    /// Its first [`ROOT_START`] bytes.
    Start,
}

/// What is read of a root page: enough for its title.
const ROOT_START: usize = 64 * 1024;

/// A GET of a simple page: its status (404, a redirect or a success; any
/// other is an error), content type, and body as `read` says (None when
/// the whole of it is too long).
async fn get(
    client: &reqwest::Client,
    url: &Url,
    credentials: Option<&Credentials>,
    read: Read,
) -> Result<(u16, Option<String>, Option<Vec<u8>>), LookupError> {
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
    let response = request.send().await.map_err(http)?;
    let status = response.status().as_u16();
    let answered =
        status == 404 || response.status().is_success() || response.status().is_redirection();
    if !answered {
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
    if !response.status().is_success() {
        return Ok((status, content_type, None));
    }
    let body = match read {
        Read::Whole => crate::http::body_within(response, MAX_LISTING).await,
        Read::Start => crate::http::body_start(response, ROOT_START)
            .await
            .map(Some),
    }
    .map_err(http)?;
    Ok((status, content_type, body))
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
        )
        .unwrap();
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
        )
        .unwrap();
        assert_eq!(listing.presence("x-1.0.tar.gz", SHA), Presence::Same);
        assert_eq!(
            listing.presence("x+1-1.0-py3-none-any.whl", "cc33"),
            Presence::Same
        );
    }

    #[test]
    fn pages_that_are_not_simple_pages_are_not_listings() {
        assert_eq!(parse(None, "<a href='x-1.0.tar.gz#sha256=aa'>"), None);
        assert_eq!(parse(Some("text/plain"), "OK"), None);
        assert_eq!(parse(Some("application/json"), "[1]"), None);
        assert_eq!(parse(Some("application/json"), "{\"projects\": []}"), None);
        assert_eq!(
            parse(
                Some("text/html; charset=utf-8"),
                "<html><title>Links for x</title></html>"
            ),
            Some(Listing::default())
        );
        // A web page served for every path is no project page.
        assert_eq!(
            parse(Some("text/html"), "<html><a href='/about'>About</a></html>"),
            None
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
