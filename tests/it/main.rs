//! mintup's integration tests, in one binary. Every test drives the real
//! `mintup` executable and checks that the credentials it was given never
//! appear in its output.

/// Shared helpers: running the binary, the fake index, the real peers.
mod support;

/// The GitHub Action's steps in a simulated job.
mod action;
/// `mintup attest` against fake Fulcio and Rekor.
mod attest;
/// Usage and bad-input errors: each broken fixture's message, missing
/// credentials, unknown repositories.
mod bad_input;
/// `mintup burn` against a fake burn endpoint: each answer, retries, and
/// where the token comes from.
mod burn;
/// `mintup check`, and the checks `upload` runs first.
mod check;
/// The simple index found from the upload URL, per index family's layout.
mod check_url;
/// A real devpi-server: upload, download back, identical and changed re-uploads.
mod devpi;
/// The in-process fake index: fields, digests and streaming as received, and
/// each kind of server answer.
mod fake_index;
/// Archives, descriptions and peers built to exhaust memory or time.
mod hostile;
/// Ctrl-C and SIGTERM mid-upload: the report of what is known, and 130/143.
mod interrupt;
/// Trusted publishing: `mint` with each provider, its errors, and `upload`
/// minting by itself.
mod mint;
/// Several files in flight: overlap, order per release, back-off, failures.
mod parallel;
/// Proxies from the environment, and the hosts they never see.
mod proxies;
/// A real pypiserver: upload, download back, re-upload.
mod pypiserver;
/// PyPI's 14-day rule, read from a JSON API before anything is sent.
mod release_age;
/// Retries and hash-verified skips against a fault-injecting index.
mod retries;
/// The reStructuredText judge against docutils on every sample.
mod rst_parity;
/// Hostile server text: nothing the runner would obey reaches the log,
/// the step summary or the step outputs.
mod server_text;
/// HTTPS against a local server whose CA the test generates.
mod tls;
/// The same fixtures uploaded by twine and by mintup, fields compared.
mod twine_parity;
/// `upload` burns the tokens it minted, whatever the outcome.
mod upload_burn;
/// PyPI's 2026 upload rules through `mintup check`, on files built to break
/// each one.
mod upload_rules;
