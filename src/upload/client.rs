//! One upload request on the wire: the multipart form streamed from disk
//! (hashed as it goes), and the answer read within a bound and made safe to
//! print. The client itself is built in [`crate::http`].

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use futures_util::TryStreamExt;
use reqwest::header::{ACCEPT, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use reqwest::multipart::{Form, Part};
use url::Url;

use super::Reporter;
use crate::auth::Credentials;
use crate::untrusted;

use super::stall::{self, Progress};
use super::verified_body::{self, ChangedWhileSending, verified};

use super::form::Fields;

/// How much of an answer's body is read; error pages are short, and a
/// misdirected upload must not download a whole web page.
const MAX_BODY: usize = 64 * 1024;
/// Read size for the streamed file.
const STREAM_CHUNK: usize = 256 * 1024;

/// One file's request.
pub struct FileRequest<'a> {
    pub url: &'a Url,
    pub credentials: &'a Credentials,
    pub fields: Fields,
    pub path: &'a Path,
    /// The file's bytes when the hashing read already holds them (small
    /// files); otherwise the file is streamed from `path`.
    pub contents: Option<Vec<u8>>,
    /// How long nothing may move before the request is abandoned.
    pub stall_timeout: Duration,
    pub filename: &'a str,
    pub size: u64,
    /// The hex sha256 sent with it, which the streamed bytes must match.
    pub sha256: &'a str,
    /// `<file>.asc`, sent as the `gpg_signature` file part.
    pub signature: Option<(String, Vec<u8>)>,
    /// Show the request line and headers (credentials redacted).
    pub verbose: bool,
}

/// The answer, owned, for [`super::response::classify`]. The reason, the
/// header lines and the body are safe to print (see `read_answer`).
#[derive(Debug, Clone)]
pub struct RawAnswer {
    pub status: u16,
    pub content_type: Option<String>,
    pub reason: Option<String>,
    pub location: Option<String>,
    pub retry_after: Option<String>,
    /// Every header, as `name: value` lines with credentials redacted.
    pub headers: Vec<String>,
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("cannot open the file")]
    Open(#[source] std::io::Error),
    #[error("the request failed")]
    Http(#[source] reqwest::Error),
    #[error("nothing moved for {} s, so the request was abandoned", .0.as_secs())]
    Stalled(Duration),
    #[error("the file changed while mintup was working")]
    Changed(#[source] ChangedWhileSending),
}

/// Stream the file to the index: text fields first, `content` last, with an
/// exact Content-Length; the file is read from disk as it is sent.
pub async fn send_file(
    client: &reqwest::Client,
    request: FileRequest<'_>,
    reporter: Arc<dyn Reporter>,
) -> Result<RawAnswer, SendError> {
    let progress = Progress::new();
    let content = match request.contents {
        Some(bytes) => Part::bytes(bytes),
        None => {
            let file = tokio::fs::File::open(request.path)
                .await
                .map_err(SendError::Open)?;
            // The digests were computed from an earlier read; a file that
            // changed since would go out under the wrong digests.
            let now = file.metadata().await.map_err(SendError::Open)?.len();
            if now != request.size {
                return Err(SendError::Changed(ChangedWhileSending::Size {
                    hashed: request.size,
                    now,
                }));
            }
            let (bar, moved) = (Arc::clone(&reporter), progress.clone());
            let name = request.filename.to_owned();
            let file = file.into_std().await;
            let stream = verified(file, request.size, request.sha256.to_owned(), STREAM_CHUNK)
                .inspect_ok(move |chunk| {
                    moved.touch();
                    bar.advance(&name, chunk.len() as u64);
                });
            Part::stream_with_length(reqwest::Body::wrap_stream(stream), request.size)
        }
    }
    .file_name(request.filename.to_owned())
    .mime_str("application/octet-stream")
    .map_err(SendError::Http)?;
    let mut form = Form::new();
    for (name, value) in request.fields {
        form = form.text(name, value);
    }
    if let Some((name, bytes)) = request.signature {
        let part = Part::bytes(bytes)
            .file_name(name)
            .mime_str("application/octet-stream")
            .map_err(SendError::Http)?;
        form = form.part("gpg_signature", part);
    }
    form = form.part("content", content);

    reporter.start_file(request.filename, request.size);
    let verbose = request.verbose;
    let exchange = async {
        let http_request = client
            .post(request.url.clone())
            .basic_auth(
                &request.credentials.username,
                Some(request.credentials.password.expose()),
            )
            // Warehouse puts its message in the reason phrase, which HTTP/2
            // lacks; asking for JSON gets it in the body instead.
            .header(
                ACCEPT,
                "application/json;q=0.9, text/plain;q=0.8, text/html;q=0.7",
            )
            .multipart(form)
            .build()
            .map_err(SendError::Http)?;
        if verbose {
            let mut lines = vec![format!("> POST {}", http_request.url())];
            lines.extend(
                redacted(http_request.headers())
                    .into_iter()
                    .map(|h| format!("> {h}")),
            );
            reporter.note(&lines.join("\n"));
        }
        let response = client.execute(http_request).await.map_err(|e| {
            match verified_body::find_change(&e) {
                Some(change) => SendError::Changed(change.clone()),
                None => SendError::Http(e),
            }
        })?;
        progress.touch();
        // An index may echo what it was sent: the password, or the Basic
        // credentials that carry it.
        let credentials = request.credentials;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            credentials.username,
            credentials.password.expose()
        ));
        read_answer(
            response,
            &progress,
            &[credentials.password.expose(), &basic],
        )
        .await
        .map_err(SendError::Http)
    };
    let answer = tokio::select! {
        answer = exchange => answer,
        () = stall::stalled(&progress, request.stall_timeout) => {
            Err(SendError::Stalled(request.stall_timeout))
        }
    };
    reporter.finish_file(request.filename);
    answer
}

