//! Finding the core-metadata file inside a wheel or an sdist. The choice of
//! which member is the metadata is pure (a function of the member names); the
//! archive reading around it is a thin I/O shell.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek};
use std::path::Path;

use super::budget::{Budget, Exceeded};
use super::filename::{DistFilename, DistKind};
use super::framing::{self, Framing};
use super::metadata_member::{pick_sdist_pkg_info, pick_wheel_metadata};
use super::tar_gz::read_from_tar_gz;
use crate::hint::Hint;

/// Metadata and RECORD files larger than this are refused rather than read
/// into memory (the largest real RECORDs are a few MiB).
const MAX_METADATA_BYTES: u64 = 16 * 1024 * 1024;
/// More members than any real distribution has (the largest wheels hold
/// tens of thousands); a tar.gz of empty headers compresses so well that
/// without a limit a small file could fill memory with its member list.
pub(super) const MAX_MEMBERS: usize = 500_000;
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
    /// A tar member Python's `tarfile` calls sparse.
    pub sparse: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compression {
    Stored,
    Deflated,
    Other(String),
    /// A tar member: the whole stream is gzipped instead.
    Tar,
}

/// What inspection takes from an archive: the core-metadata bytes, the
/// list of members and how the archive is framed, in one pass.
#[derive(Debug, Clone)]
pub struct Contents {
    pub metadata: Vec<u8>,
    /// A wheel's `RECORD` beside its `METADATA`, where there is one.
    pub record: Option<Vec<u8>>,
    /// A wheel's `entry_points.txt` beside its `METADATA`, where there is one.
    pub entry_points: Option<Vec<u8>>,
    pub members: Vec<Member>,
    pub framing: Framing,
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
pub fn read_from(
    mut reader: impl Read + Seek,
    dist: &DistFilename,
) -> Result<Contents, ArchiveError> {
    let framing = framing::read(&mut reader, dist.kind, MAX_MEMBERS).map_err(ArchiveError::Io)?;
    let contents = match dist.kind {
        DistKind::Wheel => read_from_zip(reader, |names| pick_wheel_metadata(names, dist)),
        DistKind::SdistZip => read_from_zip(reader, pick_sdist_pkg_info),
        DistKind::SdistTarGz => read_from_tar_gz(reader, MAX_MEMBERS, &Budget::default()),
    }?;
    Ok(Contents {
        framing,
        ..contents
    })
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
            sparse: false,
        });
    }
    let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
    let member = pick(&names)?;
    let mut read_member = |name: &str| {
        let entry = archive.by_name(name).map_err(ArchiveError::Zip)?;
        read_bounded(entry, name, |e| ArchiveError::Zip(e.into()))
    };
    let metadata = read_member(&member)?;
    let dist_info = member
        .strip_suffix("/METADATA")
        .filter(|dir| dir.ends_with(".dist-info"));
    let mut beside = |file: &str| match dist_info.map(|dir| format!("{dir}/{file}")) {
        Some(name) if names.contains(&name.as_str()) => read_member(&name).map(Some),
        _ => Ok(None),
    };
    Ok(Contents {
        metadata,
        record: beside("RECORD")?,
        entry_points: beside("entry_points.txt")?,
        members,
        framing: Framing::default(),
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

/// The error a spent budget caused while reading `at`, or the read error
/// back when it was another.
pub(super) fn over_budget(error: io::Error, at: &str) -> Result<ArchiveError, io::Error> {
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
pub(super) struct NameBytes(usize);

impl NameBytes {
    pub(super) fn add(&mut self, name: &str) -> Result<(), ArchiveError> {
        self.0 = self.0.saturating_add(name.len());
        if self.0 > MAX_NAME_BYTES {
            return Err(ArchiveError::NamesTooLong);
        }
        Ok(())
    }
}

pub(super) fn read_bounded(
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
    use crate::dist::metadata_member::is_top_level_pkg_info;

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
