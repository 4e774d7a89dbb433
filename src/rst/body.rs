//! Body elements: docutils' `Body` state and the states it hands lines to
//! (paragraphs, section titles, transitions, lists, block quotes, literal
//! blocks), each reporting what docutils reports.

use super::document::{Document, Event};
use super::inline::{self, Inline, Mode};
use super::lines::{self, Cut, Line, column_width, is_punctuation, is_punctuation_line};
use super::patterns::{self, Kind};
use super::{explicit, tables};

/// docutils nests one parse per level and dies of Python's recursion limit
/// at about 160 levels (RecursionError, measured with docutils 0.23 under
/// readme_renderer on Python 3.11: 164 nested block quotes, 163 nested bullet
/// lists); PyPI renders inside a deeper stack, so fewer. No real README
/// comes near 100, and stopping there keeps the parse's own recursion short.
const MAX_DEPTH: usize = 100;
/// Each level holds its own list of its lines (sharing their text), so
/// deep nesting still costs depth times the lines: past this many lines held
/// by the levels open at one time (some 16 MB), the parse stops.
const MAX_NESTED_LINES: usize = 500_000;

/// Parses body elements into one document.
pub(super) struct Parser<'d> {
    pub doc: &'d mut Document,
    /// Levels of nested content open now, and the lines they hold.
    depth: usize,
    nested_lines: usize,
    /// The text nests too deeply to go on; nothing more is parsed.
    pub stopped: bool,
}

/// Where a block of lines sits: only the document itself (and its
/// sections) may hold section titles and transitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Context {
    Document,
    Nested,
}

impl<'d> Parser<'d> {
    pub(super) fn new(doc: &'d mut Document) -> Self {
        Parser {
            doc,
            depth: 0,
            nested_lines: 0,
            stopped: false,
        }
    }

    /// Parse a sequence of body elements.
    pub(super) fn body(&mut self, lines: &[Line], context: Context) {
        let mut i = 0;
        while i < lines.len() && !self.stopped {
            if lines[i].is_blank() {
                i += 1;
                continue;
            }
            let before = self.doc.events.len();
            let kind = patterns::kind(lines[i].text());
            if lines[i].text().starts_with(' ')
                || !matches!(kind, Kind::Explicit | Kind::Anonymous(_))
            {
                self.doc.rendered = true;
            }
            let visible = lines[i].text().starts_with(' ')
                || !matches!(kind, Kind::Explicit | Kind::Anonymous(_));
            i = if lines[i].text().starts_with(' ') {
                self.block_quote(lines, i)
            } else {
                self.construct(lines, i, kind, context)
            };
            if context == Context::Document && visible {
                self.doc.body_started = true;
            }
            if context == Context::Document && self.doc.events.len() == before {
                self.doc.events.push(Event::Element);
            }
        }
    }

    /// Parse nested content: a list item, a block quote, a directive's body.
    pub(super) fn nested(&mut self, lines: &[Line]) {
        let line = lines.first().map_or(1, |l| l.number);
        if self.stopped {
            return;
        } else if self.depth == MAX_DEPTH {
            self.stop(
                line,
                format!(
                    "Content nested more than {MAX_DEPTH} levels deep; docutils fails on such \
                     text (maximum recursion depth exceeded)."
                ),
            );
            return;
        } else if self.nested_lines + lines.len() > MAX_NESTED_LINES {
            self.stop(
                line,
                format!(
                    "Nested content holding more than {MAX_NESTED_LINES} lines at once \
                     (each level its own list), too much to check."
                ),
            );
            return;
        }
        self.depth += 1;
        self.nested_lines += lines.len();
        let events = std::mem::take(&mut self.doc.events);
        self.body(lines, Context::Nested);
        self.doc.events = events;
        self.depth -= 1;
        self.nested_lines -= lines.len();
    }

    /// Give up on the text, as docutils does when it runs out of stack.
    fn stop(&mut self, line: usize, message: String) {
        self.doc.severe(line, message);
        self.stopped = true;
    }

    pub(super) fn inline(&mut self, text: &str, line: usize) -> String {
        inline::parse(
            self.doc,
            Inline {
                text,
                line,
                mode: Mode::Full,
            },
        )
    }

