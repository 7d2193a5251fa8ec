//! The bundle zip. It is written under a temporary name (`.partial`) next to its final name and
//! renamed only when complete, so a crash or a kill never leaves a corrupt zip that looks
//! finished. Each staged output is streamed into its entry through the product key mask and
//! a sha256; memory stays at one buffer per entry.

use crate::bundle::decode::detect_encoding;
use crate::digest::hex;
use crate::privacy::mask_product_keys_in_bytes;
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// What was stored for one entry.
#[derive(Debug, Clone)]
pub struct Stored {
    pub bytes: u64,
    pub sha256: String,
    pub encoding: &'static str,
    pub masked_keys: usize,
}

pub struct BundleWriter {
    zip: ZipWriter<BufWriter<File>>,
    partial: PathBuf,
    target: PathBuf,
    names: std::collections::HashSet<String>,
}

/// Bytes kept back between chunks so that a key split across two reads is still seen whole
/// (a UTF-16 key is 58 bytes). Even, so UTF-16 stays aligned.
const CARRY: usize = 128;
const CHUNK: usize = 256 * 1024;

impl BundleWriter {
    /// Starts the zip `target`, or `<stem>-2.zip`, `-3`, ... when that name is taken (a zip
    /// or a partial one of another collection in the same second): a bundle never replaces
    /// another.
    pub fn create(target: &Path) -> io::Result<BundleWriter> {
        for n in 1..1000 {
            let target = numbered(target, n);
            let mut partial = target.as_os_str().to_owned();
            partial.push(".partial");
            let partial = PathBuf::from(partial);
            if target.exists() {
                continue;
            }
            match File::options().write(true).create_new(true).open(&partial) {
                Ok(file) => {
                    return Ok(BundleWriter {
                        zip: ZipWriter::new(BufWriter::new(file)),
                        partial,
                        target,
                        names: Default::default(),
                    })
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} and 999 numbered names exist already", target.display()),
        ))
    }

    /// The file being written until [`BundleWriter::finish`].
    pub fn partial(&self) -> &Path {
        &self.partial
    }

    /// A name not used yet in this zip (`x.txt`, then `x (2).txt`), with any product key in it
    /// masked: a copied file's entry name is its source path, and users name files after keys.
    pub fn unique_name(&mut self, wanted: &str) -> String {
        let wanted = crate::privacy::mask_product_keys(wanted);
        let wanted = wanted.as_ref();
        let mut name = wanted.to_string();
        let mut n = 2;
        while self.names.contains(&name) {
            name = match wanted.rsplit_once('.') {
                Some((stem, ext)) if !stem.is_empty() && !ext.contains('/') => format!("{stem} ({n}).{ext}"),
                _ => format!("{wanted} ({n})"),
            };
            n += 1;
        }
        self.names.insert(name.clone());
        name
    }

    /// Streams a staged file into the entry `name`, masking product keys on the way.
    pub fn add_file(&mut self, name: &str, staged: &Path) -> io::Result<Stored> {
        let mut f = File::open(staged)?;
        let len = f.metadata()?.len();
        let mut head = vec![0u8; 8192.min(len as usize)];
        f.read_exact(&mut head)?;
        let encoding = detect_encoding(&head);
        let utf16 = encoding == "UTF-16LE";
        let options = entry_options().large_file(len >= u32::MAX as u64 / 2);
        self.zip.start_file(name, options).map_err(io::Error::other)?;

        let mut hasher = Sha256::new();
        let mut masked_keys = 0;
        let mut bytes = 0u64;
        let mut buf = head;
        let mut chunk = vec![0u8; CHUNK];
        loop {
            let n = f.read(&mut chunk)?;
            buf.extend_from_slice(&chunk[..n]);
            masked_keys += mask_product_keys_in_bytes(&mut buf, utf16);
            // Keep the carry unless this was the end; a key in it was masked already or will
            // be seen whole with the next chunk.
            let keep = if n == 0 { 0 } else { CARRY.min(buf.len()) & !1 };
            let emit = buf.len() - keep;
            self.zip.write_all(&buf[..emit])?;
            hasher.update(&buf[..emit]);
            bytes += emit as u64;
            buf.drain(..emit);
            if n == 0 {
                break;
            }
        }
        Ok(Stored {
            bytes,
            sha256: hex(&hasher.finalize()),
            encoding,
            masked_keys,
        })
    }

