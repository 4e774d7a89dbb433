//! PyPI's 2026 upload rules (issue 14 §2), each through `mintup check` on a
//! file the test builds: platform tags, RECORD, Metadata 2.5, polyglots,
//! zip framing, entry points, sparse and corrupt sdists.

use std::io::Write;
use std::path::Path;

use crate::support::{Run, mintup, run};

fn check(files: &[String]) -> Run {
    let home = tempfile::tempdir().unwrap();
    run(mintup(home.path()).arg("check").args(files))
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

/// One member of a hand-built zip, stored, and how its local header lies.
#[derive(Clone, Default)]
struct Raw {
    name: String,
    data: Vec<u8>,
    /// An uncompressed size for the local header other than the real one.
    local_size: Option<u32>,
    local_flags: u16,
    comment: Vec<u8>,
}

fn raw(name: &str, data: &[u8]) -> Raw {
    Raw {
        name: name.into(),
        data: data.into(),
        ..Raw::default()
    }
}

/// A stored zip written record by record, so that its local headers and
/// central directory can disagree; with `extensible`, a ZIP64 end record
/// carrying 4 bytes of extensible data.
fn raw_zip(members: &[Raw], extensible: bool) -> Vec<u8> {
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for m in members {
        let offset = out.len() as u32;
        let mut crc = flate2::Crc::new();
        crc.update(&m.data);
        let size = m.data.len() as u32;
        let name = m.name.as_bytes();
        // version, flags, method, time, date
        let common = |flags: u16| {
            [20u16, flags, 0, 0, 0x21]
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect::<Vec<u8>>()
        };
        out.extend(b"PK\x03\x04");
        out.extend(common(m.local_flags));
        for v in [crc.sum(), size, m.local_size.unwrap_or(size)] {
            out.extend(v.to_le_bytes());
        }
        out.extend((name.len() as u16).to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out.extend(name);
        out.extend(&m.data);
        central.extend(b"PK\x01\x02\x14\x03");
        central.extend(common(0));
        for v in [crc.sum(), size, size] {
            central.extend(v.to_le_bytes());
        }
        for v in [name.len() as u16, 0, m.comment.len() as u16, 0, 0] {
            central.extend(v.to_le_bytes());
        }
        central.extend((0o100644u32 << 16).to_le_bytes());
        central.extend(offset.to_le_bytes());
        central.extend(name);
        central.extend(&m.comment);
    }
    let (cd_offset, cd_size, entries) = (out.len(), central.len(), members.len());
    out.extend(central);
    if extensible {
        let at = out.len() as u64;
        out.extend(b"PK\x06\x06");
        out.extend(48u64.to_le_bytes());
        out.extend([45u8, 3, 45, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        for v in [
            entries as u64,
            entries as u64,
            cd_size as u64,
            cd_offset as u64,
        ] {
            out.extend(v.to_le_bytes());
        }
        out.extend(b"ext!");
        out.extend(b"PK\x06\x07\0\0\0\0");
        out.extend(at.to_le_bytes());
        out.extend(1u32.to_le_bytes());
    }
    out.extend(b"PK\x05\x06\0\0\0\0");
    for v in [entries as u16, entries as u16] {
        out.extend(v.to_le_bytes());
    }
    out.extend((cd_size as u32).to_le_bytes());
    out.extend((cd_offset as u32).to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// The members of wheel `x` 1.0 with this METADATA and these files, and a
/// RECORD that lists them all truthfully.
fn wheel_members(metadata: &str, files: &[(&str, &[u8])]) -> Vec<Raw> {
    use base64::Engine as _;
    use sha2::Digest as _;
    let mut members: Vec<Raw> = [("x/__init__.py", &b"a = 1\n"[..])]
        .iter()
        .chain(files)
        .map(|(name, data)| raw(name, data))
        .collect();
    members.push(raw("x-1.0.dist-info/METADATA", metadata.as_bytes()));
    members.push(raw(
        "x-1.0.dist-info/WHEEL",
        b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    ));
    let mut record = String::new();
    for m in &members {
        let hash =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(&m.data));
        record.push_str(&format!("{},sha256={hash},{}\n", m.name, m.data.len()));
    }
    record.push_str("x-1.0.dist-info/RECORD,,\n");
    members.push(raw("x-1.0.dist-info/RECORD", record.as_bytes()));
    members
}

const METADATA: &str = "Metadata-Version: 2.1\nName: x\nVersion: 1.0\n";

fn plain_wheel(dir: &Path, filename: &str) -> String {
    write(
        dir,
        filename,
        &raw_zip(&wheel_members(METADATA, &[]), false),
    )
}

#[test]
fn macos_11_and_later_take_only_0_minors() {
    let dir = tempfile::tempdir().unwrap();
    let tag = |tag: &str| plain_wheel(dir.path(), &format!("x-1.0-cp312-cp312-{tag}.whl"));
    let out = check(&[
        tag("macosx_11_1_arm64"),
        tag("macosx_11_0_arm64"),
        tag("macosx_26_0_universal2"),
        tag("macosx_10_13_x86_64"),
    ]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    out.stdout_has(
        "FAILED  x-1.0-cp312-cp312-macosx_11_1_arm64.whl\n    error: platform-tag: Binary wheel \
         'x-1.0-cp312-cp312-macosx_11_1_arm64.whl' has an unsupported platform tag \
         'macosx_11_1_arm64'",
    )
    .stdout_has("PASSED  x-1.0-cp312-cp312-macosx_11_0_arm64.whl\n")
    .stdout_has("PASSED  x-1.0-cp312-cp312-macosx_26_0_universal2.whl\n")
    .stdout_has("PASSED  x-1.0-cp312-cp312-macosx_10_13_x86_64.whl\n");
}

#[test]
fn pyemscripten_ios_and_android_tags_are_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let tag = |tag: &str| plain_wheel(dir.path(), &format!("x-1.0-cp313-cp313-{tag}.whl"));
    let out = check(&[
        tag("pyemscripten_2026_0_wasm32"),
        tag("ios_13_0_arm64_iphoneos"),
        tag("ios_13_0_x86_64_iphonesimulator"),
        tag("android_24_arm64_v8a"),
        tag("emscripten_4_0_9_wasm32"),
    ]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    for passing in [
        "pyemscripten_2026_0_wasm32",
        "ios_13_0_arm64_iphoneos",
        "ios_13_0_x86_64_iphonesimulator",
        "android_24_arm64_v8a",
    ] {
        out.stdout_has(&format!("PASSED  x-1.0-cp313-cp313-{passing}.whl\n"));
    }
    out.stdout_has("unsupported platform tag 'emscripten_4_0_9_wasm32'");
}

#[test]
fn a_wheel_without_record_is_refused_and_a_mismatched_one_warns() {
    let dir = tempfile::tempdir().unwrap();
    let without: Vec<Raw> = wheel_members(METADATA, &[])
        .into_iter()
        .filter(|m| !m.name.ends_with("/RECORD"))
        .collect();
    let out = check(&[write(
        dir.path(),
        "x-1.0-py3-none-any.whl",
        &raw_zip(&without, false),
    )]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    out.stdout_has(
        "error: wheel-contents: Wheel 'x-1.0-py3-none-any.whl' does not contain the required \
         RECORD file: x-1.0.dist-info/RECORD",
    );

    let mut latin1 = wheel_members(METADATA, &[]);
    latin1.last_mut().unwrap().data.extend(b"x/caf\xe9.py,,\n");
    let out = check(&[write(
        dir.path(),
        "x-1.0-py3-none-any.whl",
        &raw_zip(&latin1, false),
    )]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    out.stdout_has("error: record: RECORD is not UTF-8");

    let mut unlisted = wheel_members(METADATA, &[]);
    unlisted.push(raw("x/late.py", b"b = 2\n"));
    let out = check(&[write(
        dir.path(),
        "x-1.0-py3-none-any.whl",
        &raw_zip(&unlisted, false),
    )]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    out.stdout_has("WARNED  x-1.0-py3-none-any.whl\n    warning: record: x/late.py is in the wheel but not in RECORD");
}

#[test]
fn metadata_2_5_import_names_are_accepted_and_judged() {
    let dir = tempfile::tempdir().unwrap();
    let wheel = |metadata: &str| {
        let members = wheel_members(&format!("Name: x\nVersion: 1.0\n{metadata}"), &[]);
        vec![write(
            dir.path(),
            "x-1.0-py3-none-any.whl",
            &raw_zip(&members, false),
        )]
    };
    let out = check(&wheel(
        "Metadata-Version: 2.5\nImport-Name: x\nImport-Name: x._impl; private\n\
         Import-Namespace: x_plugins\n",
    ));
    assert_eq!(out.code, 0, "{}", out.stdout);
    out.stdout_has("PASSED");
    let out = check(&wheel(
        "Metadata-Version: 2.5\nDynamic: Import-Name\nDynamic: Import-Namespace\n",
    ));
    assert_eq!(out.code, 0, "{}", out.stdout);
    let out = check(&wheel("Metadata-Version: 2.4\nImport-Name: x\n"));
    assert_eq!(out.code, 1, "{}", out.stdout);
    out.stdout_has("error: field-version: Import-Name needs Metadata-Version 2.5 or later");
    let out = check(&wheel("Metadata-Version: 2.5\nImport-Name: my-pkg\n"));
    assert_eq!(out.code, 1, "{}", out.stdout);
    out.stdout_has(
        "error: import-name: 'my-pkg' is invalid for 'import-name'; 'my-pkg' is not a valid \
         identifier",
    );
}

/// A gzipped tar holding `x-1.0/PKG-INFO` and these members, each built
/// by the closure from a fresh GNU header.
fn sdist(
    members: &[(&str, &[u8])],
    extra: impl FnOnce(&mut tar::Builder<&mut Vec<u8>>),
) -> Vec<u8> {
    let mut tar_bytes = Vec::new();
    {
        let mut tar = tar::Builder::new(&mut tar_bytes);
        for (name, data) in [("x-1.0/PKG-INFO", METADATA.as_bytes())]
            .iter()
            .chain(members)
        {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            tar.append_data(&mut header, name, *data).unwrap();
        }
        extra(&mut tar);
        tar.finish().unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar_bytes).unwrap();
    gz.finish().unwrap()
}

#[test]
fn a_file_that_is_both_zip_and_tar_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    // A zip appended to an sdist: tar readers stop before it, zip readers
    // start from it.
    let mut polyglot = sdist(&[], |_| {});
    polyglot.extend(raw_zip(&[raw("x-1.0/setup.py", b"evil()\n")], false));
    let sdist_path = write(dir.path(), "x-1.0.tar.gz", &polyglot);
    // A tar header before a wheel.
    let mut header = tar::Header::new_ustar();
    header.set_path("x/__init__.py").unwrap();
    header.set_size(0);
    header.set_cksum();
    let mut wheel = header.as_bytes().to_vec();
    wheel.extend(raw_zip(&wheel_members(METADATA, &[]), false));
    let wheel_path = write(dir.path(), "x-1.0-py3-none-any.whl", &wheel);
    let out = check(&[sdist_path, wheel_path]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    out.stdout_has(
        "FAILED  x-1.0.tar.gz\n    error: polyglot: File is both a zip and a tar file: a tar \
         header starts it and a zip directory ends it",
    )
    .stdout_has(
        "FAILED  x-1.0-py3-none-any.whl\n    error: polyglot: File is both a zip and a tar file",
    );
    // The sdist alone, before the zip was appended, passes.
    let out = check(&[write(dir.path(), "x-1.0.tar.gz", &sdist(&[], |_| {}))]);
    assert_eq!(out.code, 0, "{}", out.stdout);
}

/// What a test does to a wheel's members before they are zipped.
type Fault = dyn Fn(&mut Vec<Raw>);

#[test]
fn zips_whose_records_disagree_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let faulty = |fault: &Fault, extensible: bool| {
        let mut members = wheel_members(METADATA, &[]);
        fault(&mut members);
        write(
            dir.path(),
            "x-1.0-py3-none-any.whl",
            &raw_zip(&members, extensible),
        )
    };
    let cases: [(&Fault, bool, &str); 5] = [
        (
            &|m| m[0].local_size = Some(99),
            false,
            "Mis-matched file size (at byte 0, x/__init__.py)",
        ),
        (
            &|m| m[0].local_flags = 0x08,
            false,
            "ZIP contains a data descriptor (at byte 0, x/__init__.py)",
        ),
        (
            &|m| m[1].comment = b"hi".to_vec(),
            false,
            "Comment in central directory (at byte 630)",
        ),
        (
            &|m| m.insert(1, m[0].clone()),
            false,
            "Duplicate filename in local headers (at byte 49, x/__init__.py)",
        ),
        (
            &|_| {},
            true,
            "ZIP64 extensible data not allowed (at byte 835)",
        ),
    ];
    for (fault, extensible, message) in cases {
        let out = check(&[faulty(fault, extensible)]);
        assert_eq!(out.code, 1, "{}", out.stdout);
        out.stdout_has(&format!(
            "error: zip-framing: ZIP archive not accepted: {message}; rebuild it with a standard \
             build backend; see https://docs.pypi.org/archives"
        ));
    }
    let out = check(&[faulty(&|_| {}, false)]);
    assert_eq!(
        out.code, 0,
        "a sound hand-built wheel passes: {}",
        out.stdout
    );
}

#[test]
fn entry_points_must_be_ini_with_plain_script_names() {
    let dir = tempfile::tempdir().unwrap();
    let wheel = |text: &[u8]| {
        let members = wheel_members(METADATA, &[("x-1.0.dist-info/entry_points.txt", text)]);
        vec![write(
            dir.path(),
            "x-1.0-py3-none-any.whl",
            &raw_zip(&members, false),
        )]
    };
    let out = check(&wheel(
        b"[console_scripts]\nx = x:main\n\n[x.plugins]\nany name = x:p\n",
    ));
    assert_eq!(out.code, 0, "{}", out.stdout);
    let refused = "error: entry-points: Wheel 'x-1.0-py3-none-any.whl' has invalid entry points \
                   defined in the entry_points.txt file: ";
    for (text, reason) in [
        (
            &b"[console_scripts]\n../bin/x = x:main\n"[..],
            "Invalid entry point name '../bin/x' in 'console_scripts'",
        ),
        (
            b"[gui_scripts]\nx: x:main\n",
            "line 2: 'x: x:main' is not `name = value`",
        ),
        (b"x = x:main\n", "line 1: File contains no section headers"),
        (
            b"[console_scripts]\nx = caf\xe9:main\n",
            "entry_points.txt is not decodable as UTF-8",
        ),
    ] {
        let out = check(&wheel(text));
        assert_eq!(out.code, 1, "{}", out.stdout);
        out.stdout_has(&format!("{refused}{reason}"));
    }
}

#[test]
fn sparse_sdist_members_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    // GNU's sparse format 1.0 keeps its map in pax records; old GNU sparse
    // members have a type of their own.
    let pax = sdist(&[], |tar| {
        tar.append_pax_extensions([
            ("GNU.sparse.major", &b"1"[..]),
            ("GNU.sparse.minor", b"0"),
            ("GNU.sparse.name", b"x-1.0/data.bin"),
            ("GNU.sparse.realsize", b"4"),
        ])
        .unwrap();
        let mut header = tar::Header::new_gnu();
        header.set_size(512);
        let mut map = b"1\n0\n4\n".to_vec();
        map.resize(508, 0);
        map.extend(b"data");
        tar.append_data(&mut header, "x-1.0/GNUSparseFile.0/data.bin", &map[..])
            .unwrap();
    });
    let gnu = sdist(&[], |tar| {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::GNUSparse);
        header.set_size(4);
        let gnu = header.as_gnu_mut().unwrap();
        gnu.sparse[0].offset = *b"00000000000\0";
        gnu.sparse[0].numbytes = *b"00000000004\0";
        gnu.realsize = *b"00000000004\0";
        tar.append_data(&mut header, "x-1.0/old.bin", &b"data"[..])
            .unwrap();
    });
    for (bytes, member) in [
        (pax, "x-1.0/GNUSparseFile.0/data.bin"),
        (gnu, "x-1.0/old.bin"),
    ] {
        let out = check(&[write(dir.path(), "x-1.0.tar.gz", &bytes)]);
        assert_eq!(out.code, 1, "{}", out.stdout);
        out.stdout_has(&format!(
            "FAILED  x-1.0.tar.gz\n    error: tar-sparse: tar archive not accepted: Sparse members \
             are not allowed ({member}); rebuild the sdist with `python -m build --sdist`, not \
             `tar --sparse`; see https://docs.pypi.org/archives"
        ));
    }
}

#[test]
fn a_corrupt_deflate_stream_is_an_invalid_tar() {
    let dir = tempfile::tempdir().unwrap();
    // PKG-INFO, then 256 KiB that do not compress, flushed to a byte
    // boundary, then a deflate block of the reserved type: PyPI's zlib
    // fails there (`zlib.error`), long after the metadata was found.
    let noise = crate::support::noise(256 * 1024, 0x2545_f491_4f6c_dd1d);
    let mut tar_bytes = Vec::new();
    for (name, data) in [
        ("x-1.0/PKG-INFO", METADATA.as_bytes()),
        ("x-1.0/data.bin", &noise),
    ] {
        let mut header = tar::Header::new_gnu();
        header.set_path(name).unwrap();
        header.set_size(data.len() as u64);
        header.set_cksum();
        tar_bytes.extend(header.as_bytes());
        tar_bytes.extend(data);
        tar_bytes.resize(tar_bytes.len().next_multiple_of(512), 0);
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar_bytes).unwrap();
    gz.flush().unwrap();
    let mut bytes = gz.get_ref().clone();
    bytes.extend([0x07, 0xff, 0xff, 0xff]);
    let out = check(&[write(dir.path(), "x-1.0.tar.gz", &bytes)]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    out.stdout_has("FAILED  x-1.0.tar.gz\n")
        .stdout_has(
            "caused by: it is not a valid gzip-compressed tar archive (truncated or corrupt)",
        )
        .stdout_has("caused by: corrupt deflate stream");
}

#[test]
fn a_charset_other_than_utf8_in_capitals_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let wheel = |kind: &str| {
        let metadata = format!(
            "Metadata-Version: 2.1\nName: x\nVersion: 1.0\nDescription-Content-Type: {kind}\n\nText\n"
        );
        let members = wheel_members(&metadata, &[]);
        vec![write(
            dir.path(),
            "x-1.0-py3-none-any.whl",
            &raw_zip(&members, false),
        )]
    };
    let out = check(&wheel("text/markdown; charset=UTF-8"));
    assert_eq!(out.code, 0, "{}", out.stdout);
    for (kind, said) in [
        ("text/markdown; charset=latin-1", "not 'latin-1'"),
        (
            "text/markdown; charset=utf-8",
            "not 'utf-8' (PyPI takes only this spelling, in capitals)",
        ),
    ] {
        let out = check(&wheel(kind));
        assert_eq!(out.code, 1, "{kind}: {}", out.stdout);
        out.stdout_has(&format!(
            "error: description-content-type: Description-Content-Type can only specify the \
             UTF-8 charset, {said}"
        ));
    }
}
