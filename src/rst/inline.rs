//! Inline markup, recognised as docutils' `Inliner` recognises it: where a
//! start-string may begin and an end-string may close it, the references,
//! substitutions and roles a text uses, and the start-strings left open.

use super::document::{CustomRole, Document, Numbering};
use super::registry;

/// How much of the inline checking applies to a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// Every message docutils would give.
    Full,
    /// Only note what the text refers to and defines: for table cells,
    /// whose exact cell text this checker does not reconstruct.
    Collect,
}

/// A text to parse: one paragraph, title or cell, its lines joined by `\n`.
pub(super) struct Inline<'a> {
    pub text: &'a str,
    pub line: usize,
    pub mode: Mode,
}

/// Parse the text's inline markup into `doc`; returns the text without its
/// markup (a section title's target name comes from it).
pub(super) fn parse(doc: &mut Document, inline: Inline<'_>) -> String {
    let chars: Vec<char> = escape(inline.text).chars().collect();
    let newlines: Vec<usize> = chars
        .iter()
        .enumerate()
        .filter(|(_, c)| **c == '\n')
        .map(|(i, _)| i)
        .collect();
    let mut scanner = Scanner {
        chars: &chars,
        newlines: &newlines,
        doc,
        line: inline.line,
        mode: inline.mode,
        plain: String::new(),
    };
    scanner.run();
    scanner.plain
}

/// docutils' `escape2null`: a backslash becomes NUL and keeps the character
/// it escapes from being markup.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.push('\0');
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters that may precede a start-string: openers and delimiters.
fn opens(c: char) -> bool {
    matches!(c, '"' | '\'' | '(' | '<' | '[' | '{' | '-' | '/' | ':') || unicode_punctuation(c)
}

/// Characters that may follow an end-string: closers and delimiters.
fn closes(c: char) -> bool {
    matches!(
        c,
        '\0' | '\\'
            | '.'
            | ','
            | ';'
            | '!'
            | '?'
            | '-'
            | '/'
            | ':'
            | '"'
            | '\''
            | ')'
            | ']'
            | '}'
            | '>'
    ) || unicode_punctuation(c)
}

/// Non-ASCII punctuation (docutils lists Unicode's Ps, Pe, Pi, Pf, Pd and Po
/// classes); symbols are rare enough around markup to count in.
fn unicode_punctuation(c: char) -> bool {
    !c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace()
}

/// A start-string between matching quotes or brackets is not markup.
fn quote_pair(open: char, close: char) -> bool {
    matches!(
        (open, close),
        ('"', '"')
            | ('\'', '\'')
            | ('(', ')')
            | ('<', '>')
            | ('[', ']')
            | ('{', '}')
            | ('“', '”')
            | ('‘', '’')
            | ('«', '»')
            | ('»', '«')
            | ('»', '»')
            | ('‹', '›')
            | ('„', '“')
            | ('‚', '‘')
            | ('「', '」')
            | ('『', '』')
            | ('’', '’')
            | ('”', '”')
    )
}

fn word(c: char) -> bool {
    c.is_alphanumeric()
}

/// The inline constructs a start-string opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opening {
    Strong,
    Emphasis,
    Literal,
    Target,
    Substitution,
}

impl Opening {
    fn start_len(self) -> usize {
        match self {
            Opening::Strong | Opening::Literal | Opening::Target => 2,
            Opening::Emphasis | Opening::Substitution => 1,
        }
    }

    fn node(self) -> &'static str {
        match self {
            Opening::Strong => "strong",
            Opening::Emphasis => "emphasis",
            Opening::Literal => "literal",
            Opening::Target => "target",
            Opening::Substitution => "substitution_reference",
        }
    }
}

struct Scanner<'a, 'd> {
    chars: &'a [char],
    /// Where the text's line breaks are, for line numbers.
    newlines: &'a [usize],
    doc: &'d mut Document,
    line: usize,
    mode: Mode,
    plain: String,
}

impl Scanner<'_, '_> {
    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    fn line_at(&self, i: usize) -> usize {
        self.line + self.newlines.partition_point(|&at| at < i)
    }

    fn warn(&mut self, i: usize, message: String) {
        if self.mode == Mode::Full {
            let line = self.line_at(i);
            self.doc.warning(line, message);
        }
    }

