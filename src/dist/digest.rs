//! File digests from one read: sha256 and blake2b-256 always (they go in the
//! form), md5 only when asked (for `--print-hash`). Each hash runs on its own
//! thread over shared chunks, so two digests cost about as much as the slower
//! one, and memory stays at a few chunks whatever the file size. A file of
//! less than one chunk is hashed in place and kept for sending.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::sync_channel;
use std::thread;

use md5::Md5;
use sha2::{Digest as _, Sha256};

const CHUNK: usize = 1024 * 1024;
/// Chunks in flight per hashing thread.
const QUEUE: usize = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digests {
    pub size: u64,
    pub sha256: String,
    pub blake2_256: String,
    pub md5: Option<String>,
}

/// Something that consumes the file's bytes in order.
trait Hasher: Send + 'static {
    fn update(&mut self, bytes: &[u8]);
    fn finish_hex(self: Box<Self>) -> String;
}

impl Hasher for Sha256 {
    fn update(&mut self, bytes: &[u8]) {
        sha2::Digest::update(self, bytes);
    }
    fn finish_hex(self: Box<Self>) -> String {
        hex(&self.finalize())
    }
}

impl Hasher for Md5 {
    fn update(&mut self, bytes: &[u8]) {
        md5::Digest::update(self, bytes);
    }
    fn finish_hex(self: Box<Self>) -> String {
        hex(&self.finalize())
    }
}

impl Hasher for blake2b_simd::State {
    fn update(&mut self, bytes: &[u8]) {
        blake2b_simd::State::update(self, bytes);
    }
    fn finish_hex(self: Box<Self>) -> String {
        self.finalize().to_hex().to_string()
    }
}

fn blake2b_256() -> blake2b_simd::State {
    blake2b_simd::Params::new().hash_length(32).to_state()
}

/// A file's digests, and its bytes when it fits in one chunk (so that a small
/// file is read once for both hashing and sending).
#[derive(Debug, Clone)]
pub struct Hashed {
    pub digests: Digests,
    pub small_contents: Option<Vec<u8>>,
}

/// Hash a file read from disk once.
pub fn digest_file(path: &Path, with_md5: bool) -> io::Result<Hashed> {
    digest_reader(File::open(path)?, with_md5)
}

/// Hash everything `reader` yields. Input that fits in one chunk is hashed on
/// the calling thread and kept; larger input is read by the calling thread
/// and hashed by one thread per digest.
pub fn digest_reader(mut reader: impl Read, with_md5: bool) -> io::Result<Hashed> {
    let first = read_chunk(&mut reader)?;
    if first.len() < CHUNK {
        let mut hashers = hashers(with_md5);
        for hasher in &mut hashers {
            hasher.update(&first);
        }
        return Ok(Hashed {
            digests: finish(
                first.len() as u64,
                hashers.into_iter().map(|h| h.finish_hex()),
            ),
            small_contents: Some(first),
        });
    }
    let mut senders = Vec::new();
    let mut workers = Vec::new();
    for mut hasher in hashers(with_md5) {
        let (tx, rx) = sync_channel::<Arc<Vec<u8>>>(QUEUE);
        senders.push(tx);
        workers.push(thread::spawn(move || {
            for chunk in rx {
                hasher.update(&chunk);
            }
            hasher.finish_hex()
        }));
    }
    let mut size = 0u64;
    let mut chunk = first;
    let read_result = loop {
        if chunk.is_empty() {
            break Ok(());
        }
        size += chunk.len() as u64;
        let shared = Arc::new(chunk);
        for tx in &senders {
            // A worker only stops early by panicking, which join reports.
            let _ = tx.send(Arc::clone(&shared));
        }
        chunk = match read_chunk(&mut reader) {
            Ok(next) => next,
            Err(e) => break Err(e),
        };
    };
    drop(senders);
    let hexes: Vec<String> = workers
        .into_iter()
        .map(|w| w.join().expect("hashing thread panicked"))
        .collect();
    read_result?;
    Ok(Hashed {
        digests: finish(size, hexes.into_iter()),
        small_contents: None,
    })
}

/// sha256 and blake2b-256 always, in that order; md5 last when asked for.
fn hashers(with_md5: bool) -> Vec<Box<dyn Hasher>> {
    let mut hashers: Vec<Box<dyn Hasher>> = vec![Box::new(Sha256::new()), Box::new(blake2b_256())];
    if with_md5 {
        hashers.push(Box::new(Md5::new()));
    }
    hashers
}

fn finish(size: u64, mut hexes: impl Iterator<Item = String>) -> Digests {
    Digests {
        size,
        sha256: hexes.next().unwrap_or_default(),
        blake2_256: hexes.next().unwrap_or_default(),
        md5: hexes.next(),
    }
}

/// Up to one chunk; shorter only at the end of the input.
fn read_chunk(reader: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut chunk = Vec::with_capacity(CHUNK);
    reader.take(CHUNK as u64).read_to_end(&mut chunk)?;
    Ok(chunk)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers_for_abc() {
        let hashed = digest_reader(&b"abc"[..], true).unwrap();
        assert_eq!(hashed.small_contents.as_deref(), Some(&b"abc"[..]));
        let d = hashed.digests;
        assert_eq!(d.size, 3);
        assert_eq!(
            d.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            d.blake2_256,
            "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"
        );
        assert_eq!(d.md5.as_deref(), Some("900150983cd24fb0d6963f7d28e17f72"));
    }

    #[test]
    fn exactly_one_chunk_is_streamed_and_empty_input_is_small() {
        let data = vec![7u8; CHUNK];
        let hashed = digest_reader(&data[..], false).unwrap();
        assert!(hashed.small_contents.is_none());
        assert_eq!(hashed.digests.sha256, hex(&Sha256::digest(&data)));
        let empty = digest_reader(&b""[..], false).unwrap();
        assert_eq!(empty.digests.size, 0);
        assert_eq!(
            empty.digests.sha256,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn md5_only_on_request_and_chunk_boundaries_do_not_matter() {
        let data: Vec<u8> = (0..(CHUNK * 3 + 17)).map(|i| (i % 251) as u8).collect();
        let hashed = digest_reader(&data[..], false).unwrap();
        assert!(hashed.small_contents.is_none());
        let streamed = hashed.digests;
        assert_eq!(streamed.md5, None);
        assert_eq!(streamed.size, data.len() as u64);
        assert_eq!(streamed.sha256, hex(&Sha256::digest(&data)));
        assert_eq!(
            streamed.blake2_256,
            blake2b_simd::Params::new()
                .hash_length(32)
                .hash(&data)
                .to_hex()
                .as_str()
        );
    }
}
