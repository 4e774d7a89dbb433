//! Rules on file names: the name and version agree with the metadata, and on
//! PyPI names are normalized (PEP 625 sdists, normalized wheel names) and
//! platform tags are ones PyPI accepts.

use std::str::FromStr;

use std::sync::LazyLock;

use pep440_rs::Version;
use regex::Regex;

use super::{FileFacts, Problem, Target};
use crate::dist::DistKind;
use crate::dist::filename::normalize_name;

const REBUILD: &str = "rebuild with a current build backend (`python -m build`)";

pub(super) fn check(file: &FileFacts, target: Target) -> Vec<Problem> {
    let mut problems = Vec::new();
    let name = &file.filename;
    let meta = &file.metadata;
    if normalize_name(&name.name) != normalize_name(&meta.name) {
        problems.push(Problem::error(
            "filename",
            format!(
                "the file name says project '{}' but the metadata says '{}'",
                name.name, meta.name
            ),
            "the file was renamed or built wrongly: rebuild it",
        ));
    }
    match Version::from_str(meta.version.trim()) {
        Ok(version) if version != name.version => problems.push(Problem::error(
            "filename",
            format!(
                "the file name says version {} but the metadata says {}",
                name.version, meta.version
            ),
            "the file was renamed or built wrongly: rebuild it",
        )),
        _ => {}
    }
    // Warehouse wants the literal name part to be the normalized name with
    // `_` for `-` (wheels since Oct 2025, sdists by PEP 625).
    let expected_name = normalize_name(&meta.name).replace('-', "_");
    match name.kind {
        DistKind::Wheel if name.name != expected_name => problems.push(target.pypi_rule(
            "filename",
            format!(
                "the file name should start with the normalized project name '{expected_name}', not '{}'",
                name.name
            ),
            REBUILD,
        )),
        DistKind::SdistZip => problems.push(target.pypi_rule(
            "filename",
            "a .zip sdist: PyPI accepts only .tar.gz source distributions (PEP 625)",
            "rebuild the sdist with `python -m build --sdist`",
        )),
        DistKind::SdistTarGz => {
            // Warehouse builds the name from the metadata's version, normalized.
            let version = Version::from_str(meta.version.trim()).map_or_else(|_| meta.version.clone(), |v| v.to_string());
            let expected = format!("{expected_name}-{version}.tar.gz");
            if name.filename != expected {
                problems.push(target.pypi_rule(
                    "filename",
                    format!("an sdist must be named exactly {expected} (PEP 625)"),
                    REBUILD,
                ));
            }
        }
        DistKind::Wheel => {}
    }
    if let Some(tags) = &name.wheel_tags {
        for platform in tags.platform.split('.') {
            if !platform_allowed(platform) {
                problems.push(target.pypi_rule(
                    "platform-tag",
                    format!(
                        "Binary wheel '{}' has an unsupported platform tag '{platform}'",
                        name.filename
                    ),
                    "build Linux wheels as manylinux or musllinux (auditwheel repair, cibuildwheel)",
                ));
            }
        }
    }
    problems
}

/// Platform tags PyPI lists one by one.
const LISTED_PLATFORMS: &[&str] = &[
    "any",
    "win32",
    "win_arm64",
    "win_amd64",
    "win_ia64",
    "manylinux1_x86_64",
    "manylinux1_i686",
    "manylinux2010_x86_64",
    "manylinux2010_i686",
    "manylinux2014_x86_64",
    "manylinux2014_i686",
    "manylinux2014_aarch64",
    "manylinux2014_armv7l",
    "manylinux2014_ppc64",
    "manylinux2014_ppc64le",
    "manylinux2014_s390x",
    "linux_armv6l",
    "linux_armv7l",
];
const MACOS_ARCHES: &[&str] = &[
    "ppc",
    "ppc64",
    "i386",
    "x86_64",
    "arm64",
    "intel",
    "fat",
    "fat3",
    "fat64",
    "universal",
    "universal2",
];
/// macOS 11 and later: only `_0` minors (the 10.x series takes any).
const MACOS_MAJORS: &[&str] = &["11", "12", "13", "14", "15", "26"];
/// PEP 600 manylinux adds ppc64 to these; PEP 656 musllinux takes them as
/// they are.
const LINUX_ARCHES: &[&str] = &[
    "x86_64", "i686", "aarch64", "armv7l", "ppc64le", "s390x", "riscv64",
];
const IOS_ARCHES: &[&str] = &["arm64", "x86_64"];
const ANDROID_ARCHES: &[&str] = &["armeabi_v7a", "arm64_v8a", "x86", "x86_64"];

