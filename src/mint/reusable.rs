//! A GitHub job that runs a reusable workflow: which workflow file PyPI
//! matches its trusted publisher against, whether any publisher can match,
//! and why PyPI refuses the job's PEP 740 attestations. Pure: text from
//! claims, per Warehouse's `oidc/models/github.py` and pypi-attestations'
//! GitHub policy.

use std::fmt;

use super::claims::Claims;
use crate::untrusted;

/// `owner/repo/.github/workflows/file.yml@ref`, the form of the
/// `workflow_ref` and `job_workflow_ref` claims.
#[derive(Debug, Clone, PartialEq, Eq)]
struct WorkflowRef {
    repository: String,
    file: String,
}

impl WorkflowRef {
    /// Both the file and the ref may hold `@`; as Warehouse's
    /// `_WORKFLOW_FILENAME_RE` does, the file ends at the first `@` that
    /// follows `.yml` or `.yaml`.
    fn parse(text: &str) -> Option<Self> {
        let (repository, rest) = text.split_once("/.github/workflows/")?;
        let at = rest
            .match_indices('@')
            .map(|(i, _)| i)
            .find(|&i| rest[..i].ends_with(".yml") || rest[..i].ends_with(".yaml"))?;
        let file = &rest[..at];
        (!file.contains('/')).then(|| WorkflowRef {
            repository: repository.to_owned(),
            file: file.to_owned(),
        })
    }

    fn path(&self) -> String {
        format!("{}/.github/workflows/{}", self.repository, self.file)
    }
}

/// A job whose `job_workflow_ref` differs from its `workflow_ref`: the
/// definition Warehouse uses (`oidc/views.py`, `is_from_reusable_workflow`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReusableWorkflow {
    /// `workflow_ref`: the workflow the run started, which PyPI checks
    /// attestations against (Fulcio's Build Config URI).
    caller: WorkflowRef,
    /// `job_workflow_ref`: the workflow this job runs, whose file PyPI's
    /// publisher lookup uses.
    called: WorkflowRef,
    /// `job_workflow_ref` as GitHub wrote it: Warehouse compares it whole.
    called_raw: String,
    /// The `repository` claim: whose publishers PyPI searches.
    repository: String,
    /// What Warehouse's `_check_job_workflow_ref` accepts as
    /// `job_workflow_ref`: the called file in `repository`, at the run's
    /// `ref` or `sha`.
    accepted: Vec<String>,
}

impl ReusableWorkflow {
    /// `None` for a job that runs the workflow the run started, or when a
    /// claim is missing or not of the usual form.
    pub fn of(claims: &Claims) -> Option<Self> {
        let caller_raw = claims.get("workflow_ref")?;
        let called_raw = claims.get("job_workflow_ref")?;
        if caller_raw == called_raw {
            return None;
        }
        let caller = WorkflowRef::parse(&caller_raw)?;
        let called = WorkflowRef::parse(&called_raw)?;
        let repository = claims.get("repository")?;
        let accepted = ["ref", "sha"]
            .into_iter()
            .filter_map(|name| claims.get(name).filter(|v| !v.is_empty()))
            .map(|git_ref| format!("{repository}/.github/workflows/{}@{git_ref}", called.file))
            .collect();
        Some(ReusableWorkflow {
            caller,
            called,
            called_raw,
            repository,
            accepted,
        })
    }

    /// Whether some publisher can match: Warehouse compares the whole
    /// `job_workflow_ref`, so the called workflow must live in the run's
    /// repository and be called at the run's ref or commit, as
    /// `uses: ./.github/workflows/…` does. The repository is compared
    /// without case, as GitHub names are, so as never to call a run
    /// hopeless that PyPI might accept.
    pub fn can_match(&self) -> bool {
        let lower = self.called_raw.to_lowercase();
        self.accepted.iter().any(|a| a.to_lowercase() == lower)
    }

    /// The calling workflow's file, where an upload that PyPI accepts
    /// with attestations has to run.
    pub fn caller_file(&self) -> String {
        shown(&self.caller.file)
    }

    /// Which file PyPI matches, and what to register or change.
    pub fn lookup(&self) -> String {
        let called = shown(&self.called.file);
        if self.can_match() {
            return format!(
                "PyPI matches the trusted publisher's workflow against the file in \
                 job_workflow_ref, the called workflow: the publisher on PyPI must name \
                 {called}, not {}",
                self.caller_file()
            );
        }
        let accepted = if self.accepted.is_empty() {
            format!(
                "{}/.github/workflows/{called}@<the run's ref or commit>",
                shown(&self.repository)
            )
        } else {
            self.accepted
                .iter()
                .map(|a| shown(a))
                .collect::<Vec<_>>()
                .join(" or ")
        };
        format!(
            "PyPI looks the trusted publisher up by {} and the file in job_workflow_ref \
             ({called}), then requires job_workflow_ref to be {accepted}; it is {}, so no \
             publisher can match this job: upload from {} itself, or call a workflow of {} \
             at the run's ref with `uses: ./.github/workflows/{called}`",
            shown(&self.repository),
            shown(&self.called_raw),
            self.caller_file(),
            shown(&self.repository),
        )
    }

