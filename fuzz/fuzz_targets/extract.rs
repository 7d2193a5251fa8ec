//! Shared by the extractor targets: the bytes go through the analyzer's own path.

use cmgelog::bundle::{Document, Kind};
use cmgelog::facts::{self, Machine};

/// Decodes and recognises `data` as the analyzer does for an entry named `path` (detection by
/// content, the name only a hint) and runs the extractors on it; then runs the extractor for
/// `kind` on the same document even when detection chose another one, so the parser under
/// test sees every input the fuzzer makes, not only those that look right.
pub fn run(path: &str, kind: Kind, data: &[u8]) {
    let doc = Document::from_bytes("fuzz.zip", path, data);
    let _ = facts::extract(std::slice::from_ref(&doc));
    let mut forced = doc;
    forced.kind = kind;
    let mut machine = Machine::default();
    facts::extract_one(&forced, &mut machine);
    facts::virt::add_derived_signals(&mut machine);
}
