//! Turning the command line's DIST arguments (files, directories, glob
//! patterns) into the ordered list of distributions to upload, each with the
//! signature and attestation files that belong to it.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use super::filename::{DistFilename, FilenameError};
use crate::hint::Hint;

/// One distribution file and what travels with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistFile {
    pub path: PathBuf,
    pub filename: DistFilename,
    /// `<file>.asc`, forwarded as `gpg_signature` like twine does.
    pub signature: Option<PathBuf>,
    /// `<file>.<kind>.attestation` files (PEP 740), e.g. `.publish.attestation`.
    pub attestations: Vec<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("no such file or directory: {}", .0.display())]
    Missing(PathBuf),
    #[error("no files match the pattern '{0}'")]
    NoMatch(String),
    #[error("'{0}' is not a valid glob pattern: {1}")]
    BadPattern(String, String),
    #[error("could not read {}", .0.display())]
    Io(PathBuf, #[source] io::Error),
    #[error("no distributions found in {}", .0.display())]
    EmptyDirectory(PathBuf),
    #[error("{} is a directory, not a distribution file", .0.display())]
    DirectoryNamedLikeDistribution(PathBuf),
    #[error("{} is not a regular file (a pipe, socket or device)", .0.display())]
    NotRegularFile(PathBuf),
    #[error("{} not a distribution: {}", if .0.len() == 1 { "this file is" } else { "these files are" }, .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    NotDistributions(Vec<FilenameError>),
    #[error("{} belongs to {}, which is not among the files to upload", .attachment.display(), .dist)]
    OrphanAttachment { attachment: PathBuf, dist: String },
    #[error("two files are named {name}: {} and {}", .first.display(), .second.display())]
    DuplicateName {
        name: String,
        first: PathBuf,
        second: PathBuf,
    },
}

impl Hint for CollectError {
    fn hint(&self) -> Option<String> {
        let hint: Option<&str> = match self {
            CollectError::Missing(_)
            | CollectError::NoMatch(_)
            | CollectError::EmptyDirectory(_) => {
                Some("build first (`python -m build`), or name the files or directory to upload")
            }
            CollectError::NotDistributions(_) => Some(
                "pass only wheels (.whl) and sdists (.tar.gz), with their .asc or .publish.attestation files",
            ),
            CollectError::DirectoryNamedLikeDistribution(_) | CollectError::NotRegularFile(_) => {
                Some("pass the distribution files that `python -m build` wrote, or their directory")
            }
            CollectError::OrphanAttachment { .. } => {
                Some("add the distribution to the command line, or remove the extra file")
            }
            _ => None,
        };
        hint.map(str::to_owned)
    }
}

/// Which role a file name plays.
enum Role {
    Dist(DistFilename),
    Signature { dist: String },
    Attestation { dist: String },
}

fn role(filename: &str) -> Result<Role, FilenameError> {
    if let Some(dist) = filename.strip_suffix(".asc") {
        return Ok(Role::Signature { dist: dist.into() });
    }
    // `<dist>.<kind>.attestation`, any kind, as twine accepts them.
    if let Some((dist, _kind)) = filename
        .strip_suffix(".attestation")
        .and_then(|rest| rest.rsplit_once('.'))
        .filter(|(dist, kind)| !kind.is_empty() && looks_like_distribution(dist))
    {
        return Ok(Role::Attestation { dist: dist.into() });
    }
    DistFilename::parse(filename).map(Role::Dist)
}

/// Whether a name has a distribution's extension, including the formats PyPI
/// no longer takes: such a file in a directory is reported, not passed over.
fn looks_like_distribution(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        ".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tar.xz", ".egg", ".exe", ".msi", ".rpm",
        ".deb", ".dmg",
    ]
    .iter()
    .any(|ext| name.ends_with(ext))
}

