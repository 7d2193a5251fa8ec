//! Upgrade and servicing logs → [`UpgradeLog`] facts: Windows Setup (Panther)
//! `setupact.log`/`setuperr.log`, `CBS.log`/`dism.log`, and the decoded `WindowsUpdate.log`.
//!
//! Each log becomes one summary: entry, error and warning counts, levels and components, every
//! error code with its count and first and last line (`codes`), and for setup and servicing
//! logs the decisive error with the reason it was chosen (`decisive`). What the codes mean and
//! what to do about them is the rule layer's business, not this one's.
//!
//! Documents arrive decoded (BOM removed, UTF-16 and GBK handled by the bundle layer) and
//! recognised by the shape of their first lines (`shape`): the three formats `setup-log`,
//! `cbs-log` and `windows-update-log` declared here.

mod cbs;
pub(crate) mod codes;
pub mod decisive;
mod line;
mod panther;
mod setup;
mod shape;
pub(crate) mod windows_update;

pub use codes::format_code;

use super::formats::{Format, Recognise, Sample};
use super::platform::Platform;
use crate::bundle::{Document, Kind, Reading};
use crate::facts::model::{Counted, Machine, UpgradeLog};
use shape::LogShape;

/// Windows Setup (Panther) `setupact.log` / `setuperr.log`: `<date> <time>, <level> [<id>]
/// <component> <message>` lines.
pub(crate) const SETUP_LOG: Format = log_format("setup-log", |s| shape::of(s) == Some(LogShape::Setup));

/// `CBS.log` or `dism.log`: the same line shape, components `CBS`, `CSI`, `DISM`, `DPX`.
pub(crate) const CBS_LOG: Format = log_format("cbs-log", |s| shape::of(s) == Some(LogShape::Servicing));

/// The `WindowsUpdate.log` that `Get-WindowsUpdateLog` decodes: `<date> <time> <pid> <tid>
/// <component> <message>`.
pub(crate) const WINDOWS_UPDATE_LOG: Format =
    log_format("windows-update-log", |s| shape::of(s) == Some(LogShape::WindowsUpdate));

const fn log_format(name: &'static str, test: fn(&Sample) -> bool) -> Format {
    Format {
        kind: Kind::new(name, Reading::Lines),
        recognise: Recognise::text(test),
        extract,
        platform: Some(Platform::Windows),
        codes: true,
    }
}

/// The summary of one log, or `None` when the document is not an upgrade log.
pub fn summarise(doc: &Document) -> Option<UpgradeLog> {
    if doc.kind == SETUP_LOG.kind {
        Some(setup::summarise(doc))
    } else if doc.kind == CBS_LOG.kind {
        Some(cbs::summarise(doc))
    } else if doc.kind == WINDOWS_UPDATE_LOG.kind {
        Some(windows_update::summarise(doc))
    } else {
        None
    }
}

/// Adds the summary of `doc` to the machine.
pub fn extract(doc: &Document, machine: &mut Machine) {
    if let Some(log) = summarise(doc) {
        machine.upgrade.push(log);
    }
}

/// Counts per name; logs have few distinct levels and components, so a list will do.
#[derive(Debug, Default)]
struct Counter(Vec<Counted>);

impl Counter {
    fn add(&mut self, name: &str) {
        match self.0.iter_mut().find(|c| c.name == name) {
            Some(c) => c.count += 1,
            None => self.0.push(Counted {
                name: name.to_string(),
                count: 1,
            }),
        }
    }

    /// Most frequent first; ties by name.
    fn into_sorted(mut self) -> Vec<Counted> {
        self.0
            .sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        self.0
    }
}

#[cfg(test)]
mod tests;

/// The lower-cased file name of a document (`setuperr.log`), a hint for which log it is.
fn file_name(doc: &Document) -> String {
    doc.path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(&doc.path)
        .to_ascii_lowercase()
}
