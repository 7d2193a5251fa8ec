//! Virtual-machine signals and the verdict built from them.
//!
//! SN/PK activation refuses virtual machines, and customers ask *why* their machine was taken
//! for one (case B). So every signal is kept with its evidence and a strength, and the verdict
//! says which signals it rests on. Weak signals alone never make a VM: `HypervisorPresent` is
//! true on physical Windows with Hyper-V, WSL2 or VBS, and host-side virtual adapters (VMnet,
//! VirtualBox Host-Only, vEthernet) only show that virtualisation software is installed.
//! Bare-metal cloud instances (`*.metal`) are physical. Strings from windows-facts.md §3.

use super::model::{Basis, Field, Machine, Strength, VmSignal};
use super::nic_kind;
use super::placeholder;
use crate::i18n::Localized;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Firmware identity of a hypervisor: certain.
    Virtual,
    /// Independent medium signals (of different kinds, or from two files): probably virtual.
    Likely,
    /// One kind of medium signal only: possibly virtual; collect the hardware category to be sure.
    Possible,
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

/// How a firmware pattern is compared with the lower-cased, trimmed value.
#[derive(Clone, Copy)]
enum How {
    /// The value starts with it (systemd's `startswith`).
    Prefix,
    /// The value contains it.
    Contains,
}

/// Firmware identity strings of hypervisors, compared with system vendor/model/version/serial,
/// BIOS vendor/version and baseboard vendor/product. A hardware vendor that also sells a
/// hypervisor or a cloud (Nutanix, Oracle, Microsoft, Huawei, H3C, Sangfor) is never matched
/// by its name alone; see [`firmware_signals`] for the rules that need two strings.
const FIRMWARE: &[(&str, &str, How)] = &[
    // systemd src/basic/virt.c dmi_vendor_table (startswith on product_name, sys_vendor,
    // board_vendor, bios_vendor, product_version).
    ("kvm", "QEMU/KVM", How::Prefix),
    ("openstack", "QEMU/KVM (OpenStack)", How::Prefix),
    ("kubevirt", "QEMU/KVM (KubeVirt)", How::Prefix),
    ("amazon ec2", "Amazon EC2", How::Prefix),
    ("qemu", "QEMU/KVM", How::Contains),
    ("vmware", "VMware", How::Contains),
    ("vmw", "VMware", How::Prefix),
    ("innotek gmbh", "VirtualBox", How::Prefix),
    ("virtualbox", "VirtualBox", How::Contains),
    ("xen", "Xen", How::Prefix),
    ("bochs", "QEMU/KVM", How::Contains),
    ("parallels", "Parallels", How::Contains),
    ("bhyve", "bhyve", How::Prefix),
    ("hyper-v", "Hyper-V", How::Prefix),
    ("apple virtualization", "Apple Virtualization", How::Prefix),
    ("google compute engine", "Google Compute Engine", How::Prefix),
    // (systemd's "Oracle Corporation" board vendor is left out: Oracle also sells servers.)
    // virt-what virt-what.in: 'Manufacturer: oVirt', 'Product Name: RHEV Hypervisor',
    // 'Manufacturer: Red Hat', 'Manufacturer: Alibaba' (Alibaba Cloud ECS; its bare-metal EBM
    // instances say so too, virt-what tells them apart only through the metadata service),
    // 'Version: <n>.<n>.amazon' (AWS on Xen).
    ("ovirt", "QEMU/KVM (oVirt)", How::Prefix),
    ("rhev hypervisor", "QEMU/KVM (RHEV)", How::Prefix),
    ("red hat", "QEMU/KVM (Red Hat)", How::Prefix),
    ("alibaba cloud", "Alibaba Cloud ECS", How::Prefix),
    (".amazon", "Amazon EC2", How::Contains),
    // ansible lib/ansible/module_utils/facts/virtual/linux.py: bios_vendor 'DigitalOcean'.
    ("digitalocean", "QEMU/KVM (DigitalOcean)", How::Prefix),
    // bin456789/reinstall trans.sh (is_dmi_contains): 'Manufacturer: Tencent Cloud',
    // 'Manufacturer: Huawei Cloud'.
    ("tencent cloud", "Tencent Cloud CVM", How::Prefix),
    ("huawei cloud", "Huawei Cloud ECS", How::Prefix),
    // windows-facts.md §3.1: QEMU machine types as system model or version (ansible,
    // VMAware "pc-q35"; "pc-i440fx-2.1" is the version of Alibaba Cloud ECS dmidecode dumps),
    // Xen's "HVM domU" and VirtualBox's "VBOX" BIOS version (al-khaser Generic.cpp,
    // VirtualBox.cpp), Bochs' ACPI OEM "BXPC" (VMAware).
    ("standard pc (i440fx", "QEMU/KVM", How::Prefix),
    ("standard pc (q35", "QEMU/KVM", How::Prefix),
    ("pc-i440fx", "QEMU/KVM", How::Prefix),
    ("pc-q35", "QEMU/KVM", How::Prefix),
    ("hvm domu", "Xen", How::Contains),
    ("vbox", "VirtualBox", How::Contains),
    ("bxpc", "QEMU/KVM", How::Contains),
    // systemd src/basic/virt.c vm_table (CPUID "ACRNACRNACRN"); Intel edge platforms (case B).
    ("acrn", "ACRN", How::Prefix),
];

