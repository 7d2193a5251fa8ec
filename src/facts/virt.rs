//! Virtual-machine signals and the verdict built from them.
//!
//! SN/PK activation refuses virtual machines, and customers ask *why* their machine was taken
//! for one (case B). So every signal is kept with its evidence and a strength, and the verdict
//! says which signals it rests on. Weak signals alone never make a VM: `HypervisorPresent` is
//! true on physical Windows with Hyper-V, WSL2 or VBS, and host-side virtual adapters (VMnet,
//! VirtualBox Host-Only, vEthernet) only show that virtualisation software is installed.
//! Bare-metal cloud instances (`*.metal`) are physical. Strings from windows-facts.md §3.

use super::model::{Field, Machine, Strength, VmSignal};
use super::nic_kind;
use crate::i18n::Localized;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Firmware identity of a hypervisor: certain.
    Virtual,
    /// Several independent medium signals: probably virtual.
    Likely,
    Unlikely,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub verdict: Verdict,
    pub strong: usize,
    pub medium: usize,
    pub weak: usize,
    pub hypervisors: Vec<String>,
}

/// (substring of the lower-cased value, hypervisor) for firmware identity strings:
/// system vendor/model, BIOS vendor/version, baseboard vendor/product.
const FIRMWARE: &[(&str, &str)] = &[
    ("vmware", "VMware"),
    ("innotek gmbh", "VirtualBox"),
    ("virtualbox", "VirtualBox"),
    ("vbox", "VirtualBox"),
    ("qemu", "QEMU/KVM"),
    ("bochs", "QEMU/KVM"),
    ("bxpc", "QEMU/KVM"),
    ("standard pc (i440fx", "QEMU/KVM"),
    ("standard pc (q35", "QEMU/KVM"),
    ("seabios", "QEMU/KVM"),
    ("kvm", "QEMU/KVM"),
    ("openstack", "QEMU/KVM (OpenStack)"),
    ("kubevirt", "QEMU/KVM (KubeVirt)"),
    ("rhev hypervisor", "QEMU/KVM (RHEV)"),
    ("ovirt", "QEMU/KVM (oVirt)"),
    ("nutanix", "Nutanix AHV"),
    ("hyper-v uefi", "Hyper-V"),
    ("hvm domu", "Xen"),
    ("parallels", "Parallels"),
    ("amazon ec2", "Amazon EC2"),
    ("google compute engine", "Google Compute Engine"),
    ("alibaba cloud", "Alibaba Cloud ECS"),
    ("bhyve", "bhyve"),
    ("apple virtualization", "Apple Virtualization"),
    ("acrn", "ACRN"),
];

/// Disk models of virtual disks. "Msft Virtual Disk" is also an attached VHD on a physical
/// machine, hence weak.
const DISK_MODELS: &[(&str, &str, Strength)] = &[
    ("vmware virtual", "VMware", Strength::Medium),
    ("vbox harddisk", "VirtualBox", Strength::Medium),
    ("qemu harddisk", "QEMU/KVM", Strength::Medium),
    ("virtio", "QEMU/KVM", Strength::Medium),
    ("xensrc", "Xen", Strength::Medium),
    ("parallels virtual", "Parallels", Strength::Medium),
    ("amazon elastic block store", "Amazon EC2", Strength::Medium),
    ("google persistentdisk", "Google Compute Engine", Strength::Medium),
    ("msft virtual disk", "Hyper-V / VHD", Strength::Weak),
    ("microsoft virtual disk", "Hyper-V / VHD", Strength::Weak),
];

/// PCI vendor ids of virtual devices in PnP ids.
const PCI_VENDORS: &[(&str, &str)] = &[
    ("ven_15ad", "VMware"),
    ("ven_80ee", "VirtualBox"),
    ("ven_1af4", "QEMU/KVM"),
    ("ven_1b36", "QEMU/KVM"),
    ("ven_5853", "Xen"),
    ("ven_1ab8", "Parallels"),
];

