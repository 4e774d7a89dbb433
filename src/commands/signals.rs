//! Ctrl-C and SIGTERM during `upload`, caught from before the token is
//! minted to the end of the run: whatever phase they interrupt (minting,
//! attesting, checking, sending), the run ends cleanly and burns what it
//! minted. Without a listener the signal's default action would end the
//! process on the spot.

use futures_util::FutureExt as _;

use super::error::Exit;

pub(super) struct Signals {
    caught: Option<Exit>,
    #[cfg(unix)]
    streams: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Signals {
    /// Start listening (the handlers replace the default action at once).
    pub(super) fn listen(runtime: &tokio::runtime::Runtime) -> Self {
        let _inside = runtime.enter();
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let streams = signal(SignalKind::interrupt())
                .and_then(|i| Ok((i, signal(SignalKind::terminate())?)))
                .ok();
            Signals {
                caught: None,
                streams,
            }
        }
        #[cfg(not(unix))]
        {
            Signals { caught: None }
        }
    }

    /// The signal that arrived, waiting for one if none has; the exit
    /// status a shell reports for it.
    pub(super) async fn caught(&mut self) -> Exit {
        if let Some(exit) = self.caught {
            return exit;
        }
        let exit = self.next().await;
        self.caught = Some(exit);
        exit
    }

    /// The signal that arrived already, if one did; it does not wait.
    pub(super) fn arrived(&mut self) -> Option<Exit> {
        self.caught().now_or_never()
    }

    #[cfg(unix)]
    async fn next(&mut self) -> Exit {
        match &mut self.streams {
            Some((interrupt, terminate)) => tokio::select! {
                _ = interrupt.recv() => Exit::Interrupted,
                _ = terminate.recv() => Exit::Terminated,
            },
            // Without handlers the signal's default action still ends us.
            None => std::future::pending().await,
        }
    }

    #[cfg(not(unix))]
    async fn next(&mut self) -> Exit {
        match tokio::signal::ctrl_c().await {
            Ok(()) => Exit::Interrupted,
            Err(_) => std::future::pending().await,
        }
    }
}
