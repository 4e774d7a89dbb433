//! The directives and interpreted-text roles docutils 0.23 registers in
//! English, with the argument and option rules PyPI's renderer enforces.
//! Sphinx's additions (`toctree`, `:func:`, …) are unknown to docutils and
//! fail on PyPI.

/// What a directive's content is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Content {
    /// No content allowed.
    None,
    /// Body elements, parsed as a nested document part; required.
    Body,
    /// Body elements, optional.
    OptionalBody,
    /// Text taken as it is (code, math, CSV); required.
    Verbatim,
    /// Inline text, one line block or literal per line; required.
    Inline,
}

/// How a directive is written.
#[derive(Debug, Clone, Copy)]
pub(super) struct Directive {
    pub name: &'static str,
    pub required: usize,
    pub optional: usize,
    /// The last argument may contain spaces.
    pub final_whitespace: bool,
    pub options: &'static [&'static str],
    pub content: Content,
}

const ADMONITION_OPTIONS: &[&str] = &["class", "name"];
const IMAGE_OPTIONS: &[&str] = &[
    "alt", "height", "width", "scale", "align", "target", "class", "name", "loading",
];
const FIGURE_OPTIONS: &[&str] = &[
    "alt", "height", "width", "scale", "align", "target", "class", "name", "loading", "figwidth",
    "figclass",
];
const TABLE_OPTIONS: &[&str] = &["class", "name", "align", "width", "widths"];
const CSV_OPTIONS: &[&str] = &[
    "header-rows",
    "stub-columns",
    "header",
    "widths",
    "file",
    "url",
    "encoding",
    "class",
    "name",
    "align",
    "delim",
    "keepspace",
    "quote",
    "escape",
    "width",
];
const LIST_TABLE_OPTIONS: &[&str] = &[
    "header-rows",
    "stub-columns",
    "width",
    "widths",
    "class",
    "name",
    "align",
];

const fn directive(
    name: &'static str,
    (required, optional, final_whitespace): (usize, usize, bool),
    options: &'static [&'static str],
    content: Content,
) -> Directive {
    Directive {
        name,
        required,
        optional,
        final_whitespace,
        options,
        content,
    }
}

const NO_ARGS: (usize, usize, bool) = (0, 0, false);
const TITLE_ARG: (usize, usize, bool) = (1, 0, true);
const OPTIONAL_TITLE: (usize, usize, bool) = (0, 1, true);

