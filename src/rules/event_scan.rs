//! One pass over every event of a bundle for all event conditions of a rule set.
//!
//! An EVTX of a few MB holds tens of thousands of records; they are tested as they stream
//! out of the reader and dropped. Per condition, only the match count, each match's time
//! (8 bytes, for the time window) and the few most recent matches (the evidence) are kept,
//! so a KMS failure repeated 200 times costs 200 timestamps and ten evidence records.

use super::condition::Condition;
use super::event_filter::{parse_time, EventCondition};
use super::finding::{EventRef, Evidence, Match};
use super::RuleSet;
use crate::events::{EventRecord, Unread};
use crate::i18n::Localized;

/// At most this many events are shown per condition.
const MAX_EVIDENCE: usize = 10;
/// Field values in evidence are cut to this many characters.
const MAX_VALUE_CHARS: usize = 300;

/// A matching event kept as evidence; `key` orders by time, then by reading order.
#[derive(Debug, Clone)]
struct Hit {
    key: (i64, u64),
    time: Option<i64>,
    evidence: Evidence,
}

#[derive(Debug, Clone, Default)]
struct SlotHits {
    /// Times of the matches that have one.
    times: Vec<i64>,
    /// Matches without a time (they count, except under a time window).
    untimed: usize,
    /// The most recent matches, newest first.
    recent: Vec<Hit>,
}

/// What the scan found, per event condition, plus the newest event time of the bundle.
#[derive(Debug, Default)]
pub struct EventScan {
    slots: Vec<SlotHits>,
    /// The newest event time seen in any log (seconds since the epoch): the "now" of a bundle.
    pub newest: Option<i64>,
    pub records: usize,
}

/// Feeds records to every event condition of a rule set.
pub struct EventScanner<'r> {
    conditions: Vec<&'r EventCondition>,
    scan: EventScan,
}

impl<'r> EventScanner<'r> {
    pub fn new(rules: &'r RuleSet) -> EventScanner<'r> {
        let mut conditions = Vec::new();
        for rule in &rules.rules {
            rule.when.visit(&mut |c| {
                if let Condition::Event(e) = c {
                    conditions.push(e);
                }
            });
        }
        conditions.sort_by_key(|c| c.slot);
        let slots = conditions.last().map_or(0, |c| c.slot + 1);
        EventScanner {
            conditions,
            scan: EventScan {
                slots: vec![SlotHits::default(); slots],
                ..EventScan::default()
            },
        }
    }

    /// True when no rule looks at events (the caller may still read them for facts).
    pub fn is_idle(&self) -> bool {
        self.conditions.is_empty()
    }

    pub fn observe(&mut self, rec: &EventRecord) {
        let seq = self.scan.records as u64;
        self.scan.records += 1;
        let time = rec.time.as_deref().and_then(parse_time);
        // Records of an .evtx that are not rendered only have their header's time; rendered
        // ones use the same, so the bundle's "now" does not depend on what was rendered.
        if let Some(t) = rec.logged.or(time) {
            self.scan.newest = Some(self.scan.newest.map_or(t, |n| n.max(t)));
        }
        for cond in &self.conditions {
            let Some(shown) = cond.test(rec, time) else { continue };
            let slot = &mut self.scan.slots[cond.slot];
            match time {
                Some(t) => slot.times.push(t),
                None => slot.untimed += 1,
            }
            let cap = if cond.latest_only { 1 } else { MAX_EVIDENCE };
            let key = (time.unwrap_or(i64::MIN), seq);
            if slot.recent.len() == cap && slot.recent.last().is_some_and(|h| h.key > key) {
                continue;
            }
            slot.recent.push(Hit {
                key,
                time,
                evidence: evidence(rec, &shown),
            });
            slot.recent.sort_by_key(|h| std::cmp::Reverse(h.key));
            slot.recent.truncate(cap);
        }
    }

    /// Records that were counted but not read (no condition can match them): they still
    /// count, and their times still move the bundle's "now".
    pub fn observe_unread(&mut self, unread: &Unread) {
        self.scan.records += unread.records;
        self.scan.newest = self.scan.newest.max(unread.newest);
    }

    pub fn finish(self) -> EventScan {
        self.scan
    }
}

impl EventScan {
    /// The result of one event condition: `Some` when at least `at_least` events matched
    /// (inside the time window, if any).
    pub(crate) fn result(&self, cond: &EventCondition) -> Option<Match> {
        let slot = self.slots.get(cond.slot)?;
        let cutoff = match (cond.within, self.newest) {
            (Some(w), Some(newest)) => Some(newest - i64::try_from(w.as_secs()).unwrap_or(i64::MAX)),
            (Some(_), None) => return None,
            (None, _) => None,
        };
        let inside = |t: Option<i64>| match cutoff {
            Some(c) => t.is_some_and(|t| t >= c),
            None => true,
        };
        let count = match cutoff {
            Some(c) => slot.times.iter().filter(|t| **t >= c).count(),
            None => slot.times.len() + slot.untimed,
        };
        if count == 0 || count < cond.at_least.max(1) {
            return None;
        }
        let evidence: Vec<Evidence> = slot
            .recent
            .iter()
            .filter(|h| inside(h.time))
            .map(|h| h.evidence.clone())
            .collect();
        let latest = evidence
            .first()
            .and_then(|e| e.event.as_ref())
            .and_then(|e| e.time.clone());
        let summary = match (count, latest) {
            (1, _) => Vec::new(),
            (n, Some(t)) => vec![Localized::new(
                format!("共 {n} 个匹配事件，最近一次在 {t}"),
                format!("{n} matching events, the most recent at {t}"),
            )],
            (n, None) => vec![Localized::new(
                format!("共 {n} 个匹配事件"),
                format!("{n} matching events"),
            )],
        };
        Some(Match {
            evidence,
            count,
            summary,
        })
    }
}

fn evidence(rec: &EventRecord, shown: &[(String, String)]) -> Evidence {
    let text = shown
        .iter()
        .map(|(n, v)| {
            let v = v.split_whitespace().collect::<Vec<_>>().join(" ");
            format!("{n}={}", clip(&crate::privacy::mask_product_keys(&v)))
        })
        .collect::<Vec<_>>()
        .join("; ");
    Evidence::new(&rec.input, &rec.path, None, text).with_event(EventRef {
        record_id: rec.record_id,
        time: rec.time.clone(),
        channel: rec.channel.clone(),
        provider: rec.provider.clone(),
        event_id: rec.event_id,
    })
}

fn clip(value: &str) -> String {
    match value.char_indices().nth(MAX_VALUE_CHARS) {
        Some((at, _)) => format!("{}…", &value[..at]),
        None => value.to_string(),
    }
}
