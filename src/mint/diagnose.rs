//! Explaining a refused exchange: the index's errors, the token's claims, and
//! what the trusted publisher on the index must say for this run. Pure: text
//! from claims.

use std::fmt::Write;

use super::claims::Claims;
use super::exchange::ServerError;
use super::provider::Provider;
use super::reusable::ReusableWorkflow;
use crate::untrusted;

/// The claims shown per provider, in the order gh-action-pypi-publish and uv
/// show them.
fn shown_claims(provider: Provider) -> &'static [&'static str] {
    match provider {
        Provider::GitHub => &[
            "sub",
            "repository",
            "repository_owner",
            "repository_owner_id",
            "workflow_ref",
            "job_workflow_ref",
            "ref",
            "environment",
        ],
        Provider::GitLab => &["sub", "project_path", "ci_config_ref_uri", "environment"],
        Provider::Google => &["email", "sub"],
        Provider::Buildkite => &["sub", "organization_slug", "pipeline_slug"],
        Provider::CircleCi => &["sub", "oidc.circleci.com/project-id"],
    }
}

/// The file name in `owner/repo/.github/workflows/release.yml@refs/…`.
pub fn workflow_file(workflow_ref: &str) -> Option<&str> {
    let path = workflow_ref.split('@').next()?;
    path.rsplit('/').next().filter(|f| !f.is_empty())
}

/// One line naming the reusable workflow this job runs and its caller, for
/// callers that add their own consequence (`attest` refuses to sign).
pub fn reusable_workflow_warning(claims: &Claims) -> Option<String> {
    ReusableWorkflow::of(claims).map(|r| r.to_string())
}

/// A refused mint, explained, and what its hint should advise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub text: String,
    pub remedy: Remedy,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remedy {
    /// `invalid-reuse-token`: each OIDC token is exchanged once.
    FreshToken,
    /// Make the publisher and the run agree.
    MatchPublisher,
    /// No publisher can match this job: the upload has to run in the
    /// calling workflow.
    UploadFromCaller { caller: String },
}

impl Remedy {
    /// The hint's text.
    pub fn advice(&self) -> String {
        match self {
            Remedy::FreshToken => String::from(
                "each OIDC token can be exchanged once: re-run the job so that a fresh one is \
                 requested",
            ),
            Remedy::MatchPublisher => String::from(
                "make the index's trusted publisher match the values above (or the run match \
                 the publisher)",
            ),
            Remedy::UploadFromCaller { caller } => format!(
                "run the upload in a job of {caller} itself, not in the reusable workflow it \
                 calls, and register {caller} as the publisher's workflow"
            ),
        }
    }
}

/// The full explanation of a refused mint.
pub fn refused(
    errors: &[ServerError],
    provider: Provider,
    claims: &Claims,
    settings_url: &str,
) -> Refusal {
    let has = |code: &str| errors.iter().any(|e| e.code == code);
    let mut out = String::from("the index gave these reasons:\n");
    for e in errors {
        let _ = writeln!(out, "  * {}: {}", e.code, e.description);
    }
    let _ = writeln!(
        out,
        "the OIDC token's claims (shown to debug the match; they are not secret):"
    );
    // Claim values come from outside too (branch and environment names):
    // made safe to print like the index's reasons.
    for name in shown_claims(provider) {
        let value = claims.get(name).unwrap_or_else(|| "MISSING".into());
        let _ = writeln!(out, "  {name}: {}", untrusted::for_log(&value, &[]));
    }
    // A reusable workflow explains a missing publisher only; `invalid-token`
    // and the like have other causes.
    let reusable = ReusableWorkflow::of(claims).filter(|_| has("invalid-publisher"));
    let (matchable, hopeless) = match reusable {
        Some(r) if r.can_match() => (Some(r), None),
        other => (None, other),
    };
    let mut prefilled = None;
    match (&hopeless, expected_publisher(provider, claims)) {
        // Fields of a publisher that cannot match would only send the user
        // to register it.
        (Some(r), _) => {
            let _ = writeln!(out, "no trusted publisher can match this run:\n  {r}");
            let _ = writeln!(out, "  {}", r.lookup());
        }
        (None, Some(expected)) => {
            let _ = writeln!(
                out,
                "the trusted publisher on the index must say, for this run:"
            );
            for (field, value) in &expected {
                let _ = writeln!(out, "  {field}: {}", untrusted::for_log(value, &[]));
            }
            prefilled = prefilled_link(provider, settings_url, claims);
        }
        (None, None) => {
            let _ = writeln!(
                out,
                "PyPI does not accept {provider} tokens; publish with an API token instead"
            );
        }
    }
    let _ = writeln!(out, "check it at {settings_url}");
    if let Some(link) = prefilled {
        let _ = writeln!(out, "or add it, pre-filled: {link}");
    }
    if let Some(r) = matchable {
        let _ = writeln!(out, "note: {}", r.warning());
    }
    let remedy = match hopeless {
        _ if has("invalid-reuse-token") => Remedy::FreshToken,
        Some(r) => Remedy::UploadFromCaller {
            caller: r.caller_file(),
        },
        None => Remedy::MatchPublisher,
    };
    Refusal { text: out, remedy }
}

