#![no_main]
//! The `.evtx` record filter and reader on arbitrary record bytes: the input replaces the
//! records of the first chunk of a real System log (its chunk header, string and template
//! tables stay), and the log goes through `read_wanted_events` with the built-in rules' event
//! filter (chunk search, record header walk, the template-reference parser of
//! `events::evtx_filter`, rendering of the records kept).

use cmgelog::bundle::{Document, Entry};
use cmgelog::rules::RuleSet;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

const LOG: &[u8] = include_bytes!("../../tests/fixtures/evtx/system.evtx");
const FILE_HEADER: usize = 0x1000;
const CHUNK: usize = 0x10000;
const RECORDS: usize = 512;

static RULES: LazyLock<RuleSet> = LazyLock::new(|| RuleSet::builtin().expect("built-in rules load"));

fuzz_target!(|data: &[u8]| {
    let mut file = LOG[..FILE_HEADER + CHUNK].to_vec();
    let n = data.len().min(CHUNK - RECORDS);
    let start = FILE_HEADER + RECORDS;
    file[start..start + n].copy_from_slice(&data[..n]);
    // The live area ends where the input does (free_space_offset, at 48 in the chunk header).
    let free = u32::try_from(RECORDS + n).unwrap_or(u32::MAX).to_le_bytes();
    file[FILE_HEADER + 48..FILE_HEADER + 52].copy_from_slice(&free);
    let doc = Document::from_entry(Entry {
        input: "fuzz".into(),
        path: "fuzz.evtx".into(),
        data: file.into(),
    });
    let mut records = 0usize;
    let (errors, unread) = cmgelog::events::read_wanted_events(&doc, RULES.event_chunk_filter(), |_| records += 1);
    for e in &errors {
        let _ = e.to_string();
    }
    let _ = (records, unread);
});
