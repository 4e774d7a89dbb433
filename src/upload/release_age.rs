//! PyPI's 14-day rule (since 2026-07): a release older than 14 days takes no
//! new files. Warehouse checks it in `file_upload` after the identical-file
//! and "already exists" checks, so files the release already has are not
//! new. What a release's JSON API page says, and what the rule makes of it.

use std::collections::HashSet;
use std::time::Duration;

use x509_cert::der::DateTime;

/// How old a release may be and still take new files.
pub const MAX_AGE: Duration = Duration::from_secs(14 * 24 * 60 * 60);

/// Warehouse's own words for the refusal.
pub const PYPI_SAYS: &str = "Uploading new files to releases older than 14 days is not allowed.";

/// What the JSON API says of one release.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReleaseFacts {
    /// When its earliest file still listed was uploaded (Warehouse dates the
    /// release by its creation, which is at its first upload).
    pub created: Option<Duration>,
    /// The names of its files.
    pub files: HashSet<String>,
}

/// Read a release's page (`/pypi/<project>/<version>/json`): the `urls`
/// array's file names and earliest `upload_time_iso_8601`. None when the
/// text is not such a page.
pub fn parse(body: &str) -> Option<ReleaseFacts> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let mut facts = ReleaseFacts::default();
    for file in value.get("urls")?.as_array()? {
        if let Some(name) = file.get("filename").and_then(|n| n.as_str()) {
            facts.files.insert(name.to_owned());
        }
        let uploaded = file
            .get("upload_time_iso_8601")
            .and_then(|t| t.as_str())
            .and_then(parse_time);
        if let Some(uploaded) = uploaded {
            facts.created = Some(facts.created.map_or(uploaded, |c| c.min(uploaded)));
        }
    }
    Some(facts)
}

/// `2026-07-08T12:34:56.789012Z` (fraction and zone optional; Warehouse
/// writes UTC) as time since the Unix epoch.
fn parse_time(text: &str) -> Option<Duration> {
    let text = text.trim_end_matches('Z');
    let (date, time) = text.split_once('T')?;
    // Warehouse writes UTC; an offset, if any, is dropped with the fraction.
    let time = time.split(['.', '+', '-']).next()?;
    let mut date = date.splitn(3, '-').map(str::parse::<u16>);
    let mut time = time.splitn(3, ':').map(str::parse::<u8>);
    let (year, month, day) = (date.next()?.ok()?, date.next()?.ok()?, date.next()?.ok()?);
    let (hour, minute, second) = (time.next()?.ok()?, time.next()?.ok()?, time.next()?.ok()?);
    let month = u8::try_from(month).ok()?;
    let day = u8::try_from(day).ok()?;
    DateTime::new(year, month, day, hour, minute, second)
        .ok()
        .map(|t| t.unix_duration())
}

/// The day of a time since the epoch, as `YYYY-MM-DD`.
pub fn day(since_epoch: Duration) -> String {
    match DateTime::from_unix_duration(since_epoch) {
        Ok(t) => format!("{:04}-{:02}-{:02}", t.year(), t.month(), t.day()),
        Err(_) => format!("{}s after 1970", since_epoch.as_secs()),
    }
}

/// The files of `ours` PyPI would refuse: those the release does not have
/// yet, when it was created more than [`MAX_AGE`] before `now`.
pub fn refused<'a>(facts: &ReleaseFacts, ours: &[&'a str], now: Duration) -> Vec<&'a str> {
    let Some(created) = facts.created else {
        return Vec::new();
    };
    if now.saturating_sub(created) <= MAX_AGE {
        return Vec::new();
    }
    ours.iter()
        .copied()
        .filter(|name| !facts.files.contains(*name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u64 = 24 * 60 * 60;

    fn page(files: &[(&str, &str)]) -> String {
        let urls: Vec<_> = files
            .iter()
            .map(|(name, at)| serde_json::json!({"filename": name, "upload_time_iso_8601": at}))
            .collect();
        serde_json::json!({"info": {}, "urls": urls}).to_string()
    }

    #[test]
    fn the_earliest_upload_dates_the_release() {
        let facts = parse(&page(&[
            ("x-1.0.tar.gz", "2026-07-08T12:00:05.123456Z"),
            ("x-1.0-py3-none-any.whl", "2026-07-08T11:59:59Z"),
        ]))
        .unwrap();
        assert_eq!(day(facts.created.unwrap()), "2026-07-08");
        assert_eq!(
            facts.created.unwrap().as_secs() % DAY,
            11 * 3600 + 59 * 60 + 59
        );
        assert_eq!(facts.files.len(), 2);
        assert_eq!(parse("[]"), None);
        assert_eq!(parse("{\"urls\": []}"), Some(ReleaseFacts::default()));
    }

    #[test]
    fn times_that_do_not_parse_date_nothing() {
        for bad in [
            "",
            "2026-07-08",
            "2026-13-01T00:00:00Z",
            "2026-07-08T25:00:00Z",
            "x",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
        assert!(parse_time("2026-07-08T00:00:00+00:00").is_some());
        assert!(parse_time("2026-07-08T00:00:00-00:00").is_some());
    }

    #[test]
    fn only_new_files_of_an_old_release_are_refused() {
        let facts = parse(&page(&[("x-1.0.tar.gz", "2026-07-01T00:00:00Z")])).unwrap();
        let created = facts.created.unwrap();
        let ours = ["x-1.0.tar.gz", "x-1.0-py3-none-any.whl"];
        let at = |days: u64| created + Duration::from_secs(days * DAY);
        assert_eq!(
            refused(&facts, &ours, at(15)),
            vec!["x-1.0-py3-none-any.whl"]
        );
        assert!(refused(&facts, &ours, at(14)).is_empty());
        assert!(refused(&facts, &ours[..1], at(400)).is_empty());
        // A clock behind the index's is no reason to refuse.
        assert!(refused(&facts, &ours, Duration::ZERO).is_empty());
        assert!(refused(&ReleaseFacts::default(), &ours, at(400)).is_empty());
    }
}