    fn construct(&mut self, lines: &[Line], i: usize, kind: Kind, context: Context) -> usize {
        match kind {
            Kind::Bullet(end) => self.bullet_list(lines, i, end),
            Kind::Enumerator => self
                .enumerated_list(lines, i)
                .unwrap_or_else(|| self.text(lines, i, context)),
            Kind::Field(end) => {
                let docinfo = context == Context::Document && !self.doc.body_started;
                self.field_list(lines, i, end, docinfo)
            }
            Kind::Option(end) => self
                .option_list(lines, i, end)
                .unwrap_or_else(|| self.text(lines, i, context)),
            Kind::Doctest => text_block_end(lines, i),
            Kind::LineBlock(end) => self.line_block(lines, i, end),
            Kind::GridTable => tables::grid(self, lines, i),
            Kind::SimpleTable => tables::simple(self, lines, i),
            Kind::Explicit | Kind::Anonymous(_) => explicit::markup(self, lines, i),
            Kind::Line => self.line(lines, i, context),
            Kind::Text => self.text(lines, i, context),
        }
    }

    /// An indented block after a body element: a block quote.
    fn block_quote(&mut self, lines: &[Line], i: usize) -> usize {
        let block = lines::indented(lines, i, Cut::default());
        self.nested(&block.lines);
        if !block.blank_finish {
            self.unindent_warning("Block quote", lines, block.end);
        }
        block.end
    }

    pub(super) fn unindent_warning(&mut self, what: &str, lines: &[Line], at: usize) {
        let line = lines
            .get(at)
            .map_or_else(|| last_line(lines) + 1, |l| l.number);
        self.doc.warning(
            line,
            format!("{what} ends without a blank line; unexpected unindent."),
        );
    }

    /// A list item's body after its marker, parsed; (end, blank finish).
    fn list_item(&mut self, lines: &[Line], i: usize, marker: usize) -> (usize, bool) {
        let has_text = lines[i].text().chars().count() > marker;
        let cut = if has_text {
            Cut {
                block_indent: Some(marker),
                ..Cut::default()
            }
        } else {
            Cut {
                first_indent: Some(marker),
                ..Cut::default()
            }
        };
        let block = lines::indented(lines, i, cut);
        self.nested(&lines::trim_blank(block.lines));
        (block.end, block.blank_finish)
    }

    /// Items go on while the next non-blank line starts another one; a list
    /// cut off by an unindented line warns.
    fn list(
        &mut self,
        lines: &[Line],
        i: usize,
        what: &str,
        mut item: impl FnMut(&mut Self, usize) -> (usize, bool),
        mut continues: impl FnMut(usize) -> bool,
    ) -> usize {
        let (mut end, mut blank_finish) = item(self, i);
        loop {
            let next = skip_blank(lines, end);
            if next < lines.len() && continues(next) {
                (end, blank_finish) = item(self, next);
            } else {
                break;
            }
        }
        if !blank_finish {
            self.unindent_warning(what, lines, end);
        }
        end
    }

    fn bullet_list(&mut self, lines: &[Line], i: usize, marker: usize) -> usize {
        let bullet = lines[i].text().chars().next();
        self.list(
            lines,
            i,
            "Bullet list",
            |p, at| {
                let marker = match patterns::kind(lines[at].text()) {
                    Kind::Bullet(end) => end,
                    _ => marker,
                };
                p.list_item(lines, at, marker)
            },
            |at| {
                let text = lines[at].text();
                matches!(patterns::kind(text), Kind::Bullet(_)) && text.chars().next() == bullet
            },
        )
    }

    /// `None` when the line only looks like an enumerator (docutils then
    /// reads it as text).
    fn enumerated_list(&mut self, lines: &[Line], i: usize) -> Option<usize> {
        let first = patterns::enumerator(lines[i].text(), None)?;
        if !is_enumerated_item(lines, i, &first) {
            return None;
        }
        let mut last = first.clone();
        let mut auto = first.sequence == patterns::Sequence::Auto;
        Some(self.list(
            lines,
            i,
            "Enumerated list",
            |p, at| {
                let marker = patterns::enumerator(lines[at].text(), Some(first.sequence))
                    .map_or(first.end, |e| e.end);
                p.list_item(lines, at, marker)
            },
            |at| {
                let Some(next) = patterns::enumerator(lines[at].text(), Some(first.sequence))
                else {
                    return false;
                };
                let follows = next.sequence == patterns::Sequence::Auto
                    || (next.sequence == first.sequence
                        && !auto
                        && next.ordinal.is_some()
                        && next.ordinal == last.ordinal.map(|o| o + 1));
                if next.format != first.format || !follows || !is_enumerated_item(lines, at, &next)
                {
                    return false;
                }
                auto |= next.sequence == patterns::Sequence::Auto;
                last = next;
                true
            },
        ))
    }

