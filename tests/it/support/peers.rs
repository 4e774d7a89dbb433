//! The real third-party peers, from the venv `scripts/test-env` creates:
//! pypiserver and twine. Each server is started on 127.0.0.1 and stopped when
//! its handle drops; every wait is bounded.

use std::io::{Read, Write};

use base64::Engine as _;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The test venv; its absence is a failure, not a skip, so that a run without
/// the peers cannot pass unnoticed.
pub(crate) fn venv_bin(tool: &str) -> PathBuf {
    let bin = super::root().join(".test-env/venv/bin").join(tool);
    assert!(
        bin.exists(),
        "{} is missing: run `scripts/test-env` (or the README's test command) first",
        bin.display()
    );
    bin
}

/// A port for a server that starts later, in another process: taken below
/// the kernel's ephemeral range (32768 and up on Linux), so that another
/// test binding port 0 in the meantime can never be handed the same one.
pub(crate) fn free_port() -> u16 {
    const FIRST: u32 = 20_000;
    const SPAN: u32 = 12_000;
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos())
        ^ std::process::id().wrapping_mul(2_654_435_761);
    (0..200)
        .map(|i| FIRST + seed.wrapping_add(i * 7_919) % SPAN)
        .find_map(|port| {
            let port = u16::try_from(port).ok()?;
            TcpListener::bind(("127.0.0.1", port)).ok().map(|_| port)
        })
        .expect("a free port below the ephemeral range")
}

/// A plain HTTP/1.0 GET against 127.0.0.1: (status, body).
pub(crate) fn http_get(port: u16, path: &str) -> std::io::Result<(u16, Vec<u8>)> {
    http(port, "GET", path, &[], b"")
}

/// A plain HTTP/1.0 request against 127.0.0.1: (status, body).
pub(crate) fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut request = format!(
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    stream.write_all(body)?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no header end"))?;
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line: {head}")))?;
    Ok((status, response[split + 4..].to_vec()))
}

/// Wait until something answers HTTP on the port, for at most `limit`.
fn wait_until_up(port: u16, limit: Duration, child: &mut Child, what: &str) {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited early with {status}");
        }
        if http_get(port, "/").is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what} did not answer on 127.0.0.1:{port} within {limit:?}");
}

/// A running pypiserver with one htpasswd user; stopped on drop.
pub(crate) struct PypiServer {
    pub port: u16,
    pub url: String,
    pub packages: PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
}

impl PypiServer {
    pub(crate) fn start(user: &str, password: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let packages = dir.path().join("packages");
        std::fs::create_dir(&packages).expect("packages dir");
        let htpasswd = dir.path().join("htpasswd");
        let status = Command::new(venv_bin("python"))
            .args([
                "-c",
                "import sys; from passlib.apache import HtpasswdFile as H; \
                 h = H(sys.argv[1], new=True); h.set_password(sys.argv[2], sys.argv[3]); h.save()",
            ])
            .arg(&htpasswd)
            .args([user, password])
            .status()
            .expect("python runs");
        assert!(status.success(), "could not write the htpasswd file");
        let port = super::peers::free_port();
        let mut child = Command::new(venv_bin("pypi-server"))
            .args([
                "run",
                "-i",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-a",
                "update",
                "-P",
            ])
            .arg(&htpasswd)
            .arg(&packages)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("pypi-server starts");
        wait_until_up(port, Duration::from_secs(30), &mut child, "pypi-server");
        PypiServer {
            port,
            url: format!("http://127.0.0.1:{port}/"),
            packages,
            child,
            _dir: dir,
        }
    }
}

impl Drop for PypiServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// twine from the test venv, with a clean environment.
pub(crate) fn twine(home: &Path) -> Command {
    let mut cmd = Command::new(venv_bin("twine"));
    cmd.env_clear().env("HOME", home).current_dir(home);
    cmd
}

/// A running devpi-server (offline: its PyPI mirror never goes out) with a
/// user and a non-volatile index; stopped on drop.
pub(crate) struct Devpi {
    pub port: u16,
    /// The upload URL: devpi takes uploads at the index URL itself.
    pub index_url: String,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Devpi {
    pub(crate) fn start(user: &str, password: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let serverdir = dir.path().join("server");
        let status = Command::new(venv_bin("devpi-init"))
            .arg("--serverdir")
            .arg(&serverdir)
            .args(["--root-passwd", "root-pw"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("devpi-init runs");
        assert!(status.success(), "devpi-init failed");
        let port = free_port();
        let mut child = Command::new(venv_bin("devpi-server"))
            .arg("--serverdir")
            .arg(&serverdir)
            .args([
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--offline-mode",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("devpi-server starts");
        wait_until_up(port, Duration::from_secs(60), &mut child, "devpi-server");
        let json = [
            ("Content-Type", "application/json"),
            ("Accept", "application/json"),
        ];
        let user_body = format!(r#"{{"password": "{password}", "email": "{user}@example.org"}}"#);
        let (status, body) = http(
            port,
            "PUT",
            &format!("/{user}"),
            &json,
            user_body.as_bytes(),
        )
        .expect("create user");
        assert_eq!(
            status,
            201,
            "create user: {}",
            String::from_utf8_lossy(&body)
        );
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        );
        let mut headers = json.to_vec();
        headers.push(("Authorization", &basic));
        let (status, body) = http(
            port,
            "PUT",
            &format!("/{user}/dev"),
            &headers,
            br#"{"bases": "", "volatile": false}"#,
        )
        .expect("create index");
        assert_eq!(
            status,
            200,
            "create index: {}",
            String::from_utf8_lossy(&body)
        );
        Devpi {
            port,
            index_url: format!("http://127.0.0.1:{port}/{user}/dev/"),
            child,
            _dir: dir,
        }
    }
}

impl Drop for Devpi {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
