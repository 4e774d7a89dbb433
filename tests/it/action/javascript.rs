//! A small runner of JavaScript actions, as GitHub runs them: `main` with
//! node, each input as `INPUT_<NAME>` (upper-cased, spaces as `_`, hyphens
//! kept) with its default, and the step's own `GITHUB_OUTPUT` and
//! `GITHUB_STATE` files; then the job's later steps (skipped after a
//! failure, as their `if` is `success()`); then, at the end of the job,
//! `post`, whatever happened (`post-if: always()`), with each state `main`
//! saved as `STATE_<name>`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::composite::{ACTION_REPOSITORY, Outcome, read_outputs, yaml};
use crate::support::{Run, run};

/// Run the JavaScript action in `file` with `inputs` in `workspace`, with
/// the job's environment `env`; `later` is the bash script of the job's
/// steps after this one. The outcome's steps are `main`, `later` (if it
/// ran) and `post`; its code is `main`'s, its outputs are `main`'s.
pub(super) fn run_javascript(
    file: &Path,
    workspace: &Path,
    env: &[(String, String)],
    inputs: &[(&str, &str)],
    later: &str,
) -> Outcome {
    let action = yaml(file);
    let runs = &action["runs"];
    assert_eq!(runs["using"], "node24");
    assert_eq!(runs["post-if"], "always()");
    let dir = file.parent().unwrap();
    let declared = action["inputs"].as_object().expect("the action's inputs");
    for (name, _) in inputs {
        assert!(
            declared.contains_key(*name),
            "the action has no input {name}"
        );
    }
    let input_env: Vec<(String, String)> = declared
        .iter()
        .map(|(name, spec)| {
            let given = inputs.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
            let value = given.unwrap_or(spec["default"].as_str().unwrap_or(""));
            let var = format!("INPUT_{}", name.replace(' ', "_").to_uppercase());
            (var, value.to_owned())
        })
        .collect();
    let scratch = tempfile::tempdir().unwrap();
    let file_of = |name: &str| {
        let path = scratch.path().join(name);
        std::fs::write(&path, "").unwrap();
        path
    };
    let state = file_of("state");
    // Each step gets its own output and state files; only main's state is read back.
    let node = |script: &str, state: &Path, extra: &[(String, String)]| -> (Run, PathBuf) {
        let output = file_of(&format!("{script}-output"));
        let out = run(std::process::Command::new("node")
            .arg(dir.join(script))
            .env_clear()
            .current_dir(workspace)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .envs(input_env.iter().map(|(k, v)| (k, v)))
            .env("GITHUB_ACTION_REPOSITORY", ACTION_REPOSITORY)
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_STATE", state)
            .envs(extra.iter().map(|(k, v)| (k, v))));
        (out, output)
    };
    let (main, main_output) = node(runs["main"].as_str().expect("main"), &state, &[]);
    let code = main.code;
    let outputs = read_outputs(&std::fs::read_to_string(&main_output).unwrap());
    let mut steps = vec![("main".to_owned(), main)];
    if code == 0 {
        let later_run = run(std::process::Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", later])
            .env_clear()
            .current_dir(workspace)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("GITHUB_OUTPUT", file_of("later-output")));
        steps.push(("later".to_owned(), later_run));
    }
    let saved: BTreeMap<String, String> = read_outputs(&std::fs::read_to_string(&state).unwrap());
    let state_env: Vec<(String, String)> = saved
        .into_iter()
        .map(|(name, value)| (format!("STATE_{name}"), value))
        .collect();
    let (post, _) = node(
        runs["post"].as_str().expect("post"),
        &file_of("post-state"),
        &state_env,
    );
    steps.push(("post".to_owned(), post));
    Outcome {
        steps,
        outputs,
        code,
    }
}
