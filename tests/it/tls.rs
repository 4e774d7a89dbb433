//! HTTPS with a CA of the test's own: a local TLS server whose certificate
//! is signed by a CA generated here, trusted through `--cert` and the
//! environment, refused (and not retried) without it.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::support::{good, mintup, raw_http, run, upload_args};

/// A one-purpose HTTPS index on 127.0.0.1: every upload gets 200.
struct TlsIndex {
    url: String,
    uploads: Arc<AtomicUsize>,
    _server: raw_http::Server,
}

impl TlsIndex {
    fn start(config: rustls::ServerConfig) -> Self {
        let uploads = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&uploads);
        let config = Arc::new(config);
        let server = raw_http::Server::start(move |tcp| {
            let connection = rustls::ServerConnection::new(Arc::clone(&config)).unwrap();
            let mut stream = rustls::StreamOwned::new(connection, tcp);
            // A client that refuses the certificate ends the handshake here.
            if raw_http::read_request(&mut stream).is_some() {
                counted.fetch_add(1, Ordering::Relaxed);
                let _ = stream.write_all(raw_http::OK);
                stream.conn.send_close_notify();
                let _ = stream.flush();
            }
        });
        TlsIndex {
            url: format!("https://127.0.0.1:{}/legacy/", server.port),
            uploads,
            _server: server,
        }
    }
}

/// A CA, written as PEM to `dir/ca.pem`, and a server configuration whose
/// certificate for 127.0.0.1 it signed.
fn ca_and_server(dir: &Path) -> (String, rustls::ServerConfig) {
    ca_and_server_with(dir, false)
}

/// The same; with `client_auth`, the server also demands a client
/// certificate from the CA, and `dir/client.pem` holds one with its key.
fn ca_and_server_with(dir: &Path, client_auth: bool) -> (String, rustls::ServerConfig) {
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
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .unwrap();
    let builder = if client_auth {
        let client_key = KeyPair::generate().unwrap();
        let mut client = CertificateParams::new(vec!["mintup-client".to_owned()]).unwrap();
        client.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        let client_cert = client.signed_by(&client_key, &issuer).unwrap();
        std::fs::write(
            dir.join("client.pem"),
            format!("{}{}", client_cert.pem(), client_key.serialize_pem()),
        )
        .unwrap();
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from(ca_cert.der().to_vec()))
            .unwrap();
        let verifier =
            rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .unwrap();
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let config = builder
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

#[test]
fn a_client_certificate_is_presented_when_the_index_asks() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, config) = ca_and_server_with(dir.path(), true);
    let client = dir.path().join("client.pem").display().to_string();
    let index = TlsIndex::start(config);
    let upload = |args: &[&str]| {
        let home = tempfile::tempdir().unwrap();
        run(mintup(home.path())
            .args(upload_args(&index.url, "u"))
            .args(["--cert", ca.as_str()])
            .args(args)
            .arg(good("mintup_hatch_demo-0.4.2-py3-none-any.whl")))
    };
    // Without one the server ends the connection. In TLS 1.3 the client
    // may see that as an alert or as a reset (which is retried), so no
    // retries here.
    let out = upload(&["--retries", "0"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(index.uploads.load(Ordering::Relaxed), 0);
    let out = upload(&["--client-cert", &client]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(index.uploads.load(Ordering::Relaxed), 1);
}
