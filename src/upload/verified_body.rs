//! The file's bytes as a request body, hashed as they leave: a file rewritten
//! since it was hashed (even to the same size) fails the request before its
//! last chunk is sent, so the index never stores bytes that do not match
//! the digests and attestation sent with them.

use std::io;

use bytes::Bytes;
use futures_util::Stream;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt};

/// Why the body stopped short.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ChangedWhileSending {
    #[error("its sha256 is now {now}, not the {hashed} sent with it")]
    Digest { hashed: String, now: String },
    #[error("it is now {now} bytes, not the {hashed} hashed")]
    Size { hashed: u64, now: u64 },
}

/// `reader`'s bytes in chunks of `chunk`, checked against `size` and the
/// hex `sha256`: the chunk that completes the file is held back unless the
/// whole file hashes to it.
pub fn verified(
    reader: impl AsyncRead + Unpin + Send + 'static,
    size: u64,
    sha256: String,
    chunk: usize,
) -> impl Stream<Item = io::Result<Bytes>> + Send + 'static {
    let state = Reading {
        reader,
        hasher: Sha256::new(),
        sent: 0,
        size,
        sha256,
        done: false,
    };
    futures_util::stream::try_unfold(state, move |mut state| async move {
        if state.done {
            return Ok(None);
        }
        let mut buffer = vec![0; chunk];
        let n = state.reader.read(&mut buffer).await?;
        buffer.truncate(n);
        let sent = state.sent.saturating_add(n as u64);
        if n == 0 && sent < state.size || sent > state.size {
            return Err(changed(ChangedWhileSending::Size {
                hashed: state.size,
                now: sent,
            }));
        }
        state.hasher.update(&buffer);
        state.sent = sent;
        if sent == state.size {
            let now = crate::dist::digest::hex(&std::mem::take(&mut state.hasher).finalize());
            if now != state.sha256 {
                return Err(changed(ChangedWhileSending::Digest {
                    hashed: state.sha256.clone(),
                    now,
                }));
            }
            state.done = true;
        }
        Ok(Some((Bytes::from(buffer), state)))
    })
}

struct Reading<R> {
    reader: R,
    hasher: Sha256,
    sent: u64,
    size: u64,
    sha256: String,
    done: bool,
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