    fn error(&mut self, i: usize, message: String) {
        if self.mode == Mode::Full {
            let line = self.line_at(i);
            self.doc.error(line, message);
        }
    }

    /// After a construct: the end of text, whitespace or closing punctuation.
    fn ends_at(&self, i: usize) -> bool {
        self.at(i).is_none_or(|c| c.is_whitespace() || closes(c))
    }

    /// Not followed by whitespace (the end of text counts as "not").
    fn no_space_at(&self, i: usize) -> bool {
        self.at(i).is_none_or(|c| !c.is_whitespace())
    }

    fn push_plain(&mut self, from: usize, to: usize) {
        self.plain
            .extend(self.chars[from..to].iter().filter(|&&c| c != '\0'));
    }

    fn run(&mut self) {
        let mut segment_start = 0;
        let mut i = 0;
        while i < self.chars.len() {
            let prefix_ok = i == segment_start || {
                let before = self.chars[i - 1];
                before.is_whitespace() || opens(before)
            };
            if prefix_ok && let Some(next) = self.construct_at(i, segment_start) {
                segment_start = next;
                i = next;
                continue;
            }
            self.push_plain(i, i + 1);
            i += 1;
        }
    }

    /// Try every construct at `i`, in docutils' order; the position after
    /// it when one starts here.
    fn construct_at(&mut self, i: usize, segment_start: usize) -> Option<usize> {
        if let Some(opening) = self.opening_at(i) {
            return Some(self.enclosed(i, segment_start, opening));
        }
        if let Some(next) = self.named_reference_at(i) {
            return Some(next);
        }
        if let Some(next) = self.footnote_reference_at(i) {
            return Some(next);
        }
        self.interpreted_at(i, segment_start)
    }

    fn opening_at(&self, i: usize) -> Option<Opening> {
        let c = self.at(i)?;
        let next = self.at(i + 1);
        let opening = match (c, next) {
            ('*', Some('*')) => Opening::Strong,
            ('*', _) => Opening::Emphasis,
            ('`', Some('`')) => Opening::Literal,
            ('_', Some('`')) => Opening::Target,
            ('|', next) if next != Some('|') => Opening::Substitution,
            _ => return None,
        };
        self.no_space_at(i + opening.start_len()).then_some(opening)
    }

    /// Quoted: `"*"`, `(*)` — or a start-string at the very end of the text.
    fn quoted(&self, i: usize, segment_start: usize, after: usize) -> bool {
        if i == segment_start {
            return false;
        }
        match self.at(after) {
            None => true,
            Some(close) => quote_pair(self.chars[i - 1], close),
        }
    }

    /// Strong, emphasis, literal, inline target, substitution reference.
    fn enclosed(&mut self, i: usize, segment_start: usize, opening: Opening) -> usize {
        let body = i + opening.start_len();
        if self.quoted(i, segment_start, body) {
            self.push_plain(i, body);
            return body;
        }
        let Some((close, after)) = self.closing(body, opening) else {
            self.warn(
                i,
                format!("Inline {} start-string without end-string.", opening.node()),
            );
            self.push_plain(i, body);
            return body;
        };
        let text: String = self.chars[body..close].iter().collect();
        let line = self.line_at(i);
        match opening {
            Opening::Target => self.doc.explicit_target(&unescape(&text), None, line),
            Opening::Substitution => {
                let name = unescape(&text);
                self.doc.substitution_reference(&name, line);
                match after - close {
                    3 => self.doc.anonymous_reference(line),
                    2 => self.doc.reference(&name, line),
                    _ => {}
                }
            }
            _ => {}
        }
        self.push_plain(body, close);
        after
    }

    /// Where the end-string of `opening` is, searching from `body`, and the
    /// position after it. The first candidate decides: one right at `body`
    /// encloses nothing and does not count.
    fn closing(&self, body: usize, opening: Opening) -> Option<(usize, usize)> {
        let n = self.chars.len();
        for j in body..n {
            let before_ok = j == body || {
                let before = self.chars[j - 1];
                !before.is_whitespace() && (opening == Opening::Literal || before != '\0')
            };
            if !before_ok {
                continue;
            }
            let end = match opening {
                Opening::Strong if self.at(j) == Some('*') && self.at(j + 1) == Some('*') => {
                    Some(j + 2)
                }
                Opening::Emphasis if self.at(j) == Some('*') => Some(j + 1),
                Opening::Literal if self.at(j) == Some('`') && self.at(j + 1) == Some('`') => {
                    Some(j + 2)
                }
                Opening::Target if self.at(j) == Some('`') => Some(j + 1),
                Opening::Substitution if self.at(j) == Some('|') => (0..=2)
                    .rev()
                    .map(|underscores| j + 1 + underscores)
                    .find(|&e| {
                        self.chars[j + 1..e.min(n)].iter().all(|&c| c == '_')
                            && e <= n
                            && self.ends_at(e)
                    }),
                _ => None,
            };
            let Some(after) = end.filter(|&e| self.ends_at(e)) else {
                continue;
            };
            return (j > body).then_some((j, after));
        }
        None
    }

