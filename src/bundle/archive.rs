//! Zip bundles, read entry by entry in memory (large event logs through a temporary file,
//! see `content`) with caps on entry size, total size and count.

use super::content::{self, Content};
use super::{Entry, Limits, ReadError, ReadErrorKind, ReadOutcome};
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;
use zip::result::ZipError;
use zip::ZipArchive;

pub(super) fn read_zip(path: &Path, input: &str, limits: &Limits, out: &mut ReadOutcome) {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            out.errors
                .push(ReadError::new(input, None, ReadErrorKind::Io { detail: e.to_string() }));
            return;
        }
    };
    read_zip_from(BufReader::new(file), input, limits, out);
}

/// How deep zips inside zips are opened: users and portals wrap the collector's zip again
/// (a zip of the zip), rarely more. A deeper one stays an entry of its own.
const MAX_NESTING: usize = 2;

/// Reads a zip from any seekable source (a file, or bytes in memory).
pub(super) fn read_zip_from<R: Read + Seek>(reader: R, input: &str, limits: &Limits, out: &mut ReadOutcome) {
    read_nested(reader, input, "", 0, limits, out);
}

/// Reads a zip whose entries are named `prefix` + their name (`outer.zip/` for a zip inside
/// the bundle), at nesting `depth`; the caps of `limits` hold for it and everything inside.
fn read_nested<R: Read + Seek>(
    reader: R,
    input: &str,
    prefix: &str,
    depth: usize,
    limits: &Limits,
    out: &mut ReadOutcome,
) {
    let archive = match ZipArchive::new(reader) {
        Ok(a) => a,
        Err(e) => {
            out.errors.push(ReadError::new(
                input,
                (!prefix.is_empty()).then(|| prefix.trim_end_matches('/').to_string()),
                ReadErrorKind::NotAZip { detail: e.to_string() },
            ));
            return;
        }
    };
    if archive.len() > limits.max_entries {
        out.errors.push(ReadError::new(
            input,
            None,
            ReadErrorKind::TooManyEntries {
                count: archive.len(),
                limit: limits.max_entries,
            },
        ));
        return;
    }
    let mut archive = match report_duplicates(archive, input, limits, out) {
        Ok(a) => a,
        Err(e) => {
            out.errors.push(ReadError::new(input, None, classify(e)));
            return;
        }
    };
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let name_of = |a: &ZipArchive<R>| a.name_for_index(index).and_then(|n| n.ok()).map(|n| n.into_owned());
        let fallback_name = name_of(&archive);
        let mut member = match archive.by_index(index) {
            Ok(m) => m,
            Err(e) => {
                let name = fallback_name;
                out.errors.push(ReadError::new(input, name, classify(e)));
                continue;
            }
        };
        if member.is_dir() {
            continue;
        }
        let raw_name = match member.name() {
            Ok(n) => n.into_owned(),
            Err(e) => {
                out.errors.push(ReadError::new(input, None, classify(e)));
                continue;
            }
        };
        if member.enclosed_name().is_none() || escapes(&raw_name) {
            out.errors
                .push(ReadError::new(input, Some(raw_name), ReadErrorKind::UnsafeName));
            continue;
        }
        let name = format!("{prefix}{}", raw_name.replace('\\', "/"));
        if member.encrypted() {
            out.errors
                .push(ReadError::new(input, Some(name), ReadErrorKind::Encrypted));
            continue;
        }
        // Most it may inflate to before it counts as a bomb.
        let ratio_cap = member
            .compressed_size()
            .saturating_mul(limits.max_ratio)
            .max(super::RATIO_GRACE_BYTES);
        if member.size() > limits.max_entry_bytes || member.size() > ratio_cap {
            let kind = if member.size() > limits.max_entry_bytes {
                ReadErrorKind::EntryTooLarge {
                    limit: limits.max_entry_bytes,
                }
            } else {
                ReadErrorKind::CompressionRatio {
                    limit: limits.max_ratio,
                }
            };
            out.errors.push(ReadError::new(input, Some(name), kind));
            continue;
        }
        // The declared size can lie (zip bombs), so the read itself is capped too.
        let room = limits.max_total_bytes.saturating_sub(total);
        let cap = limits.max_entry_bytes.min(room).min(ratio_cap);
        let data = if content::stays_in_file(&name, member.size(), limits) {
            content::spill(&mut member, cap)
        } else {
            let mut data = Vec::with_capacity(member.size().min(cap) as usize);
            (&mut member)
                .take(cap + 1)
                .read_to_end(&mut data)
                .map(|_| (data.len() as u64 <= cap).then_some(Content::Memory(data)))
        };
        let data = match data {
            Ok(d) => d,
            Err(e) => {
                out.errors.push(ReadError::new(
                    input,
                    Some(name),
                    ReadErrorKind::Corrupt { detail: e.to_string() },
                ));
                continue;
            }
        };
        let Some(data) = data else {
            // Name the cap that stopped the read; the total cap stops the whole input.
            let kind = if cap == ratio_cap && ratio_cap < limits.max_entry_bytes.min(room) {
                ReadErrorKind::CompressionRatio {
                    limit: limits.max_ratio,
                }
            } else if cap < limits.max_entry_bytes {
                ReadErrorKind::TotalTooLarge {
                    limit: limits.max_total_bytes,
                }
            } else {
                ReadErrorKind::EntryTooLarge {
                    limit: limits.max_entry_bytes,
                }
            };
            let stop = matches!(kind, ReadErrorKind::TotalTooLarge { .. });
            out.errors.push(ReadError::new(input, Some(name), kind));
            if stop {
                return;
            }
            continue;
        };
        let nested_zip = match &data {
            Content::Memory(bytes) if depth + 1 < MAX_NESTING && bytes.starts_with(super::ZIP_MAGIC) => Some(bytes),
            _ => None,
        };
        if let Some(zip) = nested_zip {
            // A zip inside the bundle: its entries are read within what is left of the caps.
            let inner = Limits {
                max_total_bytes: room,
                ..*limits
            };
            let before = out.entries.len();
            read_nested(
                std::io::Cursor::new(zip),
                input,
                &format!("{name}/"),
                depth + 1,
                &inner,
                out,
            );
            total += out.entries[before..].iter().map(|e| e.data.len()).sum::<u64>();
            continue;
        }
        total += data.len();
        out.entries.push(Entry {
            input: input.to_string(),
            path: name,
            data,
        });
    }
}

