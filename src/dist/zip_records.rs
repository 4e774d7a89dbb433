//! A zip's end record and central directory as CPython's `zipfile` reads
//! them (`_EndRecData`, `_EndRecData64`, `_RealGetContents` in 3.14), which is
//! how Warehouse sees a wheel: the polyglot test and the framing check must
//! agree with it, not with the `zip` crate.

use std::collections::HashMap;
use std::io::{self, Read, Seek, SeekFrom};

pub(super) const LOCAL: [u8; 4] = *b"PK\x03\x04";
pub(super) const CENTRAL: [u8; 4] = *b"PK\x01\x02";
pub(super) const END: [u8; 4] = *b"PK\x05\x06";
pub(super) const END64: [u8; 4] = *b"PK\x06\x06";
pub(super) const LOCATOR: [u8; 4] = *b"PK\x06\x07";

const END_LEN: u64 = 22;
const LOCATOR_LEN: u64 = 20;
const END64_LEN: u64 = 56;
const CENTRAL_LEN: usize = 46;
/// An end record's comment can be this long, so `zipfile` looks this far
/// back for the record.
const MAX_COMMENT: u64 = 0xFFFF;
/// The general-purpose flag saying a name is UTF-8 rather than cp437.
const UTF8_NAME: u16 = 1 << 11;
/// The newest zip version `zipfile` reads (`MAX_EXTRACT_VERSION`).
const MAX_EXTRACT_VERSION: u8 = 63;

/// `zipfile`'s `endrec` after the ZIP64 records were applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct EndRecord {
    disk: u32,
    disk_start: u32,
    entries: u64,
    cd_size: u64,
    cd_offset: u64,
    /// Where the end record (the ZIP64 one, if any) starts.
    location: u64,
}

impl EndRecord {
    /// Where `zipfile` reads the central directory: just before the end
    /// record, whatever offset the record claims (data may be prepended).
    fn cd_start(&self) -> Option<u64> {
        self.location.checked_sub(self.cd_size)
    }
}

/// Why `zipfile` cannot list the archive, in its own words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CentralDirectoryError {
    #[error("File is not a zip file")]
    NoEndRecord,
    #[error("Bad offset for central directory")]
    BadOffset,
    #[error("Truncated central directory")]
    Truncated,
    #[error("Bad magic number for central directory")]
    BadMagic,
    #[error("zip file version {}.{}", .0 / 10, .0 % 10)]
    Version(u8),
    #[error("a UTF-8-flagged file name is not UTF-8")]
    NameNotUtf8,
    #[error("Corrupt extra field {0:04x}")]
    CorruptExtra(u16),
    #[error("more than {0} members, more than any real distribution")]
    TooMany(usize),
}

/// A name in the central directory, decoded as `zipfile` decodes it, with
/// its (compressed, uncompressed) sizes: `zipfile`'s `orig_filename` and
/// `compress_size`, `file_size`.
pub(super) type Sizes = HashMap<String, (u64, u64)>;

/// Bytes from `pos`, fewer where the file ends (as Python's `read`).
fn read_at(reader: &mut (impl Read + Seek), pos: u64, len: u64) -> io::Result<Vec<u8>> {
    reader.seek(SeekFrom::Start(pos))?;
    let mut bytes = Vec::new();
    reader.take(len).read_to_end(&mut bytes)?;
    Ok(bytes)
}

pub(super) fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

pub(super) fn u32_at(bytes: &[u8], at: usize) -> u32 {
    let mut b = [0; 4];
    b.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(b)
}

pub(super) fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(b)
}

/// `_EndRecData`: the end record at the very end, or else the last one in
/// the final 64 KiB (a comment may follow it); `None` where `zipfile` finds
/// none or refuses the ZIP64 records.
pub(super) fn end_record(reader: &mut (impl Read + Seek)) -> io::Result<Option<EndRecord>> {
    let size = reader.seek(SeekFrom::End(0))?;
    let Some(last_at) = size.checked_sub(END_LEN) else {
        return Ok(None);
    };
    let last = read_at(reader, last_at, END_LEN)?;
    let (record, location) = if last.starts_with(&END) && last.ends_with(&[0, 0]) {
        (last, last_at)
    } else {
        let start = size.saturating_sub(MAX_COMMENT + END_LEN);
        let tail = read_at(reader, start, MAX_COMMENT + END_LEN)?;
        let Some(found) = tail.windows(4).rposition(|w| w == END) else {
            return Ok(None);
        };
        let Some(record) = tail.get(found..found + END_LEN as usize) else {
            return Ok(None);
        };
        (record.to_vec(), start + found as u64)
    };
    let end = EndRecord {
        disk: u16_at(&record, 4).into(),
        disk_start: u16_at(&record, 6).into(),
        entries: u16_at(&record, 10).into(),
        cd_size: u32_at(&record, 12).into(),
        cd_offset: u32_at(&record, 16).into(),
        location,
    };
    end_record64(reader, end)
}

