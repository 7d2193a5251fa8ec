//! The resume state: a small JSON file next to the bundle (`<bundle>.upload.json`) holding
//! where the tus upload lives and how much the server has confirmed. It never holds the user
//! name or the password. Written atomically (temporary file, then rename) after every chunk, so
//! a kill at any moment leaves either the old or the new state, never half a file.

use super::error::UploadError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumeState {
    /// The endpoint the upload was created at (`--url`); another endpoint means start over.
    pub endpoint: String,
    /// The upload's own URL (from the creation answer's `Location`, made absolute).
    pub upload_url: String,
    /// Size and identity (`upload::identity`) of the bundle the upload belongs to: a changed
    /// bundle starts over.
    pub size: u64,
    pub identity: String,
    /// The last offset the server confirmed. Only a hint: resuming asks the server (`HEAD`).
    pub offset: u64,
}

/// Where the state of `bundle` is kept.
pub fn state_path(bundle: &Path) -> PathBuf {
    let mut name = bundle.file_name().unwrap_or_default().to_os_string();
    name.push(".upload.json");
    bundle.with_file_name(name)
}

/// Reads the state; a missing or unreadable file is no state (the upload starts over, which is
/// always safe).
pub fn load(path: &Path) -> Option<ResumeState> {
    let text = std::fs::read(path).ok()?;
    serde_json::from_slice(&text).ok()
}

pub fn save(path: &Path, state: &ResumeState) -> Result<(), UploadError> {
    let mut tmp = path.as_os_str().to_os_string();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let file_error = |e: std::io::Error| UploadError::File {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    let text = serde_json::to_vec_pretty(state).expect("state serialises");
    std::fs::write(&tmp, text).map_err(file_error)?;
    std::fs::rename(&tmp, path).map_err(file_error)
}

pub fn remove(path: &Path) -> Result<(), UploadError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(UploadError::File {
            path: path.to_path_buf(),
            detail: e.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_lives_next_to_the_bundle() {
        assert_eq!(
            state_path(Path::new("/home/u/Desktop/CMGE_Log_1.zip")),
            Path::new("/home/u/Desktop/CMGE_Log_1.zip.upload.json")
        );
    }

    #[test]
    fn round_trip_and_removal() {
        let dir = tempfile::tempdir().unwrap();
        let path = state_path(&dir.path().join("b.zip"));
        assert_eq!(load(&path), None);
        let s = ResumeState {
            endpoint: "https://portal.example/files/".into(),
            upload_url: "https://portal.example/files/abc".into(),
            size: 10,
            identity: "1-2-00".into(),
            offset: 4,
        };
        save(&path, &s).unwrap();
        assert_eq!(load(&path), Some(s.clone()));
        // Overwriting replaces the whole file and leaves no temporary file behind.
        let s2 = ResumeState { offset: 10, ..s };
        save(&path, &s2).unwrap();
        assert_eq!(load(&path), Some(s2));
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
        remove(&path).unwrap();
        assert_eq!(load(&path), None);
        remove(&path).unwrap();
    }

    #[test]
    fn a_damaged_state_file_is_no_state() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.zip.upload.json");
        std::fs::write(&path, b"{\"endpoint\": ").unwrap();
        assert_eq!(load(&path), None);
    }
}