    /// A field list; the first thing in the document is its bibliographic
    /// information, whose known fields may not be empty.
    fn field_list(&mut self, lines: &[Line], i: usize, marker: usize, docinfo: bool) -> usize {
        self.list(
            lines,
            i,
            "Field list",
            |p, at| {
                let marker = patterns::field_marker(lines[at].text()).unwrap_or(marker);
                let name: String = lines[at].text().chars().take(marker).collect();
                let name = name.trim().trim_matches(':');
                p.inline(name, lines[at].number);
                let empty = lines::indented(
                    lines,
                    at,
                    Cut {
                        first_indent: Some(marker),
                        ..Cut::default()
                    },
                )
                .lines
                .iter()
                .all(Line::is_blank);
                if docinfo && empty && BIBLIOGRAPHIC.contains(&name.to_lowercase().as_str()) {
                    p.doc.warning(
                        lines[at].number,
                        format!("Cannot extract empty bibliographic field \"{name}\"."),
                    );
                }
                p.list_item_first_known(lines, at, marker)
            },
            |at| patterns::field_marker(lines[at].text()).is_some(),
        )
    }

    /// A body whose first line starts after a marker and whose other lines
    /// may be indented by any amount.
    fn list_item_first_known(&mut self, lines: &[Line], i: usize, marker: usize) -> (usize, bool) {
        let block = lines::indented(
            lines,
            i,
            Cut {
                first_indent: Some(marker),
                ..Cut::default()
            },
        );
        self.nested(&lines::trim_blank(block.lines));
        (block.end, block.blank_finish)
    }

    /// `None` when the option has no description (docutils reads text).
    fn option_list(&mut self, lines: &[Line], i: usize, marker: usize) -> Option<usize> {
        let has_description = |at: usize, marker: usize| {
            let block = lines::indented(
                lines,
                at,
                Cut {
                    first_indent: Some(marker),
                    ..Cut::default()
                },
            );
            block.lines.iter().any(|l| !l.is_blank())
        };
        if !has_description(i, marker) {
            return None;
        }
        Some(self.list(
            lines,
            i,
            "Option list",
            |p, at| {
                let marker = match patterns::kind(lines[at].text()) {
                    Kind::Option(end) => end,
                    _ => marker,
                };
                p.list_item_first_known(lines, at, marker)
            },
            |at| matches!(patterns::kind(lines[at].text()), Kind::Option(_)),
        ))
    }

    fn line_block(&mut self, lines: &[Line], i: usize, marker: usize) -> usize {
        let mut at = i;
        loop {
            let block = lines::indented(
                lines,
                at,
                Cut {
                    first_indent: Some(marker),
                    until_blank: true,
                    ..Cut::default()
                },
            );
            let text: Vec<&str> = block.lines.iter().map(|l| l.text()).collect();
            self.inline(&text.join("\n"), lines[at].number);
            if block.blank_finish {
                return block.end;
            }
            match lines.get(block.end).map(|l| patterns::kind(l.text())) {
                Some(Kind::LineBlock(_)) => at = block.end,
                _ => {
                    self.doc
                        .warning(lines[i].number + 1, "Line block ends without a blank line.");
                    return block.end;
                }
            }
        }
    }