/// BIOS implementations that QEMU ships but that also boot real hardware: SeaBIOS is the
/// payload of coreboot on laptops (ThinkPads, Chromebooks), EDK II is every UEFI's base. They
/// name QEMU/KVM only when no real hardware vendor is known (windows-facts.md §3.1).
const QEMU_FIRMWARE: &[&str] = &["seabios", "ovmf", "efi development kit ii"];

/// CPUID leaf 0x40000000 vendor signatures (systemd src/basic/virt.c vm_table, plus
/// "VBoxVBoxVBox" from VMAware, "LKVMLKVMLKVM" and "OpenBSDVMM58" from virt-what
/// virt-what.in). A bundle shows them in `lscpu`-like "Hypervisor vendor" lines or notes.
pub const CPUID_VENDORS: &[(&str, &str)] = &[
    ("XenVMMXenVMM", "Xen"),
    ("KVMKVMKVM", "QEMU/KVM"),
    ("Linux KVM Hv", "QEMU/KVM"),
    ("TCGTCGTCGTCG", "QEMU/KVM"),
    ("VMwareVMware", "VMware"),
    ("Microsoft Hv", "Hyper-V"),
    ("bhyve bhyve ", "bhyve"),
    ("QNXQVMBSQG", "QNX hypervisor"),
    ("ACRNACRNACRN", "ACRN"),
    ("SRESRESRESRE", "LMHS SRE"),
    ("Apple VZ", "Apple Virtualization"),
    ("VBoxVBoxVBox", "VirtualBox"),
    ("LKVMLKVMLKVM", "kvmtool"),
    ("OpenBSDVMM58", "OpenBSD vmm"),
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
    // The SMBIOS VM bit next to a real hardware vendor and no hypervisor string is what some
    // physical firmware sets (Lenovo A740, IBM 4810, NEC, Toshiba, Supermicro dumps of
    // linuxhw/DMI): weak. Without a real vendor it stays medium; with a hypervisor's firmware
    // strings the machine is virtual anyway.
    if real_vendor(machine)
        && !signals
            .iter()
            .any(|s| s.basis == Basis::Firmware && s.strength == Strength::Strong)
    {
        for s in machine.vm_hints.iter_mut().filter(|s| s.basis == Basis::VmBit) {
            s.strength = Strength::Weak;
            s.what_en
                .push_str(" (set by some physical firmware too; the manufacturer is real hardware)");
            s.what_zh.push_str("（部分物理机固件也会设置；制造商是真实硬件厂商）");
        }
    }
    disk_signals(machine, &mut signals);
    nic_signals(machine, &mut signals);
    for o in machine.hypervisor_present.values().filter(|o| o.value) {
        signals.push(VmSignal {
            hypervisor: "unknown".into(),
            strength: Strength::Weak,
            basis: Basis::HypervisorFlag,
            what_en: "a hypervisor is running (also true on physical Windows with Hyper-V, WSL2 or VBS enabled)".into(),
            what_zh: "检测到虚拟机监控程序（物理机启用 Hyper-V、WSL2 或基于虚拟化的安全时同样如此）".into(),
            source: o.source.clone(),
        });
    }
    machine.vm_hints.extend(signals);
}

