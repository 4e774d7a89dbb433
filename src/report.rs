//! How progress leaves the library: a small [`Reporter`] trait. The binary
//! draws indicatif bars on a terminal; tests and non-terminals use
//! [`Quiet`]. Results are not reported here: the library returns them and
//! the binary prints them.

use std::sync::Mutex;

use crate::auth::Secret;
use crate::untrusted::defuse_commands;
use crate::upload::FileReport;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub trait Reporter: Send + Sync {
    /// A file's bytes start going out.
    fn start_file(&self, filename: &str, size: u64);
    /// `bytes` more of the current file were handed to the connection.
    fn advance(&self, bytes: u64);
    /// The current file's request is done, whatever its result.
    fn finish_file(&self);
    /// A line for the user's eyes on stderr: a note, a warning, verbose
    /// detail. Implementations print no line that reads as a workflow
    /// command ([`defuse_commands`]): notes carry the index's answers.
    fn note(&self, message: &str);
    /// A file's result is known (uploaded, skipped, failed or not sent).
    fn file_done(&self, _report: &FileReport) {}
    /// A secret was just made (a re-minted token): where logs are public, the
    /// binary masks it before anything else is printed.
    fn new_secret(&self, _secret: &Secret) {}
}

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

/// Human-readable size, binary units, as in the summary lines.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(300 * 1024 * 1024), "300.0 MiB");
    }
}