    /// A line of punctuation: a transition, or the overline of a title.
    fn line(&mut self, lines: &[Line], i: usize, context: Context) -> usize {
        let marker = lines[i].text().trim();
        let short = marker.chars().count() < 4;
        if context == Context::Nested {
            if marker == "::" || short {
                return self.text(lines, i, context);
            }
            self.doc
                .severe(lines[i].number, "Unexpected section title or transition.");
            return i + 1;
        }
        let Some(next) = lines.get(i + 1).filter(|l| !l.is_blank()) else {
            if short {
                return self.text(lines, i, context);
            }
            self.doc.events.push(Event::Transition(lines[i].number));
            return i + 1;
        };
        if is_punctuation_line(next.text()) {
            if short {
                return self.text(lines, i, context);
            }
            self.doc.error(
                lines[i].number,
                "Invalid section title or transition marker.",
            );
            return i + 2;
        }
        let overline = lines[i].text().trim_end();
        let title = next.text().trim_end();
        let Some(underline) = lines.get(i + 2) else {
            if short {
                return self.text(lines, i, context);
            }
            self.doc
                .severe(lines[i].number, "Incomplete section title.");
            return lines.len();
        };
        let problem = if !is_punctuation_line(underline.text()) {
            Some("Missing matching underline for section title overline.")
        } else if underline.text().trim_end() != overline {
            Some("Title overline & underline mismatch.")
        } else {
            None
        };
        if let Some(problem) = problem {
            if short {
                return self.text(lines, i, context);
            }
            self.doc.severe(lines[i].number, problem);
            return i + 3;
        }
        if column_width(title) > overline.chars().count() {
            if short {
                return self.text(lines, i, context);
            }
            self.doc
                .warning(lines[i].number, "Title overline too short.");
        }
        let style = overline.chars().next().unwrap_or('=');
        self.section(title.trim_start(), (Some(style), style), next.number);
        i + 3
    }

    /// A section title: its level must fit the styles seen so far.
    fn section(&mut self, title: &str, style: (Option<char>, char), line: usize) {
        let doc = &mut *self.doc;
        let old_level = doc.section_level;
        let new_level = match doc.title_styles.iter().position(|s| *s == style) {
            Some(index) => index + 1,
            None => doc.title_styles.len() + 1,
        };
        if new_level > old_level + 1 {
            doc.error(
                line,
                format!("Inconsistent title style: skip from level {old_level} to {new_level}."),
            );
        } else {
            if new_level > doc.title_styles.len() {
                doc.title_styles.push(style);
            }
            doc.section_level = new_level;
        }
        let plain = self.inline(title, line);
        self.doc.implicit_target(&plain, None);
        self.doc.events.push(Event::Title);
    }

    /// A line of text: a paragraph, a section title with its underline, or
    /// the term of a definition list.
    fn text(&mut self, lines: &[Line], i: usize, context: Context) -> usize {
        let Some(next) = lines.get(i + 1) else {
            return self.paragraph(lines, i, i + 1);
        };
        if next.is_blank() {
            return self.paragraph(lines, i, i + 1);
        }
        if next.text().starts_with(' ') {
            return self.definition_list(lines, i);
        }
        if is_punctuation_line(next.text())
            && let Some(end) = self.underlined_title(lines, i, context)
        {
            return end;
        }
        let mut end = i + 1;
        while end < lines.len() && !lines[end].is_blank() {
            if lines[end].text().starts_with(' ') {
                self.doc.error(lines[end].number, "Unexpected indentation.");
                break;
            }
            end += 1;
        }
        self.paragraph(lines, i, end)
    }

    /// `None` when the underline is too short to count (then it is text).
    fn underlined_title(&mut self, lines: &[Line], i: usize, context: Context) -> Option<usize> {
        let title = lines[i].text().trim_end();
        let underline = lines[i + 1].text().trim_end();
        if column_width(title) > underline.chars().count() {
            if underline.chars().count() < 4 {
                return None;
            }
            self.doc
                .warning(lines[i + 1].number, "Title underline too short.");
        }
        if context == Context::Nested {
            self.doc
                .severe(lines[i + 1].number, "Unexpected section title.");
            return Some(i + 2);
        }
        let style = underline.chars().next().unwrap_or('=');
        self.section(title, (None, style), lines[i].number);
        Some(i + 2)
    }

    /// Lines `i..end` as one paragraph; one ending in `::` introduces a
    /// literal block.
    fn paragraph(&mut self, lines: &[Line], i: usize, end: usize) -> usize {
        let text: Vec<&str> = lines[i..end].iter().map(|l| l.text()).collect();
        let data = text.join("\n");
        let data = data.trim_end();
        let Some(inline_text) = literal_intro(data) else {
            self.inline(data, lines[i].number);
            return end;
        };
        if !inline_text.is_empty() {
            self.inline(&inline_text, lines[i].number);
        }
        self.literal_block(lines, end)
    }