/// `_EndRecData64`: the ZIP64 end record the locator before `end` points
/// to replaces its counts, sizes and location.
fn end_record64(reader: &mut (impl Read + Seek), end: EndRecord) -> io::Result<Option<EndRecord>> {
    let Some(locator_at) = end.location.checked_sub(LOCATOR_LEN) else {
        return Ok(Some(end));
    };
    let locator = read_at(reader, locator_at, LOCATOR_LEN)?;
    if locator.len() as u64 != LOCATOR_LEN {
        return Ok(None);
    }
    if !locator.starts_with(&LOCATOR) {
        return Ok(Some(end));
    }
    let (disk, relative, disks) = (
        u32_at(&locator, 4),
        u64_at(&locator, 8),
        u32_at(&locator, 16),
    );
    if disk != 0 || disks > 1 {
        return Ok(None);
    }
    let Some(expected_at) = locator_at.checked_sub(END64_LEN) else {
        return Ok(None);
    };
    if relative > expected_at {
        return Ok(None);
    }
    let mut extra = expected_at - relative;
    let mut record = read_at(reader, relative, END64_LEN)?;
    // The locator's offset is wrong when data was prepended: then the
    // record is taken to sit right before the locator.
    if !record.starts_with(&END64) && relative != expected_at {
        extra = 0;
        record = read_at(reader, expected_at, END64_LEN)?;
    }
    if record.len() as u64 != END64_LEN || !record.starts_with(&END64) {
        return Ok(None);
    }
    let (declared, cd_size, cd_offset) =
        (u64_at(&record, 4), u64_at(&record, 40), u64_at(&record, 48));
    let consistent = cd_offset.checked_add(cd_size) == Some(relative)
        && declared.checked_add(12) == Some(END64_LEN + extra);
    if !consistent {
        return Ok(None);
    }
    Ok(Some(EndRecord {
        disk: u32_at(&record, 16),
        disk_start: u32_at(&record, 20),
        entries: u64_at(&record, 32),
        cd_size,
        cd_offset,
        location: expected_at - extra,
    }))
}

/// `zipfile.is_zipfile`: an end record, and a central-directory header
/// where it says the directory starts (or an empty archive).
pub(super) fn is_zip(reader: &mut (impl Read + Seek)) -> io::Result<bool> {
    let Some(end) = end_record(reader)? else {
        return Ok(false);
    };
    if end.entries == 0 && end.cd_size == 0 && end.cd_offset == 0 {
        return Ok(true);
    }
    let Some(start) = end.cd_start().filter(|_| end.disk == end.disk_start) else {
        return Ok(false);
    };
    if end.cd_size < CENTRAL_LEN as u64 {
        return Ok(false);
    }
    Ok(read_at(reader, start, CENTRAL_LEN as u64)?.starts_with(&CENTRAL))
}

/// `_RealGetContents`: every name in the central directory with its sizes,
/// the last of a repeated name winning as in `zipfile`'s name list.
/// `max_entries` bounds the work a crafted directory can ask for.
pub(super) fn central_directory(
    reader: &mut (impl Read + Seek),
    max_entries: usize,
) -> io::Result<Result<Sizes, CentralDirectoryError>> {
    let Some(end) = end_record(reader)? else {
        return Ok(Err(CentralDirectoryError::NoEndRecord));
    };
    let Some(start) = end.cd_start() else {
        return Ok(Err(CentralDirectoryError::BadOffset));
    };
    // Read as much as the directory claims, which the file's size bounds.
    let directory = read_at(reader, start, end.cd_size)?;
    Ok(parse_central_directory(
        &directory,
        end.cd_size,
        max_entries,
    ))
}

fn parse_central_directory(
    directory: &[u8],
    declared: u64,
    max_entries: usize,
) -> Result<Sizes, CentralDirectoryError> {
    let mut sizes = Sizes::new();
    let (mut total, mut pos) = (0u64, 0usize);
    let mut entries = 0usize;
    while total < declared {
        entries += 1;
        if entries > max_entries {
            return Err(CentralDirectoryError::TooMany(max_entries));
        }
        let header = directory
            .get(pos..pos + CENTRAL_LEN)
            .ok_or(CentralDirectoryError::Truncated)?;
        if !header.starts_with(&CENTRAL) {
            return Err(CentralDirectoryError::BadMagic);
        }
        // One byte: `zipfile` reads the high byte apart, as `reserved`.
        let version = header[6];
        let flags = u16_at(header, 8);
        let mut compressed = u64::from(u32_at(header, 20));
        let mut size = u64::from(u32_at(header, 24));
        let offset = u32_at(header, 42);
        let lengths = [28, 30, 32].map(|at| usize::from(u16_at(header, at)));
        // Like Python's reads from a BytesIO, the parts come out short
        // where the directory ends.
        let mut part = pos + CENTRAL_LEN;
        let [name, extra, _comment] = lengths.map(|len| {
            let bytes = directory
                .get(part.min(directory.len())..(part + len).min(directory.len()))
                .unwrap_or_default();
            part += len;
            bytes
        });
        let decoded = if flags & UTF8_NAME != 0 {
            String::from_utf8(name.to_vec()).map_err(|_| CentralDirectoryError::NameNotUtf8)?
        } else {
            decode_cp437(name)
        };
        if version > MAX_EXTRACT_VERSION {
            return Err(CentralDirectoryError::Version(version));
        }
        apply_zip64(extra, &mut size, &mut compressed, offset)?;
        sizes.insert(decoded, (compressed, size));
        pos = part;
        total += (CENTRAL_LEN + lengths.iter().sum::<usize>()) as u64;
    }
    Ok(sizes)
}

