//! Explicit markup (`..` blocks): footnotes, citations, hyperlink targets,
//! substitution definitions, directives and comments, and the anonymous
//! `__` target.

use super::body::Parser;
use super::document::{CustomRole, Numbering};
use super::inline::{self, Inline, Mode, escape, unescape};
use super::lines::{self, Cut, Line};
use std::sync::LazyLock;

use regex::Regex;

use super::patterns::{self, Explicit, Kind, SIMPLE_NAME, compile};
use super::registry::{self, Content};

/// An explicit markup block and the ones right after it; one cut off by an
/// unindented line warns.
pub(super) fn markup(p: &mut Parser<'_>, lines: &[Line], i: usize) -> usize {
    let (mut end, mut blank_finish) = construct(p, lines, i);
    loop {
        let mut next = end;
        while next < lines.len() && lines[next].is_blank() {
            next += 1;
        }
        match lines.get(next).map(|l| patterns::kind(l.text())) {
            Some(Kind::Explicit | Kind::Anonymous(_)) => {
                (end, blank_finish) = construct(p, lines, next);
            }
            _ => break,
        }
    }
    if !blank_finish {
        p.unindent_warning("Explicit markup", lines, end);
    }
    end
}

fn cut(lines: &[Line], i: usize, first_indent: usize, until_blank: bool) -> lines::Block {
    lines::indented(
        lines,
        i,
        Cut {
            first_indent: Some(first_indent),
            until_blank,
            ..Cut::default()
        },
    )
}

fn construct(p: &mut Parser<'_>, lines: &[Line], i: usize) -> (usize, bool) {
    if let Kind::Anonymous(marker) = patterns::kind(lines[i].text()) {
        let block = cut(lines, i, marker, true);
        p.doc.anonymous_target();
        return (block.end, block.blank_finish);
    }
    match patterns::explicit(lines[i].text()) {
        Explicit::Footnote { label, end } => footnote(p, lines, i, &label, end),
        Explicit::Citation { label, end } => {
            p.doc.rendered = true;
            p.doc.explicit_target(&label, None, lines[i].number);
            body_after(p, lines, i, end)
        }
        Explicit::Target { end } => target(p, lines, i, end),
        Explicit::Substitution { end } => substitution(p, lines, i, end),
        Explicit::Directive { name, end } => directive(p, lines, i, &name, end, None),
        Explicit::Comment { end } => comment(lines, i, end),
    }
}

/// Body elements after a marker, parsed nested.
fn body_after(p: &mut Parser<'_>, lines: &[Line], i: usize, end: usize) -> (usize, bool) {
    let block = cut(lines, i, end, false);
    p.nested(&lines::trim_blank(block.lines));
    (block.end, block.blank_finish)
}

fn footnote(
    p: &mut Parser<'_>,
    lines: &[Line],
    i: usize,
    label: &str,
    end: usize,
) -> (usize, bool) {
    p.doc.rendered = true;
    let line = lines[i].number;
    match label.strip_prefix('#') {
        Some("") => p.doc.footnote(Numbering::Auto),
        Some(name) => p.doc.explicit_target(name, None, line),
        None if label == "*" => p.doc.footnote(Numbering::Symbol),
        None => p.doc.explicit_target(label, None, line),
    }
    body_after(p, lines, i, end)
}

fn comment(lines: &[Line], i: usize, end: usize) -> (usize, bool) {
    let rest_empty = lines[i].text().chars().skip(end).all(char::is_whitespace);
    let next_blank = lines.get(i + 1).is_none_or(Line::is_blank);
    if rest_empty && next_blank {
        return (i + 1, true);
    }
    let block = cut(lines, i, end, false);
    (block.end, block.blank_finish)
}