/// The hypervisor a firmware value names by itself, from [`FIRMWARE`].
fn firmware_hypervisor(value: &str) -> Option<&'static str> {
    let lower = value.trim().to_ascii_lowercase();
    FIRMWARE
        .iter()
        .find(|(p, _, how)| match how {
            How::Prefix => lower.starts_with(p),
            How::Contains => lower.contains(p),
        })
        .map(|(_, h, _)| *h)
}

/// A real hardware vendor: a system or baseboard manufacturer that is neither a filler nor a
/// hypervisor's name.
fn real_vendor(m: &Machine) -> bool {
    [&m.system.vendor, &m.baseboard.vendor].iter().any(|f| {
        f.values().any(|v| {
            !v.value.trim().is_empty()
                && placeholder::name(&v.value).is_none()
                && firmware_hypervisor(&v.value).is_none()
        })
    })
}

fn firmware_signals(m: &Machine, out: &mut Vec<VmSignal>) {
    let fields: [(&Field, &str, &str); 8] = [
        (&m.system.vendor, "system manufacturer", "系统制造商"),
        (&m.system.model, "system model", "系统型号"),
        (&m.system.version, "system version", "系统版本"),
        (&m.system.serial, "system serial", "系统序列号"),
        (&m.bios.vendor, "BIOS vendor", "BIOS 厂商"),
        (&m.bios.version, "BIOS version", "BIOS 版本"),
        (&m.baseboard.vendor, "baseboard manufacturer", "主板制造商"),
        (&m.baseboard.product, "baseboard product", "主板型号"),
    ];
    let has = |f: &Field, needle: &str| f.values().any(|v| v.value.trim().to_ascii_lowercase().contains(needle));
    let real_vendor = real_vendor(m);
    let microsoft = has(&m.system.vendor, "microsoft");
    // ansible linux.py: product_name "AHV" is a Nutanix AHV guest; the manufacturer "Nutanix"
    // alone (virt-what's test) is also what Nutanix's own NX hardware nodes report.
    let nutanix = has(&m.system.vendor, "nutanix");
    // virt-what virt-what.in: 'Manufacturer.*HITACHI' with 'Product.* LPAR' (Virtage LPAR).
    let hitachi = has(&m.system.vendor, "hitachi");
    for (field, en, zh) in fields {
        for o in field.values() {
            let lower = o.value.trim().to_ascii_lowercase();
            let paired = if microsoft && lower == "virtual machine" {
                Some("Hyper-V")
            } else if nutanix && (lower == "ahv" || lower.starts_with("nutanix-ahv")) {
                Some("Nutanix AHV")
            } else if hitachi && lower.contains(" lpar") {
                Some("Hitachi Virtage")
            } else {
                None
            };
            let v = o.value.trim();
            if let Some(h) = firmware_hypervisor(&o.value).or(paired) {
                out.push(VmSignal {
                    hypervisor: h.into(),
                    strength: Strength::Strong,
                    basis: Basis::Firmware,
                    what_en: format!("{en} is “{v}”, a {h} firmware string"),
                    what_zh: format!("{zh}为 “{v}”，是 {h} 的固件标识"),
                    source: o.source.clone(),
                });
            } else if let Some(q) = QEMU_FIRMWARE.iter().find(|q| lower.starts_with(*q)) {
                // QEMU's BIOS, but also coreboot's payload / every UEFI's base on real hardware.
                let (strength, en_note, zh_note) = if real_vendor {
                    (
                        Strength::Weak,
                        "also the firmware of real machines (coreboot payload, UEFI base); the manufacturer is real hardware",
                        "真实硬件（coreboot 的载荷、UEFI 的基础）也使用它；制造商是真实硬件厂商",
                    )
                } else {
                    (
                        Strength::Strong,
                        "QEMU's firmware, and no real hardware vendor is named",
                        "QEMU 的固件，且未出现真实硬件厂商",
                    )
                };
                out.push(VmSignal {
                    hypervisor: "QEMU/KVM".into(),
                    strength,
                    basis: Basis::Firmware,
                    what_en: format!("{en} is “{v}” ({q}): {en_note}"),
                    what_zh: format!("{zh}为 “{v}”（{q}）：{zh_note}"),
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
                    basis: Basis::Disk,
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
                basis: Basis::Disk,
                what_en: format!("disk bus is “{}”, a {h} virtual disk", o.value.trim()),
                what_zh: format!("磁盘总线为 “{}”，是 {h} 虚拟磁盘", o.value.trim()),
                source: o.source.clone(),
            });
        }
        pci_signals(&d.pnp_id, Basis::Disk, "disk", "磁盘", out);
    }
}

fn pci_signals(pnp: &Field, basis: Basis, en: &str, zh: &str, out: &mut Vec<VmSignal>) {
    for o in pnp.values() {
        let lower = o.value.to_ascii_lowercase();
        if let Some((_, h)) = PCI_VENDORS.iter().find(|(p, _)| lower.contains(p)) {
            out.push(VmSignal {
                hypervisor: (*h).into(),
                strength: Strength::Medium,
                basis,
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
                    basis: Basis::Nic,
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
                    basis: Basis::Nic,
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
                    basis: Basis::Nic,
                    what_en: format!("MAC address {} has the {h} prefix {p}", o.value),
                    what_zh: format!("MAC 地址 {} 使用 {h} 的前缀 {p}", o.value),
                    source: o.source.clone(),
                });
            }
        }
        pci_signals(&n.pnp_id, Basis::Nic, "network adapter", "网卡", out);
    }
}

