//! One machine's analysis: read every input, recognise and decode the documents, extract the
//! facts, read every event once (feeding both the event facts and the rules' event
//! conditions), apply the rules. Nothing here prints; the report module renders the result.

use crate::bundle::{self, Document, Limits, ReadError, ReadErrorKind};
use crate::events::{self, EventReadError};
use crate::facts::{self, EventFacts, Machine};
use crate::rules::{self, EventScan, EventScanner, Finding, RuleSet, Severity};
use serde::Serialize;
use std::path::Path;

/// What was read: one line per document, for the report and for `--format json`.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentInfo {
    pub input: String,
    pub path: String,
    pub kind: &'static str,
    /// The text encoding detected, for text documents.
    pub encoding: Option<&'static str>,
    /// Present (true) when some bytes could not be decoded in that encoding (odd-length or
    /// lone-surrogate UTF-16, stray bytes) and were read as U+FFFD; the rest was analysed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub decode_errors: bool,
    pub bytes: usize,
    /// Event records read, for event logs and exports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<usize>,
}

#[derive(Debug)]
pub struct Analysis {
    pub inputs: Vec<String>,
    pub documents: Vec<DocumentInfo>,
    pub machine: Machine,
    pub findings: Vec<Finding>,
    pub errors: Vec<ReadError>,
}

/// Analyses inputs that all describe one machine.
pub fn analyze(inputs: &[impl AsRef<Path>], rules: &RuleSet, limits: &Limits) -> Analysis {
    let (documents, errors) = bundle::into_documents(bundle::read_inputs(inputs, limits), limits);
    analyze_documents(
        inputs.iter().map(|p| p.as_ref().display().to_string()).collect(),
        documents,
        errors,
        rules,
    )
}

/// Only the machine model of inputs that describe one machine: no rules, no event scan (the
/// identity comes from inventories). For `find` and `fingerprint`, which need nothing else.
pub fn machine_only(inputs: &[impl AsRef<Path>], limits: &Limits) -> (Machine, Vec<ReadError>) {
    let (documents, errors) = bundle::into_documents(bundle::read_inputs(inputs, limits), limits);
    (facts::extract(&documents), errors)
}

/// The stages after reading, for callers that already have documents.
pub fn analyze_documents(
    inputs: Vec<String>,
    documents: Vec<Document>,
    mut errors: Vec<ReadError>,
    rules: &RuleSet,
) -> Analysis {
    let mut machine = facts::extract(&documents);
    let (scan, event_counts, event_errors) = scan_events(&documents, rules, &mut machine);
    errors.extend(event_errors.into_iter().map(damaged));
    let findings = rules::evaluate(rules, &documents, &machine, &scan);
    let infos = documents
        .iter()
        .zip(event_counts)
        .map(|(d, events)| DocumentInfo {
            input: d.input.clone(),
            path: d.path.clone(),
            kind: d.kind.name(),
            encoding: d.text.as_ref().map(|t| t.encoding),
            decode_errors: d.text.as_ref().is_some_and(|t| t.had_errors),
            bytes: d
                .text
                .as_ref()
                .map_or_else(|| d.raw.as_ref().map_or(0, Vec::len), |t| t.text.len()),
            events,
        })
        .collect();
    Analysis {
        inputs,
        documents: infos,
        machine,
        findings,
        errors,
    }
}

/// Reads each event document once, streaming: every record goes to the rules' event
/// conditions and to the event facts, then is dropped. Returns the scan, the number of
/// records per document (`None` for documents that are no event log) and the damaged parts.
fn scan_events(
    documents: &[Document],
    rules: &RuleSet,
    machine: &mut Machine,
) -> (EventScan, Vec<Option<usize>>, Vec<EventReadError>) {
    let mut scanner = EventScanner::new(rules);
    let mut event_facts = EventFacts::default();
    let mut counts = Vec::with_capacity(documents.len());
    let mut errors = Vec::new();
    for doc in documents {
        if !doc.events {
            counts.push(None);
            continue;
        }
        let mut n = 0;
        errors.extend(events::read_events(doc, |rec| {
            n += 1;
            scanner.observe(&rec);
            event_facts.observe(&rec);
        }));
        counts.push(Some(n));
    }
    event_facts.apply(machine);
    (scanner.finish(), counts, errors)
}

fn damaged(e: EventReadError) -> ReadError {
    let entry = (!e.input.ends_with(&e.path)).then_some(e.path);
    ReadError::new(e.input, entry, ReadErrorKind::DamagedEvents { detail: e.detail })
}

impl Analysis {
    /// The process exit code: 2 when something could not be read (the rest was still
    /// analysed), else 1 when a finding of severity warning or above exists, else 0.
    pub fn exit_code(&self) -> u8 {
        if !self.errors.is_empty() {
            2
        } else if self.findings.iter().any(|f| f.severity >= Severity::Warning) {
            1
        } else {
            0
        }
    }
}