/// `.. _name: uri`, `.. _name: other_`, `.. _name:`, `.. __: uri`.
fn target(p: &mut Parser<'_>, lines: &[Line], i: usize, end: usize) -> (usize, bool) {
    let block = cut(lines, i, end, true);
    let texts: Vec<String> = block.lines.iter().map(|l| escape(l.text())).collect();
    let mut escaped = String::new();
    let mut parsed = None;
    for (index, text) in texts.iter().enumerate() {
        escaped.push_str(text);
        if let Some((name, rest)) = target_name(&escaped) {
            parsed = Some((name, index, rest));
            break;
        }
    }
    let line = lines[i].number;
    let Some((name, index, rest)) = parsed else {
        p.doc.warning(line, "malformed hyperlink target.");
        return comment(lines, i, 2);
    };
    let mut destination: Vec<String> = vec![rest.trim().to_owned()];
    destination.extend(texts[index + 1..].iter().map(|t| t.trim().to_owned()));
    destination.retain(|d| !d.is_empty());
    let joined = destination.join(" ");
    let reference = joined
        .ends_with('_')
        .then(|| indirect_name(&joined))
        .flatten();
    match name {
        None => p.doc.anonymous_target(),
        Some(name) => {
            let name = unescape(&name);
            if let Some(reference) = reference {
                p.doc
                    .explicit_target(&name, Some(format!("\0{reference}")), line);
                p.doc.reference(&reference, line);
            } else {
                let uri: String = unescape(&joined).split_whitespace().collect();
                p.doc
                    .explicit_target(&name, (!uri.is_empty()).then_some(uri), line);
            }
        }
    }
    (block.end, block.blank_finish)
}

/// The name of a target (`None` for the anonymous `_`) and the text after
/// its colon, or `None` when the text is not yet a complete target.
fn target_name(escaped: &str) -> Option<(Option<String>, String)> {
    let chars: Vec<char> = escaped.chars().collect();
    let after_colon = |at: usize| -> Option<String> {
        let mut at = at;
        if chars.get(at) == Some(&' ') {
            at += 1;
        }
        if chars.get(at) != Some(&':') {
            return None;
        }
        let rest: String = chars[at + 1..].iter().collect();
        (rest.is_empty() || rest.starts_with(' ')).then_some(rest)
    };
    if chars.first() == Some(&'_') {
        return after_colon(1).map(|rest| (None, rest));
    }
    let quoted = chars.first() == Some(&'`');
    let start = usize::from(quoted);
    if matches!(chars.get(start), None | Some(' ' | '`')) {
        return None;
    }
    for end in start + 1..=chars.len() {
        let last = chars[end - 1];
        if last.is_whitespace() || last == '\0' {
            continue;
        }
        let close = if quoted {
            if chars.get(end) != Some(&'`') {
                continue;
            }
            end + 1
        } else {
            let escaped_colon = end >= 2 && chars[end - 2] == '\0';
            if last == ':' && !escaped_colon {
                continue;
            }
            end
        };
        if let Some(rest) = after_colon(close) {
            return Some((Some(chars[start..end].iter().collect()), rest));
        }
    }
    None
}

/// `name_` or `` `phrase`_ ``: an indirect target's reference name.
fn indirect_name(text: &str) -> Option<String> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let inner = text.strip_suffix('_')?;
    if let Some(phrase) = inner.strip_prefix('`').and_then(|t| t.strip_suffix('`')) {
        return (!phrase.starts_with(' ') && !phrase.ends_with(' ') && !phrase.is_empty())
            .then(|| unescape(phrase));
    }
    static NAME: LazyLock<Regex> = LazyLock::new(|| compile(&format!("^{SIMPLE_NAME}$")));
    NAME.is_match(inner).then(|| unescape(inner))
}

/// `.. |name| directive:: …`.
fn substitution(p: &mut Parser<'_>, lines: &[Line], i: usize, end: usize) -> (usize, bool) {
    let block = cut(lines, i, end, false);
    let line = lines[i].number;
    let mut escaped = escape(block.lines[0].text().trim_end());
    let mut found = None;
    for index in 0..block.lines.len() {
        if index > 0 {
            escaped.push(' ');
            escaped.push_str(&escape(block.lines[index].text().trim()));
        }
        if let Some((name, rest)) = substitution_name(&escaped) {
            found = Some((name, rest, index));
            break;
        }
    }
    let Some((name, rest, index)) = found else {
        p.doc.warning(line, "malformed substitution definition.");
        return comment(lines, i, 2);
    };
    let name = unescape(&name);
    let mut body: Vec<Line> = Vec::new();
    if !rest.trim().is_empty() {
        body.push(Line::new(unescape(rest.trim()), block.lines[index].number));
    }
    // The directive's own lines keep their indentation, as docutils reads
    // them, so its options and content stay inside it.
    body.extend(lines[i + index + 1..block.end].iter().cloned());
    let body = lines::trim_blank(body);
    let Some(first) = body.first() else {
        p.doc.warning(
            line,
            format!("Substitution definition \"{name}\" missing contents."),
        );
        return (block.end, block.blank_finish);
    };
    match patterns::explicit(&format!(".. {}", first.text())) {
        Explicit::Directive {
            name: directive_name,
            end,
        } => {
            let mut ok = true;
            directive(p, &body, 0, &directive_name, end - 3, Some(&mut ok));
            if ok {
                p.doc.substitution(&name, line);
            }
        }
        _ => p.doc.warning(
            line,
            format!("Substitution definition \"{name}\" empty or invalid."),
        ),
    }
    (block.end, block.blank_finish)
}

