//! `cmgelog rules test`: every rule has fixtures next to it, under
//! `<rules folder>/fixtures/<rule id>/positive/<case>` (the rule must fire) and
//! `.../negative/<case>` (it must not). A case is a file, a zip, or a folder: one machine.
//!
//! Each case runs the whole pipeline ([`analysis`]), so this harness sits above it, not in
//! the rule engine.

use crate::analysis;
use crate::bundle::Limits;
use crate::rules::RuleSet;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    Fires,
    Silent,
}

/// The result of one fixture case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub rule: String,
    pub case: PathBuf,
    pub expect: Expect,
    pub passed: bool,
    /// The rules that did fire on this case, to explain a failure.
    pub fired: Vec<String>,
}

/// Everything `rules test` found.
#[derive(Debug, Default)]
pub struct FixtureReport {
    pub cases: Vec<CaseResult>,
    /// Rules with no positive or no negative fixture (each is a failure).
    pub missing: Vec<(String, &'static str)>,
}

impl FixtureReport {
    pub fn failed(&self) -> usize {
        self.cases.iter().filter(|c| !c.passed).count() + self.missing.len()
    }
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| c.passed).count()
    }
}

/// Runs the fixtures under `folder/fixtures` against `rules`.
pub fn run(rules: &RuleSet, folder: &Path) -> FixtureReport {
    let mut report = FixtureReport::default();
    let limits = Limits::default();
    for rule in &rules.rules {
        let dir = folder.join("fixtures").join(&rule.id);
        for (sub, expect) in [("positive", Expect::Fires), ("negative", Expect::Silent)] {
            let cases = list_cases(&dir.join(sub));
            if cases.is_empty() {
                report.missing.push((
                    rule.id.clone(),
                    if expect == Expect::Fires {
                        "positive"
                    } else {
                        "negative"
                    },
                ));
            }
            for case in cases {
                let a = analysis::analyze(&[&case], rules, &limits);
                let fired: Vec<String> = a.findings.iter().map(|f| f.rule.clone()).collect();
                let hit = fired.contains(&rule.id);
                let passed = a.errors.is_empty() && hit == (expect == Expect::Fires);
                report.cases.push(CaseResult {
                    rule: rule.id.clone(),
                    case,
                    expect: expect.clone(),
                    passed,
                    fired,
                });
            }
        }
    }
    report
}

fn list_cases(dir: &Path) -> Vec<PathBuf> {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut cases: Vec<PathBuf> = listing
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .collect();
    cases.sort();
    cases
}
