//! Core-metadata parsing, then every rule on the result (the description
//! included, as reStructuredText when no content type says otherwise).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mintup::check::{FileFacts, check_all};
use mintup::dist::{DistFilename, Metadata};
use mintup::index::IndexKind;

fuzz_target!(|data: &[u8]| {
    let Ok(metadata) = Metadata::parse(data) else {
        return;
    };
    let facts = FileFacts {
        filename: DistFilename::parse("fuzz-1.0-py3-none-any.whl").expect("a valid name"),
        size: 1,
        metadata,
        members: Vec::new(),
        record: None,
        entry_points: None,
        framing: Default::default(),
        record_mismatches: None,
        record_hash_error: None,
    };
    let _ = check_all(&[facts], IndexKind::Pypi);
});
