//! Parity with twine 7: each good fixture is uploaded by twine and by mintup to
//! the fake index, and the form fields compared. The differences allowed here
//! are deliberate and listed in the README.

use std::collections::BTreeMap;

use crate::support::fake_index::{FakeIndex, Received};
use crate::support::peers::twine;
use crate::support::{good_files, upload, upload_args};

fn twine_fields(path: &str) -> Received {
    let index = FakeIndex::accepting();
    let home = tempfile::tempdir().unwrap();
    let out = twine(home.path())
        .args(upload_args(&index.url, "u"))
        .args(["--non-interactive", "--disable-progress-bar", path])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "twine failed on {path}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    index.received().remove(0)
}

fn mintup_fields(path: &str) -> Received {
    let index = FakeIndex::accepting();
    let out = upload(&index.url, "u", &[], &[path.to_owned()]);
    assert_eq!(out.code, 0, "mintup failed on {path}: {}", out.stderr);
    index.received().remove(0)
}

/// twine's "safe name": runs of anything but letters, digits and `.` become `-`.
fn safe_name(name: &str) -> String {
    let mut out = String::new();
    let mut in_run = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '.' {
            out.push(c);
            in_run = false;
        } else if !in_run {
            out.push('-');
            in_run = true;
        }
    }
    out
}

/// Undo distutils' and setuptools' folding of a `Description:` header: each
/// continuation line loses its 8-space or 7-space-and-`|` prefix.
fn unfold(folded: &str) -> String {
    let mut lines = folded.lines();
    let mut out = vec![lines.next().unwrap_or_default().to_owned()];
    for line in lines {
        let line = match line.strip_prefix("       |") {
            Some(rest) => rest,
            None => line.strip_prefix("        ").unwrap_or(line),
        };
        out.push(line.trim_end().to_owned());
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

fn multiset(fields: &[(String, String)]) -> BTreeMap<(String, String), usize> {
    let mut set = BTreeMap::new();
    for field in fields {
        *set.entry(field.clone()).or_default() += 1;
    }
    set
}

#[test]
fn fields_match_twine_except_the_documented_differences() {
    for path in good_files() {
        let theirs = twine_fields(&path);
        let ours = mintup_fields(&path);
        let mut t = theirs.fields.clone();
        let mut o = ours.fields.clone();

        // 1. No md5: twine 7 still sends it when hashlib has it; PyPI no longer needs it.
        t.retain(|(k, _)| k != "md5_digest");
        // 2. The name as written, where twine sends its safe name.
        let our_name = ours.field("name").unwrap().to_owned();
        assert_eq!(
            theirs.field("name"),
            Some(safe_name(&our_name).as_str()),
            "{path}"
        );
        t.retain(|(k, _)| k != "name");
        o.retain(|(k, _)| k != "name");
        // 3. requires_python always present (empty when unset), for GitLab.
        if ours.field("requires_python") == Some("") {
            assert_eq!(theirs.field("requires_python"), None, "{path}");
            o.retain(|(k, v)| !(k == "requires_python" && v.is_empty()));
        }
        // 4. Metadata 2.5's Import-Name / Import-Namespace, which twine drops.
        for field in ["import_name", "import_namespace"] {
            assert!(
                theirs.all(field).is_empty(),
                "{path}: twine now sends {field}"
            );
            o.retain(|(k, _)| k != field);
        }
        // 5. A description folded into a header is unfolded (pypa/twine#1218):
        //    ours must equal twine's with the fold prefixes removed.
        if let (Some(td), Some(od)) = (theirs.field("description"), ours.field("description"))
            && td != od
        {
            assert_eq!(
                od,
                unfold(td),
                "{path}: our description is not twine's, unfolded"
            );
            assert_ne!(unfold(td), td, "{path}: twine's description was not folded");
            t.retain(|(k, _)| k != "description");
            o.retain(|(k, _)| k != "description");
        }

        assert_eq!(
            multiset(&o),
            multiset(&t),
            "{path}: fields differ from twine's"
        );
        let file = |r: &Received| {
            r.files
                .iter()
                .map(|f| {
                    (
                        f.field.clone(),
                        f.filename.clone(),
                        f.content_type.clone(),
                        f.sha256.clone(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(file(&ours), file(&theirs), "{path}: file parts differ");
    }
}
