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
    pub fn create(target: &Path) -> io::Result<BundleWriter> {
        let mut partial = target.as_os_str().to_owned();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        let file = File::create(&partial)?;
        Ok(BundleWriter {
            zip: ZipWriter::new(BufWriter::new(file)),
            partial,
            target: target.to_path_buf(),
            names: Default::default(),
        })
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
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .large_file(len >= u32::MAX as u64 / 2);
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
        let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        self.zip.start_file(name, options).map_err(io::Error::other)?;
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
}
