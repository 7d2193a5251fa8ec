//! Zip bundles, read entry by entry in memory with caps on entry size, total size and count.

use super::{Entry, Limits, ReadError, ReadErrorKind, ReadOutcome};
use std::fs::File;
use std::io::{BufReader, Read};
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
    let mut archive = match ZipArchive::new(BufReader::new(file)) {
        Ok(a) => a,
        Err(e) => {
            out.errors.push(ReadError::new(
                input,
                None,
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
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let name_of =
            |a: &ZipArchive<BufReader<File>>| a.name_for_index(index).and_then(|n| n.ok()).map(|n| n.into_owned());
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
        if member.enclosed_name().is_none() {
            out.errors
                .push(ReadError::new(input, Some(raw_name), ReadErrorKind::UnsafeName));
            continue;
        }
        let name = raw_name.replace('\\', "/");
        if member.encrypted() {
            out.errors
                .push(ReadError::new(input, Some(name), ReadErrorKind::Encrypted));
            continue;
        }
        if member.size() > limits.max_entry_bytes {
            out.errors.push(ReadError::new(
                input,
                Some(name),
                ReadErrorKind::EntryTooLarge {
                    limit: limits.max_entry_bytes,
                },
            ));
            continue;
        }
        // The declared size can lie (zip bombs), so the read itself is capped too.
        let room = limits.max_total_bytes.saturating_sub(total);
        let cap = limits.max_entry_bytes.min(room);
        let mut data = Vec::with_capacity(member.size().min(cap) as usize);
        if let Err(e) = (&mut member).take(cap + 1).read_to_end(&mut data) {
            out.errors.push(ReadError::new(
                input,
                Some(name),
                ReadErrorKind::Corrupt { detail: e.to_string() },
            ));
            continue;
        }
        if data.len() as u64 > cap {
            let kind = if cap < limits.max_entry_bytes {
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
        }
        total += data.len() as u64;
        out.entries.push(Entry {
            input: input.to_string(),
            path: name,
            data,
        });
    }
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
