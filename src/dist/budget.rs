//! Byte budgets for reading archives from outside: readers that fail once
//! more has come through than any real distribution holds, so that a small
//! crafted file cannot make mintup allocate or unpack without end.

use std::cell::Cell;
use std::io::{self, Read};

/// Member contents plus headers, as unpacked. The largest distributions on
/// PyPI (CUDA wheels) unpack to a few GiB and sdists to far less; a gzip or
/// deflate stream can grow a thousandfold, so without a budget a 100 MB file
/// could keep mintup busy for 100 GB.
pub const MAX_UNPACKED: u64 = 16 << 30;
/// The headers before one tar member: its 512-byte header blocks, GNU long
/// name and long link entries, pax records and sparse maps, which the tar
/// crate reads whole into memory (so an 8 MB sdist could claim gigabytes).
/// Real ones are a few KiB: a path is at most 4 KiB, and pax records carry
/// times, owners and a few extended attributes.
pub const MAX_MEMBER_HEADERS: u64 = 1 << 20;

/// Which budget ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Exceeded {
    #[error("it unpacks to more than {} GiB, more than any real distribution", MAX_UNPACKED >> 30)]
    Unpacked,
    #[error(
        "a member's headers (long names, pax records) take more than {} MiB, more than any real distribution",
        MAX_MEMBER_HEADERS >> 20
    )]
    MemberHeaders,
}

impl Exceeded {
    /// The budget behind a read error, if a budget caused it.
    pub fn of(error: &io::Error) -> Option<Exceeded> {
        error.get_ref()?.downcast_ref::<Exceeded>().copied()
    }
}

/// What one archive may still unpack. A tar stream alternates between
/// headers and contents: the caller says which comes next, and the headers
/// of each member get an allowance of their own.
#[derive(Debug)]
pub struct Budget {
    left: Cell<u64>,
    member_headers: u64,
    headers_left: Cell<u64>,
    reading_headers: Cell<bool>,
}

impl Default for Budget {
    fn default() -> Self {
        Budget::new(MAX_UNPACKED, MAX_MEMBER_HEADERS)
    }
}

impl Budget {
    pub fn new(total: u64, member_headers: u64) -> Self {
        Budget {
            left: Cell::new(total),
            member_headers,
            headers_left: Cell::new(member_headers),
            reading_headers: Cell::new(false),
        }
    }

    /// What the archive reader yields next is a member's headers.
    pub fn expect_headers(&self) {
        self.headers_left.set(self.member_headers);
        self.reading_headers.set(true);
    }

    /// What comes next is read through [`Budget::member`].
    pub fn expect_contents(&self) {
        self.reading_headers.set(false);
    }

    /// The decompressed archive stream: metered while it yields headers
    /// (contents are metered as the member reader yields them, where sparse
    /// holes count too).
    pub fn archive<R: Read>(&self, inner: R) -> Metered<'_, R> {
        Metered {
            inner,
            budget: self,
            headers_only: true,
        }
    }

    /// One member's contents.
    pub fn member<R: Read>(&self, inner: R) -> Metered<'_, R> {
        Metered {
            inner,
            budget: self,
            headers_only: false,
        }
    }

    fn allowance(&self) -> Result<u64, Exceeded> {
        let left = self.left.get();
        if left == 0 {
            return Err(Exceeded::Unpacked);
        }
        if !self.reading_headers.get() {
            return Ok(left);
        }
        match self.headers_left.get() {
            0 => Err(Exceeded::MemberHeaders),
            headers => Ok(left.min(headers)),
        }
    }

    fn spend(&self, n: u64) {
        self.left.set(self.left.get().saturating_sub(n));
        if self.reading_headers.get() {
            self.headers_left
                .set(self.headers_left.get().saturating_sub(n));
        }
    }
}

/// A reader that spends from a [`Budget`] and fails when it is spent.
pub struct Metered<'b, R> {
    inner: R,
    budget: &'b Budget,
    headers_only: bool,
}

impl<R: Read> Read for Metered<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() || (self.headers_only && !self.budget.reading_headers.get()) {
            return self.inner.read(buf);
        }
        let allowed = self.budget.allowance().map_err(io::Error::other)?;
        let len = buf
            .len()
            .min(usize::try_from(allowed).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..len])?;
        self.budget.spend(n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(reader: impl Read) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut reader = reader;
        reader.read_to_end(&mut out).map(|_| out)
    }

    #[test]
    fn contents_spend_the_total() {
        let budget = Budget::new(10, 4);
        assert_eq!(read_all(budget.member(&[7u8; 6][..])).unwrap().len(), 6);
        let err = read_all(budget.member(&[7u8; 6][..])).unwrap_err();
        assert_eq!(Exceeded::of(&err), Some(Exceeded::Unpacked));
    }

    #[test]
    fn headers_have_an_allowance_per_member_and_contents_pass_the_archive() {
        let budget = Budget::new(100, 4);
        let data = [1u8; 20];
        let mut archive = budget.archive(&data[..]);
        budget.expect_headers();
        let mut header = [0u8; 4];
        archive.read_exact(&mut header).unwrap();
        let err = archive.read(&mut header).unwrap_err();
        assert_eq!(Exceeded::of(&err), Some(Exceeded::MemberHeaders));
        // Contents come through unmetered here: the member reader meters them.
        budget.expect_contents();
        let mut contents = [0u8; 8];
        archive.read_exact(&mut contents).unwrap();
        assert_eq!(budget.left.get(), 96);
        budget.expect_headers();
        archive.read_exact(&mut header).unwrap();
        assert_eq!(budget.left.get(), 92);
    }

    #[test]
    fn other_errors_are_not_budgets() {
        assert_eq!(Exceeded::of(&io::Error::other("x")), None);
    }
}
