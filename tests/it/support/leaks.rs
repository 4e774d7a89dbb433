//! The leak sweep every run goes through: each secret the test made (the
//! password, tokens given in flags or variables, JWTs, minted tokens) is
//! looked for in stdout, stderr, the step summary and the step outputs.
//! A minted token may appear only where it is meant to: in its mask
//! command, in `mint`'s own stdout, and as the `api-token` step output.

use std::ffi::OsStr;
use std::process::Command;
use std::sync::Mutex;

use super::SECRET;
use super::oidc::{MINTED, REQUEST_TOKEN};

/// Secrets made by this test process (nextest runs each test in its own).
static MADE: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Shorter values (a user name like `u`) would match by accident.
const MIN_LEN: usize = 6;

/// Remember a secret the test made, and hand it back.
pub(crate) fn secret(value: impl Into<String>) -> String {
    let value = value.into();
    MADE.lock().unwrap().push(value.clone());
    value
}

/// Every secret this run could have leaked: the fixed ones, the ones the
/// test made, and any value given to the command as a password or token.
fn secrets_of(cmd: &Command) -> Vec<String> {
    let mut all: Vec<String> = [SECRET, MINTED, REQUEST_TOKEN, "ya29.access"]
        .map(str::to_owned)
        .into_iter()
        .chain(MADE.lock().unwrap().iter().cloned())
        .collect();
    for (name, value) in cmd.get_envs() {
        let name = name.to_string_lossy();
        if ["PASSWORD", "TOKEN"].iter().any(|s| name.contains(s))
            && let Some(value) = value
        {
            all.push(value.to_string_lossy().into_owned());
        }
    }
    let args: Vec<&OsStr> = cmd.get_args().collect();
    for pair in args.windows(2) {
        if ["-p", "--password", "-t", "--token"]
            .iter()
            .any(|flag| pair[0] == *flag)
        {
            all.push(pair[1].to_string_lossy().into_owned());
        }
    }
    let mut expanded = Vec::new();
    for secret in all {
        // A JWT's signature alone is enough to replay nothing, but it is
        // never printed either; Basic credentials carry a password encoded.
        if let Some((_, signature)) = secret.rsplit_once('.') {
            expanded.push(signature.to_owned());
        }
        for user in ["u", "alice", "__token__"] {
            use base64::Engine as _;
            expanded
                .push(base64::engine::general_purpose::STANDARD.encode(format!("{user}:{secret}")));
        }
        expanded.push(secret);
    }
    expanded.retain(|s| s.len() >= MIN_LEN);
    expanded.sort();
    expanded.dedup();
    expanded
}

/// The step summary and step output files the command was given.
fn step_files(cmd: &Command) -> Vec<(String, String)> {
    cmd.get_envs()
        .filter(|(name, _)| {
            *name == OsStr::new("GITHUB_STEP_SUMMARY") || *name == OsStr::new("GITHUB_OUTPUT")
        })
        .filter_map(|(name, path)| {
            let text = std::fs::read_to_string(path?).ok()?;
            Some((name.to_string_lossy().into_owned(), text))
        })
        .collect()
}

/// Whether `line` of `place` may hold the minted token.
fn minted_allowed(place: &str, line: &str, is_mint: bool) -> bool {
    match place {
        "stderr" => line == format!("::add-mask::{MINTED}"),
        "stdout" => is_mint,
        // The mint action's output, whichever step wrote it.
        "GITHUB_OUTPUT" => line == format!("api-token={MINTED}"),
        _ => false,
    }
}

/// Fail the test if any output of `cmd` holds a secret where it must not.
pub(crate) fn sweep(cmd: &Command, stdout: &str, stderr: &str) {
    let secrets = secrets_of(cmd);
    let is_mint = cmd.get_args().next() == Some(OsStr::new("mint"));
    let mut places = vec![
        ("stdout".to_owned(), stdout.to_owned()),
        ("stderr".to_owned(), stderr.to_owned()),
    ];
    places.extend(step_files(cmd));
    for (place, text) in &places {
        for line in text.lines() {
            for secret in &secrets {
                if !line.contains(secret.as_str()) {
                    continue;
                }
                let minted = secret == MINTED;
                assert!(
                    minted && minted_allowed(place, line, is_mint),
                    "a secret leaked into {place}: {line}\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mint_command(args: &[&str]) -> Command {
        let mut cmd = Command::new("mintup");
        cmd.args(args);
        cmd
    }

    #[test]
    #[should_panic(expected = "a secret leaked into stderr")]
    fn a_token_given_on_the_command_line_is_swept_for() {
        let cmd = mint_command(&["upload", "-t", "pypi-given-here"]);
        sweep(&cmd, "", "error: pypi-given-here was refused\n");
    }

    #[test]
    #[should_panic(expected = "a secret leaked into stdout")]
    fn a_made_jwt_signature_is_swept_for() {
        let jwt = secret("aaaa.bbbb.signature-part");
        let _ = jwt;
        sweep(&mint_command(&["upload"]), "signature-part\n", "");
    }

    #[test]
    fn the_minted_token_may_be_masked_and_printed_by_mint() {
        let mask = format!("::add-mask::{MINTED}\n");
        sweep(&mint_command(&["mint"]), &format!("{MINTED}\n"), &mask);
    }

    #[test]
    #[should_panic(expected = "a secret leaked into stdout")]
    fn the_minted_token_never_reaches_uploads_stdout() {
        sweep(&mint_command(&["upload"]), &format!("{MINTED}\n"), "");
    }
}
