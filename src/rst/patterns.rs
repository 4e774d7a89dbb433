//! Which body construct a line starts, by docutils' `Body.patterns`, tried
//! in docutils' order.

use std::sync::LazyLock;

use regex::Regex;

use super::lines::is_punctuation_line;

/// A simple reference name, as a regex fragment.
pub(super) const SIMPLE_NAME: &str = r"[^\W_]+(?:[-._+:][^\W_]+)*";

/// A regex match's end as a count of characters, the unit lines are cut in.
fn chars_to(text: &str, byte: usize) -> usize {
    text[..byte].chars().count()
}

pub(super) fn compile(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a valid built-in pattern")
}

static BULLET: LazyLock<Regex> =
    LazyLock::new(|| compile(r"^[-+*\x{2022}\x{2023}\x{2043}](?: +|$)"));
static ENUMERATOR: LazyLock<Regex> = LazyLock::new(|| {
    let value = r"[0-9]+|[a-z]|[A-Z]|[ivxlcdm]+|[IVXLCDM]+|#";
    compile(&format!(
        r"^(?:\((?P<paren>{value})\)|(?P<plain>{value})(?P<close>[.)]))(?: +|$)"
    ))
});
static OPTION_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    let arg = r"(?:[a-zA-Z][a-zA-Z0-9_-]*|<[^<>]+>)";
    let short = format!(r"[-+][a-zA-Z0-9](?: ?{arg})?");
    let long = format!(r"(?:--|/)[a-zA-Z0-9][a-zA-Z0-9_-]*(?:[ =]{arg})?");
    let option = format!("(?:{short}|{long})");
    compile(&format!(r"^{option}(?:, {option})*(?:  +| ?$)"))
});
static DOCTEST: LazyLock<Regex> = LazyLock::new(|| compile(r"^>>>(?: +|$)"));
static LINE_BLOCK: LazyLock<Regex> = LazyLock::new(|| compile(r"^\|(?: +|$)"));
pub(super) static GRID_TABLE_BORDER: LazyLock<Regex> =
    LazyLock::new(|| compile(r"^\+-[-+]+-\+ *$"));
pub(super) static SIMPLE_TABLE_BORDER: LazyLock<Regex> =
    LazyLock::new(|| compile(r"^=+(?: +=+)+ *$"));
static EXPLICIT: LazyLock<Regex> = LazyLock::new(|| compile(r"^\.\.(?: +|$)"));
static ANONYMOUS: LazyLock<Regex> = LazyLock::new(|| compile(r"^__(?: +|$)"));

/// The construct a non-blank, unindented line starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Marker length (with its spaces).
    Bullet(usize),
    Enumerator,
    /// Marker length (with its spaces).
    Field(usize),
    /// Marker length (with its spaces).
    Option(usize),
    Doctest,
    /// Marker length (with its spaces).
    LineBlock(usize),
    GridTable,
    SimpleTable,
    Explicit,
    /// Marker length (with its spaces).
    Anonymous(usize),
    Line,
    Text,
}

pub(super) fn kind(text: &str) -> Kind {
    if let Some(m) = BULLET.find(text) {
        return Kind::Bullet(chars_to(text, m.end()));
    }
    if ENUMERATOR.is_match(text) {
        return Kind::Enumerator;
    }
    if let Some(end) = field_marker(text) {
        return Kind::Field(end);
    }
    if let Some(m) = OPTION_MARKER.find(text) {
        return Kind::Option(chars_to(text, m.end()));
    }
    if DOCTEST.is_match(text) {
        return Kind::Doctest;
    }
    if let Some(m) = LINE_BLOCK.find(text) {
        return Kind::LineBlock(chars_to(text, m.end()));
    }
    if GRID_TABLE_BORDER.is_match(text) {
        return Kind::GridTable;
    }
    if SIMPLE_TABLE_BORDER.is_match(text) {
        return Kind::SimpleTable;
    }
    if EXPLICIT.is_match(text) {
        return Kind::Explicit;
    }
    if let Some(m) = ANONYMOUS.find(text) {
        return Kind::Anonymous(chars_to(text, m.end()));
    }
    if is_punctuation_line(text) {
        return Kind::Line;
    }
    Kind::Text
}

/// `:name: ` at the start of a line: the marker's length with its spaces.
/// The name may hold escaped characters and colons not followed by a space
/// or backquote; the closing colon is not preceded by a space.
pub(super) fn field_marker(text: &str) -> Option<usize> {
    let chars: Vec<char> = text.chars().collect();
    if chars.first() != Some(&':') || matches!(chars.get(1), None | Some(':' | ' ')) {
        return None;
    }
    let mut i = 1;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                chars.get(i + 1)?;
                i += 2;
                continue;
            }
            ':' => match chars.get(i + 1) {
                None | Some(' ') => {
                    if chars[i - 1] == ' ' {
                        return None;
                    }
                    let spaces = chars[i + 1..].iter().take_while(|&&c| c == ' ').count();
                    return Some(i + 1 + spaces);
                }
                Some('`') => return None,
                Some(_) => {}
            },
            _ => {}
        }
        i += 1;
    }
    None
}

