//! Which files are bundles. Rule: every PATH that is a file is a bundle (whatever its name);
//! a folder is walked recursively and every file whose name ends in `.zip` (any case) below it
//! is a bundle; a PATH with glob characters (`*`, `?`, `[`, `{`) is a pattern (globset syntax,
//! `**` crosses folders) matched against the files below its literal leading folders, for
//! shells that do not expand globs (Windows `cmd`). Extracted bundle folders are not bundles:
//! zip them, or give them to `analyze`.
//!
//! Each bundle also gets a *key*: its path relative to the PATH argument it was found under
//! (`/` separators; the file name for a file given directly). Sharding hashes the key, so a
//! fleet split over machines that mount the corpus at different places still agrees.

use globset::GlobBuilder;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// One bundle to analyse.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BundlePath {
    /// The stable key used for sharding (see the module documentation).
    pub key: String,
    pub path: PathBuf,
}

/// A PATH argument that named nothing, or a folder that could not be walked. Discovery goes
/// on with the other arguments; the batch counts these as failures.
#[derive(Debug, Clone, PartialEq)]
pub struct DiscoverError {
    pub path: String,
    pub detail: String,
}

/// The bundles under the PATH arguments, sorted by path and without duplicates.
pub fn discover(args: &[PathBuf]) -> (Vec<BundlePath>, Vec<DiscoverError>) {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for arg in args {
        let text = arg.to_string_lossy();
        if arg.is_file() {
            found.push(BundlePath {
                key: file_name(arg),
                path: arg.clone(),
            });
        } else if arg.is_dir() {
            walk(arg, arg, is_zip_name, &mut found, &mut errors);
        } else if is_glob(&text) {
            glob(&text, &mut found, &mut errors);
        } else {
            errors.push(DiscoverError {
                path: text.into_owned(),
                detail: "no such file or folder".into(),
            });
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found.dedup_by(|a, b| a.path == b.path);
    (found, errors)
}

fn walk(
    root: &Path,
    base: &Path,
    keep: impl Fn(&Path) -> bool,
    found: &mut Vec<BundlePath>,
    errors: &mut Vec<DiscoverError>,
) {
    for item in WalkDir::new(root).sort_by_file_name() {
        match item {
            Ok(e) if e.file_type().is_file() && keep(e.path()) => found.push(BundlePath {
                key: relative_key(e.path(), base),
                path: e.path().to_path_buf(),
            }),
            Ok(_) => {}
            Err(e) => errors.push(DiscoverError {
                path: e
                    .path()
                    .map_or_else(|| root.display().to_string(), |p| p.display().to_string()),
                detail: e.to_string(),
            }),
        }
    }
}

fn glob(pattern: &str, found: &mut Vec<BundlePath>, errors: &mut Vec<DiscoverError>) {
    let matcher = match GlobBuilder::new(pattern).literal_separator(true).build() {
        Ok(g) => g.compile_matcher(),
        Err(e) => {
            errors.push(DiscoverError {
                path: pattern.to_string(),
                detail: e.to_string(),
            });
            return;
        }
    };
    let base = literal_prefix(pattern);
    let before = found.len();
    walk(&base, &base, |p| matcher.is_match(p), found, errors);
    if found.len() == before {
        errors.push(DiscoverError {
            path: pattern.to_string(),
            detail: "the pattern matched no file".into(),
        });
    }
}

/// The folders of a pattern before its first component with a glob character (`.` if none).
fn literal_prefix(pattern: &str) -> PathBuf {
    let mut base = PathBuf::new();
    for comp in Path::new(pattern).components() {
        if is_glob(&comp.as_os_str().to_string_lossy()) {
            break;
        }
        base.push(comp);
    }
    if base.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        base
    }
}

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '[', '{'])
}

fn is_zip_name(p: &Path) -> bool {
    p.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned())
}

fn relative_key(p: &Path, base: &Path) -> String {
    let rel = p.strip_prefix(base).unwrap_or(p);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_give_zips_with_relative_keys_and_globs_match() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        for name in ["a.zip", "sub/b.ZIP", "notes.txt"] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        let (found, errors) = discover(&[dir.path().to_path_buf()]);
        assert!(errors.is_empty());
        let keys: Vec<&str> = found.iter().map(|b| b.key.as_str()).collect();
        assert_eq!(keys, ["a.zip", "sub/b.ZIP"]);

        let pattern = format!("{}/**/*.ZIP", dir.path().display());
        let (found, _) = discover(&[PathBuf::from(pattern)]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].key, "sub/b.ZIP");

        let (found, errors) = discover(&[dir.path().join("missing.zip")]);
        assert!(found.is_empty());
        assert_eq!(errors.len(), 1);
    }
}
