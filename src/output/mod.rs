//! Every byte for a person or a CI runner, rendered from typed results:
//! text lines, the JSON report, GitHub's commands and files, progress.

#![allow(clippy::print_stdout, clippy::print_stderr)]

pub mod fate;
pub mod github;
pub mod json;
pub mod progress;
pub mod prompt;
pub mod reporter;
pub mod text;
