//! Hostile server text in a simulated GitHub Actions job: an index and a
//! mint endpoint whose answers carry workflow commands, escape sequences,
//! table syntax and secrets. No line mintup prints or writes to the step's
//! files may be one the runner obeys, and the summary table stays a table.

use std::path::Path;

use crate::support::fake_index::{FakeIndex, Reply};
use crate::support::oidc::{self, MINTED, audience, github_claims, github_endpoint, github_env};
use crate::support::{SECRET, good, mintup, run, upload_args};

const WHEEL: &str = "mintup_hatch_demo-0.4.2-py3-none-any.whl";
const SDIST: &str = "mintup_hatch_demo-0.4.2.tar.gz";

/// Everything a hostile server could try: commands at line starts (after
/// blanks, after `\r`), the legacy form mid-line, ANSI sequences, table
/// syntax, and the password echoed back.
fn hostile(tag: &str) -> String {
    format!(
        "{tag} refused\n::add-mask::x\n  ::stop-commands::tok\nsee ##[set-output name=a]b here\n\
         \u{1b}[31m| red | cell |\u{1b}[0m\r::warning::after-cr\n::tok::\n\
         echo {SECRET} <img src=x> `code`\n"
    )
}

/// The lines of `text` that GitHub's runner would run as a workflow
/// command (actions/runner `ActionCommand.TryParseV2` and `TryParse`), apart
/// from mintup's own annotations and the mask of `masked`, if any.
fn commands_in(text: &str, masked: Option<&str>) -> Vec<String> {
    text.split(['\n', '\r'])
        .filter(|line| {
            let trimmed = line.trim_start();
            if let Some(rest) = trimmed.strip_prefix("::") {
                let name = rest.split("::").next().unwrap_or_default();
                let name = name.split(' ').next().unwrap_or_default();
                // A v2 command wins over a legacy one on the same line.
                return match name {
                    "error" | "warning" | "notice" => false,
                    "add-mask" => Some(&rest["add-mask::".len()..]) != masked,
                    _ => true,
                };
            }
            line.contains("##[")
        })
        .map(str::to_owned)
        .collect()
}

fn assert_no_commands(place: &str, text: &str, masked: Option<&str>) {
    let found = commands_in(text, masked);
    assert!(
        found.is_empty(),
        "the runner would obey these lines of the {place}: {found:#?}\n{text}"
    );
    assert!(
        !text.contains('\u{1b}'),
        "an escape sequence in the {place}"
    );
    assert!(
        !text.contains(SECRET),
        "the password leaked into the {place}"
    );
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// Every row of the summary's table has the header's number of cells:
/// `|` not escaped by a backslash.
fn assert_table_holds(summary: &str) {
    let rows: Vec<&str> = summary
        .lines()
        .skip_while(|l| !l.starts_with("| file |"))
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(rows.len() >= 4, "{summary}");
    let cells = |row: &str| {
        let mut count = 0;
        let mut escaped = false;
        for c in row.chars() {
            match c {
                '\\' => escaped = !escaped,
                '|' if !escaped => count += 1,
                _ => escaped = false,
            }
            if c != '\\' {
                escaped = false;
            }
        }
        count
    };
    for row in &rows {
        assert_eq!(cells(row), cells(rows[0]), "a broken row: {row}\n{summary}");
    }
}

#[test]
fn index_answers_cannot_steer_the_runner() {
    // The wheel is stored with a hostile 200 (shown by --verbose), the sdist
    // refused with a hostile 400; both with a hostile reason and header.
    let index = FakeIndex::start(|req| {
        let reply = if req.files.iter().any(|f| f.filename == SDIST) {
            Reply::status(400, &hostile("sdist"))
        } else {
            Reply::status(200, &hostile("wheel"))
        };
        reply
            .reason("Bad ##[add-mask]reason")
            .header("x-note", "see ##[set-output name=h]v")
    });
    let home = tempfile::tempdir().unwrap();
    let summary = home.path().join("summary.md");
    let output = home.path().join("output");
    let out = run(mintup(home.path())
        .args(upload_args(&index.url, "u"))
        .arg("--verbose")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &output)
        .args([good(WHEEL), good(SDIST)]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    // The server's words are there, defused.
    out.stderr_has("sdist refused")
        .stderr_has("< 200 Bad ## [add-mask]reason")
        .stderr_has("\n: :add-mask::x")
        .stderr_has("see ## [set-output name=a]b here");
    let summary = read(&summary);
    for (place, text) in [
        ("stdout", out.stdout.as_str()),
        ("stderr", &out.stderr),
        ("step summary", &summary),
        ("step output", &read(&output)),
    ] {
        assert_no_commands(place, text, None);
    }
    assert_table_holds(&summary);
    assert!(summary.contains("**failed**"), "{summary}");
}

#[test]
fn mint_errors_cannot_steer_the_runner() {
    let claims = github_claims("testindex");
    let github = github_endpoint(claims.clone());
    let home = tempfile::tempdir().unwrap();
    let env = github_env(&github, home.path());
    let index = oidc::index_with(audience("testindex"), |_| {
        oidc::refusal("::add-mask::code", &hostile("mint"))
    });
    let out = run(mintup(home.path())
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(["mint", "-r", "testpypi", "--repository-url", &index.url]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.stderr_has("refused to mint a token")
        .stderr_has("mint refused")
        .stderr_has("\n  : :stop-commands::tok");
    for (place, text) in [
        ("stdout", out.stdout.as_str()),
        ("stderr", &out.stderr),
        ("step summary", &read(&home.path().join("step_summary.md"))),
        ("step output", &read(&home.path().join("github_output"))),
    ] {
        assert_no_commands(place, text, None);
    }

    // A "token" that would turn its own mask line into more commands is
    // never printed or masked.
    let index = oidc::index_with(audience("testindex"), |_| {
        Reply::status(
            200,
            &serde_json::json!({ "token": "pypi-x\n::stop-commands::tok" }).to_string(),
        )
    });
    let out = run(mintup(home.path())
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(["mint", "-r", "testpypi", "--repository-url", &index.url]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.stderr_has("without a token");
    assert_no_commands("stderr", &out.stderr, None);
    assert!(out.stdout.is_empty(), "{}", out.stdout);

    // The real token is masked, and that is the only command.
    let index = oidc::index(audience("testindex"), oidc::jwt(&claims));
    let out = run(mintup(home.path())
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(["mint", "-r", "testpypi", "--repository-url", &index.url]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_no_commands("stderr", &out.stderr, Some(MINTED));
}
