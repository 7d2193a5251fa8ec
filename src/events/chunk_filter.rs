//! Which 64 KiB chunks of an `.evtx` file are worth rendering.
//!
//! Rendering a record (BinXML → fields) costs far more than inflating it, and almost every
//! record of a System or Application log is of no interest to any rule or fact. But whatever
//! a consumer looks for is text that lies in the chunk's bytes: provider and channel names,
//! data strings (UTF-16LE, in the record or in a template of the same chunk), error codes
//! (as text, or as the 4 bytes of a hex-typed value). So one search over the raw chunk tells
//! whether any record in it *can* match; chunks where none can are only counted. The same
//! search's hits, by offset, then tell what each record and template definition holds (see
//! `evtx_filter`), which also counts the record's integer values (event ids).
//!
//! A consumer states what it needs as clauses: a clause holds when each of its groups has at
//! least one needle in the chunk; a chunk is wanted when some clause holds. A consumer that
//! cannot say (an event condition on a level alone) makes every chunk wanted. Needles are
//! searched ignoring ASCII case: that can only let more chunks through, never fewer.

use super::overlapping;
use aho_corasick::automaton::Automaton;
use aho_corasick::{dfa, nfa, MatchKind};
use std::collections::HashMap;

/// Shorter texts are searched in UTF-16LE only.
pub const MIN_8BIT_NEEDLE: usize = 5;

/// One alternative a group accepts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Needle {
    /// Text as Windows writes it in event logs: UTF-16LE (and, for the rare 8-bit string
    /// values, its UTF-8 bytes when it has at least [`MIN_8BIT_NEEDLE`] bytes).
    Text(String),
    /// Raw bytes, e.g. the little-endian 4 bytes of a `HexInt32` value.
    Bytes(Vec<u8>),
    /// An integer substitution value of the record (`UInt16`, `UInt32`...): an event id.
    /// Such values are only known record by record, by walking the template instance (see
    /// `evtx_filter`); a whole chunk counts as holding every one.
    Value(u32),
    /// All of these (a label and the number after it, say).
    All(Vec<Needle>),
}

impl Needle {
    fn is_empty(&self) -> bool {
        match self {
            Needle::Text(t) => t.is_empty(),
            Needle::Bytes(b) => b.is_empty(),
            Needle::Value(_) => false,
            Needle::All(parts) => parts.iter().all(Needle::is_empty),
        }
    }
}

/// The clauses of every consumer, before compilation.
#[derive(Debug, Default)]
pub struct ChunkFilterBuilder {
    keys: Vec<Key>,
    ids: HashMap<Key, usize>,
    clauses: Vec<Clause>,
    every_chunk: bool,
}

/// What one item of a clause looks for: bytes (searched), or an integer value (read from the
/// record's substitution values).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Bytes(Vec<u8>),
    Value(u32),
}

/// Groups that must all hold; a group holds when one of its items does; an item holds when
/// all of its keys are seen. Keys are indexes into the builder's keys.
type Clause = Vec<Vec<Vec<usize>>>;

impl ChunkFilterBuilder {
    /// Some consumer needs every record.
    pub fn every_chunk(&mut self) {
        self.every_chunk = true;
    }

    /// A chunk is wanted if, for each group, one of the group's needles is in it. An empty
    /// clause or an empty group says nothing can be ruled out: every chunk is wanted. An
    /// empty needle is in every chunk: its group holds always and is left out.
    pub fn clause(&mut self, groups: Vec<Vec<Needle>>) {
        let groups: Vec<Vec<Needle>> = groups.into_iter().filter(|g| !g.iter().any(Needle::is_empty)).collect();
        if groups.is_empty() || groups.iter().any(Vec::is_empty) {
            self.every_chunk = true;
            return;
        }
        let clause = groups
            .iter()
            .map(|group| group.iter().flat_map(|n| self.items(n)).collect())
            .collect();
        self.clauses.push(clause);
    }

    /// The items one needle stands for: one per byte form of a text, the product of the
    /// forms of each part of an `All`.
    fn items(&mut self, needle: &Needle) -> Vec<Vec<usize>> {
        match needle {
            Needle::Text(text) => {
                let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
                let mut forms = vec![vec![self.id(Key::Bytes(utf16))]];
                // 8-bit strings are rare in event logs; a short one (`hr`, `112`) would be
                // found in the binary parts of nearly every record.
                if text.len() >= MIN_8BIT_NEEDLE {
                    forms.push(vec![self.id(Key::Bytes(text.as_bytes().to_vec()))]);
                }
                forms
            }
            Needle::Bytes(bytes) => vec![vec![self.id(Key::Bytes(bytes.clone()))]],
            Needle::Value(v) => vec![vec![self.id(Key::Value(*v))]],
            Needle::All(parts) => parts.iter().fold(vec![Vec::new()], |acc, part| {
                let forms = self.items(part);
                acc.iter()
                    .flat_map(|a| forms.iter().map(move |f| [a.as_slice(), f].concat()))
                    .collect()
            }),
        }
    }

