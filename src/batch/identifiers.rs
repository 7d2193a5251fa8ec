//! The identifiers a server record may show (case D): serials (system/BIOS, UUID, baseboard,
//! chassis, disks), MAC addresses (every adapter, physical or not: the record does not say
//! which one the client sent) and host names, each with the field it came from and its
//! source. `find` and the SQLite index both use this list and [`normalize`], so the two
//! answer the same.

use crate::facts::model::normalize_mac;
use crate::facts::{Field, Machine, Source};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IdKind {
    Serial,
    Mac,
    Host,
}

impl IdKind {
    pub fn name(self) -> &'static str {
        match self {
            IdKind::Serial => "serial",
            IdKind::Mac => "mac",
            IdKind::Host => "host",
        }
    }
}

/// One identifier of a bundle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Identifier {
    pub kind: IdKind,
    /// `system.serial`, `system.uuid`, `baseboard.serial`, `chassis.serial`,
    /// `disk[N].serial`, `nic[N].mac`, `os.hostname` (N: position in the machine model).
    pub field: String,
    /// As read, trimmed.
    pub value: String,
    /// What searches compare: see [`normalize`].
    pub normalized: String,
    pub source: Source,
}

/// The form identifiers are compared in: trimmed and upper-cased; MACs also with any of the
/// separators `-`, `:`, `.` or none, written `AA-BB-CC-DD-EE-FF`.
pub fn normalize(kind: IdKind, value: &str) -> String {
    match kind {
        IdKind::Mac => normalize_mac(value),
        IdKind::Serial | IdKind::Host => value.trim().to_uppercase(),
    }
}

/// Every identifier observation of a machine that identifies it (all observations, not only
/// the best: dmidecode and wmic may disagree, and the server may have seen either).
/// Placeholders are left out ([`set_aside`] lists them): thousands of machines share "To be
/// filled by O.E.M.", an all-zero UUID or a tunnel adapter's `00-00-00-00-00-00-00-E0`, and a
/// search for one would name them all.
pub fn identifiers(m: &Machine) -> Vec<Identifier> {
    collect(m, false)
}

/// The identifier observations left out of [`identifiers`] because they are placeholders.
pub fn set_aside(m: &Machine) -> Vec<Identifier> {
    collect(m, true)
}

/// Why a value identifies nothing, if it does not.
pub fn placeholder(kind: IdKind, field: &str, value: &str) -> Option<crate::facts::placeholder::Placeholder> {
    use crate::facts::placeholder;
    match kind {
        IdKind::Mac => placeholder::mac(value),
        IdKind::Serial if field == "system.uuid" => placeholder::uuid(value),
        IdKind::Serial => placeholder::serial(value),
        IdKind::Host => None,
    }
}

fn collect(m: &Machine, placeholders: bool) -> Vec<Identifier> {
    let mut out = Vec::new();
    let mut add = |kind: IdKind, field: String, f: &Field| {
        for o in f.values() {
            let value = o.value.trim();
            if value.is_empty() {
                continue;
            }
            if placeholder(kind, &field, value).is_some() != placeholders {
                continue;
            }
            let normalized = normalize(kind, value);
            // The same value from two sources is one identifier (the first source).
            if out
                .iter()
                .any(|i: &Identifier| i.field == field && i.normalized == normalized)
            {
                continue;
            }
            out.push(Identifier {
                kind,
                field: field.clone(),
                value: value.to_string(),
                normalized,
                source: o.source.clone(),
            });
        }
    };
    add(IdKind::Serial, "system.serial".into(), &m.system.serial);
    add(IdKind::Serial, "system.uuid".into(), &m.system.uuid);
    add(IdKind::Serial, "baseboard.serial".into(), &m.baseboard.serial);
    add(IdKind::Serial, "chassis.serial".into(), &m.chassis.serial);
    for (i, d) in m.disks.iter().enumerate() {
        add(IdKind::Serial, format!("disk[{i}].serial"), &d.serial);
    }
    for (i, n) in m.nics.iter().enumerate() {
        add(IdKind::Mac, format!("nic[{i}].mac"), &n.mac);
    }
    add(IdKind::Host, "os.hostname".into(), &m.os.hostname);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_set_aside_not_indexed() {
        let src = Source {
            input: "x".into(),
            path: "p".into(),
            line: Some(1),
            text: String::new(),
        };
        let mut m = Machine::default();
        m.system.serial.push("To be filled by O.E.M.", src.clone());
        m.system.uuid.push("00000000-0000-0000-0000-000000000000", src.clone());
        m.baseboard.serial.push("BSN12345678901", src.clone());
        let mut tunnel = crate::facts::model::Nic::default();
        tunnel.mac.push("00-00-00-00-00-00-00-E0", src.clone());
        m.nics.push(tunnel);
        let kept: Vec<String> = identifiers(&m).into_iter().map(|i| i.field).collect();
        assert_eq!(kept, ["baseboard.serial"]);
        let aside: Vec<String> = set_aside(&m).into_iter().map(|i| i.field).collect();
        assert_eq!(aside, ["system.serial", "system.uuid", "nic[0].mac"]);
    }

    #[test]
    fn macs_match_in_any_separator_style_and_case() {
        let want = normalize(IdKind::Mac, "00-1A-2B-3C-4D-5E");
        for other in ["00:1a:2b:3c:4d:5e", " 001A2B3C4D5E ", "001a.2b3c.4d5e"] {
            assert_eq!(normalize(IdKind::Mac, other), want, "{other}");
        }
        assert_eq!(normalize(IdKind::Serial, " abc-12 "), "ABC-12");
    }
}
