//! What a run knows of the files the index holds: the simple index that
//! lists them (named, known for PyPI, or found from the upload URL on first
//! need) and the project pages read before sending, shared by every file.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::OnceCell;
use url::Url;

use crate::auth::Credentials;

use super::check_url::{Candidate, candidates};
use super::existing::{self, Listing, LookupError, Page};
use super::{CheckUrl, Reporter, UploadJob};

/// The longest a search for the simple index may take, all guesses included.
const DISCOVERY_TIME: Duration = Duration::from_secs(20);

/// The run's view of the index's listings.
pub(super) struct Listings {
    check_url: OnceCell<Option<Url>>,
    /// Project pages read before the first file of each project was sent.
    pages: Mutex<HashMap<String, Listing>>,
}

impl Listings {
    pub(super) fn new(source: &CheckUrl) -> Self {
        let check_url = match source {
            CheckUrl::Known(url) => OnceCell::new_with(Some(Some(url.clone()))),
            CheckUrl::Off => OnceCell::new_with(Some(None)),
            CheckUrl::Discover => OnceCell::new(),
        };
        Listings {
            check_url,
            pages: Mutex::new(HashMap::new()),
        }
    }

    /// The simple index to ask, found on first need when nobody named one.
    pub(super) async fn check_url(&self, ask: &Ask<'_>) -> Option<&Url> {
        self.check_url.get_or_init(|| ask.discover()).await.as_ref()
    }

    /// A project's page as it was before this run sent anything of it.
    pub(super) async fn before_sending(
        &self,
        ask: &Ask<'_>,
    ) -> Option<Result<Listing, LookupError>> {
        if let Some(listing) = self.cached(ask.project) {
            return Some(Ok(listing));
        }
        let result = ask.fetch(self.check_url(ask).await?).await;
        if let Ok(listing) = &result {
            self.pages
                .lock()
                .expect("listings lock")
                .insert(ask.project.to_owned(), listing.clone());
        }
        Some(result)
    }

    fn cached(&self, project: &str) -> Option<Listing> {
        self.pages
            .lock()
            .expect("listings lock")
            .get(project)
            .cloned()
    }

    /// A project's page as it is now.
    pub(super) async fn now(&self, ask: &Ask<'_>) -> Option<Result<Listing, LookupError>> {
        Some(ask.fetch(self.check_url(ask).await?).await)
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
    /// answers as one for this project is the run's. Says what was tried
    /// when none does.
    async fn discover(&self) -> Option<Url> {
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
            None => self.reporter.note(&not_found(upload, &tried)),
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