/// PyPI's publishing page with a GitHub publisher for this run filled in,
/// as pypa/gh-action-pypi-publish links it; only for a real page URL.
fn prefilled_link(provider: Provider, settings_url: &str, claims: &Claims) -> Option<String> {
    if provider != Provider::GitHub
        || !settings_url.starts_with("https://")
        || settings_url.contains(' ')
    {
        return None;
    }
    let repository = claims.get("repository")?;
    let (owner, name) = repository.split_once('/')?;
    let workflow = workflow_file(&claims.get("job_workflow_ref")?)?.to_owned();
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("provider", "github")
        .append_pair("owner", owner)
        .append_pair("repository", name)
        .append_pair("workflow_filename", &workflow);
    if let Some(environment) = claims.get("environment") {
        query.append_pair("environment", &environment);
    }
    Some(format!("{settings_url}?{}", query.finish()))
}

/// What a publisher that matches this run is configured with.
fn expected_publisher(provider: Provider, claims: &Claims) -> Option<Vec<(&'static str, String)>> {
    let missing = || "MISSING".to_owned();
    let environment = claims
        .get("environment")
        .unwrap_or_else(|| "(none: leave it empty, or give the job `environment:`)".to_owned());
    Some(match provider {
        Provider::GitHub => {
            let repository = claims.get("repository").unwrap_or_else(missing);
            let (owner, name) = repository.split_once('/').unwrap_or((&repository, ""));
            let workflow = claims
                .get("job_workflow_ref")
                .and_then(|r| workflow_file(&r).map(str::to_owned))
                .unwrap_or_else(missing);
            vec![
                ("owner", owner.to_owned()),
                ("repository", name.to_owned()),
                ("workflow", workflow),
                ("environment", environment),
            ]
        }
        Provider::GitLab => {
            let project_path = claims.get("project_path").unwrap_or_else(missing);
            let (namespace, project) = project_path.rsplit_once('/').unwrap_or((&project_path, ""));
            // `<host>/<namespace>/<project>//<path/to/.gitlab-ci.yml>@<ref>`
            let file = claims
                .get("ci_config_ref_uri")
                .and_then(|uri| {
                    let path = uri.split_once("//")?.1;
                    Some(path.split('@').next()?.to_owned())
                })
                .unwrap_or_else(missing);
            vec![
                ("namespace", namespace.to_owned()),
                ("project", project.to_owned()),
                ("top-level pipeline file", file),
                ("environment", environment),
            ]
        }
        Provider::Google => vec![("email", claims.get("email").unwrap_or_else(missing))],
        Provider::Buildkite | Provider::CircleCi => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn claims(json: &str) -> Claims {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
        Claims::decode(&format!("h.{payload}.s")).unwrap()
    }

    const GITHUB: &str = r#"{"sub": "repo:octo/demo:ref:refs/tags/v1", "repository": "octo/demo",
        "repository_owner": "octo", "repository_owner_id": 42,
        "workflow_ref": "octo/demo/.github/workflows/release.yml@refs/tags/v1",
        "job_workflow_ref": "octo/demo/.github/workflows/release.yml@refs/tags/v1",
        "ref": "refs/tags/v1"}"#;

    #[test]
    fn github_refusal_shows_claims_and_the_publisher() {
        let errors = [ServerError {
            code: "invalid-publisher".into(),
            description: "valid token, but no corresponding publisher (Publisher with matching claims was not found)".into(),
        }];
        let refusal = refused(
            &errors,
            Provider::GitHub,
            &claims(GITHUB),
            "https://pypi.org/manage/account/publishing/",
        );
        assert_eq!(refusal.remedy, Remedy::MatchPublisher);
        assert_eq!(
            refusal.text,
            "the index gave these reasons:
  * invalid-publisher: valid token, but no corresponding publisher (Publisher with matching claims was not found)
the OIDC token's claims (shown to debug the match; they are not secret):
  sub: repo:octo/demo:ref:refs/tags/v1
  repository: octo/demo
  repository_owner: octo
  repository_owner_id: 42
  workflow_ref: octo/demo/.github/workflows/release.yml@refs/tags/v1
  job_workflow_ref: octo/demo/.github/workflows/release.yml@refs/tags/v1
  ref: refs/tags/v1
  environment: MISSING
the trusted publisher on the index must say, for this run:
  owner: octo
  repository: demo
  workflow: release.yml
  environment: (none: leave it empty, or give the job `environment:`)
check it at https://pypi.org/manage/account/publishing/
or add it, pre-filled: https://pypi.org/manage/account/publishing/?provider=github&owner=octo&repository=demo&workflow_filename=release.yml
"
        );
    }

    #[test]
    fn gitlab_publisher_fields() {
        let c = claims(
            r#"{"sub": "project_path:grp/sub/proj:ref_type:tag:ref:v1", "project_path": "grp/sub/proj",
            "ci_config_ref_uri": "gitlab.com/grp/sub/proj//.gitlab-ci.yml@refs/tags/v1", "environment": "pypi"}"#,
        );
        let text = refused(&[], Provider::GitLab, &c, "u").text;
        assert!(text.contains("  namespace: grp/sub\n  project: proj\n  top-level pipeline file: .gitlab-ci.yml\n  environment: pypi\n"), "{text}");
    }

    fn no_publisher() -> [ServerError; 1] {
        [ServerError {
            code: "invalid-publisher".into(),
            description: "valid token, but no corresponding publisher".into(),
        }]
    }

    /// GITHUB's run, its job running `called`.
    fn reusable(called: &str) -> Claims {
        claims(&GITHUB.replace(
            r#""job_workflow_ref": "octo/demo/.github/workflows/release.yml@refs/tags/v1""#,
            &format!(r#""job_workflow_ref": "{called}""#),
        ))
    }

    #[test]
    fn reusable_workflow_is_named() {
        let c = reusable("octo/shared/.github/workflows/publish.yml@refs/heads/main");
        assert_eq!(
            reusable_workflow_warning(&c).as_deref(),
            Some(
                "this job runs the reusable workflow octo/shared/.github/workflows/publish.yml \
                 (called from octo/demo/.github/workflows/release.yml)"
            )
        );
        assert_eq!(reusable_workflow_warning(&claims(GITHUB)), None);
    }

    #[test]
    fn a_reusable_workflow_no_publisher_can_match_replaces_the_fields() {
        let c = reusable("octo/shared/.github/workflows/publish.yml@refs/heads/main");
        let refusal = refused(&no_publisher(), Provider::GitHub, &c, "https://pypi.org/p/");
        assert!(
            refusal.text.contains(
                "no trusted publisher can match this run:\n  this job runs the reusable \
                 workflow octo/shared/.github/workflows/publish.yml (called from \
                 octo/demo/.github/workflows/release.yml)\n  PyPI looks the trusted publisher \
                 up by octo/demo"
            ),
            "{}",
            refusal.text
        );
        assert!(!refusal.text.contains("must say"), "{}", refusal.text);
        assert!(!refusal.text.contains("pre-filled"), "{}", refusal.text);
        assert_eq!(
            refusal.remedy,
            Remedy::UploadFromCaller {
                caller: "release.yml".into()
            }
        );
    }

    #[test]
    fn a_reusable_workflow_of_this_run_names_the_called_file() {
        let c = reusable("octo/demo/.github/workflows/publish.yml@refs/tags/v1");
        let refusal = refused(&no_publisher(), Provider::GitHub, &c, "https://pypi.org/p/");
        let text = &refusal.text;
        assert!(text.contains("  workflow: publish.yml\n"), "{text}");
        assert!(text.contains("workflow_filename=publish.yml"), "{text}");
        assert!(
            text.contains("the publisher on PyPI must name publish.yml, not release.yml\n"),
            "{text}"
        );
        assert!(
            text.contains("\n  PyPI refuses PEP 740 attestations made in this job"),
            "{text}"
        );
        assert_eq!(refusal.remedy, Remedy::MatchPublisher);
    }

    #[test]
    fn other_refusals_say_nothing_of_the_workflow() {
        let c = reusable("octo/shared/.github/workflows/publish.yml@refs/heads/main");
        let errors = [ServerError {
            code: "invalid-reuse-token".into(),
            description: "invalid token: already used".into(),
        }];
        let refusal = refused(&errors, Provider::GitHub, &c, "u");
        assert!(
            !refusal.text.contains("reusable workflow"),
            "{}",
            refusal.text
        );
        assert_eq!(refusal.remedy, Remedy::FreshToken);
    }

    #[test]
    fn claim_values_cannot_start_a_workflow_command() {
        let c = claims(
            r#"{"repository": "o/r", "environment": "prod\n::add-mask::x\u001b[1m",
            "job_workflow_ref": "o/r/.github/workflows/w.yml@refs/heads/main"}"#,
        );
        let text = refused(&[], Provider::GitHub, &c, "u").text;
        assert!(
            text.contains("  environment: prod\n: :add-mask::x\n"),
            "{text}"
        );
        assert!(
            !text.lines().any(|l| l.trim_start().starts_with("::")),
            "{text}"
        );
    }

    #[test]
    fn unsupported_providers_say_so() {
        let text = refused(&[], Provider::Buildkite, &claims("{}"), "u").text;
        assert!(
            text.contains("PyPI does not accept Buildkite tokens"),
            "{text}"
        );
    }
}
