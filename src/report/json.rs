//! `--format json`: the machine-readable report.
//!
//! ```text
//! {
//!   "version": 1,
//!   "lang": "zh" | "en",
//!   "inputs": ["case-a.zip"],
//!   "exit_code": 0 | 1 | 2,
//!   "findings": [{
//!     "rule": "hw.baseboard-serial",          // stable id
//!     "severity": "critical" | "error" | "warning" | "info",
//!     "title": "...", "cause": "...", "remedy": "...",   // in `lang`
//!     "summary": ["..."],                     // e.g. the VM verdict and why
//!     "references": ["cases.md#case-a"],
//!     "related": ["hw.baseboard-serial"],     // other findings that explain this one
//!     "match_count": 3,                       // all matches; evidence holds at most a few
//!     "evidence": [{"input": "...", "path": "hardware/dmidecode.txt", "line": 63,
//!                   "text": "Serial Number:  ", "note": "value “” is empty"},
//!                  {"input": "...", "path": "events/Application.evtx", "line": null,
//!                   "text": "Data=hr=0xC004F074",          // the event data fields that matched
//!                   "note": null,
//!                   "event": {"record_id": 1234, "time": "2024-05-14T01:31:06Z", "channel": "Application",
//!                             "provider": "Microsoft-Windows-Security-SPP", "event_id": 8198}}]
//!   }],
//!   "facts": { "system": {...}, "baseboard": {...}, "disks": [...], "nics": [...], ... },
//!   "documents": [{"input": "...", "path": "...", "kind": "dmidecode", "encoding": "UTF-8", "bytes": 123,
//!                  "events": 1881,                   // "events" only for event logs: records read
//!                  "decode_errors": true}],          // only when some bytes were undecodable (U+FFFD)
//!   "errors": [{"input": "...", "entry": "...", "line": null, "code": "not-a-zip", "message": "..."}]
//! }
//! ```
//! Every fact in `facts` is a list of observations `{"value": ..., "source": {"input", "path",
//! "line", "text"}}`, in the order they were read. Besides them, `facts.vm_hints[]` holds
//! `{hypervisor, strength, what_en, what_zh, source}`, `facts.container` the container the
//! collector ran in (`systemd-detect-virt`), and `facts.collection[]` one entry per collection
//! manifest:
//!
//! ```text
//! {"source": {...}, "schema": "cmgelog-manifest/1", "tool_version": "0.1.0", "host": "vm",
//!  "user": "ci", "elevated": false, "interrupted": true, "deadline_s": 600,
//!  "started": "2026-12-02T16:20:00Z", "ended": "2026-12-02T16:30:00Z",
//!  "categories": [{"id": "upgrade", "chosen": true, "collected": false,
//!                  "reason": "timeout after 60 s",      // null when collected or not chosen
//!                  "source": {"input", "path": "manifest.json", "line": 121, "text": "..."}}, ...]}
//! ```

use crate::analysis::{Analysis, DocumentInfo};
use crate::facts::Machine;
use crate::i18n::Lang;
use crate::rules::{EventRef, Severity};
use serde::Serialize;

#[derive(Serialize)]
pub struct Report<'a> {
    pub version: u32,
    pub lang: &'static str,
    pub inputs: &'a [String],
    pub exit_code: u8,
    pub findings: Vec<FindingOut<'a>>,
    pub facts: &'a Machine,
    pub documents: &'a [DocumentInfo],
    pub errors: Vec<ErrorOut<'a>>,
}

#[derive(Serialize)]
pub struct FindingOut<'a> {
    pub rule: &'a str,
    pub severity: Severity,
    pub title: &'a str,
    pub cause: &'a str,
    pub remedy: &'a str,
    pub summary: Vec<&'a str>,
    pub references: &'a [String],
    pub related: &'a [String],
    pub match_count: usize,
    pub evidence: Vec<EvidenceOut<'a>>,
}

#[derive(Serialize)]
pub struct EvidenceOut<'a> {
    pub input: &'a str,
    pub path: &'a str,
    pub line: Option<usize>,
    pub text: &'a str,
    pub note: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<&'a EventRef>,
}

#[derive(Serialize)]
pub struct ErrorOut<'a> {
    pub input: &'a str,
    pub entry: Option<&'a str>,
    pub line: Option<usize>,
    pub code: String,
    pub message: String,
}

pub fn report(a: &Analysis, lang: Lang) -> Report<'_> {
    let findings = a
        .findings
        .iter()
        .map(|f| FindingOut {
            rule: &f.rule,
            severity: f.severity,
            title: f.title.get(lang),
            cause: f.cause.get(lang),
            remedy: f.remedy.get(lang),
            summary: f.summary.iter().map(|s| s.get(lang)).collect(),
            references: &f.references,
            related: &f.related,
            match_count: f.match_count,
            evidence: f
                .evidence
                .iter()
                .map(|e| EvidenceOut {
                    input: &e.input,
                    path: &e.path,
                    line: e.line,
                    text: &e.text,
                    note: e.note.as_ref().map(|n| n.get(lang)),
                    event: e.event.as_ref(),
                })
                .collect(),
        })
        .collect();
    let errors = a
        .errors
        .iter()
        .map(|e| ErrorOut {
            input: &e.input,
            entry: e.entry.as_deref(),
            line: e.line,
            code: e.kind.code(),
            message: e.message(lang.is_zh()),
        })
        .collect();
    Report {
        version: 1,
        lang: if lang.is_zh() { "zh" } else { "en" },
        inputs: &a.inputs,
        exit_code: a.exit_code(),
        findings,
        facts: &a.machine,
        documents: &a.documents,
        errors,
    }
}

pub fn render(a: &Analysis, lang: Lang) -> String {
    let mut s = serde_json::to_string_pretty(&report(a, lang)).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
