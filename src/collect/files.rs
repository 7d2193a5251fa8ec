//! Copying files (paths or globs, newest first, the tail of large ones) and listing folders.

use super::capture::{copy_tail, Captured, TailCapture};
use super::command::Produced;
use super::manifest::Status;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// One file found by a pattern, or the pattern that found nothing.
pub struct Found {
    pub source: String,
    pub path: Option<PathBuf>,
    /// For a pattern that found nothing: the folder on its way this user may not enter, if
    /// that is why (the row is then `access-denied`, not `not-found`).
    pub denied: Option<String>,
}

/// The files the patterns match, newest first, at most `max_files`; a pattern that matches
/// nothing gives one entry without a path, so the manifest says what was looked for.
pub fn find(patterns: &[String], max_files: usize) -> Vec<Found> {
    let mut files: Vec<(SystemTime, PathBuf)> = Vec::new();
    let mut missing = Vec::new();
    for pattern in patterns {
        let before = files.len();
        let mut denied = None;
        let matches: Vec<PathBuf> = if has_glob(pattern) {
            match glob::glob(pattern) {
                Ok(paths) => paths
                    .filter_map(|r| match r {
                        Ok(p) => Some(p),
                        Err(e) => {
                            if e.error().kind() == io::ErrorKind::PermissionDenied {
                                denied.get_or_insert_with(|| e.path().display().to_string());
                            }
                            None
                        }
                    })
                    .collect(),
                Err(_) => Vec::new(),
            }
        } else {
            // A plain path is kept even if its metadata cannot be read, so that a denied file
            // is reported as denied rather than as missing.
            let p = PathBuf::from(pattern);
            match p.symlink_metadata() {
                Ok(_) => vec![p],
                Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                    denied = Some(first_denied(&p).unwrap_or_else(|| pattern.clone()));
                    Vec::new()
                }
                Err(_) => Vec::new(),
            }
        };
        for p in matches {
            match p.metadata() {
                Ok(m) if m.is_dir() => continue,
                Ok(m) => files.push((m.modified().unwrap_or(SystemTime::UNIX_EPOCH), p)),
                Err(_) => files.push((SystemTime::UNIX_EPOCH, p)),
            }
        }
        if files.len() == before {
            missing.push((pattern.clone(), denied));
        }
    }
    files.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    files.dedup_by(|a, b| a.1 == b.1);
    files.truncate(max_files);
    let mut found: Vec<Found> = files
        .into_iter()
        .map(|(_, p)| Found {
            source: p.display().to_string(),
            path: Some(p),
            denied: None,
        })
        .collect();
    found.extend(missing.into_iter().map(|(source, denied)| Found {
        source,
        path: None,
        denied,
    }));
    found
}

/// The first folder on `path`'s way whose contents this user may not read.
fn first_denied(path: &Path) -> Option<String> {
    path.ancestors()
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .skip(1)
        .find(|a| matches!(std::fs::read_dir(a), Err(e) if e.kind() == io::ErrorKind::PermissionDenied))
        .map(|a| a.display().to_string())
}

fn has_glob(p: &str) -> bool {
    p.contains(['*', '?', '['])
}

/// Copies one file's tail into the staging file.
pub fn copy(source: &Path, staged: &Path, cap: u64) -> Produced {
    match copy_tail(source, staged, cap) {
        Ok(c) => produced(c),
        Err(e) => Produced::failed(io_status(&e), format!("{}: {e}", source.display())),
    }
}

/// Where a copied file goes in the zip: its whole source path under the item's folder, so
/// two `setupact.log` from different Panther folders never collide.
pub fn zip_path(folder: &str, source: &str) -> String {
    let rel: Vec<&str> = source
        .split(['/', '\\'])
        .map(|c| c.trim_end_matches(':'))
        .filter(|c| !c.is_empty() && *c != "." && *c != "..")
        .collect();
    format!("{}/{}", folder.trim_end_matches('/'), rel.join("/"))
}

/// Lists `root` to `depth` levels: modification time, size and path relative to the root.
pub fn list_dir(root: &Path, depth: usize, staged: &Path, cap: u64) -> Produced {
    if !root.exists() {
        return Produced::failed(Status::NotFound, format!("{}: no such folder", root.display()));
    }
    let result = (|| -> io::Result<Captured> {
        let mut out = TailCapture::create(staged, cap)?;
        writeln!(out, "# {}", root.display())?;
        for entry in walkdir::WalkDir::new(root).max_depth(depth).sort_by_file_name() {
            let line = match entry {
                Ok(e) => {
                    let rel = e.path().strip_prefix(root).unwrap_or(e.path()).display().to_string();
                    match e.metadata() {
                        Ok(m) => {
                            let time = m
                                .modified()
                                .map(|t| chrono::DateTime::<chrono::Local>::from(t).to_rfc3339())
                                .unwrap_or_default();
                            let slash = if m.is_dir() { "/" } else { "" };
                            format!("{time}\t{}\t{rel}{slash}", m.len())
                        }
                        Err(err) => format!("?\t?\t{rel}\t({err})"),
                    }
                }
                Err(err) => format!("?\t?\t?\t({err})"),
            };
            writeln!(out, "{line}")?;
        }
        out.finish()
    })();
    match result {
        Ok(c) => produced(c),
        Err(e) => Produced::failed(io_status(&e), format!("{}: {e}", root.display())),
    }
}

pub fn produced(c: Captured) -> Produced {
    let (status, reason) = if c.truncated() {
        (
            Status::Truncated,
            Some(format!("{} bytes, the last {} kept", c.total, c.kept)),
        )
    } else {
        (Status::Ok, None)
    };
    Produced {
        status,
        reason,
        exit_code: None,
        output: Some(c),
    }
}

pub fn io_status(e: &io::Error) -> Status {
    match e.kind() {
        io::ErrorKind::NotFound => Status::NotFound,
        io::ErrorKind::PermissionDenied => Status::AccessDenied,
        _ => Status::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zip_paths_keep_the_source_path() {
        assert_eq!(
            zip_path("upgrade/panther", r"C:\$WINDOWS.~BT\Sources\Panther\setupact.log"),
            "upgrade/panther/C/$WINDOWS.~BT/Sources/Panther/setupact.log"
        );
        assert_eq!(
            zip_path("hardware/", "/sys/class/dmi/id/board_serial"),
            "hardware/sys/class/dmi/id/board_serial"
        );
        assert_eq!(zip_path("x", "/a/../b"), "x/a/b");
    }

    #[test]
    fn newest_first_capped_and_missing_patterns_reported() {
        let dir = tempfile::tempdir().unwrap();
        for (i, name) in ["a.log", "b.log", "c.log"].iter().enumerate() {
            let p = dir.path().join(name);
            std::fs::write(&p, name).unwrap();
            let t = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000 + i as u64 * 100);
            std::fs::File::options()
                .write(true)
                .open(&p)
                .unwrap()
                .set_modified(t)
                .unwrap();
        }
        let pattern = format!("{}/*.log", dir.path().display());
        let missing = format!("{}/nope/*.txt", dir.path().display());
        let found = find(&[pattern, missing.clone()], 2);
        let names: Vec<String> = found
            .iter()
            // Windows paths from the glob use `\`, the pattern as written `/`.
            .map(|f| f.source.rsplit(['/', '\\']).next().unwrap().to_string())
            .collect();
        assert_eq!(names, ["c.log", "b.log", "*.txt"]);
        assert!(found[2].path.is_none());
        assert_eq!(found[2].source, missing);
    }
}
