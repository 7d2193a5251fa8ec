//! The collector's `manifest.json` (`cmgelog-manifest/1`) → what was collected, per category.
//!
//! The collector writes one item per command or file, whatever happened to it (`ok`, `failed`,
//! `timeout`, `not-found`, `access-denied`, `skipped`, `truncated`, `interrupted`). A category
//! counts as collected when at least one of its items is `ok` or `truncated` (a truncated
//! output still holds data); one that the user did not choose is absent from `categories`.
//! Knowing what is missing matters as much as what is there: "no activation log" is not
//! "activation is fine".

use super::formats::{Format, Recognise, Sample};
use super::json_lines::member_line;
use super::model::{CategoryState, Collection};
use super::{Machine, Source};
use crate::bundle::{Document, Kind, Reading};
use serde_json::Value;

/// The category ids of `cmgelog-manifest/1`, in the schema's order.
pub const CATEGORIES: [&str; 8] = [
    "group-policy",
    "network",
    "event-logs",
    "software",
    "processes",
    "activation",
    "upgrade",
    "hardware",
];

/// Item statuses that mean something was stored.
const STORED: &[&str] = &["ok", "truncated"];

pub fn extract(doc: &Document, machine: &mut Machine) {
    let Some(text) = doc.text.as_ref().map(|t| t.text.trim_start_matches('\u{feff}')) else {
        return;
    };
    let Ok(Value::Object(m)) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let str_of = |key: &str| m.get(key).and_then(Value::as_str).map(str::to_string);
    let bool_of = |key: &str| m.get(key).and_then(Value::as_bool);
    let chosen: Vec<&str> = m
        .get("categories")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let items: Vec<Item> = m
        .get("items")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Item::read).collect())
        .unwrap_or_default();
    let not_applicable: Vec<&str> = m
        .get("not_applicable")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let categories_source = categories_source(doc, &chosen);
    let categories = CATEGORIES
        .iter()
        .map(|id| {
            let mut state = category(doc, id, chosen.contains(id), &items, &categories_source);
            state.not_applicable = not_applicable.contains(id);
            if state.not_applicable {
                state.reason = None;
            }
            state
        })
        .collect();
    if let Some(family) = m.get("os").and_then(|o| o.get("family")).and_then(Value::as_str) {
        let line = member_line(doc, "family", family, 1).unwrap_or(1);
        machine
            .os
            .family
            .push(family, Source::at(doc, line, &format!("\"family\": \"{family}\"")));
    }
    let schema = str_of("schema").unwrap_or_default();
    let host = str_of("host");
    let user = str_of("user");
    let header = format!(
        "{schema}: host {}, user {}",
        host.as_deref().unwrap_or("-"),
        user.as_deref().unwrap_or("-")
    );
    machine.collection.push(Collection {
        source: Source::at(doc, 1, &header),
        schema,
        tool_version: m
            .get("tool")
            .and_then(|t| t.get("version"))
            .and_then(Value::as_str)
            .map(str::to_string),
        host,
        user,
        elevated: bool_of("elevated"),
        interrupted: bool_of("interrupted"),
        deadline_s: m.get("deadline_s").and_then(Value::as_u64),
        started: str_of("started"),
        ended: str_of("ended"),
        categories,
    });
}

/// One manifest item: what the category state needs of it.
struct Item {
    id: String,
    category: String,
    status: String,
    reason: Option<String>,
}

impl Item {
    fn read(v: &Value) -> Option<Item> {
        let s = |key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
        Some(Item {
            id: s("id")?,
            category: s("category")?,
            status: s("status").unwrap_or_default(),
            reason: s("reason").filter(|r| !r.trim().is_empty()),
        })
    }

    fn stored(&self) -> bool {
        STORED.contains(&self.status.as_str())
    }

    /// The line of its `"id"`, with a text that says what happened to it.
    fn source(&self, doc: &Document) -> Source {
        let reason = self.reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default();
        let text = format!("{} [{}]: {}{reason}", self.id, self.category, self.status);
        Source {
            line: member_line(doc, "id", &self.id, 1),
            ..Source::at(doc, 0, &text)
        }
    }
}

fn category(doc: &Document, id: &str, chosen: bool, items: &[Item], categories_source: &Source) -> CategoryState {
    let mine: Vec<&Item> = items.iter().filter(|i| i.category == id).collect();
    let collected = mine.iter().any(|i| i.stored());
    // The item that explains the state: a stored one when collected, else the first failure
    // that gives a reason, else the first item.
    let witness = if collected {
        mine.iter().find(|i| i.stored())
    } else {
        mine.iter().find(|i| i.reason.is_some()).or(mine.first())
    };
    let reason = (chosen && !collected).then(|| match witness {
        Some(i) => i.reason.clone().unwrap_or_else(|| format!("status {}", i.status)),
        None => "no item of this category was run".to_string(),
    });
    let source = match witness {
        Some(i) if chosen => i.source(doc),
        _ => categories_source.clone(),
    };
    CategoryState {
        id: id.to_string(),
        chosen,
        collected,
        not_applicable: false,
        reason,
        source,
    }
}