/// Directives docutils knows, by canonical English name.
const DIRECTIVES: &[Directive] = &[
    directive("attention", NO_ARGS, ADMONITION_OPTIONS, Content::Body),
    directive("caution", NO_ARGS, ADMONITION_OPTIONS, Content::Body),
    directive("danger", NO_ARGS, ADMONITION_OPTIONS, Content::Body),
    directive("error", NO_ARGS, ADMONITION_OPTIONS, Content::Body),
    directive("hint", NO_ARGS, ADMONITION_OPTIONS, Content::Body),
    directive("important", NO_ARGS, ADMONITION_OPTIONS, Content::Body),
    directive("note", NO_ARGS, ADMONITION_OPTIONS, Content::Body),
    directive("tip", NO_ARGS, ADMONITION_OPTIONS, Content::Body),
    directive("warning", NO_ARGS, ADMONITION_OPTIONS, Content::Body),
    directive("admonition", TITLE_ARG, ADMONITION_OPTIONS, Content::Body),
    directive(
        "sidebar",
        OPTIONAL_TITLE,
        &["subtitle", "class", "name"],
        Content::Body,
    ),
    directive("topic", TITLE_ARG, ADMONITION_OPTIONS, Content::Body),
    directive("line-block", NO_ARGS, ADMONITION_OPTIONS, Content::Inline),
    directive(
        "parsed-literal",
        NO_ARGS,
        ADMONITION_OPTIONS,
        Content::Inline,
    ),
    directive(
        "code",
        (0, 1, false),
        &["class", "name", "number-lines"],
        Content::Verbatim,
    ),
    directive("math", NO_ARGS, ADMONITION_OPTIONS, Content::Verbatim),
    directive("rubric", TITLE_ARG, ADMONITION_OPTIONS, Content::None),
    directive("epigraph", NO_ARGS, &[], Content::Body),
    directive("highlights", NO_ARGS, &[], Content::Body),
    directive("pull-quote", NO_ARGS, &[], Content::Body),
    directive("compound", NO_ARGS, ADMONITION_OPTIONS, Content::Body),
    directive("container", OPTIONAL_TITLE, &["name"], Content::Body),
    directive("table", OPTIONAL_TITLE, TABLE_OPTIONS, Content::Body),
    directive("csv-table", OPTIONAL_TITLE, CSV_OPTIONS, Content::Verbatim),
    directive(
        "list-table",
        OPTIONAL_TITLE,
        LIST_TABLE_OPTIONS,
        Content::Body,
    ),
    directive("image", TITLE_ARG, IMAGE_OPTIONS, Content::None),
    directive("figure", TITLE_ARG, FIGURE_OPTIONS, Content::OptionalBody),
    directive(
        "contents",
        OPTIONAL_TITLE,
        &["depth", "local", "backlinks", "class"],
        Content::None,
    ),
    directive(
        "sectnum",
        NO_ARGS,
        &["depth", "prefix", "suffix", "start"],
        Content::None,
    ),
    directive("header", NO_ARGS, &[], Content::Body),
    directive("footer", NO_ARGS, &[], Content::Body),
    directive("target-notes", NO_ARGS, ADMONITION_OPTIONS, Content::None),
    directive("meta", NO_ARGS, &[], Content::Body),
    directive("class", TITLE_ARG, &[], Content::OptionalBody),
    directive("default-role", (0, 1, false), &[], Content::None),
    directive("title", TITLE_ARG, &[], Content::None),
];

/// English aliases docutils maps to a canonical name.
const ALIASES: &[(&str, &str)] = &[
    ("code-block", "code"),
    ("sourcecode", "code"),
    ("section-numbering", "sectnum"),
    ("rst-class", "class"),
];

/// Directives that read files or pass markup through: PyPI's renderer
/// disables them, and docutils warns.
pub(super) const DISABLED: &[&str] = &["include", "raw"];

/// Directives only allowed inside a substitution definition.
pub(super) const SUBSTITUTION_ONLY: &[&str] = &["replace", "unicode", "date"];

/// Look a directive up by the name written (case-insensitive, as docutils).
pub(super) fn directive_named(name: &str) -> Option<&'static Directive> {
    let name = name.to_lowercase();
    let canonical = ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name.as_str(), |(_, canonical)| canonical);
    DIRECTIVES.iter().find(|d| d.name == canonical)
}

/// Roles usable in interpreted text.
const ROLES: &[&str] = &[
    "abbreviation",
    "ab",
    "acronym",
    "ac",
    "code",
    "emphasis",
    "literal",
    "math",
    "pep-reference",
    "pep",
    "rfc-reference",
    "rfc",
    "strong",
    "subscript",
    "sub",
    "superscript",
    "sup",
    "title-reference",
    "title",
    "t",
];

/// A standard role docutils knows (case-insensitive).
pub(super) fn is_standard_role(name: &str) -> bool {
    ROLES.contains(&name.to_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_resolve_to_their_directive() {
        assert_eq!(directive_named("code-block").map(|d| d.name), Some("code"));
        assert_eq!(directive_named("Note").map(|d| d.name), Some("note"));
        assert!(directive_named("toctree").is_none());
        assert!(directive_named("versionadded").is_none());
    }

    #[test]
    fn sphinx_roles_are_unknown() {
        assert!(is_standard_role("code"));
        assert!(is_standard_role("PEP"));
        assert!(!is_standard_role("func"));
        assert!(!is_standard_role("ref"));
    }
}
