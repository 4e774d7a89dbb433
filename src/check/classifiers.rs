//! The trove classifiers PyPI knows, bundled from the trove-classifiers
//! package by `scripts/update-classifiers` (`classifiers.txt` names the
//! version it was made from).

use std::collections::HashMap;
use std::sync::OnceLock;

const LIST: &str = include_str!("classifiers.txt");

/// What the list says of one classifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Known {
    Current,
    /// Deprecated, with its replacements (possibly none).
    Deprecated(Vec<&'static str>),
}

fn table() -> &'static HashMap<&'static str, Known> {
    static TABLE: OnceLock<HashMap<&'static str, Known>> = OnceLock::new();
    TABLE.get_or_init(|| {
        LIST.lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|line| match line.split_once(" -> ") {
                Some((name, replacements)) => (
                    name,
                    Known::Deprecated(
                        replacements
                            .split(" | ")
                            .map(str::trim)
                            .filter(|r| !r.is_empty())
                            .collect(),
                    ),
                ),
                None => (line, Known::Current),
            })
            .collect()
    })
}

pub fn lookup(classifier: &str) -> Option<&'static Known> {
    table().get(classifier)
}

/// The trove-classifiers version the list was made from.
pub fn source() -> &'static str {
    LIST.lines()
        .next()
        .and_then(|l| l.strip_prefix("# "))
        .and_then(|l| l.split(':').next())
        .unwrap_or("unknown")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_deprecated_and_unknown() {
        assert_eq!(
            lookup("Programming Language :: Python :: 3"),
            Some(&Known::Current)
        );
        assert!(matches!(
            lookup("License :: OSI Approved :: Intel Open Source License"),
            Some(Known::Deprecated(r)) if r.is_empty()
        ));
        assert_eq!(lookup("Programming Language :: Cobol :: 85"), None);
        assert!(source().starts_with("trove-classifiers 20"), "{}", source());
    }
}
