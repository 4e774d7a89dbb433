//! mintup publishes Python distributions.
//!
//! The upload pipeline, in the order the modules run:
//! [`settings`] resolves flags, environment and `.pypirc` into one plan,
//! [`mint`] trades a CI identity for a token when no credentials are given,
//! [`dist::collect`] expands the command line into files, [`dist::inspect`]
//! reads each file's core metadata and members, [`check`] judges them by
//! PyPI's rules, and [`upload`] hashes each file, builds the legacy-upload
//! form and streams it to the index, classifying the answer. [`report`] is how
//! progress leaves the library; [`error`] renders failures.

pub mod attest;
pub mod auth;
pub mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod dist;
pub mod http;
pub mod index;
pub mod mint;
pub mod output;
pub mod proxy;
pub mod rst;
pub mod settings;
pub mod untrusted;
pub mod upload;
