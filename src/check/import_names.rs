//! Metadata 2.5's Import-Name and Import-Namespace values (PEP 794), as
//! `packaging` 26 validates them for Warehouse (`_process_import_names`):
//! dotted Python identifiers, none a keyword, optionally `; private`.

use super::{Problem, SPEC, Target};
use crate::dist::Metadata;

/// Python's hard keywords (`keyword.kwlist`).
const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

pub(super) fn check(meta: &Metadata, target: Target) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (field, values) in [
        ("import-name", &meta.import_names),
        ("import-namespace", &meta.import_namespaces),
    ] {
        // A lone empty value says "nothing to import"; Warehouse's form
        // reader drops it for either field.
        if values.len() == 1 && values[0].is_empty() {
            continue;
        }
        for value in values {
            if let Err(message) = judge(field, value) {
                problems.push(target.pypi_rule(
                    "import-name",
                    message,
                    format!("write a dotted module path such as pkg.sub, optionally with '; private'; {SPEC}"),
                ));
            }
        }
    }
    problems
}

/// `packaging`'s verdict on one value of `field`, in its words.
fn judge(field: &str, value: &str) -> Result<(), String> {
    let (name, private) = match value.split_once(';') {
        Some((name, option)) => (name, Some(option)),
        None => (value, None),
    };
    let name = name.trim_end();
    for identifier in name.split('.') {
        if !is_identifier(identifier) {
            return Err(format!(
                "'{name}' is invalid for '{field}'; '{identifier}' is not a valid identifier"
            ));
        }
        if KEYWORDS.contains(&identifier) {
            return Err(format!(
                "'{name}' is invalid for '{field}'; '{identifier}' is a keyword"
            ));
        }
    }
    match private {
        Some(option) if option.trim_start() != "private" => Err(format!(
            "'{value}' is invalid for '{field}'; the only valid option is 'private'"
        )),
        _ => Ok(()),
    }
}

/// `str.isidentifier` for ASCII; other letters are left to PyPI, as Rust's
/// standard library does not know Unicode's identifier classes.
fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let start = |c: char| c == '_' || c.is_ascii_alphabetic() || !c.is_ascii();
    start(first) && chars.all(|c| start(c) || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_keywords_and_the_private_option() {
        let judge = |value| judge("import-name", value);
        for good in [
            "pkg",
            "pkg.sub",
            "_private.mod_2",
            "pkg ; private",
            "pkg;private",
            "café",
        ] {
            assert_eq!(judge(good), Ok(()), "{good}");
        }
        assert_eq!(
            judge("my-pkg"),
            Err("'my-pkg' is invalid for 'import-name'; 'my-pkg' is not a valid identifier".into())
        );
        assert_eq!(
            judge("pkg..sub"),
            Err("'pkg..sub' is invalid for 'import-name'; '' is not a valid identifier".into())
        );
        assert_eq!(
            judge("pkg.class"),
            Err("'pkg.class' is invalid for 'import-name'; 'class' is a keyword".into())
        );
        assert_eq!(
            judge("pkg; public"),
            Err(
                "'pkg; public' is invalid for 'import-name'; the only valid option is 'private'"
                    .into()
            )
        );
        assert!(judge("2fast").is_err());
        assert!(judge(" pkg").is_err(), "only the end is trimmed");
    }

    #[test]
    fn a_lone_empty_value_is_no_name() {
        let meta = |names: &[&str]| Metadata {
            import_names: names.iter().map(|s| s.to_string()).collect(),
            ..Metadata::default()
        };
        let pypi = Target(crate::index::IndexKind::Pypi);
        assert!(check(&meta(&[""]), pypi).is_empty());
        assert_eq!(check(&meta(&["", "ok"]), pypi).len(), 1);
        assert_eq!(
            check(&meta(&["ok", "not-ok"]), pypi)[0].message,
            "'not-ok' is invalid for 'import-name'; 'not-ok' is not a valid identifier"
        );
    }
}
