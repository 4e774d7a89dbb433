//! sdist inspection (.tar.gz and legacy .zip) on arbitrary bytes, then the
//! check rules.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mintup::check::{FileFacts, check_all};
use mintup::dist::{DistFilename, Metadata};
use mintup::index::IndexKind;

fuzz_target!(|data: &[u8]| {
    for file in ["fuzz-1.0.tar.gz", "fuzz-1.0.zip"] {
        let filename = DistFilename::parse(file).expect("a valid name");
        let Ok(contents) = mintup::dist::archive::read_from(std::io::Cursor::new(data), &filename)
        else {
            continue;
        };
        let Ok(metadata) = Metadata::parse(&contents.metadata) else {
            continue;
        };
        let facts = FileFacts {
            filename,
            size: data.len() as u64,
            metadata,
            members: contents.members,
            record: None,
            entry_points: None,
            framing: contents.framing,
            record_mismatches: None,
            record_hash_error: None,
        };
        let _ = check_all(&[facts], IndexKind::Other);
    }
});
