//! Which files in a watched folder are bundles ready to analyse, and what the portal knows of
//! them (the case id).
//!
//! Three ways a bundle lands in a portal's folder:
//! - a **tusd** file store: the data file `ID` and `ID.info`, JSON with `Size`, `Offset` and
//!   `MetaData`; complete when `Offset` = `Size` and the data file is that long;
//! - a **@tus/server** file store: the data file `ID` and `ID.json`, JSON with `size` and
//!   `metadata`; the offset is the data file's length, complete when it equals `size`;
//! - **plain files** (an SFTP drop, a PUT, a copy): ready once their size and modification time
//!   have not changed for the settle time and, on Linux, no process holds them open for
//!   writing.
//!
//! A tus upload whose length is not yet declared, or whose sidecar cannot be read, is not ready.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What a candidate file is.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A tus upload; `declared` is its length, `None` while deferred.
    Tus {
        declared: Option<u64>,
        case_id: Option<String>,
        file_name: Option<String>,
    },
    Plain,
}

/// A file seen in a scan.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub path: PathBuf,
    /// The path relative to the watched folder, `/` separators: the shard key, as `batch`'s.
    pub key: String,
    pub size: u64,
    pub modified: SystemTime,
    pub source: Source,
}

impl Candidate {
    /// The case id: the upload's `case` metadata, else the file name without extension.
    pub fn case_id(&self) -> String {
        if let Source::Tus { case_id: Some(c), .. } = &self.source {
            return c.clone();
        }
        let name = match &self.source {
            Source::Tus { file_name: Some(f), .. } => f.clone(),
            _ => self
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        };
        name.strip_suffix(".zip").unwrap_or(&name).to_string()
    }

    /// Complete by what the file store says (tus); plain files need [`Settle`] instead.
    pub fn tus_complete(&self) -> Option<bool> {
        match &self.source {
            Source::Tus { declared, .. } => Some(*declared == Some(self.size)),
            Source::Plain => None,
        }
    }
}

/// Sidecar files of the tus stores and partial files of common uploaders: never bundles.
fn is_sidecar(name: &str) -> bool {
    name.starts_with('.')
        || [
            ".info",
            ".json",
            ".lock",
            ".part",
            ".partial",
            ".tmp",
            ".crdownload",
            "~",
        ]
        .iter()
        .any(|s| name.ends_with(s))
}

/// Reads one file of a watched folder: `None` for sidecars and what is not a regular file.
pub fn candidate(root: &Path, path: &Path) -> Option<Candidate> {
    let name = path.file_name()?.to_str()?;
    if is_sidecar(name) {
        return None;
    }
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let key = path
        .strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    Some(Candidate {
        path: path.to_path_buf(),
        key,
        size: meta.len(),
        modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
        source: tus_source(path).unwrap_or(Source::Plain),
    })
}

/// The tus sidecar of a data file, if there is one.
fn tus_source(data: &Path) -> Option<Source> {
    let with = |ext: &str| {
        let mut p = data.as_os_str().to_owned();
        p.push(ext);
        PathBuf::from(p)
    };
    if let Ok(text) = std::fs::read_to_string(with(".info")) {
        // tusd: {"ID": "…", "Size": 123, "SizeIsDeferred": false, "Offset": 123,
        //        "MetaData": {"filename": "…", "case": "…"}, …}
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let size = v["Size"].as_u64();
        let offset = v["Offset"].as_u64();
        let deferred = v["SizeIsDeferred"].as_bool().unwrap_or(false);
        let declared = match (size, offset, deferred) {
            (Some(s), Some(o), false) if o == s => Some(s),
            // Not complete yet by tusd's own account: no length to match.
            _ => None,
        };
        return Some(Source::Tus {
            declared,
            case_id: meta_text(&v["MetaData"], "case"),
            file_name: meta_text(&v["MetaData"], "filename"),
        });
    }
    if let Ok(text) = std::fs::read_to_string(with(".json")) {
        // @tus/server FileStore: {"id": "…", "size": 123, "offset": 0, "metadata": {…}, …}
        // (its offset stays 0 there; the data file's length is the offset).
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        v.get("id")?;
        return Some(Source::Tus {
            declared: v["size"].as_u64(),
            case_id: meta_text(&v["metadata"], "case"),
            file_name: meta_text(&v["metadata"], "filename"),
        });
    }
    None
}

fn meta_text(meta: &Value, key: &str) -> Option<String> {
    meta.get(key)?
        .as_str()
        .map(str::to_string)
        .filter(|s| !s.trim().is_empty())
}

/// Whether a process has `path` open for writing (Linux: /proc/*/fd and fdinfo flags). On
/// other systems, and when /proc cannot be read, answers false: the settle time alone decides.
pub fn open_for_writing(path: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        let Ok(target) = std::fs::canonicalize(path) else {
            return false;
        };
        let Ok(procs) = std::fs::read_dir("/proc") else {
            return false;
        };
        for p in procs.flatten() {
            let pid = p.file_name();
            if !pid.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
                continue;
            }
            let Ok(fds) = std::fs::read_dir(p.path().join("fd")) else {
                continue;
            };
            for fd in fds.flatten() {
                if std::fs::read_link(fd.path()).ok().as_deref() != Some(target.as_path()) {
                    continue;
                }
                let info = p.path().join("fdinfo").join(fd.file_name());
                let flags = std::fs::read_to_string(info).unwrap_or_default();
                // "flags:\t0100001": the access mode is the low two bits (octal).
                let mode = flags
                    .lines()
                    .find_map(|l| l.strip_prefix("flags:"))
                    .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
                    .map(|f| f & 0o3);
                if matches!(mode, Some(1) | Some(2)) {
                    return true;
                }
            }
        }
        false
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = path;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tusd_info_is_complete_only_at_its_offset() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("abc");
        std::fs::write(&data, b"12345").unwrap();
        std::fs::write(
            dir.path().join("abc.info"),
            r#"{"ID":"abc","Size":5,"Offset":3,"MetaData":{"case":"CMGE-1","filename":"b.zip"}}"#,
        )
        .unwrap();
        let c = candidate(dir.path(), &data).unwrap();
        assert_eq!(c.tus_complete(), Some(false));
        assert_eq!(c.case_id(), "CMGE-1");
        std::fs::write(
            dir.path().join("abc.info"),
            r#"{"ID":"abc","Size":5,"Offset":5,"MetaData":{"filename":"b.zip"}}"#,
        )
        .unwrap();
        let c = candidate(dir.path(), &data).unwrap();
        assert_eq!(c.tus_complete(), Some(true));
        assert_eq!(c.case_id(), "b", "the file name when there is no case");
        assert!(candidate(dir.path(), &dir.path().join("abc.info")).is_none());
    }

    #[test]
    fn a_file_held_open_for_writing_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.zip");
        let f = std::fs::File::create(&path).unwrap();
        if cfg!(target_os = "linux") {
            assert!(open_for_writing(&path));
        }
        drop(f);
        assert!(!open_for_writing(&path));
    }
}