/// The name between `|` delimiters and the text after.
fn substitution_name(escaped: &str) -> Option<(String, String)> {
    let chars: Vec<char> = escaped.chars().collect();
    if chars.first().is_none_or(|&c| c == ' ') {
        return None;
    }
    for close in 1..chars.len() {
        if chars[close] != '|' {
            continue;
        }
        let before = chars[close - 1];
        if before.is_whitespace() || before == '\0' {
            continue;
        }
        let rest: String = chars[close + 1..].iter().collect();
        if rest.is_empty() || rest.starts_with(' ') {
            return Some((chars[..close].iter().collect(), rest));
        }
    }
    None
}

/// A directive. In a substitution definition `valid` says whether it
/// produced something a substitution can hold.
fn directive(
    p: &mut Parser<'_>,
    lines: &[Line],
    i: usize,
    name: &str,
    end: usize,
    mut valid: Option<&mut bool>,
) -> (usize, bool) {
    let block = cut(lines, i, end, false);
    let outcome = (block.end, block.blank_finish);
    let line = lines[i].number;
    let lower = name.to_lowercase();
    let in_substitution = valid.is_some();
    let mut fail = || {
        if let Some(valid) = valid.as_deref_mut() {
            *valid = false;
        }
    };
    if registry::DISABLED.contains(&lower.as_str()) {
        p.doc
            .warning(line, format!("\"{name}\" directive disabled."));
        fail();
        return outcome;
    }
    if registry::SUBSTITUTION_ONLY.contains(&lower.as_str()) {
        if !in_substitution {
            p.doc.error(
                line,
                format!("Invalid context: the \"{name}\" directive can only be used within a substitution definition."),
            );
        } else if lower == "replace" {
            let text: Vec<&str> = block.lines.iter().map(|l| l.text().trim()).collect();
            p.inline(text.join("\n").trim(), line);
        }
        return outcome;
    }
    if lower == "role" {
        define_role(p, &block.lines, line);
        return outcome;
    }
    let Some(spec) = registry::directive_named(name) else {
        p.doc
            .error(line, format!("Unknown directive type \"{name}\"."));
        fail();
        return outcome;
    };
    if in_substitution && spec.name != "image" {
        p.doc.error(
            line,
            format!(
                "Substitution definition contains illegal element <{}>:",
                spec.name
            ),
        );
        fail();
        return outcome;
    }
    let parts = match split_directive(spec, block.lines, in_substitution) {
        Ok(parts) => parts,
        Err(message) => {
            p.doc
                .error(line, format!("Error in \"{name}\" directive:\n{message}."));
            fail();
            return outcome;
        }
    };
    run(p, spec, name, parts, line);
    outcome
}

/// A directive block split as `parse_directive_block` splits it.
struct Parts {
    arguments: Vec<String>,
    options: Vec<(String, String)>,
    content: Vec<Line>,
}

