//! Text from outside (index answers, mint errors, Sigstore's services) made
//! safe to print to a terminal or a CI log, or to put in a Markdown table:
//! pure functions, applied where such text enters mintup.
//!
//! GitHub's runner reads every line a step prints and obeys the workflow
//! commands in it (actions/runner `ActionCommandManager.TryProcessCommand`):
//! `::name …::data` when the line starts with `::` after leading whitespace
//! (`ActionCommand.TryParseV2`), and the legacy `##[name …]data` anywhere in
//! the line (`ActionCommand.TryParse`). It splits lines with .NET's
//! `ReadLine`, so `\r` ends a line as `\n` does. A server that could print
//! `::stop-commands::x` or `::add-mask::…` would steer the job, hence every
//! such line is defused here and again at the binary's edge.

/// The longest text a log shows of one answer; an index's error page is
/// short, and a log is no place for a whole web page.
pub const MAX_LOG_CHARS: usize = 16 * 1024;
/// The longest text in one table cell of the step summary.
pub const MAX_CELL_CHARS: usize = 300;

/// Server text for a terminal or a CI log: control characters and escape
/// sequences removed (newlines and tabs kept), workflow commands defused,
/// `secrets` and anything shaped like a PyPI token or a JWT withheld, and the
/// length bounded.
pub fn for_log(text: &str, secrets: &[&str]) -> String {
    let text = strip_controls(text, '\n');
    let text = redact(&text, secrets);
    bound(&defuse_commands(&text), MAX_LOG_CHARS)
}

/// Server text for one cell of a Markdown table: as [`for_log`], on one
/// line, with Markdown and HTML syntax escaped so that it stays one cell.
pub fn for_cell(text: &str, secrets: &[&str]) -> String {
    let text = strip_controls(text, ' ');
    let text = redact(&text, secrets);
    let text = bound(&text, MAX_CELL_CHARS);
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for c in text.chars() {
        if c.is_whitespace() {
            blank = true;
            continue;
        }
        if blank && !out.is_empty() {
            out.push(' ');
        }
        blank = false;
        // Backslash escapes every ASCII punctuation mark in CommonMark; GFM
        // splits rows on any `|` not preceded by one.
        if matches!(
            c,
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '~' | '!' | '#'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Every line that the runner would read as a workflow command, made inert:
/// a leading `::` becomes `: :`, and every `##[` becomes `## [`. Lines end at
/// `\n` or `\r`, as the runner reads them. For mintup's own output too (the
/// binary's last safety net); its deliberate commands do not pass here.
pub fn defuse_commands(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for line in text.split_inclusive(['\n', '\r']) {
        let indent = line.len()
            - line
                .trim_start_matches(|c: char| c.is_whitespace() && c != '\n' && c != '\r')
                .len();
        let (lead, rest) = line.split_at(indent);
        out.push_str(lead);
        let rest = match rest.strip_prefix("::") {
            Some(after) => format!(": :{after}"),
            None => rest.to_owned(),
        };
        out.push_str(&rest.replace("##[", "## ["));
    }
    out
}

/// Remove what a terminal or the runner would act on or hide: C0 and C1
/// controls (keeping `\t`, and `\n` as `newline`), whole ANSI escape
/// sequences, bidi overrides, and invisible characters. `\r` is dropped.
///
/// Invisible ("default ignorable") characters go because the runner matches
/// `::` and `##[` with .NET's culture-sensitive `StartsWith`/`IndexOf`, which
/// under ICU skip them: `:\u{200B}:add-mask::x` could still be a command.
fn strip_controls(text: &str, newline: char) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\u{2028}' | '\u{2029}' => out.push(newline),
            '\t' => out.push('\t'),
            // ESC: CSI (`ESC [`), OSC (`ESC ]`) or a two-character sequence.
            '\u{1b}' => match chars.peek() {
                Some('[') => {
                    chars.next();
                    skip_csi(&mut chars);
                }
                Some(']') => {
                    chars.next();
                    skip_osc(&mut chars);
                }
                Some(c) if !c.is_control() => {
                    chars.next();
                }
                _ => {}
            },
            // The 8-bit forms of CSI and OSC.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' => skip_osc(&mut chars),
            c if c.is_control() || invisible(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// Parameters and intermediates (0x20–0x3F), then one final byte
/// (0x40–0x7E); anything else ends the sequence and is kept.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(&c) = chars.peek() {
        match c {
            '\u{20}'..='\u{3f}' => {
                chars.next();
            }
            '\u{40}'..='\u{7e}' => {
                chars.next();
                return;
            }
            _ => return,
        }
    }
}

/// An operating-system command runs to BEL or ST (`ESC \`); a newline ends
/// it too, so that an unterminated one cannot swallow the rest.
fn skip_osc(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(&c) = chars.peek() {
        match c {
            '\u{7}' | '\u{9c}' => {
                chars.next();
                return;
            }
            '\u{1b}' => {
                chars.next();
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                return;
            }
            '\n' => return,
            _ => {
                chars.next();
            }
        }
    }
}

/// Bidi controls and Unicode's default-ignorable code points: they change
/// how text reads, or hide, without showing.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{34f}'
            | '\u{61c}'
            | '\u{115f}'..='\u{1160}'
            | '\u{17b4}'..='\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff0}'..='\u{fff8}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e0fff}'
    )
}

