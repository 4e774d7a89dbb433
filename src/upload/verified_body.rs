//! The file's bytes as a request body, hashed as they leave: a file rewritten
//! since it was hashed (even to the same size) fails the request before its
//! last chunk is sent, so the index never stores bytes that do not match
//! the digests and attestation sent with them.

use std::io::{self, Read};

use bytes::Bytes;
use futures_util::Stream;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

/// Why the body stopped short.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ChangedWhileSending {
    #[error("its sha256 is now {now}, not the {hashed} sent with it")]
    Digest { hashed: String, now: String },
    #[error("it is now {now} bytes, not the {hashed} hashed")]
    Size { hashed: u64, now: u64 },
}

/// Chunks read ahead of the connection: enough to keep it busy while the
/// reading thread hashes the next ones, few enough to hold little memory.
const READ_AHEAD: usize = 4;

/// `reader`'s bytes in chunks of `chunk`, checked against `size` and the
/// hex `sha256`: the chunk that completes the file is held back unless the
/// whole file hashes to it. A thread of the blocking pool reads and hashes
/// while the connection sends, so the check costs no wall time of its own.
pub fn verified(
    reader: impl Read + Send + 'static,
    size: u64,
    sha256: String,
    chunk: usize,
) -> impl Stream<Item = io::Result<Bytes>> + Send + 'static {
    let (sender, receiver) = mpsc::channel(READ_AHEAD);
    let expected = Expected { size, sha256 };
    tokio::task::spawn_blocking(move || read_and_hash(reader, &expected, chunk, &sender));
    futures_util::stream::unfold(receiver, |mut receiver| async move {
        let item = receiver.recv().await?;
        Some((item, receiver))
    })
}

/// What the hashing read promised.
struct Expected {
    size: u64,
    sha256: String,
}

/// Read, hash and hand on each chunk, until the file is whole, differs from
/// what was hashed, or the request is gone (the receiver dropped).
fn read_and_hash(
    mut reader: impl Read,
    expected: &Expected,
    chunk: usize,
    sender: &mpsc::Sender<io::Result<Bytes>>,
) {
    let mut hasher = Sha256::new();
    let mut sent: u64 = 0;
    loop {
        let mut buffer = vec![0; chunk];
        let n = match reader.read(&mut buffer) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let _ = sender.blocking_send(Err(e));
                return;
            }
        };
        buffer.truncate(n);
        let total = sent.saturating_add(n as u64);
        if n == 0 && total < expected.size || total > expected.size {
            let why = ChangedWhileSending::Size {
                hashed: expected.size,
                now: total,
            };
            let _ = sender.blocking_send(Err(changed(why)));
            return;
        }
        if n == 0 {
            return;
        }
        hasher.update(&buffer);
        sent = total;
        let last = sent == expected.size;
        if last {
            let now = crate::dist::digest::hex(&std::mem::take(&mut hasher).finalize());
            if now != expected.sha256 {
                let why = ChangedWhileSending::Digest {
                    hashed: expected.sha256.clone(),
                    now,
                };
                let _ = sender.blocking_send(Err(changed(why)));
                return;
            }
        }
        if sender.blocking_send(Ok(Bytes::from(buffer))).is_err() || last {
            return;
        }
    }
}

fn changed(why: ChangedWhileSending) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why)
}

/// The reason a send failed, when it was this body's check. An
/// `io::Error`'s `source()` skips the error it wraps, so that is looked
/// into by hand.
pub fn find_change<'e>(
    error: &'e (dyn std::error::Error + 'static),
) -> Option<&'e ChangedWhileSending> {
    let mut source = Some(error);
    while let Some(e) = source {
        let wrapped = e
            .downcast_ref::<io::Error>()
            .and_then(io::Error::get_ref)
            .and_then(|inner| inner.downcast_ref::<ChangedWhileSending>());
        if let Some(found) = e.downcast_ref::<ChangedWhileSending>().or(wrapped) {
            return Some(found);
        }
        source = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    fn sha256(bytes: &[u8]) -> String {
        crate::dist::digest::hex(&Sha256::digest(bytes))
    }

    async fn collect(data: &'static [u8], size: u64, sha: String) -> Vec<io::Result<Bytes>> {
        verified(data, size, sha, 4).collect().await
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn the_hashed_bytes_pass_whole() {
        let data = b"0123456789";
        let chunks = block_on(collect(data, 10, sha256(data)));
        let sent: Vec<u8> = chunks
            .into_iter()
            .flat_map(|c| c.unwrap().to_vec())
            .collect();
        assert_eq!(sent, data);
    }

    #[test]
    fn a_same_size_rewrite_never_sends_its_last_chunk() {
        let chunks = block_on(collect(b"0123456789", 10, sha256(b"0123456780")));
        let ok: usize = chunks
            .iter()
            .filter_map(|c| c.as_ref().ok())
            .map(Bytes::len)
            .sum();
        assert!(ok < 10, "the completing chunk was held back");
        let error = chunks.last().unwrap().as_ref().unwrap_err();
        assert!(matches!(
            find_change(error),
            Some(ChangedWhileSending::Digest { .. })
        ));
    }

    #[test]
    fn a_shrunk_file_stops_the_body() {
        let chunks = block_on(collect(b"01234", 8, sha256(b"01234567")));
        let error = chunks.last().unwrap().as_ref().unwrap_err();
        assert!(matches!(
            find_change(error),
            Some(ChangedWhileSending::Size { hashed: 8, now: 5 })
        ));
    }

    /// Bytes appended after hashing are never sent: the body ends at the
    /// hashed size, and only if what it holds is what was hashed.
    #[test]
    fn a_grown_file_sends_its_hashed_bytes_or_nothing() {
        let sent = block_on(collect(b"0123456789", 8, sha256(b"01234567")));
        assert!(sent.iter().all(Result::is_ok));
        assert_eq!(
            sent.iter()
                .map(|c| c.as_ref().unwrap().len())
                .sum::<usize>(),
            8
        );
        let refused = block_on(collect(b"0123456789", 8, sha256(b"x1234567")));
        assert!(refused.last().unwrap().is_err());
    }
}
