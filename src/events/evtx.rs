//! `.evtx` files, parsed from memory with the `evtx` crate.
//!
//! Each record is rendered as XML by the crate and read by [`super::xml`], the same reader
//! as for exports, so both give the same fields. The crate yields one error per chunk it cannot
//! read (bad magic, truncated) and per wanted record it cannot build or render; it goes on with
//! the next one. Its errors are plain `thiserror` values: no backtrace is captured, even with
//! RUST_BACKTRACE=1.
//!
//! Records that the [`ChunkFilter`] rules out are not built or rendered, only counted (with
//! their time, which moves the bundle's "now"). First whole chunks: one search over the chunk,
//! then the record headers are walked to count its records. In the chunks that pass, each
//! record is checked on its own (see `evtx_filter`) from its header, before the crate builds
//! its content (`next_wanted`, added to the crate in vendor/evtx: see its PATCH.md). A chunk
//! whose structure does not check out is left to the parser, which reports what is wrong
//! with it.

use super::chunk_filter::{ChunkFilter, Found};
use super::evtx_filter::RecordCheck;
use super::{xml, EventReadError, EventRecord, Unread};
use crate::bundle::{Content, Document};
use ::evtx::err::EvtxError;
use ::evtx::{EvtxChunkHeader, EvtxParser, EvtxRecord, EvtxRecordHeader, MaybeRecord, ParserSettings, RecordWindow};
use std::sync::Arc;

const CHUNK_HEADER_SIZE: usize = 512;

pub(super) fn read(
    doc: &Document,
    raw: &Content,
    filter: &ChunkFilter,
    unread: &mut Unread,
    on_record: &mut dyn FnMut(EventRecord),
) -> Vec<EventReadError> {
    // A reader over the bytes in memory or in the file (`from_buffer` would need a copy).
    let parser = match raw
        .reader()
        .map_err(EvtxError::from)
        .and_then(EvtxParser::from_read_seek)
    {
        Ok(p) => p,
        Err(e) => {
            return vec![EventReadError::new(
                doc,
                ("events-not-evtx", &[]),
                format!("not a readable EVTX file: {e}"),
            )]
        }
    };
    let mut errors = Vec::new();
    if let Some(rest) = partial_chunk(raw.len(), u64::from(parser.header().header_block_size)) {
        errors.push(EventReadError::new(
            doc,
            ("events-truncated", &[("bytes", &rest)]),
            format!("the file ends inside a chunk: its last {rest} bytes were not read (truncated file?)"),
        ));
    }
    // One thread: files are parallelised by the caller. Checksums are not enforced, so that
    // files whose chunk CRC32 is not set (seen in the wild) are still read.
    let settings = Arc::new(ParserSettings::new().num_threads(1).validate_checksums(false));
    let mut parser = parser.with_configuration((*settings).clone());
    let base = EventRecord::for_doc(doc);
    let mut found = Found::default();
    let mut seen = filter.empty_seen();
    let mut check = RecordCheck::new(filter);
    for chunk in parser.chunks() {
        let mut chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                let number = match &e {
                    EvtxError::FailedToParseChunk { chunk_id, .. } => chunk_id.to_string(),
                    _ => "?".to_string(),
                };
                errors.push(EventReadError::new(
                    doc,
                    ("events-bad-chunk", &[("chunk", &number)]),
                    with_causes(&e),
                ));
                continue;
            }
        };
        if !filter.wants_everything() {
            // One search of the chunk; its records and templates are then looked up in it.
            filter.find_all(&chunk.data, &mut found);
            if !filter.chunk_holds(&found, chunk.data.len(), &mut seen) {
                if let Some((count, newest)) = records_in(&chunk.data) {
                    unread.add(count, newest);
                    continue;
                }
            }
        }
        let number = chunk.number.unwrap_or_default();
        let mut parsed = match chunk.parse(Arc::clone(&settings)) {
            Ok(p) => p,
            Err(e) => {
                let e = EvtxError::FailedToParseChunk {
                    chunk_id: number,
                    source: Box::new(e),
                };
                errors.push(EventReadError::new(
                    doc,
                    ("events-bad-chunk", &[("chunk", &number)]),
                    with_causes(&e),
                ));
                continue;
            }
        };
        check.next_chunk();
        let bytes = parsed.data;
        let mut records = parsed.iter();
        // A record that no consumer can want is not even built (the patched crate's
        // `next_wanted`: building is most of what iterating costs), only counted.
        let mut wanted = |w: &RecordWindow| {
            filter.wants_everything()
                || check.wanted(
                    filter,
                    bytes,
                    &found,
                    usize::try_from(w.binxml_offset).unwrap_or(usize::MAX),
                    w.binxml_size as usize,
                )
        };
        while let Some(record) = records.next_wanted(&mut wanted) {
            match record {
                Ok(MaybeRecord::Built(record)) => render(doc, &base, record, &mut errors, on_record),
                Ok(MaybeRecord::Skipped(w)) => unread.add(1, Some(w.timestamp.as_second())),
                Err(e) => errors.push(EventReadError::new(
                    doc,
                    ("events-bad-record", &[("chunk", &number)]),
                    with_causes(&e),
                )),
            }
        }
    }
    errors
}

