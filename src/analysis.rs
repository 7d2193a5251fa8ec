//! One machine's analysis: read every input, recognise and decode the documents, extract the
//! facts, read every event once (feeding both the event facts and the rules' event
//! conditions), apply the rules. Nothing here prints; the report module renders the result.

use crate::bundle::{self, Document, Limits, ReadError, ReadErrorKind};
use crate::events::{self, ChunkFilter, EventReadError};
use crate::exit_code::AnalysisExit;
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
    let (documents, errors) = facts::into_documents(bundle::read_inputs(inputs, limits), limits);
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
    let (documents, errors) = facts::into_documents(bundle::read_inputs(inputs, limits), limits);
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
    let everything = ChunkFilter::everything();
    let evtx_bytes = documents
        .iter()
        .filter(|d| d.kind.name() == events::EVTX)
        .map(|d| d.raw.as_ref().map_or(0, |r| r.len() as usize))
        .sum();
    let filter = rules.event_chunk_filter_for(evtx_bytes).unwrap_or(&everything);
    let (scan, event_counts, event_errors) = scan_events(&documents, rules, filter, &mut machine);
    errors.extend(event_errors.into_iter().map(damaged));
    let findings = rules::evaluate(rules, &documents, &machine, &scan);
    errors.extend(unanalysed_inputs(&inputs, &documents, &findings, &errors));
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
                .map_or_else(|| d.raw.as_ref().map_or(0, |r| r.len() as usize), |t| t.text.len()),
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
/// conditions and to the event facts, then is dropped; records that neither can match are
/// counted without being rendered (see `events::ChunkFilter`). Returns the scan, the number of
/// records per document (`None` for documents that are no event log) and the damaged parts.
fn scan_events(
    documents: &[Document],
    rules: &RuleSet,
    filter: &ChunkFilter,
    machine: &mut Machine,
) -> (EventScan, Vec<Option<usize>>, Vec<EventReadError>) {
    let mut scanner = EventScanner::new(rules);
    let mut event_facts = EventFacts::default();
    let mut counts = Vec::with_capacity(documents.len());
    let mut errors = Vec::new();
    for doc in documents {
        if !doc.is_events() {
            counts.push(None);
            continue;
        }
        let mut n = 0;
        let (doc_errors, unread) = events::read_wanted_events(doc, filter, |rec| {
            n += 1;
            scanner.observe(&rec);
            event_facts.observe(&rec);
        });
        errors.extend(doc_errors);
        scanner.observe_unread(&unread);
        counts.push(Some(n + unread.records));
    }
    event_facts.apply(machine);
    (scanner.finish(), counts, errors)
}

/// The inputs nothing could be said about: an input without any file (an empty folder) and
/// one whose files are all binary or unrecognised text, unless a finding cites one of them.
/// Each is an error, so the report says "not analysed" and never a clean bill of health.
fn unanalysed_inputs(
    inputs: &[String],
    documents: &[Document],
    findings: &[rules::Finding],
    errors: &[ReadError],
) -> Vec<ReadError> {
    let mut out = Vec::new();
    for input in inputs {
        let within = |other: &str| other == input || other.starts_with(input.as_str());
        if !documents.iter().any(|d| within(&d.input)) && !errors.iter().any(|e| within(&e.input)) {
            out.push(ReadError::new(input.clone(), None, ReadErrorKind::Empty));
        }
    }
    let mut groups: Vec<&str> = documents.iter().map(|d| d.input.as_str()).collect();
    groups.dedup();
    for group in groups {
        let docs: Vec<&Document> = documents.iter().filter(|d| d.input == group).collect();
        let cited = findings.iter().flat_map(|f| &f.evidence).any(|e| e.input == group);
        if cited || docs.iter().any(|d| d.is_recognised()) {
            continue;
        }
        let empty = |d: &&Document| {
            d.raw.is_none()
                && d.kind != bundle::Kind::BINARY
                && d.text.as_ref().is_none_or(|t| t.text.trim().is_empty())
        };
        if docs.iter().all(empty) {
            out.push(ReadError::new(group, None, ReadErrorKind::Empty));
            continue;
        }
        let binary = docs.iter().filter(|d| d.kind == bundle::Kind::BINARY).count();
        out.push(ReadError::new(
            group,
            None,
            ReadErrorKind::NotAnalysed {
                binary,
                text: docs.len() - binary,
            },
        ));
    }
    out
}

