//! Text conditions: a literal or regex on the lines of selected documents, in whatever
//! encoding the file had (documents are decoded already; line numbers are the file's own).
//! Evidence lines never carry a full product key (only its last group, as Windows shows it).

use super::condition::{codes_in, FileSelector, TextCondition, TextMatcher};
use super::finding::{Evidence, Match};
use crate::bundle::Document;
use regex::Regex;
use std::cell::OnceCell;

/// At most this many evidence lines per condition; the count covers all matches.
const MAX_EVIDENCE: usize = 10;
/// Evidence lines are cut to this many characters (a log line can be megabytes long).
const MAX_LINE_CHARS: usize = 400;

pub(crate) fn find<'a>(cond: &TextCondition, docs: &'a [Document], codes: &OnceCell<CodeIndex<'a>>) -> Option<Match> {
    let mut m = Match::default();
    if let TextMatcher::Codes(wanted) = &cond.matcher {
        // Finding the codes of a line is the costly part, and a rule set has a dozen code
        // rules: each line is read once for all of them (see `CodeIndex`).
        let index = codes.get_or_init(|| CodeIndex::new(docs));
        for (doc, lines) in &index.docs {
            // Inventories and lists hold numbers, not results, whatever a selector says.
            if !selected(&cond.files, doc) || !crate::facts::formats::holds_codes(&doc.kind) {
                continue;
            }
            for (n, line, found) in lines {
                if found.iter().any(|c| wanted.contains(c)) {
                    hit(&mut m, doc, *n, line);
                }
            }
        }
        return (m.count > 0).then_some(m);
    }
    for doc in searched(docs).filter(|d| selected(&cond.files, d)) {
        let Some((text, first_line)) = doc.text.as_ref().map(|t| (t.text.as_str(), t.first_line)) else {
            continue;
        };
        // A short document (a one-line note, an empty export) is not worth building the finder.
        if text.len() < cond.matcher.min_len() {
            continue;
        }
        match cond.finder() {
            Some(finder) => candidate_lines(text, finder, |n, line| {
                if cond.matcher.is_match(line) {
                    hit(&mut m, doc, n + first_line - 1, line);
                }
            }),
            None => {
                for (n, line) in doc.lines() {
                    if cond.matcher.is_match(line) {
                        hit(&mut m, doc, n, line);
                    }
                }
            }
        }
    }
    (m.count > 0).then_some(m)
}

/// Documents whose lines text conditions read. Event exports are read as events (by event
/// conditions); searching their text as well would count each event twice.
fn searched(docs: &[Document]) -> impl Iterator<Item = &Document> {
    docs.iter().filter(|d| d.text.is_some() && !d.is_events())
}

fn hit(m: &mut Match, doc: &Document, n: usize, line: &str) {
    m.count += 1;
    if m.evidence.len() < MAX_EVIDENCE {
        m.evidence.push(Evidence::new(
            &doc.input,
            &doc.path,
            Some(n),
            clip(&crate::privacy::mask_product_keys(line.trim())),
        ));
    }
}

/// Calls `each` with every line (1-based number, text without its terminator) that holds the
/// start of a `finder` match, in order, each line once. The regex engine skips ahead with its
/// literal prefilters instead of being started on every line.
fn candidate_lines(text: &str, finder: &Regex, mut each: impl FnMut(usize, &str)) {
    let bytes = text.as_bytes();
    let (mut pos, mut line_no, mut counted) = (0, 1, 0);
    while pos <= text.len() {
        let Some(found) = finder.find_at(text, pos) else { break };
        let start = bytes[..found.start()]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let end = bytes[found.start()..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |i| found.start() + i);
        line_no += bytes[counted..start].iter().filter(|&&b| b == b'\n').count();
        counted = start;
        each(line_no, text[start..end].trim_end_matches('\r'));
        pos = end + 1;
    }
}

/// The lines of the searched documents that hold at least one error code, with the codes.
pub(crate) struct CodeIndex<'a> {
    docs: Vec<(&'a Document, Vec<CodeLine<'a>>)>,
}

/// A line that holds codes: its number, its text and the codes in it.
type CodeLine<'a> = (usize, &'a str, Vec<u32>);

impl<'a> CodeIndex<'a> {
    fn new(docs: &'a [Document]) -> CodeIndex<'a> {
        // Documents whose numbers cannot be codes (inventories, lists) are not read at all.
        let docs = searched(docs)
            .filter(|doc| crate::facts::formats::holds_codes(&doc.kind))
            .filter_map(|doc| {
                doc.text.as_ref().map(|t| {
                    let mut lines = code_lines(&t.text, doc.code_line_starts());
                    for l in &mut lines {
                        l.0 += t.first_line - 1;
                    }
                    (doc, lines)
                })
            })
            .collect();
        CodeIndex { docs }
    }
}

/// The lines of `text` that hold codes, numbered as `Document::lines` numbers them. Only the
/// lines with a place where a code may start are read (`starts`: most lines of a log have
/// none), found by one search of the whole text rather than a check of each line.
fn code_lines<'t>(text: &'t str, starts: &[usize]) -> Vec<CodeLine<'t>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    // The number of the line that starts at `counted`.
    let (mut line_no, mut counted) = (1, 0);
    for &start in starts {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(text.len(), |i| start + i);
        line_no += memchr::memchr_iter(b'\n', &bytes[counted..start]).count();
        counted = start;
        let line = text[start..end].trim_end_matches('\r');
        let found: Vec<u32> = codes_in(line).collect();
        if !found.is_empty() {
            out.push((line_no, line, found));
        }
    }
    out
}

