//! Judges a reStructuredText long description the way PyPI's renderer
//! (readme_renderer on docutils) does: docutils stops at its first message
//! of level WARNING or above, and the upload is refused. This is a checker,
//! not a renderer: it follows docutils' parsing rules closely enough to find
//! those messages, and nothing it reports is rendered.
//!
//! No Rust crate reproduces docutils' diagnostics (`rst_parser` and
//! `parserst` parse a subset and judge nothing), hence this module.

mod body;
mod document;
mod explicit;
mod inline;
mod lines;
mod patterns;
mod registry;
mod tables;

use body::{Context, Parser};
use document::Document;

/// docutils' `line_length_limit`: a longer line stops the parse.
const LINE_LENGTH_LIMIT: usize = 10_000;

/// docutils' system message levels that stop PyPI's renderer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Warning,
    Error,
    Severe,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
            Level::Severe => "SEVERE",
        }
    }
}

/// One docutils message: where, how bad, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub line: usize,
    pub level: Level,
    pub message: String,
}

/// The most lines judged: far beyond any README (the longest seen run to a
/// few ten thousand), and a bound on the time and memory one description
/// can cost (each line is kept while it is judged).
pub const MAX_LINES: usize = 200_000;

/// A description too long to judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("it has {lines} lines, more than the {MAX_LINES} mintup judges")]
pub struct TooLong {
    pub lines: usize,
}

/// Every message of level WARNING or above docutils would report for
/// `text`, parse messages first and then those of the reference checks, as
/// docutils runs its transforms after parsing. Empty means it renders.
pub fn check(text: &str) -> Result<Vec<Diagnostic>, TooLong> {
    let count = lines::count(text);
    if count > MAX_LINES {
        return Err(TooLong { lines: count });
    }
    Ok(judge(text))
}

fn judge(text: &str) -> Vec<Diagnostic> {
    let lines = lines::split(text, LINE_LENGTH_LIMIT);
    let mut doc = Document::default();
    if let Some(long) = lines
        .iter()
        .find(|l| l.text().chars().count() > LINE_LENGTH_LIMIT)
    {
        doc.error(
            long.number,
            format!("Line {} exceeds the line-length-limit.", long.number),
        );
        return doc.diagnostics;
    }
    let mut parser = Parser::new(&mut doc);
    parser.body(&lines, Context::Document);
    if parser.stopped {
        return doc.diagnostics;
    }
    doc.resolve();
    if doc.diagnostics.is_empty() && !doc.rendered {
        doc.error(1, "No content rendered from RST source.");
    }
    doc.diagnostics
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `depth` block quotes, each indented one column more than the last.
    fn block_quotes(depth: usize) -> String {
        (0..depth)
            .map(|k| format!("{}q{k}\n\n", " ".repeat(k)))
            .collect()
    }

    fn bullets(depth: usize) -> String {
        (0..depth)
            .map(|k| format!("{}- b{k}\n\n", "  ".repeat(k)))
            .collect()
    }

    #[test]
    fn shallow_nesting_renders() {
        assert_eq!(check(&block_quotes(60)).unwrap(), []);
        assert_eq!(check(&bullets(60)).unwrap(), []);
    }

    #[test]
    fn deep_nesting_stops_as_docutils_does() {
        for text in [block_quotes(200), bullets(200)] {
            let found = check(&text).unwrap();
            assert_eq!(found.len(), 1, "{found:?}");
            assert_eq!(found[0].level, Level::Severe);
            assert_eq!(
                found[0].message,
                "Content nested more than 100 levels deep; docutils fails on such text \
                 (maximum recursion depth exceeded)."
            );
        }
    }

    #[test]
    fn many_lines_nested_deeply_stop_before_they_fill_memory() {
        // 30 levels, then 20,000 lines at the deepest: each level lists them.
        let mut text = block_quotes(30);
        text.push_str(&format!("{}x\n", " ".repeat(30)).repeat(20_000));
        let found = check(&text).unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "Nested content holding more than 500000 lines at once (each level its own \
             list), too much to check."
        );
    }

    #[test]
    fn too_many_lines_are_refused_before_they_are_split() {
        let text = format!("Title\n=====\n\n{}", "\n".repeat(MAX_LINES));
        assert_eq!(
            check(&text),
            Err(TooLong {
                lines: MAX_LINES + 3
            })
        );
        assert_eq!(lines::count("a\r\nb\rc\u{2028}d"), 4);
        assert_eq!(lines::count("a\n"), 1);
        assert_eq!(lines::count(""), 0);
    }

    #[test]
    fn an_overlong_line_keeps_its_tabs_and_still_fails() {
        let text = format!("{}x\n", "\t".repeat(LINE_LENGTH_LIMIT + 1));
        let found = check(&text).unwrap();
        assert!(
            found[0].message.contains("exceeds the line-length-limit"),
            "{found:?}"
        );
    }
}
