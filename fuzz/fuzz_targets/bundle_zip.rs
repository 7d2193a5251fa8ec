#![no_main]
//! The bundle reader on arbitrary zip bytes (`bundle::read_zip_bytes`, the same code that reads
//! a `.zip` input), with small caps so a bomb costs little; each entry read then becomes a
//! document (decoding, detection, line cap) and goes through the extractors.

use cmgelog::bundle::{self, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_entry_bytes: 1 << 20,
        max_total_bytes: 4 << 20,
        max_entries: 1000,
        ..Limits::default()
    };
    let read = bundle::read_zip_bytes("fuzz.zip", data, &limits);
    // As the analyzer does: entries to documents (decoding, detection, the line cap), then
    // every extractor; the errors rendered as the report shows them.
    let (docs, errors) = cmgelog::facts::into_documents(read, &limits);
    for e in &errors {
        let _ = e.to_string();
    }
    let _ = cmgelog::facts::extract(&docs);
});
