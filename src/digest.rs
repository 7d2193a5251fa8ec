//! SHA-256 as the project shows it everywhere (manifest rows, batch records, upload metadata,
//! fingerprints): lower-case hex.

use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Size and SHA-256 of a file, read in 1 MiB blocks; `progress` hears the bytes read so far.
pub fn sha256_file(path: &Path, progress: impl FnMut(u64)) -> std::io::Result<(u64, String)> {
    sha256_file_until(path, progress, &|| false)
}

/// [`sha256_file`] that gives up between blocks when `stop` says so, with an error of kind
/// `Interrupted` (a user cancelling an upload does not wait for a large file to be read).
pub fn sha256_file_until(
    path: &Path,
    mut progress: impl FnMut(u64),
    stop: &dyn Fn() -> bool,
) -> std::io::Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut done = 0u64;
    progress(done);
    loop {
        if stop() {
            return Err(std::io::Error::new(std::io::ErrorKind::Interrupted, "stopped"));
        }
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        done += n as u64;
        progress(done);
    }
    Ok((done, hex(&hasher.finalize())))
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_content() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"abc").unwrap();
        let mut calls = 0;
        let (size, h) = super::sha256_file(&p, |_| calls += 1).unwrap();
        assert_eq!(
            (size, h.as_str()),
            (3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
        assert!(calls >= 2);
    }
}
