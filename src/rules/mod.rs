//! Rules: the rule file model, its loader with line-and-column diagnostics, compiled
//! conditions, and evaluation into findings.
//!
//! A rule file is TOML (see `rules/README.md` for the format). Loading parses into spanned
//! values, validates everything and collects every diagnostic before building the rule set,
//! so a bad rule file is reported whole and never silently yields "no findings". Regexes
//! are compiled once, at load.

mod baked;
mod builtin;
mod condition;
mod diagnostic;
mod eval;
mod event_filter;
mod event_needles;
mod event_scan;
mod fact_check;
mod fact_collection;
mod fact_state;
mod finding;
mod lazy_regex;
mod parse;
pub mod scope;
mod text_match;
mod wording;
mod words;

pub use builtin::{builtin_sources, BUILTIN_FILES};
pub use condition::Condition;
pub use diagnostic::{render_diagnostics, Diagnostic};
pub use eval::evaluate;
pub use event_scan::{EventScan, EventScanner};
pub use finding::{EventRef, Evidence, Finding};
pub use parse::{parse_rule_file, parse_rule_file_with, RuleFile};
use words::LazyWords;
pub use words::Words;

use crate::events::{ChunkFilter, ChunkFilterBuilder};
pub use crate::i18n::Localized;
use crate::knowledge::{CodeInfo, Knowledge};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// How bad a finding is. Ordered: `Critical` is the most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
    Critical,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "critical" => Severity::Critical,
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "info" => Severity::Info,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
    pub fn label(self, zh: bool) -> &'static str {
        match (self, zh) {
            (Severity::Critical, true) => "严重",
            (Severity::Error, true) => "错误",
            (Severity::Warning, true) => "警告",
            (Severity::Info, true) => "提示",
            (s, false) => s.name(),
        }
    }
}

/// A compiled rule (serialized only for the baked built-in rules: see `rules::baked`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Rule {
    /// Stable id (`hw.baseboard-serial`); scripts depend on it.
    pub id: String,
    pub severity: Severity,
    /// Title, cause and remedies: see [`Rule::words`].
    words: LazyWords,
    /// Which support cases the rule encodes (`cases.md#case-a`).
    pub references: Vec<String>,
    /// Ids (or `prefix.*` patterns) of other rules whose findings explain this one, e.g. the
    /// generic server error points at the hardware findings.
    pub related: Vec<String>,
    pub when: Condition,
    /// File the rule came from (`builtin:rules/hardware.toml` for the default set).
    pub origin: String,
}

impl Rule {
    /// The rule's title, cause and remedies (decoded on first use in the baked rules).
    pub fn words(&self) -> &Words {
        self.words.get(|| {
            let (rules, _) = builtin::parse_builtin_rules();
            rules
                .into_iter()
                .find(|r| r.id == self.id)
                .map(|r| r.words().clone())
                .expect("a baked rule is a built-in rule")
        })
    }

    pub fn title(&self) -> &Localized {
        &self.words().title
    }

    /// The error codes the rule's conditions look for (for `cmgelog explain`), sorted.
    pub fn codes(&self) -> Vec<u32> {
        let mut codes = Vec::new();
        self.when.visit(&mut |c| {
            let matchers: Vec<&condition::TextMatcher> = match c {
                Condition::Text(t) => vec![&t.matcher],
                Condition::Event(e) => e.fields.iter().map(|(_, m)| m).chain(e.any_field.as_ref()).collect(),
                _ => Vec::new(),
            };
            for m in matchers {
                if let condition::TextMatcher::Codes(list) = m {
                    codes.extend(list.iter().copied());
                }
            }
        });
        codes.sort_unstable();
        codes.dedup();
        codes
    }
}

/// Bytes of `.evtx` from which the event filter is built (see [`RuleSet::event_chunk_filter_for`]).
const FILTER_PAYS_FROM: usize = 1 << 20;

