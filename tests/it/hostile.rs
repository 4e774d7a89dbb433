//! Hostile input: archives, descriptions and peers built to exhaust memory
//! or time are refused with one precise message, within a bounded cost.

use std::io::Write;
use std::path::Path;

use crate::support::fake_index::Reply;
use crate::support::oidc::{self, github_claims, github_endpoint, github_env, jwt};
use crate::support::{Run, mintup, run};

fn check(file: &str) -> Run {
    let home = tempfile::tempdir().unwrap();
    run(mintup(home.path()).arg("check").arg(file))
}

/// A wheel of project `x` 1.0 whose METADATA has this description.
fn wheel_describing(dir: &Path, description: &str) -> String {
    let path = dir.join("x-1.0-py3-none-any.whl");
    let metadata = format!(
        "Metadata-Version: 2.1\nName: x\nVersion: 1.0\nDescription-Content-Type: text/x-rst\n\n{description}"
    );
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for (name, bytes) in [
        ("x/__init__.py", &b"a = 1\n"[..]),
        ("x-1.0.dist-info/METADATA", metadata.as_bytes()),
        (
            "x-1.0.dist-info/WHEEL",
            b"Wheel-Version: 1.0\nTag: py3-none-any\n",
        ),
        ("x-1.0.dist-info/RECORD", b""),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    path.display().to_string()
}

#[test]
fn deeply_nested_rst_is_refused_not_recursed_into() {
    let dir = tempfile::tempdir().unwrap();
    // docutils itself dies of Python's recursion limit at about 160 levels.
    let quotes: String = (0..500)
        .map(|k| format!("{}q{k}\n\n", " ".repeat(k)))
        .collect();
    let out = check(&wheel_describing(dir.path(), &quotes));
    assert_eq!(out.code, 1, "{}", out.stdout);
    out.stdout_has(
        "error: description: the reStructuredText description does not render on PyPI: \
         line 203: Content nested more than 100 levels deep; docutils fails on such text \
         (maximum recursion depth exceeded). (SEVERE)",
    );
}

/// A 10 KB wheel whose description is 15 million empty lines once unpacked
/// used to cost a gigabyte and twenty seconds to split into lines: it is now
/// counted first, and not judged.
#[test]
fn a_description_of_millions_of_lines_is_not_split() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("Title\n=====\n\n{}text\n", "\n".repeat(15 << 20));
    let out = check(&wheel_describing(dir.path(), &text));
    assert_eq!(out.code, 0, "{}", out.stdout);
    out.stdout_has("WARNED").stdout_has(
        "the description was not judged as reStructuredText: it has 15728644 lines, more than \
         the 200000 mintup judges",
    );
}

/// An sdist whose second member has a GNU long name of `long_name` bytes:
/// the tar crate reads such names whole, and zeros compress a thousandfold.
fn sdist_with_long_name(dir: &Path, long_name: u64) -> String {
    let path = dir.join("x-1.0.tar.gz");
    let file = std::fs::File::create(&path).unwrap();
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::best());
    {
        let mut tar = tar::Builder::new(&mut gz);
        let mut append =
            |kind: tar::EntryType, path: &str, size: u64, data: &mut dyn std::io::Read| {
                let mut header = tar::Header::new_gnu();
                header.set_entry_type(kind);
                header.set_size(size);
                tar.append_data(&mut header, path, data).unwrap();
            };
        let pkg_info = b"Metadata-Version: 2.1\nName: x\nVersion: 1.0\n";
        append(
            tar::EntryType::Regular,
            "x-1.0/PKG-INFO",
            pkg_info.len() as u64,
            &mut &pkg_info[..],
        );
        let mut name = std::io::Read::take(std::io::repeat(b'a'), long_name);
        append(
            tar::EntryType::GNULongName,
            "././@LongLink",
            long_name,
            &mut name,
        );
        append(
            tar::EntryType::Regular,
            "x-1.0/setup.py",
            0,
            &mut std::io::empty(),
        );
        tar.finish().unwrap();
    }
    gz.finish().unwrap();
    path.display().to_string()
}

#[test]
fn a_tar_long_name_bomb_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let sdist = sdist_with_long_name(dir.path(), 64 << 20);
    assert!(std::fs::metadata(&sdist).unwrap().len() < 1 << 20);
    let out = check(&sdist);
    assert_eq!(out.code, 1, "{}", out.stdout);
    out.stdout_has("FAILED  x-1.0.tar.gz\n")
        .stdout_has("x-1.0.tar.gz: cannot read its metadata")
        .stdout_has(
            "caused by: a member's headers (long names, pax records) take more than 1 MiB, \
             more than any real distribution (stopped at the headers after member \
             x-1.0/PKG-INFO)",
        );
}

#[test]
fn an_answer_larger_than_any_real_one_is_refused() {
    let claims = github_claims("testindex");
    let github = github_endpoint(claims.clone());
    let home = tempfile::tempdir().unwrap();
    // Valid JSON after 2 MiB of blanks: read whole, it would be taken.
    let huge = format!("{}{{\"audience\": \"testindex\"}}", " ".repeat(2 << 20));
    let index = oidc::index(
        Reply::status(200, &huge).header("content-type", "application/json"),
        jwt(&claims),
    );
    let out = run(mintup(home.path())
        .envs(github_env(&github, home.path()))
        .args(["mint", "--repository-url", &index.url]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    out.stderr_has(&format!(
        "caused by: {}/_/oidc/audience answered with more than 1024 KiB, more than any \
         answer mintup expects",
        index.base()
    ));
}