/// The answer, its text made safe to show ([`crate::untrusted::for_log`])
/// as it enters: everything after this may print it. `Location` stays as
/// sent, for the redirect it names.
async fn read_answer(
    mut response: reqwest::Response,
    progress: &Progress,
    secrets: &[&str],
) -> Result<RawAnswer, reqwest::Error> {
    let status = response.status();
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let headers = redacted(response.headers())
        .iter()
        .map(|line| untrusted::for_log(line, secrets))
        .collect();
    let content_type = header(CONTENT_TYPE);
    let location = header(LOCATION);
    let retry_after = header(RETRY_AFTER);
    let reason = response
        .extensions()
        .get::<hyper::ext::ReasonPhrase>()
        .map(|r| String::from_utf8_lossy(r.as_bytes()).into_owned())
        .or_else(|| status.canonical_reason().map(str::to_owned))
        .map(|reason| untrusted::for_log(&reason, secrets));
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                progress.touch();
                body.extend_from_slice(&chunk);
                if body.len() >= MAX_BODY {
                    body.truncate(MAX_BODY);
                    break;
                }
            }
            Ok(None) => break,
            // The status already says the file was stored; a body cut short
            // must not turn that into a failure.
            Err(_) if status.is_success() => break,
            Err(e) => return Err(e),
        }
    }
    Ok(RawAnswer {
        status: status.as_u16(),
        content_type,
        reason,
        location,
        retry_after,
        headers,
        body: untrusted::for_log(&String::from_utf8_lossy(&body), secrets),
    })
}

