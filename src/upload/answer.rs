//! An index's answer, as the classification reads it, and the server's own
//! words in it: Warehouse's JSON message, an HTML error page's text, a plain
//! body or the reason phrase, bounded and made safe to print.

use crate::untrusted;

/// The parts of an HTTP answer the classification looks at.
#[derive(Debug, Clone, Copy, Default)]
pub struct Answer<'a> {
    pub status: u16,
    pub content_type: Option<&'a str>,
    pub body: &'a str,
    /// The HTTP/1.1 reason phrase when the server sent a custom one
    /// (Warehouse puts its message there).
    pub reason: Option<&'a str>,
    pub location: Option<&'a str>,
}

/// Longest server message we repeat.
pub(super) const MAX_MESSAGE: usize = 1000;

/// The server's message: Warehouse's JSON `message`, the text of an HTML
/// error page (its `<pre>` block where there is one, as bottle-based
/// pypiserver writes), a plain-text body, or else the reason phrase. Made
/// safe to print after decoding, since JSON escapes and HTML entities can
/// spell what the raw body could not.
pub(super) fn server_message(answer: &Answer<'_>) -> String {
    let body = answer.body.trim();
    let from_body = if let Some(message) = json_message(body) {
        message
    } else if body.starts_with('<') || answer.content_type.is_some_and(|t| t.contains("html")) {
        html_text(body)
    } else {
        body.to_owned()
    };
    let message = if from_body.is_empty() {
        answer.reason.unwrap_or_default().trim().to_owned()
    } else {
        from_body
    };
    truncate(untrusted::for_log(&message, &[]))
}

/// Warehouse's JSON error: `code` is "<status> <the specific message>",
/// while `message` starts with the status's generic explanation, so `code`
/// wins. Other indexes' shapes follow.
fn json_message(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    let text = |key: &str| {
        value
            .get(key)?
            .as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let code = text("code").map(|code| match code.split_once(' ') {
        Some((status, rest)) if status.bytes().all(|b| b.is_ascii_digit()) => {
            rest.trim().to_owned()
        }
        _ => code,
    });
    code.filter(|c| !c.is_empty())
        .or_else(|| text("message"))
        .or_else(|| text("detail"))
        .or_else(|| text("error"))
        .or_else(|| {
            // Artifactory: {"errors":[{"status":403,"message":"..."}]}
            value
                .get("errors")?
                .as_array()?
                .iter()
                .find_map(|e| e.get("message")?.as_str())
                .map(str::to_owned)
        })
        .map(|m| m.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn html_text(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let inner = match (lower.find("<pre>"), lower.find("</pre>")) {
        (Some(start), Some(end)) if start < end => &html[start + 5..end],
        _ => match (lower.find("<body"), lower.find("</body>")) {
            (Some(start), Some(end)) if start < end => &html[start..end],
            _ => html,
        },
    };
    let mut text = String::new();
    let mut in_tag = false;
    for c in inner.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&#039;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn truncate(mut message: String) -> String {
    if message.chars().count() > MAX_MESSAGE {
        message = message.chars().take(MAX_MESSAGE).collect();
        message.push('…');
    }
    message
}
