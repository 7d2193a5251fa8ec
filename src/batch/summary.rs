//! The batch summary: per cause (rule), how many bundles and which; per read-error code, how
//! many bundles could not be (fully) read and which. Counts are exact; the lists of paths keep
//! at most [`PATHS_KEPT`] per cause, so memory stays bounded however many bundles there are
//! (the complete lists are in the JSONL lines and the index).
//!
//! JSON form (the last line of `--format jsonl`, or the only one with `--summary`):
//!
//! ```text
//! {"type": "summary", "bundles": 301, "with_findings": 250, "failed": 1,
//!  "causes": [{"rule": "hw.disk-serial", "severity": "critical", "title": "…", "bundles": 25,
//!              "paths": ["…"], "paths_complete": true}],          // most severe, then most frequent first
//!  "errors": [{"code": "not-a-zip", "message": "…", "bundles": 1, "paths": ["…"], "paths_complete": true}]}
//! ```

use super::record::BundleRecord;
use crate::rules::Severity;
use serde::Serialize;
use std::collections::BTreeMap;

/// Paths listed per cause or error code; the count is always exact.
pub const PATHS_KEPT: usize = 1000;

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    #[serde(rename = "type")]
    pub record_type: &'static str,
    pub bundles: u64,
    /// Bundles with at least one finding of any severity.
    pub with_findings: u64,
    /// Bundles with at least one read error (exit code 2 for the batch).
    pub failed: u64,
    pub causes: Vec<CauseCount>,
    pub errors: Vec<ErrorCount>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CauseCount {
    pub rule: String,
    pub severity: Severity,
    pub title: String,
    pub bundles: u64,
    pub paths: Vec<String>,
    /// False when more bundles had this cause than [`PATHS_KEPT`].
    pub paths_complete: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ErrorCount {
    pub code: String,
    /// The message of the first bundle seen with this code.
    pub message: String,
    pub bundles: u64,
    pub paths: Vec<String>,
    pub paths_complete: bool,
}

/// Accumulates records one at a time; [`Tally::finish`] sorts.
#[derive(Debug, Default)]
pub struct Tally {
    bundles: u64,
    with_findings: u64,
    failed: u64,
    /// Each with the paths it keeps, as indexes into `paths`.
    causes: BTreeMap<String, (CauseCount, Vec<usize>)>,
    errors: BTreeMap<String, (ErrorCount, Vec<usize>)>,
    paths: PathStore,
}

impl Tally {
    pub fn add(&mut self, r: &BundleRecord) {
        self.bundles += 1;
        self.with_findings += u64::from(!r.findings.is_empty());
        self.failed += u64::from(r.failed());
        // The bundle's path, stored once for all its causes and codes, when one keeps it.
        let mut path = None;
        let paths = &mut self.paths;
        let mut keep = |kept: &mut Vec<usize>, complete: &mut bool| {
            if kept.len() < PATHS_KEPT {
                kept.push(*path.get_or_insert_with(|| paths.push(&r.path)));
            } else {
                *complete = false;
            }
        };
        for f in &r.findings {
            let (c, kept) = self.causes.entry(f.rule.clone()).or_insert_with(|| {
                let count = CauseCount {
                    rule: f.rule.clone(),
                    severity: f.severity,
                    title: f.title.clone(),
                    bundles: 0,
                    paths: Vec::new(),
                    paths_complete: true,
                };
                (count, Vec::new())
            });
            // A rule matches once per analysis, so this counts bundles.
            c.bundles += 1;
            keep(kept, &mut c.paths_complete);
        }
        // One bundle with three damaged entries counts once per code.
        let mut codes: Vec<&str> = r.errors.iter().map(|e| e.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        for code in codes {
            let message = r.errors.iter().find(|e| e.code == code).map(|e| e.message.clone());
            let (e, kept) = self.errors.entry(code.to_string()).or_insert_with(|| {
                let count = ErrorCount {
                    code: code.to_string(),
                    message: message.unwrap_or_default(),
                    bundles: 0,
                    paths: Vec::new(),
                    paths_complete: true,
                };
                (count, Vec::new())
            });
            e.bundles += 1;
            keep(kept, &mut e.paths_complete);
        }
    }

    pub fn finish(self) -> Summary {
        let paths = &self.paths;
        let listed = |kept: Vec<usize>| {
            let mut list: Vec<String> = kept.into_iter().map(|i| paths.get(i).to_string()).collect();
            list.sort();
            list
        };
        let mut causes: Vec<CauseCount> = self
            .causes
            .into_values()
            .map(|(c, kept)| CauseCount {
                paths: listed(kept),
                ..c
            })
            .collect();
        causes.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(b.bundles.cmp(&a.bundles))
                .then(a.rule.cmp(&b.rule))
        });
        let mut errors: Vec<ErrorCount> = self
            .errors
            .into_values()
            .map(|(e, kept)| ErrorCount {
                paths: listed(kept),
                ..e
            })
            .collect();
        errors.sort_by(|a, b| b.bundles.cmp(&a.bundles).then(a.code.cmp(&b.code)));
        Summary {
            record_type: "summary",
            bundles: self.bundles,
            with_findings: self.with_findings,
            failed: self.failed,
            causes,
            errors,
        }
    }
}

