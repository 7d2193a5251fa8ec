//! Every occurrence of every pattern in a chunk (an overlapping search), with four walks of the
//! automaton interleaved.
//!
//! A DFA walk is one dependent table load per byte: the next state's address comes from the
//! state the load before returned, so the CPU waits on each load in turn and its other units
//! idle (`try_find_overlapping` was 15–21 % of a batch, at about 2 ns a byte). Four walks over
//! four parts of the chunk are independent, so their loads overlap. Each part after the first
//! starts `max_pattern_len - 1` bytes early, so that a match that crosses from the part before
//! is still seen, and reports only the matches that end inside it: the parts' matches, one
//! after the other, are then exactly the matches of one walk over the whole chunk, in the same
//! order of end offsets. The automaton is driven through `aho_corasick`'s public `Automaton`
//! trait; its own overlapping iterator walks once.

use aho_corasick::automaton::Automaton;
use aho_corasick::{Anchored, PatternID};

/// Parts walked together.
pub const WAYS: usize = 4;
/// Shorter inputs are walked once: the parts would be mostly their overlap.
const SPLIT_FROM: usize = 4096;

/// One match: the pattern and its end offset.
pub type Match = (PatternID, usize);

/// Calls `report` with every match of `aut`'s patterns in `bytes` (overlapping), in order of end
/// offset. `aut` must be unanchored, with Standard match semantics and no prefilter (so that
/// only match states are special).
pub fn search<A: Automaton>(aut: &A, bytes: &[u8], parts: &mut [Vec<Match>; WAYS], report: &mut impl FnMut(Match)) {
    let Ok(start) = aut.start_state(Anchored::No) else {
        return;
    };
    let overlap = aut.max_pattern_len().saturating_sub(1);
    if bytes.len() < SPLIT_FROM.max(WAYS * overlap * 4) {
        walk(aut, start, bytes, 0, 0, report);
        return;
    }
    // Part i reports the matches ending in (bounds[i], bounds[i + 1]] and starts walking at
    // bounds[i] - overlap.
    let step = bytes.len().div_ceil(WAYS);
    let bounds: [usize; WAYS + 1] = std::array::from_fn(|i| (i * step).min(bytes.len()));
    let from: [usize; WAYS] = std::array::from_fn(|i| bounds[i].saturating_sub(overlap));
    for part in parts.iter_mut() {
        part.clear();
    }
    // All four walk in step for as long as the shortest (the first: it has no overlap).
    let common = (0..WAYS).map(|i| bounds[i + 1] - from[i]).min().unwrap_or(0);
    let mut state = [start; WAYS];
    for k in 0..common {
        for i in 0..WAYS {
            let at = from[i] + k;
            state[i] = aut.next_state(Anchored::No, state[i], bytes[at]);
            if aut.is_special(state[i]) {
                matches_at(aut, state[i], at + 1, bounds[i], &mut |m| parts[i].push(m));
            }
        }
    }
    // The rest of each part, alone.
    for i in 0..WAYS {
        let at = from[i] + common;
        walk(aut, state[i], &bytes[at..bounds[i + 1]], at, bounds[i], &mut |m| {
            parts[i].push(m)
        });
    }
    for part in parts.iter() {
        part.iter().copied().for_each(&mut *report);
    }
}

/// Walks `bytes` (which start at `offset` of the chunk) from `state`, reporting the matches that
/// end after `report_after`.
fn walk<A: Automaton>(
    aut: &A,
    mut state: aho_corasick::automaton::StateID,
    bytes: &[u8],
    offset: usize,
    report_after: usize,
    report: &mut impl FnMut(Match),
) {
    for (k, &b) in bytes.iter().enumerate() {
        state = aut.next_state(Anchored::No, state, b);
        if aut.is_special(state) {
            matches_at(aut, state, offset + k + 1, report_after, report);
        }
    }
}

fn matches_at<A: Automaton>(
    aut: &A,
    state: aho_corasick::automaton::StateID,
    end: usize,
    report_after: usize,
    report: &mut impl FnMut(Match),
) {
    if end > report_after && aut.is_match(state) {
        for i in 0..aut.match_len(state) {
            report((aut.match_pattern(state, i), end));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasick, MatchKind};

    /// The same matches, in the same order of end offsets, as the crate's own overlapping
    /// iterator: on a real chunk and on bytes where patterns cross the parts' bounds, for
    /// lengths around the split threshold and the parts' bounds.
    #[test]
    fn interleaved_walks_find_what_one_walk_finds() {
        let file = fixture!("evtx/system.evtx");
        let chunk = file[0x1000..0x1000 + 0x10000].to_vec();
        let utf16 = |s: &str| -> Vec<u8> { s.encode_utf16().flat_map(u16::to_le_bytes).collect() };
        let patterns: Vec<Vec<u8>> = [
            "Service Control Manager",
            "Service",
            "vice",
            "Windows",
            "e",
            "ow",
            "aaaa",
        ]
        .iter()
        .flat_map(|t| [utf16(t), t.as_bytes().to_vec()])
        .chain([vec![0, 0], vec![0x0F, 0x01], b"a".repeat(300)])
        .collect();
        let reference = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .unwrap();
        let dfa = aho_corasick::dfa::Builder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(&patterns)
            .unwrap();
        let nfa = aho_corasick::nfa::contiguous::Builder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(&patterns)
            .unwrap();
        let runs = b"a".repeat(20_000);
        let mut inputs: Vec<&[u8]> = vec![&chunk, &runs, &[]];
        for len in [1, 5, 4095, 4096, 4097, 5000, 9999, 12_000, 30_001] {
            inputs.push(&chunk[..len]);
            inputs.push(&runs[..len.min(runs.len())]);
        }
        let mut parts = Default::default();
        for bytes in inputs {
            let want: Vec<Match> = reference
                .find_overlapping_iter(bytes)
                .map(|m| (m.pattern(), m.end()))
                .collect();
            let mut got = Vec::new();
            search(&dfa, bytes, &mut parts, &mut |m| got.push(m));
            assert_eq!(got, want, "DFA, {} bytes", bytes.len());
            got.clear();
            search(&nfa, bytes, &mut parts, &mut |m| got.push(m));
            assert_eq!(got, want, "NFA, {} bytes", bytes.len());
        }
    }
}
