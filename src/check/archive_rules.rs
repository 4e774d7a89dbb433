//! Rules on what is inside the archive: the wheel's required files,
//! compression methods and bombs, the sdist's single top directory, license
//! files where PyPI looks for them, and the default size limit.

use super::{FileFacts, Problem, Target};
use crate::dist::DistKind;
use crate::dist::archive::Compression;
use crate::dist::size::human_size;

/// PyPI's default per-file limit.
const SIZE_LIMIT: u64 = 100 * 1024 * 1024;
/// Warehouse's bomb rule: more than this when extracted …
const BOMB_SIZE: u64 = 64 * 1024 * 1024;
/// … at more than this ratio.
const BOMB_RATIO: u64 = 50;

pub(super) fn check(file: &FileFacts, target: Target) -> Vec<Problem> {
    let mut problems = Vec::new();
    let name = &file.filename;
    match name.kind {
        DistKind::Wheel => {
            let dist_info = format!("{}-{}.dist-info", name.name, name.version_text);
            for required in ["WHEEL", "METADATA", "RECORD"] {
                let path = format!("{dist_info}/{required}");
                if !file.members.iter().any(|m| m.name == path) {
                    // Warehouse's words, which differ by file.
                    let message = match required {
                        "WHEEL" => format!("WHEEL not found at {path}"),
                        _ => format!(
                            "Wheel '{}' does not contain the required {required} file: {path}",
                            name.filename
                        ),
                    };
                    problems.push(target.pypi_rule(
                        "wheel-contents",
                        message,
                        "rebuild the wheel with a standard build backend",
                    ));
                }
            }
            for license in file.metadata.license_files.iter().filter(|_| modern(file)) {
                let path = format!("{dist_info}/licenses/{license}");
                if !file.members.iter().any(|m| m.name == path) {
                    problems.push(target.pypi_rule(
                        "license-file",
                        format!("License-File {license} is not in the wheel at {path}"),
                        "rebuild; the backend copies license files there",
                    ));
                }
            }
        }
        DistKind::SdistTarGz | DistKind::SdistZip => {
            let mut tops: Vec<&str> = file
                .members
                .iter()
                .filter_map(|m| m.name.split('/').next())
                .filter(|top| !top.is_empty())
                .collect();
            tops.sort_unstable();
            tops.dedup();
            if tops.len() != 1 {
                problems.push(target.pypi_rule(
                    "sdist-layout",
                    format!(
                        "an sdist has exactly one top-level directory; this one has {}: {}",
                        tops.len(),
                        tops.join(", ")
                    ),
                    "rebuild the sdist with `python -m build --sdist`",
                ));
            } else {
                for license in file.metadata.license_files.iter().filter(|_| modern(file)) {
                    let path = format!("{}/{license}", tops[0]);
                    if !file.members.iter().any(|m| m.name == path) {
                        problems.push(target.pypi_rule(
                            "license-file",
                            format!("License-File {license} is not in the sdist at {path}"),
                            "include the license file in the sdist",
                        ));
                    }
                }
            }
        }
    }
    for member in &file.members {
        if let Compression::Other(method) = &member.compression {
            problems.push(target.pypi_rule(
                "zip-compression",
                format!(
                    "{} uses {method} compression; PyPI takes only stored and deflate",
                    member.name
                ),
                "rebuild with a standard build backend",
            ));
        }
    }
    if is_bomb(file) {
        let unpacked = unpacked_size(file);
        problems.push(target.pypi_rule(
            "compression-ratio",
            format!(
                "the archive unpacks to {} from {} (more than {BOMB_RATIO} times), which PyPI treats as a zip bomb",
                human_size(unpacked),
                human_size(file.size)
            ),
            "store highly compressible data differently, or ship it outside the wheel",
        ));
    }
    if file.size > SIZE_LIMIT && target.0.is_pypi_like() {
        problems.push(Problem::warning(
            "size",
            format!(
                "{} is over PyPI's default limit of 100 MiB per file",
                human_size(file.size)
            ),
            "ask for a larger limit at https://pypi.org/help/#file-size-limit before uploading",
        ));
    }
    problems
}

/// What a zip unpacks to (tar sdists are not judged by ratio). The sizes are
/// the archive's own claims: a plain sum of zip64 sizes wraps around (or
/// panics) and would let a bomb pass as small, so it saturates.
fn unpacked_size(file: &FileFacts) -> u64 {
    file.members
        .iter()
        .filter(|m| m.compression != Compression::Tar)
        .fold(0u64, |total, m| total.saturating_add(m.size))
}

/// Warehouse's bomb rule: the unpacked size over the whole file's size.
pub(super) fn is_bomb(file: &FileFacts) -> bool {
    let unpacked = unpacked_size(file);
    unpacked > BOMB_SIZE && unpacked > file.size.saturating_mul(BOMB_RATIO)
}

