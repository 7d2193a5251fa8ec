//! The `collection` fact: categories of the collector's manifest that hold no data. The
//! analysis can only speak about what was collected, so a category that was not chosen, or
//! chosen but failed (timeout, access denied, deadline), is a finding of its own: the missing
//! data may hide the cause.

use super::finding::{Evidence, Match};
use crate::facts::Machine;
use crate::i18n::Localized;

/// One evidence line per missing category of every manifest: the item that failed (or the
/// manifest's `categories` line for a category that was not chosen), noted with why.
pub(crate) fn category_missing(machine: &Machine) -> Option<Match> {
    let mut m = Match::default();
    for collection in &machine.collection {
        for c in collection.categories.iter().filter(|c| c.is_missing()) {
            let note = match (&c.reason, c.chosen) {
                (Some(reason), true) => Localized::new(
                    format!("{} 未收集到：{reason}", c.id),
                    format!("{} was not collected: {reason}", c.id),
                ),
                _ => Localized::new(
                    format!("{}：用户未选择此类别", c.id),
                    format!("{}: not chosen by the user", c.id),
                ),
            };
            m.evidence.push(Evidence::from_source(&c.source, Some(note)));
            m.count += 1;
        }
    }
    (m.count > 0).then_some(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::Document;
    use crate::facts::extract;

    fn machine(fixture: &[u8]) -> Machine {
        extract(&[Document::from_bytes("t", "manifest.json", fixture)])
    }

    #[test]
    fn one_evidence_per_missing_category() {
        let m = machine(fixture!("linux/constructed/manifest-ci-partial.json"));
        let found = category_missing(&m).expect("fires");
        assert_eq!(found.count, 5);
        let notes: Vec<(&str, Option<usize>)> = found
            .evidence
            .iter()
            .map(|e| (e.note.as_ref().map_or("", |n| n.en.as_str()), e.line))
            .collect();
        assert_eq!(
            notes,
            [
                (
                    "group-policy was not collected: no item of this category was run",
                    Some(19)
                ),
                ("event-logs was not collected: deadline", Some(49)),
                ("software: not chosen by the user", Some(19)),
                ("processes was not collected: status failed", Some(70)),
                ("upgrade was not collected: timeout after 60 s", Some(121)),
            ]
        );
        assert!(found.evidence.iter().all(|e| e.path == "manifest.json"));
        assert_eq!(
            found.evidence[4].text,
            "upg.apt-simulate [upgrade]: timeout (timeout after 60 s)"
        );
        assert_eq!(
            found.evidence[4].note.as_ref().map(|n| n.zh.as_str()),
            Some("upgrade 未收集到：timeout after 60 s")
        );
    }

    #[test]
    fn complete_collection_and_no_manifest_are_silent() {
        let m = machine(fixture!("linux/constructed/manifest-complete.json"));
        assert!(category_missing(&m).is_none());
        assert!(category_missing(&Machine::default()).is_none());
    }
}