    /// Why PyPI refuses this job's attestations: it verifies them against
    /// the publisher's workflow, which must be the called file to mint, but
    /// the certificate's Build Config URI names the calling one.
    fn attestations(&self) -> String {
        format!(
            "PyPI refuses PEP 740 attestations made in this job: it checks the signing \
             certificate's Build Config URI, which names the calling workflow ({}, from \
             workflow_ref), against the publisher's workflow, which names the called one \
             ({}); to attest, upload from {} itself",
            self.caller_file(),
            shown(&self.called.file),
            self.caller_file()
        )
    }

    /// The warning for a mint: what the job runs, which file PyPI matches,
    /// and the attestations.
    pub fn warning(&self) -> String {
        format!("{self}\n  {}\n  {}", self.lookup(), self.attestations())
    }
}

/// One line naming both workflows.
impl fmt::Display for ReusableWorkflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "this job runs the reusable workflow {} (called from {})",
            shown(&self.called.path()),
            shown(&self.caller.path())
        )
    }
}

/// Claim values come from outside (branch names): made safe to print.
fn shown(value: &str) -> String {
    untrusted::for_log(value, &[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn claims(called: &str, extra: &str) -> Claims {
        let json = format!(
            r#"{{"repository": "octo/demo", "ref": "refs/tags/v1", {extra}
            "workflow_ref": "octo/demo/.github/workflows/release.yml@refs/tags/v1",
            "job_workflow_ref": "{called}"}}"#
        );
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
        Claims::decode(&format!("h.{payload}.s")).unwrap()
    }

    #[test]
    fn refs_split_at_the_first_at_after_the_extension() {
        assert_eq!(
            WorkflowRef::parse("o/r/.github/workflows/a@b.yml@refs/heads/x@y"),
            Some(WorkflowRef {
                repository: "o/r".into(),
                file: "a@b.yml".into(),
            })
        );
        assert_eq!(WorkflowRef::parse("o/r/.github/workflows/w.txt@main"), None);
        assert_eq!(WorkflowRef::parse("o/r/w.yml@main"), None);
    }

    #[test]
    fn the_workflow_the_run_started_is_not_reusable() {
        let same = claims("octo/demo/.github/workflows/release.yml@refs/tags/v1", "");
        assert_eq!(ReusableWorkflow::of(&same), None);
    }

    #[test]
    fn same_repository_and_ref_matches_the_called_file() {
        let c = claims("octo/demo/.github/workflows/publish.yml@refs/tags/v1", "");
        let reusable = ReusableWorkflow::of(&c).unwrap();
        assert!(reusable.can_match());
        assert_eq!(
            reusable.lookup(),
            "PyPI matches the trusted publisher's workflow against the file in \
             job_workflow_ref, the called workflow: the publisher on PyPI must name \
             publish.yml, not release.yml"
        );
        assert!(
            reusable
                .attestations()
                .starts_with("PyPI refuses PEP 740 attestations made in this job")
        );
    }

    #[test]
    fn the_commit_is_accepted_as_the_ref_is() {
        let c = claims(
            "Octo/Demo/.github/workflows/publish.yml@abc123",
            r#""sha": "abc123","#,
        );
        assert!(ReusableWorkflow::of(&c).unwrap().can_match());
    }

    #[test]
    fn another_repository_or_ref_can_match_no_publisher() {
        for called in [
            "octo/shared/.github/workflows/publish.yml@refs/tags/v1",
            "octo/demo/.github/workflows/publish.yml@refs/heads/main",
        ] {
            let reusable = ReusableWorkflow::of(&claims(called, "")).unwrap();
            assert!(!reusable.can_match(), "{called}");
            let lookup = reusable.lookup();
            assert!(
                lookup.contains(&format!(
                    "then requires job_workflow_ref to be \
                     octo/demo/.github/workflows/publish.yml@refs/tags/v1; it is {called}, so no \
                     publisher can match this job: upload from release.yml itself"
                )),
                "{lookup}"
            );
        }
    }

    #[test]
    fn the_warning_names_both_workflows_first() {
        let c = claims(
            "octo/shared/.github/workflows/publish.yml@refs/heads/main",
            "",
        );
        let warning = ReusableWorkflow::of(&c).unwrap().warning();
        assert!(
            warning.starts_with(
                "this job runs the reusable workflow octo/shared/.github/workflows/publish.yml \
                 (called from octo/demo/.github/workflows/release.yml)\n  PyPI looks"
            ),
            "{warning}"
        );
        assert!(
            warning.contains("\n  PyPI refuses PEP 740 attestations"),
            "{warning}"
        );
    }

    #[test]
    fn branch_names_cannot_start_a_workflow_command() {
        let c = claims(
            "octo/demo/.github/workflows/publish.yml@refs/heads/x\\n::add-mask::y",
            "",
        );
        let warning = ReusableWorkflow::of(&c).unwrap().warning();
        assert!(!warning.lines().any(|l| l.starts_with("::")), "{warning}");
    }
}
