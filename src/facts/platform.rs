//! Which operating system a bundle comes from, so remedies name commands that exist there.
//!
//! A Linux (UOS/Kylin) user told to run `wmic` cannot follow the advice. The collector's
//! manifest says it outright (`os.family`); without one (loose files, the old collector's zip)
//! the kinds of the documents decide: `dmidecode`, `lsblk -J`, `/etc/os-release` are Linux
//! outputs, but glpi-agent and others also run dmidecode on Windows, so one Windows-only
//! output (wmic, systeminfo, ipconfig, an event log, a setup log) makes the bundle Windows.
//! Windows is the default: it is the product's real target.

use super::Machine;
use crate::bundle::Document;
use serde::Serialize;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Platform {
    #[default]
    Windows,
    Linux,
}

/// The platform of the machine whose documents these are.
pub fn of(docs: &[Document], machine: &Machine) -> Platform {
    if let Some(family) = machine.os.family.best() {
        return if family.eq_ignore_ascii_case("linux") {
            Platform::Linux
        } else {
            Platform::Windows
        };
    }
    let only = |p: Platform| {
        docs.iter()
            .any(|d| super::formats::of(&d.kind).is_some_and(|f| f.platform == Some(p)))
    };
    let (windows, linux) = (only(Platform::Windows), only(Platform::Linux));
    if linux && !windows {
        Platform::Linux
    } else {
        Platform::Windows
    }
}
