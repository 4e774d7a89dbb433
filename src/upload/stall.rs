//! The stall watchdog: an upload fails when nothing moves (no byte sent or
//! received) for the time limit, so a slow but moving upload of any size
//! never times out, and a dead connection never hangs a CI job.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

/// When bytes last moved, shared between the body stream, the response
/// reader and the watchdog.
#[derive(Debug, Clone)]
pub struct Progress {
    start: Instant,
    /// Milliseconds from `start` to the last movement.
    last: Arc<AtomicU64>,
}

impl Progress {
    pub fn new() -> Self {
        Progress {
            start: Instant::now(),
            last: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Bytes moved just now.
    pub fn touch(&self) {
        let now = self.start.elapsed().as_millis() as u64;
        self.last.fetch_max(now, Ordering::Relaxed);
    }

    fn idle(&self) -> Duration {
        let last = Duration::from_millis(self.last.load(Ordering::Relaxed));
        self.start.elapsed().saturating_sub(last)
    }
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}

/// Resolves once nothing has moved for `limit`.
pub async fn stalled(progress: &Progress, limit: Duration) {
    loop {
        let idle = progress.idle();
        if idle >= limit {
            return;
        }
        tokio::time::sleep(limit - idle).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn movement_postpones_the_stall() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        runtime.block_on(async {
            let progress = Progress::new();
            let toucher = progress.clone();
            let started = tokio::time::Instant::now();
            let watchdog = stalled(&progress, Duration::from_secs(5));
            let mover = async {
                for _ in 0..3 {
                    tokio::time::sleep(Duration::from_secs(3)).await;
                    toucher.touch();
                }
                std::future::pending::<()>().await;
            };
            tokio::select! {
                _ = watchdog => {}
                _ = mover => unreachable!(),
            }
            // Touched at 3, 6 and 9 s: the stall is declared at 14 s, not 5.
            assert!(
                started.elapsed() >= Duration::from_secs(14),
                "{:?}",
                started.elapsed()
            );
        });
    }
}
