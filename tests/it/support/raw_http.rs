//! Plain HTTP/1.1 by hand, for servers the fake index cannot play: one that
//! drops a connection mid-body, one that speaks TLS.

use std::io::Read;

/// Read one request (head and a Content-Length body); `None` when the peer
/// closes or stalls first.
pub fn read_request(stream: &mut impl Read) -> Option<Vec<u8>> {
    let mut buffer = vec![0u8; 1 << 16];
    let mut request = Vec::new();
    let (head_end, length) = loop {
        let n = stream.read(&mut buffer).ok().filter(|n| *n > 0)?;
        request.extend_from_slice(&buffer[..n]);
        if let Some(end) = request.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&request[..end]).to_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            break (end + 4, length);
        }
    };
    while request.len() < head_end + length {
        let n = stream.read(&mut buffer).ok().filter(|n| *n > 0)?;
        request.extend_from_slice(&buffer[..n]);
    }
    Some(request)
}

/// A 200 answer that closes the connection.
pub const OK: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nOK";
