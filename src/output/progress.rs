//! Progress on stderr: indicatif bars on a terminal ([`Bars`]), plain notes
//! elsewhere ([`Quiet`]).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::untrusted::defuse_commands;
use crate::upload::{FileReport, Reporter};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Notes to stderr, no progress bars.
pub struct Quiet;

impl Reporter for Quiet {
    fn start_file(&self, _: &str, _: u64) {}
    fn advance(&self, _: &str, _: u64) {}
    fn finish_file(&self, _: &str) {}
    fn note(&self, message: &str) {
        eprintln!("{}", defuse_commands(message));
    }
}

/// On a terminal: a bar per file in flight and one for the whole batch.
pub struct Bars {
    multi: MultiProgress,
    state: Mutex<BarState>,
}

#[derive(Default)]
struct BarState {
    files: HashMap<String, ProgressBar>,
    total: Option<ProgressBar>,
}

impl Bars {
    pub fn new() -> Self {
        Bars {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            state: Mutex::new(BarState::default()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, BarState> {
        self.state.lock().expect("progress lock")
    }
}

impl Default for Bars {
    fn default() -> Self {
        Self::new()
    }
}

/// A file's bar: its bytes handed to the connection.
const FILE_BAR: &str = "{msg} {wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} {eta}";
/// The batch's bar: files ended, whatever their result.
const BATCH_BAR: &str = "{msg} {wide_bar} {pos}/{len} files {elapsed}";

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).expect("static template")
}

impl Drop for Bars {
    fn drop(&mut self) {
        let mut state = self.state();
        for (_, bar) in state.files.drain() {
            bar.finish_and_clear();
        }
        if let Some(total) = state.total.take() {
            total.finish_and_clear();
        }
    }
}

impl Reporter for Bars {
    fn batch_started(&self, files: usize, _bytes: u64) {
        if files < 2 {
            return;
        }
        let bar = self.multi.add(ProgressBar::new(files as u64));
        bar.set_style(style(BATCH_BAR));
        bar.set_message("uploading");
        self.state().total = Some(bar);
    }

    fn file_done(&self, _report: &FileReport) {
        if let Some(total) = &self.state().total {
            total.inc(1);
        }
    }

    fn suspend(&self, print: &mut dyn FnMut()) {
        self.multi.suspend(print);
    }

    fn start_file(&self, filename: &str, size: u64) {
        let mut state = self.state();
        let bar = match &state.total {
            // The total stays last, below the files in flight.
            Some(total) => self.multi.insert_before(total, ProgressBar::new(size)),
            None => self.multi.add(ProgressBar::new(size)),
        };
        bar.set_style(style(FILE_BAR));
        bar.set_message(filename.to_owned());
        // A retry starts the file again.
        if let Some(old) = state.files.insert(filename.to_owned(), bar) {
            old.finish_and_clear();
            self.multi.remove(&old);
        }
    }

    fn advance(&self, filename: &str, bytes: u64) {
        if let Some(bar) = self.state().files.get(filename) {
            bar.inc(bytes);
        }
    }

    fn finish_file(&self, filename: &str) {
        if let Some(bar) = self.state().files.remove(filename) {
            bar.finish_and_clear();
            self.multi.remove(&bar);
        }
    }

    fn note(&self, message: &str) {
        let message = defuse_commands(message);
        self.multi.suspend(|| eprintln!("{message}"));
    }
}