/// MAC prefixes of hypervisors' guest adapters (52:54:00 is QEMU's locally administered default).
const MAC_PREFIXES: &[(&str, &str)] = &[
    ("00-05-69", "VMware"),
    ("00-0C-29", "VMware"),
    ("00-1C-14", "VMware"),
    ("00-50-56", "VMware"),
    ("08-00-27", "VirtualBox"),
    ("00-15-5D", "Hyper-V"),
    ("52-54-00", "QEMU/KVM"),
    ("00-16-3E", "Xen"),
    ("00-1C-42", "Parallels"),
    ("00-03-FF", "Virtual PC"),
];

/// Adds the signals that follow from the extracted fields to `machine.vm_hints`.
pub fn add_derived_signals(machine: &mut Machine) {
    let mut signals = Vec::new();
    let bare_metal = machine
        .system
        .model
        .values()
        .any(|o| o.value.to_ascii_lowercase().contains(".metal"));
    if !bare_metal {
        firmware_signals(machine, &mut signals);
    }
    disk_signals(machine, &mut signals);
    nic_signals(machine, &mut signals);
    for o in machine.hypervisor_present.values().filter(|o| o.value) {
        signals.push(VmSignal {
            hypervisor: "unknown".into(),
            strength: Strength::Weak,
            what_en: "a hypervisor is running (also true on physical Windows with Hyper-V, WSL2 or VBS enabled)".into(),
            what_zh: "检测到虚拟机监控程序（物理机启用 Hyper-V、WSL2 或基于虚拟化的安全时同样如此）".into(),
            source: o.source.clone(),
        });
    }
    machine.vm_hints.extend(signals);
}

fn firmware_signals(m: &Machine, out: &mut Vec<VmSignal>) {
    let fields: [(&Field, &str, &str); 7] = [
        (&m.system.vendor, "system manufacturer", "系统制造商"),
        (&m.system.model, "system model", "系统型号"),
        (&m.system.serial, "system serial", "系统序列号"),
        (&m.bios.vendor, "BIOS vendor", "BIOS 厂商"),
        (&m.bios.version, "BIOS version", "BIOS 版本"),
        (&m.baseboard.vendor, "baseboard manufacturer", "主板制造商"),
        (&m.baseboard.product, "baseboard product", "主板型号"),
    ];
    for (field, en, zh) in fields {
        for o in field.values() {
            let lower = o.value.to_ascii_lowercase();
            let microsoft_vm = lower.trim() == "virtual machine"
                && m.system
                    .vendor
                    .values()
                    .any(|v| v.value.to_ascii_lowercase().contains("microsoft"));
            let hit = FIRMWARE
                .iter()
                .find(|(p, _)| lower.contains(p))
                .map(|(_, h)| *h)
                .or(microsoft_vm.then_some("Hyper-V"));
            if let Some(h) = hit {
                let v = o.value.trim();
                out.push(VmSignal {
                    hypervisor: h.into(),
                    strength: Strength::Strong,
                    what_en: format!("{en} is “{v}”, a {h} firmware string"),
                    what_zh: format!("{zh}为 “{v}”，是 {h} 的固件标识"),
                    source: o.source.clone(),
                });
            }
        }
    }
}

fn disk_signals(m: &Machine, out: &mut Vec<VmSignal>) {
    for d in &m.disks {
        for o in d.model.values() {
            let lower = o.value.to_ascii_lowercase();
            if let Some((_, h, s)) = DISK_MODELS.iter().find(|(p, _, _)| lower.contains(p)) {
                let v = o.value.trim();
                out.push(VmSignal {
                    hypervisor: (*h).into(),
                    strength: *s,
                    what_en: format!("disk model “{v}” is a {h} virtual disk"),
                    what_zh: format!("磁盘型号 “{v}” 是 {h} 虚拟磁盘"),
                    source: o.source.clone(),
                });
            }
        }
        for o in d.bus.values() {
            // lsblk's bus of virtio-blk and Xen disks (`facts::lsblk`); no physical disk has it.
            let h = match o.value.trim().to_ascii_lowercase().as_str() {
                "virtio" => "QEMU/KVM",
                "xen" => "Xen",
                _ => continue,
            };
            out.push(VmSignal {
                hypervisor: h.into(),
                strength: Strength::Medium,
                what_en: format!("disk bus is “{}”, a {h} virtual disk", o.value.trim()),
                what_zh: format!("磁盘总线为 “{}”，是 {h} 虚拟磁盘", o.value.trim()),
                source: o.source.clone(),
            });
        }
        pci_signals(&d.pnp_id, "disk", "磁盘", out);
    }
}

