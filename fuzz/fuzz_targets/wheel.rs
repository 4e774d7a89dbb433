//! Wheel inspection on arbitrary bytes: the archive reader, the metadata
//! parser, then every check rule on what they found. Errors are fine;
//! panics are not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mintup::check::{FileFacts, check_all};
use mintup::dist::{DistFilename, Metadata};
use mintup::index::IndexKind;

fuzz_target!(|data: &[u8]| {
    let filename = DistFilename::parse("fuzz-1.0-py3-none-any.whl").expect("a valid name");
    let Ok(contents) = mintup::dist::archive::read_from(std::io::Cursor::new(data), &filename)
    else {
        return;
    };
    let Ok(metadata) = Metadata::parse(&contents.metadata) else {
        return;
    };
    let facts = FileFacts {
        filename,
        size: data.len() as u64,
        metadata,
        members: contents.members,
        record: contents.record,
        entry_points: contents.entry_points,
        framing: contents.framing,
        record_mismatches: None,
        record_hash_error: None,
    };
    let _ = check_all(&[facts], IndexKind::Pypi);
});