/// The `"categories"` line, with the chosen categories as text.
fn categories_source(doc: &Document, chosen: &[&str]) -> Source {
    let line = doc.lines().find(|(_, l)| l.contains("\"categories\"")).map(|(n, _)| n);
    Source {
        line,
        ..Source::at(doc, 0, &format!("categories: {}", chosen.join(", ")))
    }
}

/// The collector's `manifest.json`: an object whose `schema` is `cmgelog-manifest/<version>`.
pub(crate) const FORMAT: Format = Format {
    kind: Kind::new("manifest", Reading::Whole),
    recognise: Recognise::text(is_manifest),
    extract,
    platform: None,
    codes: false,
};

fn is_manifest(s: &Sample) -> bool {
    s.json()
        .and_then(|v| v.get("schema"))
        .and_then(Value::as_str)
        .is_some_and(|schema| schema.starts_with("cmgelog-manifest/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(bytes: &[u8]) -> (Document, Collection) {
        let doc = Document::from_bytes("t", "manifest.json", bytes);
        assert_eq!(doc.kind, crate::facts::formats::kind("manifest"));
        let mut m = Machine::default();
        extract(&doc, &mut m);
        assert_eq!(m.collection.len(), 1);
        (doc, m.collection.remove(0))
    }

    /// (id, chosen, collected, reason, line of the evidence)
    type Row<'c> = (&'c str, bool, bool, Option<&'c str>, Option<usize>);

    fn state<'c>(c: &'c Collection, id: &str) -> &'c CategoryState {
        c.categories.iter().find(|s| s.id == id).expect(id)
    }

    #[test]
    fn partial_run_of_the_ci_machine() {
        let (doc, c) = run(fixture!("linux/constructed/manifest-ci-partial.json"));
        assert_eq!(c.schema, "cmgelog-manifest/1");
        assert_eq!(c.tool_version.as_deref(), Some("0.1.0"));
        assert_eq!((c.host.as_deref(), c.user.as_deref()), (Some("vm"), Some("ci")));
        assert_eq!(
            (c.elevated, c.interrupted, c.deadline_s),
            (Some(false), Some(true), Some(600))
        );
        assert_eq!(c.started.as_deref(), Some("2026-12-02T16:20:00Z"));
        let ids: Vec<&str> = c.categories.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, CATEGORIES);

        let got: Vec<Row> = c
            .categories
            .iter()
            .map(|s| (s.id.as_str(), s.chosen, s.collected, s.reason.as_deref(), s.source.line))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "group-policy",
                    true,
                    false,
                    Some("no item of this category was run"),
                    Some(19)
                ),
                ("network", true, true, None, Some(30)),
                ("event-logs", true, false, Some("deadline"), Some(49)),
                ("software", false, false, None, Some(19)),
                ("processes", true, false, Some("status failed"), Some(70)),
                ("activation", true, true, None, Some(89)),
                ("upgrade", true, false, Some("timeout after 60 s"), Some(121)),
                // dmidecode was denied, but lsblk is ok.
                ("hardware", true, true, None, Some(140)),
            ]
        );
        let upgrade = state(&c, "upgrade");
        assert_eq!(
            upgrade.source.text,
            "upg.apt-simulate [upgrade]: timeout (timeout after 60 s)"
        );
        assert_eq!(doc.line(121).map(str::trim), Some("\"id\": \"upg.apt-simulate\","));
        let software = state(&c, "software");
        assert_eq!(
            software.source.text,
            "categories: group-policy, network, event-logs, processes, activation, upgrade, hardware"
        );
    }

    #[test]
    fn complete_run_misses_nothing() {
        let (_, c) = run(fixture!("linux/constructed/manifest-complete.json"));
        assert!(c.categories.iter().all(|s| !s.is_missing()), "{:#?}", c.categories);
        // Only a truncated journal: still collected.
        assert_eq!(
            state(&c, "event-logs").source.text,
            "evt.journal [event-logs]: truncated (output over 16 MiB)"
        );
    }

    #[test]
    fn categories_the_os_has_nothing_for_are_not_missing() {
        let json = r#"{"schema": "cmgelog-manifest/1", "categories": ["group-policy", "network"],
            "not_applicable": ["group-policy"],
            "items": [{"id": "net.ip", "category": "network", "status": "ok"}]}"#;
        let (_, c) = run(json.as_bytes());
        let gp = state(&c, "group-policy");
        assert!(gp.not_applicable && !gp.is_missing() && gp.reason.is_none(), "{gp:#?}");
        assert!(!state(&c, "network").is_missing());
        assert!(state(&c, "hardware").is_missing(), "not chosen and applicable");
    }

    #[test]
    fn chosen_category_without_items_or_reasons() {
        let json = r#"{"schema": "cmgelog-manifest/1", "categories": ["network", "upgrade"],
            "items": [{"id": "upg.log", "category": "upgrade", "status": "not-found", "reason": null, "path": null}]}"#;
        let (_, c) = run(json.as_bytes());
        assert_eq!(
            state(&c, "network").reason.as_deref(),
            Some("no item of this category was run")
        );
        assert_eq!(state(&c, "upgrade").reason.as_deref(), Some("status not-found"));
        assert_eq!(state(&c, "upgrade").source.line, Some(2));
        assert!(state(&c, "hardware").is_missing() && !state(&c, "hardware").chosen);
        assert_eq!(c.host, None);
    }
}