/// `ZipInfo._decodeExtra`: ZIP64 sizes replace the 32-bit ones that are
/// all ones, in order; a field too short for them is corrupt.
fn apply_zip64(
    mut extra: &[u8],
    size: &mut u64,
    compressed: &mut u64,
    offset: u32,
) -> Result<(), CentralDirectoryError> {
    while extra.len() >= 4 {
        let (id, len) = (u16_at(extra, 0), usize::from(u16_at(extra, 2)));
        let data = extra
            .get(4..4 + len)
            .ok_or(CentralDirectoryError::CorruptExtra(id))?;
        if id == 0x0001 {
            let mut values = data.chunks_exact(8).map(|c| u64_at(c, 0));
            let mut next = || values.next().ok_or(CentralDirectoryError::CorruptExtra(id));
            if *size == 0xFFFF_FFFF {
                *size = next()?;
            }
            if *compressed == 0xFFFF_FFFF {
                *compressed = next()?;
            }
            if offset == 0xFFFF_FFFF {
                next()?;
            }
        }
        extra = &extra[4 + len..];
    }
    Ok(())
}

/// Code page 437 above ASCII, the encoding of zip names without the UTF-8
/// flag.
const CP437_HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐\
└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{a0}";

fn decode_cp437(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b.checked_sub(0x80) {
            None => char::from(b),
            Some(high) => CP437_HIGH
                .chars()
                .nth(usize::from(high))
                .unwrap_or('\u{fffd}'),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn zip_of(names: &[&str], comment: &str) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for name in names {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(b"data").unwrap();
        }
        zip.set_comment(comment).unwrap();
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn finds_the_directory_before_and_after_a_comment() {
        for comment in ["", "a comment"] {
            let mut bytes = Cursor::new(zip_of(&["a.py", "b/c.py"], comment));
            assert!(is_zip(&mut bytes).unwrap());
            let sizes = central_directory(&mut bytes, 10).unwrap().unwrap();
            assert_eq!(sizes["b/c.py"].1, 4);
            assert_eq!(sizes.len(), 2);
        }
    }

    #[test]
    fn prepended_data_is_skipped_as_zipfile_skips_it() {
        let mut bytes = b"#!/bin/sh\n".to_vec();
        bytes.extend(zip_of(&["a.py"], ""));
        assert!(is_zip(&mut Cursor::new(&bytes)).unwrap());
        assert!(
            central_directory(&mut Cursor::new(&bytes), 10)
                .unwrap()
                .is_ok()
        );
    }

    #[test]
    fn other_bytes_are_no_zip() {
        for bytes in [&b""[..], b"PK\x05\x06", &[7u8; 100]] {
            assert!(!is_zip(&mut Cursor::new(bytes)).unwrap());
        }
        // An end record whose directory is not where it says.
        let mut bytes = vec![0u8; 100];
        bytes.extend(b"PK\x05\x06\0\0\0\0\x01\0\x01\0\x2e\0\0\0\0\0\0\0\0\0");
        assert!(!is_zip(&mut Cursor::new(&bytes)).unwrap());
        assert_eq!(
            central_directory(&mut Cursor::new(&bytes), 10).unwrap(),
            Err(CentralDirectoryError::BadMagic)
        );
    }

    #[test]
    fn the_entry_limit_holds() {
        let mut bytes = Cursor::new(zip_of(&["a", "b", "c"], ""));
        assert_eq!(
            central_directory(&mut bytes, 2).unwrap(),
            Err(CentralDirectoryError::TooMany(2))
        );
    }

    #[test]
    fn zip64_sizes_replace_the_all_ones_ones() {
        let mut extra = vec![1, 0, 16, 0];
        extra.extend(5u64.to_le_bytes());
        extra.extend(3u64.to_le_bytes());
        let (mut size, mut compressed) = (0xFFFF_FFFF, 0xFFFF_FFFF);
        apply_zip64(&extra, &mut size, &mut compressed, 0).unwrap();
        assert_eq!((size, compressed), (5, 3));
        let (mut size, mut compressed) = (0xFFFF_FFFF, 0xFFFF_FFFF);
        assert_eq!(
            apply_zip64(&extra[..12], &mut size, &mut compressed, 0),
            Err(CentralDirectoryError::CorruptExtra(1))
        );
    }

    #[test]
    fn names_without_the_utf8_flag_are_cp437() {
        assert_eq!(decode_cp437(b"caf\x82 \xff"), "café \u{a0}");
        assert_eq!(CP437_HIGH.chars().count(), 128);
    }
}
