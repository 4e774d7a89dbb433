//! Warehouse's `validate_zipfile` (warehouse/utils/zipfiles.py): a zip must
//! read the same walked from its first byte, as streaming unpackers read
//! it, as from its central directory, as `zipfile` and pip read it. Every
//! record is met in order; a member whose local header disagrees with the
//! directory, a data descriptor, a comment, a repeated name or ZIP64
//! extensible data could let two installers unpack different files.

use std::collections::HashSet;
use std::io::{self, Read, Seek, SeekFrom};

use super::zip_records::{
    self, CENTRAL, CentralDirectoryError, END, END64, LOCAL, LOCATOR, Sizes, u16_at, u32_at, u64_at,
};

/// What is wrong, in Warehouse's words (it answers "ZIP archive not
/// accepted: {this}").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FramingKind {
    #[error("Malformed zip file")]
    Malformed,
    #[error("Invalid character in filename")]
    InvalidCharacter,
    #[error("Invalid duplicate extra in local file")]
    DuplicateExtra,
    #[error("Filename not valid UTF-8")]
    UnicodePathNotUtf8,
    #[error("ZIP contains a data descriptor")]
    DataDescriptor,
    #[error("Mis-matched data size")]
    DataSize,
    #[error("Mis-matched file size")]
    FileSize,
    #[error("Filename not unicode")]
    NotUnicode,
    #[error("Filename not in central directory")]
    NotInCentralDirectory,
    #[error("Comment in central directory")]
    Comment,
    #[error("ZIP64 extensible data not allowed")]
    Zip64Extensible,
    #[error("Duplicate filename in central directory")]
    DuplicateCentral,
    #[error("Missing filename in local headers")]
    MissingLocal,
    #[error("Duplicate filename in local headers")]
    DuplicateLocal,
    #[error("Mismatched central directory records")]
    Records,
    #[error("Mismatched central directory offset")]
    Offset,
    #[error("Mismatched central directory size")]
    Size,
    #[error("Unknown record signature")]
    UnknownSignature,
    #[error("Trailing data")]
    Trailing,
    /// `zipfile` itself cannot list the archive (Warehouse then answers
    /// without a reason).
    #[error("Python's zipfile cannot read it: {0}")]
    Unreadable(CentralDirectoryError),
}

/// Where the framing breaks: the kind, the byte offset of the record the
/// walk stopped at, and the member it names when it names one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FramingError {
    pub kind: FramingKind,
    pub offset: Option<u64>,
    pub member: Option<String>,
}

/// `Mis-matched file size (at byte 0, x/__init__.py)`.
impl std::fmt::Display for FramingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.kind)?;
        match (self.offset, &self.member) {
            (Some(offset), Some(member)) => write!(f, " (at byte {offset}, {member})"),
            (Some(offset), None) => write!(f, " (at byte {offset})"),
            (None, _) => Ok(()),
        }
    }
}

/// Warehouse's verdict on a zip: `None` when it frames soundly.
pub fn validate(
    reader: &mut (impl Read + Seek),
    max_entries: usize,
) -> io::Result<Option<FramingError>> {
    let sizes = match zip_records::central_directory(reader, max_entries)? {
        Ok(sizes) => sizes,
        Err(e) => {
            return Ok(Some(FramingError {
                kind: FramingKind::Unreadable(e),
                offset: None,
                member: None,
            }));
        }
    };
    let end = reader.seek(SeekFrom::End(0))?;
    let mut walk = Walk {
        reader,
        end,
        pos: 0,
        reader_at: None,
        record: 0,
    };
    match walk.records(&sizes) {
        Ok(()) if walk.pos != end => Ok(Some(walk.refuse(FramingKind::Trailing, None))),
        Ok(()) => Ok(None),
        Err(Stop::Refused(error)) => Ok(Some(error)),
        Err(Stop::Io(e)) => Err(e),
    }
}

/// Bytes these ordinals refuse in names (`UNPRINTABLE_CHARS`).
fn unprintable(name: &[u8]) -> bool {
    name.iter().any(|&b| b < 0x20 || b == 0x7F)
}

/// Why the walk stopped early.
enum Stop {
    Io(io::Error),
    Refused(FramingError),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Self {
        Stop::Io(e)
    }
}

