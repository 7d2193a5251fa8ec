//! An entry's bytes: in memory, or — for a large event log — in a file that is read chunk by
//! chunk when its events are scanned.
//!
//! A real collection holds System and Application logs of 20 to 256 MB beside a CBS.log of
//! over 100 MB. Text must be in memory to be decoded and searched, but an `.evtx` is read
//! 64 KiB at a time by the parser, so holding it whole only adds its size to the peak: a
//! bundle of that shape peaked at 350 MiB with the logs in memory. A loose or unpacked log is
//! read from where it lies; one inside a zip is inflated into an unnamed temporary file,
//! which the system deletes when it is closed (or the process ends, however it ends).

use super::Limits;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// Bytes kept in memory from a file's start, for recognising its format by magic.
const HEAD: u64 = 4096;

#[derive(Debug)]
pub enum Content {
    Memory(Vec<u8>),
    File(FileContent),
}

/// A file holding the bytes, its length when read, and its first bytes.
#[derive(Debug)]
pub struct FileContent {
    file: File,
    len: u64,
    head: Vec<u8>,
}

impl From<Vec<u8>> for Content {
    fn from(bytes: Vec<u8>) -> Content {
        Content::Memory(bytes)
    }
}

impl Content {
    pub fn len(&self) -> u64 {
        match self {
            Content::Memory(b) => b.len() as u64,
            Content::File(f) => f.len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first bytes (all of them when in memory): enough to recognise a format by magic.
    pub fn head(&self) -> &[u8] {
        match self {
            Content::Memory(b) => b,
            Content::File(f) => &f.head,
        }
    }

    /// All the bytes in memory (read from the file if need be).
    pub fn into_bytes(self) -> std::io::Result<Vec<u8>> {
        match self {
            Content::Memory(b) => Ok(b),
            Content::File(mut f) => {
                f.file.seek(SeekFrom::Start(0))?;
                let mut bytes = Vec::with_capacity(f.len as usize);
                (&f.file).take(f.len).read_to_end(&mut bytes)?;
                Ok(bytes)
            }
        }
    }

    /// A reader over the bytes from their start, for parsers that read piece by piece.
    pub fn reader(&self) -> std::io::Result<ContentReader<'_>> {
        Ok(match self {
            Content::Memory(b) => ContentReader::Memory(std::io::Cursor::new(b)),
            Content::File(f) => {
                let mut file = &f.file;
                file.seek(SeekFrom::Start(0))?;
                ContentReader::File(file)
            }
        })
    }
}

/// Either reader of [`Content::reader`].
pub enum ContentReader<'a> {
    Memory(std::io::Cursor<&'a Vec<u8>>),
    File(&'a File),
}

impl Read for ContentReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            ContentReader::Memory(c) => c.read(buf),
            ContentReader::File(f) => f.read(buf),
        }
    }
}

impl Seek for ContentReader<'_> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        match self {
            ContentReader::Memory(c) => c.seek(pos),
            ContentReader::File(f) => f.seek(pos),
        }
    }
}

/// Whether a zip entry of this name and size is read as a file (a temporary one) rather than
/// into memory.
pub fn stays_in_file(name: &str, size: u64, limits: &Limits) -> bool {
    size >= limits.evtx_in_file_from && is_evtx_name(name)
}

/// Whether the name says event log (`.evtx`, any case).
pub fn is_evtx_name(name: &str) -> bool {
    Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("evtx"))
}

/// An open file on disk, read where it lies (`len` is its size now) when it is an event log
/// (by its magic, whatever its name said); anything else is read into memory.
pub fn from_file(mut file: File, len: u64) -> std::io::Result<Content> {
    let head = read_head(&mut file)?;
    let content = Content::File(FileContent { file, len, head });
    if content.head().starts_with(crate::events::EVTX_MAGIC) {
        Ok(content)
    } else {
        content.into_bytes().map(Content::Memory)
    }
}

/// Copies at most `cap + 1` bytes of `reader` into a temporary file; returns the content, or
/// `None` when there were more than `cap` bytes. When no temporary file can be made or written
/// (no writable temp folder, a full disk), the bytes are read into memory instead: the local
/// disk's trouble is not the bundle's.
pub fn spill(reader: &mut impl Read, cap: u64) -> std::io::Result<Option<Content>> {
    let mut limited = reader.take(cap.saturating_add(1));
    match tempfile::tempfile() {
        Ok(file) => spill_into(&mut limited, cap, file),
        Err(_) => in_memory(Vec::new(), &mut limited, cap),
    }
}

