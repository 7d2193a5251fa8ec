//! What evaluation produces: findings, each with the evidence it rests on. Every condition
//! kind (text, fact, event) builds its [`Match`] from these types; evaluation (`eval`) turns
//! the match of a rule into a [`Finding`].

use super::{Localized, Severity};
use crate::facts::Source;
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
    /// The one constructor: `text` seen at `line` of `path` in `input` (no line for an event
    /// record, which [`Evidence::with_event`] names). Every other way to make evidence goes
    /// through it.
    pub fn new(input: &str, path: &str, line: Option<usize>, text: String) -> Evidence {
        Evidence {
            input: input.to_string(),
            path: path.to_string(),
            line,
            text,
            note: None,
            event: None,
        }
    }

    /// The evidence of a fact: where it was read.
    pub fn from_source(source: &Source, note: Option<Localized>) -> Evidence {
        Evidence::new(&source.input, &source.path, source.line, source.text.clone()).with_note(note)
    }

    /// With what it shows, when the text alone does not say.
    pub fn with_note(self, note: Option<Localized>) -> Evidence {
        Evidence { note, ..self }
    }

    /// With the event record it comes from.
    pub fn with_event(self, event: EventRef) -> Evidence {
        Evidence {
            event: Some(event),
            ..self
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
    pub(crate) fn absorb(&mut self, other: Match) {
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
