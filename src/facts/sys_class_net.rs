//! `ls -l /sys/class/net/` → which interfaces are hardware, USB or a hypervisor's guest NIC.
//!
//! Every interface is a symbolic link to its device; the path says what the device is
//! (`nic_kind::classify_sysfs_path`). `ip -j addr` (`facts::ip_json`) gives the MACs and
//! states of the same interfaces; the two meet on the interface name. Loopback is skipped, as
//! in `ip_json`.

use super::{nic_kind, Machine, Source};
use crate::bundle::{net_link, Document};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::Kind;
    use crate::facts::model::Nic;

    fn run(bytes: &[u8]) -> Machine {
        let doc = Document::from_bytes("t", "hardware/sys-class-net.txt", bytes);
        assert_eq!(doc.kind, Kind::SysClassNet);
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
        let m = run(include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/linux/ci-debian12/hardware/sys-class-net.txt"
        )));
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
        let m = run(include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/linux/constructed/sys-class-net-usb.txt"
        )));
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