/// Expand the arguments; no argument means `dist/`.
pub fn collect(args: &[String]) -> Result<Vec<DistFile>, CollectError> {
    let default = ["dist".to_owned()];
    let args = if args.is_empty() { &default[..] } else { args };
    let mut explicit = Vec::new();
    let mut from_dirs = Vec::new();
    for arg in args {
        let path = Path::new(arg);
        if path.is_dir() && file_name(path).is_some_and(|n| looks_like_distribution(&n)) {
            return Err(CollectError::DirectoryNamedLikeDistribution(path.into()));
        }
        if path.is_dir() {
            let before = from_dirs.len();
            for entry in std::fs::read_dir(path).map_err(|e| CollectError::Io(path.into(), e))? {
                let entry = entry.map_err(|e| CollectError::Io(path.into(), e))?;
                // Symlinks are followed; pipes and devices are passed over.
                if entry.path().is_file() {
                    from_dirs.push(entry.path());
                }
            }
            from_dirs[before..].sort();
            let has_dist = from_dirs[before..]
                .iter()
                .any(|p| matches!(file_name(p).map(|n| role(&n)), Some(Ok(Role::Dist(_)))));
            if !has_dist {
                return Err(CollectError::EmptyDirectory(path.into()));
            }
        } else if path.is_file() {
            explicit.push(path.to_path_buf());
        } else if path.exists() {
            // Reading a pipe would wait forever for a writer.
            return Err(CollectError::NotRegularFile(path.into()));
        } else if arg.contains(['*', '?', '[']) {
            explicit.extend(expand_glob(arg)?);
        } else {
            return Err(CollectError::Missing(path.into()));
        }
    }
    assemble(explicit, from_dirs)
}

fn expand_glob(pattern: &str) -> Result<Vec<PathBuf>, CollectError> {
    let options = glob::MatchOptions {
        // As shells do: `*` does not match a leading dot (dist/.gitignore).
        require_literal_leading_dot: true,
        ..glob::MatchOptions::new()
    };
    let paths = glob::glob_with(pattern, options)
        .map_err(|e| CollectError::BadPattern(pattern.into(), e.msg.into()))?;
    let mut matched = Vec::new();
    for path in paths {
        let path = path.map_err(|e| CollectError::Io(e.path().into(), e.into()))?;
        if path.is_file() {
            matched.push(path);
        }
    }
    if matched.is_empty() {
        return Err(CollectError::NoMatch(pattern.into()));
    }
    Ok(matched)
}

fn file_name(path: &Path) -> Option<String> {
    path.file_name().map(|n| n.to_string_lossy().into_owned())
}