/// License files are published only from Metadata-Version 2.4 on.
fn modern(file: &FileFacts) -> bool {
    file.metadata
        .metadata_version
        .split_once('.')
        .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)))
        .is_some_and(|v| v >= (2, 4))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::archive::Member;
    use crate::dist::{DistFilename, Metadata};
    use crate::index::IndexKind;

    fn member(name: &str, compression: Compression, size: u64, compressed: u64) -> Member {
        Member {
            name: name.into(),
            compression,
            size,
            compressed,
            is_file: true,
            sparse: false,
        }
    }

    fn facts(filename: &str, members: Vec<Member>, license_files: &[&str]) -> FileFacts {
        FileFacts {
            filename: DistFilename::parse(filename).unwrap(),
            size: 10,
            metadata: Metadata {
                metadata_version: "2.4".into(),
                name: "x".into(),
                version: "1.0".into(),
                license_files: license_files.iter().map(|s| s.to_string()).collect(),
                ..Metadata::default()
            },
            members,
            record: None,
            entry_points: None,
            framing: Default::default(),
            record_mismatches: None,
            record_hash_error: None,
        }
    }

    fn messages(f: &FileFacts) -> Vec<String> {
        check(f, Target(IndexKind::Pypi))
            .into_iter()
            .map(|p| p.message)
            .collect()
    }

    #[test]
    fn wheel_needs_its_three_files_and_licenses() {
        let members = vec![
            member("x-1.0.dist-info/METADATA", Compression::Deflated, 10, 5),
            member("x-1.0.dist-info/WHEEL", Compression::Deflated, 10, 5),
        ];
        assert_eq!(
            messages(&facts("x-1.0-py3-none-any.whl", members, &["LICENSE"])),
            [
                "Wheel 'x-1.0-py3-none-any.whl' does not contain the required RECORD file: x-1.0.dist-info/RECORD",
                "License-File LICENSE is not in the wheel at x-1.0.dist-info/licenses/LICENSE",
            ]
        );
    }

    #[test]
    fn dist_info_is_named_with_the_file_name_s_own_spelling() {
        let members = ["METADATA", "WHEEL", "RECORD"]
            .map(|f| {
                member(
                    &format!("x-1.0RC1.dist-info/{f}"),
                    Compression::Deflated,
                    1,
                    1,
                )
            })
            .to_vec();
        assert!(messages(&facts("x-1.0RC1-py3-none-any.whl", members, &[])).is_empty());
    }

    #[test]
    fn compression_methods_and_bombs() {
        let members = vec![
            member(
                "x-1.0.dist-info/METADATA",
                Compression::Other("Bzip2".into()),
                10,
                5,
            ),
            member("x-1.0.dist-info/WHEEL", Compression::Stored, 10, 10),
            member(
                "x-1.0.dist-info/RECORD",
                Compression::Deflated,
                100 * 1024 * 1024,
                1024 * 1024,
            ),
        ];
        let mut bomb = facts("x-1.0-py3-none-any.whl", members, &[]);
        // The whole file's size counts, as Warehouse divides by it.
        bomb.size = 1024 * 1024;
        assert_eq!(
            messages(&bomb),
            [
                "x-1.0.dist-info/METADATA uses Bzip2 compression; PyPI takes only stored and deflate",
                "the archive unpacks to 100.0 MiB from 1.0 MiB (more than 50 times), which PyPI treats as a zip bomb",
            ]
        );
        bomb.size = 3 * 1024 * 1024;
        assert_eq!(messages(&bomb).len(), 1, "a ratio of 33 is no bomb");
    }

    #[test]
    fn declared_sizes_that_overflow_still_make_a_bomb() {
        let half = u64::MAX / 2 + 1;
        // Two halves wrap to 0 in a plain sum.
        let members = [("METADATA", half), ("WHEEL", half), ("RECORD", 0)]
            .map(|(f, size)| {
                member(
                    &format!("x-1.0.dist-info/{f}"),
                    Compression::Deflated,
                    size,
                    1,
                )
            })
            .to_vec();
        let file = facts("x-1.0-py3-none-any.whl", members, &[]);
        assert!(is_bomb(&file));
        assert_eq!(unpacked_size(&file), u64::MAX);
    }

    #[test]
    fn sdists_have_one_top_directory() {
        let members = vec![
            member("x-1.0/PKG-INFO", Compression::Tar, 10, 10),
            member("other/PKG-INFO", Compression::Tar, 10, 10),
        ];
        assert_eq!(
            messages(&facts("x-1.0.tar.gz", members, &[])),
            ["an sdist has exactly one top-level directory; this one has 2: other, x-1.0"]
        );
        let members = vec![member("x-1.0/PKG-INFO", Compression::Tar, 10, 10)];
        assert_eq!(
            messages(&facts("x-1.0.tar.gz", members, &["LICENSE"])),
            ["License-File LICENSE is not in the sdist at x-1.0/LICENSE"]
        );
    }

    #[test]
    fn big_files_get_a_warning_for_pypi_only() {
        let mut f = facts(
            "x-1.0.tar.gz",
            vec![member("x-1.0/PKG-INFO", Compression::Tar, 1, 1)],
            &[],
        );
        f.size = 101 * 1024 * 1024;
        assert_eq!(
            messages(&f),
            ["101.0 MiB is over PyPI's default limit of 100 MiB per file"]
        );
        assert!(check(&f, Target(IndexKind::Other)).is_empty());
    }
}
