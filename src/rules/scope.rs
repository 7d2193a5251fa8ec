//! Where a rule's codes and texts mean what the rule says.
//!
//! The same number means different things in different files: `0x00000070` is a change token in
//! a dmidecode dump and ERROR_DISK_FULL in a setup log; `0x800706BA` is "RPC server
//! unavailable" for KMS and for the event-log service alike. So code and text conditions read
//! only the documents (and events) of their scope: a rule file names a default scope in its
//! `[defaults]` table, a condition may name another (`scope = "..."`) or list its files.
//! Hardware inventories, process lists and software lists are never read for error codes,
//! whatever a rule says: the numbers in them are not results (their format says so:
//! `facts::formats::Format::codes`).

/// A named family of documents and event sources.
#[derive(Debug, PartialEq, Eq)]
pub struct Scope {
    pub name: &'static str,
    /// Document kinds (`bundle::Kind::name`) whose lines are read.
    pub kinds: &'static [&'static str],
    /// Event providers whose records are read (ignoring case); empty: every provider.
    pub providers: &'static [&'static str],
    pub about: &'static str,
}

/// Providers of the Software Protection Platform and the licensing client (windows-facts.md
/// §1.3: the SPP events of the Application log, the licensing channels).
const ACTIVATION_PROVIDERS: &[&str] = &[
    "Microsoft-Windows-Security-SPP",
    "Software Protection Platform Service",
    "Microsoft-Windows-Security-SPP-UX",
    "Microsoft-Windows-Security-SPP-UX-Notifications",
    "Microsoft-Windows-Security-SPP-UX-GenuineCenter-Logging",
    "Microsoft-Windows-Security-Licensing-SLC",
    "Microsoft-Windows-Security-Licensing-SLC-UX",
];

/// Providers of Windows Update, servicing and setup events (windows-facts.md §1.8).
const UPGRADE_PROVIDERS: &[&str] = &[
    "Microsoft-Windows-WindowsUpdateClient",
    "Microsoft-Windows-Servicing",
    "Microsoft-Windows-Setup",
    "Microsoft-Windows-SetupPlatform",
    "Microsoft-Windows-SetupQueue",
    "Microsoft-Windows-TrustedInstaller",
];

pub const SCOPES: &[Scope] = &[
    Scope {
        name: "activation",
        kinds: &["slmgr", "text"],
        providers: ACTIVATION_PROVIDERS,
        about: "licensing outputs (slmgr), activation client logs and other text; SPP/licensing events",
    },
    Scope {
        name: "upgrade",
        kinds: &["setup-log", "cbs-log", "windows-update-log"],
        providers: UPGRADE_PROVIDERS,
        about: "setup (Panther), CBS/DISM and Windows Update logs; update, servicing and setup events",
    },
    Scope {
        name: "logs",
        kinds: &["slmgr", "text", "setup-log", "cbs-log", "windows-update-log"],
        providers: &[],
        about: "every log (no inventory, process or software list); events of every provider",
    },
];

/// The scope of code conditions in a rule file that names none.
pub const DEFAULT_CODE_SCOPE: &str = "logs";

pub fn find(name: &str) -> Option<&'static Scope> {
    SCOPES.iter().find(|s| s.name == name)
}

pub fn names() -> Vec<&'static str> {
    SCOPES.iter().map(|s| s.name).collect()
}

/// Where a rule looks, one short phrase per text, code and event condition, for `rules lint`:
/// `codes in activation (slmgr, text; events of 7 providers)`, `text in every text file`.
pub fn describe(rule: &super::Rule) -> Vec<String> {
    use super::condition::{Condition, TextMatcher};
    let mut out = Vec::new();
    rule.when.visit(&mut |c| {
        let phrase = match c {
            Condition::Text(t) => {
                let what = match t.matcher {
                    TextMatcher::Codes(_) => "codes",
                    TextMatcher::Literal(_) => "text",
                    TextMatcher::Regex(_) => "regex",
                };
                let files = &t.files;
                let mut place = match (files.scope, files.kinds.is_empty(), files.globs.is_some()) {
                    (Some(s), _, _) => format!("{s} ({})", files.kinds.join(", ")),
                    (None, true, false) => "every text file".to_string(),
                    (None, _, _) => {
                        let mut parts: Vec<String> = files.kinds.iter().map(|k| format!("kind:{k}")).collect();
                        if files.globs.is_some() {
                            parts.push("globs".into());
                        }
                        parts.join(", ")
                    }
                };
                if matches!(t.matcher, TextMatcher::Codes(_)) {
                    place.push_str("; never inventories or lists");
                }
                format!("{what} in {place}")
            }
            Condition::Event(e) => {
                let providers = if e.providers.is_empty() {
                    "every provider".to_string()
                } else if e.providers.len() > 2 {
                    format!("{} providers ({}, …)", e.providers.len(), e.providers[0])
                } else {
                    e.providers.join(", ")
                };
                format!("events of {providers}")
            }
            _ => return,
        };
        if !out.contains(&phrase) {
            out.push(phrase);
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::formats;

    #[test]
    fn scopes_name_known_kinds_and_never_an_inventory() {
        for s in SCOPES {
            for k in s.kinds {
                assert!(formats::names().contains(k), "{}: {k}", s.name);
                assert!(formats::by_name(k).is_none_or(|f| f.codes), "{}: {k}", s.name);
            }
        }
        assert!(find(DEFAULT_CODE_SCOPE).is_some());
    }
}
