//! Evaluation: documents + machine + rules → findings, most severe first.

use super::condition::Condition;
use super::event_scan::EventScan;
use super::finding::{Finding, Match};
use super::{fact_check, text_match, wording, Rule, RuleSet};
use crate::bundle::Document;
use crate::facts::platform::Platform;
use crate::facts::Machine;

/// Everything the rules can look at.
pub struct Context<'a> {
    pub docs: &'a [Document],
    pub machine: &'a Machine,
    pub events: &'a EventScan,
    /// The lines that hold error codes, found once for all code conditions (built on first use).
    pub codes: std::cell::OnceCell<text_match::CodeIndex<'a>>,
}

/// Applies every rule; returns the findings, most severe first (rule file order within a severity).
pub fn evaluate(rules: &RuleSet, docs: &[Document], machine: &Machine, events: &EventScan) -> Vec<Finding> {
    let ctx = Context {
        docs,
        machine,
        events,
        codes: std::cell::OnceCell::new(),
    };
    let mut findings: Vec<Finding> = rules
        .rules
        .iter()
        .filter_map(|rule| matches(&rule.when, &ctx).map(|m| finding(rule, m, machine.platform)))
        .collect();
    let fired: Vec<String> = findings.iter().map(|f| f.rule.clone()).collect();
    for f in &mut findings {
        let rule = rules.get(&f.rule).expect("finding comes from this rule set");
        f.related = fired
            .iter()
            .filter(|id| **id != f.rule && rule.related.iter().any(|p| id_matches(p, id)))
            .cloned()
            .collect();
    }
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    findings
}

fn finding(rule: &Rule, m: Match, platform: Platform) -> Finding {
    let (cause, remedy) = wording::fitted(rule, platform, &m.evidence);
    Finding {
        rule: rule.id.clone(),
        severity: rule.severity,
        title: rule.title().clone(),
        cause,
        remedy,
        summary: m.summary,
        references: rule.references.clone(),
        evidence: m.evidence,
        match_count: m.count,
        related: Vec::new(),
    }
}

/// `hw.*` matches every id starting with `hw.`; anything else must be equal.
fn id_matches(pattern: &str, id: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => id.starts_with(prefix),
        None => pattern == id,
    }
}

/// Evaluates a condition: `Some(match)` when it holds.
pub(crate) fn matches(cond: &Condition, ctx: &Context) -> Option<Match> {
    match cond {
        Condition::All(items) => {
            let mut all = Match::default();
            for c in items {
                all.absorb(matches(c, ctx)?);
            }
            Some(all)
        }
        Condition::Any(items) => {
            let mut any: Option<Match> = None;
            for m in items.iter().filter_map(|c| matches(c, ctx)) {
                any.get_or_insert_with(Match::default).absorb(m);
            }
            any
        }
        Condition::Not(inner) => match matches(inner, ctx) {
            Some(_) => None,
            None => Some(Match::default()),
        },
        Condition::Text(t) => text_match::find(t, ctx.docs, &ctx.codes),
        Condition::Fact(f) => fact_check::check(f, ctx.machine),
        Condition::Event(e) => ctx.events.result(e),
    }
}
