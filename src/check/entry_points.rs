//! A wheel's `entry_points.txt`, as Warehouse validates it
//! (warehouse/utils/wheel.py `_validate_entrypoints`): UTF-8, an INI file
//! Python's `configparser` reads with `=` as the only delimiter, and
//! `console_scripts` and `gui_scripts` names matching `[\w.-]+`, so that no
//! script name is a path.

use std::collections::HashSet;

use super::{FileFacts, Problem, Target};

/// Why `entry_points.txt` is refused; the 1-based line where there is one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum EntryPointsError {
    #[error("entry_points.txt is not decodable as UTF-8")]
    NotUtf8,
    #[error("line {0}: File contains no section headers")]
    NoSection(usize),
    #[error("line {line}: section '{section}' already exists")]
    DuplicateSection { line: usize, section: String },
    #[error("line {line}: option '{name}' in section '{section}' already exists")]
    DuplicateName {
        line: usize,
        section: String,
        name: String,
    },
    #[error("line {line}: '{text}' is not `name = value`")]
    NotAnEntry { line: usize, text: String },
    #[error("Invalid entry point name '{name}' in '{section}'")]
    InvalidName { section: String, name: String },
}

pub(super) fn check(file: &FileFacts, target: Target) -> Vec<Problem> {
    let Some(bytes) = &file.entry_points else {
        return Vec::new();
    };
    match validate(bytes) {
        Ok(()) => Vec::new(),
        Err(e) => vec![target.pypi_rule(
            "entry-points",
            format!(
                "Wheel '{}' has invalid entry points defined in the entry_points.txt file: {e}",
                file.filename.filename
            ),
            "write one `name = module:function` per line under [console_scripts] or \
             [gui_scripts], with names of letters, digits, '_', '.' and '-'",
        )],
    }
}

/// Python's `str.isspace`, which `strip()` and the `\s` of `configparser`'s
/// patterns use.
fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\x1c'..='\x1f')
}

/// A name `[\w.-]+` matches, with Python's Unicode `\w`.
fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// The sections and their names in order, as `configparser` with
/// `delimiters=("=",)`, `strict=True` and case-sensitive names reads them.
#[derive(Default)]
struct Ini {
    sections: Vec<(String, Vec<String>)>,
    /// `[DEFAULT]`'s names, which every section lists too.
    defaults: Vec<String>,
}

impl Ini {
    fn names(&self, section: &str) -> Option<impl Iterator<Item = &String>> {
        let (_, own) = self.sections.iter().find(|(name, _)| name == section)?;
        Some(
            own.iter()
                .chain(self.defaults.iter().filter(|d| !own.contains(d))),
        )
    }
}

fn validate(bytes: &[u8]) -> Result<(), EntryPointsError> {
    let text = std::str::from_utf8(bytes).map_err(|_| EntryPointsError::NotUtf8)?;
    let ini = parse(text)?;
    for section in ["console_scripts", "gui_scripts"] {
        if let Some(mut names) = ini.names(section)
            && let Some(bad) = names.find(|name| !is_valid_name(name))
        {
            return Err(EntryPointsError::InvalidName {
                section: section.into(),
                name: bad.clone(),
            });
        }
    }
    Ok(())
}

/// `RawConfigParser._read_inner`: a bad line is remembered and reported at
/// the end, while a missing section header or a repeat stops at once.
fn parse(text: &str) -> Result<Ini, EntryPointsError> {
    let mut ini = Ini::default();
    // The open section: an index into `sections`, or DEFAULT's `None`.
    let mut open: Option<Option<usize>> = None;
    // (section, name) pairs read so far, to find a repeat at once.
    let mut seen: HashSet<(Option<usize>, String)> = HashSet::new();
    let mut in_entry = false;
    let mut indent_level = usize::MAX;
    let mut first_bad = None;
    for (index, line) in text.split('\n').enumerate() {
        let line_no = index + 1;
        let clean = line.trim_matches(is_space);
        if clean.is_empty() || clean.starts_with(['#', ';']) {
            continue;
        }
        let indent = line.chars().take_while(|&c| is_space(c)).count();
        // Deeper than the entry above: more of its value.
        if open.is_some() && in_entry && indent > indent_level {
            continue;
        }
        indent_level = indent;
        if let Some(header) = section_header(clean) {
            in_entry = false;
            if header == "DEFAULT" {
                open = Some(None);
                continue;
            }
            if ini.sections.iter().any(|(name, _)| name == header) {
                return Err(EntryPointsError::DuplicateSection {
                    line: line_no,
                    section: header.into(),
                });
            }
            ini.sections.push((header.into(), Vec::new()));
            open = Some(Some(ini.sections.len() - 1));
            continue;
        }
        let Some(section) = open else {
            return Err(EntryPointsError::NoSection(line_no));
        };
        let bad = || EntryPointsError::NotAnEntry {
            line: line_no,
            text: clean.into(),
        };
        let Some((name, _value)) = clean.split_once('=') else {
            first_bad.get_or_insert_with(bad);
            continue;
        };
        let name = name.trim_end_matches(is_space);
        if name.is_empty() {
            first_bad.get_or_insert_with(bad);
        }
        if !seen.insert((section, name.to_owned())) {
            return Err(EntryPointsError::DuplicateName {
                line: line_no,
                section: section.map_or("DEFAULT", |at| &ini.sections[at].0).into(),
                name: name.into(),
            });
        }
        match section {
            Some(at) => ini.sections[at].1.push(name.into()),
            None => ini.defaults.push(name.into()),
        }
        in_entry = !name.is_empty();
    }
    first_bad.map_or(Ok(ini), Err)
}

