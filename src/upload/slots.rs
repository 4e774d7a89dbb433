//! The [`Throttle`] shared by a run's files: taken at once by the run for a
//! new file, waited for by a file about to retry.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::throttle::Throttle;

pub(super) struct Slots {
    throttle: Mutex<Throttle>,
    /// Woken when a slot may have come free: one given back, the limit
    /// raised.
    freed: Notify,
}

impl Slots {
    pub(super) fn new(jobs: usize) -> Self {
        Slots {
            throttle: Mutex::new(Throttle::new(jobs)),
            freed: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Throttle> {
        self.throttle.lock().expect("throttle lock")
    }

    /// A slot now, if one is free.
    pub(super) fn try_take(&self) -> bool {
        self.lock().take(Instant::now())
    }

    /// A slot, once one is free and any `Retry-After` has passed.
    pub(super) async fn take(&self) {
        loop {
            let freed = self.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            if self.try_take() {
                return;
            }
            match self.held_until() {
                Some(at) => {
                    tokio::select! {
                        () = freed => {}
                        () = tokio::time::sleep_until(at.into()) => {}
                    }
                }
                None => freed.await,
            }
        }
    }

    pub(super) fn give_back(&self) {
        self.lock().give_back();
        self.freed.notify_waiters();
    }

    pub(super) fn accepted(&self) {
        self.lock().accepted();
        self.freed.notify_waiters();
    }

    pub(super) fn overloaded(&self, retry_after: Option<Duration>) {
        self.lock().overloaded(retry_after, Instant::now());
    }

    /// When new attempts may start again, while a `Retry-After` holds them.
    pub(super) fn held_until(&self) -> Option<Instant> {
        self.lock().held_until(Instant::now())
    }
}
