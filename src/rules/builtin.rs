//! The default rule set, compiled into the binary so that `cmgelog analyze` works anywhere.
//! A run loads its baked form (`rules::baked`); these sources are what it is baked from, and
//! what is parsed when it is stale.

use super::{parse_rule_file, Diagnostic, Rule};

/// Every file of `rules/`, by name. A test checks that this list matches the folder.
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    ("rules/hardware.toml", include_str!("../../rules/hardware.toml")),
    (
        "rules/virtualization.toml",
        include_str!("../../rules/virtualization.toml"),
    ),
    ("rules/activation.toml", include_str!("../../rules/activation.toml")),
    ("rules/events.toml", include_str!("../../rules/events.toml")),
    (
        "rules/activation-codes.toml",
        include_str!("../../rules/activation-codes.toml"),
    ),
    ("rules/upgrade.toml", include_str!("../../rules/upgrade.toml")),
    ("rules/collection.toml", include_str!("../../rules/collection.toml")),
];

pub fn builtin_sources() -> impl Iterator<Item = (&'static str, &'static str)> {
    BUILTIN_FILES.iter().copied()
}

/// The rules of every built-in file parsed from its TOML, with every file's diagnostics.
pub(super) fn parse_builtin_rules() -> (Vec<Rule>, Vec<Diagnostic>) {
    let mut rules = Vec::new();
    let mut diagnostics = Vec::new();
    for (name, text) in builtin_sources() {
        match parse_rule_file(&format!("builtin:{name}"), text) {
            Ok(parsed) => rules.extend(parsed),
            Err(d) => diagnostics.extend(d),
        }
    }
    (rules, diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_file_is_compiled_in() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/rules");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .expect("rules folder")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .map(|n| format!("rules/{n}"))
            .collect();
        on_disk.sort();
        let mut built_in: Vec<String> = BUILTIN_FILES.iter().map(|(n, _)| n.to_string()).collect();
        built_in.sort();
        assert_eq!(on_disk, built_in, "add new rule files to BUILTIN_FILES");
    }

    #[test]
    fn builtin_rules_load() {
        let set = crate::rules::RuleSet::builtin().expect("built-in rules load");
        // The same rules as the folder holds: counted from it, not written down here.
        let folder = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/rules"));
        let on_disk = crate::rules::RuleSet::from_path(folder).expect("the rules folder loads");
        let ids = |s: &crate::rules::RuleSet| {
            let mut ids: Vec<String> = s.rules.iter().map(|r| r.id.clone()).collect();
            ids.sort();
            ids
        };
        assert!(!set.rules.is_empty());
        assert_eq!(ids(&set), ids(&on_disk));
        // Ids say what a rule is about: hardware, virtualisation, activation, upgrade, an
        // event-only signal, or the collection itself.
        for r in &set.rules {
            let prefix = r.id.split('.').next().unwrap_or_default();
            assert!(
                ["hw", "vm", "act", "upg", "evt", "collect"].contains(&prefix),
                "{}",
                r.id
            );
        }
    }
}
