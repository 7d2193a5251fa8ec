//! `find` without an index: read each bundle, extract its facts (`analysis::machine_only`) and keep the identifiers equal to the one sought.

use super::discover::BundlePath;
use super::identifiers::{identifiers, normalize, IdKind};
use super::runner::run_parallel;
use crate::analysis;
use crate::bundle::{Limits, ReadError};
use serde::Serialize;

/// What to look for: the kind and the value, normalised once.
#[derive(Debug, Clone)]
pub struct Query {
    pub kind: IdKind,
    pub normalized: String,
}

impl Query {
    pub fn new(kind: IdKind, value: &str) -> Query {
        Query {
            kind,
            normalized: normalize(kind, value),
        }
    }
}

/// One bundle that holds the identifier, and where.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub bundle: String,
    /// `system.serial`, `disk[1].serial`, `nic[0].mac`, `os.hostname`...
    pub field: String,
    /// The value as read in the bundle.
    pub value: String,
    /// The file inside the bundle and the line.
    pub path: String,
    pub line: Option<usize>,
}

/// What one scan found: hits (sorted by bundle, then field) and the bundles' read errors.
#[derive(Debug, Default)]
pub struct Found {
    pub hits: Vec<Hit>,
    pub errors: Vec<ReadError>,
}

/// Scans the bundles in parallel (`jobs` threads, 0: one per core).
pub fn scan(
    bundles: &[BundlePath],
    query: &Query,
    limits: &Limits,
    jobs: usize,
) -> Result<Found, rayon::ThreadPoolBuildError> {
    let mut found = Found::default();
    run_parallel(
        bundles,
        jobs,
        |b| {
            let (machine, errors) = analysis::machine_only(std::slice::from_ref(&b.path), limits);
            let hits: Vec<Hit> = identifiers(&machine)
                .into_iter()
                .filter(|i| i.kind == query.kind && i.normalized == query.normalized)
                .map(|i| Hit {
                    bundle: b.path.display().to_string(),
                    field: i.field,
                    value: i.value,
                    path: i.source.path,
                    line: i.source.line,
                })
                .collect();
            (hits, errors)
        },
        |(hits, errors)| {
            found.hits.extend(hits);
            found.errors.extend(errors);
            true
        },
    )?;
    found
        .hits
        .sort_by(|a, b| a.bundle.cmp(&b.bundle).then(a.field.cmp(&b.field)));
    Ok(found)
}
