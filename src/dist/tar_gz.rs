//! Reading a `.tar.gz` sdist: every member's header and contents through
//! a byte budget, its top-level `PKG-INFO`, and which members Python's
//! `tarfile` calls sparse.

use std::io::{self, Read};

use super::archive::{
    ArchiveError, Compression, Contents, Member, NameBytes, over_budget, read_bounded,
};
use super::budget::{Budget, Exceeded, MAX_MEMBER_HEADERS};
use super::framing::Framing;
use super::metadata_member::{is_top_level_pkg_info, no_pkg_info};
use super::tar_sparse::SparseMembers;

pub(super) fn read_from_tar_gz(
    reader: impl Read,
    max_members: usize,
    budget: &Budget,
) -> Result<Contents, ArchiveError> {
    // Every gzip member, as Python's GzipFile reads them: a tar split across
    // members is one archive to PyPI.
    let gz = flate2::read::MultiGzDecoder::new(reader);
    let mut archive = tar::Archive::new(budget.archive(gz));
    let mut found: Vec<(String, Vec<u8>)> = Vec::new();
    let mut members: Vec<Member> = Vec::new();
    let mut names = NameBytes::default();
    let mut sparse = SparseMembers::default();
    let mut entries = archive.entries().map_err(ArchiveError::Tar)?;
    // Every member is visited: a second PKG-INFO anywhere at depth two, or a
    // truncated stream, must be reported rather than ignored.
    loop {
        budget.expect_headers();
        let Some(entry) = entries.next() else {
            break;
        };
        let mut entry = entry.map_err(|e| {
            let at = members.last().map_or_else(
                || "the first member's headers".to_owned(),
                |m| format!("the headers after member {}", m.name),
            );
            over_budget(e, &at).unwrap_or_else(ArchiveError::Tar)
        })?;
        budget.expect_contents();
        // A pax global header (`git archive` writes one) is no member;
        // Python's tarfile, which Warehouse uses, hides it too, but keeps
        // its records for later members. They are headers, held to the
        // headers' allowance.
        if entry.header().entry_type().is_pax_global_extensions() {
            let mut records = Vec::new();
            budget
                .member(&mut entry)
                .take(MAX_MEMBER_HEADERS + 1)
                .read_to_end(&mut records)
                .map_err(|e| {
                    over_budget(e, "a pax global header").unwrap_or_else(ArchiveError::Tar)
                })?;
            if records.len() as u64 > MAX_MEMBER_HEADERS {
                return Err(ArchiveError::Budget {
                    exceeded: Exceeded::MemberHeaders,
                    at: "a pax global header".into(),
                });
            }
            sparse.global(&records);
            continue;
        }
        let path = entry.path().map_err(ArchiveError::Tar)?;
        let name = path.to_string_lossy().trim_start_matches("./").to_owned();
        names.add(&name)?;
        let is_file = entry.header().entry_type().is_file();
        let gnu_sparse = entry.header().entry_type().is_gnu_sparse();
        let is_sparse = sparse.member(
            gnu_sparse,
            entry.pax_extensions().map_err(ArchiveError::Tar)?,
        );
        let size = entry.size();
        let member_error = |e: io::Error| over_budget(e, &name).unwrap_or_else(ArchiveError::Tar);
        if is_top_level_pkg_info(&name) && is_file {
            let bytes = read_bounded(budget.member(&mut entry), &name, member_error)?;
            found.push((name.clone(), bytes));
        }
        // The rest of the contents is read here, through the budget, so that
        // all the archive reader yields while finding the next member is
        // headers.
        io::copy(&mut budget.member(&mut entry), &mut io::sink()).map_err(member_error)?;
        if members.len() == max_members {
            return Err(ArchiveError::TooManyMembers);
        }
        members.push(Member {
            name,
            compression: Compression::Tar,
            size,
            compressed: size,
            is_file,
            sparse: is_sparse,
        });
    }
    match found.len() {
        0 => Err(no_pkg_info()),
        1 => Ok(Contents {
            metadata: found.remove(0).1,
            record: None,
            entry_points: None,
            members,
            framing: Framing::default(),
        }),
        _ => Err(ArchiveError::ManyMetadata(
            found.into_iter().map(|(n, _)| n).collect(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::archive::MAX_MEMBERS;

    #[test]
    fn an_sdist_with_too_many_members_stops_being_read() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        {
            let mut tar = tar::Builder::new(&mut gz);
            for i in 0..4 {
                let mut header = tar::Header::new_gnu();
                header.set_size(0);
                header.set_entry_type(tar::EntryType::Regular);
                tar.append_data(&mut header, format!("x-1.0/f{i}"), io::empty())
                    .unwrap();
            }
            tar.finish().unwrap();
        }
        let bytes = gz.finish().unwrap();
        let err = read_from_tar_gz(io::Cursor::new(bytes), 3, &Budget::default()).unwrap_err();
        assert!(matches!(err, ArchiveError::TooManyMembers), "{err}");
    }

    /// A gzipped tar of `x-1.0/PKG-INFO`, after a header entry of `kind`
    /// holding `size` bytes, and a member of `size` bytes.
    fn sdist_with(kind: tar::EntryType, size: usize) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        {
            let mut tar = tar::Builder::new(&mut gz);
            let mut append = |kind: tar::EntryType, path: &str, data: &[u8]| {
                let mut header = tar::Header::new_gnu();
                header.set_entry_type(kind);
                header.set_size(data.len() as u64);
                tar.append_data(&mut header, path, data).unwrap();
            };
            let pkg_info = b"Metadata-Version: 2.1\nName: x\nVersion: 1.0\n";
            append(tar::EntryType::Regular, "x-1.0/PKG-INFO", pkg_info);
            append(kind, "././@LongLink", &vec![b'a'; size]);
            append(tar::EntryType::Regular, "x-1.0/big", &vec![0; size]);
            tar.finish().unwrap();
        }
        gz.finish().unwrap()
    }

    fn read_sdist(bytes: Vec<u8>, budget: &Budget) -> Result<Contents, ArchiveError> {
        read_from_tar_gz(io::Cursor::new(bytes), MAX_MEMBERS, budget)
    }

    #[test]
    fn long_names_and_pax_records_are_read_within_a_budget() {
        for kind in [tar::EntryType::GNULongName, tar::EntryType::XHeader] {
            let err = read_sdist(sdist_with(kind, 2 << 20), &Budget::default()).unwrap_err();
            assert_eq!(
                err.to_string(),
                "a member's headers (long names, pax records) take more than 1 MiB, \
                 more than any real distribution (stopped at the headers after member \
                 x-1.0/PKG-INFO)"
            );
        }
        // A long name of real length goes through.
        let contents = read_sdist(
            sdist_with(tar::EntryType::GNULongName, 4096),
            &Budget::default(),
        )
        .unwrap();
        assert_eq!(contents.members[1].name.len(), 4096);
    }

    #[test]
    fn contents_are_read_within_a_budget() {
        // Headers and padding take 6,144 bytes, and the big member (renamed
        // by the long name) 4,000.
        let bytes = sdist_with(tar::EntryType::GNULongName, 4_000);
        let err = read_sdist(bytes.clone(), &Budget::new(8_000, 1 << 20)).unwrap_err();
        assert!(
            matches!(
                &err,
                ArchiveError::Budget { exceeded: Exceeded::Unpacked, at } if *at == "a".repeat(4_000)
            ),
            "{err}"
        );
        assert!(read_sdist(bytes, &Budget::new(12_000, 1 << 20)).is_ok());
    }
}