/// Renders one record as XML and reads its fields.
fn render(
    doc: &Document,
    base: &EventRecord,
    record: EvtxRecord<'_>,
    errors: &mut Vec<EventReadError>,
    on_record: &mut dyn FnMut(EventRecord),
) {
    let id = record.event_record_id;
    let record = match record.into_xml() {
        Ok(r) => r,
        Err(e) => {
            errors.push(EventReadError::new(
                doc,
                ("events-bad-record-id", &[("id", &id)]),
                with_causes(&e),
            ));
            return;
        }
    };
    let mut delivered = false;
    let parsed = xml::parse(&record.data, base, &mut |mut rec| {
        // The record header has both too; the XML wins when it has them.
        rec.record_id = rec.record_id.or(Some(id));
        rec.logged = Some(record.timestamp.as_second());
        if rec.time.is_none() {
            rec.time = Some(record.timestamp.to_string());
        }
        delivered = true;
        on_record(rec);
    });
    if let Err(detail) = parsed {
        errors.push(EventReadError::new(
            doc,
            ("events-bad-record-id", &[("id", &id)]),
            format!("record {id}: {detail}"),
        ));
    } else if !delivered {
        errors.push(EventReadError::new(
            doc,
            ("events-bad-record-id", &[("id", &id)]),
            format!("record {id}: no <Event> element"),
        ));
    }
}

/// The number of records in an intact chunk and the newest record time (seconds since the
/// epoch), walking the record headers as the parser does: from the chunk header to the free
/// space or the chunk's last record. `None` when something does not check out (no chunk
/// magic, a bad record header, a record past the chunk's end).
fn records_in(chunk: &[u8]) -> Option<(usize, Option<i64>)> {
    let header = EvtxChunkHeader::from_bytes(chunk).ok()?;
    let live_end = (header.free_space_offset as usize).min(chunk.len());
    let mut offset = CHUNK_HEADER_SIZE;
    let mut count = 0;
    let mut newest: Option<i64> = None;
    while offset < live_end {
        let record = EvtxRecordHeader::from_bytes_at(chunk, offset).ok()?;
        record.record_data_size().ok()?;
        let end = offset.checked_add(usize::try_from(record.data_size).ok()?)?;
        if end > chunk.len() {
            return None;
        }
        count += 1;
        let t = record.timestamp.as_second();
        newest = Some(newest.map_or(t, |n| n.max(t)));
        if record.event_record_id == header.last_event_record_id {
            break;
        }
        offset = end;
    }
    Some((count, newest))
}

/// The crate reads whole 64 KiB chunks only and silently ignores a cut-off last one (a file
/// copied while it was written, or truncated by a transfer): the bytes it leaves unread.
fn partial_chunk(len: u64, header_size: u64) -> Option<u64> {
    const CHUNK: u64 = 0x10000;
    let rest = len.checked_sub(header_size)? % CHUNK;
    (rest != 0).then_some(rest)
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
