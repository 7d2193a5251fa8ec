//! Event conditions: which event records a rule looks at (channel, provider, event id, level,
//! time) and what their data must contain, plus how many are needed and which to show.
//!
//! Records are tested one at a time while a log streams past (see `event_scan`); the time
//! window is the only part that needs the whole log (it is relative to the newest event of
//! the bundle), so matching keeps each hit's time and the window is applied at the end.

use super::condition::TextMatcher;
use crate::events::EventRecord;
use serde::{Deserialize, Serialize};
use std::ops::RangeInclusive;

/// A compiled `{ event = { ... } }` condition.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EventCondition {
    /// Index of this condition's results in the event scan; set when the rule set is built
    /// (so not part of the baked rules).
    #[serde(skip)]
    pub slot: usize,
    /// Channel names (`Application`, `System`), compared ignoring case; empty = any.
    pub channels: Vec<String>,
    /// Provider names, compared ignoring case; empty = any.
    pub providers: Vec<String>,
    pub ids: Vec<RangeInclusive<u32>>,
    /// 1 critical, 2 error, 3 warning, 4 information (0 is also information), 5 verbose.
    pub levels: Vec<u8>,
    /// Only events no older than this before the newest event of the bundle.
    pub within: Option<std::time::Duration>,
    pub since: Option<i64>,
    pub until: Option<i64>,
    /// Named data fields and what each must contain (all must hold).
    pub fields: Vec<(String, TextMatcher)>,
    /// Some data field (the rendered message included) must contain this.
    pub any_field: Option<TextMatcher>,
    /// "At least N matching events" (default 1).
    pub at_least: usize,
    /// Show only the most recent matching event as evidence.
    pub latest_only: bool,
}

/// Level names accepted in rule files, with the numbers Windows writes.
pub const LEVELS: &[(&str, u8)] = &[
    ("critical", 1),
    ("error", 2),
    ("warning", 3),
    ("information", 4),
    ("verbose", 5),
];

impl EventCondition {
    /// Tests one record against everything but the time window. On a match, returns the
    /// data fields that matched (or, for a condition on ids only, the record's first fields),
    /// which become the evidence text.
    pub fn test(&self, rec: &EventRecord, time: Option<i64>) -> Option<Vec<(String, String)>> {
        if !self.header_matches(rec) || !self.time_bounds_hold(time) {
            return None;
        }
        let mut shown: Vec<(String, String)> = Vec::new();
        for (name, matcher) in &self.fields {
            let (n, v) = rec
                .data
                .iter()
                .find(|(n, v)| n.eq_ignore_ascii_case(name) && matcher.is_match(v))?;
            shown.push((n.clone(), v.clone()));
        }
        if let Some(matcher) = &self.any_field {
            let (n, v) = rec.data.iter().find(|(_, v)| matcher.is_match(v))?;
            if !shown.iter().any(|(s, _)| s == n) {
                shown.push((n.clone(), v.clone()));
            }
        }
        if shown.is_empty() {
            shown = rec
                .data
                .iter()
                .filter(|(n, v)| n != "Binary" && !v.trim().is_empty())
                .take(3)
                .cloned()
                .collect();
        }
        Some(shown)
    }

    fn header_matches(&self, rec: &EventRecord) -> bool {
        let named = |wanted: &[String], actual: &Option<String>| {
            wanted.is_empty()
                || actual
                    .as_deref()
                    .is_some_and(|a| wanted.iter().any(|w| w.eq_ignore_ascii_case(a)))
        };
        named(&self.channels, &rec.channel)
            && named(&self.providers, &rec.provider)
            && (self.ids.is_empty() || rec.event_id.is_some_and(|id| self.ids.iter().any(|r| r.contains(&id))))
            && (self.levels.is_empty() || rec.level.is_some_and(|l| self.levels.contains(&normal_level(l))))
    }

    fn time_bounds_hold(&self, time: Option<i64>) -> bool {
        if self.since.is_none() && self.until.is_none() {
            return true;
        }
        // An event without a time cannot be shown to be inside absolute bounds.
        time.is_some_and(|t| self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t <= u))
    }
}

/// Level 0 ("LogAlways") is how classic event sources write information events.
fn normal_level(level: u8) -> u8 {
    if level == 0 {
        4
    } else {
        level
    }
}

/// Seconds since the epoch of an event time: ISO 8601 with a zone (EVTX and XML exports, UTC),
/// or without one (CSV exports carry local time; taken as is, which is only off by the zone).
pub fn parse_time(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(t.timestamp());
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d",
    ]
    .iter()
    .find_map(|f| {
        chrono::NaiveDateTime::parse_from_str(text, f).ok().or_else(|| {
            chrono::NaiveDate::parse_from_str(text, f)
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
    })
    .map(|t| t.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spp_8198() -> EventRecord {
        EventRecord {
            channel: Some("Application".into()),
            provider: Some("Microsoft-Windows-Security-SPP".into()),
            event_id: Some(8198),
            level: Some(2),
            time: Some("2024-05-14T01:31:06.123Z".into()),
            data: vec![
                ("Data".into(), "hr=0xC004F074".into()),
                ("Data2".into(), "RuleId=...;Action=AutoActivate".into()),
            ],
            ..EventRecord::default()
        }
    }

    #[test]
    fn header_fields_and_ranges() {
        let rec = spp_8198();
        let t = rec.time.as_deref().and_then(parse_time);
        let mut c = EventCondition {
            providers: vec!["microsoft-windows-security-spp".into()],
            ids: vec![8190..=8210],
            levels: vec![2],
            ..EventCondition::default()
        };
        assert!(c.test(&rec, t).is_some());
        c.ids = vec![12288..=12289];
        assert!(c.test(&rec, t).is_none());
        c.ids = vec![];
        c.channels = vec!["System".into()];
        assert!(c.test(&rec, t).is_none());
    }

    #[test]
    fn field_matchers_give_the_fields_that_matched() {
        let rec = spp_8198();
        let c = EventCondition {
            fields: vec![(
                "data".into(),
                TextMatcher::Regex(crate::rules::lazy_regex::LazyRegex::new("(?i)hr=0xC004F074").unwrap()),
            )],
            ..EventCondition::default()
        };
        assert_eq!(c.test(&rec, None), Some(vec![("Data".into(), "hr=0xC004F074".into())]));
        let c = EventCondition {
            any_field: Some(TextMatcher::Literal(vec!["AutoActivate".into()])),
            ..EventCondition::default()
        };
        assert_eq!(c.test(&rec, None).unwrap()[0].0, "Data2");
        let c = EventCondition {
            any_field: Some(TextMatcher::Literal(vec!["0xC004F050".into()])),
            ..EventCondition::default()
        };
        assert!(c.test(&rec, None).is_none());
    }

    #[test]
    fn absolute_bounds_need_a_time() {
        let rec = spp_8198();
        let c = EventCondition {
            since: parse_time("2024-05-01"),
            ..EventCondition::default()
        };
        assert!(c.test(&rec, rec.time.as_deref().and_then(parse_time)).is_some());
        assert!(c.test(&rec, None).is_none());
        let c = EventCondition {
            until: parse_time("2024-05-01"),
            ..EventCondition::default()
        };
        assert!(c.test(&rec, rec.time.as_deref().and_then(parse_time)).is_none());
    }

    #[test]
    fn times_of_every_export_parse() {
        assert_eq!(parse_time("2017-07-12T17:16:28.2141616Z"), Some(1499879788));
        assert_eq!(parse_time("2024-05-14T09:31:06"), parse_time("2024-05-14 09:31:06"));
        assert!(parse_time("yesterday").is_none());
    }
}
