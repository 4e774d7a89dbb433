//! HTTPS with a CA of the test's own: a local TLS server whose certificate
//! is signed by a CA generated here, trusted through `--cert` and the
//! environment, refused (and not retried) without it.

use std::io::Write;
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::support::{good, mintup, raw_http, run, upload_args};

/// A one-purpose HTTPS index on 127.0.0.1: every upload gets 200. Stops
/// when dropped; each accept waits at most until its deadline.
struct TlsIndex {
    url: String,
    uploads: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TlsIndex {
    fn start(config: rustls::ServerConfig) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!(
            "https://127.0.0.1:{}/legacy/",
            listener.local_addr().unwrap().port()
        );
        let (uploads, stop) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicBool::new(false)),
        );
        let (counted, stopping) = (Arc::clone(&uploads), Arc::clone(&stop));
        let config = Arc::new(config);
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            while !stopping.load(Ordering::Relaxed) && Instant::now() < deadline {
                let Ok((tcp, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                };
                tcp.set_nonblocking(false).unwrap();
                tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                let connection = rustls::ServerConnection::new(Arc::clone(&config)).unwrap();
                let mut stream = rustls::StreamOwned::new(connection, tcp);
                // A client that refuses the certificate ends the handshake here.
                if raw_http::read_request(&mut stream).is_some() {
                    counted.fetch_add(1, Ordering::Relaxed);
                    let _ = stream.write_all(raw_http::OK);
                    stream.conn.send_close_notify();
                    let _ = stream.flush();
                }
            }
        });
        TlsIndex {
            url,
            uploads,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for TlsIndex {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A CA, written as PEM to `dir/ca.pem`, and a server configuration whose
/// certificate for 127.0.0.1 it signed.
fn ca_and_server(dir: &Path) -> (String, rustls::ServerConfig) {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let ca_path = dir.join("ca.pem");
    std::fs::write(&ca_path, ca_cert.pem()).unwrap();

    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let server_cert = server.signed_by(&server_key, &issuer).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(server_cert.der().to_vec())],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
    )
    .unwrap();
    (ca_path.display().to_string(), config)
}

#[test]
fn a_private_ca_is_trusted_through_cert_and_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, config) = ca_and_server(dir.path());
    let index = TlsIndex::start(config);
    let upload = |args: &[&str], env: &[(&str, &str)]| {
        let home = tempfile::tempdir().unwrap();
        run(mintup(home.path())
            .args(upload_args(&index.url, "u"))
            .args(args)
            .envs(env.iter().copied())
            .arg(good("mintup_hatch_demo-0.4.2-py3-none-any.whl")))
    };

    // Unknown CA: refused, and not retried (a certificate refused once is
    // refused again).
    let out = upload(&[], &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(!out.stderr.contains("retrying"), "{}", out.stderr);
    assert!(
        out.stderr.to_lowercase().contains("certificate"),
        "{}",
        out.stderr
    );
    assert_eq!(index.uploads.load(Ordering::Relaxed), 0);

    for (args, env) in [
        (vec!["--cert", ca.as_str()], vec![]),
        (vec![], vec![("TWINE_CERT", ca.as_str())]),
        (vec![], vec![("REQUESTS_CA_BUNDLE", ca.as_str())]),
        (vec![], vec![("SSL_CERT_FILE", ca.as_str())]),
    ] {
        let out = upload(&args, &env);
        assert_eq!(out.code, 0, "{args:?} {env:?}: {}", out.stderr);
    }
    assert_eq!(index.uploads.load(Ordering::Relaxed), 4);
}
