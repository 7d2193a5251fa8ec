//! Evaluation: documents + machine + rules → findings, most severe first.

use super::condition::Condition;
use super::event_scan::EventScan;
use super::{fact_check, text_match, wording, Localized, Rule, RuleSet, Severity};
use crate::bundle::Document;
use crate::facts::platform::Platform;
use crate::facts::{Machine, Source};
use serde::Serialize;

/// One piece of evidence: where, and the text seen there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub input: String,
    pub path: String,
    pub line: Option<usize>,
    pub text: String,
    /// What this evidence shows, when the text alone does not say ("placeholder: empty").
    #[serde(skip)]
    pub note: Option<Localized>,
    /// For evidence from an event log: which event (`line` is then empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<EventRef>,
}

/// Identifies one event record: the file is the evidence's input and path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventRef {
    pub record_id: Option<u64>,
    pub time: Option<String>,
    pub channel: Option<String>,
    pub provider: Option<String>,
    pub event_id: Option<u32>,
}

impl Evidence {
    pub fn from_source(source: &Source, note: Option<Localized>) -> Evidence {
        Evidence {
            input: source.input.clone(),
            path: source.path.clone(),
            line: source.line,
            text: source.text.clone(),
            note,
            event: None,
        }
    }
}

/// What a matching condition produced.
#[derive(Debug, Default)]
pub(crate) struct Match {
    pub evidence: Vec<Evidence>,
    /// How many lines/records/values matched (evidence is capped, the count is not).
    pub count: usize,
    /// Sentences that sum the match up (the VM verdict and why).
    pub summary: Vec<Localized>,
}

impl Match {
    fn absorb(&mut self, other: Match) {
        self.evidence.extend(other.evidence);
        self.count += other.count;
        self.summary.extend(other.summary);
    }
}

/// A rule that matched.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    #[serde(skip)]
    pub title: Localized,
    #[serde(skip)]
    pub cause: Localized,
    #[serde(skip)]
    pub remedy: Localized,
    #[serde(skip)]
    pub summary: Vec<Localized>,
    pub references: Vec<String>,
    pub evidence: Vec<Evidence>,
    /// Matches in all (lines, values, signals); `evidence` holds at most a few of them.
    pub match_count: usize,
    /// Ids of findings of this analysis that explain this one (from the rule's `related`).
    pub related: Vec<String>,
}

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
        title: rule.title.clone(),
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
