//! Where an index lists its files, guessed from its upload URL: each index
//! family people upload to puts its simple index (PEP 503/691) at a fixed
//! place next to its upload URL. The README's index table gives the source
//! of each layout. The guesses are probed before use (see `discover`).

use url::Url;

/// An index family whose upload URL says where its simple index is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `/<user>/<index>/` → `/<user>/<index>/+simple/`
    Devpi,
    /// `/repository/<repo>/` → `/repository/<repo>/simple/`
    Nexus,
    /// `…/api/pypi/<repo>` → `…/api/pypi/<repo>/simple/`
    Artifactory,
    /// `/api/v4/projects/<id>/packages/pypi` → `…/pypi/simple/`
    GitLab,
    /// `…codeartifact…amazonaws.com/pypi/<repo>/` → `…/pypi/<repo>/simple/`
    CodeArtifact,
    /// `…/_packaging/<feed>/pypi/upload/` → `…/_packaging/<feed>/pypi/simple/`
    AzureArtifacts,
    /// `<location>-python.pkg.dev/<project>/<repo>/` → `…/<repo>/simple/`
    GoogleArtifactRegistry,
    /// `/api/packages/<owner>/pypi` → `/api/packages/<owner>/pypi/simple/`
    Gitea,
    /// An upload URL at the root (pypiserver) → `/simple/`
    Root,
    /// `…/legacy/` (Warehouse, pypiserver) → `…/simple/`
    LegacySibling,
    /// Any other path: `…/simple/` under it
    SimpleChild,
}

impl Layout {
    /// The family's name, as notes show it.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Devpi => "devpi",
            Layout::Nexus => "Nexus",
            Layout::Artifactory => "Artifactory",
            Layout::GitLab => "GitLab",
            Layout::CodeArtifact => "CodeArtifact",
            Layout::AzureArtifacts => "Azure Artifacts",
            Layout::GoogleArtifactRegistry => "Artifact Registry",
            Layout::Gitea => "Gitea/Forgejo",
            Layout::Root => "pypiserver",
            Layout::LegacySibling => "legacy sibling",
            Layout::SimpleChild => "simple/ below",
        }
    }
}

impl Layout {
    /// Whether the layout was recognised from the product's own URL shape:
    /// there, a project page the index does not have (404) is still its
    /// simple index (Gitea, for one, lists no projects at the root).
    pub fn recognised(self) -> bool {
        !matches!(
            self,
            Layout::Devpi | Layout::Root | Layout::LegacySibling | Layout::SimpleChild
        )
    }
}

/// A simple index URL to try, with the family it was guessed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub layout: Layout,
    /// Ends with `/`, so a project's name joins under it.
    pub url: Url,
}

/// The most candidates probed for one upload URL: each costs a request or two.
const MAX_CANDIDATES: usize = 3;

/// The simple index URLs an upload URL suggests, the most specific first:
/// a recognised family's own place, then the generic guesses. All share
/// the upload URL's origin, so the upload's credentials may go along.
pub fn candidates(upload: &Url) -> Vec<Candidate> {
    let segments: Vec<&str> = upload
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let host = upload.host_str().unwrap_or_default().to_ascii_lowercase();
    let mut found = Vec::new();
    if let Some((layout, path)) = family(&host, &segments) {
        found.push((layout, path));
    }
    match segments.split_last() {
        None => found.push((Layout::Root, vec!["simple"])),
        Some((last, parent)) => {
            if matches!(*last, "legacy" | "upload") {
                found.push((Layout::LegacySibling, with(parent, &["simple"])));
            }
            found.push((Layout::SimpleChild, with(&segments, &["simple"])));
        }
    }
    let mut out: Vec<Candidate> = Vec::new();
    for (layout, path) in found {
        let Some(url) = at_path(upload, &path) else {
            continue;
        };
        if out.len() < MAX_CANDIDATES && !out.iter().any(|c| c.url == url) {
            out.push(Candidate { layout, url });
        }
    }
    out
}

