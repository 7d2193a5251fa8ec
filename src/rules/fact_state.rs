//! Fact checks on states rather than values: the licence state of the installed Windows
//! products, and whether a setup log shows that setup failed (with its decisive error).

use super::condition::FactCheck;
use super::finding::{Evidence, Match};
use crate::facts::licensing::LicenseStatus;
use crate::facts::model::{DecisiveBasis, DecisiveError, LicensingProduct, Source, UpgradeLogKind};
use crate::facts::Machine;
use crate::i18n::Localized;
use crate::knowledge::{Code, Knowledge};
use crate::messages::localized;

/// The Windows application id of SoftwareLicensingProduct: other ids are Office and friends,
/// whose licence state says nothing about Windows activation.
const WINDOWS_APP_ID: &str = "55c92734-d682-4d71-983e-d6ec3f16059f";

fn is_windows(p: &LicensingProduct) -> bool {
    let by_id = p
        .application_id
        .values()
        .any(|o| o.value.trim().eq_ignore_ascii_case(WINDOWS_APP_ID));
    let by_name = p.name.values().any(|o| o.value.trim_start().starts_with("Windows"));
    by_id || (p.application_id.values().all(|o| o.value.trim().is_empty()) && by_name)
}

pub(crate) fn licensing(machine: &Machine, check: &FactCheck) -> Option<Match> {
    let wanted: &[LicenseStatus] = match check {
        FactCheck::NotActivated => &[
            LicenseStatus::Unlicensed,
            LicenseStatus::Notification,
            LicenseStatus::NonGenuineGrace,
        ],
        FactCheck::Grace => &[LicenseStatus::OobGrace, LicenseStatus::ExtendedGrace],
        FactCheck::OutOfTolerance => &[LicenseStatus::OotGrace],
        _ => return None,
    };
    let mut m = Match::default();
    for p in machine.licensing.iter().filter(|p| p.in_use() && is_windows(p)) {
        let Some(status) = p.status().filter(|s| wanted.contains(s)) else {
            continue;
        };
        let name = p.name.best().unwrap_or("Windows").to_string();
        for o in p.license_status.values() {
            let note = Localized::new(
                format!("{name}：许可状态 {}", status.name()),
                format!("{name}: licence status {}", status.name()),
            );
            m.evidence.push(Evidence::from_source(&o.source, Some(note)));
        }
        for o in p.license_status_reason.values().filter(|o| !o.value.trim().is_empty()) {
            m.evidence.push(Evidence::from_source(&o.source, code_note(&o.value)));
        }
        m.count += 1;
    }
    (m.count > 0).then_some(m)
}

/// A setup log whose decisive error rests on a failure (not merely the last error of a log
/// that does not show setup failing).
pub(crate) fn upgrade(machine: &Machine) -> Option<Match> {
    let mut m = Match::default();
    for log in &machine.upgrade {
        let Some(d) = log.decisive.as_ref().filter(|d| d.basis != DecisiveBasis::LastError) else {
            continue;
        };
        let code = match (&d.code, &d.extended) {
            (Some(c), Some(e)) => format!("{c} - {e}"),
            (Some(c), None) => c.clone(),
            _ => String::new(),
        };
        let why = decisive_reason(d, log.failure_marker.as_ref());
        let mut note = Localized::new(format!("决定性错误：{}", why.zh), format!("decisive error: {}", why.en));
        if let Some(meaning) = d.code.as_deref().and_then(code_note) {
            note = Localized::new(
                format!("{}；{}", note.zh, meaning.zh),
                format!("{}; {}", note.en, meaning.en),
            );
        }
        m.evidence.push(Evidence::from_source(&d.source, Some(note)));
        if let Some(marker) = &log.failure_marker {
            if marker.line != d.source.line {
                let note = Localized::new("安装程序在此放弃".to_string(), "setup gave up here".to_string());
                m.evidence.push(Evidence::from_source(marker, Some(note)));
            }
        }
        if !code.is_empty() {
            m.summary.push(Localized::new(
                format!("{}：决定性错误 {code}", log.source_path),
                format!("{}: decisive error {code}", log.source_path),
            ));
        }
        m.count += 1;
    }
    (m.count > 0).then_some(m)
}

/// Failure codes of the Windows Update and CBS/DISM logs: one evidence line per code (its
/// first line), noted with its count, the components that logged it and its meaning.
pub(crate) fn update_errors(machine: &Machine) -> Option<Match> {
    let mut m = Match::default();
    let servicing = [UpgradeLogKind::WindowsUpdate, UpgradeLogKind::Cbs, UpgradeLogKind::Dism];
    for log in machine.upgrade.iter().filter(|l| servicing.contains(&l.kind)) {
        for c in log
            .codes
            .iter()
            .filter(|c| Code::parse(&c.code).is_some_and(Code::is_failure))
        {
            let what = code_note(&c.code).unwrap_or_else(|| Localized::new(c.code.clone(), c.code.clone()));
            let who = c.components.join(", ");
            let note = Localized::new(
                format!(
                    "{}（{} 行，组件 {who}，最后一次在第 {} 行）",
                    what.zh,
                    c.count,
                    c.last.line.unwrap_or(0)
                ),
                format!(
                    "{} ({} line(s), component {who}, last at line {})",
                    what.en,
                    c.count,
                    c.last.line.unwrap_or(0)
                ),
            );
            m.evidence.push(Evidence::from_source(&c.first, Some(note)));
            m.count += c.count;
        }
    }
    (m.count > 0).then_some(m)
}

/// Why the error was taken as the decisive one, in the user's words (locales/*.toml
/// `decisive-*`; the model's `reason` is the English of the same).
fn decisive_reason(d: &DecisiveError, marker: Option<&Source>) -> Localized {
    match d.basis {
        DecisiveBasis::ExtendedResult => localized(
            "decisive-extended",
            &[
                ("code", &d.code.as_deref().unwrap_or("")),
                ("extend", &d.extended.as_deref().unwrap_or("")),
            ],
        ),
        DecisiveBasis::BeforeFailureMarker => {
            let line = marker.and_then(|m| m.line).map(|l| l.to_string()).unwrap_or_default();
            localized("decisive-before-marker", &[("line", &line)])
        }
        DecisiveBasis::FailureMarker => localized("decisive-marker", &[]),
        DecisiveBasis::LastError => localized("decisive-last-error", &[]),
    }
}

/// "0xC004F074: <title>" from the code table, for a code value as a fact holds it.
fn code_note(value: &str) -> Option<Localized> {
    let code = Code::parse(value.trim())?;
    let info = Knowledge::builtin().lookup(code)?;
    Some(Localized::new(
        format!("{code}：{}", info.title.zh),
        format!("{code}: {}", info.title.en),
    ))
}