    /// The end of a simple name starting at `i`: word characters joined by
    /// single `-._+:`. Every end a shorter match could use, longest first.
    fn simple_name_ends(&self, i: usize) -> Vec<usize> {
        let mut ends = Vec::new();
        let mut j = i;
        loop {
            let run_start = j;
            while self.at(j).is_some_and(word) {
                j += 1;
            }
            if j == run_start {
                break;
            }
            ends.push(j);
            match (self.at(j), self.at(j + 1)) {
                (Some('-' | '.' | '_' | '+' | ':'), Some(c)) if word(c) => j += 1,
                _ => break,
            }
        }
        ends.reverse();
        ends
    }

    /// `name_` and `name__`.
    fn named_reference_at(&mut self, i: usize) -> Option<usize> {
        for end in self.simple_name_ends(i) {
            if self.at(end) != Some('_') {
                continue;
            }
            let anonymous = self.at(end + 1) == Some('_');
            let after = if anonymous && self.ends_at(end + 2) {
                end + 2
            } else if self.ends_at(end + 1) {
                end + 1
            } else {
                continue;
            };
            let name: String = self.chars[i..end].iter().collect();
            let line = self.line_at(i);
            if after == end + 2 {
                self.doc.anonymous_reference(line);
            } else {
                self.doc.reference(&name, line);
            }
            self.plain.push_str(&name);
            return Some(after);
        }
        None
    }

    /// `[1]_`, `[#]_`, `[#label]_`, `[*]_`, `[CITATION]_`.
    fn footnote_reference_at(&mut self, i: usize) -> Option<usize> {
        if self.at(i) != Some('[') {
            return None;
        }
        let close = (i + 1..self.chars.len()).find(|&j| self.chars[j] == ']')?;
        if self.at(close + 1) != Some('_') || !self.ends_at(close + 2) {
            return None;
        }
        let label: String = self.chars[i + 1..close].iter().collect();
        let line = self.line_at(i);
        let is_name = |s: &str| {
            let chars: Vec<char> = s.chars().collect();
            !chars.is_empty() && simple_name(&chars)
        };
        if !label.is_empty() && label.chars().all(|c| c.is_ascii_digit()) {
            self.doc.reference(&label, line);
        } else if label == "#" {
            self.doc.footnote_reference(Numbering::Auto, line);
        } else if label == "*" {
            self.doc.footnote_reference(Numbering::Symbol, line);
        } else if let Some(name) = label.strip_prefix('#').filter(|n| is_name(n)) {
            self.doc.reference(name, line);
        } else if is_name(&label) {
            self.doc.reference(&label, line);
        } else {
            return None;
        }
        self.plain.push_str(&label);
        Some(close + 2)
    }