    fn id(&mut self, key: Key) -> usize {
        let next = self.keys.len();
        *self.ids.entry(key).or_insert_with_key(|k| {
            self.keys.push(k.clone());
            next
        })
    }

    /// Compiles the needles; `fast_search` builds a DFA (slower to build, faster to search:
    /// for many bundles), else a contiguous NFA.
    pub fn build(self, fast_search: bool) -> ChunkFilter {
        // The searched keys, and the key each pattern of the searcher stands for.
        let mut patterns = Vec::new();
        let mut pattern_key = Vec::new();
        let mut value_key = Vec::new();
        for (id, key) in self.keys.iter().enumerate() {
            match key {
                Key::Bytes(b) => {
                    patterns.push(b.as_slice());
                    pattern_key.push(id as u32);
                }
                Key::Value(v) => value_key.push((*v, id)),
            }
        }
        // Nothing to look for: a consumer wants all, or nobody wants anything.
        let searcher = if self.every_chunk || patterns.is_empty() {
            None
        } else {
            // Hundreds of short patterns (every form of every error code). A DFA searches
            // them a third faster than the NFA but takes ~10 ms longer to build. No prefilter:
            // with this many patterns the crate has none to offer, and `overlapping` walks the
            // automaton itself.
            if fast_search {
                dfa::Builder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .prefilter(false)
                    .build(&patterns)
                    .ok()
                    .map(Searcher::Dfa)
            } else {
                nfa::contiguous::Builder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .prefilter(false)
                    .build(&patterns)
                    .ok()
                    .map(Searcher::Nfa)
            }
        };
        // A searcher that could not be built rules nothing out.
        let every_chunk = self.every_chunk || (searcher.is_none() && !patterns.is_empty());
        // A clause can only hold when its last group does, that is when every key of one of
        // the group's items is seen. So index each clause by one key per item of its last
        // group: a record then tests the few clauses it holds such a key of. The last group is
        // the most specific (ids, data; see `event_needles`), and of an item's keys the
        // longest is the rarest: a provider name, in every record of its log and in twenty
        // clauses, triggers none, and neither does the `hr` of `hr` + a decimal code.
        let specificity = |k: &usize| match &self.keys[*k] {
            Key::Bytes(b) => b.len(),
            Key::Value(_) => 4,
        };
        let mut by_key = vec![Vec::new(); self.keys.len()];
        for (c, clause) in self.clauses.iter().enumerate() {
            for item in clause.last().into_iter().flatten() {
                // Never empty: `clause` leaves out groups with an empty needle.
                let Some(id) = item.iter().copied().max_by_key(|k| specificity(k)) else {
                    continue;
                };
                if by_key[id].last() != Some(&c) {
                    by_key[id].push(c);
                }
            }
        }
        value_key.sort_unstable();
        ChunkFilter {
            searcher,
            pattern_key,
            value_key,
            clauses: self.clauses,
            by_key,
            every_chunk,
        }
    }
}

/// Which needles were found in some bytes (a bit set over the filter's keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen(Vec<u64>);

impl Seen {
    /// Adds what was found in other bytes of the same record.
    pub fn add(&mut self, other: &Seen) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= *b;
        }
    }

    /// Marks a pattern as seen; true if it was not yet.
    fn insert(&mut self, id: usize) -> bool {
        let (word, bit) = (id / 64, 1u64 << (id % 64));
        let new = self.0[word] & bit == 0;
        self.0[word] |= bit;
        new
    }

    fn has(&self, id: usize) -> bool {
        self.0[id / 64] & (1u64 << (id % 64)) != 0
    }

    /// The keys seen, in order.
    fn ids(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(w, &bits)| {
            let mut rest = bits;
            std::iter::from_fn(move || {
                let b = (rest != 0).then(|| rest.trailing_zeros() as usize)?;
                rest &= rest - 1;
                Some(w * 64 + b)
            })
        })
    }
}

/// The needles found in a chunk (see [`ChunkFilter::find_all`]).
#[derive(Debug, Default)]
pub struct Found {
    /// In the order the search reports them: by end offset.
    hits: Vec<Hit>,
    /// The bytes were not searched: every needle counts as found.
    everything: bool,
    /// Buffers of the search's parts, kept from chunk to chunk.
    parts: [Vec<overlapping::Match>; overlapping::WAYS],
}

