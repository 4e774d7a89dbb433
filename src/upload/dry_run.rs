//! `upload --dry-run`: the real requests, built and streamed exactly as for
//! the index, but sent to a loopback index inside mintup that parses each one
//! back and verifies it: the multipart framing, the exact Content-Length, the
//! protocol fields, and the digests against the bytes that arrived.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::Full;
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

/// Parse an upload request back and check it as an index would, streaming:
/// the file part is hashed as it arrives, never held whole.
async fn verify(request: Request<Incoming>) -> Result<(), String> {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = header("content-type").ok_or("no Content-Type")?;
    // hyper reads exactly Content-Length bytes; its absence means chunked.
    header("content-length").ok_or("no Content-Length (a chunked body)")?;
    let boundary = multer::parse_boundary(&content_type).map_err(|e| e.to_string())?;
    let body = http_body_util::BodyStream::new(request.into_body()).filter_map(|frame| async {
        match frame {
            Ok(frame) => frame.into_data().ok().map(Ok),
            Err(e) => Some(Err(e)),
        }
    });
    verify_form(body, &boundary).await
}

/// What arrived in the file part.
struct Content {
    file_name: Option<String>,
    part_type: Option<String>,
    sha256: String,
    blake2_256: String,
}

async fn verify_form<S, E>(body: S, boundary: &str) -> Result<(), String>
where
    S: futures_util::Stream<Item = Result<Bytes, E>> + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut multipart = multer::Multipart::new(body, boundary);
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut content = None;
    while let Some(mut field) = multipart.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "content" {
            let file_name = field.file_name().map(str::to_owned);
            let part_type = field.content_type().map(|m| m.to_string());
            let mut sha = Sha256::new();
            let mut blake = blake2b_simd::Params::new().hash_length(32).to_state();
            while let Some(chunk) = field.chunk().await.map_err(|e| e.to_string())? {
                sha.update(&chunk);
                blake.update(&chunk);
            }
            content = Some(Content {
                file_name,
                part_type,
                sha256: sha.finalize().iter().map(|b| format!("{b:02x}")).collect(),
                blake2_256: blake.finalize().to_hex().to_string(),
            });
        } else if name != "gpg_signature" {
            let data = field.bytes().await.map_err(|e| e.to_string())?;
            fields.push((name, String::from_utf8_lossy(&data).into_owned()));
        }
    }
    check_fields(&fields, content.ok_or("no content part")?)
}

fn check_fields(fields: &[(String, String)], content: Content) -> Result<(), String> {
    let all = |name: &str| fields.iter().filter(|(k, _)| k == name).count();
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let file_name = content.file_name.as_deref().unwrap_or_default();
    if file_name.is_empty() {
        return Err("the content part has no file name".into());
    }
    if content.part_type.as_deref() != Some("application/octet-stream") {
        return Err(format!(
            "the content part's type is {:?}",
            content.part_type
        ));
    }
    if field(":action") != Some("file_upload") || field("protocol_version") != Some("1") {
        return Err("the protocol fields are missing".into());
    }
    for single in [
        "name",
        "version",
        "metadata_version",
        "filetype",
        "pyversion",
        "sha256_digest",
        "blake2_256_digest",
        "summary",
        "description",
        "requires_python",
        "license",
        "license_expression",
    ] {
        if all(single) > 1 {
            return Err(format!(
                "the single-value field {single} is sent {} times",
                all(single)
            ));
        }
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
    let expected_type = if file_name.ends_with(".whl") {
        "bdist_wheel"
    } else {
        "sdist"
    };
    if field("filetype") != Some(expected_type) {
        return Err(format!(
            "filetype {:?} does not fit {file_name}",
            field("filetype")
        ));
    }
    if expected_type == "sdist" && field("pyversion") != Some("source") {
        return Err("an sdist's pyversion must be 'source'".into());
    }
    if field("sha256_digest") != Some(content.sha256.as_str()) {
        return Err(format!(
            "sha256_digest {:?} does not match the content's {}",
            field("sha256_digest"),
            content.sha256
        ));
    }
    if field("blake2_256_digest") != Some(content.blake2_256.as_str()) {
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
        let stream = futures_util::stream::once(async move { Ok::<_, Infallible>(body) });
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(verify_form(stream, "B"))
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
