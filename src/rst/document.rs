//! What the parse learns about the whole document: its messages, the names
//! it defines and the names it refers to, checked against each other at the
//! end as docutils' transforms do.

use std::collections::{HashMap, HashSet};

use super::{Diagnostic, Level};

/// A hyperlink target name and whether it still names one target.
#[derive(Debug)]
struct Name {
    /// Some target of this name was written out (not a section title).
    explicit: bool,
    /// The target's destination; `None` once two targets share the name.
    target: Option<Option<String>>,
}

/// How a footnote reference is numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Numbering {
    Auto,
    Symbol,
}

/// A role defined with the `role` directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CustomRole {
    Usable,
    /// Derived from `raw`, which PyPI's renderer disables.
    Raw,
}

/// Where the document's top-level elements stand, for the rules on
/// transitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Event {
    Title,
    Transition(usize),
    Element,
}

#[derive(Debug, Default)]
pub(super) struct Document {
    pub diagnostics: Vec<Diagnostic>,
    names: HashMap<String, Name>,
    references: Vec<(String, usize)>,
    anonymous_references: Vec<usize>,
    anonymous_targets: usize,
    substitutions: HashSet<String>,
    substitution_references: Vec<(String, usize)>,
    footnotes: HashMap<Numbering, usize>,
    footnote_references: Vec<(Numbering, usize)>,
    pub roles: HashMap<String, CustomRole>,
    /// Section title styles in the order first seen, and the current depth.
    pub title_styles: Vec<(Option<char>, char)>,
    pub section_level: usize,
    pub events: Vec<Event>,
    /// Something visible was parsed; comments, targets and substitution
    /// definitions alone render to nothing, which PyPI's renderer refuses.
    pub rendered: bool,
    /// A visible element was parsed at the document's top level, so a
    /// field list is no longer bibliographic information.
    pub body_started: bool,
}