/// Withhold the known secrets (the password or token in use, the OIDC token
/// sent), and anything shaped like a PyPI API token or a JWT.
fn redact(text: &str, secrets: &[&str]) -> String {
    let mut text = text.to_owned();
    // Short strings would blank ordinary words; no real secret is that short.
    for secret in secrets.iter().filter(|s| s.len() >= 6) {
        text = text.replace(secret, "****");
    }
    withhold_jwts(&withhold_pypi_tokens(&text))
}

fn token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// `pypi-` and a run of base64url characters that looks like a macaroon
/// (long enough, not all lower-case words: `pypi-simple` stays) becomes
/// `pypi-****`.
fn withhold_pypi_tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("pypi-") {
        out.push_str(&rest[..at + 5]);
        rest = &rest[at + 5..];
        let end = rest.find(|c| !token_char(c)).unwrap_or(rest.len());
        let run = &rest[..end];
        let tokenish = run.len() >= 8
            && run
                .chars()
                .any(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if tokenish {
            out.push_str("****");
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}

/// A JWT: `eyJ` (base64 of `{"`), then three dot-separated base64url parts
/// (the signature may be empty). The whole token becomes `****`.
fn withhold_jwts(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("eyJ") {
        out.push_str(&rest[..at]);
        let candidate = &rest[at..];
        match jwt_len(candidate) {
            Some(len) => {
                out.push_str("****");
                rest = &candidate[len..];
            }
            None => {
                out.push_str("eyJ");
                rest = &candidate[3..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn jwt_len(text: &str) -> Option<usize> {
    let part = |s: &str| {
        s.find(|c: char| !token_char(c) && c != '=')
            .unwrap_or(s.len())
    };
    let header = part(text);
    let rest = text[header..].strip_prefix('.')?;
    let payload = part(rest);
    let rest = rest[payload..].strip_prefix('.')?;
    let signature = part(rest);
    (header >= 8 && payload >= 4).then_some(header + 1 + payload + 1 + signature)
}

/// At most `max` characters; a cut text says so.
fn bound(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((at, _)) => format!("{}… (cut)", &text[..at]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the runner would run: a line starting with `::` after leading
    /// whitespace, or `##[` anywhere (see the module's comment).
    fn runner_would_obey(text: &str) -> bool {
        text.split(['\n', '\r'])
            .any(|line| line.trim_start().starts_with("::") || line.contains("##["))
    }

    #[test]
    fn workflow_commands_are_defused() {
        let hostile = "ok\n::add-mask::x\n  ::stop-commands::tok\r::warning::w\nsee ##[set-output name=a]b\n###[x]";
        let shown = for_log(hostile, &[]);
        assert!(!runner_would_obey(&shown), "{shown}");
        assert_eq!(
            shown,
            "ok\n: :add-mask::x\n  : :stop-commands::tok::warning::w\nsee ## [set-output name=a]b\n### [x]"
        );
        // Defusing is idempotent: text defused at entry and again at the
        // edge reads the same.
        assert_eq!(defuse_commands(&shown), shown);
        assert_eq!(defuse_commands("a\r\n::error::x\r"), "a\r\n: :error::x\r");
    }

    #[test]
    fn invisible_characters_cannot_smuggle_a_command() {
        let shown = for_log(
            ":\u{200b}:add-mask::x\n#\u{ad}#[add-mask]y\n\u{feff}::z::",
            &[],
        );
        assert!(!runner_would_obey(&shown), "{shown}");
    }

    #[test]
    fn controls_and_escape_sequences_are_removed() {
        assert_eq!(
            for_log(
                "\u{1b}[31mred\u{1b}[0m \u{1b}]8;;https://x\u{7}link\u{1b}]8;;\u{1b}\\ \u{1b}c!",
                &[]
            ),
            "red link !"
        );
        assert_eq!(for_log("a\u{0}b\u{7f}c\u{85}d\u{9b}2Je", &[]), "abcde");
        assert_eq!(for_log("tab\tand\r\nline", &[]), "tab\tand\nline");
        assert_eq!(for_log("abc\u{202e}fed\u{2066}", &[]), "abcfed");
        // An unterminated OSC ends at the line's end.
        assert_eq!(for_log("\u{1b}]0;title\nnext", &[]), "\nnext");
    }

    #[test]
    fn secrets_and_token_shapes_are_withheld() {
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJweXBpIn0.c2lnbmF0dXJl";
        let shown = for_log(
            &format!("echo hunter22 {jwt}, pypi-AgEIcHlwaS5vcmc and pypi-simple"),
            &["hunter22"],
        );
        assert_eq!(shown, "echo **** ****, pypi-**** and pypi-simple");
        // A secret split by an escape sequence is found once it is removed.
        assert_eq!(for_log("hunt\u{1b}[0mer22", &["hunter22"]), "****");
        assert_eq!(for_log("eyJ alone", &[]), "eyJ alone");
    }

    #[test]
    fn length_is_bounded() {
        let long = "x".repeat(MAX_LOG_CHARS + 10);
        let shown = for_log(&long, &[]);
        assert_eq!(
            shown.chars().count(),
            MAX_LOG_CHARS + "… (cut)".chars().count()
        );
        assert!(for_cell(&long, &[]).ends_with("… (cut)"));
    }

    #[test]
    fn cells_stay_one_cell() {
        assert_eq!(
            for_cell(
                "a | b\n\n::add-mask::x <img src=x> [l](u) `c` \\| 1 ##[y]",
                &[]
            ),
            "a \\| b ::add-mask::x \\<img src=x\\> \\[l\\](u) \\`c\\` \\\\\\| 1 \\#\\#\\[y\\]"
        );
        assert!(!for_cell("x\ny\rz", &[]).contains(['\n', '\r']));
    }
}
