//! One machine's analysis: read every input, recognise and decode the documents, extract the
//! facts, apply the rules. Nothing here prints; the report module renders the result.

use crate::bundle::{self, Document, Limits, ReadError};
use crate::facts::{self, Machine};
use crate::rules::{self, Finding, RuleSet, Severity};
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
    pub bytes: usize,
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
    let read = bundle::read_inputs(inputs, limits);
    let documents: Vec<Document> = read.entries.into_iter().map(Document::from_entry).collect();
    analyze_documents(
        inputs.iter().map(|p| p.as_ref().display().to_string()).collect(),
        documents,
        read.errors,
        rules,
    )
}

/// The stages after reading, for callers that already have documents.
pub fn analyze_documents(
    inputs: Vec<String>,
    documents: Vec<Document>,
    errors: Vec<ReadError>,
    rules: &RuleSet,
) -> Analysis {
    let machine = facts::extract(&documents);
    let findings = rules::evaluate(rules, &documents, &machine);
    let infos = documents
        .iter()
        .map(|d| DocumentInfo {
            input: d.input.clone(),
            path: d.path.clone(),
            kind: d.kind.name(),
            encoding: d.text.as_ref().map(|t| t.encoding),
            bytes: d
                .text
                .as_ref()
                .map_or_else(|| d.raw.as_ref().map_or(0, Vec::len), |t| t.text.len()),
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