fn pci_signals(pnp: &Field, en: &str, zh: &str, out: &mut Vec<VmSignal>) {
    for o in pnp.values() {
        let lower = o.value.to_ascii_lowercase();
        if let Some((_, h)) = PCI_VENDORS.iter().find(|(p, _)| lower.contains(p)) {
            out.push(VmSignal {
                hypervisor: (*h).into(),
                strength: Strength::Medium,
                what_en: format!("{en} device id “{}” has the PCI vendor of {h}", o.value.trim()),
                what_zh: format!("{zh}设备 ID “{}” 的 PCI 厂商为 {h}", o.value.trim()),
                source: o.source.clone(),
            });
        }
    }
}

fn nic_signals(m: &Machine, out: &mut Vec<VmSignal>) {
    for n in &m.nics {
        // Host-side adapters (VMnet, Host-Only, vEthernet) are classified non-physical and
        // say nothing about the machine itself being virtual.
        let mut guest_adapter = false;
        for o in n.description.values() {
            let kind = nic_kind::classify(&o.value, n.pnp_id.best());
            if let Some(h) = kind.virtual_for {
                guest_adapter = true;
                out.push(VmSignal {
                    hypervisor: h.into(),
                    strength: Strength::Medium,
                    what_en: format!("network adapter “{}” is a {h} guest adapter", o.value.trim()),
                    what_zh: format!("网卡 “{}” 是 {h} 虚拟机网卡", o.value.trim()),
                    source: o.source.clone(),
                });
            }
        }
        for o in n.device_path.values() {
            if let Some(h) = nic_kind::classify_sysfs_path(&o.value).virtual_for {
                guest_adapter = true;
                let name = n.name.best().unwrap_or("?");
                out.push(VmSignal {
                    hypervisor: h.into(),
                    strength: Strength::Medium,
                    what_en: format!("network interface {name} is a {h} guest device"),
                    what_zh: format!("网卡 {name} 是 {h} 虚拟机设备"),
                    source: o.source.clone(),
                });
            }
        }
        let host_side = n.physical.any_true() == Some(false) && !guest_adapter;
        if host_side {
            continue;
        }
        for o in n.mac.values() {
            if let Some((p, h)) = MAC_PREFIXES
                .iter()
                .find(|(p, _)| o.value.to_ascii_uppercase().starts_with(p))
            {
                out.push(VmSignal {
                    hypervisor: (*h).into(),
                    strength: Strength::Medium,
                    what_en: format!("MAC address {} has the {h} prefix {p}", o.value),
                    what_zh: format!("MAC 地址 {} 使用 {h} 的前缀 {p}", o.value),
                    source: o.source.clone(),
                });
            }
        }
        pci_signals(&n.pnp_id, "network adapter", "网卡", out);
    }
}

/// The verdict: any strong signal → virtual; medium signals from two different files, or a
/// medium signal while a hypervisor is running → likely; otherwise unlikely. Two medium
/// signals from one file (a disk's model and its PCI id) are one piece of evidence.
pub fn assess(signals: &[VmSignal]) -> Assessment {
    let count = |s: Strength| signals.iter().filter(|x| x.strength == s).count();
    let (strong, medium, weak) = (count(Strength::Strong), count(Strength::Medium), count(Strength::Weak));
    let mut medium_files: Vec<(&str, &str)> = signals
        .iter()
        .filter(|s| s.strength == Strength::Medium)
        .map(|s| (s.source.input.as_str(), s.source.path.as_str()))
        .collect();
    medium_files.sort();
    medium_files.dedup();
    let hypervisor_running = signals
        .iter()
        .any(|s| s.strength == Strength::Weak && s.hypervisor == "unknown");
    let verdict = if strong > 0 {
        Verdict::Virtual
    } else if medium_files.len() >= 2 || (medium >= 1 && hypervisor_running) {
        Verdict::Likely
    } else {
        Verdict::Unlikely
    };
    let mut hypervisors: Vec<String> = signals
        .iter()
        .filter(|s| s.strength > Strength::Weak && s.hypervisor != "unknown")
        .map(|s| s.hypervisor.clone())
        .collect();
    hypervisors.sort();
    hypervisors.dedup();
    Assessment {
        verdict,
        strong,
        medium,
        weak,
        hypervisors,
    }
}