/// True for names that are absolute or climb out of the bundle, whatever the separator:
/// `/etc/x`, `\\server\share`, `C:\x`, `C:x`, `a/../../x`. The zip crate's `enclosed_name`
/// accepts a leading root or drive (it strips them); a bundle never has such names, so they
/// are refused and named rather than read under a changed name.
fn escapes(name: &str) -> bool {
    let name = name.replace('\\', "/");
    let bytes = name.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    name.starts_with('/') || drive || name.contains('\0') || name.split('/').any(|c| c == "..")
}

/// Zip readers index entries by name, so of several entries with one name only the last can
/// be read. Each such name is one `duplicate-name` error (found by walking the central
/// directory, which still lists every copy); then the archive is opened again from the start.
fn report_duplicates<R: Read + Seek>(
    archive: ZipArchive<R>,
    input: &str,
    limits: &Limits,
    out: &mut ReadOutcome,
) -> Result<ZipArchive<R>, ZipError> {
    if !archive.has_duplicate_names() {
        return Ok(archive);
    }
    let start = archive.central_directory_start();
    let mut reader = archive.into_inner();
    let names = central_directory_names(&mut reader, start, limits.max_entries.saturating_mul(2));
    let mut seen = std::collections::HashSet::new();
    let mut reported = std::collections::HashSet::new();
    for name in &names {
        if !seen.insert(name) && reported.insert(name) {
            out.errors.push(ReadError::new(
                input,
                Some(name.replace('\\', "/")),
                ReadErrorKind::DuplicateName,
            ));
        }
    }
    if reported.is_empty() {
        out.errors
            .push(ReadError::new(input, None, ReadErrorKind::DuplicateName));
    }
    reader.seek(std::io::SeekFrom::Start(0))?;
    ZipArchive::new(reader)
}

/// The names of the central directory's file headers from `start` (APPNOTE 4.3.12), at most
/// `most`; stops at the first thing that is not a file header.
fn central_directory_names<R: Read + Seek>(reader: &mut R, start: u64, most: usize) -> Vec<String> {
    let mut names = Vec::new();
    if reader.seek(std::io::SeekFrom::Start(start)).is_err() {
        return names;
    }
    let mut header = [0u8; 46];
    while names.len() < most && reader.read_exact(&mut header).is_ok() {
        if header[..4] != [0x50, 0x4b, 0x01, 0x02] {
            break;
        }
        let le16 = |at: usize| u16::from_le_bytes([header[at], header[at + 1]]) as usize;
        let (name_len, rest) = (le16(28), le16(30) + le16(32));
        let mut name = vec![0u8; name_len];
        if reader.read_exact(&mut name).is_err() || reader.seek(std::io::SeekFrom::Current(rest as i64)).is_err() {
            break;
        }
        names.push(String::from_utf8_lossy(&name).into_owned());
    }
    names
}

fn classify(e: ZipError) -> ReadErrorKind {
    match e {
        ZipError::UnsupportedArchive(msg) if msg.to_ascii_lowercase().contains("password") => ReadErrorKind::Encrypted,
        ZipError::Io(io) => ReadErrorKind::Corrupt { detail: io.to_string() },
        other => ReadErrorKind::Corrupt {
            detail: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::escapes;

    #[test]
    fn absolute_and_climbing_names_escape_whatever_the_separator() {
        for name in [
            "../x",
            "a/../../x",
            "a\\..\\x",
            "/etc/x",
            "\\\\server\\share\\x",
            "C:\\x",
            "c:x",
            "C:/x",
            "a\0b",
        ] {
            assert!(escapes(name), "{name:?}");
        }
        for name in ["x", "a/b.txt", "..x/y", "a/..b", "Panther/setupact.log", "ab:c"] {
            assert!(!escapes(name), "{name:?}");
        }
    }
}
