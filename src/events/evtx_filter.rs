//! Whether one `.evtx` record can hold what the [`ChunkFilter`]'s consumers look for,
//! without rendering it.
//!
//! A record is a template instance (MS-EVEN6 §2.2.3): a reference to a template definition
//! somewhere in the chunk and the substitution values. The values are in the record's own
//! bytes. The static text (Windows writes the provider name there, not in the values) is in
//! the template definitions, which are defined once per chunk, inside the first record that
//! uses them. The event data is usually a nested BinXML value, itself a template instance
//! with a definition of its own. So a record can match when some clause holds over the
//! needles of its own bytes and of every template definition it refers to, at any depth, and
//! its integer substitution values (the event id is a `UInt16` value, never text in the
//! record). Anything that does not have this shape is rendered, whatever it holds.

use super::chunk_filter::{ChunkFilter, Found, Seen};
use std::collections::HashMap;

const FRAGMENT_HEADER: [u8; 4] = [0x0F, 0x01, 0x01, 0x00];
const TEMPLATE_INSTANCE: u8 = 0x0C;
/// A template definition: next offset (4), GUID (16), body size (4), then the body.
const DEFINITION_HEADER: usize = 24;
/// The value type of a nested BinXML fragment.
const BINXML_VALUE: u8 = 0x21;
/// Nesting deeper than this is rendered rather than followed.
const MAX_DEPTH: usize = 8;

/// The state of the record checks of one file: what each template definition of the
/// current chunk holds (by its offset in the chunk), and scratch space.
pub(super) struct RecordCheck {
    templates: HashMap<u32, Seen>,
    refs: References,
    seen: Seen,
}

impl RecordCheck {
    pub(super) fn new(filter: &ChunkFilter) -> RecordCheck {
        RecordCheck {
            templates: HashMap::new(),
            refs: References::default(),
            seen: filter.empty_seen(),
        }
    }

    /// Template offsets name other definitions in the next chunk.
    pub(super) fn next_chunk(&mut self) {
        self.templates.clear();
    }

    /// True unless the record at `offset..offset + size` of `chunk` is known to hold nothing
    /// a consumer looks for. `found` holds the needles of the whole chunk.
    pub(super) fn wanted(
        &mut self,
        filter: &ChunkFilter,
        chunk: &[u8],
        found: &Found,
        offset: usize,
        size: usize,
    ) -> bool {
        let Some(bytes) = chunk.get(offset..offset.saturating_add(size)) else {
            return true;
        };
        let seen = &mut self.seen;
        filter.seen_in(found, offset..offset + bytes.len(), seen);
        let refs = &mut self.refs;
        refs.definitions.clear();
        refs.values.clear();
        if template_references(chunk, offset, bytes.len(), 0, refs).is_none() {
            return true;
        }
        for &value in &refs.values {
            filter.add_value(value, seen);
        }
        for &def in &refs.definitions {
            let in_definition = match self.templates.get(&def) {
                Some(s) => s,
                None => {
                    let Some(range) = definition(chunk, def) else {
                        return true;
                    };
                    let mut s = filter.empty_seen();
                    filter.seen_in(found, range, &mut s);
                    self.templates.entry(def).or_insert(s)
                }
            };
            seen.add(in_definition);
        }
        filter.holds(seen)
    }
}

/// What a record's template instance refers to and holds, at any depth.
#[derive(Debug, Default)]
struct References {
    /// The offsets of the template definitions.
    definitions: Vec<u32>,
    /// The unsigned (or non-negative) integer substitution values: `EventID` is one.
    values: Vec<u32>,
}

