//! The reStructuredText judge against docutils itself: every sample in
//! `fixtures/rst` gets the verdict readme_renderer 46 (PyPI's renderer, on
//! docutils 0.23) gives it, run live from the test venv.

use std::process::Command;

use crate::support::{peers::venv_bin, root};

/// (file, passes, docutils' first message) for every sample, from the real
/// renderer.
fn docutils_verdicts() -> Vec<(String, bool, String)> {
    let out = Command::new(venv_bin("python"))
        .arg(root().join("fixtures/rst/verdicts.py"))
        .output()
        .expect("run verdicts.py");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("UTF-8")
        .lines()
        .map(|line| {
            let mut parts = line.splitn(3, '\t');
            let file = parts.next().unwrap_or_default().to_owned();
            let passes = parts.next() == Some("pass");
            (file, passes, parts.next().unwrap_or_default().to_owned())
        })
        .collect()
}

#[test]
fn every_sample_gets_the_verdict_docutils_gives() {
    let verdicts = docutils_verdicts();
    assert!(verdicts.len() >= 60, "too few samples: {}", verdicts.len());
    let mut disagreements = Vec::new();
    for (file, passes, message) in &verdicts {
        let text = std::fs::read_to_string(root().join("fixtures/rst").join(file)).expect("read");
        let ours = mintup::rst::check(&text).expect("a sample short enough to judge");
        if ours.is_empty() != *passes {
            let first = ours
                .first()
                .map(|d| format!("line {}: {}", d.line, d.message))
                .unwrap_or_default();
            disagreements.push(format!("{file}: docutils '{message}', mintup '{first}'"));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} samples disagree:\n{}",
        disagreements.len(),
        verdicts.len(),
        disagreements.join("\n")
    );
}