fn damaged(e: EventReadError) -> ReadError {
    let entry = (!e.input.ends_with(&e.path)).then_some(e.path);
    ReadError::new(
        e.input,
        entry,
        ReadErrorKind::DamagedEvents {
            detail: e.detail,
            part: e.part,
        },
    )
}

impl Analysis {
    /// Inputs that could not be analysed at all (empty, or no file in a known format).
    fn unanalysed(&self) -> impl Iterator<Item = &ReadError> {
        self.errors
            .iter()
            .filter(|e| matches!(e.kind, ReadErrorKind::Empty | ReadErrorKind::NotAnalysed { .. }))
    }

    /// Every input was analysed (something known was read from each).
    pub fn all_analysed(&self) -> bool {
        self.unanalysed().next().is_none()
    }

    /// What a report says when there is no finding: "no known problem" only when every input
    /// was analysed; otherwise that some (or all) of it could not be, so the absence of
    /// findings is never taken for a clean bill of health.
    pub fn no_findings_text(&self, zh: bool) -> &'static str {
        let analysed_something = self
            .documents
            .iter()
            .any(|d| !self.unanalysed().any(|e| e.input == d.input));
        match (self.all_analysed(), analysed_something, zh) {
            (true, _, true) => "未发现已知问题。",
            (true, _, false) => "No known problem found.",
            (false, false, true) => "未能分析：输入中没有本工具能识别的文件（见下），无法对本机下结论。",
            (false, false, false) => "Nothing was analysed: no input holds a file this tool reads (see below); no conclusion about this machine.",
            (false, true, true) => "已分析的部分未发现已知问题，但有输入未被分析（见下）。",
            (false, true, false) => "No known problem in what was analysed, but some input was not analysed (see below).",
        }
    }

    /// The process exit code: [`AnalysisExit::Unreadable`] when something could not be read
    /// (the rest was still analysed), else [`AnalysisExit::Findings`] when a finding of
    /// severity warning or above exists, else [`AnalysisExit::Clean`].
    pub fn exit(&self) -> AnalysisExit {
        if !self.errors.is_empty() {
            AnalysisExit::Unreadable
        } else if self.findings.iter().any(|f| f.severity >= Severity::Warning) {
            AnalysisExit::Findings
        } else {
            AnalysisExit::Clean
        }
    }

    /// [`Analysis::exit`] as the number.
    pub fn exit_code(&self) -> u8 {
        self.exit().code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::Entry;
    use crate::rules::parse_rule_file;
    use std::collections::BTreeSet;

    const FIXTURES: &[&str] = &[
        "Application_no_crc32.evtx",
        "Microsoft-Windows-LanguagePackSetup%4Operational.evtx",
        "many-events-application.evtx",
        "rogue_msi_url_1040_1042.evtx",
        "sample_with_a_bad_chunk_magic.evtx",
        "system.evtx",
    ];

    fn documents() -> Vec<Document> {
        FIXTURES
            .iter()
            .map(|name| {
                let path = format!("{}/tests/fixtures/evtx/{name}", env!("CARGO_MANIFEST_DIR"));
                Document::from_entry(Entry {
                    input: "fixtures".into(),
                    path: name.to_string(),
                    data: std::fs::read(&path).expect(&path).into(),
                })
            })
            .collect()
    }

    /// What an analysis says, as text, for comparing two runs.
    fn said(a: &Analysis) -> String {
        format!(
            "{}\n{}\n{:?}\n{:?}",
            serde_json::to_string_pretty(&a.findings).unwrap(),
            serde_json::to_string_pretty(&a.documents).unwrap(),
            a.errors,
            a.machine.vm_hints,
        )
    }

    /// Large event logs of a zip are read from a temporary file instead of memory, and loose
    /// ones always where they lie; the analysis is the same either way, for the real logs of
    /// the fixtures, damaged chunk included.
    #[test]
    fn event_logs_read_from_files_give_the_same_analysis() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let zip_path = dir.path().join("bundle.zip");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
        let loose = dir.path().join("loose");
        std::fs::create_dir(&loose).unwrap();
        for name in FIXTURES {
            let bytes = std::fs::read(format!("{}/tests/fixtures/evtx/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
            let options = zip::write::SimpleFileOptions::default();
            zip.start_file(format!("eventlogs/{name}"), options).unwrap();
            zip.write_all(&bytes).unwrap();
            std::fs::write(loose.join(name), &bytes).unwrap();
        }
        zip.finish().unwrap();
        let rules = RuleSet::builtin().unwrap();
        let in_memory = Limits::default();
        let in_files = Limits {
            evtx_in_file_from: 1,
            ..Limits::default()
        };
        for input in [zip_path, loose.clone()] {
            let read = bundle::read_inputs(&[&input], &in_files);
            assert!(
                read.entries.iter().all(|e| matches!(e.data, bundle::Content::File(_))),
                "{input:?}: every log is read from a file"
            );
            if input == loose {
                let read = bundle::read_inputs(&[&input], &in_memory);
                assert!(
                    read.entries.iter().all(|e| matches!(e.data, bundle::Content::File(_))),
                    "loose logs are read where they lie with the default limits too"
                );
            }
            let memory = analyze(&[&input], &rules, &in_memory);
            let files = analyze(&[&input], &rules, &in_files);
            assert!(!memory.findings.is_empty() && !memory.errors.is_empty());
            assert_eq!(said(&memory), said(&files), "{input:?}");
        }
    }

    /// Everything the scan gives the report, as text: findings (with counts and evidence),
    /// the VM signals of the event facts, records per document and damaged parts.
    fn scan(documents: &[Document], rules: &RuleSet, filter: &ChunkFilter) -> String {
        let mut machine = Machine::default();
        let (scan, counts, errors) = scan_events(documents, rules, filter, &mut machine);
        let findings = rules::evaluate(rules, documents, &machine, &scan);
        format!(
            "{}\n{:?}\n{counts:?}\n{errors:?}\nnewest {:?} records {}",
            serde_json::to_string_pretty(&findings).unwrap(),
            machine.vm_hints,
            scan.newest,
            scan.records
        )
    }

    fn assert_same_with_and_without_filter(rules: &RuleSet) {
        let docs = documents();
        let everything = ChunkFilter::everything();
        let full = scan(&docs, rules, &everything);
        let filtered = scan(&docs, rules, rules.event_chunk_filter());
        let batch_rules = rules.clone().for_many_bundles();
        assert_eq!(
            scan(&docs, &batch_rules, batch_rules.event_chunk_filter()),
            filtered,
            "DFA"
        );
        assert!(
            full == filtered,
            "differs:\n--- every record rendered\n{full}\n--- filtered\n{filtered}"
        );
        // One document at a time too (the "now" of a bundle is per bundle).
        for d in docs.chunks(1) {
            assert_eq!(
                scan(d, rules, &everything),
                scan(d, rules, rules.event_chunk_filter()),
                "{}",
                d[0].path
            );
        }
    }

    /// Skipping records no rule or fact can use changes nothing in the result of the
    /// built-in rules on the real logs, while most records are skipped.
    #[test]
    fn filter_changes_nothing_for_builtin_rules() {
        let rules = RuleSet::builtin().unwrap();
        assert_same_with_and_without_filter(&rules);
        let (mut read, mut unread) = (0, 0);
        for doc in documents() {
            let (_, u) = events::read_wanted_events(&doc, rules.event_chunk_filter(), |_| read += 1);
            unread += u.records;
        }
        eprintln!("DEBUG read {read}, skipped {unread}");
        assert!(unread > read, "read {read}, skipped {unread}");
    }

    /// A rule per provider seen in the logs, per provider and event id, per event id alone,
    /// and per provider a rule on one of its data values: every such record must still be
    /// found, although provider names are in the templates, not in the records (and the data
    /// often in nested templates), and ids are binary values.
    #[test]
    fn filter_keeps_every_record_a_condition_can_match() {
        let mut providers = BTreeSet::new();
        let mut values = BTreeSet::new();
        let mut ids = BTreeSet::new();
        for doc in documents() {
            events::read_events(&doc, |r| {
                let p = r.provider.clone().unwrap_or_default();
                if let Some(id) = r.event_id.filter(|_| !p.is_empty()) {
                    ids.insert((p.clone(), id));
                }
                let distinctive =
                    |v: &String| v.len() > 6 && v.chars().any(|c| "ghjkmopqvwyzGHJKLMOPQRUVWY".contains(c));
                if let Some((_, v)) = r.data.iter().find(|(_, v)| distinctive(v)) {
                    values.insert((p.clone(), v.chars().take(40).collect::<String>()));
                }
                if !p.is_empty() {
                    providers.insert(p);
                }
            });
        }
        assert!(providers.len() > 20, "{providers:?}");
        assert!(values.len() > 100, "{}", values.len());
        assert!(ids.len() > 100, "{}", ids.len());
        let mut toml = String::new();
        let rule = |toml: &mut String, id: String, when: String| {
            toml.push_str(&format!(
                "[[rule]]\nid = \"{id}\"\nseverity = \"info\"\ntitle.zh = \"t\"\ntitle.en = \"t\"\n\
                 cause.zh = \"c\"\ncause.en = \"c\"\nremedy.zh = \"r\"\nremedy.en = \"r\"\nwhen = {when}\n\n"
            ));
        };
        for (i, p) in providers.iter().enumerate() {
            rule(
                &mut toml,
                format!("t.provider-{i}"),
                format!("{{ event = {{ provider = {p:?} }} }}"),
            );
        }
        for (i, (p, v)) in values.iter().enumerate().step_by(7) {
            let literal = toml::Value::String(v.clone()).to_string();
            rule(
                &mut toml,
                format!("t.value-{i}"),
                format!("{{ event = {{ provider = {p:?}, text = {literal} }} }}"),
            );
        }
        let rules = parse_rule_file("test.toml", &toml).unwrap_or_else(|d| panic!("{d:?}\n{toml}"));
        assert_same_with_and_without_filter(&RuleSet::from_rules(rules));
        // Ids on their own (a rule per provider would keep every record anyway), for a third
        // of the (provider, id) pairs, so that the others are skipped; and a few ids alone.
        let mut toml = String::new();
        for (i, (p, id)) in ids.iter().enumerate().step_by(3) {
            rule(
                &mut toml,
                format!("t.id-{i}"),
                format!("{{ event = {{ provider = {p:?}, id = {id} }} }}"),
            );
            if i % 5 == 0 && *id >= 1000 {
                rule(
                    &mut toml,
                    format!("t.id-alone-{i}"),
                    format!("{{ event = {{ id = {id} }} }}"),
                );
            }
        }
        let rules = parse_rule_file("ids.toml", &toml).unwrap_or_else(|d| panic!("{d:?}\n{toml}"));
        let rules = RuleSet::from_rules(rules);
        let (mut read, mut unread) = (0, 0);
        for doc in documents() {
            let (_, u) = events::read_wanted_events(&doc, rules.event_chunk_filter(), |_| read += 1);
            unread += u.records;
        }
        assert!(unread > 1000 && read > 500, "read {read}, skipped {unread}");
        assert_same_with_and_without_filter(&rules);
    }
}