    /// The literal block a `::` paragraph promises: indented, or quoted
    /// with a punctuation character at the start of each line.
    fn literal_block(&mut self, lines: &[Line], end: usize) -> usize {
        if end >= lines.len() {
            let last = &lines[end - 1];
            if !last.text().starts_with(is_punctuation) {
                self.doc
                    .warning(last.number, "Literal block expected; none found.");
            }
            return end;
        }
        let start = skip_blank(lines, end);
        let block = lines::indented(lines, start, Cut::default());
        if block.lines.iter().any(|l| !l.is_blank()) {
            if !block.blank_finish {
                self.unindent_warning("Literal block", lines, block.end);
            }
            return block.end;
        }
        let Some(first) = lines.get(start) else {
            self.doc
                .warning(last_line(lines), "Literal block expected; none found.");
            return start;
        };
        let Some(quote) = first.text().chars().next().filter(|&c| is_punctuation(c)) else {
            self.doc
                .warning(first.number, "Literal block expected; none found.");
            return start;
        };
        let mut at = start + 1;
        while let Some(line) = lines.get(at) {
            if line.is_blank() {
                break;
            }
            if line.text().starts_with(' ') {
                self.doc.error(line.number, "Unexpected indentation.");
                break;
            }
            if !line.text().starts_with(quote) {
                self.doc
                    .error(line.number, "Inconsistent literal block quoting.");
                break;
            }
            at += 1;
        }
        at
    }

    /// A term followed by its indented definition; further items follow
    /// after blank lines.
    fn definition_list(&mut self, lines: &[Line], i: usize) -> usize {
        self.list(
            lines,
            i,
            "Definition list",
            |p, at| {
                p.inline(lines[at].text(), lines[at].number);
                let block = lines::indented(lines, at + 1, Cut::default());
                p.nested(&lines::trim_blank(block.lines));
                (block.end, block.blank_finish)
            },
            |at| {
                patterns::kind(lines[at].text()) == Kind::Text
                    && lines.get(at + 1).is_some_and(|l| l.text().starts_with(' '))
            },
        )
    }
}

/// docutils' English bibliographic field names.
const BIBLIOGRAPHIC: &[&str] = &[
    "author",
    "authors",
    "organization",
    "address",
    "contact",
    "version",
    "revision",
    "status",
    "date",
    "copyright",
    "dedication",
    "abstract",
];

/// Where a doctest or other unindented text block ends: the next blank line.
fn text_block_end(lines: &[Line], i: usize) -> usize {
    (i..lines.len())
        .find(|&at| lines[at].is_blank())
        .unwrap_or(lines.len())
}

fn skip_blank(lines: &[Line], mut at: usize) -> usize {
    while at < lines.len() && lines[at].is_blank() {
        at += 1;
    }
    at
}

fn last_line(lines: &[Line]) -> usize {
    lines.last().map_or(1, |l| l.number)
}

/// A paragraph ending in an unescaped `::`: its text without the marker
/// (`""` for a lone `::`). `None` for any other paragraph.
fn literal_intro(data: &str) -> Option<String> {
    let body = data.strip_suffix("::")?;
    let backslashes = body.chars().rev().take_while(|&c| c == '\\').count();
    if backslashes % 2 == 1 {
        return None;
    }
    if body.is_empty() {
        return Some(String::new());
    }
    if body.ends_with([' ', '\n']) {
        Some(body.trim_end().to_owned())
    } else {
        Some(format!("{body}:"))
    }
}

/// docutils reads an enumerator as a list item only when the next line is
/// blank, indented or the next enumerator.
fn is_enumerated_item(lines: &[Line], i: usize, e: &patterns::Enumerator) -> bool {
    let Some(ordinal) = e.ordinal else {
        return false;
    };
    let Some(next) = lines.get(i + 1) else {
        return true;
    };
    if next.is_blank() || next.text().starts_with(' ') {
        return true;
    }
    [
        e.marker(ordinal + 1),
        Some(match e.format {
            "parens" => "(#)".to_owned(),
            "period" => "#.".to_owned(),
            _ => "#)".to_owned(),
        }),
    ]
    .into_iter()
    .flatten()
    .any(|marker| next.text().starts_with(&marker))
}