fn split_directive(
    spec: &registry::Directive,
    mut block: Vec<Line>,
    in_substitution: bool,
) -> Result<Parts, String> {
    if block.first().is_some_and(Line::is_blank) {
        block.remove(0);
    }
    while block.last().is_some_and(Line::is_blank) {
        block.pop();
    }
    let takes_arguments = spec.required + spec.optional > 0;
    let split = block.iter().position(Line::is_blank).unwrap_or(block.len());
    let (mut arg_block, mut content) =
        if !block.is_empty() && (takes_arguments || !spec.options.is_empty()) {
            let content = block
                .get(split + 1..)
                .map(<[Line]>::to_vec)
                .unwrap_or_default();
            (block[..split].to_vec(), content)
        } else {
            (Vec::new(), block.clone())
        };
    let mut options = Vec::new();
    if !spec.options.is_empty()
        && let Some(at) = arg_block
            .iter()
            .position(|l| patterns::field_marker(l.text()).is_some())
    {
        options = parse_options(&arg_block[at..])?;
        arg_block.truncate(at);
    }
    if !arg_block.is_empty() && !takes_arguments {
        let mut joined = std::mem::take(&mut arg_block);
        joined.extend(block[split..].iter().cloned());
        content = joined;
    }
    let content = lines::trim_blank(content);
    let text: Vec<&str> = arg_block.iter().map(|l| l.text()).collect();
    let text = text.join("\n");
    let mut arguments: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
    if arguments.len() < spec.required {
        return Err(format!(
            "{} argument(s) required, {} supplied",
            spec.required,
            arguments.len()
        ));
    }
    let allowed = spec.required + spec.optional;
    if arguments.len() > allowed {
        if spec.final_whitespace {
            arguments = vec![text.trim().to_owned()];
        } else {
            return Err(format!(
                "maximum {allowed} argument(s) allowed, {} supplied",
                arguments.len()
            ));
        }
    }
    for (option, value) in &options {
        if !spec.options.contains(&option.as_str()) {
            return Err(format!("unknown option: \"{option}\""));
        }
        check_option(spec.name, option, value, in_substitution)?;
    }
    if !content.is_empty() && spec.content == Content::None {
        return Err("no content permitted".to_owned());
    }
    Ok(Parts {
        arguments,
        options,
        content,
    })
}

/// A directive's options: a field list, each field's body its value.
fn parse_options(block: &[Line]) -> Result<Vec<(String, String)>, String> {
    let mut options: Vec<(String, String)> = Vec::new();
    for line in block {
        if let Some(end) = patterns::field_marker(line.text()) {
            let marker: String = line.text().chars().take(end).collect();
            let name = marker.trim().trim_matches(':').to_lowercase();
            let value: String = line.text().chars().skip(end).collect();
            if options.iter().any(|(n, _)| *n == name) {
                return Err(format!("duplicate option \"{name}\""));
            }
            options.push((name, value.trim().to_owned()));
        } else if line.text().starts_with(' ') {
            if let Some((_, value)) = options.last_mut() {
                value.push(' ');
                value.push_str(line.text().trim());
            }
        } else {
            return Err("invalid option block".to_owned());
        }
    }
    Ok(options)
}

const FLAGS: &[&str] = &["local", "keepspace"];
const OPTIONAL_VALUE: &[&str] = &[
    "name",
    "number-lines",
    "subtitle",
    "header",
    "prefix",
    "suffix",
];