/// The rules in force for one analysis.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    /// Error codes the rule files define (`[[code]]` tables), besides knowledge/codes.toml.
    pub codes: Vec<CodeInfo>,
    /// Built on first use from `rules`, and reset when they change through [`RuleSet::extend`].
    chunk_filter: OnceLock<ChunkFilter>,
    /// The rules will analyse many bundles (see [`RuleSet::for_many_bundles`]).
    many_bundles: bool,
}

/// A rule file that failed to load: every diagnostic, with the file's text for rendering.
#[derive(Debug)]
pub struct LoadError {
    pub diagnostics: Vec<Diagnostic>,
}

impl RuleSet {
    /// The default rules compiled into the binary: their baked form when it is current, else
    /// parsed from their TOML (see `rules::baked`).
    pub fn builtin() -> Result<RuleSet, LoadError> {
        let (rules, diagnostics) = baked::builtin_rules(baked::BAKED, &baked::RULES_KEY);
        let set = RuleSet {
            rules,
            ..RuleSet::default()
        };
        set.finish(diagnostics)
    }

    /// Rules from a file or a folder of `*.toml` files (not recursing into `fixtures/`). A
    /// code defined in one file of the folder may be used by the rules of another.
    pub fn from_path(path: &Path) -> Result<RuleSet, LoadError> {
        let mut set = RuleSet::default();
        let mut diagnostics = Vec::new();
        let mut texts = Vec::new();
        for file in rule_files(path).map_err(|d| LoadError { diagnostics: vec![d] })? {
            let name = file.display().to_string();
            match std::fs::read_to_string(&file) {
                Ok(text) => texts.push((name, text)),
                Err(e) => diagnostics.push(Diagnostic::file_error(&name, &e.to_string())),
            }
        }
        // The folder's codes first (their problems are reported when their file is parsed).
        let known: Vec<CodeInfo> = texts
            .iter()
            .filter_map(|(_, text)| crate::knowledge::parse_in_rule_file(text).ok())
            .flat_map(|(codes, _)| codes)
            .collect();
        for (name, text) in &texts {
            match parse_rule_file_with(name, text, &known) {
                Ok(file) => {
                    set.rules.extend(file.rules);
                    set.codes.extend(file.codes);
                }
                Err(d) => diagnostics.extend(d),
            }
        }
        set.finish(diagnostics)
    }

    /// The code table `explain` and the reports read: knowledge/codes.toml with the codes the
    /// rule files define (a rule file's entry replaces the built-in one of the same code).
    pub fn knowledge(&self) -> Knowledge {
        Knowledge::builtin().with(&self.codes)
    }

    /// A rule set of already parsed rules (ids are not checked for duplicates).
    pub fn from_rules(rules: Vec<Rule>) -> RuleSet {
        let mut set = RuleSet {
            rules,
            ..RuleSet::default()
        };
        set.number_event_conditions();
        set
    }

