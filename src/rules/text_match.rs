//! Text conditions: a literal or regex on the lines of selected documents, in whatever
//! encoding the file had (documents are decoded already; line numbers are the file's own).
//! Evidence lines never carry a full product key (only its last group, as Windows shows it).

use super::condition::{FileSelector, TextCondition};
use super::eval::{Evidence, Match};
use crate::bundle::Document;

/// At most this many evidence lines per condition; the count covers all matches.
const MAX_EVIDENCE: usize = 10;
/// Evidence lines are cut to this many characters (a log line can be megabytes long).
const MAX_LINE_CHARS: usize = 400;

pub(crate) fn find(cond: &TextCondition, docs: &[Document]) -> Option<Match> {
    let mut m = Match::default();
    // Event exports are read as events (by event conditions); searching their text as well
    // would count each event twice.
    for doc in docs
        .iter()
        .filter(|d| d.text.is_some() && !d.events && selected(&cond.files, d))
    {
        for (n, line) in doc.lines() {
            if cond.matcher.is_match(line) {
                m.count += 1;
                if m.evidence.len() < MAX_EVIDENCE {
                    m.evidence.push(Evidence {
                        input: doc.input.clone(),
                        path: doc.path.clone(),
                        line: Some(n),
                        text: clip(&crate::privacy::mask_product_keys(line.trim())),
                        note: None,
                        event: None,
                    });
                }
            }
        }
    }
    (m.count > 0).then_some(m)
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