/// The walk from the first byte: `pos` is where the next read starts,
/// which may lie past the end after a skip (as a Python seek may).
struct Walk<'r, R> {
    reader: &'r mut R,
    end: u64,
    pos: u64,
    /// Where the reader is, to seek only after a skip: a seek empties a
    /// buffered reader's buffer.
    reader_at: Option<u64>,
    /// Where the record being read starts.
    record: u64,
}

impl<R: Read + Seek> Walk<'_, R> {
    fn refuse(&self, kind: FramingKind, member: Option<&[u8]>) -> FramingError {
        FramingError {
            kind,
            offset: Some(self.record),
            member: member.map(|m| String::from_utf8_lossy(m).into_owned()),
        }
    }

    fn stop(&self, kind: FramingKind, member: Option<&[u8]>) -> Stop {
        Stop::Refused(self.refuse(kind, member))
    }

    /// `_read_check`: exactly `len` bytes, or the file is malformed.
    fn read(&mut self, len: usize) -> Result<Vec<u8>, Stop> {
        let Some(stop) = self.pos.checked_add(len as u64).filter(|&s| s <= self.end) else {
            return Err(self.stop(FramingKind::Malformed, None));
        };
        if self.reader_at != Some(self.pos) {
            self.reader.seek(SeekFrom::Start(self.pos))?;
        }
        let mut bytes = vec![0; len];
        self.reader.read_exact(&mut bytes)?;
        self.pos = stop;
        self.reader_at = Some(stop);
        Ok(bytes)
    }

    fn skip(&mut self, len: u64) {
        self.pos = self.pos.saturating_add(len);
    }

    /// `_validate_zipfile`'s loop, up to and including the end record.
    fn records(&mut self, sizes: &Sizes) -> Result<(), Stop> {
        let mut local: HashSet<Vec<u8>> = HashSet::new();
        let mut central: HashSet<Vec<u8>> = HashSet::new();
        let (mut end64_seen, mut locator_seen) = (false, false);
        let (mut cd_records, mut cd_offset, mut cd_size) = (0u64, None, 0u64);
        let mut zip64_figures = None;
        loop {
            self.record = self.pos;
            let signature: [u8; 4] = self.read(4)?.try_into().unwrap_or_default();
            match signature {
                // An end record after a ZIP64 one needs the locator between.
                END if end64_seen && !locator_seen => {
                    return Err(self.stop(FramingKind::Malformed, None));
                }
                CENTRAL => {
                    cd_offset.get_or_insert(self.record);
                    cd_records += 1;
                    let (name, lengths) = self.central_header()?;
                    cd_size = cd_size.saturating_add(46 + lengths);
                    if central.contains(&name) {
                        return Err(self.stop(FramingKind::DuplicateCentral, Some(&name)));
                    }
                    if !local.contains(&name) {
                        return Err(self.stop(FramingKind::MissingLocal, Some(&name)));
                    }
                    central.insert(name);
                }
                LOCAL => {
                    let name = self.local_header(sizes)?;
                    if local.contains(&name) {
                        return Err(self.stop(FramingKind::DuplicateLocal, Some(&name)));
                    }
                    local.insert(name);
                }
                END => {
                    let cd_start = *cd_offset.get_or_insert(self.record);
                    let read = self.end_record()?;
                    // With ZIP64, the ZIP64 record's figures count.
                    let (records, offset, size) = match zip64_figures {
                        Some(figures) if locator_seen => figures,
                        _ => read,
                    };
                    let kind = if records != cd_records {
                        FramingKind::Records
                    } else if offset != cd_start {
                        FramingKind::Offset
                    } else if size != cd_size {
                        FramingKind::Size
                    } else {
                        return Ok(());
                    };
                    return Err(self.stop(kind, None));
                }
                END64 => {
                    end64_seen = true;
                    zip64_figures = Some(self.end64_record()?);
                }
                LOCATOR => {
                    // Only its presence matters (`_handle_eocd64_locator`).
                    self.read(16)?;
                    locator_seen = true;
                }
                _ => return Err(self.stop(FramingKind::UnknownSignature, None)),
            }
        }
    }

    /// `_handle_local_file_header`: the name, once its sizes, flags and
    /// extras agree with the central directory.
    fn local_header(&mut self, sizes: &Sizes) -> Result<Vec<u8>, Stop> {
        let header = self.read(26)?;
        let (flags, method) = (u16_at(&header, 2), u16_at(&header, 4));
        let (compressed, size) = (u32_at(&header, 14), u32_at(&header, 18));
        let name = self.read(u16_at(&header, 22).into())?;
        let extra = self.read(u16_at(&header, 24).into())?;
        let fail = |kind| Err(self.stop(kind, Some(&name)));
        if unprintable(&name) {
            return fail(FramingKind::InvalidCharacter);
        }
        let (compressed, size) = match local_sizes(&extra, method, compressed, size) {
            Ok(sizes) => sizes,
            Err(kind) => return fail(kind),
        };
        if flags & 0x08 != 0 {
            return fail(FramingKind::DataDescriptor);
        }
        let Ok(text) = std::str::from_utf8(&name) else {
            return fail(FramingKind::NotUnicode);
        };
        match sizes.get(text) {
            None => return fail(FramingKind::NotInCentralDirectory),
            Some(&(expected, _)) if expected != compressed => return fail(FramingKind::DataSize),
            Some(&(_, expected)) if expected != size => return fail(FramingKind::FileSize),
            Some(_) => {}
        }
        self.skip(compressed);
        Ok(name)
    }

    /// `_handle_central_directory_header`: the name, and the length of the
    /// name and extra together.
    fn central_header(&mut self) -> Result<(Vec<u8>, u64), Stop> {
        let header = self.read(42)?;
        let (name_len, extra_len) = (u16_at(&header, 24), u16_at(&header, 26));
        if u16_at(&header, 28) != 0 {
            return Err(self.stop(FramingKind::Comment, None));
        }
        let name = self.read(name_len.into())?;
        self.read(extra_len.into())?;
        if unprintable(&name) {
            return Err(self.stop(FramingKind::InvalidCharacter, Some(&name)));
        }
        Ok((name, u64::from(name_len) + u64::from(extra_len)))
    }

    /// `_handle_eocd`: (records, directory offset, directory size).
    fn end_record(&mut self) -> Result<(u64, u64, u64), Stop> {
        let record = self.read(18)?;
        if u16_at(&record, 4) != u16_at(&record, 6) {
            return Err(self.stop(FramingKind::Malformed, None));
        }
        self.skip(u16_at(&record, 16).into());
        Ok((
            u16_at(&record, 6).into(),
            u32_at(&record, 12).into(),
            u32_at(&record, 8).into(),
        ))
    }

    /// `_handle_eocd64`: the same figures from the ZIP64 end record.
    fn end64_record(&mut self) -> Result<(u64, u64, u64), Stop> {
        let record = self.read(52)?;
        let (declared, on_disk, records) =
            (u64_at(&record, 0), u64_at(&record, 20), u64_at(&record, 28));
        if on_disk != records {
            return Err(self.stop(FramingKind::Malformed, None));
        }
        if declared != 44 {
            return Err(self.stop(FramingKind::Zip64Extensible, None));
        }
        Ok((records, u64_at(&record, 44), u64_at(&record, 36)))
    }
}

