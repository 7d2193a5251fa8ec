//! Fact conditions: one check on one fact of the machine, with the observations that made it
//! true as evidence.

use super::condition::{FactCheck, FactCondition, FactTarget};
use super::finding::{Evidence, Match};
use crate::facts::model::{Disk, LicensingProduct, Nic};
use crate::facts::paths::{Fact, FactPath, ValueClass};
use crate::facts::placeholder::{self, Placeholder};
use crate::facts::virt::{self, Verdict};
use crate::facts::{Field, Flag, Machine, Observed};
use crate::i18n::Localized;

pub(crate) fn check(cond: &FactCondition, machine: &Machine) -> Option<Match> {
    match cond.target {
        FactTarget::Path(p) => check_path(p, machine, &cond.check),
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

/// One field or flag of the model: of the machine, or of each disk the activation client
/// binds to, each NIC or each licence (the evidence note then names which).
fn check_path(p: &FactPath, machine: &Machine, check: &FactCheck) -> Option<Match> {
    let class = p.class;
    match p.fact {
        Fact::Field(a) => check_field((a.get)(machine), class, check, None),
        Fact::Flag(a) => check_flag((a.get)(machine), check, None),
        Fact::DiskField(a) => each(bound_disks(machine), disk_label, |d, l| {
            check_field((a.get)(d), class, check, Some(l))
        }),
        Fact::DiskFlag(a) => each(bound_disks(machine), disk_label, |d, l| {
            check_flag((a.get)(d), check, Some(l))
        }),
        Fact::NicField(a) => each(&machine.nics, nic_label, |n, l| {
            check_field((a.get)(n), class, check, Some(l))
        }),
        Fact::NicFlag(a) => each(&machine.nics, nic_label, |n, l| check_flag((a.get)(n), check, Some(l))),
        Fact::LicenceField(a) => each(&machine.licensing, licence_label, |p, l| {
            check_field((a.get)(p), class, check, Some(l))
        }),
    }
}

/// The matches of `check` on each item, together.
fn each<'m, T: 'm>(
    items: impl IntoIterator<Item = &'m T>,
    label: fn(&T) -> Localized,
    check: impl Fn(&T, &Localized) -> Option<Match>,
) -> Option<Match> {
    let mut all = Match::default();
    for item in items {
        if let Some(m) = check(item, &label(item)) {
            all.evidence.extend(m.evidence);
            all.count += m.count;
        }
    }
    (all.count > 0).then_some(all)
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

fn nic_label(n: &Nic) -> Localized {
    let what = n.description.best().or(n.name.best()).unwrap_or("?");
    Localized::new(format!("网卡（{what}）"), format!("adapter ({what})"))
}

fn licence_label(p: &LicensingProduct) -> Localized {
    let what = p.name.best().unwrap_or("?");
    Localized::new(format!("许可证（{what}）"), format!("licence ({what})"))
}

fn check_flag(flag: &Flag, check: &FactCheck, label: Option<&Localized>) -> Option<Match> {
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
        .map(|o| Evidence::from_source(&o.source, label.cloned()))
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

#[cfg(test)]
mod tests {
    use crate::facts::model::{Disk, LicensingProduct, Nic};
    use crate::facts::paths::{Fact, FACT_PATHS};
    use crate::facts::{Machine, Source};
    use crate::rules::{evaluate, parse_rule_file, EventScan, RuleSet};

    /// A machine with one disk, NIC and licence, where the fact at `path` (alone) was observed.
    fn machine_with(fact: Fact) -> Machine {
        let mut m = Machine {
            disks: vec![Disk::default()],
            nics: vec![Nic::default()],
            licensing: vec![LicensingProduct::default()],
            ..Machine::default()
        };
        let seen = Source {
            input: "bundle.zip".into(),
            path: "seen.txt".into(),
            line: Some(7),
            text: "the line".into(),
        };
        match fact {
            Fact::Field(a) => (a.get_mut)(&mut m).push("value", seen),
            Fact::Flag(a) => (a.get_mut)(&mut m).push(true, seen),
            Fact::DiskField(a) => (a.get_mut)(&mut m.disks[0]).push("value", seen),
            Fact::DiskFlag(a) => (a.get_mut)(&mut m.disks[0]).push(true, seen),
            Fact::NicField(a) => (a.get_mut)(&mut m.nics[0]).push("value", seen),
            Fact::NicFlag(a) => (a.get_mut)(&mut m.nics[0]).push(true, seen),
            Fact::LicenceField(a) => (a.get_mut)(&mut m.licensing[0]).push("value", seen),
        }
        m
    }

    /// Every path of the table is accepted in a rule file, and the rule fires, citing the
    /// observation, on a machine that has the fact, and only there.
    #[test]
    fn every_fact_path_resolves_on_a_machine_that_has_it() {
        assert!(FACT_PATHS.len() > 23, "more than the 23 facts rules could name before");
        for p in FACT_PATHS {
            let check = match p.fact {
                Fact::Flag(_) | Fact::DiskFlag(_) | Fact::NicFlag(_) => "true",
                _ => "known",
            };
            let text = format!(
                "[[rule]]\nid = \"t.fact\"\nseverity = \"info\"\ntitle.zh = \"t\"\ntitle.en = \"t\"\n\
                 cause.zh = \"t\"\ncause.en = \"t\"\nremedy.zh = \"t\"\nremedy.en = \"t\"\n\
                 when = {{ fact = \"{}\", check = \"{check}\" }}\n",
                p.path
            );
            let rules = parse_rule_file("t.toml", &text).unwrap_or_else(|d| panic!("{}: {d:?}", p.path));
            let rules = RuleSet::from_rules(rules);
            let findings = evaluate(&rules, &[], &machine_with(p.fact), &EventScan::default());
            assert_eq!(findings.len(), 1, "{} does not resolve", p.path);
            assert_eq!(findings[0].evidence[0].line, Some(7), "{}", p.path);
            let nothing = evaluate(&rules, &[], &Machine::default(), &EventScan::default());
            assert!(nothing.is_empty(), "{} fires on an empty machine", p.path);
        }
    }
}
