//! A small runner of composite actions, as GitHub runs them: each `run:` step
//! in order with bash, its `${{ }}` expressions (inputs with their defaults,
//! earlier steps' outputs, `github.action_path`) substituted from the
//! action's YAML, each step's `GITHUB_OUTPUT` read into `steps.<id>.outputs`,
//! and the action's outputs evaluated from them at the end.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::support::peers::venv_bin;
use crate::support::{Run, run};

/// The repository the simulated job says the action comes from.
pub(super) const ACTION_REPOSITORY: &str = "octo/mintup";

/// A YAML file as JSON, read by PyYAML from the test venv (the Rust side has
/// no YAML parser, and PyYAML is what scripts/lint-actions reads them with).
pub(super) fn yaml(path: &Path) -> Value {
    let out = std::process::Command::new(venv_bin("python"))
        .args([
            "-c",
            "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1], encoding='utf-8')), sys.stdout)",
        ])
        .arg(path)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("PyYAML's JSON")
}

/// What a run of the composite action did.
pub(super) struct Outcome {
    /// Each step that ran, by id, with what it printed.
    pub steps: Vec<(String, Run)>,
    /// The action's outputs, evaluated as GitHub does after the last step.
    pub outputs: BTreeMap<String, String>,
    /// The exit status of the last step that ran (a failing step stops the
    /// action); for a JavaScript action, of its main step.
    pub code: i32,
}

impl Outcome {
    pub(super) fn step(&self, id: &str) -> &Run {
        self.steps
            .iter()
            .find_map(|(i, run)| (i == id).then_some(run))
            .unwrap_or_else(|| panic!("step {id} did not run"))
    }

    pub(super) fn output(&self, name: &str) -> Option<&str> {
        self.outputs
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub(super) fn stderr(&self) -> String {
        self.steps.iter().map(|(_, r)| r.stderr.as_str()).collect()
    }
}

/// The expression context of a composite action's steps.
struct Context {
    inputs: BTreeMap<String, String>,
    steps: BTreeMap<String, BTreeMap<String, String>>,
    action_path: String,
}

impl Context {
    /// `a || b || c`: the first non-empty operand, as GitHub's `||` returns
    /// the first truthy one (the empty string is the only falsy string).
    fn eval(&self, expr: &str) -> String {
        let mut value = String::new();
        for operand in expr.split("||") {
            value = self.lookup(operand.trim());
            if !value.is_empty() {
                break;
            }
        }
        value
    }

    fn lookup(&self, operand: &str) -> String {
        let parts: Vec<&str> = operand.split('.').collect();
        match parts.as_slice() {
            ["inputs", name] => self
                .inputs
                .get(*name)
                .unwrap_or_else(|| panic!("`{operand}`: the action declares no input {name}"))
                .clone(),
            ["steps", id, "outputs", name] => self
                .steps
                .get(*id)
                .unwrap_or_else(|| panic!("`{operand}`: no step {id} ran before"))
                .get(*name)
                .cloned()
                .unwrap_or_default(),
            ["github", "action_path"] => self.action_path.clone(),
            ["github", "action_repository"] => ACTION_REPOSITORY.to_owned(),
            _ => panic!("the test's runner does not evaluate `{operand}`"),
        }
    }

    /// `text` with every `${{ expr }}` replaced by its value.
    fn substitute(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            let end = rest[start..]
                .find("}}")
                .unwrap_or_else(|| panic!("unclosed expression in {text:?}"));
            out.push_str(&rest[..start]);
            out.push_str(&self.eval(&rest[start + 3..start + end]));
            rest = &rest[start + end + 2..];
        }
        out.push_str(rest);
        out
    }
}

/// A GITHUB_OUTPUT file's `name=value` and `name<<DELIMITER` entries.
pub(super) fn read_outputs(text: &str) -> BTreeMap<String, String> {
    let mut outputs = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let eq = line.find('=');
        let heredoc = line.find("<<");
        match (eq, heredoc) {
            (Some(eq), h) if h.is_none_or(|h| eq < h) => {
                outputs.insert(line[..eq].to_owned(), line[eq + 1..].to_owned());
            }
            (_, Some(h)) => {
                let delimiter = &line[h + 2..];
                let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
                outputs.insert(line[..h].to_owned(), value.join("\n"));
            }
            _ => panic!("not an output line: {line:?}"),
        }
    }
    outputs
}

/// Run the composite action in `file` with `inputs` (by the names the action
/// declares), in `workspace`, with the job's environment `env`.
pub(super) fn run_composite(
    file: &Path,
    workspace: &Path,
    env: &[(String, String)],
    inputs: &[(&str, &str)],
) -> Outcome {
    let action = yaml(file);
    let declared = action["inputs"].as_object().expect("the action's inputs");
    for (name, _) in inputs {
        assert!(
            declared.contains_key(*name),
            "the action has no input {name}"
        );
    }
    let mut cx = Context {
        inputs: declared
            .iter()
            .map(|(name, spec)| {
                let given = inputs.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
                let default = spec["default"].as_str().unwrap_or("");
                (name.clone(), given.unwrap_or(default).to_owned())
            })
            .collect(),
        steps: BTreeMap::new(),
        action_path: file.parent().unwrap().display().to_string(),
    };
    assert_eq!(action["runs"]["using"], "composite");
    let scratch = tempfile::tempdir().unwrap();
    let mut outcome = Outcome {
        steps: Vec::new(),
        outputs: BTreeMap::new(),
        code: 0,
    };
    for (n, step) in action["runs"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .enumerate()
    {
        let id = step["id"]
            .as_str()
            .expect("every step has an id")
            .to_owned();
        for key in step.as_object().unwrap().keys() {
            assert!(
                ["id", "name", "shell", "env", "run"].contains(&key.as_str()),
                "step {id}: the test's runner does not handle `{key}`"
            );
        }
        assert_eq!(step["shell"], "bash", "step {id}");
        let script = scratch.path().join(format!("step{n}.sh"));
        std::fs::write(&script, cx.substitute(step["run"].as_str().unwrap())).unwrap();
        let output = scratch.path().join(format!("output{n}"));
        std::fs::write(&output, "").unwrap();
        let step_env: Vec<(String, String)> = step["env"]
            .as_object()
            .map(|env| {
                env.iter()
                    .map(|(k, v)| (k.clone(), cx.substitute(v.as_str().unwrap_or(""))))
                    .collect()
            })
            .unwrap_or_default();
        // What GitHub runs for `shell: bash`.
        let result = run(std::process::Command::new("bash")
            .args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script)
            .env_clear()
            .current_dir(workspace)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("GITHUB_ACTION_PATH", &cx.action_path)
            .env("GITHUB_OUTPUT", &output)
            .envs(step_env));
        let code = result.code;
        cx.steps.insert(
            id.clone(),
            read_outputs(&std::fs::read_to_string(&output).unwrap()),
        );
        outcome.steps.push((id, result));
        outcome.code = code;
        if code != 0 {
            // The later steps are skipped (their `if` is `success()`); the
            // action's outputs are still evaluated.
            break;
        }
    }
    if let Some(outputs) = action["outputs"].as_object() {
        for (name, spec) in outputs {
            let value = cx.substitute(spec["value"].as_str().expect("an output's value"));
            outcome.outputs.insert(name.clone(), value);
        }
    }
    outcome
}