/// PyPI's allow-list of platform tags (Warehouse's `_valid_platform_tag`):
/// a fixed list, then macOS, manylinux/musllinux, iOS, Android and
/// Pyodide's tags by their shapes.
fn platform_allowed(tag: &str) -> bool {
    static MACOS: LazyLock<Regex> =
        LazyLock::new(|| compile(r"^macosx_(?P<major>\d+)_(?P<minor>\d+)_(?P<arch>.*)$"));
    static LINUX: LazyLock<Regex> =
        LazyLock::new(|| compile(r"^(?P<libc>many|musl)linux_\d+_\d+_(?P<arch>.*)$"));
    static IOS: LazyLock<Regex> =
        LazyLock::new(|| compile(r"^ios_\d+_\d+_(?P<arch>.*)_(?:iphoneos|iphonesimulator)"));
    static ANDROID: LazyLock<Regex> = LazyLock::new(|| compile(r"^android_\d+_(?P<arch>.*)$"));
    static EMSCRIPTEN: LazyLock<Regex> =
        LazyLock::new(|| compile(r"^pyemscripten_\d+_\d+_wasm32$"));
    if LISTED_PLATFORMS.contains(&tag) || EMSCRIPTEN.is_match(tag) {
        return true;
    }
    if let Some(m) = MACOS.captures(tag) {
        let arch_ok = MACOS_ARCHES.contains(&&m["arch"]);
        let version_ok =
            &m["major"] == "10" || (MACOS_MAJORS.contains(&&m["major"]) && &m["minor"] == "0");
        if arch_ok && version_ok {
            return true;
        }
    }
    if let Some(m) = LINUX.captures(tag) {
        let arch = &m["arch"];
        return LINUX_ARCHES.contains(&arch) || (&m["libc"] == "many" && arch == "ppc64");
    }
    let arch_in = |re: &Regex, arches: &[&str]| {
        re.captures(tag)
            .is_some_and(|m| arches.contains(&&m["arch"]))
    };
    arch_in(&IOS, IOS_ARCHES) || arch_in(&ANDROID, ANDROID_ARCHES)
}

fn compile(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a valid built-in pattern")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::IndexKind;

    use super::super::test_facts as facts;

    fn messages(file: &str, name: &str, version: &str, kind: IndexKind) -> Vec<String> {
        check(&facts(file, name, version), Target(kind))
            .into_iter()
            .map(|p| format!("{:?} {}", p.severity, p.message))
            .collect()
    }

    #[test]
    fn normalized_names_pass() {
        assert!(
            messages(
                "mint_up_demo-1.0-py3-none-any.whl",
                "Mint_Up.Demo",
                "1.0",
                IndexKind::Pypi
            )
            .is_empty()
        );
        assert!(
            messages(
                "mint_up_demo-1.0.tar.gz",
                "Mint-Up-Demo",
                "1.0.0",
                IndexKind::Pypi
            )
            .len()
                == 1
        );
        assert!(
            messages(
                "mint_up_demo-1.0.0.tar.gz",
                "Mint-Up-Demo",
                "1.0.0",
                IndexKind::Pypi
            )
            .is_empty()
        );
    }

    #[test]
    fn unnormalized_names_fail_on_pypi_and_warn_elsewhere() {
        let on = |kind| {
            messages(
                "Mint_Up.Demo-1.0-py3-none-any.whl",
                "Mint_Up.Demo",
                "1.0",
                kind,
            )
        };
        assert_eq!(
            on(IndexKind::Pypi),
            [
                "Error the file name should start with the normalized project name 'mint_up_demo', not 'Mint_Up.Demo'"
            ]
        );
        assert_eq!(on(IndexKind::Other)[0].split(' ').next(), Some("Warning"));
        assert_eq!(
            messages("x-1.0.zip", "x", "1.0", IndexKind::TestPypi),
            ["Error a .zip sdist: PyPI accepts only .tar.gz source distributions (PEP 625)"]
        );
    }

    #[test]
    fn platform_tags_as_warehouse_judges_them() {
        for tag in [
            "any",
            "win_amd64",
            "manylinux2014_aarch64",
            "manylinux_2_28_x86_64",
            "manylinux_2_17_ppc64",
            "musllinux_1_2_riscv64",
            "macosx_10_9_x86_64",
            "macosx_10_13_universal2",
            "macosx_11_0_arm64",
            "macosx_26_0_arm64",
            "ios_13_0_arm64_iphoneos",
            "ios_12_0_x86_64_iphonesimulator",
            "android_21_arm64_v8a",
            "pyemscripten_2024_0_wasm32",
        ] {
            assert!(platform_allowed(tag), "{tag}");
        }
        for tag in [
            "linux_x86_64",
            "manylinux1_aarch64",
            "manylinux2014_riscv64",
            "musllinux_1_2_ppc64",
            "manylinux_2_28_sparc",
            "macosx_11_1_arm64",
            "macosx_9_0_x86_64",
            "macosx_10_9_arm64e",
            "ios_13_0_armv7_iphoneos",
            "android_21_mips",
            "emscripten_3_1_wasm32",
        ] {
            assert!(!platform_allowed(tag), "{tag}");
        }
    }

    #[test]
    fn mismatches_and_platforms() {
        assert_eq!(
            messages("x-1.0-py3-none-any.whl", "y", "2.0", IndexKind::Other),
            [
                "Error the file name says project 'x' but the metadata says 'y'",
                "Error the file name says version 1.0 but the metadata says 2.0",
                "Warning the file name should start with the normalized project name 'y', not 'x'",
            ]
        );
        assert_eq!(
            messages(
                "x-1.0-cp312-cp312-linux_x86_64.whl",
                "x",
                "1.0",
                IndexKind::Pypi
            ),
            [
                "Error Binary wheel 'x-1.0-cp312-cp312-linux_x86_64.whl' has an unsupported platform tag 'linux_x86_64'"
            ]
        );
        assert!(
            messages(
                "x-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                "x",
                "1.0",
                IndexKind::Pypi
            )
            .is_empty()
        );
    }
}