/// `[name]` as `configparser`'s `\[(?P<header>.+)\]` matches it: from the
/// start to the last `]`, whatever follows.
fn section_header(clean: &str) -> Option<&str> {
    let rest = clean.strip_prefix('[')?;
    let close = rest.rfind(']')?;
    Some(&rest[..close]).filter(|header| !header.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(text: &str) -> Result<(), String> {
        validate(text.as_bytes()).map_err(|e| e.to_string())
    }

    #[test]
    fn real_entry_points_pass() {
        let text = "# generated\n[console_scripts]\nmintup = mintup.cli:main\n\
                    mint-up.x = a:b [extra]\n\n[gui_scripts]\nwin_app=a.b:c\n\
                    [pytest11]\nplugin name with spaces = x:y\n\
                    [other]\nmulti = a\n    continued = line\n\n    after a blank\n";
        assert_eq!(verdict(text), Ok(()));
        assert_eq!(verdict(""), Ok(()));
        assert_eq!(verdict("[console_scripts]\nnaïve = x:y\n"), Ok(()));
    }

    #[test]
    fn script_names_are_never_paths() {
        assert_eq!(
            verdict("[console_scripts]\n../evil = x:y\n"),
            Err("Invalid entry point name '../evil' in 'console_scripts'".into())
        );
        assert_eq!(
            verdict("[gui_scripts]\nmy app = x:y\n"),
            Err("Invalid entry point name 'my app' in 'gui_scripts'".into())
        );
        // DEFAULT's names belong to every section.
        assert_eq!(
            verdict("[DEFAULT]\na/b = x\n[console_scripts]\nok = x:y\n"),
            Err("Invalid entry point name 'a/b' in 'console_scripts'".into())
        );
    }

    #[test]
    fn ini_errors_as_configparser_finds_them() {
        assert_eq!(
            verdict("\n# c\nname = x:y\n"),
            Err("line 3: File contains no section headers".into())
        );
        assert_eq!(
            verdict("[console_scripts]\nname: x.y\nok = a:b\n"),
            Err("line 2: 'name: x.y' is not `name = value`".into())
        );
        assert_eq!(
            verdict("[a]\n= x\n"),
            Err("line 2: '= x' is not `name = value`".into())
        );
        assert_eq!(
            verdict("[a]\nx = 1\n[b]\n[a]\n"),
            Err("line 4: section 'a' already exists".into())
        );
        // A repeat stops the read before the bad line above is reported.
        assert_eq!(
            verdict("[a]\nbad\nx = 1\nx = 2\n"),
            Err("line 4: option 'x' in section 'a' already exists".into())
        );
        assert_eq!(validate(b"[a]\nx = \xff\n"), Err(EntryPointsError::NotUtf8));
    }

    #[test]
    fn sections_and_continuations_as_configparser_reads_them() {
        assert_eq!(section_header("[a] trailing"), Some("a"));
        assert_eq!(section_header("[a]b]"), Some("a]b"));
        assert_eq!(section_header("[]"), None);
        // Names are case-sensitive, and an indented line after a section
        // header is an entry, not a continuation.
        assert_eq!(verdict("[a]\nX = 1\nx = 2\n  y = 3\n"), Ok(()));
        assert_eq!(
            verdict("[console_scripts]\n  bad name = 1\n"),
            Err("Invalid entry point name 'bad name' in 'console_scripts'".into())
        );
    }
}