    /// Interpreted text and phrase references: `` `text` ``, `` :role:`text` ``,
    /// `` `text`:role: ``, `` `text`_ ``, `` `text <uri>`__ ``.
    fn interpreted_at(&mut self, i: usize, segment_start: usize) -> Option<usize> {
        let (prefix_role, tick) = match self.at(i)? {
            ':' => {
                let end = *self.simple_name_ends(i + 1).first()?;
                if self.at(end) != Some(':') {
                    return None;
                }
                let role: String = self.chars[i + 1..end].iter().collect();
                (Some(role), end + 1)
            }
            '`' => (None, i),
            _ => return None,
        };
        if self.at(tick) != Some('`') || self.at(tick + 1) == Some('`') {
            return None;
        }
        let body = tick + 1;
        if !self.no_space_at(body) {
            return None;
        }
        if prefix_role.is_none() && self.quoted(i, segment_start, body) {
            self.push_plain(i, body);
            return Some(body);
        }
        let Some((close, suffix_role, refend, after)) = self.interpreted_end(body) else {
            self.warn(
                i,
                "Inline interpreted text or phrase reference start-string without end-string."
                    .to_owned(),
            );
            self.push_plain(i, body);
            return Some(body);
        };
        let text: String = self.chars[body..close].iter().collect();
        if prefix_role.is_some() && suffix_role.is_some() {
            self.warn(i, "Multiple roles in interpreted text (both prefix and suffix present; only one allowed).".to_owned());
        }
        let role = prefix_role.as_ref().or(suffix_role.as_ref());
        if refend > 0 {
            if let Some(_role) = role {
                let position = if suffix_role.is_some() {
                    "suffix"
                } else {
                    "prefix"
                };
                self.warn(
                    i,
                    format!(
                        "Mismatch: both interpreted text role {position} and reference suffix."
                    ),
                );
            } else {
                self.phrase_reference(i, &text, refend == 2);
            }
        } else if let Some(role) = role {
            self.role(i, role, &text);
        }
        self.plain.push_str(&unescape(&text));
        Some(after)
    }

    /// The closing backquote of interpreted text and its suffix: (position,
    /// suffix role, underscores, position after).
    fn interpreted_end(&self, body: usize) -> Option<(usize, Option<String>, usize, usize)> {
        for j in body..self.chars.len() {
            if self.chars[j] != '`' {
                continue;
            }
            if j > body {
                let before = self.chars[j - 1];
                let escaped = j >= 2 && self.chars[j - 2] == '\0';
                if (before.is_whitespace() || before == '\0') && !escaped {
                    continue;
                }
            }
            let Some(found) = self.interpreted_suffix(j + 1) else {
                continue;
            };
            if j == body {
                return None;
            }
            let (role, refend, after) = found;
            return Some((j, role, refend, after));
        }
        None
    }

    /// `:role:` and/or `_`/`__` after a closing backquote, as the regex's
    /// greedy alternatives would take them, ending where markup may end.
    fn interpreted_suffix(&self, at: usize) -> Option<(Option<String>, usize, usize)> {
        let mut roles: Vec<(Option<String>, usize)> = Vec::new();
        if self.at(at) == Some(':')
            && let Some(&end) = self.simple_name_ends(at + 1).first()
            && self.at(end) == Some(':')
        {
            let role: String = self.chars[at + 1..end].iter().collect();
            roles.push((Some(role), end + 1));
        }
        roles.push((None, at));
        for (role, from) in roles {
            for underscores in [2, 1, 0] {
                let end = from + underscores;
                if self
                    .chars
                    .get(from..end)
                    .is_some_and(|s| s.iter().all(|&c| c == '_'))
                    && end <= self.chars.len()
                    && self.ends_at(end)
                {
                    return Some((role, underscores, end));
                }
            }
        }
        None
    }

    fn phrase_reference(&mut self, i: usize, text: &str, anonymous: bool) {
        let line = self.line_at(i);
        match embedded(text) {
            Some((label, Embedded::Alias(alias))) => {
                if !anonymous {
                    let name = if label.trim().is_empty() {
                        alias.clone()
                    } else {
                        label
                    };
                    self.doc
                        .implicit_target(&unescape(&name), Some(format!("\0{alias}")));
                }
                self.doc.reference(&alias, line);
            }
            Some((label, Embedded::Uri(uri))) => {
                if !anonymous {
                    let name = if label.trim().is_empty() {
                        uri.clone()
                    } else {
                        label
                    };
                    self.doc.implicit_target(&unescape(&name), Some(uri));
                }
            }
            None if anonymous => self.doc.anonymous_reference(line),
            None => self.doc.reference(&unescape(text), line),
        }
    }

    fn role(&mut self, i: usize, role: &str, text: &str) {
        let name = role.to_lowercase();
        match self.doc.roles.get(&name) {
            Some(CustomRole::Usable) => return,
            Some(CustomRole::Raw) => {
                self.warn(i, "raw (and derived) roles disabled".to_owned());
                return;
            }
            None => {}
        }
        if name == "raw" {
            self.warn(i, "raw (and derived) roles disabled".to_owned());
        } else if !registry::is_standard_role(&name) {
            self.error(i, format!("Unknown interpreted text role \"{role}\"."));
        } else if matches!(name.as_str(), "pep" | "pep-reference") {
            let number = unescape(text);
            if !number.parse::<u32>().is_ok_and(|n| n <= 9999) {
                self.error(
                    i,
                    format!("PEP number must be a number from 0 to 9999; \"{number}\" is invalid."),
                );
            }
        } else if matches!(name.as_str(), "rfc" | "rfc-reference") {
            let number = unescape(text);
            let number = number.split('#').next().unwrap_or_default();
            if !number.parse::<u32>().is_ok_and(|n| n >= 1) {
                self.error(
                    i,
                    format!("RFC number must be a number greater than or equal to 1; \"{number}\" is invalid."),
                );
            }
        }
    }
}

