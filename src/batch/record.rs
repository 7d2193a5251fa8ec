//! One bundle's result: what a JSONL line, a CSV row, an index row and a section of the HTML
//! report are made of. Built from the full analysis, which is dropped right after: a record
//! holds the identity, the finding ids (with title and first evidence) and the errors, never
//! the documents or the facts' sources beyond those.
//!
//! JSON form (one line per bundle in `--format jsonl`):
//!
//! ```text
//! {"type": "bundle", "path": "fleet/b1.zip", "key": "b1.zip", "size": 10240,
//!  "sha256": "…" | null,              // of the bundle file; null if it could not be read
//!  "exit_code": 0 | 1 | 2,            // as `analyze` would return for this bundle alone
//!  "identity": {"host": "…", "system_vendor": "…", "model": "…", "system_serial": "…",
//!               "system_uuid": "…", "baseboard_vendor": "…", "baseboard_serial": "…",
//!               "disks": [{"model": "…", "serial": "…"}], "macs": ["AA-BB-…"],   // physical NICs
//!               "fingerprint": "<sha256 hex, see cmgelog::fingerprint>"},        // null: unknown
//!  "findings": [{"rule": "hw.disk-serial", "severity": "critical", "title": "…",
//!                "evidence": {"path": "…", "line": 12, "text": "…"} | null}],
//!  "errors": [{"code": "not-a-zip", "entry": null, "message": "…"}]}
//! ```

use super::discover::BundlePath;
use super::identifiers::{identifiers, Identifier};
use crate::analysis::Analysis;
use crate::facts::{Field, Machine};
use crate::fingerprint::Fingerprint;
use crate::i18n::Lang;
use crate::rules::Severity;
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Clone, Serialize)]
pub struct BundleRecord {
    #[serde(rename = "type")]
    pub record_type: &'static str,
    pub path: String,
    pub key: String,
    pub size: Option<u64>,
    pub sha256: Option<String>,
    pub exit_code: u8,
    pub identity: Identity,
    pub findings: Vec<FindingId>,
    pub errors: Vec<RecordError>,
    /// For the index only (the JSON line carries the identity instead).
    #[serde(skip)]
    pub identifiers: Vec<Identifier>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Identity {
    pub host: Option<String>,
    pub system_vendor: Option<String>,
    pub model: Option<String>,
    pub system_serial: Option<String>,
    pub system_uuid: Option<String>,
    pub baseboard_vendor: Option<String>,
    pub baseboard_serial: Option<String>,
    pub disks: Vec<DiskId>,
    pub macs: Vec<String>,
    /// `None` when no part of the hardware identity was read at all.
    pub fingerprint: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DiskId {
    pub model: Option<String>,
    pub serial: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingId {
    pub rule: String,
    pub severity: Severity,
    pub title: String,
    pub evidence: Option<EvidenceRef>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceRef {
    pub path: String,
    pub line: Option<usize>,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RecordError {
    pub code: String,
    pub entry: Option<String>,
    pub message: String,
}

impl BundleRecord {
    /// The record of one analysed bundle; the file is hashed here (streamed, not loaded).
    pub fn new(bundle: &BundlePath, a: &Analysis, lang: Lang) -> BundleRecord {
        BundleRecord::with_hash(bundle, a, lang, hash_file(&bundle.path))
    }

    /// The record of a bundle whose size and SHA-256 the caller has already (`watch`).
    pub fn with_hash(
        bundle: &BundlePath,
        a: &Analysis,
        lang: Lang,
        hashed: std::io::Result<(u64, String)>,
    ) -> BundleRecord {
        let (size, sha256, hash_error) = match hashed {
            Ok((size, digest)) => (Some(size), Some(digest), None),
            Err(e) => (None, None, Some(e.to_string())),
        };
        let mut errors: Vec<RecordError> = a
            .errors
            .iter()
            .map(|e| RecordError {
                code: e.kind.code(),
                entry: e.entry.clone(),
                message: e.message(lang.is_zh()),
            })
            .collect();
        // The analysis reports unreadable files itself; this only covers a file that vanished
        // or changed permissions between the two reads.
        if let (Some(detail), true) = (hash_error, errors.is_empty()) {
            errors.push(RecordError {
                code: "io".into(),
                entry: None,
                message: detail,
            });
        }
        let findings = a
            .findings
            .iter()
            .map(|f| FindingId {
                rule: f.rule.clone(),
                severity: f.severity,
                title: f.title.get(lang).to_string(),
                evidence: f.evidence.first().map(|e| EvidenceRef {
                    path: e.path.clone(),
                    line: e.line,
                    text: e.text.clone(),
                }),
            })
            .collect();
        let exit_code = if errors.is_empty() { a.exit_code() } else { 2 };
        BundleRecord {
            record_type: "bundle",
            path: bundle.path.display().to_string(),
            key: bundle.key.clone(),
            size,
            sha256,
            exit_code,
            identity: Identity::of(&a.machine),
            findings,
            errors,
            identifiers: identifiers(&a.machine),
        }
    }

    pub fn failed(&self) -> bool {
        !self.errors.is_empty()
    }
}

impl Identity {
    pub fn of(m: &Machine) -> Identity {
        let best = |f: &Field| f.best().map(str::to_string);
        let fp = Fingerprint::of(m);
        Identity {
            host: best(&m.os.hostname),
            system_vendor: best(&m.system.vendor),
            model: best(&m.system.model),
            system_serial: best(&m.system.serial),
            system_uuid: best(&m.system.uuid),
            baseboard_vendor: best(&m.baseboard.vendor),
            baseboard_serial: best(&m.baseboard.serial),
            disks: m
                .disks
                .iter()
                .map(|d| DiskId {
                    model: best(&d.model),
                    serial: best(&d.serial),
                })
                .collect(),
            macs: fp
                .parts_of(crate::fingerprint::PartKey::Mac)
                .map(|p| p.canonical.clone())
                .collect(),
            fingerprint: (!fp.parts.is_empty()).then_some(fp.hash),
        }
    }
}

/// Size and SHA-256 (hex) of a file.
pub fn hash_file(path: &Path) -> std::io::Result<(u64, String)> {
    crate::digest::sha256_file(path, |_| {})
}
