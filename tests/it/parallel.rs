//! Several files in flight: the fake index answers each upload after a
//! delay (server-side work) and records when each request arrived, so the
//! tests can see overlap, the first wheel going alone, the sdist going last,
//! back-off after 429/503, and what a failure stops.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::fake_index::{FakeIndex, Received, Reply};
use crate::support::{Run, good, upload};

const WHEEL: &str = "mintup_hatch_demo-0.4.2-py3-none-any.whl";
const SDIST: &str = "mintup_hatch_demo-0.4.2.tar.gz";
const WORK: Duration = Duration::from_millis(400);

/// The release's sdist and `wheels` wheels (build tags 1…n), sdist first.
fn release(dir: &Path, wheels: usize) -> Vec<String> {
    let mut files = vec![good(SDIST)];
    for n in 1..=wheels {
        let path = dir.join(WHEEL.replace("-py3-", &format!("-{n}-py3-")));
        std::fs::copy(good(WHEEL), &path).unwrap();
        files.push(path.display().to_string());
    }
    files
}

fn send(index: &FakeIndex, extra: &[&str], files: &[String]) -> Run {
    let mut args = vec!["--no-verify", "--no-check-url"];
    args.extend_from_slice(extra);
    upload(&index.url, "alice", &args, files)
}

/// Uploads as received, in arrival order: (file name, request).
fn uploads(index: &FakeIndex) -> Vec<(String, Received)> {
    index
        .received()
        .into_iter()
        .filter(|r| r.method == "POST")
        .map(|r| (r.files[0].filename.clone(), r))
        .collect()
}

#[test]
fn files_overlap_after_the_first_wheel_alone_and_the_sdist_goes_last() {
    let dir = tempfile::tempdir().unwrap();
    let files = release(dir.path(), 6);
    let index = FakeIndex::start(|_| Reply::ok().after(WORK));
    let out = send(&index, &["--format", "json"], &files);
    assert_eq!(out.code, 0, "{}", out.stderr);

    let got = uploads(&index);
    assert_eq!(got.len(), 7);
    let (first, opener) = &got[0];
    assert!(first.ends_with(".whl"), "{first} went first");
    for (name, r) in &got[1..] {
        assert!(
            r.at >= opener.at + WORK,
            "{name} arrived before the first wheel was accepted"
        );
    }
    let (last, sdist) = got.last().unwrap();
    assert_eq!(last, SDIST, "the sdist goes last");
    let wheels = &got[1..got.len() - 1];
    for (name, r) in wheels {
        assert!(
            sdist.at >= r.at + WORK,
            "the sdist arrived before {name} was accepted"
        );
    }
    // The five other wheels were in flight together: one at a time, they
    // would have arrived at least 4 × WORK apart.
    let earliest = wheels.iter().map(|(_, r)| r.at).min().unwrap();
    let latest = wheels.iter().map(|(_, r)| r.at).max().unwrap();
    assert!(latest - earliest < 2 * WORK, "wheels went one at a time");

    // The report keeps the files' order: wheels, then the sdist.
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let names: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["filename"].as_str().unwrap())
        .collect();
    let mut expected: Vec<String> = (1..=6)
        .map(|n| WHEEL.replace("-py3-", &format!("-{n}-py3-")))
        .collect();
    expected.push(SDIST.to_owned());
    assert_eq!(names, expected);
    assert!(
        report["files"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["result"] == "uploaded")
    );
}

#[test]
fn jobs_1_sends_one_file_at_a_time_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let files = release(dir.path(), 3);
    let index = FakeIndex::start(|_| Reply::ok().after(Duration::from_millis(100)));
    let out = send(&index, &["--jobs", "1"], &files);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let got = uploads(&index);
    let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "mintup_hatch_demo-0.4.2-1-py3-none-any.whl",
            "mintup_hatch_demo-0.4.2-2-py3-none-any.whl",
            "mintup_hatch_demo-0.4.2-3-py3-none-any.whl",
            SDIST
        ]
    );
    for pair in got.windows(2) {
        assert!(pair[1].1.at >= pair[0].1.at + Duration::from_millis(100));
    }
}

/// Answers in arrival order: `script(n)` for the n-th upload (1-based).
fn scripted(script: impl Fn(usize) -> Reply + Send + 'static) -> FakeIndex {
    let count = Arc::new(Mutex::new(0));
    FakeIndex::start(move |_| {
        let mut n = count.lock().unwrap();
        *n += 1;
        script(*n)
    })
}