/// An enumerated-list marker: its format, sequence, ordinal (`None` for an
/// invalid Roman numeral) and length with spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Enumerator {
    pub format: &'static str,
    pub sequence: Sequence,
    pub ordinal: Option<u32>,
    pub end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sequence {
    Arabic,
    LowerAlpha,
    UpperAlpha,
    LowerRoman,
    UpperRoman,
    Auto,
}

impl Sequence {
    fn matches(self, text: &str) -> bool {
        let one_char = text.chars().count() == 1;
        match self {
            Sequence::Arabic => text.chars().all(|c| c.is_ascii_digit()),
            Sequence::LowerAlpha => one_char && text.chars().all(|c| c.is_ascii_lowercase()),
            Sequence::UpperAlpha => one_char && text.chars().all(|c| c.is_ascii_uppercase()),
            Sequence::LowerRoman => text.chars().all(|c| "ivxlcdm".contains(c)),
            Sequence::UpperRoman => text.chars().all(|c| "IVXLCDM".contains(c)),
            Sequence::Auto => text == "#",
        }
    }

    /// The marker text for an ordinal in this sequence.
    pub(super) fn render(self, ordinal: u32) -> Option<String> {
        match self {
            Sequence::Arabic => Some(ordinal.to_string()),
            Sequence::LowerAlpha | Sequence::UpperAlpha => {
                let base = if self == Sequence::LowerAlpha {
                    b'a'
                } else {
                    b'A'
                };
                (1..=26)
                    .contains(&ordinal)
                    .then(|| char::from(base + (ordinal - 1) as u8).to_string())
            }
            Sequence::LowerRoman => to_roman(ordinal).map(|r| r.to_lowercase()),
            Sequence::UpperRoman => to_roman(ordinal),
            Sequence::Auto => Some("#".to_owned()),
        }
    }
}

/// Read an enumerator, optionally expecting a sequence (as a list's later
/// items do).
pub(super) fn enumerator(text: &str, expected: Option<Sequence>) -> Option<Enumerator> {
    let caps = ENUMERATOR.captures(text)?;
    let end = chars_to(text, caps.get(0)?.end());
    let (value, format) = match (caps.name("paren"), caps.name("plain"), caps.name("close")) {
        (Some(v), _, _) => (v.as_str(), "parens"),
        (None, Some(v), Some(close)) if close.as_str() == "." => (v.as_str(), "period"),
        (None, Some(v), _) => (v.as_str(), "rparen"),
        _ => return None,
    };
    let sequence = if value == "#" {
        Sequence::Auto
    } else if let Some(expected) = expected.filter(|s| s.matches(value)) {
        expected
    } else if value == "i" {
        Sequence::LowerRoman
    } else if value == "I" {
        Sequence::UpperRoman
    } else {
        [
            Sequence::Arabic,
            Sequence::LowerAlpha,
            Sequence::UpperAlpha,
            Sequence::LowerRoman,
            Sequence::UpperRoman,
        ]
        .into_iter()
        .find(|s| s.matches(value))?
    };
    let ordinal = match sequence {
        Sequence::Auto => Some(1),
        Sequence::Arabic => value.parse().ok(),
        Sequence::LowerAlpha | Sequence::UpperAlpha => {
            Some(u32::from(value.to_ascii_lowercase().as_bytes()[0] - b'a') + 1)
        }
        Sequence::LowerRoman | Sequence::UpperRoman => from_roman(value),
    };
    Some(Enumerator {
        format,
        sequence,
        ordinal,
        end,
    })
}

impl Enumerator {
    /// The marker for `ordinal` in this enumerator's sequence and format.
    pub(super) fn marker(&self, ordinal: u32) -> Option<String> {
        let value = self.sequence.render(ordinal)?;
        Some(match self.format {
            "parens" => format!("({value})"),
            "period" => format!("{value}."),
            _ => format!("{value})"),
        })
    }
}

const ROMAN: &[(u32, &str)] = &[
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
];

fn to_roman(mut n: u32) -> Option<String> {
    if n == 0 || n >= 5000 {
        return None;
    }
    let mut out = String::new();
    for &(value, numeral) in ROMAN {
        while n >= value {
            out.push_str(numeral);
            n -= value;
        }
    }
    Some(out)
}

/// A Roman numeral written the canonical way, as docutils' `roman` module
/// insists.
fn from_roman(text: &str) -> Option<u32> {
    let upper = text.to_ascii_uppercase();
    let mut rest = upper.as_str();
    let mut total = 0;
    for &(value, numeral) in ROMAN {
        while let Some(after) = rest.strip_prefix(numeral) {
            total += value;
            rest = after;
        }
    }
    (rest.is_empty() && to_roman(total).as_deref() == Some(upper.as_str())).then_some(total)
}