/// A recognised family and its simple index path, from the host and the
/// upload path's segments.
fn family<'a>(host: &str, segments: &[&'a str]) -> Option<(Layout, Vec<&'a str>)> {
    let child = |layout| Some((layout, with(segments, &["simple"])));
    let ends_with = |tail: &[&str]| {
        segments.len() >= tail.len()
            && segments[segments.len() - tail.len()..]
                .iter()
                .zip(tail)
                .all(|(s, t)| t.is_empty() || s == t)
    };
    if host.ends_with("-python.pkg.dev") && segments.len() == 2 {
        return child(Layout::GoogleArtifactRegistry);
    }
    if host.contains(".codeartifact.") && segments.len() == 2 && segments[0] == "pypi" {
        return child(Layout::CodeArtifact);
    }
    // An empty string in a tail matches any one segment.
    if ends_with(&["_packaging", "", "pypi", "upload"]) {
        let parent = &segments[..segments.len() - 1];
        return Some((Layout::AzureArtifacts, with(parent, &["simple"])));
    }
    if ends_with(&["api", "v4", "projects", "", "packages", "pypi"]) {
        return child(Layout::GitLab);
    }
    if ends_with(&["api", "packages", "", "pypi"]) {
        return child(Layout::Gitea);
    }
    if ends_with(&["api", "pypi", ""]) {
        return child(Layout::Artifactory);
    }
    if segments.len() == 2 && segments[0] == "repository" {
        return child(Layout::Nexus);
    }
    if segments.len() == 2
        && !segments.iter().any(|s| s.starts_with('+'))
        && !matches!(segments[1], "legacy" | "upload")
    {
        return Some((Layout::Devpi, with(segments, &["+simple"])));
    }
    None
}

fn with<'a>(base: &[&'a str], tail: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(tail).copied().collect()
}

/// The upload URL's origin with this path and a trailing slash.
fn at_path(upload: &Url, segments: &[&str]) -> Option<Url> {
    let mut url = upload.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.path_segments_mut()
        .ok()?
        .clear()
        .extend(segments)
        .push("");
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guesses(upload: &str) -> Vec<(Layout, String)> {
        candidates(&Url::parse(upload).unwrap())
            .into_iter()
            .map(|c| (c.layout, c.url.to_string()))
            .collect()
    }

    fn first(upload: &str) -> (Layout, String) {
        guesses(upload).remove(0)
    }

    #[test]
    fn each_family_s_place_comes_first() {
        for (upload, layout, simple) in [
            (
                "http://127.0.0.1:8080/",
                Layout::Root,
                "http://127.0.0.1:8080/simple/",
            ),
            (
                "https://pypi.example/legacy/",
                Layout::LegacySibling,
                "https://pypi.example/simple/",
            ),
            (
                "https://devpi.example/alice/dev/",
                Layout::Devpi,
                "https://devpi.example/alice/dev/+simple/",
            ),
            (
                "https://nexus.example/repository/pypi-internal/",
                Layout::Nexus,
                "https://nexus.example/repository/pypi-internal/simple/",
            ),
            (
                "https://acme.jfrog.io/artifactory/api/pypi/pypi-local",
                Layout::Artifactory,
                "https://acme.jfrog.io/artifactory/api/pypi/pypi-local/simple/",
            ),
            (
                "https://gitlab.example/api/v4/projects/42/packages/pypi",
                Layout::GitLab,
                "https://gitlab.example/api/v4/projects/42/packages/pypi/simple/",
            ),
            (
                "https://acme-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/my-repo/",
                Layout::CodeArtifact,
                "https://acme-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/my-repo/simple/",
            ),
            (
                "https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/upload/",
                Layout::AzureArtifacts,
                "https://pkgs.dev.azure.com/org/proj/_packaging/feed/pypi/simple/",
            ),
            (
                "https://europe-west1-python.pkg.dev/my-project/my-repo/",
                Layout::GoogleArtifactRegistry,
                "https://europe-west1-python.pkg.dev/my-project/my-repo/simple/",
            ),
            (
                "https://codeberg.org/api/packages/alice/pypi",
                Layout::Gitea,
                "https://codeberg.org/api/packages/alice/pypi/simple/",
            ),
        ] {
            assert_eq!(first(upload), (layout, simple.to_owned()), "{upload}");
        }
    }

    #[test]
    fn generic_guesses_follow_without_repeats() {
        assert_eq!(
            guesses("https://h/alice/dev/"),
            vec![
                (Layout::Devpi, "https://h/alice/dev/+simple/".into()),
                (Layout::SimpleChild, "https://h/alice/dev/simple/".into()),
            ]
        );
        assert_eq!(
            guesses("https://h/x/legacy?q=1#f"),
            vec![
                (Layout::LegacySibling, "https://h/x/simple/".into()),
                (Layout::SimpleChild, "https://h/x/legacy/simple/".into()),
            ]
        );
        assert_eq!(
            guesses("https://h/a/b/c/"),
            vec![(Layout::SimpleChild, "https://h/a/b/c/simple/".into())]
        );
        // Azure's sibling is its own place: listed once.
        assert_eq!(
            guesses("https://pkgs.dev.azure.com/o/_packaging/f/pypi/upload").len(),
            2
        );
    }

    #[test]
    fn every_guess_keeps_the_origin() {
        for upload in [
            "https://h:8443/",
            "http://127.0.0.1:1/legacy/",
            "https://h/repository/r/",
        ] {
            let upload = Url::parse(upload).unwrap();
            for c in candidates(&upload) {
                assert!(super::super::existing::same_origin(&upload, &c.url));
                assert!(c.url.path().ends_with('/'));
            }
        }
    }
}
