//! `.evtx` files, parsed from memory with the `evtx` crate.
//!
//! Each record is rendered as XML by the crate and read by [`super::xml`], the same reader
//! as for exports, so both give the same fields. The crate yields one error per chunk it cannot
//! read (bad magic, truncated) and per record it cannot render; it goes on with the next one.
//! Its errors are plain `thiserror` values: no backtrace is captured, even with RUST_BACKTRACE=1.

use super::{xml, EventReadError, EventRecord};
use crate::bundle::Document;
use ::evtx::{EvtxParser, ParserSettings};
use std::io::Cursor;

pub(super) fn read(doc: &Document, raw: &[u8], on_record: &mut dyn FnMut(EventRecord)) -> Vec<EventReadError> {
    // A cursor over the borrowed bytes: `from_buffer` would need a copy of the whole file.
    let parser = match EvtxParser::from_read_seek(Cursor::new(raw)) {
        Ok(p) => p,
        Err(e) => return vec![EventReadError::new(doc, format!("not a readable EVTX file: {e}"))],
    };
    // One thread: files are parallelised by the caller. Checksums are not enforced, so that
    // files whose chunk CRC32 is not set (seen in the wild) are still read.
    let settings = ParserSettings::new().num_threads(1).validate_checksums(false);
    let mut parser = parser.with_configuration(settings);
    let base = EventRecord::for_doc(doc);
    let mut errors = Vec::new();
    if let Some(detail) = partial_chunk(raw, u64::from(parser.header().header_block_size)) {
        errors.push(EventReadError::new(doc, detail));
    }
    for result in parser.records() {
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                errors.push(EventReadError::new(doc, with_causes(&e)));
                continue;
            }
        };
        let mut delivered = false;
        let parsed = xml::parse(&record.data, &base, &mut |mut rec| {
            // The record header has both too; the XML wins when it has them.
            rec.record_id = rec.record_id.or(Some(record.event_record_id));
            if rec.time.is_none() {
                rec.time = Some(record.timestamp.to_string());
            }
            delivered = true;
            on_record(rec);
        });
        if let Err(detail) = parsed {
            errors.push(EventReadError::new(
                doc,
                format!("record {}: {detail}", record.event_record_id),
            ));
        } else if !delivered {
            errors.push(EventReadError::new(
                doc,
                format!("record {}: no <Event> element", record.event_record_id),
            ));
        }
    }
    errors
}

/// The crate reads whole 64 KiB chunks only and silently ignores a cut-off last one (a file
/// copied while it was written, or truncated by a transfer): say so.
fn partial_chunk(raw: &[u8], header_size: u64) -> Option<String> {
    const CHUNK: u64 = 0x10000;
    let len = u64::try_from(raw.len()).ok()?;
    let rest = len.checked_sub(header_size)? % CHUNK;
    (rest != 0).then(|| format!("the file ends inside a chunk: its last {rest} bytes were not read (truncated file?)"))
}

/// An error with its causes ("Failed to parse chunk number 6: invalid chunk magic ...").
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let c_text = c.to_string();
        // Some errors repeat their cause in their own message.
        if !text.contains(&c_text) {
            text.push_str(": ");
            text.push_str(&c_text);
        }
        cause = c.source();
    }
    text
}