/// `fully_normalize_name`: case and runs of whitespace do not matter.
pub(super) fn normalize_name(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Document {
    pub(super) fn report(&mut self, level: Level, line: usize, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic {
            line,
            level,
            message: message.into(),
        });
    }

    pub(super) fn warning(&mut self, line: usize, message: impl Into<String>) {
        self.report(Level::Warning, line, message);
    }

    pub(super) fn error(&mut self, line: usize, message: impl Into<String>) {
        self.report(Level::Error, line, message);
    }

    pub(super) fn severe(&mut self, line: usize, message: impl Into<String>) {
        self.report(Level::Severe, line, message);
    }

    /// A target written out: `.. _name: uri`, a footnote or citation
    /// label, an inline `` _`target` ``. `destination` is the URI or the
    /// reference name it points to, if any.
    pub(super) fn explicit_target(&mut self, name: &str, destination: Option<String>, line: usize) {
        self.note_name(name, true, destination, line);
    }

    /// A section title, or the target a phrase reference with an embedded
    /// URI makes (implicit since docutils 0.22): duplicates only lose the
    /// name.
    pub(super) fn implicit_target(&mut self, name: &str, destination: Option<String>) {
        self.note_name(name, false, destination, 0);
    }

    /// docutils' `set_duplicate_name`: two explicit targets of one name
    /// warn, unless they point to the same place; any other clash only
    /// decides which target keeps the name.
    fn note_name(&mut self, name: &str, explicit: bool, destination: Option<String>, line: usize) {
        let name = normalize_name(name);
        let Some(old) = self.names.get_mut(&name) else {
            self.names.insert(
                name,
                Name {
                    explicit,
                    target: Some(destination),
                },
            );
            return;
        };
        let old_explicit = old.explicit;
        old.explicit |= explicit;
        let same_place = matches!(&old.target, Some(Some(old_place)) if destination.as_deref() == Some(old_place.as_str()));
        if same_place {
            return;
        }
        if explicit && old_explicit {
            old.target = None;
            self.warning(line, format!("Duplicate explicit target name: \"{name}\"."));
        } else if explicit {
            old.target = Some(destination);
        } else if !old_explicit {
            old.target = None;
        }
    }

    pub(super) fn reference(&mut self, name: &str, line: usize) {
        self.references.push((normalize_name(name), line));
    }

    pub(super) fn anonymous_reference(&mut self, line: usize) {
        self.anonymous_references.push(line);
    }

    pub(super) fn anonymous_target(&mut self) {
        self.anonymous_targets += 1;
    }

    pub(super) fn substitution(&mut self, name: &str, line: usize) {
        let key = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if !self.substitutions.insert(key.clone()) {
            self.error(
                line,
                format!("Duplicate substitution definition name: \"{key}\"."),
            );
        }
    }

    pub(super) fn substitution_reference(&mut self, name: &str, line: usize) {
        let key = name.split_whitespace().collect::<Vec<_>>().join(" ");
        self.substitution_references.push((key, line));
    }

    pub(super) fn footnote(&mut self, numbering: Numbering) {
        *self.footnotes.entry(numbering).or_default() += 1;
    }

    pub(super) fn footnote_reference(&mut self, numbering: Numbering, line: usize) {
        self.footnote_references.push((numbering, line));
    }

    /// docutils' transforms: substitutions, footnote numbering, references.
    pub(super) fn resolve(&mut self) {
        let lower: HashSet<String> = self
            .substitutions
            .iter()
            .map(|s| s.to_lowercase())
            .collect();
        for (name, line) in std::mem::take(&mut self.substitution_references) {
            if !self.substitutions.contains(&name) && !lower.contains(&name.to_lowercase()) {
                self.error(
                    line,
                    format!("Undefined substitution referenced: \"{name}\"."),
                );
            }
        }
        for numbering in [Numbering::Auto, Numbering::Symbol] {
            let available = self.footnotes.get(&numbering).copied().unwrap_or_default();
            let uses: Vec<usize> = self
                .footnote_references
                .iter()
                .filter(|(n, _)| *n == numbering)
                .map(|(_, line)| *line)
                .collect();
            if uses.len() > available {
                let kind = match numbering {
                    Numbering::Auto => "autonumbered",
                    Numbering::Symbol => "symbol",
                };
                self.error(
                    uses[available],
                    format!(
                        "Too many {kind} footnote references: only {available} corresponding footnotes available."
                    ),
                );
            }
        }
        if self.anonymous_references.len() != self.anonymous_targets {
            let line = self.anonymous_references.first().copied().unwrap_or(1);
            self.error(
                line,
                format!(
                    "Anonymous hyperlink mismatch: {} references but {} targets.",
                    self.anonymous_references.len(),
                    self.anonymous_targets
                ),
            );
        }
        for (name, line) in std::mem::take(&mut self.references) {
            match self.names.get(&name) {
                None => self.error(line, format!("Unknown target name: \"{name}\".")),
                Some(Name { target: None, .. }) => self.error(
                    line,
                    format!(
                        "Duplicate target name, cannot be used as a unique reference: \"{name}\"."
                    ),
                ),
                Some(_) => {}
            }
        }
        self.check_transitions();
    }

    /// A transition may not open the document or a section, follow another
    /// transition, or end the document.
    fn check_transitions(&mut self) {
        let events = std::mem::take(&mut self.events);
        for (index, event) in events.iter().enumerate() {
            let Event::Transition(line) = *event else {
                continue;
            };
            let previous = index.checked_sub(1).map(|i| events[i]);
            match previous {
                None | Some(Event::Title) => self.error(
                    line,
                    "Document or section may not begin with a transition.",
                ),
                Some(Event::Transition(_)) => self.error(
                    line,
                    "At least one body element must separate transitions; adjacent transitions are not allowed.",
                ),
                Some(Event::Element) => {}
            }
            if index + 1 == events.len() {
                self.error(line, "Document may not end with a transition.");
            }
        }
    }
}
