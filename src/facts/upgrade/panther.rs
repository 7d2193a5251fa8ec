//! The summary of a log in the Panther line format (setup, CBS, DISM): one pass over the lines.

use super::codes::{self, CodeFilter, CodeTally};
use super::decisive::DecisiveSearch;
use super::{line, Counter};
use crate::bundle::Document;
use crate::facts::model::{UpgradeLog, UpgradeLogKind};
use crate::facts::Source;

/// Reads every line of `doc`. Lines without a timestamp continue the entry above: their codes
/// count (under that entry's component), they are not entries themselves. Lines before the
/// first entry are ignored.
pub fn summarise(doc: &Document, kind: UpgradeLogKind) -> UpgradeLog {
    let mut log = UpgradeLog::empty(doc, kind);
    let mut levels = Counter::default();
    let mut components = Counter::default();
    let mut tally = CodeTally::default();
    let mut search = DecisiveSearch::default();
    // The component of the entry that continuation lines belong to; None before the first.
    let mut component: Option<&str> = None;
    let (mut first_time, mut last_time) = (None, None);
    let mut starts = codes::starts(doc);
    for (n, text) in doc.lines() {
        let found = if starts.may_hold(text) {
            codes::scan(text, CodeFilter::Setup)
        } else {
            Default::default()
        };
        let Some(entry) = line::parse(text) else {
            if let Some(c) = component {
                tally.add(&found, c, || Source::at(doc, n, text));
            }
            continue;
        };
        log.entries += 1;
        log.errors += usize::from(entry.is_error());
        log.warnings += usize::from(entry.is_warning());
        // Kept borrowed: a copy per line was a measurable part of the pass.
        first_time = first_time.or(Some(entry.time));
        last_time = Some(entry.time);
        levels.add(entry.level);
        components.add(entry.component);
        tally.add(&found, entry.component, || Source::at(doc, n, text));
        search.observe(n, text, &entry, &found);
        component = Some(entry.component);
    }
    log.levels = levels.into_sorted();
    log.first_time = first_time.map(str::to_string);
    log.last_time = last_time.map(str::to_string);
    log.components = components.into_sorted();
    log.codes = tally.into_codes();
    (log.decisive, log.failure_marker) = search.finish(doc);
    log
}
