//! Finding the core-metadata file inside a wheel or an sdist. The choice of
//! which member is the metadata is pure (a function of the member names); the
//! archive reading around it is a thin I/O shell.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek};
use std::path::Path;

use super::budget::{Budget, Exceeded};
use super::filename::{DistFilename, DistKind};
use super::metadata_member::{
    is_top_level_pkg_info, no_pkg_info, pick_sdist_pkg_info, pick_wheel_metadata,
};
use crate::hint::Hint;

/// Metadata and RECORD files larger than this are refused rather than read
/// into memory (the largest real RECORDs are a few MiB).
const MAX_METADATA_BYTES: u64 = 16 * 1024 * 1024;
/// More members than any real distribution has (the largest wheels hold
/// tens of thousands); a tar.gz of empty headers compresses so well that
/// without a limit a small file could fill memory with its member list.
const MAX_MEMBERS: usize = 500_000;
/// The member list's names, together: real ones average well under 200
/// bytes, but a tar's long names can each take a MiB.
const MAX_NAME_BYTES: usize = 64 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("could not read the file")]
    Io(#[source] io::Error),
    #[error("the file is empty (0 bytes)")]
    Empty,
    #[error("it is not a valid zip archive (truncated or corrupt)")]
    Zip(#[source] zip::result::ZipError),
    #[error("it is not a valid gzip-compressed tar archive (truncated or corrupt)")]
    Tar(#[source] io::Error),
    #[error("it has no {expected}")]
    NoMetadata { expected: String },
    #[error("it has {} metadata files ({}); it must have exactly one", .0.len(), .0.join(", "))]
    ManyMetadata(Vec<String>),
    #[error("its member {0} is larger than 16 MiB, more than mintup reads into memory")]
    MetadataTooLarge(String),
    #[error("it has more than {MAX_MEMBERS} members, more than any real distribution")]
    TooManyMembers,
    #[error(
        "its member names take more than {} MiB together, more than any real distribution",
        MAX_NAME_BYTES >> 20
    )]
    NamesTooLong,
    #[error("{exceeded} (stopped at {at})")]
    Budget { exceeded: Exceeded, at: String },
}

impl Hint for ArchiveError {
    fn hint(&self) -> Option<String> {
        let hint: Option<&str> = match self {
            ArchiveError::Empty | ArchiveError::Zip(_) | ArchiveError::Tar(_) => {
                Some("rebuild the distribution (for example with `python -m build`)")
            }
            ArchiveError::NoMetadata { .. }
            | ArchiveError::ManyMetadata(_)
            | ArchiveError::NamesTooLong
            | ArchiveError::Budget { .. } => Some(
                "this is not a distribution a build backend made; rebuild it with `python -m build`",
            ),
            _ => None,
        };
        hint.map(str::to_owned)
    }
}

/// One member of an archive, as its directory says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The path inside the archive, `./` prefixes removed.
    pub name: String,
    pub compression: Compression,
    /// Bytes when extracted.
    pub size: u64,
    /// Bytes in the archive (for tar members, the same as `size`).
    pub compressed: u64,
    pub is_file: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compression {
    Stored,
    Deflated,
    Other(String),
    /// A tar member: the whole stream is gzipped instead.
    Tar,
}

/// What inspection takes from an archive: the core-metadata bytes and the
/// list of members, in one pass.
#[derive(Debug, Clone)]
pub struct Contents {
    pub metadata: Vec<u8>,
    /// A wheel's `RECORD` beside its `METADATA`, where there is one.
    pub record: Option<Vec<u8>>,
    pub members: Vec<Member>,
}

/// Read a distribution file's core metadata and member list.
pub fn read(path: &Path, dist: &DistFilename) -> Result<Contents, ArchiveError> {
    let file = File::open(path).map_err(ArchiveError::Io)?;
    if file.metadata().map_err(ArchiveError::Io)?.len() == 0 {
        return Err(ArchiveError::Empty);
    }
    read_from(BufReader::new(file), dist)
}

/// [`read`] on bytes from anywhere (the fuzz targets feed it memory).
pub fn read_from(reader: impl Read + Seek, dist: &DistFilename) -> Result<Contents, ArchiveError> {
    match dist.kind {
        DistKind::Wheel => read_from_zip(reader, |names| pick_wheel_metadata(names, dist)),
        DistKind::SdistZip => read_from_zip(reader, pick_sdist_pkg_info),
        DistKind::SdistTarGz => read_from_tar_gz(reader, MAX_MEMBERS, &Budget::default()),
    }
}