    /// Adds rules; a rule with an id already present replaces the earlier one, so a user's
    /// rule folder can override a default rule.
    pub fn extend(&mut self, other: RuleSet) {
        for code in other.codes {
            self.codes.retain(|c| (c.code, c.extend) != (code.code, code.extend));
            self.codes.push(code);
        }
        for rule in other.rules {
            match self.rules.iter_mut().find(|r| r.id == rule.id) {
                Some(slot) => *slot = rule,
                None => self.rules.push(rule),
            }
        }
        self.number_event_conditions();
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Rules for a batch: the event filter is then built as a DFA, which takes about 10 ms
    /// more to build and searches a third faster (a contiguous NFA otherwise).
    pub fn for_many_bundles(mut self) -> RuleSet {
        self.many_bundles = true;
        self.chunk_filter = OnceLock::new();
        self
    }

    /// The event filter, when it is worth building for `evtx_bytes` of `.evtx` files: building
    /// it costs about what rendering every record of about 1 MiB of chunks does (measured on
    /// the shared samples: equal at 1.1 MB, 28% less CPU with the filter at 2.2 MB), so
    /// smaller logs are read whole (the result is the same: the filter only skips records that
    /// nothing looks at). A batch builds it once for all bundles, so it always pays there.
    pub fn event_chunk_filter_for(&self, evtx_bytes: usize) -> Option<&ChunkFilter> {
        let pays = self.many_bundles || self.chunk_filter.get().is_some() || evtx_bytes >= FILTER_PAYS_FROM;
        (evtx_bytes > 0 && pays).then(|| self.event_chunk_filter())
    }

    /// Which `.evtx` chunks can hold a record that an event condition of these rules, or
    /// the event facts, look at. Built once per rule set: a batch shares it across bundles.
    pub fn event_chunk_filter(&self) -> &ChunkFilter {
        self.chunk_filter.get_or_init(|| {
            let mut builder = ChunkFilterBuilder::default();
            for rule in &self.rules {
                rule.when.visit(&mut |c| {
                    if let Condition::Event(e) = c {
                        match event_needles::clause(e) {
                            Some(groups) => builder.clause(groups),
                            None => builder.every_chunk(),
                        }
                    }
                });
            }
            crate::facts::EventFacts::chunk_needles(&mut builder);
            builder.build(self.many_bundles)
        })
    }

    /// Numbers the event conditions, so the event scan can keep one result per condition.
    fn number_event_conditions(&mut self) {
        self.chunk_filter = OnceLock::new();
        let mut next = 0;
        for rule in &mut self.rules {
            rule.when.visit_mut(&mut |c| {
                if let Condition::Event(e) = c {
                    e.slot = next;
                    next += 1;
                }
            });
        }
    }

    fn finish(mut self, mut diagnostics: Vec<Diagnostic>) -> Result<RuleSet, LoadError> {
        self.number_event_conditions();
        let mut seen: Vec<&Rule> = Vec::new();
        for rule in &self.rules {
            if let Some(first) = seen.iter().find(|r| r.id == rule.id) {
                diagnostics.push(Diagnostic::file_error(
                    &rule.origin,
                    &format!("duplicate rule id `{}` (also in {})", rule.id, first.origin),
                ));
            }
            seen.push(rule);
        }
        for (i, c) in self.codes.iter().enumerate() {
            if self.codes[..i].iter().any(|o| (o.code, o.extend) == (c.code, c.extend)) {
                diagnostics.push(Diagnostic::file_error(
                    "[[code]]",
                    &format!("code {} is defined by two rule files", c.code),
                ));
            }
        }
        if diagnostics.is_empty() {
            Ok(self)
        } else {
            Err(LoadError { diagnostics })
        }
    }
}

/// The `*.toml` rule files under a path, sorted; a file is taken as it is.
pub fn rule_files(path: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let listing =
        std::fs::read_dir(path).map_err(|e| Diagnostic::file_error(&path.display().to_string(), &e.to_string()))?;
    let mut files: Vec<PathBuf> = listing
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `analyze` builds the event filter only from about 1 MiB of `.evtx` on (below, rendering
    /// every record costs less than building it); a batch's rules always use it, and an input
    /// without an event log never builds it.
    #[test]
    fn the_event_filter_is_built_only_where_it_pays() {
        let rules = RuleSet::builtin().unwrap();
        assert!(rules.event_chunk_filter_for(0).is_none());
        assert!(rules.event_chunk_filter_for(64 * 1024).is_none());
        assert!(rules.chunk_filter.get().is_none(), "nothing built yet");
        assert!(rules.event_chunk_filter_for(FILTER_PAYS_FROM).is_some());
        // Once built it is used for any log.
        assert!(rules.event_chunk_filter_for(64 * 1024).is_some());
        let batch = RuleSet::builtin().unwrap().for_many_bundles();
        assert!(batch.event_chunk_filter_for(64 * 1024).is_some());
        assert!(batch.event_chunk_filter_for(0).is_none());
    }
}