/// A local header's (compressed, uncompressed) sizes after its extra
/// fields: ZIP64 sizes replace the 32-bit ones as Warehouse reads them, and
/// Info-ZIP Unicode paths must be printable UTF-8.
fn local_sizes(
    mut extra: &[u8],
    method: u16,
    compressed: u32,
    size: u32,
) -> Result<(u64, u64), FramingKind> {
    let (mut compressed, mut size) = (u64::from(compressed), u64::from(size));
    let mut seen = HashSet::new();
    while !extra.is_empty() {
        if extra.len() < 4 {
            return Err(FramingKind::Malformed);
        }
        let (id, len) = (u16_at(extra, 0), usize::from(u16_at(extra, 2)));
        let data = extra.get(4..4 + len).ok_or(FramingKind::Malformed)?;
        if !seen.insert(id) && matches!(id, 0x0001 | 0x7075) {
            return Err(FramingKind::DuplicateExtra);
        }
        match (id, len) {
            (0x0001, 0) if compressed == 0xFFFF_FFFF || size == 0xFFFF_FFFF => {
                return Err(FramingKind::Malformed);
            }
            (0x0001, 0) => {}
            // Only the uncompressed size: the member must be stored.
            (0x0001, 8) if method != 0 => return Err(FramingKind::Malformed),
            (0x0001, 8) => {
                compressed = u64_at(data, 0);
                if size == 0xFFFF_FFFF {
                    size = compressed;
                }
            }
            (0x0001, 16 | 24 | 28) => {
                if size == 0xFFFF_FFFF {
                    size = u64_at(data, 0);
                }
                compressed = u64_at(data, 8);
            }
            (0x0001, _) => return Err(FramingKind::Malformed),
            (0x7075, _) => {
                let path = data.get(5..).unwrap_or_default();
                if unprintable(path) {
                    return Err(FramingKind::InvalidCharacter);
                }
                if std::str::from_utf8(path).is_err() {
                    return Err(FramingKind::UnicodePathNotUtf8);
                }
            }
            _ => {}
        }
        extra = &extra[4 + len..];
    }
    Ok((compressed, size))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip64(len: u16, values: &[u64]) -> Vec<u8> {
        let mut extra = vec![1, 0];
        extra.extend(len.to_le_bytes());
        for v in values {
            extra.extend(v.to_le_bytes());
        }
        extra.resize(4 + usize::from(len), 0);
        extra
    }

    #[test]
    fn zip64_extras_as_warehouse_reads_them() {
        let all = 0xFFFF_FFFF;
        assert_eq!(local_sizes(&zip64(16, &[7, 5]), 8, all, all), Ok((5, 7)));
        // Both given, only the all-ones uncompressed size is replaced; the
        // compressed one always is.
        assert_eq!(local_sizes(&zip64(16, &[7, 5]), 8, 9, 3), Ok((5, 3)));
        assert_eq!(local_sizes(&zip64(8, &[7]), 0, 0, all), Ok((7, 7)));
        assert_eq!(
            local_sizes(&zip64(8, &[7]), 8, 0, all),
            Err(FramingKind::Malformed)
        );
        assert_eq!(local_sizes(&zip64(0, &[]), 8, 4, 4), Ok((4, 4)));
        assert_eq!(
            local_sizes(&zip64(0, &[]), 8, all, 4),
            Err(FramingKind::Malformed)
        );
        assert_eq!(
            local_sizes(&zip64(12, &[1]), 8, 4, 4),
            Err(FramingKind::Malformed)
        );
        let twice = [zip64(0, &[]), zip64(0, &[])].concat();
        assert_eq!(
            local_sizes(&twice, 8, 4, 4),
            Err(FramingKind::DuplicateExtra)
        );
    }

    #[test]
    fn extras_must_fit_and_unicode_paths_be_printable_utf8() {
        assert_eq!(
            local_sizes(&[1, 0, 9], 0, 1, 1),
            Err(FramingKind::Malformed)
        );
        assert_eq!(
            local_sizes(&[1, 0, 8, 0, 1], 0, 1, 1),
            Err(FramingKind::Malformed)
        );
        let unicode = |path: &[u8]| {
            let mut extra = vec![0x75, 0x70];
            extra.extend(((5 + path.len()) as u16).to_le_bytes());
            extra.extend([1, 0, 0, 0, 0]);
            extra.extend(path);
            local_sizes(&extra, 8, 1, 1)
        };
        assert_eq!(unicode("é.py".as_bytes()), Ok((1, 1)));
        assert_eq!(unicode(b"\xff.py"), Err(FramingKind::UnicodePathNotUtf8));
        assert_eq!(unicode(b"a\nb"), Err(FramingKind::InvalidCharacter));
        // Other extras pass, however often they repeat.
        assert_eq!(local_sizes(&[9, 9, 0, 0, 9, 9, 0, 0], 8, 1, 1), Ok((1, 1)));
    }

    #[test]
    fn a_zip_the_zip_crate_writes_frames_soundly() {
        use std::io::Write as _;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for name in ["a.py", "b/c.py"] {
            zip.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(b"print()\n").unwrap();
        }
        let mut bytes = zip.finish().unwrap();
        assert_eq!(validate(&mut bytes, 10).unwrap(), None);
        let mut trailing = std::io::Cursor::new([bytes.into_inner(), b"junk".to_vec()].concat());
        let error = validate(&mut trailing, 10).unwrap().unwrap();
        assert_eq!(error.kind, FramingKind::Trailing);
    }
}