/// A simple name: word characters joined by single `-._+:`.
fn simple_name(chars: &[char]) -> bool {
    let mut previous_joiner = true;
    for (index, &c) in chars.iter().enumerate() {
        if word(c) {
            previous_joiner = false;
        } else if matches!(c, '-' | '.' | '_' | '+' | ':')
            && !previous_joiner
            && index + 1 < chars.len()
        {
            previous_joiner = true;
        } else {
            return false;
        }
    }
    !previous_joiner
}

enum Embedded {
    Uri(String),
    Alias(String),
}

/// `` text <uri> `` or `` text <alias_> `` at the end of a phrase reference.
fn embedded(text: &str) -> Option<(String, Embedded)> {
    let inner = text.strip_suffix('>')?;
    let open = inner.rfind('<')?;
    let (label, target) = (&inner[..open], &inner[open + 1..]);
    if !(label.is_empty() || label.ends_with([' ', '\n'])) {
        return None;
    }
    if target.is_empty() || target.starts_with([' ', '\n']) || target.ends_with([' ', '\n', '\0']) {
        return None;
    }
    let label = label.trim_end().to_owned();
    let escaped_underscore = target.ends_with("\0_");
    if target.ends_with('_') && !escaped_underscore && !looks_like_uri(target) {
        let alias = unescape(&target[..target.len() - 1]);
        return Some((label, Embedded::Alias(alias)));
    }
    let uri: String = unescape(target).split_whitespace().collect();
    Some((label, Embedded::Uri(uri)))
}

/// docutils' standalone-URI test, reduced to "has a scheme".
fn looks_like_uri(text: &str) -> bool {
    text.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// Drop the NUL escape markers (the escaped characters stay).
pub(super) fn unescape(text: &str) -> String {
    text.chars().filter(|&c| c != '\0').collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &str) -> Vec<String> {
        let mut doc = Document::default();
        parse(
            &mut doc,
            Inline {
                text,
                line: 1,
                mode: Mode::Full,
            },
        );
        doc.resolve();
        doc.diagnostics.into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn well_formed_markup_passes() {
        for text in [
            "*emphasis*, **strong** and ``literal``.",
            "2 * 3 = 6 and a*b*c",
            "snake_case and __dunder__ names",
            "(*) and \"*\" are quoted",
            "escaped \\*star",
            ":code:`x = 1` and `title`",
            "`anonymous <https://example.com>`__ and `named <https://example.org>`_",
            "see https://example.com/a_b",
        ] {
            assert_eq!(messages(text), Vec::<String>::new(), "{text}");
        }
    }

    #[test]
    fn an_open_start_string_warns() {
        assert_eq!(
            messages("call *args here"),
            ["Inline emphasis start-string without end-string."]
        );
        assert_eq!(
            messages("``unclosed literal"),
            ["Inline literal start-string without end-string."]
        );
        assert_eq!(
            messages("a `phrase"),
            ["Inline interpreted text or phrase reference start-string without end-string."]
        );
    }

    #[test]
    fn sphinx_roles_are_unknown() {
        assert_eq!(
            messages("use :func:`run` now"),
            ["Unknown interpreted text role \"func\"."]
        );
    }

    #[test]
    fn references_need_targets() {
        assert_eq!(
            messages("see class_ there"),
            ["Unknown target name: \"class\"."]
        );
        assert_eq!(
            messages("`a <https://a>`_ and `a <https://b>`_ and a_"),
            ["Duplicate target name, cannot be used as a unique reference: \"a\"."]
        );
        assert_eq!(
            messages("`a <https://a>`_ and `a <https://a>`_"),
            Vec::<String>::new()
        );
        assert_eq!(
            messages("|badge|"),
            ["Undefined substitution referenced: \"badge\"."]
        );
    }
}
