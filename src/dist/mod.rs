//! Distribution files: which files to upload, their names, their metadata and
//! their digests.

pub mod archive;
pub mod budget;
pub mod collect;
pub mod digest;
pub mod filename;
pub mod framing;
pub mod metadata;
mod metadata_member;
pub mod size;
mod tar_gz;
mod tar_sparse;
pub mod zip_framing;
mod zip_records;

use crate::hint::Hint;
use std::path::PathBuf;

pub use collect::DistFile;
pub use digest::{Digests, Hashed};
pub use filename::{DistFilename, DistKind};
pub use metadata::Metadata;

/// Why a distribution's metadata could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("{}: cannot read its metadata", .0.display())]
    Archive(PathBuf, #[source] archive::ArchiveError),
    #[error("{}: its metadata file is malformed", .0.display())]
    Metadata(PathBuf, #[source] metadata::MetadataError),
}

impl Hint for InspectError {
    fn hint(&self) -> Option<String> {
        match self {
            InspectError::Archive(_, e) => e.hint(),
            InspectError::Metadata(..) => {
                Some("rebuild the distribution with an up-to-date build backend".into())
            }
        }
    }
}

/// A distribution's parsed core metadata, its archive's members and
/// framing, and the wheel files PyPI reads beside the metadata, as bytes.
#[derive(Debug, Clone)]
pub struct Inspected {
    pub metadata: Metadata,
    pub record: Option<Vec<u8>>,
    pub entry_points: Option<Vec<u8>>,
    pub members: Vec<archive::Member>,
    pub framing: framing::Framing,
}

/// Read and parse a distribution's core metadata, and list its members.
pub fn inspect(dist: &DistFile) -> Result<Inspected, InspectError> {
    let contents = archive::read(&dist.path, &dist.filename)
        .map_err(|e| InspectError::Archive(dist.path.clone(), e))?;
    let metadata = Metadata::parse(&contents.metadata)
        .map_err(|e| InspectError::Metadata(dist.path.clone(), e))?;
    Ok(Inspected {
        metadata,
        record: contents.record,
        entry_points: contents.entry_points,
        members: contents.members,
        framing: contents.framing,
    })
}
