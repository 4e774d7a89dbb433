//! `upload --dry-run`: the real requests, built and streamed exactly as for
//! the index, but sent to a loopback index inside mintup that parses each one
//! back and verifies it: the multipart framing, the exact Content-Length, the
//! protocol fields, and the digests against the bytes that arrived.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use url::Url;

/// The loopback index; stops when dropped.
pub struct LoopbackIndex {
    pub url: Url,
    task: JoinHandle<()>,
}

impl LoopbackIndex {
    /// Listen on 127.0.0.1 on a free port, on the current runtime.
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
        let url = Url::parse(&format!("http://{}/legacy/", listener.local_addr()?))
            .expect("a socket address makes a URL");
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service_fn(answer))
                        .await;
                });
            }
        });
        Ok(LoopbackIndex { url, task })
    }
}

impl Drop for LoopbackIndex {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (status, text) = match verify(request).await {
        Ok(()) => (StatusCode::OK, String::new()),
        Err(problem) => (StatusCode::BAD_REQUEST, format!("dry run: {problem}")),
    };
    let mut response = Response::new(Full::new(Bytes::from(text)));
    *response.status_mut() = status;
    Ok(response)
}

/// Parse an upload request back and check it as an index would.
async fn verify(request: Request<Incoming>) -> Result<(), String> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header("content-type").ok_or("no Content-Type")?;
    let declared: usize = header("content-length")
        .ok_or("no Content-Length")?
        .parse()
        .map_err(|_| "a malformed Content-Length")?;
    let boundary = multer::parse_boundary(&content_type).map_err(|e| e.to_string())?;
    let body = request
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    if body.len() != declared {
        return Err(format!(
            "Content-Length says {declared} bytes but {} arrived",
            body.len()
        ));
    }
    verify_form(body, &boundary).await
}

async fn verify_form(body: Bytes, boundary: &str) -> Result<(), String> {
    let stream = futures_util::stream::once(async move { Ok::<_, Infallible>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut content = None;
    while let Some(field) = multipart.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let part_type = field.content_type().map(|m| m.to_string());
        let data = field.bytes().await.map_err(|e| e.to_string())?;
        match name.as_str() {
            "content" => content = Some((file_name, part_type, data)),
            "gpg_signature" => {}
            _ => fields.push((name, String::from_utf8_lossy(&data).into_owned())),
        }
    }
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let (file_name, part_type, data) = content.ok_or("no content part")?;
    if file_name.as_deref().is_none_or(str::is_empty) {
        return Err("the content part has no file name".into());
    }
    if part_type.as_deref() != Some("application/octet-stream") {
        return Err(format!("the content part's type is {part_type:?}"));
    }
    if field(":action") != Some("file_upload") || field("protocol_version") != Some("1") {
        return Err("the protocol fields are missing".into());
    }
    for required in [
        "name",
        "version",
        "metadata_version",
        "filetype",
        "pyversion",
    ] {
        if field(required).is_none_or(str::is_empty) {
            return Err(format!("the field {required} is missing"));
        }
    }
    let sha256: String = Sha256::digest(&data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if field("sha256_digest") != Some(sha256.as_str()) {
        return Err(format!(
            "sha256_digest {:?} does not match the content's {sha256}",
            field("sha256_digest")
        ));
    }
    let blake2 = blake2b_simd::Params::new().hash_length(32).hash(&data);
    if field("blake2_256_digest") != Some(blake2.to_hex().as_str()) {
        return Err("blake2_256_digest does not match the content".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(sha256: &str, blake2: &str, content: &[u8]) -> Bytes {
        let mut out = Vec::new();
        let mut field = |name: &str, value: &str| {
            out.extend_from_slice(
                format!(
                    "--B\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        };
        for (name, value) in [
            (":action", "file_upload"),
            ("protocol_version", "1"),
            ("name", "x"),
            ("version", "1.0"),
            ("metadata_version", "2.1"),
            ("filetype", "sdist"),
            ("pyversion", "source"),
            ("sha256_digest", sha256),
            ("blake2_256_digest", blake2),
        ] {
            field(name, value);
        }
        out.extend_from_slice(
            b"--B\r\nContent-Disposition: form-data; name=\"content\"; filename=\"x-1.0.tar.gz\"\r\n\
Content-Type: application/octet-stream\r\n\r\n",
        );
        out.extend_from_slice(content);
        out.extend_from_slice(b"\r\n--B--\r\n");
        Bytes::from(out)
    }

    fn run(body: Bytes) -> Result<(), String> {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(verify_form(body, "B"))
    }

    #[test]
    fn digests_are_checked_against_the_bytes_that_arrived() {
        let content = b"sdist bytes";
        let sha: String = Sha256::digest(content)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let blake = blake2b_simd::Params::new()
            .hash_length(32)
            .hash(content)
            .to_hex()
            .to_string();
        assert_eq!(run(body(&sha, &blake, content)), Ok(()));
        let err = run(body(&"0".repeat(64), &blake, content)).unwrap_err();
        assert!(err.starts_with("sha256_digest Some(\"0000"), "{err}");
        assert_eq!(
            run(body(&sha, &"0".repeat(64), content)),
            Err("blake2_256_digest does not match the content".into())
        );
    }
}
