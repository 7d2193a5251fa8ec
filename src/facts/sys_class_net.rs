//! `ls -l /sys/class/net/` → which interfaces are hardware, USB or a hypervisor's guest NIC.
//!
//! Every interface is a symbolic link to its device; the path says what the device is
//! (`nic_kind::classify_sysfs_path`). `ip -j addr` (`facts::ip_json`) gives the MACs and
//! states of the same interfaces; the two meet on the interface name. Loopback is skipped, as
//! in `ip_json`.

use super::formats::{Format, Recognise, Sample};
use super::platform::Platform;
use super::{nic_kind, Machine, Source};
use crate::bundle::{Document, Kind, Reading};

pub fn extract(doc: &Document, machine: &mut Machine) {
    for (n, line) in doc.lines() {
        let Some((name, target)) = net_link(line.trim()) else {
            continue;
        };
        if name == "lo" {
            continue;
        }
        let source = Source::at(doc, n, line);
        let kind = nic_kind::classify_sysfs_path(target);
        let nic = machine.nic_by_name(name);
        nic.name.push(name, source.clone());
        nic.device_path.push(target, source.clone());
        nic.physical.push(kind.physical, source.clone());
        nic.removable.push(kind.removable, source);
    }
}

/// `ls -l /sys/class/net/`: symbolic links `<name> -> ../../devices/.../net/<name>`. `total 0`
/// and regular files (`bonding_masters`) may sit between them.
pub(crate) const FORMAT: Format = Format {
    kind: Kind::new("sys-class-net", Reading::Lines),
    recognise: Recognise::text(is_listing),
    extract,
    platform: Some(Platform::Linux),
    codes: false,
};

fn is_listing(s: &Sample) -> bool {
    let links = s.head.iter().filter(|l| net_link(l).is_some()).count();
    let other = s
        .head
        .iter()
        .filter(|l| net_link(l).is_none() && !l.starts_with("total ") && !l.starts_with('-'))
        .count();
    links >= 1 && other == 0
}

/// `lrwxrwxrwx 1 root root 0 May 14 09:30 eth0 -> ../../devices/pci0000:00/.../net/eth0` →
/// (`eth0`, the link target).
pub fn net_link(line: &str) -> Option<(&str, &str)> {
    if !line.starts_with('l') {
        return None;
    }
    let (left, target) = line.split_once(" -> ")?;
    let name = left.split_whitespace().last()?;
    let target = target.trim();
    (target.contains("devices/") && target.ends_with(&format!("/net/{name}"))).then_some((name, target))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::model::Nic;

    fn run(bytes: &[u8]) -> Machine {
        let doc = Document::from_bytes("t", "hardware/sys-class-net.txt", bytes);
        assert_eq!(doc.kind, crate::facts::formats::kind("sys-class-net"));
        let mut m = Machine::default();
        extract(&doc, &mut m);
        m
    }

    /// (name, physical, removable) of every NIC.
    fn summary(m: &Machine) -> Vec<(String, Option<bool>, Option<bool>)> {
        m.nics
            .iter()
            .map(|n: &Nic| {
                let name = n.name.best().unwrap_or("?").to_string();
                (name, n.physical.any_true(), n.removable.any_true())
            })
            .collect()
    }

    #[test]
    fn ci_machine_virtio_and_virtual_interfaces() {
        let m = run(fixture!("linux/ci-debian12/hardware/sys-class-net.txt"));
        assert_eq!(
            summary(&m),
            [
                ("eth0".to_string(), Some(false), Some(false)),
                ("ifb0".to_string(), Some(false), Some(false)),
                ("ifb1".to_string(), Some(false), Some(false)),
            ]
        );
        let path = m.nics[0].device_path.first().expect("path");
        assert_eq!(path.value, "../../devices/pci0000:00/0000:00:03.0/virtio2/net/eth0");
        assert_eq!(path.source.line, Some(2));
        assert!(path
            .source
            .text
            .ends_with("eth0 -> ../../devices/pci0000:00/0000:00:03.0/virtio2/net/eth0"));
    }

    #[test]
    fn laptop_with_usb_nic() {
        let m = run(fixture!("linux/constructed/sys-class-net-usb.txt"));
        assert_eq!(
            summary(&m),
            [
                ("docker0".to_string(), Some(false), Some(false)),
                ("enp0s31f6".to_string(), Some(true), Some(false)),
                ("enx00e04c680a1b".to_string(), Some(true), Some(true)),
                ("wlp0s20f3".to_string(), Some(true), Some(false)),
            ]
        );
    }
}