/// The definition offsets and integer values of the template instance at `start` (a BinXML
/// fragment of `len` bytes in `chunk`, with or without the fragment header) and of the
/// instances nested in its values. `None` when it is not a single template instance of the
/// expected layout.
fn template_references(chunk: &[u8], start: usize, len: usize, depth: usize, out: &mut References) -> Option<()> {
    if depth > MAX_DEPTH {
        return None;
    }
    let end = start.checked_add(len)?;
    let at = |pos: usize, n: usize| chunk.get(pos..pos.checked_add(n)?).filter(|_| pos + n <= end);
    let u32_at = |pos: usize| at(pos, 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    // A record starts with a fragment header; a nested value may go straight to the instance.
    let token = if at(start, 4)? == FRAGMENT_HEADER {
        start + 4
    } else {
        start
    };
    if *at(token, 1)?.first()? != TEMPLATE_INSTANCE {
        return None;
    }
    // The token, an unknown byte, the template id, the definition offset.
    let def = u32_at(token + 6)?;
    out.definitions.push(def);
    let mut pos = token + 10;
    // Defined right here, on its first use in the chunk: skip the definition.
    if usize::try_from(def).ok()? == pos {
        let body = u32_at(pos + 20)? as usize;
        pos = pos.checked_add(DEFINITION_HEADER)?.checked_add(body)?;
    }
    let count = u32_at(pos)? as usize;
    pos += 4;
    // Descriptors (size u16, type u8, padding u8), then the values one after another.
    let descriptors = at(pos, count.checked_mul(4)?)?;
    pos += count * 4;
    for d in descriptors.chunks_exact(4) {
        let size = usize::from(u16::from_le_bytes([d[0], d[1]]));
        if d[2] == BINXML_VALUE && size > 0 {
            template_references(chunk, pos, size, depth + 1, out)?;
        } else if let Some(v) = integer(d[2], at(pos, size)?) {
            out.values.push(v);
        }
        pos = pos.checked_add(size)?;
    }
    (pos <= end).then_some(())
}

/// The value of an integer substitution (MS-EVEN6 §2.2.18 value types: UInt8, Int16, UInt16,
/// Int32, UInt32), as it is rendered; negative ones are left out (no id is negative).
fn integer(value_type: u8, bytes: &[u8]) -> Option<u32> {
    let v = match (value_type, bytes.len()) {
        (0x04, 1) => u32::from(bytes[0]),
        (0x05, 2) => u32::try_from(i16::from_le_bytes([bytes[0], bytes[1]])).ok()?,
        (0x06, 2) => u32::from(u16::from_le_bytes([bytes[0], bytes[1]])),
        (0x07, 4) => u32::try_from(i32::from_le_bytes(bytes.try_into().ok()?)).ok()?,
        (0x08, 4) => u32::from_le_bytes(bytes.try_into().ok()?),
        _ => return None,
    };
    Some(v)
}

/// Where the whole template definition at `offset` lies in the chunk (its body holds the
/// static text), or `None` when it does not fit in the chunk.
fn definition(chunk: &[u8], offset: u32) -> Option<std::ops::Range<usize>> {
    let start = usize::try_from(offset).ok()?;
    let size = chunk.get(start.checked_add(20)?..start.checked_add(DEFINITION_HEADER)?)?;
    let size = u32::from_le_bytes(size.try_into().ok()?) as usize;
    let end = start.checked_add(DEFINITION_HEADER)?.checked_add(size)?;
    (end <= chunk.len()).then_some(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{ChunkFilterBuilder, Needle};

    fn filter() -> ChunkFilter {
        let mut b = ChunkFilterBuilder::default();
        b.clause(vec![vec![Needle::Text("Service Control Manager".into())]]);
        b.build(false)
    }

    /// Any offset and size, in range or not, inside records or not, gives an answer and no
    /// panic: the bytes are untrusted, and a wrong guess only means rendering.
    #[test]
    fn arbitrary_ranges_of_a_real_chunk_never_panic() {
        let file = fixture!("evtx/system.evtx");
        let chunk = &file[0x1000..0x1000 + 0x10000];
        let f = filter();
        let mut check = RecordCheck::new(&f);
        let mut found = Found::default();
        f.find_all(chunk, &mut found);
        for offset in (0..chunk.len() + 100).step_by(37) {
            for size in [0, 1, 14, 24, 300, 4096, 70_000, usize::MAX] {
                check.wanted(&f, chunk, &found, offset, size);
            }
        }
        let mut garbage = chunk.to_vec();
        for (i, b) in garbage.iter_mut().enumerate().skip(512) {
            *b = b.wrapping_mul(31).wrapping_add(i as u8);
        }
        f.find_all(&garbage, &mut found);
        for offset in (0..garbage.len()).step_by(53) {
            check.next_chunk();
            check.wanted(&f, &garbage, &found, offset, 600);
        }
    }

    /// A template instance (without a fragment header) that refers to the definition at
    /// `def` and whose values are a `UInt16` and, if given, a nested instance.
    fn instance(def: u32, value: u16, nested: Option<Vec<u8>>) -> Vec<u8> {
        let mut values = vec![(0x06, value.to_le_bytes().to_vec())];
        values.extend(nested.map(|n| (BINXML_VALUE, n)));
        // The token, an unknown byte, the template id, the definition offset, the count.
        let mut out = vec![TEMPLATE_INSTANCE, 0x01, 0, 0, 0, 0];
        out.extend(def.to_le_bytes());
        out.extend((values.len() as u32).to_le_bytes());
        for (value_type, v) in &values {
            out.extend((v.len() as u16).to_le_bytes());
            out.extend([*value_type, 0]);
        }
        values.into_iter().for_each(|(_, v)| out.extend(v));
        out
    }

    /// `levels` instances, each nested in a value of the next; the outermost refers to
    /// definition 1000 + levels - 1 and holds the value 7000 + levels - 1.
    fn nested(levels: u32) -> Vec<u8> {
        (0..levels)
            .fold(None, |inner, i| Some(instance(1000 + i, 7000 + i as u16, inner)))
            .unwrap()
    }

    #[test]
    fn nested_instances_are_followed_to_a_bounded_depth() {
        let three = nested(3);
        let mut refs = References::default();
        assert!(template_references(&three, 0, three.len(), 0, &mut refs).is_some());
        assert_eq!(refs.definitions, [1002, 1001, 1000]);
        assert_eq!(refs.values, [7002, 7001, 7000]);
        // The deepest nesting followed, and one more, which is rendered instead.
        let deepest = nested(MAX_DEPTH as u32 + 1);
        assert!(template_references(&deepest, 0, deepest.len(), 0, &mut References::default()).is_some());
        let too_deep = nested(MAX_DEPTH as u32 + 2);
        assert!(template_references(&too_deep, 0, too_deep.len(), 0, &mut References::default()).is_none());
        // A record cut short inside its innermost value, or a record that claims fewer bytes
        // than its values take, does not have the expected layout.
        let cut = &three[..three.len() - 1];
        assert!(template_references(cut, 0, cut.len(), 0, &mut References::default()).is_none());
        assert!(template_references(&three, 0, three.len() - 1, 0, &mut References::default()).is_none());
    }

    /// The first record of the real System log: a template defined in place, with nested
    /// instances in its values; its definitions are found.
    #[test]
    fn first_record_of_a_real_chunk() {
        let file = fixture!("evtx/system.evtx");
        let chunk = &file[0x1000..0x1000 + 0x10000];
        let size = u32::from_le_bytes(chunk[512 + 4..512 + 8].try_into().unwrap()) as usize;
        // The record's BinXML: after the 24-byte record header, before the size copy.
        let (start, len) = (512 + 24, size - 28);
        let mut refs = References::default();
        assert!(template_references(chunk, start, len, 0, &mut refs).is_some());
        let defs = refs.definitions;
        assert!(
            defs.len() >= 2,
            "the record's event data is a nested instance: {defs:?}"
        );
        for d in &defs {
            assert!(definition(chunk, *d).is_some(), "definition at {d}");
        }
        // The top-level template is defined right in this record.
        assert_eq!(defs[0] as usize, start + 14);
    }
}
