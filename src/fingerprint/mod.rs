//! The hardware identity that activation binds to (cases B and E): system serial, baseboard
//! vendor and serial, system model, disk serials and the MACs of physical adapters, read from
//! the machine model, and a stable hash of it.
//!
//! The hash is SHA-256 over this canonical text (UTF-8, `\n` line ends):
//!
//! ```text
//! cmgelog-fingerprint-v1
//! system.serial=<value>
//! baseboard.vendor=<value>
//! baseboard.serial=<value>
//! system.model=<value>
//! disk.serial=<value>        one line per disk, sorted by value
//! nic.mac=<AA-BB-CC-DD-EE-FF> one line per physical adapter, sorted
//! ```
//!
//! Values are trimmed and upper-cased (ASCII), MACs written `AA-BB-CC-DD-EE-FF`, so the same
//! hardware seen by dmidecode on one day and by wmic on another hashes the same. A part no
//! source reported has no line. A placeholder (empty, "To be filled by O.E.M.", a tunnel
//! adapter's `00-00-00-00-00-00-00-E0`: `facts::placeholder`) identifies nothing, since
//! thousands of machines share it: it has no line either and is listed in
//! [`Fingerprint::set_aside`] with the reason. The hash is printed as 64 lower-case hex digits.

mod diff;

pub use diff::{diff, PartDiff};

use crate::digest::hex;
use crate::facts::model::normalize_mac;
use crate::facts::placeholder::{self, Placeholder};
use crate::facts::{Field, Machine, Source};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The first line of the canonical text; a change of the format changes it.
pub const CANONICAL_HEADER: &str = "cmgelog-fingerprint-v1";

/// Which part of the identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum PartKey {
    #[serde(rename = "system.serial")]
    SystemSerial,
    #[serde(rename = "baseboard.vendor")]
    BaseboardVendor,
    #[serde(rename = "baseboard.serial")]
    BaseboardSerial,
    #[serde(rename = "system.model")]
    Model,
    #[serde(rename = "disk.serial")]
    DiskSerial,
    #[serde(rename = "nic.mac")]
    Mac,
}

impl PartKey {
    pub const ALL: [PartKey; 6] = [
        PartKey::SystemSerial,
        PartKey::BaseboardVendor,
        PartKey::BaseboardSerial,
        PartKey::Model,
        PartKey::DiskSerial,
        PartKey::Mac,
    ];

    /// The key as written in the canonical text.
    pub fn name(self) -> &'static str {
        match self {
            PartKey::SystemSerial => "system.serial",
            PartKey::BaseboardVendor => "baseboard.vendor",
            PartKey::BaseboardSerial => "baseboard.serial",
            PartKey::Model => "system.model",
            PartKey::DiskSerial => "disk.serial",
            PartKey::Mac => "nic.mac",
        }
    }

    pub fn label(self, zh: bool) -> &'static str {
        match (self, zh) {
            (PartKey::SystemSerial, true) => "BIOS（系统）序列号",
            (PartKey::SystemSerial, false) => "BIOS (system) serial",
            (PartKey::BaseboardVendor, true) => "主板制造商",
            (PartKey::BaseboardVendor, false) => "baseboard vendor",
            (PartKey::BaseboardSerial, true) => "主板序列号",
            (PartKey::BaseboardSerial, false) => "baseboard serial",
            (PartKey::Model, true) => "系统型号",
            (PartKey::Model, false) => "system model",
            (PartKey::DiskSerial, true) => "硬盘序列号",
            (PartKey::DiskSerial, false) => "disk serial",
            (PartKey::Mac, true) => "物理网卡 MAC",
            (PartKey::Mac, false) => "physical NIC MAC",
        }
    }
}

/// One part of the identity: the value as read, its canonical form, what it belongs to (the
/// disk model, the adapter description) and where it was read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    pub key: PartKey,
    pub value: String,
    pub canonical: String,
    pub detail: Option<String>,
    pub source: Source,
}

/// A part left out of the identity because its value is a placeholder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetAside {
    #[serde(flatten)]
    pub part: Part,
    pub reason: Placeholder,
}

/// The identity of one machine, parts in canonical order, and its hash.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fingerprint {
    pub parts: Vec<Part>,
    /// Parts whose every observation is a placeholder: not in the hash.
    pub set_aside: Vec<SetAside>,
    /// SHA-256 of [`Fingerprint::canonical`], lower-case hex.
    pub hash: String,
}