/// Headers as `name: value` lines, with anything that carries credentials
/// replaced, for `--verbose`.
pub fn redacted(headers: &reqwest::header::HeaderMap) -> Vec<String> {
    headers
        .iter()
        .map(|(name, value)| {
            let shown = match name.as_str() {
                "authorization" | "proxy-authorization" | "cookie" | "set-cookie" => {
                    let scheme = value
                        .to_str()
                        .ok()
                        .and_then(|v| v.split_once(' '))
                        .map_or("", |(scheme, _)| scheme);
                    format!("{scheme} <redacted>").trim_start().to_owned()
                }
                _ => String::from_utf8_lossy(value.as_bytes()).into_owned(),
            };
            format!("{name}: {shown}")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
    use sha2::Digest as _;

    #[test]
    fn a_file_that_changed_since_hashing_is_not_sent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x-1.0.tar.gz");
        std::fs::write(&path, b"0123456789").unwrap();
        let credentials = Credentials {
            username: "u".into(),
            password: crate::auth::Secret::new("p"),
        };
        // Port 9 (discard) is never reached: the size check comes first.
        let url = Url::parse("http://127.0.0.1:9/legacy/").unwrap();
        let request = FileRequest {
            url: &url,
            credentials: &credentials,
            fields: Vec::new(),
            path: &path,
            contents: None,
            stall_timeout: Duration::from_secs(5),
            filename: "x-1.0.tar.gz",
            size: 9,
            sha256: "",
            signature: None,
            verbose: false,
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let client = crate::http::build_client(None, None).unwrap();
        let reporter: Arc<dyn Reporter> = Arc::new(crate::upload::report::Silent);
        let err = runtime
            .block_on(send_file(&client, request, reporter))
            .unwrap_err();
        assert!(
            matches!(
                err,
                SendError::Changed(ChangedWhileSending::Size { hashed: 9, now: 10 })
            ),
            "{err}"
        );
    }

    /// A same-size rewrite after hashing: the request fails, and the index
    /// never receives the file's last chunk.
    #[test]
    fn a_same_size_rewrite_fails_before_its_last_chunk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x-1.0.tar.gz");
        let mut hashed = vec![b'a'; 3 * STREAM_CHUNK];
        hashed.extend_from_slice(b"TAIL-AS-HASHED");
        let mut rewritten = hashed.clone();
        let tail = rewritten.len() - 14;
        rewritten[tail..].copy_from_slice(b"TAIL-REWRITTEN");
        std::fs::write(&path, &rewritten).unwrap();
        let sha256 = crate::dist::digest::hex(&sha2::Sha256::digest(&hashed));
        let credentials = Credentials {
            username: "u".into(),
            password: crate::auth::Secret::new("p"),
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (err, received) = runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let url = Url::parse(&format!(
                "http://{}/legacy/",
                listener.local_addr().unwrap()
            ))
            .unwrap();
            // Read whatever arrives until the client gives up.
            let server = tokio::spawn(async move {
                use tokio::io::AsyncReadExt;
                let (mut socket, _) = listener.accept().await.unwrap();
                let mut received = Vec::new();
                let _ = socket.read_to_end(&mut received).await;
                received
            });
            let request = FileRequest {
                url: &url,
                credentials: &credentials,
                fields: Vec::new(),
                path: &path,
                contents: None,
                stall_timeout: Duration::from_secs(30),
                filename: "x-1.0.tar.gz",
                size: hashed.len() as u64,
                sha256: &sha256,
                signature: None,
                verbose: false,
            };
            let client = crate::http::build_client(None, None).unwrap();
            let reporter: Arc<dyn Reporter> = Arc::new(crate::upload::report::Silent);
            let err = send_file(&client, request, reporter).await.unwrap_err();
            (err, server.await.unwrap())
        });
        assert!(
            matches!(err, SendError::Changed(ChangedWhileSending::Digest { .. })),
            "{err}"
        );
        let received = String::from_utf8_lossy(&received);
        assert!(
            received.contains("POST /legacy/"),
            "the request had started"
        );
        assert!(!received.contains("TAIL-REWRITTEN"), "the last chunk left");
    }

    #[test]
    fn credentials_in_headers_are_redacted() {
        let mut headers = HeaderMap::new();
        headers.insert(
            AUTHORIZATION,
            HeaderValue::from_static("Basic X190b2tlbl9fOnB5cGktc2VjcmV0"),
        );
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        assert_eq!(
            redacted(&headers),
            [
                "authorization: Basic <redacted>",
                "accept: application/json"
            ]
        );
    }
}
