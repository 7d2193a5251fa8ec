//! The built-in rules in their baked form: parsed once, stored in src/rules/builtin.postcard
//! (postcard, a compact serde format), and loaded from there by every run.
//!
//! Why: parsing their TOML was most of a small run. `cmgelog analyze` of a one-byte file took
//! 8.4 M instructions (callgrind), 5.1 M of them in `RuleSet::builtin` (3.4 M in the TOML
//! parser, 0.6 M checking regex syntax); loading the baked rules takes 0.65 M (mostly
//! allocating their strings), and the run 3.9 M. Of 130.evtx (evtx-attack-samples): 7.3 M →
//! 2.8 M. Task-clock (`perf stat -r 200`, on a busy 2-core machine): the one-byte file
//! 2.9–3.1 → 2.5–2.55 ms, 130.evtx 3.2–3.3 → 2.8–3.1 ms.
//!
//! The build cannot bake the rules (that takes this crate's parser), so the file is generated
//! by a test and committed. It starts with the key it was baked under: a SHA-256 that build.rs
//! computes over every source the parse depends on (`RULES_KEY`). A run uses the file only when
//! its key is the current one and it deserializes whole; otherwise the TOML is parsed, as
//! before (the same rules, only slower), and nothing is said. The test
//! `the_baked_rules_are_current` fails while the file is stale, and rewrites it when run with
//! `CMGELOG_BLESS=1 cargo test --lib rules::baked`.

use super::builtin::parse_builtin_rules;
use super::{Diagnostic, Rule};

// `RULES_KEY`, written by build.rs.
include!(concat!(env!("OUT_DIR"), "/rules_key.rs"));

/// The key the rules were baked under, then the postcard form of their `Vec<Rule>`.
pub const BAKED: &[u8] = include_bytes!("builtin.postcard");

/// The built-in rules (before `RuleSet::finish`): from `baked` when it was baked under `key`,
/// else parsed, with their diagnostics.
pub fn builtin_rules(baked: &[u8], key: &[u8; 32]) -> (Vec<Rule>, Vec<Diagnostic>) {
    match load(baked, key) {
        Some(rules) => (rules, Vec::new()),
        None => parse_builtin_rules(),
    }
}