/// The option value checks readers hit in practice: values that must be
/// there (or not), and the alignment choices.
fn check_option(
    directive: &str,
    option: &str,
    value: &str,
    in_substitution: bool,
) -> Result<(), String> {
    if FLAGS.contains(&option) {
        if !value.is_empty() {
            return Err(format!(
                "invalid option value: (option: \"{option}\"; value: '{value}')\nno argument is permitted; \"{value}\" supplied"
            ));
        }
        return Ok(());
    }
    if value.is_empty() && !OPTIONAL_VALUE.contains(&option) {
        return Err(format!(
            "invalid option value: (option: \"{option}\"; value: None)\nargument required but none supplied"
        ));
    }
    if option == "align" {
        let choices: &[&str] = match directive {
            "image" if in_substitution => &["top", "middle", "bottom"],
            "image" => &["top", "middle", "bottom", "left", "center", "right"],
            _ => &["left", "center", "right"],
        };
        if !choices.contains(&value.to_lowercase().as_str()) {
            return Err(format!(
                "invalid option value: (option: \"align\"; value: '{value}')\n\"{value}\" unknown; choose from {}",
                choices
                    .iter()
                    .map(|c| format!("\"{c}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    if matches!(option, "width" | "height" | "scale" | "figwidth")
        && !value.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && !(option == "figwidth" && value == "image")
    {
        return Err(format!(
            "invalid option value: (option: \"{option}\"; value: '{value}')\nnot a length"
        ));
    }
    Ok(())
}

/// What a directive does with its parts once they are well-formed.
fn run(p: &mut Parser<'_>, spec: &registry::Directive, name: &str, parts: Parts, line: usize) {
    if !matches!(spec.name, "default-role" | "title" | "meta") {
        p.doc.rendered = true;
    }
    let titled = matches!(spec.name, "admonition" | "topic" | "sidebar" | "rubric")
        || spec.name.ends_with("table");
    if titled && let Some(title) = parts.arguments.first() {
        p.inline(title, line);
    }
    if spec.name == "csv-table" && parts.options.iter().any(|(o, _)| o == "file" || o == "url") {
        p.doc.warning(
            line,
            format!("File and URL access deactivated; ignoring \"{name}\" directive."),
        );
        return;
    }
    let required = matches!(
        spec.content,
        Content::Body | Content::Verbatim | Content::Inline
    );
    if parts.content.is_empty() {
        if required {
            let admonition = matches!(
                spec.name,
                "attention"
                    | "caution"
                    | "danger"
                    | "error"
                    | "hint"
                    | "important"
                    | "note"
                    | "tip"
                    | "warning"
                    | "admonition"
            );
            if admonition {
                p.doc.error(
                    line,
                    format!("The \"{name}\" admonition is empty; content required."),
                );
            } else {
                p.doc.error(
                    line,
                    format!("Content block expected for the \"{name}\" directive; none found."),
                );
            }
        }
        return;
    }
    match spec.content {
        Content::Body | Content::OptionalBody => p.nested(&parts.content),
        Content::Inline => {
            let text: Vec<&str> = parts.content.iter().map(|l| l.text()).collect();
            p.inline(&text.join("\n"), parts.content[0].number);
        }
        Content::Verbatim if spec.name == "csv-table" => {
            for cell_line in &parts.content {
                inline::parse(
                    p.doc,
                    Inline {
                        text: cell_line.text(),
                        line: cell_line.number,
                        mode: Mode::Collect,
                    },
                );
            }
        }
        Content::Verbatim | Content::None => {}
    }
}

/// `.. role:: name` or `.. role:: name(base)`.
fn define_role(p: &mut Parser<'_>, block: &[Line], line: usize) {
    let first = block.first().map(|l| l.text().trim()).unwrap_or_default();
    static ROLE: LazyLock<Regex> = LazyLock::new(|| {
        compile(&format!(
            r"^({SIMPLE_NAME})\s*(?:\(\s*({SIMPLE_NAME})\s*\)\s*)?$"
        ))
    });
    let Some(caps) = ROLE.captures(first) else {
        if first.is_empty() {
            p.doc.error(
                line,
                "Error in \"role\" directive:\n\"role\" directive requires arguments on the first line.",
            );
        } else {
            p.doc.error(
                line,
                format!("Error in \"role\" directive:\n\"role\" directive arguments not valid role names: \"{first}\"."),
            );
        }
        return;
    };
    let new_role = caps[1].to_lowercase();
    let kind = match caps.get(2).map(|b| b.as_str().to_lowercase()) {
        None => CustomRole::Usable,
        Some(base) if base == "raw" => CustomRole::Raw,
        Some(base) => match p.doc.roles.get(&base) {
            Some(kind) => *kind,
            None if registry::is_standard_role(&base) => CustomRole::Usable,
            None => {
                p.doc
                    .error(line, format!("Unknown interpreted text role \"{base}\"."));
                return;
            }
        },
    };
    p.doc.roles.insert(new_role, kind);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_names() {
        assert_eq!(
            target_name("name: https://x"),
            Some((Some("name".to_owned()), " https://x".to_owned()))
        );
        assert_eq!(target_name("_: https://x").map(|t| t.0), Some(None));
        assert_eq!(
            target_name("`a: b`: https://x").map(|t| t.0),
            Some(Some("a: b".to_owned()))
        );
        assert_eq!(target_name("name"), None);
        assert_eq!(
            target_name("name:"),
            Some((Some("name".to_owned()), String::new()))
        );
    }

    #[test]
    fn substitution_names() {
        assert_eq!(
            substitution_name("badge| image:: x.png"),
            Some(("badge".to_owned(), " image:: x.png".to_owned()))
        );
        assert_eq!(substitution_name("open"), None);
    }

    #[test]
    fn indirect_names() {
        assert_eq!(indirect_name("other_").as_deref(), Some("other"));
        assert_eq!(indirect_name("`a phrase`_").as_deref(), Some("a phrase"));
        assert_eq!(indirect_name("https://x/y_").as_deref(), None);
    }
}
