//! Classifying an index's answer: status, content type, reason and body
//! from the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mintup::upload::response::{Answer, classify};

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let mut parts = text.splitn(3, '\n');
    let content_type = parts.next();
    let reason = parts.next();
    let body = parts.next().unwrap_or_default();
    let answer = Answer {
        status: 100 + u16::from(head) * 2,
        content_type,
        body,
        reason,
        location: reason,
    };
    let _ = classify(&answer);
});
