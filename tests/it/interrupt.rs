//! Ctrl-C and SIGTERM in the middle of an upload: what landed, what was in
//! flight and what was never sent are said, the JSON report and the step
//! outputs are written, and the exit status is the shell's 128 + signal.

use std::net::TcpListener;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::raw_http::{OK, read_request};
use crate::support::{SECRET, good, mintup};

/// How long any step of these tests may take before it counts as a hang.
const PATIENCE: Duration = Duration::from_secs(60);

/// A server that answers the first upload and holds the second open
/// without an answer, saying when that second request has fully arrived.
/// It stops when the client hangs up (or after [`PATIENCE`]).
fn holding_server() -> (String, mpsc::Receiver<()>, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/legacy/", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    let (arrived, told) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        let deadline = Instant::now() + PATIENCE;
        for answer in [true, false] {
            let mut stream = loop {
                match listener.accept() {
                    Ok((stream, _)) => break stream,
                    Err(_) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    Err(_) => return,
                }
            };
            stream.set_nonblocking(false).unwrap();
            stream.set_read_timeout(Some(PATIENCE)).unwrap();
            if read_request(&mut stream).is_none() {
                return;
            }
            if answer {
                use std::io::Write;
                let _ = stream.write_all(OK);
            } else {
                let _ = arrived.send(());
                // Hold the request until mintup lets go of it.
                let _ = std::io::Read::read(&mut stream, &mut [0; 16]);
            }
        }
    });
    (url, told, thread)
}

/// Wait for the child, killing it if it does not end in time.
fn wait(mut child: Child) -> Output {
    let deadline = Instant::now() + PATIENCE;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("mintup did not end after the signal");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn an_interrupted_upload_reports_what_it_knows() {
    let files = [
        "Mint_Up.Demo-1.0.0-py3-none-any.whl",
        "mintup_classic-2.0.0rc1-py3-none-any.whl",
        "mintup_imports-3.1.4-py3-none-any.whl",
    ]
    .map(good);
    for (signal, status) in [("INT", 130), ("TERM", 143)] {
        let home = tempfile::tempdir().unwrap();
        let (url, arrived, server) = holding_server();
        let summary = home.path().join("summary.md");
        let output = home.path().join("output");
        let child = mintup(home.path())
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("GITHUB_OUTPUT", &output)
            .args(["upload", "--repository-url", &url, "-u", "u", "-p", SECRET])
            // One at a time, so that one file is in flight and one waits.
            .args(["--format", "json", "--retries", "0", "--jobs", "1"])
            .args(&files)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        arrived
            .recv_timeout(PATIENCE)
            .expect("the second file reaches the index");
        let sent = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let out = wait(child);
        server.join().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(status), "SIG{signal}: {stderr}");
        let report: serde_json::Value = serde_json::from_str(&stdout).expect(&stderr);
        let results: Vec<(&str, &str)> = report["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["filename"].as_str().unwrap(),
                    f["result"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            results.iter().map(|(_, r)| *r).collect::<Vec<_>>(),
            ["uploaded", "interrupted", "not-sent"],
            "SIG{signal}"
        );
        assert!(
            stderr.contains(&format!(
                "error: interrupted; uploaded: {}; in flight: {}; not sent: {}",
                results[0].0, results[1].0, results[2].0
            )),
            "{stderr}"
        );
        assert!(stderr.contains("--skip-existing"), "{stderr}");
        let summary = std::fs::read_to_string(&summary).unwrap();
        assert!(summary.contains("**interrupted**"), "{summary}");
        let output = std::fs::read_to_string(&output).unwrap();
        assert!(output.starts_with("files="), "{output}");
        for text in [&*stdout, &*stderr, &summary, &output] {
            assert!(!text.contains(SECRET));
        }
    }
}
