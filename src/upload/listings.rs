//! What a run knows of the files the index holds: the simple index that
//! lists them (named, known for PyPI, or found from the upload URL on first
//! need) and the project pages read before sending, shared by every file.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use url::Url;

use crate::auth::Credentials;
use crate::dist::filename::normalize_name;

use super::check_url::{Candidate, candidates};
use super::existing::{self, Listing, LookupError, Page};
use super::{CheckUrl, Reporter, UploadJob};

/// The longest a search for the simple index may take, all guesses included.
const DISCOVERY_TIME: Duration = Duration::from_secs(20);

/// Searches for the simple index in one run: one that failed may have met
/// an index busy for a moment, or a project the index did not have yet.
const SEARCHES: u32 = 3;

/// The run's view of the index's listings.
pub(super) struct Listings {
    check_url: tokio::sync::Mutex<Source>,
    /// Project pages read before the first file of each project was sent,
    /// by normalized project name.
    pages: Mutex<HashMap<String, Listing>>,
}

/// Where the simple index is, as far as the run knows.
enum Source {
    Found(Url),
    Nowhere,
    /// Not found yet, after this many searches.
    Searched(u32),
}

impl Listings {
    pub(super) fn new(source: &CheckUrl) -> Self {
        let check_url = match source {
            CheckUrl::Known(url) => Source::Found(url.clone()),
            CheckUrl::Off => Source::Nowhere,
            CheckUrl::Discover => Source::Searched(0),
        };
        Listings {
            check_url: tokio::sync::Mutex::new(check_url),
            pages: Mutex::new(HashMap::new()),
        }
    }

    /// The simple index to ask, searched for on need when nobody named one
    /// (one search at a time; a few in a run at most).
    pub(super) async fn check_url(&self, ask: &Ask<'_>) -> Option<Url> {
        let mut source = self.check_url.lock().await;
        let searches = match &*source {
            Source::Found(url) => return Some(url.clone()),
            Source::Nowhere => return None,
            Source::Searched(n) if *n >= SEARCHES => return None,
            Source::Searched(n) => *n,
        };
        match ask.discover(searches == 0).await {
            Some(url) => {
                *source = Source::Found(url.clone());
                Some(url)
            }
            None => {
                *source = Source::Searched(searches + 1);
                None
            }
        }
    }

    /// A project's page as it was before this run sent anything of it.
    pub(super) async fn before_sending(
        &self,
        ask: &Ask<'_>,
    ) -> Option<Result<Listing, LookupError>> {
        let key = normalize_name(ask.project);
        if let Some(listing) = self.pages.lock().expect("listings lock").get(&key) {
            return Some(Ok(listing.clone()));
        }
        let result = ask.fetch(&self.check_url(ask).await?).await;
        if let Ok(listing) = &result {
            self.pages
                .lock()
                .expect("listings lock")
                .insert(key, listing.clone());
        }
        Some(result)
    }

    /// A project's page as it is now.
    pub(super) async fn now(&self, ask: &Ask<'_>) -> Option<Result<Listing, LookupError>> {
        Some(ask.fetch(&self.check_url(ask).await?).await)
    }
}

/// One file's questions to the index: about its project, with the
/// attempt's credentials, which go only to the upload URL's origin.
pub(super) struct Ask<'a> {
    pub job: &'a UploadJob,
    pub project: &'a str,
    pub credentials: &'a Credentials,
    pub reporter: &'a dyn Reporter,
}

impl Ask<'_> {
    async fn fetch(&self, check_url: &Url) -> Result<Listing, LookupError> {
        let credentials = existing::same_origin(check_url, &self.job.options.target.url)
            .then_some(self.credentials);
        existing::fetch(&self.job.client, check_url, self.project, credentials).await
    }

    /// Try each simple index the upload URL suggests; the first that
    /// answers as one for this project is the run's. The first search that
    /// finds none says what it tried.
    async fn discover(&self, first: bool) -> Option<Url> {
        let upload = &self.job.options.target.url;
        let mut tried = Vec::new();
        let search = async {
            for candidate in candidates(upload) {
                match self.probe(&candidate).await {
                    Ok(()) => return Some(candidate),
                    Err(error) => tried.push((candidate, error)),
                }
            }
            None
        };
        let found = tokio::time::timeout(DISCOVERY_TIME, search)
            .await
            .ok()
            .flatten();
        match &found {
            Some(candidate) if self.job.options.verbose => self.reporter.note(&format!(
                "{upload}: the index lists its files at {} ({} layout)",
                candidate.url,
                candidate.layout.name()
            )),
            Some(_) => {}
            None if first => self.reporter.note(&not_found(upload, &tried)),
            None => {}
        }
        found.map(|candidate| candidate.url)
    }

    /// Whether a guess is this index's simple index: the project's page
    /// reads as one, or the project is unknown there and the root reads as
    /// one (or the URL is the recognised product's documented place). A
    /// page too large to read is one: what it holds is reported each time
    /// it is asked.
    async fn probe(&self, candidate: &Candidate) -> Result<(), LookupError> {
        let client = &self.job.client;
        let credentials = Some(self.credentials);
        match existing::fetch_page(client, &candidate.url, self.project, credentials).await {
            Ok(Page::Listed(_)) | Err(LookupError::TooLarge { .. }) => Ok(()),
            Ok(Page::NoProject) if candidate.layout.recognised() => Ok(()),
            Ok(Page::NoProject) => {
                existing::root_answers(client, &candidate.url, credentials).await
            }
            Err(error) => Err(error),
        }
    }
}

/// The note when no simple index was found: each URL tried and its answer.
fn not_found(upload: &Url, tried: &[(Candidate, LookupError)]) -> String {
    let tried: Vec<String> = tried
        .iter()
        .map(|(candidate, error)| match error {
            LookupError::Status { status, .. } => format!("{} ({status})", candidate.url),
            LookupError::NotSimple { .. } => format!("{} (not a simple index)", candidate.url),
            LookupError::Http { .. } => format!("{} (no answer)", candidate.url),
            other => format!("{} ({other})", candidate.url),
        })
        .collect();
    let tried = match tried.is_empty() {
        true => format!("no answer within {}s", DISCOVERY_TIME.as_secs()),
        false => format!("tried {}", tried.join(", ")),
    };
    format!(
        "note: no simple index found for {upload} ({tried}); files already there cannot be \
         compared by sha256: pass --check-url URL to name it"
    )
}
