//! The precedence, the credentials and the repository rules, on made-up
//! flags, environments and `.pypirc` files.

use super::*;
use clap::Parser;

fn args(cmdline: &[&str]) -> UploadArgs {
    let mut argv = vec!["mintup", "upload"];
    argv.extend_from_slice(cmdline);
    match crate::cli::Cli::parse_from(argv).command {
        crate::cli::Command::Upload(a) => a,
        other => panic!("not an upload: {other:?}"),
    }
}

fn rc(text: &str) -> (PathBuf, Pypirc) {
    (
        PathBuf::from("/home/u/.pypirc"),
        Pypirc::parse(text).unwrap(),
    )
}

const NO_TTY: Terminal = Terminal {
    interactive: false,
    ci_provider: None,
};

fn resolve(
    cmd: &[&str],
    env: &[(&str, &str)],
    pypirc: Option<&(PathBuf, Pypirc)>,
) -> Result<UploadPlan, SettingsError> {
    let a = args(cmd);
    resolve_upload(
        &a,
        &EnvSnapshot::from_pairs(env.iter().copied()),
        pypirc,
        NO_TTY,
    )
}

fn creds(plan: &UploadPlan) -> (String, String) {
    match &plan.credentials {
        CredentialPlan::Ready(c) => (c.username.clone(), c.password.expose().to_owned()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn defaults_to_pypi_with_token_user() {
    let plan = resolve(&[], &[("TWINE_PASSWORD", "pypi-x")], None).unwrap();
    assert_eq!(plan.options.target.url.as_str(), PYPI_UPLOAD_URL);
    assert_eq!(plan.options.target.kind, IndexKind::Pypi);
    assert_eq!(creds(&plan), ("__token__".into(), "pypi-x".into()));
}

fn known(check_url: &CheckUrl) -> Option<&str> {
    match check_url {
        CheckUrl::Known(url) => Some(url.as_str()),
        _ => None,
    }
}

#[test]
fn retries_and_check_url_come_from_flag_then_env_then_the_index() {
    let token = [("MINTUP_TOKEN", "pypi-x")];
    let plan = resolve(&[], &token, None).unwrap();
    assert_eq!(plan.options.retries, DEFAULT_RETRIES);
    assert_eq!(
        known(&plan.options.check_url),
        Some("https://pypi.org/simple/")
    );
    let env = [
        ("MINTUP_TOKEN", "pypi-x"),
        ("MINTUP_RETRIES", "5"),
        ("MINTUP_CHECK_URL", "https://mirror.example/simple"),
    ];
    let plan = resolve(&[], &env, None).unwrap();
    assert_eq!(plan.options.retries, 5);
    assert_eq!(
        known(&plan.options.check_url),
        Some("https://mirror.example/simple/")
    );
    let plan = resolve(
        &["--retries", "0", "--check-url", "https://x/s/"],
        &env,
        None,
    )
    .unwrap();
    assert_eq!(plan.options.retries, 0);
    assert_eq!(known(&plan.options.check_url), Some("https://x/s/"));
    let other = ["--repository-url", "https://devpi.example/root/dev/"];
    assert_eq!(
        resolve(&other, &token, None).unwrap().options.check_url,
        CheckUrl::Discover
    );
    for args in [
        &["--no-check-url"][..],
        &[other[0], other[1], "--no-check-url"],
    ] {
        assert_eq!(
            resolve(args, &env, None).unwrap().options.check_url,
            CheckUrl::Off
        );
    }
    assert_eq!(plan.options.jobs, DEFAULT_JOBS);
    let jobs = [("MINTUP_TOKEN", "pypi-x"), ("MINTUP_JOBS", "3")];
    assert_eq!(resolve(&[], &jobs, None).unwrap().options.jobs, 3);
    assert_eq!(resolve(&["-j", "1"], &jobs, None).unwrap().options.jobs, 1);
    for bad in ["0", "33", "eight"] {
        let env = [("MINTUP_TOKEN", "pypi-x"), ("MINTUP_JOBS", bad)];
        assert!(matches!(
            resolve(&[], &env, None),
            Err(SettingsError::JobsValue(v)) if v == bad
        ));
    }
    let bad = [("MINTUP_TOKEN", "pypi-x"), ("MINTUP_RETRIES", "many")];
    assert!(matches!(
        resolve(&[], &bad, None),
        Err(SettingsError::RetriesValue(v)) if v == "many"
    ));
}

#[test]
fn a_token_unlike_pypis_gets_a_note() {
    let plan = resolve(&["-t", "ghp_notapypitoken"], &[], None).unwrap();
    assert_eq!(
        plan.notes,
        [
            "the token from --password/--token does not look like a PyPI API token (they start \
          with pypi-); https://upload.pypi.org/legacy/ will likely refuse it"
        ]
    );
    assert!(
        resolve(&["-t", "pypi-AgEI"], &[], None)
            .unwrap()
            .notes
            .is_empty()
    );
    let other = [
        "--repository-url",
        "https://devpi.example/root/dev/",
        "-t",
        "x",
    ];
    assert!(resolve(&other, &[], None).unwrap().notes.is_empty());
}

#[test]
fn credentials_never_go_over_plain_http_to_another_host() {
    let token = [("MINTUP_TOKEN", "pypi-x")];
    let remote = ["--repository-url", "http://index.example/legacy/"];
    let err = resolve(&remote, &token, None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "refusing to send credentials over plain http to http://index.example/legacy/"
    );
    assert!(
        err.hint()
            .unwrap()
            .contains("https://index.example/legacy/")
    );
    let allowed = [remote[0], remote[1], "--allow-insecure-http"];
    assert!(resolve(&allowed, &token, None).is_ok());
    let local = ["--repository-url", "http://127.0.0.1:8080/"];
    assert!(resolve(&local, &token, None).is_ok());
}

#[test]
fn flag_beats_mintup_beats_twine_beats_pypirc() {
    let file = rc("[pypi]\nusername = rc-user\npassword = rc-pass\n");
    let env = [
        ("MINTUP_PASSWORD", "mintup-pass"),
        ("TWINE_PASSWORD", "twine-pass"),
        ("TWINE_USERNAME", "twine-user"),
    ];
    let plan = resolve(&["-p", "flag-pass"], &env, Some(&file)).unwrap();
    assert_eq!(creds(&plan), ("twine-user".into(), "flag-pass".into()));
    let plan = resolve(&[], &env, Some(&file)).unwrap();
    assert_eq!(creds(&plan), ("twine-user".into(), "mintup-pass".into()));
    let plan = resolve(&[], &env[1..], Some(&file)).unwrap();
    assert_eq!(creds(&plan), ("twine-user".into(), "twine-pass".into()));
    let plan = resolve(&[], &[], Some(&file)).unwrap();
    assert_eq!(creds(&plan), ("rc-user".into(), "rc-pass".into()));
}

#[test]
fn token_means_token_user() {
    let plan = resolve(&["-t", "pypi-tok"], &[("TWINE_USERNAME", "bob")], None).unwrap();
    assert_eq!(creds(&plan), ("__token__".into(), "pypi-tok".into()));
    let plan = resolve(
        &[],
        &[("MINTUP_TOKEN", "pypi-env"), ("TWINE_USERNAME", "bob")],
        None,
    )
    .unwrap();
    assert_eq!(creds(&plan), ("__token__".into(), "pypi-env".into()));
}

#[test]
fn repository_selection() {
    let file = rc(
        "[corp]\nrepository = https://corp.example/pypi/\nusername = alice\npassword = s3cret\n",
    );
    let plan = resolve(&["-r", "corp"], &[], Some(&file)).unwrap();
    assert_eq!(
        plan.options.target.url.as_str(),
        "https://corp.example/pypi/"
    );
    assert_eq!(plan.options.target.kind, IndexKind::Other);
    assert_eq!(creds(&plan), ("alice".into(), "s3cret".into()));
    // A URL at the same level beats a name; a flag name beats an env URL.
    let plan = resolve(
        &["-r", "corp", "--repository-url", "https://x.example/"],
        &[("TWINE_PASSWORD", "p"), ("TWINE_USERNAME", "u")],
        Some(&file),
    )
    .unwrap();
    assert_eq!(plan.options.target.url.as_str(), "https://x.example/");
    let plan = resolve(
        &["-r", "testpypi", "-t", "t"],
        &[("MINTUP_REPOSITORY_URL", "https://x.example/")],
        None,
    )
    .unwrap();
    assert_eq!(plan.options.target.url.as_str(), TESTPYPI_UPLOAD_URL);
    // A URL given directly still finds the section with that URL.
    let plan = resolve(
        &["--repository-url", "https://corp.example/pypi"],
        &[],
        Some(&file),
    )
    .unwrap();
    assert_eq!(creds(&plan), ("alice".into(), "s3cret".into()));
    let plan = resolve(&["-t", "t"], &[("TWINE_REPOSITORY", "testpypi")], None).unwrap();
    assert_eq!(plan.options.target.kind, IndexKind::TestPypi);
}

#[test]
fn unknown_repository_lists_what_there_is() {
    let file = rc("[corp]\nrepository = https://corp.example/\n");
    let err = resolve(&["-r", "nope", "-t", "t"], &[], Some(&file)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown repository 'nope': it is neither pypi nor testpypi, and /home/u/.pypirc has only: corp"
    );
    let err = resolve(&["-r", "nope", "-t", "t"], &[], None).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("there is no .pypirc to define it")
    );
}

#[test]
fn legacy_without_slash_is_corrected_with_a_note() {
    let plan = resolve(
        &[
            "--repository-url",
            "https://upload.pypi.org/legacy",
            "-t",
            "pypi-t",
        ],
        &[],
        None,
    )
    .unwrap();
    assert_eq!(plan.options.target.url.as_str(), PYPI_UPLOAD_URL);
    assert_eq!(plan.notes.len(), 1);
}

#[test]
fn bad_urls() {
    let err = |u: &str| {
        let e = resolve(&["--repository-url", u, "-t", "t"], &[], None).unwrap_err();
        let cause = std::error::Error::source(&e)
            .map(|c| c.to_string())
            .unwrap_or_default();
        format!("{e}: {cause}")
    };
    assert_eq!(
        err("ftp://x/"),
        "'ftp://x/' is not a usable upload URL: only http and https URLs can be uploaded to"
    );
    assert!(err("not a url").starts_with("'not a url' is not a usable upload URL: "));
    assert_eq!(
        err("https://u:hunter2@x.example/"),
        "'https://****@x.example/' is not a usable upload URL: it contains credentials; \
         pass them with -u/-p or -t instead"
    );
    assert!(!err("https://u:hunter2@[bad/").contains("hunter2"));
}

#[test]
fn userinfo_is_redacted_even_in_unparsable_text() {
    assert_eq!(redact_userinfo("https://a:b@h/x@y"), "https://****@h/x@y");
    assert_eq!(redact_userinfo("http://h/p"), "http://h/p");
    assert_eq!(redact_userinfo("no scheme@all"), "no scheme@all");
}

#[test]
fn pypirc_url_match_is_by_parsed_url() {
    let file =
        rc("[corp]\nrepository = HTTPS://Corp.Example:443/pypi\nusername = alice\npassword = pw\n");
    let plan = resolve(
        &["--repository-url", "https://corp.example/pypi/"],
        &[],
        Some(&file),
    )
    .unwrap();
    assert_eq!(creds(&plan), ("alice".into(), "pw".into()));
}

#[test]
fn no_password_names_every_place_and_never_prompts_in_ci() {
    let err = resolve(&[], &[("CI", "true")], None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no password or token for https://upload.pypi.org/legacy/; looked in: --password/--token, \
         MINTUP_PASSWORD/MINTUP_TOKEN, TWINE_PASSWORD, ~/.pypirc (not found), no prompt: CI is set"
    );
    let a = args(&[]);
    let env = EnvSnapshot::from_pairs([("CI", "true")]);
    let tty = Terminal {
        interactive: true,
        ci_provider: None,
    };
    assert!(resolve_upload(&a, &env, None, tty).is_err());
    let plan = resolve_upload(&a, &EnvSnapshot::default(), None, tty).unwrap();
    assert_eq!(
        plan.credentials,
        CredentialPlan::Prompt {
            username: Some("__token__".into()),
            password: None,
        }
    );
    let a = args(&["--non-interactive"]);
    assert!(resolve_upload(&a, &EnvSnapshot::default(), None, tty).is_err());
}

#[test]
fn ca_cert_precedence() {
    let file = rc("[pypi]\nca_cert = /rc.pem\n");
    let plan = resolve(&["-t", "t"], &[("TWINE_CERT", "/env.pem")], Some(&file)).unwrap();
    assert_eq!(plan.ca_cert, Some(PathBuf::from("/env.pem")));
    let plan = resolve(
        &["-t", "t", "--cert", "/flag.pem"],
        &[("TWINE_CERT", "/env.pem")],
        Some(&file),
    )
    .unwrap();
    assert_eq!(plan.ca_cert, Some(PathBuf::from("/flag.pem")));
    let plan = resolve(&["-t", "t"], &[], Some(&file)).unwrap();
    assert_eq!(plan.ca_cert, Some(PathBuf::from("/rc.pem")));
}

fn in_ci(provider: Option<Provider>) -> Terminal {
    Terminal {
        interactive: false,
        ci_provider: provider,
    }
}

fn plan_in_ci(cmd: &[&str], env: &[(&str, &str)]) -> Result<UploadPlan, SettingsError> {
    let env = EnvSnapshot::from_pairs(env.iter().copied());
    resolve_upload(&args(cmd), &env, None, in_ci(Some(Provider::GitHub)))
}

#[test]
fn auto_mints_only_without_credentials_in_a_detected_ci() {
    let plan = plan_in_ci(&[], &[]).unwrap();
    assert_eq!(plan.credentials, CredentialPlan::TrustedPublishing);
    // `__token__` alone still asks for a token, as gh-action-pypi-publish does.
    let plan = plan_in_ci(&["-u", "__token__"], &[]).unwrap();
    assert_eq!(plan.credentials, CredentialPlan::TrustedPublishing);
    let plan = plan_in_ci(&[], &[("TWINE_PASSWORD", "pypi-x")]).unwrap();
    assert!(matches!(plan.credentials, CredentialPlan::Ready(_)));
    let plan = plan_in_ci(&["--trusted-publishing", "never"], &[("CI", "1")]);
    assert!(matches!(plan, Err(SettingsError::NoPassword { .. })));
    let err = plan_in_ci(&[], &[("TWINE_USERNAME", "alice"), ("CI", "1")]).unwrap_err();
    assert!(
        err.to_string().contains(
            "trusted publishing not tried in this GitHub Actions run: TWINE_USERNAME gives user 'alice'"
        ),
        "{err}"
    );
    let plan = plan_in_ci(&[], &[("MINTUP_TRUSTED_PUBLISHING", "never"), ("CI", "1")]);
    assert!(matches!(plan, Err(SettingsError::NoPassword { .. })));
    let outside = resolve_upload(&args(&[]), &EnvSnapshot::default(), None, in_ci(None));
    assert!(matches!(outside, Err(SettingsError::NoPassword { .. })));
}

#[test]
fn always_refuses_credentials_and_does_not_need_a_detected_ci() {
    let err = plan_in_ci(&["--trusted-publishing", "always", "-t", "pypi-x"], &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "--trusted-publishing always asks for trusted publishing only, but --password/--token \
         gives credentials"
    );
    let err = plan_in_ci(&["--trusted-publishing", "always", "-u", "alice"], &[]).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("but -u/--username (user 'alice') gives credentials"),
        "{err}"
    );
    let env = EnvSnapshot::from_pairs([("MINTUP_TRUSTED_PUBLISHING", "always")]);
    let plan = resolve_upload(&args(&[]), &env, None, in_ci(None)).unwrap();
    assert_eq!(plan.credentials, CredentialPlan::TrustedPublishing);
    let err = plan_in_ci(&[], &[("MINTUP_TRUSTED_PUBLISHING", "sometimes")]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "MINTUP_TRUSTED_PUBLISHING must be auto, always or never, not 'sometimes'"
    );
}

#[test]
fn a_token_never_lends_its_user_to_another_password() {
    let file = rc("[pypi]\nusername = rc-user\n");
    let plan = resolve(&["-p", "pw"], &[("MINTUP_TOKEN", "pypi-t")], Some(&file)).unwrap();
    assert_eq!(creds(&plan), ("rc-user".into(), "pw".into()));
    let err = resolve(&["-u", "alice"], &[("MINTUP_TOKEN", "pypi-t")], None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "-u/--username gives a user name, but the token at a higher precedence means user __token__"
    );
    let err = resolve(
        &[],
        &[("MINTUP_TOKEN", "t"), ("MINTUP_PASSWORD", "p")],
        None,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "both MINTUP_PASSWORD/MINTUP_TOKEN are set; give one"
    );
}

#[test]
fn password_without_user_name_for_other_indexes() {
    let err = resolve(
        &["--repository-url", "https://corp.example/"],
        &[("MINTUP_PASSWORD", "pw")],
        None,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "a password for https://corp.example/ but no user name; looked in: -u/--username, \
         MINTUP_USERNAME, TWINE_USERNAME, .pypirc"
    );
    let a = args(&["--repository-url", "https://corp.example/"]);
    let env = EnvSnapshot::from_pairs([("MINTUP_PASSWORD", "pw")]);
    let tty = Terminal {
        interactive: true,
        ci_provider: None,
    };
    let plan = resolve_upload(&a, &env, None, tty).unwrap();
    assert_eq!(
        plan.credentials,
        CredentialPlan::Prompt {
            username: None,
            password: Some(Secret::new("pw")),
        }
    );
}

#[test]
fn debug_of_arguments_and_environment_hides_secrets() {
    let a = args(&["-p", "hunter2-password"]);
    assert!(!format!("{a:?}").contains("hunter2"));
    let env = EnvSnapshot::from_pairs([("MINTUP_TOKEN", "pypi-hunter2")]);
    assert_eq!(format!("{env:?}"), "{\"MINTUP_TOKEN\"}");
}

#[test]
fn a_dry_run_needs_no_credentials() {
    let plan = resolve(&["--dry-run"], &[("CI", "true")], None).unwrap();
    assert!(matches!(plan.credentials, CredentialPlan::Ready(_)));
    assert_eq!(plan.options.target.url.as_str(), PYPI_UPLOAD_URL);
}