/// The rules of `baked`, if it was baked under `key` and deserializes to its last byte.
fn load(baked: &[u8], key: &[u8; 32]) -> Option<Vec<Rule>> {
    let (stored, rules) = baked.split_first_chunk::<32>()?;
    if stored != key {
        return None;
    }
    match postcard::take_from_bytes::<Vec<Rule>>(rules) {
        Ok((rules, [])) => Some(rules),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::condition::{Condition, FactTarget};
    use crate::rules::parse_rule_file;

    const BAKED_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/rules/builtin.postcard");
    const BLESS: &str = "CMGELOG_BLESS=1 cargo test --lib rules::baked";

    /// What [`load`] reads.
    fn bake(key: &[u8; 32], rules: &[Rule]) -> Vec<u8> {
        let mut out = key.to_vec();
        out.extend(postcard::to_stdvec(rules).expect("rules serialize"));
        out
    }

    fn parsed() -> Vec<Rule> {
        let (rules, diagnostics) = parse_builtin_rules();
        assert!(
            diagnostics.is_empty(),
            "the built-in rules do not parse: {diagnostics:?}"
        );
        rules
    }

    /// The id of the first rule whose loaded and parsed forms differ (by `Debug`: the model has
    /// no `PartialEq`, and its lazily built parts print as unset in both), or a note on counts.
    fn first_difference(loaded: &[Rule], parsed: &[Rule]) -> Option<String> {
        if loaded.len() != parsed.len() {
            return Some(format!("{} rules, {} parsed", loaded.len(), parsed.len()));
        }
        loaded
            .iter()
            .zip(parsed)
            .find(|(l, p)| format!("{l:?}") != format!("{p:?}"))
            .map(|(l, _)| format!("rule `{}` differs", l.id))
    }

    #[test]
    fn the_baked_rules_are_current() {
        let rules = parsed();
        if std::env::var_os("CMGELOG_BLESS").is_some_and(|v| v == "1") {
            std::fs::write(BAKED_PATH, bake(&RULES_KEY, &rules)).unwrap_or_else(|e| panic!("write {BAKED_PATH}: {e}"));
            return;
        }
        let stale = format!("src/rules/builtin.postcard is stale: run `{BLESS}` to rewrite it");
        assert_eq!(
            BAKED.first_chunk::<32>(),
            Some(&RULES_KEY),
            "{stale} (it was baked from other sources)"
        );
        let loaded = load(BAKED, &RULES_KEY).unwrap_or_else(|| panic!("{stale} (it does not deserialize)"));
        if let Some(difference) = first_difference(&loaded, &rules) {
            panic!("{stale} ({difference})");
        }
    }

    #[test]
    fn a_stale_or_damaged_bake_is_parsed_instead() {
        let rules = parsed();
        let baked = bake(&RULES_KEY, &rules);
        assert!(load(&baked, &RULES_KEY).is_some(), "a fresh bake loads");
        let mut other_key = RULES_KEY;
        other_key[0] ^= 1;
        let mut trailing = baked.clone();
        trailing.push(0);
        let mut overwritten = baked.clone();
        overwritten[32..].fill(0xff);
        let cases: [(&str, &[u8], &[u8; 32]); 5] = [
            ("stale key", &baked, &other_key),
            ("truncated", &baked[..baked.len() / 2], &RULES_KEY),
            ("trailing byte", &trailing, &RULES_KEY),
            ("overwritten", &overwritten, &RULES_KEY),
            ("shorter than a key", &baked[..10], &RULES_KEY),
        ];
        for (what, bytes, key) in cases {
            assert!(load(bytes, key).is_none(), "{what}: loaded");
            let (got, diagnostics) = builtin_rules(bytes, key);
            assert!(diagnostics.is_empty(), "{what}: {diagnostics:?}");
            assert_eq!(first_difference(&got, &rules), None, "{what}");
        }
    }

    /// A rule's words are decoded when first asked for: damage inside them is found then, and
    /// the words come from the built-in rules' TOML instead.
    #[test]
    fn damaged_words_are_parsed_again_when_asked_for() {
        let rules = parsed();
        let mut baked = bake(&RULES_KEY, &rules);
        let title = rules[0].title().en.as_bytes();
        let at = baked
            .windows(title.len())
            .position(|w| w == title)
            .expect("the first rule's title is in the bake");
        baked[at] = 0xff; // not UTF-8
        let loaded = load(&baked, &RULES_KEY).expect("the rules load: their words are not decoded yet");
        assert_eq!(loaded[0].words(), rules[0].words());
        assert_eq!(loaded[1].words(), rules[1].words());
    }

    /// What the built-in rules do not use: globs, a named scope, and the fact targets, which
    /// are written by name and looked up again.
    #[test]
    fn globs_scopes_and_fact_targets_survive_a_bake() {
        let source = r#"
[[rule]]
id = "test.baked"
severity = "info"
title = { zh = "题", en = "title" }
cause = { zh = "因", en = "cause" }
remedy = { zh = "法", en = "remedy" }
when = { any = [
  { text = "failed", files = ["glob:**/setup*.log", "kind:setup-log"] },
  { code = "0xC004F074", scope = "activation" },
  { fact = "nics", check = "no-physical-enabled" },
  { fact = "baseboard.serial", check = "matches", pattern = "^0+$" },
  { event = { provider = "Microsoft-Windows-Security-SPP", id = "1047-1053", within = "30d", fields = { Error = "0x8" } } },
] }
"#;
        let rules = parse_rule_file("test.toml", source).expect("the test rule parses");
        let loaded = load(&bake(&RULES_KEY, &rules), &RULES_KEY).expect("the test rule loads");
        assert_eq!(first_difference(&loaded, &rules), None);
        let Condition::Any(items) = &loaded[0].when else {
            panic!("an `any` condition")
        };
        let Condition::Text(text) = &items[0] else {
            panic!("a text condition")
        };
        let globs = text.files.globs.as_ref().expect("globs");
        assert!(globs.is_match("Windows/Panther/setupact.log"));
        assert!(!globs.is_match("Windows/Logs/CBS/CBS.log"));

        for name in FactTarget::all_paths() {
            let target = FactTarget::parse(name).expect("a known target");
            assert_eq!(target.name(), name);
            let bytes = postcard::to_stdvec(&target).expect("a target serializes");
            assert_eq!(postcard::from_bytes::<FactTarget>(&bytes), Ok(target));
        }
        let unknown = postcard::to_stdvec("no.such-fact").expect("a string serializes");
        assert!(postcard::from_bytes::<FactTarget>(&unknown).is_err());
    }
}
