//! What PyPI checks of an archive's bytes before it looks inside: that it
//! is not both a zip and a tar (warehouse/forklift/legacy.py,
//! `_is_valid_dist_file`), and that a zip frames the same read from either
//! end ([`zip_framing`](super::zip_framing)).

use std::io::{self, Read, Seek, SeekFrom};

use super::filename::DistKind;
use super::zip_framing::{self, FramingError};
use super::zip_records;

/// The archive-level facts PyPI refuses files for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Framing {
    /// Python's `zipfile.is_zipfile` and `tarfile.is_tarfile` both say yes.
    pub polyglot: bool,
    /// Why Warehouse's zip walk refuses a wheel; `None` for sound zips and
    /// for tars.
    pub zip: Option<FramingError>,
}

/// Judge the archive's framing, leaving the reader at its start.
pub(super) fn read(
    reader: &mut (impl Read + Seek),
    kind: DistKind,
    max_entries: usize,
) -> io::Result<Framing> {
    let polyglot = zip_records::is_zip(reader)? && is_tar(reader)?;
    let zip = match kind {
        DistKind::Wheel | DistKind::SdistZip => zip_framing::validate(reader, max_entries)?,
        DistKind::SdistTarGz => None,
    };
    reader.seek(SeekFrom::Start(0))?;
    Ok(Framing { polyglot, zip })
}

const BLOCK: usize = 512;

/// `tarfile.is_tarfile`: a valid first header, as the file starts or once
/// gunzipped. (Python also tries bzip2, xz and zstd; a wheel starting with
/// those fails the zip walk anyway, and a `.tar.gz` that is not gzip fails
/// to read.)
fn is_tar(reader: &mut (impl Read + Seek)) -> io::Result<bool> {
    reader.seek(SeekFrom::Start(0))?;
    let mut head = Vec::with_capacity(BLOCK);
    reader.by_ref().take(BLOCK as u64).read_to_end(&mut head)?;
    if is_tar_header(&head) {
        return Ok(true);
    }
    if !head.starts_with(&[0x1f, 0x8b]) {
        return Ok(false);
    }
    reader.seek(SeekFrom::Start(0))?;
    let mut unpacked = Vec::with_capacity(BLOCK);
    let gz = flate2::read::MultiGzDecoder::new(reader.by_ref());
    // A corrupt stream is no tar to Python either.
    Ok(gz.take(BLOCK as u64).read_to_end(&mut unpacked).is_ok() && is_tar_header(&unpacked))
}

/// `TarInfo.frombuf` on a first block: not all zeros, the checksum right
/// (as unsigned or signed bytes), and the number fields readable.
fn is_tar_header(block: &[u8]) -> bool {
    if block.len() != BLOCK || block.iter().all(|&b| b == 0) {
        return false;
    }
    let outside = || block[..148].iter().chain(&block[156..]);
    let unsigned: i64 = 256 + outside().map(|&b| i64::from(b)).sum::<i64>();
    let signed: i64 = 256 + outside().map(|&b| i64::from(b as i8)).sum::<i64>();
    let Some(checksum) = number(&block[148..156]) else {
        return false;
    };
    let fields = [
        100..108,
        108..116,
        116..124,
        124..136,
        136..148,
        329..337,
        337..345,
    ];
    (checksum == unsigned || checksum == signed)
        && fields.into_iter().all(|f| number(&block[f]).is_some())
}

/// `tarfile.nti`: base-256 after a 0x80 or 0xFF byte, else octal text up to
/// the first NUL as Python's `int(text.strip() or "0", 8)` reads it.
fn number(field: &[u8]) -> Option<i64> {
    if let [first @ (0x80 | 0xFF), rest @ ..] = field {
        let magnitude = rest
            .iter()
            .try_fold(0i128, |n, &b| n.checked_mul(256)?.checked_add(b.into()))?;
        let value = if *first == 0xFF {
            magnitude - 256i128.checked_pow(rest.len() as u32)?
        } else {
            magnitude
        };
        return i64::try_from(value).ok();
    }
    let text = field.split(|&b| b == 0).next().unwrap_or_default();
    if !text.is_ascii() {
        return None;
    }
    // str.strip() also strips \x0b and \x1c–\x1f.
    let text = std::str::from_utf8(text).ok()?;
    let text = text
        .trim_matches(|c: char| c.is_ascii_whitespace() || matches!(c, '\x0b' | '\x1c'..='\x1f'));
    if text.is_empty() {
        return Some(0);
    }
    let (negative, digits) = match text.as_bytes()[0] {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let digits = digits
        .strip_prefix("0o")
        .or_else(|| digits.strip_prefix("0O"))
        .map_or(digits, |d| d.strip_prefix('_').unwrap_or(d));
    // Single underscores may separate digits, as in Python literals.
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let value = i64::from_str_radix(&digits.replace('_', ""), 8).ok()?;
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn tar_block() -> Vec<u8> {
        let mut header = tar::Header::new_ustar();
        header.set_path("x-1.0/PKG-INFO").unwrap();
        header.set_size(0);
        header.set_cksum();
        header.as_bytes().to_vec()
    }

    #[test]
    fn tar_headers_as_tarfile_reads_them() {
        let block = tar_block();
        assert!(is_tar_header(&block));
        let mut broken = block.clone();
        broken[0] ^= 1;
        assert!(!is_tar_header(&broken), "the checksum no longer matches");
        assert!(!is_tar_header(&[0; BLOCK]));
        assert!(!is_tar_header(&block[..100]));
    }

    #[test]
    fn numbers_as_python_reads_them() {
        assert_eq!(number(b"0000644\0"), Some(0o644));
        assert_eq!(number(b"  17 \0\0\0"), Some(0o17));
        assert_eq!(number(b"\0\0\0\0"), Some(0));
        assert_eq!(number(b"0o1_7\0"), Some(0o17));
        assert_eq!(number(b"-7\0"), Some(-7));
        assert_eq!(number(&[0x80, 0, 1, 0]), Some(256));
        assert_eq!(number(&[0xFF, 0xFF, 0xFF, 0xFE]), Some(-2));
        for bad in [&b"9\0"[..], b"1__2", b"_1", b"0x1", b"\xc3\xa9"] {
            assert_eq!(number(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn gzipped_tars_count_and_corrupt_gzip_does_not() {
        use std::io::Write as _;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar_block()).unwrap();
        gz.write_all(&[0; 1024]).unwrap();
        let bytes = gz.finish().unwrap();
        assert!(is_tar(&mut Cursor::new(&bytes)).unwrap());
        let mut corrupt = bytes.clone();
        corrupt[10] = 0x07;
        assert!(!is_tar(&mut Cursor::new(&corrupt)).unwrap());
        assert!(!is_tar(&mut Cursor::new(b"PK\x03\x04")).unwrap());
    }
}
