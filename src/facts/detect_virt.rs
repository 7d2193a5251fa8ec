//! `systemd-detect-virt` → a strong VM signal, or the container the collector ran in
//! (windows-facts.md §5.4).
//!
//! systemd decides from the CPUID hypervisor leaf, the DMI strings and the SMBIOS "is a VM"
//! bit, so a VM identifier is as good as the firmware strings: strong. It reports only the
//! innermost virtualisation: a container on a VM prints the container (the CI machine prints
//! `docker`), and the VM then shows only in other files (virtio devices, DMI). A container is
//! recorded as such and is no VM signal. `none` (bare metal) records nothing.

use super::formats::{Format, Recognise, Sample};
use super::model::{Basis, Strength, VmSignal};
use super::platform::Platform;
use super::{Machine, Source};
use crate::bundle::{Document, Kind, Reading};

/// VM identifiers (systemd src/basic/virt.c) and the hypervisor names `facts::virt` uses.
const VMS: &[(&str, &str)] = &[
    ("kvm", "QEMU/KVM"),
    ("qemu", "QEMU/KVM"),
    ("bochs", "QEMU/KVM"),
    ("vmware", "VMware"),
    ("microsoft", "Hyper-V"),
    ("oracle", "VirtualBox"),
    ("xen", "Xen"),
    ("amazon", "Amazon EC2"),
    ("google", "Google Compute Engine"),
    ("parallels", "Parallels"),
    ("zvm", "IBM z/VM"),
    ("powervm", "IBM PowerVM"),
    ("uml", "User-mode Linux"),
    ("bhyve", "bhyve"),
    ("qnx", "QNX hypervisor"),
    ("acrn", "ACRN"),
    ("apple", "Apple Virtualization"),
    ("sre", "LMHS SRE"),
    ("vm-other", "unknown"),
];

/// Container identifiers.
const CONTAINERS: &[&str] = &[
    "openvz",
    "lxc",
    "lxc-libvirt",
    "systemd-nspawn",
    "docker",
    "podman",
    "rkt",
    "wsl",
    "proot",
    "pouch",
    "container-other",
];

pub fn extract(doc: &Document, machine: &mut Machine) {
    let Some((n, line)) = doc.lines().find(|(_, l)| !l.trim().is_empty()) else {
        return;
    };
    let id = line.trim();
    let source = Source::at(doc, n, line);
    if let Some((_, hv)) = VMS.iter().find(|(v, _)| *v == id) {
        machine.vm_hints.push(VmSignal {
            hypervisor: (*hv).into(),
            strength: Strength::Strong,
            basis: Basis::DetectVirt,
            what_en: format!("systemd-detect-virt reports “{id}”, a virtual machine"),
            what_zh: format!("systemd-detect-virt 报告 “{id}”，即虚拟机"),
            source,
        });
    } else if CONTAINERS.contains(&id) {
        machine.container.push(id, source);
    }
    // `none` and identifiers of future systemd versions: nothing to record.
}

/// `systemd-detect-virt` output: one lower-case identifier (`none`, `kvm`, `docker`,
/// `vm-other`), in a file whose name says where it came from (any note could hold one word).
pub(crate) const FORMAT: Format = Format {
    kind: Kind::new("detect-virt", Reading::Lines),
    recognise: Recognise::text(is_detect_virt),
    extract,
    platform: Some(Platform::Linux),
    codes: false,
};

fn is_detect_virt(s: &Sample) -> bool {
    let head = &s.head;
    s.file_name().contains("detect-virt")
        && head.len() == 1
        && !head[0].is_empty()
        && head[0]
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::virt::{assess, Verdict};

    fn run(text: &[u8]) -> Machine {
        let doc = Document::from_bytes("t", "hardware/systemd-detect-virt.txt", text);
        assert_eq!(doc.kind, crate::facts::formats::kind("detect-virt"));
        let mut m = Machine::default();
        extract(&doc, &mut m);
        m
    }

    #[test]
    fn ci_machine_is_a_docker_container_not_a_vm_signal() {
        let m = run(fixture!("linux/ci-debian12/hardware/systemd-detect-virt.txt"));
        assert!(m.vm_hints.is_empty());
        assert_eq!(m.container.best(), Some("docker"));
        assert_eq!(m.container.0[0].source.line, Some(1));
    }

    #[test]
    fn vm_identifiers_are_strong_signals() {
        for (id, hv) in [
            ("kvm\n", "QEMU/KVM"),
            ("microsoft\n", "Hyper-V"),
            ("oracle\n", "VirtualBox"),
        ] {
            let m = run(id.as_bytes());
            assert_eq!(m.vm_hints.len(), 1, "{id}");
            let s = &m.vm_hints[0];
            assert_eq!((s.hypervisor.as_str(), s.strength), (hv, Strength::Strong));
            assert_eq!(s.source.text, id.trim());
            assert_eq!(assess(&m.vm_hints).verdict, Verdict::Virtual);
            assert!(!m.container.is_known());
        }
    }

    #[test]
    fn bare_metal_records_nothing() {
        assert_eq!(run(b"none\n"), Machine::default());
    }
}
