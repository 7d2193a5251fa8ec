//! Which parts of the identity differ between two fingerprints of "the same" machine: a
//! replaced disk, a new virtual identity after a re-deploy, a swapped baseboard.

use super::{Fingerprint, Part, PartKey};
use serde::Serialize;

/// One key whose values differ: the parts only A has and the parts only B has (for a
/// single-valued key such as the system serial, the old and the new value). Parts present in
/// both are not listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartDiff {
    pub key: PartKey,
    pub only_a: Vec<Part>,
    pub only_b: Vec<Part>,
}

/// The keys whose canonical values differ, in canonical order; empty when the hashes agree.
pub fn diff(a: &Fingerprint, b: &Fingerprint) -> Vec<PartDiff> {
    PartKey::ALL
        .iter()
        .filter_map(|&key| {
            let in_b = |p: &Part| b.parts_of(key).any(|q| q.canonical == p.canonical);
            let in_a = |p: &Part| a.parts_of(key).any(|q| q.canonical == p.canonical);
            let only_a: Vec<Part> = a.parts_of(key).filter(|p| !in_b(p)).cloned().collect();
            let only_b: Vec<Part> = b.parts_of(key).filter(|p| !in_a(p)).cloned().collect();
            (!only_a.is_empty() || !only_b.is_empty()).then_some(PartDiff { key, only_a, only_b })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::model::Disk;
    use crate::facts::{Machine, Source};

    fn with_disks(serials: &[&str]) -> Fingerprint {
        let mut m = Machine::default();
        let src = Source {
            input: "i".into(),
            path: "p".into(),
            line: None,
            text: String::new(),
        };
        m.system.serial.push("SN1", src.clone());
        for s in serials {
            let mut d = Disk::default();
            d.serial.push(*s, src.clone());
            m.disks.push(d);
        }
        Fingerprint::of(&m)
    }

    #[test]
    fn a_replaced_disk_is_the_only_difference() {
        let d = diff(&with_disks(&["A1", "B2"]), &with_disks(&["A1", "C3"]));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].key, PartKey::DiskSerial);
        assert_eq!(d[0].only_a[0].value, "B2");
        assert_eq!(d[0].only_b[0].value, "C3");
        assert!(diff(&with_disks(&["A1"]), &with_disks(&["a1 "])).is_empty());
    }
}