/// `.. [label]` footnotes and citations, `.. _target`, `.. |sub|`,
/// `.. name::` directives: what follows the `..`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Explicit {
    Footnote { label: String, end: usize },
    Citation { label: String, end: usize },
    Target { end: usize },
    Substitution { end: usize },
    Directive { name: String, end: usize },
    Comment { end: usize },
}

static FOOTNOTE: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        r"^\.\. +\[(?P<label>[0-9]+|#|#{SIMPLE_NAME}|\*)\](?: +|$)"
    ))
});
static CITATION: LazyLock<Regex> =
    LazyLock::new(|| compile(&format!(r"^\.\. +\[(?P<label>{SIMPLE_NAME})\](?: +|$)")));
static TARGET: LazyLock<Regex> = LazyLock::new(|| compile(r"^\.\. +_[^ ]"));
static SUBSTITUTION: LazyLock<Regex> = LazyLock::new(|| compile(r"^\.\. +\|[^ ]"));
static DIRECTIVE: LazyLock<Regex> =
    LazyLock::new(|| compile(&format!(r"^\.\. +(?P<name>{SIMPLE_NAME}) ?::(?: +|$)")));

pub(super) fn explicit(text: &str) -> Explicit {
    if let Some(c) = FOOTNOTE.captures(text) {
        return Explicit::Footnote {
            label: c["label"].to_owned(),
            end: c.get(0).map_or(0, |m| chars_to(text, m.end())),
        };
    }
    if let Some(c) = CITATION.captures(text) {
        return Explicit::Citation {
            label: c["label"].to_owned(),
            end: c.get(0).map_or(0, |m| chars_to(text, m.end())),
        };
    }
    if let Some(m) = TARGET.find(text) {
        return Explicit::Target {
            end: chars_to(text, m.end()) - 1,
        };
    }
    if let Some(m) = SUBSTITUTION.find(text) {
        return Explicit::Substitution {
            end: chars_to(text, m.end()) - 1,
        };
    }
    if let Some(c) = DIRECTIVE.captures(text) {
        return Explicit::Directive {
            name: c["name"].to_owned(),
            end: c.get(0).map_or(0, |m| chars_to(text, m.end())),
        };
    }
    Explicit::Comment {
        end: EXPLICIT.find(text).map_or(2, |m| chars_to(text, m.end())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_in_docutils_order() {
        assert_eq!(kind("- item"), Kind::Bullet(2));
        assert_eq!(kind("-"), Kind::Bullet(1));
        assert_eq!(kind("1. one"), Kind::Enumerator);
        assert_eq!(kind(":field: body"), Kind::Field(8));
        assert_eq!(kind(":class:`Foo` is"), Kind::Text);
        assert_eq!(kind("--verbose  talk more"), Kind::Option(11));
        assert_eq!(kind("-1 means none"), Kind::Text);
        assert_eq!(kind(">>> 1 + 1"), Kind::Doctest);
        assert_eq!(kind("| line"), Kind::LineBlock(2));
        assert_eq!(kind("|badge|"), Kind::Text);
        assert_eq!(kind("+---+---+"), Kind::GridTable);
        assert_eq!(kind("=== ==="), Kind::SimpleTable);
        assert_eq!(kind("======="), Kind::Line);
        assert_eq!(kind(".. note::"), Kind::Explicit);
        assert_eq!(kind("__ https://x"), Kind::Anonymous(3));
        assert_eq!(kind("Text"), Kind::Text);
    }

    #[test]
    fn enumerators_and_their_sequences() {
        let e = enumerator("i. first", None).unwrap();
        assert_eq!(e.sequence, Sequence::LowerRoman);
        assert_eq!(e.marker(2).as_deref(), Some("ii."));
        let e = enumerator("(b) second", None).unwrap();
        assert_eq!((e.sequence, e.ordinal), (Sequence::LowerAlpha, Some(2)));
        assert_eq!(enumerator("ic. x", None).unwrap().ordinal, None);
        assert_eq!(
            enumerator("3) x", None).unwrap().marker(4).as_deref(),
            Some("4)")
        );
    }

    #[test]
    fn explicit_constructs() {
        assert!(matches!(explicit(".. [1] note"), Explicit::Footnote { .. }));
        assert!(matches!(
            explicit(".. [#auto] note"),
            Explicit::Footnote { .. }
        ));
        assert!(matches!(
            explicit(".. [CIT2002] x"),
            Explicit::Citation { .. }
        ));
        assert!(matches!(
            explicit(".. _name: https://x"),
            Explicit::Target { end: 4 }
        ));
        assert!(matches!(
            explicit(".. |sub| image:: x.png"),
            Explicit::Substitution { .. }
        ));
        assert!(
            matches!(explicit(".. code-block:: python"), Explicit::Directive { name, .. } if name == "code-block")
        );
        assert!(matches!(explicit(".. a comment"), Explicit::Comment { .. }));
        assert!(matches!(
            explicit(".. note: not a directive"),
            Explicit::Comment { .. }
        ));
    }
}
