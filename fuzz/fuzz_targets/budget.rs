//! The byte budget around a tar.gz sdist, reached directly: the input is a
//! plain tar stream (so that the fuzzer mutates headers, GNU long names, pax
//! records and sparse maps, not deflate bits), gzipped here and read within
//! a small budget chosen by its first two bytes. Whatever the headers claim,
//! the read stays inside the budget: no member name longer than the header
//! allowance, no more contents than the total, and a spent budget is
//! reported as such, never as corruption.
#![no_main]

use std::io::Write as _;

use libfuzzer_sys::fuzz_target;
use mintup::dist::archive::{ArchiveError, read_tar_gz_within};
use mintup::dist::budget::{Budget, Exceeded};

/// Whether a spent budget is somewhere in the error's chain.
fn budget_in_chain(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(e) = next {
        if e.downcast_ref::<Exceeded>().is_some()
            || e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| Exceeded::of(io).is_some())
        {
            return true;
        }
        next = e.source();
    }
    false
}

fuzz_target!(|data: &[u8]| {
    let [headers, total, tar @ ..] = data else {
        return;
    };
    let headers = 512 * (1 + u64::from(headers % 16));
    let total = 1024 * (1 + u64::from(*total));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
    gz.write_all(tar).expect("in memory");
    let gz = gz.finish().expect("in memory");

    let budget = Budget::new(total, headers);
    match read_tar_gz_within(std::io::Cursor::new(gz), &budget) {
        Ok(contents) => {
            let mut sum = 0u64;
            for member in &contents.members {
                assert!(
                    member.name.len() as u64 <= headers,
                    "a {}-byte name past a {headers}-byte header allowance",
                    member.name.len()
                );
                sum = sum.saturating_add(member.size);
            }
            assert!(
                sum <= total,
                "{sum} bytes of contents within a {total}-byte budget"
            );
        }
        Err(ArchiveError::Budget { .. }) => {}
        Err(other) => assert!(
            !budget_in_chain(&other),
            "a spent budget reported as another error: {other}"
        ),
    }
});