#[derive(Debug, Clone, Copy)]
struct Hit {
    start: u32,
    end: u32,
    key: u32,
}

/// The automaton of the needles (see [`overlapping`]).
#[derive(Debug, Clone)]
enum Searcher {
    Dfa(dfa::DFA),
    Nfa(nfa::contiguous::NFA),
}

/// The compiled clauses; shared by every analysis that uses the same rules.
#[derive(Debug, Clone)]
pub struct ChunkFilter {
    searcher: Option<Searcher>,
    /// The key of each pattern of the searcher.
    pattern_key: Vec<u32>,
    /// The integer values looked for and their keys, by value (a handful: event ids).
    value_key: Vec<(u32, usize)>,
    clauses: Vec<Clause>,
    /// The clauses whose last group each key occurs in.
    by_key: Vec<Vec<usize>>,
    every_chunk: bool,
}

impl ChunkFilter {
    /// A filter that wants every chunk (no prefiltering).
    pub fn everything() -> ChunkFilter {
        let mut b = ChunkFilterBuilder::default();
        b.every_chunk();
        b.build(false)
    }

    /// True when some record in `chunk` could be what a consumer looks for.
    pub fn wants(&self, chunk: &[u8]) -> bool {
        let mut found = Found::default();
        self.find_all(chunk, &mut found);
        self.chunk_holds(&found, chunk.len(), &mut self.empty_seen())
    }

    /// True when some clause can hold in the chunk of `len` bytes that `found` was made from.
    /// Integer values are only known record by record: the chunk counts as holding them all.
    pub fn chunk_holds(&self, found: &Found, len: usize, seen: &mut Seen) -> bool {
        self.seen_in(found, 0..len, seen);
        for &(_, key) in &self.value_key {
            seen.insert(key);
        }
        self.holds(seen)
    }

    /// Marks an integer substitution value of the record as seen, if some clause wants it.
    pub fn add_value(&self, value: u32, seen: &mut Seen) {
        if let Ok(i) = self.value_key.binary_search_by_key(&value, |&(v, _)| v) {
            seen.insert(self.value_key[i].1);
        }
    }

    /// Every occurrence of every needle in `bytes` (a chunk), replacing what `found` held.
    /// One search per chunk: what a record or a template definition of the chunk holds is then
    /// read off by [`ChunkFilter::seen_in`], without searching its bytes again.
    pub fn find_all(&self, bytes: &[u8], found: &mut Found) {
        found.hits.clear();
        let Some(searcher) = &self.searcher else {
            return;
        };
        // Chunks are 64 KiB; bytes past u32 offsets are not searched (every needle counts).
        found.everything = u32::try_from(bytes.len()).is_err();
        if found.everything {
            return;
        }
        let Found { hits, parts, .. } = found;
        let mut push = |(pattern, end): overlapping::Match| {
            let len = match searcher {
                Searcher::Dfa(a) => a.pattern_len(pattern),
                Searcher::Nfa(a) => a.pattern_len(pattern),
            };
            hits.push(Hit {
                start: (end - len) as u32,
                end: end as u32,
                key: self.pattern_key[pattern.as_usize()],
            });
        };
        match searcher {
            Searcher::Dfa(a) => overlapping::search(a, bytes, parts, &mut push),
            Searcher::Nfa(a) => overlapping::search(a, bytes, parts, &mut push),
        }
    }

    /// The needles found wholly inside `range` of the bytes `found` was made from, replacing
    /// what `seen` held: the same as searching those bytes alone.
    pub fn seen_in(&self, found: &Found, range: std::ops::Range<usize>, seen: &mut Seen) {
        seen.0.fill(0);
        if found.everything {
            // Not searched (too large): every needle may be there.
            (0..self.by_key.len()).for_each(|id| {
                seen.insert(id);
            });
            return;
        }
        // Hits come by end offset; a needle is never empty, so one ending at or before the
        // range's start is outside it.
        let first = found.hits.partition_point(|h| h.end as usize <= range.start);
        for h in &found.hits[first..] {
            if h.end as usize > range.end {
                break;
            }
            if h.start as usize >= range.start {
                seen.insert(h.key as usize);
            }
        }
    }

    /// Room for the needles of this filter.
    pub fn empty_seen(&self) -> Seen {
        Seen(vec![0; self.by_key.len().div_ceil(64)])
    }

    /// True when the needles seen satisfy some clause (always, when every chunk is wanted).
    pub fn holds(&self, seen: &Seen) -> bool {
        self.every_chunk
            || seen
                .ids()
                .any(|id| self.by_key[id].iter().any(|&c| self.clause_holds(c, seen)))
    }

