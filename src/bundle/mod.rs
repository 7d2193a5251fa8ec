//! Inputs (zip bundles, folders, loose files) → entries, with caps; the document type that
//! the formats (`facts::formats`) recognise entries into.
//!
//! A zip is read in memory, entry by entry, never extracted to disk, except large event logs:
//! those are inflated into an unnamed temporary file that the system deletes when it is
//! closed, and read from it chunk by chunk (see [`content`]). Every cap violation or
//! unreadable member becomes a [`ReadError`] and the rest is still read, so one bad file never
//! hides the others.

mod archive;
pub mod content;
pub mod decode;
mod document;
mod error;
mod kind;
mod wmi_class;

pub use content::Content;
pub use document::Document;
pub use error::{ReadError, ReadErrorKind};
pub use kind::{looks_like_log, Kind, Reading};
pub use wmi_class::WmiClass;

use std::fs::File;
use std::io::Read;
use std::path::Path;
use walkdir::WalkDir;

/// Caps that keep hostile or broken inputs in bounded time and memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest single entry (uncompressed), in bytes.
    pub max_entry_bytes: u64,
    /// Largest total of all entries of one input, uncompressed.
    pub max_total_bytes: u64,
    /// Most entries in one archive or folder.
    pub max_entries: usize,
    /// Largest inflated-to-compressed ratio of a zip entry, once it is past
    /// [`RATIO_GRACE_BYTES`]. Text logs compress ten to thirty to one, event logs with empty
    /// chunks up to about seventy to one (tests/fixtures/evtx); a deflate stream of repeated
    /// bytes (a zip bomb) a thousand to one. Without it a bomb made of many entries, each
    /// under the entry cap, is held in memory up to the total cap.
    pub max_ratio: u64,
    /// Longest line of a document read line by line (logs, command outputs), in bytes. Longer
    /// lines are cut to this length (the rest of the document is still read, line numbers
    /// unchanged) so that no rule scans a line of hundreds of MiB. Event exports (wevtutil
    /// XML puts a whole log on one line) and JSON documents are parsed, not scanned by line,
    /// and are exempt.
    pub max_line_bytes: usize,
    /// A zip's event logs from this size are read from a temporary file rather than held in
    /// memory (see [`content`]); loose ones are always read where they lie.
    pub evtx_in_file_from: u64,
}

/// Zip entries that inflate to at most this much are never refused for their ratio (a small
/// file of repeated lines can legitimately compress very well).
pub const RATIO_GRACE_BYTES: u64 = 1024 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entry_bytes: 256 * 1024 * 1024,
            max_total_bytes: 1024 * 1024 * 1024,
            max_entries: 20_000,
            max_ratio: 200,
            max_line_bytes: 1024 * 1024,
            evtx_in_file_from: 8 * 1024 * 1024,
        }
    }
}

/// One file of an input: its bytes and where it came from.
#[derive(Debug)]
pub struct Entry {
    /// The input as the user named it (zip, folder or file path).
    pub input: String,
    /// Path inside the input, with `/` separators (the file name for a loose file).
    pub path: String,
    pub data: Content,
}

/// What reading one input produced: the readable entries and the errors met on the way.
#[derive(Debug, Default)]
pub struct ReadOutcome {
    pub entries: Vec<Entry>,
    pub errors: Vec<ReadError>,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const EMPTY_ZIP_MAGIC: &[u8] = b"PK\x05\x06";

/// Reads one input. The kind of input is decided by what it is (folder) or what it contains
/// (zip magic), with a `.zip` name only as a hint that a non-zip is an error.
pub fn read_input(path: &Path, limits: &Limits) -> ReadOutcome {
    let input = path.display().to_string();
    let mut out = ReadOutcome::default();
    if path.is_dir() {
        read_folder(path, &input, limits, &mut out);
        return out;
    }
    let named_zip = has_zip_extension(path);
    match sniff_prefix(path) {
        Err(e) => out.errors.push(io_error(&input, None, &e)),
        Ok(prefix) if prefix.starts_with(ZIP_MAGIC) || prefix.starts_with(EMPTY_ZIP_MAGIC) || named_zip => {
            archive::read_zip(path, &input, limits, &mut out)
        }
        Ok(_) => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| input.clone());
            match read_capped(path, &name, limits) {
                Ok(Some(data)) => out.entries.push(Entry {
                    input: input.clone(),
                    path: name,
                    data,
                }),
                Ok(None) => out.errors.push(ReadError::new(
                    &input,
                    None,
                    ReadErrorKind::EntryTooLarge {
                        limit: limits.max_entry_bytes,
                    },
                )),
                Err(e) => out.errors.push(io_error(&input, None, &e)),
            }
        }
    }
    out
}