impl Assessment {
    /// One sentence: how sure, and on what it rests.
    pub fn explain(&self) -> Localized {
        let hv = if self.hypervisors.is_empty() {
            "?".to_string()
        } else {
            self.hypervisors.join(", ")
        };
        let (c_zh, c_en) = match self.verdict {
            Verdict::Virtual => ("确定", "certain"),
            Verdict::Likely => ("很可能", "likely"),
            Verdict::Unlikely => ("不太可能", "unlikely"),
        };
        Localized::new(
            format!(
                "判断：{c_zh}是虚拟机（{hv}）。依据：{} 个强信号（固件标识），{} 个中等信号（磁盘型号、MAC 前缀、虚拟网卡），{} 个弱信号（仅凭弱信号不能判定为虚拟机）。",
                self.strong, self.medium, self.weak
            ),
            format!(
                "Verdict: {c_en} a virtual machine ({hv}). Based on {} strong signal(s) (firmware identity), {} medium (disk model, MAC prefix, virtual adapter), {} weak (weak signals alone never make a VM).",
                self.strong, self.medium, self.weak
            ),
        )
    }
}

pub fn strength_label(s: Strength, zh: bool) -> &'static str {
    match (s, zh) {
        (Strength::Strong, true) => "强",
        (Strength::Medium, true) => "中",
        (Strength::Weak, true) => "弱",
        (Strength::Strong, false) => "strong",
        (Strength::Medium, false) => "medium",
        (Strength::Weak, false) => "weak",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::{Document, Entry};
    use crate::facts::extract;

    fn machine(files: &[(&str, &[u8])]) -> Machine {
        let docs: Vec<Document> = files
            .iter()
            .map(|(p, d)| {
                Document::from_entry(Entry {
                    input: "t".into(),
                    path: (*p).into(),
                    data: d.to_vec(),
                })
            })
            .collect();
        extract(&docs)
    }

    macro_rules! fixture {
        ($p:literal) => {
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/", $p))
        };
    }

    #[test]
    fn vmware_firmware_strings_are_strong() {
        let m = machine(&[("d.txt", fixture!("dmidecode/VMware_Virtual-Platform.txt"))]);
        let a = assess(&m.vm_hints);
        assert_eq!(a.verdict, Verdict::Virtual);
        assert_eq!(a.hypervisors, vec!["VMware".to_string()]);
        assert!(m
            .vm_hints
            .iter()
            .any(|s| s.source.text == "Product Name: VMware Virtual Platform"));
    }

    #[test]
    fn hyperv_guest_has_firmware_and_bios_bit() {
        let m = machine(&[("d.txt", fixture!("dmidecode/Microsoft_Virtual-Machine-HyperV-2019.txt"))]);
        assert_eq!(assess(&m.vm_hints).verdict, Verdict::Virtual);
        assert!(m
            .vm_hints
            .iter()
            .any(|s| s.hypervisor == "Hyper-V" && s.strength == Strength::Strong));
    }

    #[test]
    fn physical_machines_are_not_virtual() {
        for (name, data) in [
            ("hp.txt", &fixture!("dmidecode/HP_ZBook-15-G5.txt")[..]),
            ("dell.txt", &fixture!("dmidecode/Dell_PowerEdge-R640.txt")[..]),
            (
                "lenovo.wmi",
                &fixture!("wmi/glpi-agent_11-AzureAD-Win32_ComputerSystem.wmi")[..],
            ),
        ] {
            let m = machine(&[(name, data)]);
            assert_eq!(
                assess(&m.vm_hints).verdict,
                Verdict::Unlikely,
                "{name}: {:?}",
                m.vm_hints
            );
        }
    }

    #[test]
    fn host_side_adapters_and_hypervisor_flag_alone_are_not_a_vm() {
        // A physical HP with a VirtualBox Host-Only adapter, and a zh-CN PC with VMnet adapters.
        let es = machine(&[("si.txt", fixture!("systeminfo/sego1_systeminfo_es_HP_ProDesk.txt"))]);
        assert_eq!(assess(&es.vm_hints).verdict, Verdict::Unlikely, "{:?}", es.vm_hints);
        let zh = machine(&[("ipc.txt", fixture!("ipconfig/Thymolzzw_ipconfig_all_zh-CN_gbk.txt"))]);
        assert!(zh.vm_hints.is_empty(), "VMnet1/8 are host adapters: {:?}", zh.vm_hints);
        let hv = machine(&[(
            "x.wmi",
            b"HypervisorPresent=TRUE\r\nModel=20TBS57S00\r\nManufacturer=LENOVO\r\n",
        )]);
        assert_eq!(assess(&hv.vm_hints).verdict, Verdict::Unlikely);
        assert_eq!(hv.vm_hints.len(), 1);
    }

    #[test]
    fn cloud_vm_and_bare_metal_instances() {
        let ec2 = machine(&[("si.txt", fixture!("systeminfo/Karthika1991_systeminfo_AmazonEC2.txt"))]);
        let a = assess(&ec2.vm_hints);
        assert_eq!(a.verdict, Verdict::Virtual);
        assert!(a.hypervisors.contains(&"Amazon EC2".to_string()));
        let metal = machine(&[(
            "x.wmi",
            b"Manufacturer=Amazon EC2\r\nModel=m5.metal\r\nHypervisorPresent=FALSE\r\n",
        )]);
        assert_eq!(assess(&metal.vm_hints).verdict, Verdict::Unlikely);
    }

    #[test]
    fn one_virtual_disk_file_is_only_a_hint_but_two_files_agree() {
        let disk = fixture!("wmi/glpi-agent_win7-sp1-x64-Win32_DiskDrive.wmi");
        let one = machine(&[("Win32_DiskDrive.wmi", disk)]);
        assert_eq!(assess(&one.vm_hints).verdict, Verdict::Unlikely, "{:?}", one.vm_hints);
        let mac = b"C:\\>wmic nic get macaddress,name\r\nMACAddress         Name\r\n08:00:27:12:34:56  Intel(R) PRO/1000 MT Desktop Adapter\r\n";
        let two = machine(&[("Win32_DiskDrive.wmi", disk), ("nic.txt", mac)]);
        let a = assess(&two.vm_hints);
        assert_eq!(a.verdict, Verdict::Likely, "{:?}", two.vm_hints);
        assert_eq!(a.hypervisors, vec!["VirtualBox".to_string()]);
    }

    #[test]
    fn linux_virtio_disk_and_nic_are_two_medium_signals() {
        // The CI machine: a container (detect-virt says docker) on a KVM VM.
        let m = machine(&[
            ("hardware/lsblk.json", fixture!("linux/ci-debian12/hardware/lsblk.json")),
            (
                "hardware/sys-class-net.txt",
                fixture!("linux/ci-debian12/hardware/sys-class-net.txt"),
            ),
            (
                "hardware/systemd-detect-virt.txt",
                fixture!("linux/ci-debian12/hardware/systemd-detect-virt.txt"),
            ),
        ]);
        let got: Vec<(&str, Strength, &str)> = m
            .vm_hints
            .iter()
            .map(|s| (s.hypervisor.as_str(), s.strength, s.what_en.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "QEMU/KVM",
                    Strength::Medium,
                    "disk bus is “virtio”, a QEMU/KVM virtual disk"
                ),
                (
                    "QEMU/KVM",
                    Strength::Medium,
                    "network interface eth0 is a QEMU/KVM guest device"
                ),
            ]
        );
        let a = assess(&m.vm_hints);
        assert_eq!(a.verdict, Verdict::Likely, "two files agree");
        assert_eq!(a.hypervisors, vec!["QEMU/KVM".to_string()]);
        // One of them alone is only a hint.
        let one = machine(&[("hardware/lsblk.json", fixture!("linux/ci-debian12/hardware/lsblk.json"))]);
        assert_eq!(assess(&one.vm_hints).verdict, Verdict::Unlikely);
    }
}
