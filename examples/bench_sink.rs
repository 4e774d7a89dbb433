//! The benchmark's sink index (see `scripts/bench`): accepts every POST on
//! 127.0.0.1, reads and discards the body, answers 200 with an empty body.
//! Written in Rust so that the server's own cost per request (a Python sink
//! spends ~0.7 ms) does not drown the clients' differences.
//!
//!     bench_sink PORT_FILE LOG_FILE [--user U --password P] [--delay-ms MS]
//!
//! `--delay-ms MS` stands in for an index's server-side work (PyPI spends
//! about a second on each upload): each POST is answered MS milliseconds
//! after its whole body was read. The wait is an async sleep, so other
//! connections are read and answered meanwhile.
//!
//! Writes the bound port to PORT_FILE once listening, and appends one line per
//! POST to LOG_FILE: `<status> <body bytes> <framing>` (`length` or
//! `chunked`), so the caller can check that every file arrived whole.

#![allow(clippy::print_stderr)] // a benchmark tool; its usage line is its only output

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, Response, StatusCode};
use base64::Engine as _;
use futures_util::StreamExt;

struct Sink {
    expected_auth: Option<String>,
    delay: std::time::Duration,
    log: Mutex<std::fs::File>,
}

async fn handle(sink: Arc<Sink>, req: Request<Body>) -> Response<Body> {
    if req.method() != Method::POST {
        return status(StatusCode::NOT_FOUND);
    }
    let chunked = req
        .headers()
        .get("transfer-encoding")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let authorized = match &sink.expected_auth {
        Some(expected) => {
            req.headers()
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                == Some(expected)
        }
        None => true,
    };
    let mut body = req.into_body().into_data_stream();
    let mut received = 0u64;
    while let Some(chunk) = body.next().await {
        match chunk {
            Ok(bytes) => received += bytes.len() as u64,
            Err(_) => return status(StatusCode::BAD_REQUEST),
        }
    }
    if !sink.delay.is_zero() {
        tokio::time::sleep(sink.delay).await;
    }
    let code = if authorized {
        StatusCode::OK
    } else {
        StatusCode::UNAUTHORIZED
    };
    let framing = if chunked { "chunked" } else { "length" };
    let _ = writeln!(
        sink.log.lock().expect("log lock"),
        "{} {received} {framing}",
        code.as_u16()
    );
    status(code)
}

fn status(code: StatusCode) -> Response<Body> {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = code;
    response
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (port_file, log_file) = match &args[..] {
        [port, log, ..] => (port.clone(), log.clone()),
        _ => {
            eprintln!(
                "usage: bench_sink PORT_FILE LOG_FILE [--user U --password P] [--delay-ms MS]"
            );
            std::process::exit(2);
        }
    };
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let expected_auth = flag("--user").map(|user| {
        let password = flag("--password").unwrap_or_default();
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        )
    });
    let delay = match flag("--delay-ms").map(|ms| ms.parse::<u64>()) {
        None => std::time::Duration::ZERO,
        Some(Ok(ms)) => std::time::Duration::from_millis(ms),
        Some(Err(_)) => {
            eprintln!("bench_sink: --delay-ms takes a whole number of milliseconds");
            std::process::exit(2);
        }
    };
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_file)
        .expect("log file");
    let sink = Arc::new(Sink {
        expected_auth,
        delay,
        log: Mutex::new(log),
    });

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("addr").port();
        // Written then renamed, so that the reader never sees half a number.
        let tmp = format!("{port_file}.tmp");
        std::fs::write(&tmp, port.to_string()).expect("port file");
        std::fs::rename(&tmp, &port_file).expect("port file");
        let app = Router::new().fallback(move |req: Request<Body>| handle(Arc::clone(&sink), req));
        axum::serve(listener, app).await.expect("serve");
    });
}
