//! The text as docutils' state machine sees it: tabs expanded, trailing
//! space stripped, and the indented-block cuts every construct is built on.

use std::rc::Rc;

use unicode_width::UnicodeWidthChar;

/// One source line, possibly with some indentation already removed. Lines
/// cut from others share their text: every nesting level holds its own list
/// of lines, and copying the text at each level made deep nesting cost depth
/// times the text.
#[derive(Debug, Clone)]
pub(super) struct Line {
    source: Rc<str>,
    /// Where `text` starts in `source`.
    start: usize,
    /// 1-based line number in the description.
    pub number: usize,
}

impl PartialEq for Line {
    fn eq(&self, other: &Self) -> bool {
        self.number == other.number && self.text() == other.text()
    }
}

impl Eq for Line {}

impl Line {
    pub(super) fn new(text: String, number: usize) -> Self {
        Line {
            source: text.into(),
            start: 0,
            number,
        }
    }

    pub(super) fn text(&self) -> &str {
        &self.source[self.start..]
    }

    pub(super) fn is_blank(&self) -> bool {
        self.text().trim().is_empty()
    }

    pub(super) fn indent(&self) -> usize {
        self.text().len() - self.text().trim_start_matches(' ').len()
    }

    /// The line with its first `n` columns removed (all spaces, or fewer
    /// characters on a short blank line).
    fn trimmed(&self, n: usize) -> Line {
        let cut = self
            .text()
            .char_indices()
            .nth(n)
            .map_or(self.text().len(), |(i, _)| i);
        Line {
            source: Rc::clone(&self.source),
            start: self.start + cut,
            number: self.number,
        }
    }
}

/// How many lines [`split`] would make, without making them.
pub(super) fn count(text: &str) -> usize {
    let mut lines = 0;
    let mut chars = text.chars().peekable();
    let mut open = false;
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' | '\u{1c}' | '\u{1d}' | '\u{1e}' | '\u{85}' | '\u{2028}' | '\u{2029}' => {
                lines += 1;
                open = false;
            }
            _ => open = true,
        }
    }
    lines + usize::from(open)
}

/// Split as docutils' `string2lines` does: at every line boundary Python's
/// `str.splitlines` knows, tabs to 8-column stops, form feeds and vertical
/// tabs to spaces, trailing whitespace dropped. A line longer than
/// `keep_raw_over` characters is left unexpanded: it
/// fails the line-length limit either way, and expanding its tabs could take
/// eight times its size.
pub(super) fn split(text: &str, keep_raw_over: usize) -> Vec<Line> {
    let text = text.replace("\r\n", "\n");
    let mut raw: Vec<&str> = text
        .split([
            '\n', '\r', '\u{1c}', '\u{1d}', '\u{1e}', '\u{85}', '\u{2028}', '\u{2029}',
        ])
        .collect();
    if raw.last() == Some(&"") {
        raw.pop();
    }
    raw.into_iter()
        .enumerate()
        .map(|(index, raw)| {
            let text = if raw.chars().count() > keep_raw_over {
                raw.to_owned()
            } else {
                expand_tabs(raw)
            };
            Line::new(text.trim_end().to_owned(), index + 1)
        })
        .collect()
}

fn expand_tabs(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut column = 0;
    for c in raw.chars() {
        match c {
            '\t' => {
                let pad = 8 - column % 8;
                out.extend(std::iter::repeat_n(' ', pad));
                column += pad;
            }
            '\u{b}' | '\u{c}' => {
                out.push(' ');
                column += 1;
            }
            _ => {
                out.push(c);
                column += 1;
            }
        }
    }
    out
}

/// Display columns as docutils counts them for title underlines: East Asian
/// wide characters take two, combining characters none.
pub(super) fn column_width(text: &str) -> usize {
    text.chars()
        .map(|c| match c.width() {
            Some(0) if is_combining(c) => 0,
            Some(0) | None => 1,
            Some(w) => w,
        })
        .sum()
}

/// Combining marks (a zero-width character outside these blocks, such as a
/// byte order mark or a zero-width space, still counts as one column for
/// docutils).
fn is_combining(c: char) -> bool {
    matches!(
        u32::from(c),
        0x0300..=0x036F
            | 0x0483..=0x0489
            | 0x0591..=0x05C7
            | 0x0610..=0x061A
            | 0x064B..=0x065F
            | 0x0670
            | 0x06D6..=0x06ED
            | 0x0900..=0x0DFF
            | 0x1AB0..=0x1AFF
            | 0x1DC0..=0x1DFF
            | 0x20D0..=0x20FF
            | 0x3099..=0x309A
            | 0xFE20..=0xFE2F
    )
}