/// The verdict. Any strong signal → virtual. Medium signals → likely when they are
/// independent: of two different kinds ([`Basis`]) for one hypervisor (a guest driver's
/// events and a hypervisor PCI id in one System log; the SMBIOS VM bit, which names no
/// hypervisor, goes with any), or from two different files, or while a hypervisor is running
/// (not for the VM bit alone: both are seen on physical machines). Otherwise medium signals of
/// one kind (sixteen virtual disks of one paste, a NIC's description and its MAC prefix) →
/// possible. Weak signals alone → unlikely.
pub fn assess(signals: &[VmSignal]) -> Assessment {
    let count = |s: Strength| signals.iter().filter(|x| x.strength == s).count();
    let (strong, medium, weak) = (count(Strength::Strong), count(Strength::Medium), count(Strength::Weak));
    let mediums: Vec<&VmSignal> = signals.iter().filter(|s| s.strength == Strength::Medium).collect();
    let mut medium_files: Vec<(&str, &str)> = mediums
        .iter()
        .map(|s| (s.source.input.as_str(), s.source.path.as_str()))
        .collect();
    medium_files.sort();
    medium_files.dedup();
    let kinds_for = |hv: &str| {
        let mut kinds: Vec<Basis> = mediums
            .iter()
            .filter(|s| s.hypervisor == hv || s.hypervisor == "unknown")
            .map(|s| s.basis)
            .collect();
        kinds.sort();
        kinds.dedup();
        kinds.len()
    };
    let independent_kinds = mediums
        .iter()
        .filter(|s| s.hypervisor != "unknown")
        .any(|s| kinds_for(&s.hypervisor) >= 2);
    let hypervisor_running = signals.iter().any(|s| s.basis == Basis::HypervisorFlag);
    let named_medium = mediums.iter().any(|s| s.basis != Basis::VmBit);
    let verdict = if strong > 0 {
        Verdict::Virtual
    } else if independent_kinds || medium_files.len() >= 2 || (named_medium && hypervisor_running) {
        Verdict::Likely
    } else if medium > 0 {
        Verdict::Possible
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
            Verdict::Possible => ("可能", "possibly"),
            Verdict::Unlikely => ("不太可能", "unlikely"),
        };
        Localized::new(
            format!(
                "判断：{c_zh}是虚拟机（{hv}）。依据：{} 个强信号（固件标识），{} 个中等信号（磁盘、网卡、虚拟设备、虚拟机驱动/服务/进程/工具软件、SMBIOS 虚拟机位），{} 个弱信号（仅凭弱信号不能判定为虚拟机）。",
                self.strong, self.medium, self.weak
            ),
            format!(
                "Verdict: {c_en} a virtual machine ({hv}). Based on {} strong signal(s) (firmware identity), {} medium (disk, network adapter, virtual device, guest driver/service/process/tools, SMBIOS VM bit), {} weak (weak signals alone never make a VM).",
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
                    data: d.to_vec().into(),
                })
            })
            .collect();
        extract(&docs)
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
    fn one_virtual_disk_file_is_only_possible_but_two_files_agree() {
        let disk = fixture!("wmi/glpi-agent_win7-sp1-x64-Win32_DiskDrive.wmi");
        let one = machine(&[("Win32_DiskDrive.wmi", disk)]);
        assert_eq!(assess(&one.vm_hints).verdict, Verdict::Possible, "{:?}", one.vm_hints);
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
        assert_eq!(assess(&one.vm_hints).verdict, Verdict::Possible);
    }

    fn signal(hv: &str, strength: Strength, basis: Basis, path: &str) -> VmSignal {
        VmSignal {
            hypervisor: hv.into(),
            strength,
            basis,
            what_en: String::new(),
            what_zh: String::new(),
            source: crate::facts::Source {
                input: "t".into(),
                path: path.into(),
                line: None,
                text: String::new(),
            },
        }
    }

    #[test]
    fn verdict_counts_kinds_of_signals_not_signals() {
        use Basis::*;
        let m = Strength::Medium;
        // Sixteen identical virtual disks of one paste: one kind.
        let disks: Vec<VmSignal> = (0..16).map(|_| signal("VMware", m, Disk, "paste.txt")).collect();
        assert_eq!(assess(&disks).verdict, Verdict::Possible);
        // A guest driver, a guest service and a PCI id of one hypervisor in one System log.
        let log = [
            signal("VMware", m, GuestDriver, "System.evtx"),
            signal("VMware", m, GuestService, "System.evtx"),
            signal("VMware", m, Device, "System.evtx"),
        ];
        assert_eq!(assess(&log).verdict, Verdict::Likely);
        // Two kinds in one file but for different hypervisors: not independent evidence of one.
        let mixed = [
            signal("VMware", m, Process, "p.txt"),
            signal("VirtualBox", m, Software, "p.txt"),
        ];
        assert_eq!(assess(&mixed).verdict, Verdict::Possible);
        // The SMBIOS VM bit alone, or with a running hypervisor (both on physical machines).
        let bit = [
            signal("unknown", m, VmBit, "d.txt"),
            signal("unknown", Strength::Weak, HypervisorFlag, "d.txt"),
        ];
        assert_eq!(assess(&bit).verdict, Verdict::Possible);
        assert_eq!(assess(&bit[1..]).verdict, Verdict::Unlikely);
        // The VM bit with a named medium signal of another kind.
        let with_disk = [
            signal("unknown", m, VmBit, "d.txt"),
            signal("QEMU/KVM", m, Disk, "d.txt"),
        ];
        assert_eq!(assess(&with_disk).verdict, Verdict::Likely);
    }

    #[test]
    fn vm_bit_alone_is_not_certain() {
        // The shape of the Lenovo A740 / IBM 4810 dumps: real vendor strings and the
        // "System is a virtual machine" characteristic. (Constructed: those dumps are not in
        // the fixtures yet.)
        let m = machine(&[(
            "d.txt",
            b"# dmidecode 3.3\nHandle 0x0000, DMI type 0, 26 bytes\nBIOS Information\n\tVendor: LENOVO\n\tVersion: F0KT5BA\n\tCharacteristics:\n\t\tPCI is supported\n\t\tSystem is a virtual machine\n\nHandle 0x0001, DMI type 1, 27 bytes\nSystem Information\n\tManufacturer: LENOVO\n\tProduct Name: F0AM\n\tVersion: IdeaCentre A740\n",
        )]);
        let a = assess(&m.vm_hints);
        assert_eq!(a.verdict, Verdict::Unlikely, "{:?}", m.vm_hints);
        assert_eq!((a.strong, a.medium, a.weak), (0, 0, 1));
    }

    #[test]
    fn hypervisor_vendors_that_make_hardware_need_a_second_string() {
        // Nutanix: the NX hardware node says "Nutanix" too; AHV guests add "AHV".
        let node = machine(&[(
            "Win32_ComputerSystem.wmi",
            b"Manufacturer=Nutanix\r\nModel=NX-3060-G7\r\n",
        )]);
        assert_eq!(assess(&node.vm_hints).verdict, Verdict::Unlikely, "{:?}", node.vm_hints);
        let ahv = machine(&[("Win32_ComputerSystem.wmi", b"Manufacturer=Nutanix\r\nModel=AHV\r\n")]);
        let a = assess(&ahv.vm_hints);
        assert_eq!(a.verdict, Verdict::Virtual);
        assert_eq!(a.hypervisors, ["Nutanix AHV"]);
        // Microsoft: a Surface is physical, "Virtual Machine" is Hyper-V.
        let surface = machine(&[(
            "Win32_ComputerSystem.wmi",
            b"Manufacturer=Microsoft Corporation\r\nModel=Surface Pro 7\r\n",
        )]);
        assert_eq!(assess(&surface.vm_hints).verdict, Verdict::Unlikely);
    }

    #[test]
    fn seabios_is_qemu_only_without_a_real_vendor() {
        // A ThinkPad running coreboot with a SeaBIOS payload (constructed from the shape of
        // such dmidecode dumps: vendor LENOVO, BIOS vendor "coreboot" or "SeaBIOS").
        let thinkpad = machine(&[(
            "d.txt",
            b"# dmidecode 3.3\nHandle 0x0000, DMI type 0, 24 bytes\nBIOS Information\n\tVendor: SeaBIOS\n\tVersion: rel-1.16.2-0-gea1b7a0-prebuilt\n\nHandle 0x0001, DMI type 1, 27 bytes\nSystem Information\n\tManufacturer: LENOVO\n\tProduct Name: 20ANCTO1WW\n\tVersion: ThinkPad T440p\n",
        )]);
        let a = assess(&thinkpad.vm_hints);
        assert_eq!(a.verdict, Verdict::Unlikely, "{:?}", thinkpad.vm_hints);
        assert_eq!(a.weak, 1);
        // SeaBIOS with no vendor at all: QEMU.
        let bare = machine(&[(
            "Win32_BIOS.wmi",
            b"Manufacturer=SeaBIOS\r\nSMBIOSBIOSVersion=1.16.0-1\r\nSerialNumber=\r\n",
        )]);
        assert_eq!(assess(&bare.vm_hints).verdict, Verdict::Virtual, "{:?}", bare.vm_hints);
        // The real Proxmox guest's Win32_BIOS: "BOCHS  - 1".
        let proxmox = machine(&[("Win32_Bios.wmi", fixture!("wmi/glpi-agent_proxmox-Win32_Bios.wmi"))]);
        assert_eq!(
            assess(&proxmox.vm_hints).verdict,
            Verdict::Virtual,
            "{:?}",
            proxmox.vm_hints
        );
    }
}