/// A `.tar.gz` sdist read within `budget`: for the fuzz targets, whose small
/// budgets reach the limits that real ones keep out of a short run's range.
#[doc(hidden)]
pub fn read_tar_gz_within(reader: impl Read, budget: &Budget) -> Result<Contents, ArchiveError> {
    read_from_tar_gz(reader, MAX_MEMBERS, budget)
}

fn read_from_zip(
    reader: impl Read + Seek,
    pick: impl FnOnce(&[&str]) -> Result<String, ArchiveError>,
) -> Result<Contents, ArchiveError> {
    let mut archive = zip::ZipArchive::new(reader).map_err(ArchiveError::Zip)?;
    if archive.len() > MAX_MEMBERS {
        return Err(ArchiveError::TooManyMembers);
    }
    let mut members = Vec::with_capacity(archive.len());
    let mut names = NameBytes::default();
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(ArchiveError::Zip)?;
        let name = entry.name().map_err(ArchiveError::Zip)?;
        names.add(&name)?;
        members.push(Member {
            name: name.trim_start_matches("./").to_owned(),
            compression: match entry.compression() {
                zip::CompressionMethod::Stored => Compression::Stored,
                zip::CompressionMethod::Deflated => Compression::Deflated,
                other => Compression::Other(format!("{other:?}")),
            },
            size: entry.size(),
            compressed: entry.compressed_size(),
            is_file: entry.is_file(),
        });
    }
    let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
    let member = pick(&names)?;
    let mut read_member = |name: &str| {
        let entry = archive.by_name(name).map_err(ArchiveError::Zip)?;
        read_bounded(entry, name, |e| ArchiveError::Zip(e.into()))
    };
    let metadata = read_member(&member)?;
    let record_name = member
        .strip_suffix("/METADATA")
        .filter(|dir| dir.ends_with(".dist-info"))
        .map(|dir| format!("{dir}/RECORD"));
    let record = match record_name {
        Some(name) if names.contains(&name.as_str()) => Some(read_member(&name)?),
        _ => None,
    };
    Ok(Contents {
        metadata,
        record,
        members,
    })
}

/// The members whose sha256 differs from the expected one, as
/// (name, expected, found), reading each listed member once. `expected`
/// holds RECORD's urlsafe-base64 sha256 digests by member name.
pub fn sha256_mismatches(
    path: &Path,
    expected: &std::collections::HashMap<String, String>,
) -> Result<Vec<(String, String, String)>, ArchiveError> {
    use base64::Engine as _;
    use sha2::Digest as _;
    let file = File::open(path).map_err(ArchiveError::Io)?;
    let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(ArchiveError::Zip)?;
    // The zip crate holds each member to its declared size, and the caller
    // skips archives whose declared sizes make a bomb; the budget bounds the
    // whole read all the same.
    let budget = Budget::default();
    let mut mismatches = Vec::new();
    for i in 0..archive.len() {
        // Members in a compression mintup cannot read are the compression
        // rule's business, not a reason to call the archive corrupt.
        let method = archive
            .by_index_raw(i)
            .map_err(ArchiveError::Zip)?
            .compression();
        if !matches!(
            method,
            zip::CompressionMethod::Stored | zip::CompressionMethod::Deflated
        ) {
            continue;
        }
        let mut entry = archive.by_index(i).map_err(ArchiveError::Zip)?;
        let name = entry
            .name()
            .map_err(ArchiveError::Zip)?
            .trim_start_matches("./")
            .to_owned();
        let Some(want) = expected.get(&name) else {
            continue;
        };
        let mut hasher = sha2::Sha256::new();
        std::io::copy(&mut budget.member(&mut entry), &mut hasher)
            .map_err(|e| over_budget(e, &name).unwrap_or_else(|e| ArchiveError::Zip(e.into())))?;
        let found = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hasher.finalize());
        if found != *want {
            mismatches.push((name, want.clone(), found));
        }
    }
    Ok(mismatches)
}

