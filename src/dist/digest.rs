//! File digests from one read: sha256 and blake2b-256 always (they go in the
//! form), md5 only when asked (for `--print-hash`). Each hash runs on its own
//! thread over shared chunks, so two digests cost about as much as the slower
//! one, and memory stays at a few chunks whatever the file size.

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

/// Hash a file read from disk once.
pub fn digest_file(path: &Path, with_md5: bool) -> io::Result<Digests> {
    digest_reader(File::open(path)?, with_md5)
}

/// Hash everything `reader` yields. The calling thread reads; one thread per
/// digest hashes.
pub fn digest_reader(mut reader: impl Read, with_md5: bool) -> io::Result<Digests> {
    let mut hashers: Vec<Box<dyn Hasher>> = vec![Box::new(Sha256::new()), Box::new(blake2b_256())];
    if with_md5 {
        hashers.push(Box::new(Md5::new()));
    }
    let mut senders = Vec::new();
    let mut workers = Vec::new();
    for mut hasher in hashers {
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
    let read_result = loop {
        let mut chunk = Vec::with_capacity(CHUNK);
        match (&mut reader).take(CHUNK as u64).read_to_end(&mut chunk) {
            Ok(0) => break Ok(()),
            Ok(n) => {
                size += n as u64;
                let chunk = Arc::new(chunk);
                for tx in &senders {
                    // A worker only stops early by panicking, which join reports.
                    let _ = tx.send(Arc::clone(&chunk));
                }
            }
            Err(e) => break Err(e),
        }
    };
    drop(senders);
    let mut hexes = workers
        .into_iter()
        .map(|w| w.join().expect("hashing thread panicked"));
    read_result?;
    let sha256 = hexes.next().unwrap_or_default();
    let blake2_256 = hexes.next().unwrap_or_default();
    Ok(Digests {
        size,
        sha256,
        blake2_256,
        md5: hexes.next(),
    })
}

fn hex(bytes: &[u8]) -> String {
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
        let d = digest_reader(&b"abc"[..], true).unwrap();
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
    fn md5_only_on_request_and_chunk_boundaries_do_not_matter() {
        let data: Vec<u8> = (0..(CHUNK * 3 + 17)).map(|i| (i % 251) as u8).collect();
        let streamed = digest_reader(&data[..], false).unwrap();
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
