//! What kind of index a URL points at: facts about URLs that the settings,
//! the upload and the mint code all need, and that depend on nothing else.

use url::Url;

/// The repository to upload to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub url: Url,
    pub kind: IndexKind,
}

/// Which index a URL is, for what only PyPI and TestPyPI do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexKind {
    Pypi,
    TestPypi,
    Other,
}

impl IndexKind {
    pub fn of(url: &Url) -> Self {
        match url.host_str() {
            Some("upload.pypi.org") => IndexKind::Pypi,
            Some("test.pypi.org") => IndexKind::TestPypi,
            _ => IndexKind::Other,
        }
    }

    /// The index's web site, where it is one we know.
    pub fn web_host(self) -> Option<&'static str> {
        match self {
            IndexKind::Pypi => Some("pypi.org"),
            IndexKind::TestPypi => Some("test.pypi.org"),
            IndexKind::Other => None,
        }
    }

    /// The web page of a release, where the index has one we know.
    pub fn release_page(self, project: &str, version: &str) -> Option<String> {
        let host = self.web_host()?;
        Some(format!("https://{host}/project/{project}/{version}/"))
    }

    /// Where a project's trusted publishers are set up, where we know.
    pub fn publishing_settings(self, project: &str) -> Option<String> {
        let host = self.web_host()?;
        Some(format!(
            "https://{host}/manage/project/{}/settings/publishing/",
            crate::dist::filename::normalize_name(project)
        ))
    }

    /// The simple index that tells which files the index holds, where it is
    /// known without configuration.
    pub fn simple_index(self) -> Option<String> {
        Some(format!("https://{}/simple/", self.web_host()?))
    }

    /// PyPI's JSON API, where the index has one (and its 14-day rule).
    pub fn json_api(self) -> Option<String> {
        Some(format!("https://{}/pypi/", self.web_host()?))
    }

    /// The OIDC audience this index mints for, where known without asking.
    pub fn audience(self) -> Option<&'static str> {
        match self {
            IndexKind::Pypi => Some("pypi"),
            IndexKind::TestPypi => Some("testpypi"),
            IndexKind::Other => None,
        }
    }

    /// Whether `auto` trusted publishing may mint for this upload URL: the
    /// index's own hosts and this machine. Any other host could be handed a
    /// CI identity it has no business with.
    pub fn mints_in_auto(url: &Url) -> bool {
        IndexKind::of(url).is_pypi_like() || is_loopback(url)
    }

    pub fn is_pypi_like(self) -> bool {
        self != IndexKind::Other
    }
}

/// Whether a URL's host is this machine (plain http is acceptable there).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}