/// The kept paths, one after another in one buffer. A `String` per path, allocated as the
/// records arrive, ends up between the large buffers of the analyses and keeps the allocator
/// from reusing or returning their memory: with 25-byte folder names, peak RSS over 2,000
/// bundles went from 27 MiB to 55-76 MiB. One buffer grows by doubling, a handful of times.
#[derive(Debug, Default)]
struct PathStore {
    text: String,
    /// Where each path ends in `text`; it starts where the one before ends.
    ends: Vec<usize>,
}

impl PathStore {
    fn push(&mut self, path: &str) -> usize {
        self.text.push_str(path);
        self.ends.push(self.text.len());
        self.ends.len() - 1
    }

    fn get(&self, i: usize) -> &str {
        let start = i.checked_sub(1).map_or(0, |p| self.ends[p]);
        &self.text[start..self.ends[i]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::record::{FindingId, Identity, RecordError};

    fn record(path: &str, rules: &[&str], error: Option<&str>) -> BundleRecord {
        let finding = |rule: &&str| FindingId {
            rule: rule.to_string(),
            severity: Severity::Warning,
            title: format!("title of {rule}"),
            evidence: None,
        };
        let record_error = |code: &str| RecordError {
            code: code.into(),
            entry: None,
            message: format!("{code} in {path}"),
        };
        BundleRecord {
            record_type: "bundle",
            path: path.into(),
            key: path.into(),
            size: None,
            sha256: None,
            exit_code: 0,
            identity: Identity::default(),
            findings: rules.iter().map(finding).collect(),
            errors: error.into_iter().map(record_error).collect(),
            identifiers: Vec::new(),
        }
    }

    #[test]
    fn each_cause_and_code_lists_its_bundles_up_to_the_limit() {
        let mut tally = Tally::default();
        tally.add(&record("fleet/b.zip", &["hw.vm", "hw.serial"], Some("not-a-zip")));
        tally.add(&record("fleet/a.zip", &["hw.vm"], None));
        tally.add(&record("fleet/c.zip", &[], Some("not-a-zip")));
        for i in 0..PATHS_KEPT {
            tally.add(&record(&format!("many/{i:04}.zip"), &["many"], None));
        }
        tally.add(&record("many/last.zip", &["many"], None));
        let summary = tally.finish();
        assert_eq!(
            (summary.bundles, summary.with_findings, summary.failed),
            (1004, 1003, 2)
        );
        let cause = |rule: &str| summary.causes.iter().find(|c| c.rule == rule).unwrap();
        assert_eq!(cause("hw.vm").paths, ["fleet/a.zip", "fleet/b.zip"]);
        assert_eq!(cause("hw.serial").paths, ["fleet/b.zip"]);
        assert!(cause("hw.vm").paths_complete);
        let many = cause("many");
        assert_eq!(
            (many.bundles, many.paths.len(), many.paths_complete),
            (1001, PATHS_KEPT, false)
        );
        assert_eq!(many.paths.first().map(String::as_str), Some("many/0000.zip"));
        assert!(!many.paths.iter().any(|p| p == "many/last.zip"));
        let [error] = summary.errors.as_slice() else {
            panic!("one code")
        };
        assert_eq!((error.code.as_str(), error.bundles), ("not-a-zip", 2));
        assert_eq!(error.paths, ["fleet/b.zip", "fleet/c.zip"]);
        assert_eq!(error.message, "not-a-zip in fleet/b.zip");
    }
}
