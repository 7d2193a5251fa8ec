//! Which bundle an upload belongs to, known before the first byte is sent: the size, the
//! modification time and a SHA-256 of the first and last MiB. Hashing the whole file first was
//! the gap to curl on a fast link (the whole SHA-256 is now computed while sending, on its own
//! thread). For the collector's zips the last MiB holds the central directory, which lists
//! every entry's CRC-32 and size, so a bundle whose content changed has another identity even
//! at the same size and time; a rewritten file also has another time.

use crate::digest::hex;
use sha2::{Digest, Sha256};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// How much of each end is read.
const SAMPLE: u64 = 1 << 20;

/// `<size>-<mtime ns>-<sha256 of the ends, 32 hex digits>`.
pub fn of(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    let size = meta.len();
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; SAMPLE.min(size) as usize];
    file.read_exact(&mut buf)?;
    hasher.update(&buf);
    if size > SAMPLE {
        let tail = SAMPLE.min(size - SAMPLE);
        file.seek(SeekFrom::Start(size - tail))?;
        buf.resize(tail as usize, 0);
        file.read_exact(&mut buf)?;
        hasher.update(&buf);
    }
    let digest = hex(&hasher.finalize());
    Ok(format!("{size}-{mtime}-{}", &digest[..32]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_at_either_end_or_in_time_is_another_bundle() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.zip");
        let data: Vec<u8> = (0..3 * SAMPLE as usize).map(|i| (i % 251) as u8).collect();
        std::fs::write(&p, &data).unwrap();
        let t = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000);
        let set_time = || {
            std::fs::File::options()
                .write(true)
                .open(&p)
                .unwrap()
                .set_modified(t)
                .unwrap()
        };
        set_time();
        let a = of(&p).unwrap();
        assert_eq!(of(&p).unwrap(), a, "stable");
        let mut changed = data.clone();
        *changed.last_mut().unwrap() ^= 1;
        std::fs::write(&p, &changed).unwrap();
        set_time();
        assert_ne!(of(&p).unwrap(), a, "the end changed");
        std::fs::write(&p, &data).unwrap();
        set_time();
        assert_eq!(of(&p).unwrap(), a, "same bytes, same time");
        std::fs::File::options()
            .write(true)
            .open(&p)
            .unwrap()
            .set_modified(t + std::time::Duration::from_secs(1))
            .unwrap();
        assert_ne!(of(&p).unwrap(), a, "rewritten later");
        // Small and empty files.
        std::fs::write(&p, b"PK").unwrap();
        assert!(of(&p).unwrap().starts_with("2-"));
        std::fs::write(&p, b"").unwrap();
        assert!(of(&p).unwrap().starts_with("0-"));
    }
}