#[test]
fn an_overloaded_index_halves_the_files_in_flight() {
    // The opener, then four wheels at once; the first of them gets 503 and
    // fails (no retries): the limit drops from 4 to 2 with three still in
    // flight, so the next wheel waits for them instead of starting at once.
    let dir = tempfile::tempdir().unwrap();
    let files = release(dir.path(), 6);
    let index = scripted(|n| match n {
        2 => Reply::status(503, "overloaded"),
        _ => Reply::ok().after(WORK),
    });
    let out = send(
        &index,
        &["--jobs", "4", "--retries", "0", "--keep-going"],
        &files,
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    let got = uploads(&index);
    let refused = &got[1].1;
    let fifth = &got[5];
    assert!(
        fifth.1.at >= refused.at + WORK - Duration::from_millis(50),
        "{} started while the index was overloaded",
        fifth.0
    );
}

#[test]
fn retry_after_holds_every_new_start() {
    let dir = tempfile::tempdir().unwrap();
    let files = release(dir.path(), 4);
    let index = scripted(|n| match n {
        2 => Reply::status(429, "slow down").header("retry-after", "2"),
        _ => Reply::ok(),
    });
    let out = send(&index, &["--jobs", "2"], &files);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let got = uploads(&index);
    let limited = &got[1].1;
    for (name, r) in &got[3..] {
        assert!(
            r.at >= limited.at + Duration::from_millis(1900),
            "{name} started within the Retry-After"
        );
    }
}

#[test]
fn the_first_failure_stops_new_starts_and_in_flight_files_finish() {
    let dir = tempfile::tempdir().unwrap();
    let files = release(dir.path(), 6);
    let index = scripted(|n| match n {
        2 => Reply::status(400, "Invalid distribution"),
        _ => Reply::ok().after(WORK),
    });
    let out = send(&index, &["--jobs", "3"], &files);
    assert_eq!(out.code, 1, "{}", out.stderr);
    // The opener, then three at once: one refused, two finish.
    assert_eq!(uploads(&index).len(), 4);
    assert_eq!(out.results("uploaded"), 3, "{}", out.stdout);
    assert_eq!(out.results("failed"), 1, "{}", out.stdout);
    assert_eq!(out.results("not sent"), 3, "{}", out.stdout);
}

#[test]
fn keep_going_sends_every_file_it_can_and_lists_each_failure() {
    let dir = tempfile::tempdir().unwrap();
    let files = release(dir.path(), 4);
    let index = FakeIndex::start(|request| {
        let name = &request.files[0].filename;
        match name.contains("-2-") || name.contains("-4-") {
            true => Reply::status(400, "Invalid distribution"),
            false => Reply::ok(),
        }
    });
    let out = send(&index, &["--keep-going"], &files);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(uploads(&index).len(), 5, "every file was tried");
    assert_eq!(out.results("uploaded"), 3, "{}", out.stdout);
    assert_eq!(out.results("failed"), 2, "{}", out.stdout);
    out.stderr_has("2 of 5 files failed: mintup_hatch_demo-0.4.2-2-py3-none-any.whl, mintup_hatch_demo-0.4.2-4-py3-none-any.whl");
}

#[test]
fn a_retry_after_never_holds_a_run_with_nothing_left_to_start() {
    // A 503 asking for an hour: the file retries by its own backoff and
    // lands; nothing else waits, so the run ends at once.
    let index = scripted(|n| match n {
        1 => Reply::status(503, "busy").header("retry-after", "3600"),
        _ => Reply::ok(),
    });
    let started = std::time::Instant::now();
    let out = send(&index, &[], &[good(WHEEL)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the run waited out the Retry-After"
    );
}

#[test]
fn a_terminal_gets_a_bar_per_file_and_one_for_the_batch_with_whole_result_lines() {
    let dir = tempfile::tempdir().unwrap();
    let files = release(dir.path(), 6);
    let index = FakeIndex::start(|_| Reply::ok().after(WORK));
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let mut inner = vec![env!("CARGO_BIN_EXE_mintup").to_owned()];
    inner.extend(
        crate::support::upload_args(&index.url, "alice")
            .iter()
            .map(|a| (*a).to_owned()),
    );
    inner.extend(["--no-verify".into(), "--no-check-url".into()]);
    inner.extend(files.iter().cloned());
    let line: Vec<String> = inner.iter().map(|a| quote(a)).collect();
    // `script` gives mintup a terminal (a pty) and copies what it draws.
    let home = tempfile::tempdir().unwrap();
    let out = crate::support::run(
        std::process::Command::new("/usr/bin/script")
            .env_clear()
            .env("HOME", home.path())
            .env("TERM", "xterm")
            .env("SHELL", "/bin/sh")
            .args(["-qefc", &line.join(" "), "/dev/null"]),
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    // What the terminal showed, escapes and carriage returns taken out.
    let escape = regex::Regex::new(r"\x1b\[[0-9;?]*[A-Za-z]").unwrap();
    let screen = escape.replace_all(&out.stdout, "").replace('\r', "\n");
    assert!(screen.contains("/7 files"), "no batch bar:\n{screen}");
    assert!(
        screen
            .lines()
            .any(|l| l.starts_with("mintup_hatch_demo-0.4.2-") && l.contains(" B/")),
        "no file bar:\n{screen}"
    );
    let results = screen
        .lines()
        .filter(|l| l.starts_with("uploaded  mintup_hatch_demo-0.4.2"))
        .count();
    assert_eq!(results, 7, "result lines torn by the bars:\n{screen}");
}

#[test]
fn retries_after_a_429_wait_for_a_slot_under_the_halved_limit() {
    // The opener, then four wheels at once, each told 429 (one second):
    // the limit halves to two, so only two retries go at once; the other
    // two wait for them.
    let dir = tempfile::tempdir().unwrap();
    let files = release(dir.path(), 5);
    let index = scripted(|n| match n {
        2..=5 => Reply::status(429, "slow down").header("retry-after", "1"),
        _ => Reply::ok().after(WORK),
    });
    let out = send(&index, &["--jobs", "4"], &files);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let got = uploads(&index);
    let retries: Vec<_> = got[5..9].iter().map(|(_, r)| r.at).collect();
    assert!(
        retries[2] >= retries[0] + WORK - Duration::from_millis(50),
        "four retries went at once under a limit of two"
    );
}