/// Reads a zip bundle held in memory exactly as [`read_input`] reads a zip file (same caps,
/// same errors, entries named after `input`). For callers that already hold the bytes, and
/// for the fuzz target `bundle_zip` (fuzz/), which feeds arbitrary bytes through this path.
pub fn read_zip_bytes(input: &str, data: &[u8], limits: &Limits) -> ReadOutcome {
    let mut out = ReadOutcome::default();
    archive::read_zip_from(std::io::Cursor::new(data), input, limits, &mut out);
    out
}

/// Reads several inputs that describe one machine.
pub fn read_inputs(paths: &[impl AsRef<Path>], limits: &Limits) -> ReadOutcome {
    let mut all = ReadOutcome::default();
    for p in paths {
        let one = read_input(p.as_ref(), limits);
        all.entries.extend(one.entries);
        all.errors.extend(one.errors);
    }
    all
}

fn read_folder(dir: &Path, input: &str, limits: &Limits, out: &mut ReadOutcome) {
    let mut total: u64 = 0;
    let mut count = 0usize;
    // Symlinked folders are followed (a bundle unpacked elsewhere and linked in); walkdir
    // reports a link back to an ancestor as an error instead of looping.
    for item in WalkDir::new(dir).follow_links(true).sort_by_file_name() {
        let item = match item {
            Ok(i) => i,
            Err(e) => {
                let entry = e.path().map(|p| relative(dir, p));
                out.errors.push(ReadError::new(
                    input,
                    entry,
                    ReadErrorKind::Io { detail: e.to_string() },
                ));
                continue;
            }
        };
        if !item.file_type().is_file() {
            continue;
        }
        count += 1;
        if count > limits.max_entries {
            out.errors.push(ReadError::new(
                input,
                None,
                ReadErrorKind::TooManyEntries {
                    count,
                    limit: limits.max_entries,
                },
            ));
            return;
        }
        let rel = relative(dir, item.path());
        if sniff_prefix(item.path()).is_ok_and(|p| p.starts_with(ZIP_MAGIC)) {
            // A bundle inside a folder (e.g. the desktop folder a user sent): read it as one
            // more input so its entries are named after it.
            let nested = read_input(item.path(), limits);
            out.entries.extend(nested.entries);
            out.errors.extend(nested.errors);
            continue;
        }
        match read_capped(item.path(), &rel, limits) {
            Ok(Some(data)) => {
                total += data.len();
                if total > limits.max_total_bytes {
                    out.errors.push(ReadError::new(
                        input,
                        Some(rel),
                        ReadErrorKind::TotalTooLarge {
                            limit: limits.max_total_bytes,
                        },
                    ));
                    return;
                }
                out.entries.push(Entry {
                    input: input.to_string(),
                    path: rel,
                    data,
                });
            }
            Ok(None) => out.errors.push(ReadError::new(
                input,
                Some(rel),
                ReadErrorKind::EntryTooLarge {
                    limit: limits.max_entry_bytes,
                },
            )),
            Err(e) => out.errors.push(io_error(input, Some(rel), &e)),
        }
    }
}

fn relative(base: &Path, p: &Path) -> String {
    let rel = p.strip_prefix(base).unwrap_or(p);
    rel.to_string_lossy().replace('\\', "/")
}

fn has_zip_extension(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

fn sniff_prefix(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::with_capacity(4);
    File::open(path)?.take(4).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Reads a whole file, or `None` when it is larger than `cap`: a regular file from its size,
/// without reading it (a 10 GiB sparse file costs nothing); anything else (a pipe, a file that
/// grows) by reading no more than the cap.
fn read_capped(path: &Path, name: &str, limits: &Limits) -> std::io::Result<Option<Content>> {
    let cap = limits.max_entry_bytes;
    let (file, len) = content::open(path)?;
    let is_file = file.metadata()?.is_file();
    if is_file {
        if len > cap {
            return Ok(None);
        }
        // A loose event log is read where it lies, whatever its size: the parser reads it a
        // chunk at a time, and a copy in memory first only adds pages to touch (for a small
        // log, a visible part of its run).
        if content::is_evtx_name(name) {
            return content::from_file(file, len).map(Some);
        }
    }
    // A regular file's size is known: one allocation instead of a doubling series of copies
    // (the +1 is where read_to_end finds the end without growing the buffer).
    let mut data = Vec::with_capacity(if is_file { len as usize + 1 } else { 0 });
    file.take(cap + 1).read_to_end(&mut data)?;
    Ok((data.len() as u64 <= cap).then_some(data.into()))
}

fn io_error(input: &str, entry: Option<String>, e: &std::io::Error) -> ReadError {
    ReadError::new(input, entry, ReadErrorKind::Io { detail: e.to_string() })
}
