//! An in-process fake index: a tiny axum app on 127.0.0.1 that records each
//! upload request (fields, file parts, headers) and answers as the test says.
//! Dropping the handle stops the server.

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, Response, StatusCode};

/// One file part as received.
#[derive(Debug, Clone)]
pub(crate) struct ReceivedFile {
    pub field: String,
    pub filename: String,
    pub content_type: String,
    pub len: usize,
    pub sha256: String,
}

/// One request as received.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    pub method: String,
    pub path: String,
    /// The query string, without the `?`.
    pub query: String,
    pub headers: HeaderMap,
    /// The body as text, for requests that are not multipart.
    pub text: String,
    pub body_len: usize,
    pub fields: Vec<(String, String)>,
    pub files: Vec<ReceivedFile>,
    /// Why the body could not be read or parsed, if it could not.
    pub error: Option<String>,
    /// When the whole request had arrived.
    pub at: std::time::Instant,
}

impl Received {
    pub(crate) fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// What the fake index answers.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    /// A custom HTTP/1.1 reason phrase, as Warehouse sends.
    pub reason: Option<String>,
    /// Server-side work: the answer goes this long after the whole request
    /// arrived (other requests are served meanwhile).
    pub delay: Option<std::time::Duration>,
}

impl Reply {
    pub(crate) fn status(status: u16, body: &str) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: body.to_owned(),
            reason: None,
            delay: None,
        }
    }

    pub(crate) fn ok() -> Self {
        Reply::status(200, "")
    }

    /// An error in Warehouse's JSON shape: the status's generic explanation
    /// in `message`, the specific text in `code`.
    pub(crate) fn json(status: u16, message: &str) -> Self {
        let body = serde_json::json!({
            "message": format!("The server could not comply with the request.\n\n\n{message}\n\n"),
            "code": format!("{status} {message}"),
            "title": "Bad Request",
        });
        Reply {
            headers: vec![("content-type", "application/json".into())],
            ..Reply::status(status, &body.to_string())
        }
    }

    pub(crate) fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    pub(crate) fn reason(mut self, reason: &str) -> Self {
        self.reason = Some(reason.to_owned());
        self
    }

    pub(crate) fn after(mut self, delay: std::time::Duration) -> Self {
        self.delay = Some(delay);
        self
    }
}

type Responder = Box<dyn FnMut(&Received) -> Reply + Send>;

struct State {
    received: Vec<Received>,
    responder: Responder,
}

pub(crate) struct FakeIndex {
    pub url: String,
    state: Arc<Mutex<State>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FakeIndex {
    /// A fake index that answers every request with `responder`.
    pub(crate) fn start(responder: impl FnMut(&Received) -> Reply + Send + 'static) -> Self {
        let state = Arc::new(Mutex::new(State {
            received: Vec::new(),
            responder: Box::new(responder),
        }));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}/legacy/", listener.local_addr().expect("addr"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app_state = Arc::clone(&state);
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let app = Router::new().fallback(move |req: Request<Body>| {
                    let state = Arc::clone(&app_state);
                    async move { handle(state, req).await }
                });
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = rx.await;
                    })
                    .await
                    .expect("serve");
            });
        });
        FakeIndex {
            url,
            state,
            shutdown: Some(tx),
            thread: Some(thread),
        }
    }

    /// The server's root URL, `http://127.0.0.1:PORT`.
    pub(crate) fn base(&self) -> String {
        self.at("")
    }

    /// A fake index that accepts everything.
    pub(crate) fn accepting() -> Self {
        Self::start(|_| Reply::ok())
    }

    /// A fake index that gives the same answer every time.
    pub(crate) fn always(reply: Reply) -> Self {
        Self::start(move |_| reply.clone())
    }

    /// The requests so far; a body that could not be read fails the test.
    pub(crate) fn received(&self) -> Vec<Received> {
        let received = self.state.lock().expect("state").received.clone();
        for r in &received {
            assert_eq!(
                r.error, None,
                "{} {}: the fake index could not read the request",
                r.method, r.path
            );
        }
        received
    }

    /// How many uploads (POSTs) arrived.
    pub(crate) fn posts(&self) -> usize {
        self.received()
            .iter()
            .filter(|r| r.method == "POST")
            .count()
    }

    /// The URL of another path on the same server.
    pub(crate) fn at(&self, path: &str) -> String {
        let base = self.url.trim_end_matches("/legacy/");
        format!("{base}{path}")
    }
}

impl Drop for FakeIndex {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn handle(state: Arc<Mutex<State>>, req: Request<Body>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let (bytes, body_error): (Bytes, Option<String>) =
        match axum::body::to_bytes(body, 512 * 1024 * 1024).await {
            Ok(bytes) => (bytes, None),
            Err(e) => (Bytes::new(), Some(format!("reading the body: {e}"))),
        };
    let mut received = Received {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        headers: parts.headers.clone(),
        text: String::new(),
        error: body_error,
        body_len: bytes.len(),
        fields: Vec::new(),
        files: Vec::new(),
        at: std::time::Instant::now(),
    };
    let boundary = parts
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| multer::parse_boundary(ct).ok());
    if boundary.is_none() {
        received.text = String::from_utf8_lossy(&bytes).into_owned();
    }
    if let Some(boundary) = boundary {
        let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(bytes) });
        let mut multipart = multer::Multipart::new(stream, boundary);
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(e) => {
                    received.error = Some(format!("parsing the multipart body: {e}"));
                    break;
                }
            };
            let name = field.name().unwrap_or_default().to_owned();
            let filename = field.file_name().map(str::to_owned);
            let content_type = field
                .content_type()
                .map(|m| m.to_string())
                .unwrap_or_default();
            let data = match field.bytes().await {
                Ok(data) => data,
                Err(e) => {
                    received.error = Some(format!("reading part {name}: {e}"));
                    break;
                }
            };
            match filename {
                Some(filename) => received.files.push(ReceivedFile {
                    field: name,
                    filename,
                    content_type,
                    len: data.len(),
                    sha256: super::sha256_hex(&data),
                }),
                None => received
                    .fields
                    .push((name, String::from_utf8_lossy(&data).into_owned())),
            }
        }
    }
    let reply = {
        let mut state = state.lock().expect("state");
        let reply = (state.responder)(&received);
        state.received.push(received);
        reply
    };
    if let Some(delay) = reply.delay {
        tokio::time::sleep(delay).await;
    }
    let mut response = Response::new(Body::from(reply.body));
    *response.status_mut() = StatusCode::from_u16(reply.status).expect("status");
    for (name, value) in reply.headers {
        response
            .headers_mut()
            .insert(name, value.parse().expect("header value"));
    }
    if let Some(reason) = reply.reason {
        response
            .extensions_mut()
            .insert(hyper::ext::ReasonPhrase::try_from(reason.into_bytes()).expect("reason"));
    }
    response
}
