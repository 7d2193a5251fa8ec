//! Panther setup logs: `setupact.log` (every action) and `setuperr.log` (its errors and
//! warnings). Both have the same lines, so one reader serves both; the file name tells them
//! apart, or, for a renamed file, the absence of `Info` entries marks a `setuperr.log`.

use super::panther;
use crate::bundle::Document;
use crate::facts::model::{UpgradeLog, UpgradeLogKind};

pub fn summarise(doc: &Document) -> UpgradeLog {
    let mut log = panther::summarise(doc, UpgradeLogKind::SetupAct);
    let name = super::file_name(doc);
    let only_problems = log.entries > 0 && log.errors + log.warnings == log.entries;
    if name.contains("setuperr") || (!name.contains("setupact") && only_problems) {
        log.kind = UpgradeLogKind::SetupErr;
    }
    log
}