    fn clause_holds(&self, clause: usize, seen: &Seen) -> bool {
        self.clauses[clause]
            .iter()
            .all(|group| group.iter().any(|item| item.iter().all(|&id| seen.has(id))))
    }

    /// True when every chunk is wanted (nothing is skipped).
    pub fn wants_everything(&self) -> bool {
        self.every_chunk
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    fn text(s: &str) -> Needle {
        Needle::Text(s.to_string())
    }

    #[test]
    fn clauses_are_and_of_or() {
        for fast in [false, true] {
            clauses_are_and_of_or_with(fast);
        }
    }

    fn clauses_are_and_of_or_with(fast_search: bool) {
        let mut b = ChunkFilterBuilder::default();
        b.clause(vec![
            vec![text("Service Control Manager")],
            vec![text("sppsvc"), text("软件保护")],
        ]);
        b.clause(vec![vec![Needle::Bytes(0xC004_F074_u32.to_le_bytes().to_vec())]]);
        let f = b.build(fast_search);
        assert!(!f.wants_everything());
        let scm = utf16("Service Control Manager");
        assert!(!f.wants(&scm), "provider alone");
        assert!(!f.wants(&utf16("sppsvc")), "service alone");
        assert!(
            f.wants(&[scm.clone(), vec![0; 7], utf16("SPPSVC")].concat()),
            "any case"
        );
        assert!(f.wants(&[scm, utf16("软件保护")].concat()));
        assert!(f.wants(&[1, 2, 0x74, 0xF0, 0x04, 0xC0, 9]));
        // 8-bit strings too.
        assert!(f.wants(b"Service Control Manager: sppsvc"));
        assert!(!f.wants(&[0; 65536]));
    }

    /// What `seen_in` reads off one search of a whole real chunk is what a search of the
    /// range alone finds, for needles that overlap, contain one another and occur often.
    #[test]
    fn ranges_of_one_search_equal_searches_of_the_ranges() {
        let file = fixture!("evtx/system.evtx");
        let chunk = &file[0x1000..0x1000 + 0x10000];
        for fast in [false, true] {
            let mut b = ChunkFilterBuilder::default();
            for t in [
                "Service Control Manager",
                "Service",
                "vice",
                "Microsoft-Windows",
                "Windows",
                "e",
                "ow",
            ] {
                b.clause(vec![vec![text(t)]]);
            }
            b.clause(vec![
                vec![Needle::Bytes(vec![0, 0])],
                vec![Needle::Bytes(vec![0x0F, 0x01])],
            ]);
            let f = b.build(fast);
            let (mut whole, mut alone) = (Found::default(), Found::default());
            f.find_all(chunk, &mut whole);
            let (mut from_whole, mut from_alone) = (f.empty_seen(), f.empty_seen());
            let mut differ = 0;
            for start in (0..chunk.len()).step_by(211) {
                for len in [0, 1, 2, 5, 46, 300, 2000, 70_000] {
                    let end = (start + len).min(chunk.len());
                    f.seen_in(&whole, start..end, &mut from_whole);
                    f.find_all(&chunk[start..end], &mut alone);
                    f.seen_in(&alone, 0..end - start, &mut from_alone);
                    assert_eq!(from_whole, from_alone, "{start}..{end}");
                    differ += usize::from(from_whole != f.empty_seen());
                }
            }
            assert!(differ > 100, "the ranges hold needles ({differ})");
        }
    }

    #[test]
    fn all_of_inside_a_group() {
        let mut b = ChunkFilterBuilder::default();
        b.clause(vec![vec![Needle::All(vec![text("hr"), text("112")]), text("80070070")]]);
        let f = b.build(false);
        assert!(!f.wants(&utf16("free space 112 MB")));
        assert!(f.wants(&utf16("HR = 112")));
        assert!(f.wants(&utf16("0x80070070")));
    }

    #[test]
    fn no_clause_wants_nothing_and_an_empty_group_wants_all() {
        let f = ChunkFilterBuilder::default().build(false);
        assert!(!f.wants(&utf16("anything")));
        let mut b = ChunkFilterBuilder::default();
        b.clause(vec![vec![text("x")], vec![]]);
        let f = b.build(false);
        assert!(f.wants_everything() && f.wants(&[]));
        let mut b = ChunkFilterBuilder::default();
        b.clause(vec![vec![text("")]]);
        assert!(b.build(false).wants_everything(), "an empty needle is everywhere");
        assert!(ChunkFilter::everything().wants(&[]));
    }
}
