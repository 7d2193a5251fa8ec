//! Fact conditions: one check on one fact of the machine, with the observations that made it
//! true as evidence.

use super::condition::{DiskField, FactCheck, FactCondition, FactTarget, ScalarField, ValueClass};
use super::finding::{Evidence, Match};
use crate::facts::model::{Disk, Nic};
use crate::facts::placeholder::{self, Placeholder};
use crate::facts::virt::{self, Verdict};
use crate::facts::{Field, Flag, Machine, Observed};
use crate::i18n::Localized;

pub(crate) fn check(cond: &FactCondition, machine: &Machine) -> Option<Match> {
    match cond.target {
        FactTarget::Scalar(f) => check_field(scalar(machine, f), f.value_class(), &cond.check, None),
        FactTarget::Disk(f) => check_disks(machine, f, &cond.check),
        FactTarget::Nics => check_nics(&machine.nics, &cond.check),
        FactTarget::Virtualization => check_virtual(machine, &cond.check),
        FactTarget::LicensingStatus => super::fact_state::licensing(machine, &cond.check),
        FactTarget::Upgrade if matches!(cond.check, FactCheck::UpdateErrors) => {
            super::fact_state::update_errors(machine)
        }
        FactTarget::Upgrade => super::fact_state::upgrade(machine),
        FactTarget::Collection => super::fact_collection::category_missing(machine),
    }
}

fn scalar(m: &Machine, f: ScalarField) -> &Field {
    use ScalarField::*;
    match f {
        SystemVendor => &m.system.vendor,
        SystemModel => &m.system.model,
        SystemSerial => &m.system.serial,
        SystemUuid => &m.system.uuid,
        BiosVendor => &m.bios.vendor,
        BiosVersion => &m.bios.version,
        BaseboardVendor => &m.baseboard.vendor,
        BaseboardProduct => &m.baseboard.product,
        BaseboardSerial => &m.baseboard.serial,
        ChassisSerial => &m.chassis.serial,
        OsName => &m.os.name,
        OsVersion => &m.os.version,
        OsBuild => &m.os.build,
        OsHostname => &m.os.hostname,
    }
}

fn classify(class: ValueClass, value: &str) -> Option<Placeholder> {
    match class {
        ValueClass::Serial => placeholder::serial(value),
        ValueClass::Name => placeholder::name(value),
        ValueClass::Uuid => placeholder::uuid(value),
        ValueClass::Free => placeholder::serial(value).filter(|p| *p == Placeholder::Empty),
    }
}

/// Checks a string field; `subject` prefixes the evidence note (e.g. the disk it belongs to).
fn check_field(field: &Field, class: ValueClass, check: &FactCheck, subject: Option<&Localized>) -> Option<Match> {
    let note = |zh: String, en: String| match subject {
        Some(s) => Localized::new(format!("{}：{zh}", s.zh), format!("{}: {en}", s.en)),
        None => Localized::new(zh, en),
    };
    let mut m = Match::default();
    match check {
        FactCheck::Missing => return (!field.is_known()).then(Match::default),
        FactCheck::Known => {
            for o in field.values() {
                m.evidence.push(Evidence::from_source(&o.source, None));
            }
        }
        FactCheck::Placeholder => {
            for o in field.values() {
                if let Some(p) = classify(class, &o.value) {
                    let n = note(
                        format!("值 “{}” {}", o.value.trim(), p.describe(true)),
                        format!("value “{}” is {}", o.value.trim(), p.describe(false)),
                    );
                    m.evidence.push(Evidence::from_source(&o.source, Some(n)));
                }
            }
        }
        FactCheck::LongerThan(limit) => {
            for o in field.values().filter(|o| o.value.len() > *limit) {
                let n = note(
                    format!("长度 {} 字节，超过 {limit} 字节", o.value.len()),
                    format!("{} bytes long, more than {limit}", o.value.len()),
                );
                m.evidence.push(Evidence::from_source(&o.source, Some(n)));
            }
        }
        FactCheck::Matches(re) => {
            for o in field.values().filter(|o| re.is_match(&o.value)) {
                m.evidence.push(Evidence::from_source(&o.source, None));
            }
        }
        FactCheck::Equals(want) => {
            for o in field
                .values()
                .filter(|o| o.value.trim().eq_ignore_ascii_case(want.trim()))
            {
                m.evidence.push(Evidence::from_source(&o.source, None));
            }
        }
        _ => return None,
    }
    m.count = m.evidence.len();
    (m.count > 0).then_some(m)
}

/// The disks the activation client binds to: the system disk when known, else all of them.
fn bound_disks(machine: &Machine) -> Vec<&Disk> {
    let system: Vec<&Disk> = machine
        .disks
        .iter()
        .filter(|d| d.system_disk.any_true() == Some(true))
        .collect();
    if system.is_empty() {
        machine.disks.iter().collect()
    } else {
        system
    }
}