/// Sort files into distributions and attachments. Files named explicitly must
/// all be recognised; files found in a directory that are neither (a
/// `.gitignore` some build tools write, say) are passed over.
fn assemble(
    explicit: Vec<PathBuf>,
    from_dirs: Vec<PathBuf>,
) -> Result<Vec<DistFile>, CollectError> {
    let mut dists: Vec<DistFile> = Vec::new();
    let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
    let mut attachments: Vec<(PathBuf, Role)> = Vec::new();
    let mut unknown = Vec::new();
    let tagged = explicit
        .into_iter()
        .map(|p| (p, true))
        .chain(from_dirs.into_iter().map(|p| (p, false)));
    for (path, named) in tagged {
        let Some(name) = file_name(&path) else {
            continue;
        };
        match role(&name) {
            Ok(Role::Dist(filename)) => {
                if let Some(&i) = by_name.get(&name) {
                    if same_file(&dists[i].path, &path) {
                        continue;
                    }
                    return Err(CollectError::DuplicateName {
                        name,
                        first: dists[i].path.clone(),
                        second: path,
                    });
                }
                by_name.insert(name, dists.len());
                dists.push(DistFile {
                    path,
                    filename,
                    signature: None,
                    attestations: Vec::new(),
                });
            }
            Ok(attachment) => attachments.push((path, attachment)),
            Err(e) if named || looks_like_distribution(&name) => unknown.push(e),
            Err(_) => {}
        }
    }
    if !unknown.is_empty() {
        return Err(CollectError::NotDistributions(unknown));
    }
    for (path, attachment) in attachments {
        let (dist, slot_is_signature) = match attachment {
            Role::Signature { dist } => (dist, true),
            Role::Attestation { dist } => (dist, false),
            Role::Dist(_) => unreachable!("distributions were sorted out above"),
        };
        let Some(&i) = by_name.get(&dist) else {
            return Err(CollectError::OrphanAttachment {
                attachment: path,
                dist,
            });
        };
        if slot_is_signature {
            dists[i].signature = Some(path);
        } else {
            dists[i].attestations.push(path);
        }
    }
    // Warehouse creates a release from the first file it sees, and wheels
    // carry the more accurate metadata: wheels go first, order kept otherwise.
    dists.sort_by_key(|d| d.filename.kind.is_sdist());
    Ok(dists)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dists: &[DistFile]) -> Vec<String> {
        dists.iter().map(|d| d.filename.filename.clone()).collect()
    }

    #[test]
    fn wheels_first_and_attachments_joined() {
        let files = [
            "d/pkg-1.0.tar.gz",
            "d/pkg-1.0-py3-none-any.whl",
            "d/pkg-1.0-py3-none-any.whl.publish.attestation",
            "d/pkg-1.0.tar.gz.asc",
        ]
        .map(PathBuf::from)
        .to_vec();
        let dists = assemble(files, vec![]).unwrap();
        assert_eq!(
            names(&dists),
            ["pkg-1.0-py3-none-any.whl", "pkg-1.0.tar.gz"]
        );
        assert_eq!(dists[0].attestations.len(), 1);
        assert!(dists[0].signature.is_none());
        assert!(dists[1].signature.is_some());
    }

    #[test]
    fn unknown_files_named_explicitly_are_all_listed() {
        let files = ["a.txt", "pkg-1.0.tar.gz", "b-1.0.egg"]
            .map(PathBuf::from)
            .to_vec();
        let err = assemble(files, vec![]).unwrap_err().to_string();
        assert!(
            err.starts_with("these files are not a distribution: a.txt: "),
            "{err}"
        );
        assert!(err.contains("b-1.0.egg: not a distribution file"), "{err}");
    }

    #[test]
    fn unknown_files_in_a_directory_are_passed_over() {
        let dir = ["d/.gitignore", "d/pkg-1.0.tar.gz"]
            .map(PathBuf::from)
            .to_vec();
        assert_eq!(names(&assemble(vec![], dir).unwrap()), ["pkg-1.0.tar.gz"]);
    }

    #[test]
    fn badly_named_distributions_in_a_directory_are_reported() {
        let dir = [
            "d/pkg-1.0.tar.bz2",
            "d/a-b-c-d-e-f-g.whl",
            "d/notes.txt",
            "d/pkg-1.0.tar.gz",
        ]
        .map(PathBuf::from)
        .to_vec();
        let err = assemble(vec![], dir).unwrap_err().to_string();
        assert!(
            err.contains("pkg-1.0.tar.bz2: not a distribution file"),
            "{err}"
        );
        assert!(
            err.contains("a-b-c-d-e-f-g.whl: a wheel name has 5 or 6"),
            "{err}"
        );
        assert!(!err.contains("notes.txt"), "{err}");
    }

    #[test]
    fn any_attestation_kind_goes_with_its_distribution() {
        let files = [
            "pkg-1.0.tar.gz",
            "pkg-1.0.tar.gz.publish.attestation",
            "pkg-1.0.tar.gz.slsa.attestation",
        ]
        .map(PathBuf::from)
        .to_vec();
        let dists = assemble(files, vec![]).unwrap();
        assert_eq!(dists[0].attestations.len(), 2);
    }

    #[test]
    fn orphan_attachment_and_duplicate_names() {
        let err = assemble(vec!["x-1.0.tar.gz.asc".into()], vec![]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "x-1.0.tar.gz.asc belongs to x-1.0.tar.gz, which is not among the files to upload"
        );
        let err = assemble(
            vec!["a/x-1.0.tar.gz".into(), "b/x-1.0.tar.gz".into()],
            vec![],
        );
        assert!(matches!(err, Err(CollectError::DuplicateName { .. })));
    }
}