/// An indented block cut from `lines`, as `StringList.get_indented` cuts it.
#[derive(Debug)]
pub(super) struct Block {
    pub lines: Vec<Line>,
    /// Index of the first line after the block.
    pub end: usize,
    /// The block ended with a blank line (or at the end of the text), so the
    /// construct it belongs to ends properly.
    pub blank_finish: bool,
}

/// How the first line and the rest of an indented block are measured.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Cut {
    /// The first line belongs to the block with this many columns removed
    /// (a list marker, say), whatever its own indentation.
    pub first_indent: Option<usize>,
    /// Every further line needs at least this much indentation.
    pub block_indent: Option<usize>,
    /// Stop at the first blank line.
    pub until_blank: bool,
}

/// Cut the indented block starting at `start`; the common indentation of
/// the lines after a known first line is removed.
pub(super) fn indented(lines: &[Line], start: usize, cut: Cut) -> Block {
    let first_indent = cut.first_indent.or(cut.block_indent);
    let mut end = start;
    if first_indent.is_some() {
        end += 1;
    }
    let mut indent = cut.block_indent;
    let mut blank_finish = true;
    while end < lines.len() {
        let line = &lines[end];
        let text = line.text();
        let insufficient = cut
            .block_indent
            .is_some_and(|need| text.chars().take(need).any(|c| c != ' '));
        if !text.is_empty() && (!text.starts_with(' ') || insufficient) {
            blank_finish = end > start && lines[end - 1].is_blank();
            break;
        }
        if line.is_blank() {
            if cut.until_blank {
                break;
            }
        } else if cut.block_indent.is_none() {
            let own = line.indent();
            indent = Some(indent.map_or(own, |i: usize| i.min(own)));
        }
        end += 1;
    }
    let mut block: Vec<Line> = Vec::with_capacity(end - start);
    for (offset, line) in lines[start..end].iter().enumerate() {
        let strip = if offset == 0 && first_indent.is_some() {
            first_indent
        } else {
            indent
        };
        block.push(match strip {
            Some(n) if n > 0 => line.trimmed(n),
            _ => line.clone(),
        });
    }
    Block {
        lines: block,
        end,
        blank_finish,
    }
}

/// Trailing and leading blank lines removed.
pub(super) fn trim_blank(mut lines: Vec<Line>) -> Vec<Line> {
    while lines.last().is_some_and(Line::is_blank) {
        lines.pop();
    }
    let lead = lines.iter().take_while(|l| l.is_blank()).count();
    lines.drain(..lead);
    lines
}

/// A line made of one repeated 7-bit punctuation character: a section
/// underline, an overline or a transition.
pub(super) fn is_punctuation_line(text: &str) -> bool {
    let text = text.trim_end();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if is_punctuation(first) => chars.all(|c| c == first),
        _ => false,
    }
}

/// docutils' `nonalphanum7bit`.
pub(super) fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<Line> {
        split(text, usize::MAX)
    }

    #[test]
    fn every_python_line_boundary_splits() {
        let texts: Vec<String> = split("a\r\nb\rc\u{2028}d\n", usize::MAX)
            .into_iter()
            .map(|l| l.text().to_owned())
            .collect();
        assert_eq!(texts, ["a", "b", "c", "d"]);
    }

    #[test]
    fn tabs_expand_to_eight_column_stops() {
        assert_eq!(split("a\tb", usize::MAX)[0].text(), "a       b");
        assert_eq!(split("\tx  ", usize::MAX)[0].text(), "        x");
    }

    #[test]
    fn an_indented_block_ends_at_the_first_unindented_line() {
        let all = lines("  a\n    b\n\nc");
        let block = indented(&all, 0, Cut::default());
        assert_eq!(block.end, 3);
        assert!(block.blank_finish);
        assert_eq!(block.lines[1].text(), "  b");
        let all = lines("  a\nc");
        let block = indented(&all, 0, Cut::default());
        assert!(!block.blank_finish);
    }

    #[test]
    fn a_known_first_indent_keeps_the_first_line() {
        let all = lines("- item\n  more\nnext");
        let block = indented(
            &all,
            0,
            Cut {
                block_indent: Some(2),
                ..Cut::default()
            },
        );
        assert_eq!(block.lines[0].text(), "item");
        assert_eq!(block.lines[1].text(), "more");
        assert_eq!(block.end, 2);
        assert!(!block.blank_finish);
    }

    #[test]
    fn wide_characters_take_two_columns() {
        assert_eq!(column_width("日本"), 4);
        assert_eq!(column_width("e\u{301}"), 1);
        assert_eq!(column_width("\u{feff}ab"), 3);
    }

    #[test]
    fn punctuation_lines() {
        assert!(is_punctuation_line("====="));
        assert!(is_punctuation_line("-"));
        assert!(!is_punctuation_line("=-="));
        assert!(!is_punctuation_line("abc"));
    }
}