fn read_from_tar_gz(
    reader: impl Read,
    max_members: usize,
    budget: &Budget,
) -> Result<Contents, ArchiveError> {
    let gz = flate2::read::GzDecoder::new(reader);
    let mut archive = tar::Archive::new(budget.archive(gz));
    let mut found: Vec<(String, Vec<u8>)> = Vec::new();
    let mut members: Vec<Member> = Vec::new();
    let mut names = NameBytes::default();
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
        // Python's tarfile, which Warehouse uses, hides it too. Its records
        // are skipped as the next member's headers.
        if entry.header().entry_type().is_pax_global_extensions() {
            continue;
        }
        let path = entry.path().map_err(ArchiveError::Tar)?;
        let name = path.to_string_lossy().trim_start_matches("./").to_owned();
        names.add(&name)?;
        let is_file = entry.header().entry_type().is_file();
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
        });
    }
    match found.len() {
        0 => Err(no_pkg_info()),
        1 => Ok(Contents {
            metadata: found.remove(0).1,
            record: None,
            members,
        }),
        _ => Err(ArchiveError::ManyMetadata(
            found.into_iter().map(|(n, _)| n).collect(),
        )),
    }
}

/// The error a spent budget caused while reading `at`, or the read error
/// back when it was another.
fn over_budget(error: io::Error, at: &str) -> Result<ArchiveError, io::Error> {
    match Exceeded::of(&error) {
        Some(exceeded) => Ok(ArchiveError::Budget {
            exceeded,
            at: at.to_owned(),
        }),
        None => Err(error),
    }
}

/// The bytes of the member names seen so far, against [`MAX_NAME_BYTES`].
#[derive(Default)]
struct NameBytes(usize);

impl NameBytes {
    fn add(&mut self, name: &str) -> Result<(), ArchiveError> {
        self.0 = self.0.saturating_add(name.len());
        if self.0 > MAX_NAME_BYTES {
            return Err(ArchiveError::NamesTooLong);
        }
        Ok(())
    }
}

fn read_bounded(
    reader: impl Read,
    member: &str,
    io_error: impl FnOnce(io::Error) -> ArchiveError,
) -> Result<Vec<u8>, ArchiveError> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_METADATA_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > MAX_METADATA_BYTES {
        return Err(ArchiveError::MetadataTooLarge(member.to_owned()));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wheel(name: &str) -> DistFilename {
        DistFilename::parse(name).unwrap()
    }

    #[test]
    fn wheel_metadata_named_after_the_file_wins() {
        let names = [
            "demo/__init__.py",
            "other-1.0.dist-info/METADATA",
            "demo-1.0.dist-info/METADATA",
            "demo-1.0.dist-info/RECORD",
        ];
        let picked = pick_wheel_metadata(&names, &wheel("demo-1.0-py3-none-any.whl")).unwrap();
        assert_eq!(picked, "demo-1.0.dist-info/METADATA");
    }

    #[test]
    fn wheel_with_one_differently_named_dist_info_is_accepted() {
        let names = ["Demo-1.0.dist-info/METADATA"];
        let picked = pick_wheel_metadata(&names, &wheel("demo-1.0-py3-none-any.whl")).unwrap();
        assert_eq!(picked, "Demo-1.0.dist-info/METADATA");
    }

    #[test]
    fn wheel_metadata_errors() {
        let dist = wheel("demo-1.0-py3-none-any.whl");
        let err = pick_wheel_metadata(&["demo-1.0.dist-info/RECORD"], &dist).unwrap_err();
        assert_eq!(err.to_string(), "it has no demo-1.0.dist-info/METADATA");
        let err = pick_wheel_metadata(&["a-1.dist-info/METADATA", "b-1.dist-info/METADATA"], &dist)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "it has 2 metadata files (a-1.dist-info/METADATA, b-1.dist-info/METADATA); \
             it must have exactly one"
        );
        let nested = ["pkg/x-1.dist-info/METADATA"];
        assert!(pick_wheel_metadata(&nested, &dist).is_err());
    }

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

    #[test]
    fn sdist_pkg_info_is_at_depth_two() {
        assert!(is_top_level_pkg_info("demo-1.0/PKG-INFO"));
        assert!(is_top_level_pkg_info("./demo-1.0/PKG-INFO"));
        assert!(!is_top_level_pkg_info("PKG-INFO"));
        assert!(!is_top_level_pkg_info(
            "demo-1.0/src/demo.egg-info/PKG-INFO"
        ));
        let picked =
            pick_sdist_pkg_info(&["d-1/setup.py", "d-1/PKG-INFO", "d-1/d.egg-info/PKG-INFO"]);
        assert_eq!(picked.unwrap(), "d-1/PKG-INFO");
    }
}
