//! How many files may be in flight: up to `--jobs`, halved (down to one)
//! each time the index says it is overloaded (429 or 503), grown back by one
//! per accepted file, and none started before a `Retry-After` has passed.
//! Additive increase, multiplicative decrease, as TCP does it. A file holds
//! a slot while it is sent; one waiting to retry gives its slot back and
//! takes one again, under the same limit, before its next attempt.

use std::time::{Duration, Instant};

use super::retry::MAX_RETRY_AFTER;

/// Answers to files sent together arrive together: overloads this close
/// to the last halving are one signal, and halve once.
const ONE_SIGNAL: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub(super) struct Throttle {
    most: usize,
    limit: usize,
    /// Slots taken.
    taken: usize,
    resume_at: Option<Instant>,
    halved_at: Option<Instant>,
}

impl Throttle {
    pub(super) fn new(jobs: usize) -> Self {
        let most = jobs.max(1);
        Throttle {
            most,
            limit: most,
            taken: 0,
            resume_at: None,
            halved_at: None,
        }
    }

    /// Take a slot for an attempt, if the limit and any hold allow one.
    pub(super) fn take(&mut self, now: Instant) -> bool {
        let free = self.taken < self.limit && self.resume_at.is_none_or(|at| now >= at);
        if free {
            self.taken += 1;
        }
        free
    }

    pub(super) fn give_back(&mut self) {
        self.taken = self.taken.saturating_sub(1);
    }

    /// When starts resume after a `Retry-After`, if they are held.
    pub(super) fn held_until(&self, now: Instant) -> Option<Instant> {
        self.resume_at.filter(|at| *at > now)
    }

    /// The index is overloaded. A `Retry-After` longer than mintup waits
    /// for a retry holds nothing: that file's retry reports it instead.
    pub(super) fn overloaded(&mut self, retry_after: Option<Duration>, now: Instant) {
        if self
            .halved_at
            .is_none_or(|at| now.saturating_duration_since(at) >= ONE_SIGNAL)
        {
            self.limit = (self.limit / 2).max(1);
            self.halved_at = Some(now);
        }
        let hold = retry_after.filter(|wait| *wait <= MAX_RETRY_AFTER);
        if let Some(at) = hold.and_then(|wait| now.checked_add(wait)) {
            self.resume_at = Some(self.resume_at.map_or(at, |held| held.max(at)));
        }
    }

    pub(super) fn accepted(&mut self) {
        self.limit = (self.limit + 1).min(self.most);
    }

    #[cfg(test)]
    fn limit(&self) -> usize {
        self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_on_overload_and_grows_by_one() {
        let now = Instant::now();
        let mut t = Throttle::new(8);
        for _ in 0..8 {
            assert!(t.take(now));
        }
        assert!(!t.take(now));
        for _ in 0..8 {
            t.give_back();
        }
        t.overloaded(None, now);
        assert_eq!(t.limit(), 4);
        // Answers arriving together are one signal.
        t.overloaded(None, now + Duration::from_millis(10));
        assert_eq!(t.limit(), 4);
        for n in 1..=5 {
            t.overloaded(None, now + ONE_SIGNAL * n);
        }
        assert_eq!(t.limit(), 1);
        assert!(t.take(now) && !t.take(now));
        t.give_back();
        for _ in 0..20 {
            t.accepted();
        }
        assert_eq!(t.limit(), 8);
    }

    #[test]
    fn retry_after_holds_every_start() {
        let now = Instant::now();
        let mut t = Throttle::new(4);
        t.overloaded(Some(Duration::from_secs(2)), now);
        t.overloaded(Some(Duration::from_secs(1)), now);
        assert!(!t.take(now + Duration::from_secs(1)));
        assert_eq!(
            t.held_until(now),
            Some(now + Duration::from_secs(2)),
            "the longer wait holds"
        );
        assert!(t.take(now + Duration::from_secs(2)));
        assert_eq!(t.held_until(now + Duration::from_secs(3)), None);
    }

    #[test]
    fn a_hold_is_bounded_whatever_the_index_asks() {
        let now = Instant::now();
        let mut t = Throttle::new(4);
        t.overloaded(Some(Duration::MAX), now);
        t.overloaded(Some(MAX_RETRY_AFTER + Duration::from_secs(1)), now);
        assert_eq!(t.held_until(now), None);
        t.overloaded(Some(MAX_RETRY_AFTER), now);
        assert_eq!(t.held_until(now), Some(now + MAX_RETRY_AFTER));
    }
}