/// The copy of [`spill`]. A failed read is the entry's (an error for the caller to report); a
/// failed write is the disk's: what was written is read back and the rest read into memory.
fn spill_into(limited: &mut impl Read, cap: u64, mut file: File) -> std::io::Result<Option<Content>> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut len: u64 = 0;
    loop {
        let n = match limited.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if file.write_all(&buf[..n]).is_err() {
            let mut bytes = Vec::new();
            file.seek(SeekFrom::Start(0))?;
            (&file).take(len).read_to_end(&mut bytes)?;
            bytes.extend_from_slice(&buf[..n]);
            return in_memory(bytes, limited, cap);
        }
        len += n as u64;
    }
    if len > cap {
        return Ok(None);
    }
    file.seek(SeekFrom::Start(0))?;
    from_file(file, len).map(Some)
}

/// `bytes` followed by the rest of `reader`, in memory.
fn in_memory(mut bytes: Vec<u8>, reader: &mut impl Read, cap: u64) -> std::io::Result<Option<Content>> {
    reader.read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= cap).then_some(Content::Memory(bytes)))
}

fn read_head(file: &mut File) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEAD as usize);
    (&mut *file).take(HEAD).read_to_end(&mut head)?;
    file.seek(SeekFrom::Start(0))?;
    Ok(head)
}

/// Opens a file on disk for [`from_file`].
pub fn open(path: &Path) -> std::io::Result<(File, u64)> {
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    Ok((file, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spilled_entry_reads_back_as_it_was_written() {
        let mut bytes = crate::events::EVTX_MAGIC.to_vec();
        bytes.extend((0..200_000u32).map(|i| (i % 251) as u8));
        let content = spill(&mut bytes.as_slice(), 1 << 20).unwrap().unwrap();
        assert!(matches!(content, Content::File(_)));
        assert_eq!(content.len(), bytes.len() as u64);
        assert_eq!(content.head(), &bytes[..HEAD as usize]);
        let mut again = Vec::new();
        content.reader().unwrap().read_to_end(&mut again).unwrap();
        assert_eq!(again, bytes);
        // The reader starts from the beginning each time.
        let mut twice = Vec::new();
        content.reader().unwrap().read_to_end(&mut twice).unwrap();
        assert_eq!(twice, bytes);
        assert_eq!(content.into_bytes().unwrap(), bytes);
    }

    #[test]
    fn what_is_no_event_log_is_read_into_memory_whatever_its_name() {
        let bytes = vec![7u8; 10_000];
        let content = spill(&mut bytes.as_slice(), 1 << 20).unwrap().unwrap();
        assert!(matches!(&content, Content::Memory(b) if *b == bytes));
    }

    /// A temporary file that cannot be written (here: opened read-only; a full disk alike)
    /// costs memory, not the entry.
    #[test]
    fn a_file_that_cannot_be_written_falls_back_to_memory() {
        let path = tempfile::NamedTempFile::new().unwrap().into_temp_path();
        let read_only = File::open(&path).unwrap();
        let mut bytes = crate::events::EVTX_MAGIC.to_vec();
        bytes.extend((0..150_000u32).map(|i| (i % 7) as u8));
        let content = spill_into(&mut bytes.as_slice(), 1 << 20, read_only).unwrap().unwrap();
        assert!(matches!(&content, Content::Memory(b) if *b == bytes));
        let read_only = File::open(&path).unwrap();
        assert!(spill_into(&mut bytes.as_slice(), 1000, read_only).unwrap().is_none());
    }

    #[test]
    fn more_than_the_cap_is_refused() {
        let bytes = vec![7u8; 1000];
        assert!(spill(&mut bytes.as_slice(), 999).unwrap().is_none());
        assert!(spill(&mut bytes.as_slice(), 1000).unwrap().is_some());
    }

    #[test]
    fn only_large_event_logs_stay_in_files() {
        let limits = Limits::default();
        let from = limits.evtx_in_file_from;
        assert!(stays_in_file("eventlogs/System.evtx", from, &limits));
        assert!(stays_in_file("Logs/x.EVTX", from * 4, &limits));
        assert!(!stays_in_file("eventlogs/System.evtx", from - 1, &limits));
        assert!(!stays_in_file("Logs/CBS/CBS.log", from * 16, &limits));
        assert!(!stays_in_file("evtx", from, &limits));
    }
}
