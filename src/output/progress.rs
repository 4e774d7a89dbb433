//! Progress on stderr: indicatif bars on a terminal ([`Bars`]), plain notes
//! elsewhere ([`Quiet`]).

use std::sync::Mutex;

use crate::untrusted::defuse_commands;
use crate::upload::Reporter;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Notes to stderr, no progress bars.
pub struct Quiet;

impl Reporter for Quiet {
    fn start_file(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish_file(&self) {}
    fn note(&self, message: &str) {
        eprintln!("{}", defuse_commands(message));
    }
}

/// A progress bar per file on stderr.
pub struct Bars {
    current: Mutex<Option<ProgressBar>>,
}

impl Bars {
    pub fn new() -> Self {
        Bars {
            current: Mutex::new(None),
        }
    }

    fn with_bar(&self, f: impl FnOnce(&ProgressBar)) {
        if let Some(bar) = self.current.lock().expect("progress lock").as_ref() {
            f(bar);
        }
    }
}

impl Default for Bars {
    fn default() -> Self {
        Self::new()
    }
}

impl Reporter for Bars {
    fn start_file(&self, filename: &str, size: u64) {
        let bar = ProgressBar::with_draw_target(Some(size), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{msg} {wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} {eta}",
            )
            .expect("static template"),
        );
        bar.set_message(filename.to_owned());
        *self.current.lock().expect("progress lock") = Some(bar);
    }

    fn advance(&self, bytes: u64) {
        self.with_bar(|bar| bar.inc(bytes));
    }

    fn finish_file(&self) {
        if let Some(bar) = self.current.lock().expect("progress lock").take() {
            bar.finish_and_clear();
        }
    }

    fn note(&self, message: &str) {
        let message = defuse_commands(message);
        let guard = self.current.lock().expect("progress lock");
        match guard.as_ref() {
            Some(bar) => bar.suspend(|| eprintln!("{message}")),
            None => eprintln!("{message}"),
        }
    }
}
