//! The `collection` fact: categories of the collector's manifest that hold no data. The
//! analysis can only speak about what was collected, so a category that was not chosen, or
//! chosen but failed (timeout, access denied, deadline), is a finding of its own: the missing
//! data may hide the cause.

use super::finding::{Evidence, Match};
use crate::facts::Machine;
use crate::i18n::Localized;
use crate::messages::localized;

/// One evidence line per missing category of every manifest: the item that failed (or the
/// manifest's `categories` line for a category that was not chosen), noted with why.
pub(crate) fn category_missing(machine: &Machine) -> Option<Match> {
    let mut m = Match::default();
    for collection in &machine.collection {
        for c in collection.categories.iter().filter(|c| c.is_missing()) {
            let note = match (&c.reason, c.chosen) {
                (Some(reason), true) => {
                    let why = reason_words(reason);
                    Localized::new(
                        format!("{} 未收集到：{}", c.id, why.zh),
                        format!("{} was not collected: {}", c.id, why.en),
                    )
                }
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

/// A manifest's reason in the user's words (locales/*.toml `reason-*`): the collector writes
/// its reasons in English (`needs administrator`, `timeout after 60 s`, `wmic: command not
/// found`). What follows a known start (a command's own error line) is shown as written.
fn reason_words(reason: &str) -> Localized {
    let fixed = match reason {
        "needs administrator" => Some("reason-needs-admin"),
        "deadline" => Some("reason-deadline"),
        "interrupted" => Some("reason-interrupted"),
        "no file matches" => Some("reason-no-file"),
        "no item of this category was run" => Some("reason-no-item"),
        _ => None,
    };
    if let Some(key) = fixed {
        return localized(key, &[]);
    }
    if let Some(seconds) = reason.strip_prefix("timeout after ").and_then(|r| r.strip_suffix(" s")) {
        return localized("reason-timeout", &[("seconds", &seconds)]);
    }
    if let Some(status) = reason.strip_prefix("status ") {
        let words = localized(&format!("status-{status}"), &[]);
        return Localized::new(
            localized("reason-status", &[("status", &words.zh)]).zh,
            localized("reason-status", &[("status", &words.en)]).en,
        );
    }
    if let Some(program) = reason.strip_suffix(": command not found") {
        return localized("reason-command-not-found", &[("program", &program)]);
    }
    if let Some(path) = reason.strip_suffix(": no such folder") {
        return localized("reason-no-folder", &[("path", &path)]);
    }
    if let Some(path) = reason.strip_suffix(": permission denied") {
        return localized("reason-permission-denied", &[("path", &path)]);
    }
    if let Some(rest) = reason.strip_prefix("exit code ") {
        return match rest.split_once(": ") {
            Some((code, detail)) => localized("reason-exit-code", &[("code", &code), ("detail", &detail)]),
            None => localized("reason-exit-code-only", &[("code", &rest)]),
        };
    }
    Localized::new(reason, reason)
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
                ("event-logs was not collected: time limit reached", Some(49)),
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
            Some("upgrade 未收集到：60 秒后超时")
        );
    }

    #[test]
    fn complete_collection_and_no_manifest_are_silent() {
        let m = machine(fixture!("linux/constructed/manifest-complete.json"));
        assert!(category_missing(&m).is_none());
        assert!(category_missing(&Machine::default()).is_none());
    }
}
