//! Many bundles, each its own machine: discovery (`discover`), sharding (`shard`), the
//! parallel runner (`runner`), the per-bundle record (`record`), the summary (`summary`), the
//! identifiers a server record may show (`identifiers`), searching bundles for one of them
//! (`find`) and the SQLite index (`index`). Nothing here prints; renderers are in
//! `report::batch` and `report::html_batch`, the progress bar in the CLI.

pub mod discover;
pub mod find;
pub mod identifiers;
pub mod index;
pub mod record;
pub mod runner;
pub mod shard;
pub mod summary;

pub use discover::{discover, BundlePath, DiscoverError};
pub use record::BundleRecord;
pub use shard::Shard;
pub use summary::{Summary, Tally};

use crate::analysis;
use crate::bundle::Limits;
use crate::i18n::Lang;
use crate::rules::RuleSet;

/// What every bundle of a batch is analysed with.
pub struct BatchConfig<'a> {
    pub rules: &'a RuleSet,
    pub limits: Limits,
    pub lang: Lang,
    /// Worker threads; 0 means one per core.
    pub jobs: usize,
    /// Records in the order of the bundles (sorted by path) rather than as they finish; at
    /// most a few bundles per thread wait for an earlier one.
    pub ordered: bool,
}

/// Analyses each bundle as its own machine, in parallel, and hands each record to `write` as
/// it is ready (on the calling thread); returns the summary. `write` returns false to stop
/// early (the output was closed); the summary then covers what was written.
///
/// `missing` are the PATH arguments that named nothing: each becomes a failed record, written
/// first.
pub fn run(
    bundles: &[BundlePath],
    missing: &[DiscoverError],
    config: &BatchConfig<'_>,
    mut write: impl FnMut(&BundleRecord) -> bool,
) -> Result<Summary, rayon::ThreadPoolBuildError> {
    let mut tally = Tally::default();
    for e in missing {
        let record = missing_record(e);
        tally.add(&record);
        if !write(&record) {
            return Ok(tally.finish());
        }
    }
    let analyse = |b: &BundlePath| {
        let a = analysis::analyze(std::slice::from_ref(&b.path), config.rules, &config.limits);
        BundleRecord::new(b, &a, config.lang)
    };
    let written = |record: BundleRecord| {
        tally.add(&record);
        write(&record)
    };
    if config.ordered {
        runner::run_ordered(bundles, config.jobs, analyse, written)?;
    } else {
        runner::run_parallel(bundles, config.jobs, analyse, written)?;
    }
    Ok(tally.finish())
}

/// The record of a PATH argument that named nothing: a failed bundle with the reason, so it
/// is counted like any other unreadable bundle.
fn missing_record(e: &DiscoverError) -> BundleRecord {
    BundleRecord {
        record_type: "bundle",
        path: e.path.clone(),
        key: e.path.clone(),
        size: None,
        sha256: None,
        exit_code: crate::exit_code::AnalysisExit::Unreadable.code(),
        identity: record::Identity::default(),
        findings: Vec::new(),
        errors: vec![record::RecordError {
            code: "not-found".into(),
            entry: None,
            message: e.detail.clone(),
        }],
        identifiers: Vec::new(),
    }
}