    pub fn add_bytes(&mut self, name: &str, data: &[u8]) -> io::Result<()> {
        self.zip.start_file(name, entry_options()).map_err(io::Error::other)?;
        self.zip.write_all(data)
    }

    /// Writes the central directory and gives the zip its final name.
    pub fn finish(self) -> io::Result<PathBuf> {
        let mut inner = self.zip.finish().map_err(io::Error::other)?;
        inner.flush()?;
        inner.get_ref().sync_all()?;
        drop(inner);
        fs::rename(&self.partial, &self.target)?;
        Ok(self.target)
    }
}

/// `x.zip` for 1, `x-2.zip` for 2, ...
fn numbered(target: &Path, n: usize) -> PathBuf {
    if n == 1 {
        return target.to_path_buf();
    }
    let stem = target.file_stem().unwrap_or_default().to_string_lossy();
    let name = match target.extension() {
        Some(ext) => format!("{stem}-{n}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{n}"),
    };
    target.with_file_name(name)
}

/// Deflated, stamped with the local time the entry was written (when its output was
/// collected, to the 2 s a zip's DOS time holds; without it every entry says 1980).
fn entry_options() -> SimpleFileOptions {
    use chrono::{Datelike, Timelike};
    let now = chrono::Local::now();
    let time = zip::DateTime::from_date_and_time(
        now.year().clamp(1980, 2107) as u16,
        now.month() as u8,
        now.day() as u8,
        now.hour() as u8,
        now.minute() as u8,
        now.second() as u8,
    )
    .unwrap_or_default();
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_split_across_chunks_are_masked_and_the_zip_appears_only_when_finished() {
        let dir = tempfile::tempdir().unwrap();
        let staged = dir.path().join("s");
        // Put keys across the chunk boundary in UTF-16LE.
        let mut text = "x".repeat((8192 + CHUNK) / 2 - 12);
        text.push_str(" NPPR9-FWDCX-D2C8J-H872K-2YT43 ");
        text.push_str(&"y".repeat(1000));
        let data: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        fs::write(&staged, &data).unwrap();
        let target = dir.path().join("b.zip");
        let mut w = BundleWriter::create(&target).unwrap();
        assert!(!target.exists());
        let name = w.unique_name("a/k.txt");
        assert_eq!(w.unique_name("a/k.txt"), "a/k (2).txt");
        let s = w.add_file(&name, &staged).unwrap();
        assert_eq!((s.masked_keys, s.encoding, s.bytes), (1, "UTF-16LE", data.len() as u64));
        w.finish().unwrap();
        let mut z = zip::ZipArchive::new(File::open(&target).unwrap()).unwrap();
        let mut stored = Vec::new();
        z.by_name("a/k.txt").unwrap().read_to_end(&mut stored).unwrap();
        let back = String::from_utf16(
            &stored[2..]
                .chunks(2)
                .map(|p| u16::from_le_bytes([p[0], p[1]]))
                .collect::<Vec<_>>(),
        )
        .unwrap();
        assert!(back.contains(" *****-*****-*****-*****-2YT43 "));
        assert!(!back.contains("NPPR9"));
        assert_eq!(s.sha256, hex(&Sha256::digest(&stored)));
        assert!(!dir.path().join("b.zip.partial").exists());
    }

    #[test]
    fn a_second_zip_in_the_same_second_gets_its_own_name_and_entries_their_time() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("CMGE_Log_h_20261206-120000.zip");
        let first = BundleWriter::create(&target).unwrap();
        // While the first is being written, and after it is finished.
        let mut second = BundleWriter::create(&target).unwrap();
        second.add_bytes("x.txt", b"x").unwrap();
        let first = first.finish().unwrap();
        let third = BundleWriter::create(&target).unwrap().finish().unwrap();
        let second = second.finish().unwrap();
        let name = |p: &Path| p.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(name(&first), "CMGE_Log_h_20261206-120000.zip");
        assert_eq!(name(&second), "CMGE_Log_h_20261206-120000-2.zip");
        assert_eq!(name(&third), "CMGE_Log_h_20261206-120000-3.zip");
        let mut z = zip::ZipArchive::new(File::open(&second).unwrap()).unwrap();
        let stamped = z.by_name("x.txt").unwrap().last_modified().unwrap();
        use chrono::Datelike;
        assert_eq!(stamped.year() as i32, chrono::Local::now().year());
    }
}