fn selected(sel: &FileSelector, doc: &Document) -> bool {
    if sel.kinds.is_empty() && sel.globs.is_none() {
        return true;
    }
    sel.kinds.iter().any(|k| k == doc.kind.name()) || sel.globs.as_ref().is_some_and(|g| g.is_match(&doc.path))
}

fn clip(line: &str) -> String {
    match line.char_indices().nth(MAX_LINE_CHARS) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::condition::FileSelector;

    /// (count, line numbers of the evidence) with the one-pass search and with the per-line one.
    fn both(matcher: TextMatcher, text: &str) -> ((usize, Vec<usize>), (usize, Vec<usize>)) {
        let docs = [Document::from_text("t", "a.log", text)];
        let fast = TextCondition::new(matcher, FileSelector::default());
        assert!(fast.finder().is_some());
        let slow = TextCondition {
            finder: std::sync::OnceLock::from(None),
            ..fast.clone()
        };
        let run = |c: &TextCondition| {
            find(c, &docs, &OnceCell::new()).map_or((0, Vec::new()), |m| {
                (m.count, m.evidence.iter().filter_map(|e| e.line).collect())
            })
        };
        (run(&fast), run(&slow))
    }

    #[test]
    fn one_pass_search_finds_the_lines_the_per_line_search_finds() {
        let text = "x failed\r\nfailed at start\r\n\r\nend failed\r\r\nnothing\nfailed\nlast failed";
        for pattern in [
            r"^failed",
            r"failed$",
            r"(?i)FAILED",
            r"^$",
            r"at\s+start",
            r"\bend\b.*",
        ] {
            let (fast, slow) = both(
                TextMatcher::Regex(crate::rules::lazy_regex::LazyRegex::new(pattern).unwrap()),
                text,
            );
            assert_eq!(fast, slow, "{pattern}");
        }
        let (fast, slow) = both(TextMatcher::Literal(vec!["failed".into(), "nothing".into()]), text);
        assert_eq!(fast, slow);
        assert_eq!(fast.0, 6);
    }

    #[test]
    fn code_lines_of_a_whole_text_are_the_lines_with_codes() {
        // Codes at line starts and ends, a label whose number is on the next line, CR LF and
        // wmic's CR CR LF, `0x` that is no code, non-ASCII text, no final line end.
        let tricky = "0x80070490 first\r\nhr\n12 not a code\nhr = 5\r\r\n\
                      \u{4e3b}\u{4e3b} 0xC004F074\nexe x64 0x12 0X\n\nerror code: -1073418124\n\
                      Error: 0x00000003[gle=0x00000003] HRESULT=0x8007000E\nend 0xc1900101";
        let file = |name: &str| {
            std::fs::read_to_string(format!("{}/tests/fixtures/setup/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
        };
        let setupact = file("copyleft21_samsung_setupact_moupg.log");
        let setuperr = file("VitalSkib_files_setuperr_moupg.log");
        for t in [tricky, setupact.as_str(), setuperr.as_str()] {
            let doc = Document::from_text("t", "a.log", t);
            let text = &doc.text.as_ref().unwrap().text;
            // What `code_lines` must find: every line with codes, read line by line.
            let one_by_one: Vec<(usize, &str, Vec<u32>)> = doc
                .lines()
                .map(|(n, line)| (n, line, codes_in(line).collect::<Vec<u32>>()))
                .filter(|(_, _, found)| !found.is_empty())
                .collect();
            assert!(!one_by_one.is_empty());
            assert_eq!(code_lines(text, &crate::knowledge::code_line_starts(text)), one_by_one);
        }
        let numbers: Vec<usize> = code_lines(tricky, &crate::knowledge::code_line_starts(tricky))
            .iter()
            .map(|l| l.0)
            .collect();
        assert_eq!(numbers, [1, 4, 5, 8, 9, 10]);
    }

    #[test]
    fn patterns_that_need_the_per_line_search_keep_it() {
        for pattern in [r"\Afailed", r"(?-m)^x", r"(?i-s)a.b"] {
            let c = TextCondition::new(
                TextMatcher::Regex(crate::rules::lazy_regex::LazyRegex::new(pattern).unwrap()),
                FileSelector::default(),
            );
            assert!(c.finder().is_none(), "{pattern}");
        }
        let c = TextCondition::new(TextMatcher::Codes(vec![1]), FileSelector::default());
        assert!(c.finder().is_none());
    }
}
