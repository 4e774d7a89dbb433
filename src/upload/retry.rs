//! Whether a failed attempt is worth repeating, and how long to wait first:
//! exponential backoff with jitter, a server's `Retry-After` honoured up to a
//! cap. Pure; the loop that sleeps and re-sends is in [`super`].

use std::time::Duration;

use super::client::SendError;

/// The first wait; each further one doubles, up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_secs(1);
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// The longest `Retry-After` mintup waits out; a server asking for more is
/// reported instead, so a CI job does not sleep for an hour.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

/// A failure that may pass if the request is sent again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transient {
    /// Nothing reached the index (the connection was refused): sending
    /// again cannot make a duplicate.
    NotSent(String),
    /// The body went out but no clear answer came back (a timeout, a reset
    /// connection, a 5xx): the file may have been stored.
    Ambiguous(String),
    /// 429: the index refused before storing anything.
    RateLimited {
        reason: String,
        retry_after: Option<Duration>,
    },
}

impl Transient {
    /// The file may already be on the index.
    pub fn ambiguous(&self) -> bool {
        matches!(self, Transient::Ambiguous(_))
    }

    pub fn reason(&self) -> &str {
        match self {
            Transient::NotSent(r) | Transient::Ambiguous(r) => r,
            Transient::RateLimited { reason, .. } => reason,
        }
    }
}

/// An answer's status that is worth another attempt.
pub fn transient_status(status: u16, reason: &str, retry_after: Option<&str>) -> Option<Transient> {
    let reason = format!("{status} {reason}").trim().to_owned();
    match status {
        429 => Some(Transient::RateLimited {
            reason,
            retry_after: retry_after.and_then(parse_retry_after),
        }),
        500 | 502 | 503 | 504 => Some(Transient::Ambiguous(reason)),
        _ => None,
    }
}

/// A send error that is worth another attempt. TLS failures are not: a
/// certificate that is refused once is refused again.
pub fn transient_error(error: &SendError) -> Option<Transient> {
    match error {
        SendError::Stalled(after) => Some(Transient::Ambiguous(format!(
            "nothing moved for {} s",
            after.as_secs()
        ))),
        SendError::Http(e) => {
            if is_tls(e) {
                None
            } else if e.is_connect() {
                Some(Transient::NotSent(format!(
                    "cannot connect: {}",
                    innermost(e)
                )))
            } else if e.is_timeout() || e.is_request() || e.is_body() {
                Some(Transient::Ambiguous(format!(
                    "the connection failed: {}",
                    innermost(e)
                )))
            } else {
                None
            }
        }
        SendError::Open(_) | SendError::Changed(_) => None,
    }
}

/// A TLS failure somewhere in the chain. An `io::Error` hides the error it
/// wraps from `source()` (and hyper wraps one in another), so those are
/// opened too.
fn is_tls(error: &reqwest::Error) -> bool {
    let mut pending: Vec<&(dyn std::error::Error + 'static)> = vec![error];
    while let Some(e) = pending.pop() {
        if e.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        if let Some(inner) = e
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            pending.push(inner);
        }
        pending.extend(e.source());
    }
    false
}

fn innermost(error: &reqwest::Error) -> String {
    let mut last: &(dyn std::error::Error + 'static) = error;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}

/// `Retry-After` in seconds (the HTTP-date form is not used by indexes).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// How long to wait after failed attempt number `attempt` (1-based), given
/// `jitter` in `0.0..1.0`; `None` when the server asks for longer than
/// [`MAX_RETRY_AFTER`].
pub fn wait(attempt: u32, transient: &Transient, jitter: f64) -> Option<Duration> {
    if let Transient::RateLimited {
        retry_after: Some(asked),
        ..
    } = transient
    {
        return (*asked <= MAX_RETRY_AFTER).then_some(*asked);
    }
    let doubled = FIRST_BACKOFF.saturating_mul(1 << attempt.saturating_sub(1).min(10));
    let backoff = doubled.min(MAX_BACKOFF);
    // Full backoff halved at most: clients retrying together spread out.
    Some(backoff.mul_f64(0.5 + jitter.clamp(0.0, 1.0) / 2.0))
}

/// A number in `0.0..1.0` that differs from run to run, for jitter.
pub fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0);
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_worth_retrying() {
        assert!(transient_status(503, "Service Unavailable", None).is_some_and(|t| t.ambiguous()));
        assert_eq!(
            transient_status(429, "Too Many Requests", Some("7")),
            Some(Transient::RateLimited {
                reason: "429 Too Many Requests".into(),
                retry_after: Some(Duration::from_secs(7)),
            })
        );
        for status in [200, 400, 401, 403, 404, 409, 501] {
            assert_eq!(transient_status(status, "", None), None, "{status}");
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let t = Transient::Ambiguous("503".into());
        assert_eq!(wait(1, &t, 1.0), Some(Duration::from_secs(1)));
        assert_eq!(wait(1, &t, 0.0), Some(Duration::from_millis(500)));
        assert_eq!(wait(3, &t, 1.0), Some(Duration::from_secs(4)));
        assert_eq!(wait(9, &t, 1.0), Some(MAX_BACKOFF));
    }

    #[test]
    fn retry_after_is_honoured_up_to_a_cap() {
        let asked = |s| Transient::RateLimited {
            reason: "429".into(),
            retry_after: Some(Duration::from_secs(s)),
        };
        assert_eq!(wait(1, &asked(7), 0.3), Some(Duration::from_secs(7)));
        assert_eq!(wait(1, &asked(3600), 0.3), None);
        assert_eq!(parse_retry_after("Wed, 21 Oct 2026 07:28:00 GMT"), None);
    }

    #[test]
    fn jitter_stays_in_range() {
        for _ in 0..100 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j), "{j}");
        }
    }
}
