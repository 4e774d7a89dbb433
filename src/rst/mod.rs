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

/// Every message of level WARNING or above docutils would report for
/// `text`, parse messages first and then those of the reference checks, as
/// docutils runs its transforms after parsing. Empty means it renders.
pub fn check(text: &str) -> Vec<Diagnostic> {
    let lines = lines::split(text);
    let mut doc = Document::default();
    if let Some(long) = lines
        .iter()
        .find(|l| l.text.chars().count() > LINE_LENGTH_LIMIT)
    {
        doc.error(
            long.number,
            format!("Line {} exceeds the line-length-limit.", long.number),
        );
        return doc.diagnostics;
    }
    Parser { doc: &mut doc }.body(&lines, Context::Document);
    doc.resolve();
    if doc.diagnostics.is_empty() && !doc.rendered {
        doc.error(1, "No content rendered from RST source.");
    }
    doc.diagnostics
}
