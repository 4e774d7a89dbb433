//! The server-text sanitiser: whatever a server sends, what mintup prints
//! of it holds no line GitHub's runner would obey as a workflow command (a
//! line whose first non-blank characters are `::`, or `##[` anywhere; lines
//! end at `\n` or `\r`), no control characters, no invisible ones the
//! runner's culture-sensitive matching would skip, no known secret, and no
//! more than the bound. Table cells stay one cell on one line.
//!
//! The input is the server's text; a first line starting with `\x01` names
//! a secret (the credential in use) instead.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mintup::untrusted::{MAX_CELL_CHARS, MAX_LOG_CHARS, defuse_commands, for_cell, for_log};

const CUT: &str = "… (cut)";

/// The runner's reading of one line (see src/untrusted.rs).
fn obeyed(line: &str) -> bool {
    line.trim_start().starts_with("::") || line.contains("##[")
}

/// Default-ignorable code points, which ICU's comparison skips.
fn ignorable(c: char) -> bool {
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

fn assert_no_command(what: &str, input: &str, output: &str) {
    for line in output.split(['\n', '\r']) {
        assert!(
            !obeyed(line),
            "{what} lets the runner obey {line:?}\ninput: {input:?}\noutput: {output:?}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (secret, text) = match text.strip_prefix('\u{1}') {
        Some(rest) => rest.split_once('\n').unwrap_or((rest, "")),
        None => ("", &*text),
    };
    // A credential: long enough to be redacted, of token characters.
    let secret = (secret.len() >= 6
        && secret
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    .then_some(secret);
    let secrets: Vec<&str> = secret.into_iter().collect();

    // The binary's last safety net, on text of any kind.
    let defused = defuse_commands(text);
    assert_no_command("defuse_commands", text, &defused);
    assert_eq!(
        defuse_commands(&defused),
        defused,
        "defusing twice changes the text: {text:?}"
    );

    let log = for_log(text, &secrets);
    assert_no_command("for_log", text, &log);
    let visible: String = log.chars().filter(|&c| !ignorable(c)).collect();
    assert_eq!(
        visible, log,
        "for_log keeps an invisible character: {text:?}"
    );
    assert!(
        log.chars()
            .all(|c| !c.is_control() || c == '\n' || c == '\t'),
        "for_log keeps a control character: {text:?} -> {log:?}"
    );
    assert!(
        log.chars().count() <= MAX_LOG_CHARS + CUT.chars().count(),
        "for_log is too long"
    );
    if let Some(secret) = secret {
        assert!(
            !log.contains(secret),
            "for_log shows the secret {secret:?}: {text:?} -> {log:?}"
        );
    }

    let cell = for_cell(text, &secrets);
    assert!(
        !cell.contains("##["),
        "for_cell keeps a legacy command: {text:?} -> {cell:?}"
    );
    assert!(
        cell.chars().all(|c| !c.is_control() && !ignorable(c)),
        "for_cell keeps a control or invisible character: {text:?} -> {cell:?}"
    );
    assert!(
        !cell.contains(['\u{2028}', '\u{2029}']),
        "for_cell is not one line: {text:?} -> {cell:?}"
    );
    // Every `|` escaped: preceded by an odd run of backslashes.
    let bytes = cell.as_bytes();
    for (at, _) in cell.match_indices('|') {
        let run = bytes[..at]
            .iter()
            .rev()
            .take_while(|&&b| b == b'\\')
            .count();
        assert!(
            run % 2 == 1,
            "for_cell splits the cell: {text:?} -> {cell:?}"
        );
    }
    // Escapes may double the bounded text's length.
    assert!(
        cell.chars().count() <= 2 * (MAX_CELL_CHARS + CUT.chars().count()),
        "for_cell is too long"
    );
    if let Some(secret) = secret {
        assert!(
            !cell.contains(secret),
            "for_cell shows the secret {secret:?}: {text:?} -> {cell:?}"
        );
    }
});
