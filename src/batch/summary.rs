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
    causes: BTreeMap<String, CauseCount>,
    errors: BTreeMap<String, ErrorCount>,
}

impl Tally {
    pub fn add(&mut self, r: &BundleRecord) {
        self.bundles += 1;
        self.with_findings += u64::from(!r.findings.is_empty());
        self.failed += u64::from(r.failed());
        for f in &r.findings {
            let c = self.causes.entry(f.rule.clone()).or_insert_with(|| CauseCount {
                rule: f.rule.clone(),
                severity: f.severity,
                title: f.title.clone(),
                bundles: 0,
                paths: Vec::new(),
                paths_complete: true,
            });
            // A rule matches once per analysis, so this counts bundles.
            c.bundles += 1;
            keep_path(&mut c.paths, &mut c.paths_complete, &r.path);
        }
        // One bundle with three damaged entries counts once per code.
        let mut codes: Vec<&str> = r.errors.iter().map(|e| e.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        for code in codes {
            let message = r.errors.iter().find(|e| e.code == code).map(|e| e.message.clone());
            let e = self.errors.entry(code.to_string()).or_insert_with(|| ErrorCount {
                code: code.to_string(),
                message: message.unwrap_or_default(),
                bundles: 0,
                paths: Vec::new(),
                paths_complete: true,
            });
            e.bundles += 1;
            keep_path(&mut e.paths, &mut e.paths_complete, &r.path);
        }
    }

    pub fn finish(self) -> Summary {
        let mut causes: Vec<CauseCount> = self.causes.into_values().collect();
        causes.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(b.bundles.cmp(&a.bundles))
                .then(a.rule.cmp(&b.rule))
        });
        let mut errors: Vec<ErrorCount> = self.errors.into_values().collect();
        errors.sort_by(|a, b| b.bundles.cmp(&a.bundles).then(a.code.cmp(&b.code)));
        for p in causes
            .iter_mut()
            .map(|c| &mut c.paths)
            .chain(errors.iter_mut().map(|e| &mut e.paths))
        {
            p.sort();
        }
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

fn keep_path(paths: &mut Vec<String>, complete: &mut bool, path: &str) {
    if paths.len() < PATHS_KEPT {
        paths.push(path.to_string());
    } else {
        *complete = false;
    }
}