impl Fingerprint {
    pub fn of(m: &Machine) -> Fingerprint {
        let mut parts = Vec::new();
        let singles = [
            (PartKey::SystemSerial, &m.system.serial),
            (PartKey::BaseboardVendor, &m.baseboard.vendor),
            (PartKey::BaseboardSerial, &m.baseboard.serial),
            (PartKey::Model, &m.system.model),
        ];
        for (key, field) in singles {
            parts.extend(part(key, field, None));
        }
        let mut disks: Vec<Part> = m
            .disks
            .iter()
            .filter_map(|d| part(PartKey::DiskSerial, &d.serial, d.model.best()))
            .collect();
        disks.sort_by(|a, b| a.canonical.cmp(&b.canonical));
        disks.dedup_by(|a, b| a.canonical == b.canonical);
        parts.extend(disks);
        // Only adapters the NIC classification calls physical: activation ignores virtual,
        // VPN and host-side adapters, and they come and go without a hardware change.
        let mut macs: Vec<Part> = m
            .nics
            .iter()
            .filter(|n| n.physical.any_true() == Some(true))
            .filter_map(|n| part(PartKey::Mac, &n.mac, n.description.best()))
            .filter(|p| !p.canonical.is_empty())
            .collect();
        macs.sort_by(|a, b| a.canonical.cmp(&b.canonical));
        macs.dedup_by(|a, b| a.canonical == b.canonical);
        parts.extend(macs);
        let (parts, set_aside): (Vec<Part>, Vec<Part>) = parts.into_iter().partition(|p| reason(p).is_none());
        let set_aside = set_aside
            .into_iter()
            .filter_map(|part| reason(&part).map(|reason| SetAside { part, reason }))
            .collect();
        let hash = hex(&Sha256::digest(canonical_text(&parts).as_bytes()));
        Fingerprint { parts, set_aside, hash }
    }

    /// The canonical text the hash is computed over (see the module documentation).
    pub fn canonical(&self) -> String {
        canonical_text(&self.parts)
    }

    pub fn parts_of(&self, key: PartKey) -> impl Iterator<Item = &Part> {
        self.parts.iter().filter(move |p| p.key == key)
    }
}

/// Why a part's value identifies nothing, if it does not.
fn reason(p: &Part) -> Option<Placeholder> {
    placeholder_of(p.key, &p.value)
}

fn placeholder_of(key: PartKey, value: &str) -> Option<Placeholder> {
    match key {
        PartKey::Mac => placeholder::mac(value),
        PartKey::BaseboardVendor | PartKey::Model => placeholder::name(value),
        PartKey::SystemSerial | PartKey::BaseboardSerial | PartKey::DiskSerial => placeholder::serial(value),
    }
}

/// The part for one field: its best observation (the first that is no placeholder, else the
/// first non-empty one), or nothing when no source reported the field.
fn part(key: PartKey, field: &Field, detail: Option<&str>) -> Option<Part> {
    let best = field
        .values()
        .find(|o| placeholder_of(key, &o.value).is_none())
        .or_else(|| field.values().find(|o| !o.value.trim().is_empty()))
        .or(field.first())?;
    let value = best.value.trim().to_string();
    Some(Part {
        key,
        canonical: canonical_value(key, &value),
        value,
        detail: detail.filter(|d| !d.is_empty()).map(str::to_string),
        source: best.source.clone(),
    })
}

/// A value as written in the canonical text.
pub fn canonical_value(key: PartKey, value: &str) -> String {
    match key {
        PartKey::Mac => normalize_mac(value),
        _ => value.trim().to_ascii_uppercase(),
    }
}

fn canonical_text(parts: &[Part]) -> String {
    let mut s = String::from(CANONICAL_HEADER);
    s.push('\n');
    for p in parts {
        s.push_str(p.key.name());
        s.push('=');
        s.push_str(&p.canonical);
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::model::{Disk, Nic};

    fn src() -> Source {
        Source {
            input: "x".into(),
            path: "p".into(),
            line: Some(1),
            text: String::new(),
        }
    }

    fn machine(disk_serial: &str) -> Machine {
        let mut m = Machine::default();
        m.system.serial.push(" 5CD1234 ", src());
        m.baseboard.vendor.push("HP", src());
        let mut d = Disk::default();
        d.serial.push(disk_serial, src());
        d.model.push("Samsung SSD", src());
        m.disks.push(d);
        let mut n = Nic::default();
        n.mac.push("00-50-56-C0-00-01", src());
        n.physical.push(true, src());
        m.nics.push(n);
        let mut v = Nic::default();
        v.mac.push("00-50-56-C0-00-08", src());
        v.physical.push(false, src());
        m.nics.push(v);
        m
    }

    #[test]
    fn canonical_text_is_documented_form() {
        let f = Fingerprint::of(&machine("s3xy"));
        assert_eq!(
            f.canonical(),
            "cmgelog-fingerprint-v1\nsystem.serial=5CD1234\nbaseboard.vendor=HP\n\
             disk.serial=S3XY\nnic.mac=00-50-56-C0-00-01\n"
        );
        assert_eq!(f.hash.len(), 64);
    }

    #[test]
    fn case_and_spaces_do_not_change_the_hash_but_a_disk_does() {
        let a = Fingerprint::of(&machine("S3XY"));
        assert_eq!(a.hash, Fingerprint::of(&machine(" s3xy")).hash);
        assert_ne!(a.hash, Fingerprint::of(&machine("S3XZ")).hash);
    }
}
