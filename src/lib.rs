//! mintup publishes Python distributions.
//!
//! The layers, top down: [`commands`] runs each subcommand's flow and
//! leaves every printed byte to [`output`]; [`settings`] resolves flags,
//! environment and `.pypirc` into one complete plan; [`upload`], [`check`],
//! [`mint`] and [`attest`] do the work; [`dist`], [`auth`], [`index`],
//! [`http`] and [`rst`] are what they stand on.
//!
//! One upload, in the order it runs: [`dist::collect`] expands the command
//! line into files, [`settings`] makes the plan, [`mint`] trades a CI
//! identity for a token when no credentials are given, [`upload`] inspects
//! and [`check`]s every file, then hashes each one, builds the legacy-upload
//! form and streams it to the index, classifying the answer, and
//! [`output`] reports each file's fate as it is known.

pub mod attest;
pub mod auth;
pub mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod dist;
pub mod hint;
pub mod http;
pub mod index;
pub mod mint;
pub mod output;
pub mod proxy;
pub mod rst;
pub mod settings;
pub mod untrusted;
pub mod upload;