fn disk_label(d: &Disk) -> Localized {
    let model = d.model.best().unwrap_or("?");
    match d.index {
        Some(i) => Localized::new(format!("磁盘 {i}（{model}）"), format!("disk {i} ({model})")),
        None => Localized::new(format!("磁盘（{model}）"), format!("disk ({model})")),
    }
}

fn check_disks(machine: &Machine, f: DiskField, check: &FactCheck) -> Option<Match> {
    let mut all = Match::default();
    for d in bound_disks(machine) {
        let label = disk_label(d);
        let m = match f {
            DiskField::Serial => check_field(&d.serial, ValueClass::Serial, check, Some(&label)),
            DiskField::Model => check_field(&d.model, ValueClass::Name, check, Some(&label)),
            DiskField::Removable => check_flag(&d.removable, check, &label),
            DiskField::InLocalContainer => check_flag(&d.in_local_container, check, &label),
        };
        if let Some(m) = m {
            all.evidence.extend(m.evidence);
            all.count += m.count;
        }
    }
    (all.count > 0).then_some(all)
}

fn check_flag(flag: &Flag, check: &FactCheck, label: &Localized) -> Option<Match> {
    let want = match check {
        FactCheck::True => true,
        FactCheck::False => false,
        _ => return None,
    };
    let hits: Vec<&Observed<bool>> = flag.values().filter(|o| o.value == want).collect();
    if hits.is_empty() {
        return None;
    }
    let evidence = hits
        .iter()
        .map(|o| Evidence::from_source(&o.source, Some(label.clone())))
        .collect();
    Some(Match {
        evidence,
        count: hits.len(),
        summary: Vec::new(),
    })
}

/// Known physical (every observation says so) and not known to be disabled.
fn is_physical_enabled(n: &Nic) -> bool {
    n.physical.any_true() == Some(true) && !n.enabled.values().any(|o| !o.value)
}

fn is_removable(n: &Nic) -> bool {
    n.removable.any_true() == Some(true) || n.in_local_container.values().any(|o| !o.value)
}

fn nic_evidence(n: &Nic, zh: &str, en: &str) -> Option<Evidence> {
    let o = n.description.first().or(n.name.first()).or(n.mac.first())?;
    let what = n.description.best().or(n.name.best()).unwrap_or("?");
    Some(Evidence::from_source(
        &o.source,
        Some(Localized::new(format!("{what}：{zh}"), format!("{what}: {en}"))),
    ))
}

fn check_nics(nics: &[Nic], check: &FactCheck) -> Option<Match> {
    let mut m = Match::default();
    match check {
        FactCheck::NoPhysicalEnabled => {
            // Unknown is not "virtual": only fire when every adapter is known to be non-physical or disabled.
            let none = !nics.is_empty()
                && nics
                    .iter()
                    .all(|n| n.physical.any_true() == Some(false) || n.enabled.values().any(|o| !o.value));
            if !none {
                return None;
            }
            for n in nics {
                let (zh, en) = if n.physical.any_true() == Some(false) {
                    ("非物理网卡", "not a physical adapter")
                } else {
                    ("已禁用", "disabled")
                };
                m.evidence.extend(nic_evidence(n, zh, en));
            }
        }
        FactCheck::OnlyRemovablePhysical => {
            let physical: Vec<&Nic> = nics.iter().filter(|n| is_physical_enabled(n)).collect();
            if physical.is_empty() || !physical.iter().all(|n| is_removable(n)) {
                return None;
            }
            for n in physical {
                m.evidence.extend(nic_evidence(
                    n,
                    "可移动（USB 等外接）或不在根容器中",
                    "removable (USB or other external) or not in the local machine container",
                ));
            }
        }
        _ => return None,
    }
    m.count = m.evidence.len().max(1);
    Some(m)
}

/// `virtual`: certain or likely. `possible`: one kind of medium signal only (the finding says
/// what to collect to be sure). Either way the evidence lists every signal.
fn check_virtual(machine: &Machine, check: &FactCheck) -> Option<Match> {
    let a = virt::assess(&machine.vm_hints);
    let fires = match check {
        FactCheck::PossiblyVirtual => a.verdict == Verdict::Possible,
        _ => matches!(a.verdict, Verdict::Virtual | Verdict::Likely),
    };
    if !fires {
        return None;
    }
    let evidence = machine
        .vm_hints
        .iter()
        .map(|s| {
            let note = Localized::new(
                format!(
                    "[{}，{}] {}",
                    s.hypervisor,
                    virt::strength_label(s.strength, true),
                    s.what_zh
                ),
                format!(
                    "[{}, {}] {}",
                    s.hypervisor,
                    virt::strength_label(s.strength, false),
                    s.what_en
                ),
            );
            Evidence::from_source(&s.source, Some(note))
        })
        .collect::<Vec<_>>();
    Some(Match {
        count: evidence.len(),
        evidence,
        summary: vec![a.explain()],
    })
}
