//! The machine model: what the activation client's hardware check looks at, plus identity and
//! OS facts. Every value keeps every observation with its source, because one bundle often
//! holds the same fact from several tools (dmidecode and wmic, systeminfo and ipconfig), and
//! a finding must cite the line it rests on.

use serde::Serialize;

/// Where a fact was read: input, path inside it, 1-based line, and the line's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    pub input: String,
    pub path: String,
    pub line: Option<usize>,
    pub text: String,
}

/// One observed value and where it was seen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Observed<T> {
    pub value: T,
    pub source: Source,
}

/// All observations of one attribute, in the order they were read. Raw values are kept as
/// the tool printed them (trailing spaces included: serial length checks need them); use
/// [`Field::first`] or [`Field::values`] to read.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Field(pub Vec<Observed<String>>);

impl Field {
    pub fn push(&mut self, value: impl Into<String>, source: Source) {
        self.0.push(Observed {
            value: value.into(),
            source,
        });
    }
    pub fn is_known(&self) -> bool {
        !self.0.is_empty()
    }
    pub fn first(&self) -> Option<&Observed<String>> {
        self.0.first()
    }
    /// The first value that is not empty after trimming, else the first value.
    pub fn best(&self) -> Option<&str> {
        self.0
            .iter()
            .find(|o| !o.value.trim().is_empty())
            .or(self.0.first())
            .map(|o| o.value.trim())
    }
    pub fn values(&self) -> impl Iterator<Item = &Observed<String>> {
        self.0.iter()
    }
}

/// A yes/no fact, with all its observations.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Flag(pub Vec<Observed<bool>>);

impl Flag {
    pub fn push(&mut self, value: bool, source: Source) {
        self.0.push(Observed { value, source });
    }
    /// `Some(true)` if any observation says true, `Some(false)` if all say false, `None` if
    /// nothing was observed.
    pub fn any_true(&self) -> Option<bool> {
        if self.0.is_empty() {
            None
        } else {
            Some(self.0.iter().any(|o| o.value))
        }
    }
    pub fn is_known(&self) -> bool {
        !self.0.is_empty()
    }
    pub fn values(&self) -> impl Iterator<Item = &Observed<bool>> {
        self.0.iter()
    }
}

/// SMBIOS type 1 / Win32_ComputerSystem(Product) / Win32_BIOS.
///
/// `serial` is the system serial that `wmic bios get SerialNumber`, `wmic csproduct get
/// IdentifyingNumber`, dmidecode type 1 and sysfs `product_serial` all report: the activation
/// client's "BIOS serial".
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct System {
    pub vendor: Field,
    pub model: Field,
    pub serial: Field,
    pub uuid: Field,
    pub family: Field,
    pub sku: Field,
    pub version: Field,
}

/// SMBIOS type 0 / Win32_BIOS.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Bios {
    pub vendor: Field,
    pub version: Field,
    pub release_date: Field,
}

/// SMBIOS type 2 / Win32_BaseBoard.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Baseboard {
    pub vendor: Field,
    pub product: Field,
    pub version: Field,
    pub serial: Field,
}

/// SMBIOS type 3 / Win32_SystemEnclosure.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Chassis {
    /// As printed: "Desktop", "Notebook", or the numeric SMBIOS code from sysfs/WMI.
    pub kind: Field,
    pub vendor: Field,
    pub serial: Field,
}

/// A physical disk as Win32_DiskDrive, MSFT_PhysicalDisk, lsblk or the PnP properties show it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Disk {
    /// Disk number (`\\.\PHYSICALDRIVE<n>`, MSFT_PhysicalDisk.DeviceId), used to merge sources.
    pub index: Option<u32>,
    pub model: Field,
    pub serial: Field,
    /// Bus as reported: `SCSI`/`IDE`/`USB` (InterfaceType), or MSFT BusType text (`NVMe`, `USB`, `SATA`, `File Backed Virtual`...).
    pub bus: Field,
    /// Win32_DiskDrive.MediaType ("Fixed hard disk media", "Removable Media", "External hard disk media").
    pub media_type: Field,
    pub pnp_id: Field,
    /// Removable by what the tool reports (MediaType, Capabilities 7, BusType USB/SD/MMC, lsblk RM/HOTPLUG).
    pub removable: Flag,
    /// DEVPKEY_Device_InLocalMachineContainer (在根容器中); false means Windows sees the disk as removable.
    pub in_local_container: Flag,
    /// The disk holds the running system (boot/system partition).
    pub system_disk: Flag,
}

/// A network adapter.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Nic {
    /// Connection name ("以太网", "Ethernet 2", NetConnectionID).
    pub name: Field,
    /// Adapter description / product name ("Intel(R) Ethernet Connection I219-LM").
    pub description: Field,
    /// MAC address, normalised to `AA-BB-CC-DD-EE-FF`.
    pub mac: Field,
    pub pnp_id: Field,
    /// A physical adapter (not TAP, Wi-Fi Direct, vEthernet, VPN, loopback, Bluetooth PAN).
    pub physical: Flag,
    /// Enabled (ipconfig lists only enabled adapters; wmic NetEnabled/ConfigManagerErrorCode 22).
    pub enabled: Flag,
    /// Removable (USB, Thunderbolt, PCMCIA...), from the PnP id or description.
    pub removable: Flag,
    /// DEVPKEY_Device_InLocalMachineContainer.
    pub in_local_container: Flag,
}

/// The installed operating system.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Os {
    pub hostname: Field,
    /// Product name ("Microsoft Windows 10 企业版 G", "Windows 10 Enterprise G").
    pub name: Field,
    pub version: Field,
    pub build: Field,
    pub locale: Field,
}

/// One SoftwareLicensingProduct instance (or the `slmgr /dlv` equivalent).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LicensingProduct {
    pub name: Field,
    pub description: Field,
    pub license_status: Field,
    pub partial_product_key: Field,
    pub kms_machine: Field,
    pub grace_period_minutes: Field,
}

/// How strongly a signal says "virtual machine".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    /// Also seen on physical machines (hypervisor-present flag, host-side virtual adapters).
    Weak,
    /// Points to a VM, but has known physical look-alikes (MAC OUI, a virtual disk model).
    Medium,
    /// Firmware identity of a hypervisor (SMBIOS vendor/model/BIOS strings, "is a VM" BIOS bit).
    Strong,
}

/// One reason to think the machine is virtual.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VmSignal {
    /// "VMware", "Hyper-V", "QEMU/KVM", "VirtualBox", "Xen", "Amazon EC2", ... or "unknown".
    pub hypervisor: String,
    pub strength: Strength,
    /// What was seen, in English and Chinese ("system model is 'VMware Virtual Platform'").
    pub what_en: String,
    pub what_zh: String,
    pub source: Source,
}

/// Everything known about one machine.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Machine {
    pub system: System,
    pub bios: Bios,
    pub baseboard: Baseboard,
    pub chassis: Chassis,
    pub disks: Vec<Disk>,
    pub nics: Vec<Nic>,
    pub os: Os,
    /// Win32_ComputerSystem.HypervisorPresent, systeminfo's "A hypervisor has been detected".
    pub hypervisor_present: Flag,
    pub licensing: Vec<LicensingProduct>,
    /// Signals that extractors saw directly (dmidecode's "System is a virtual machine" bit,
    /// systemd-detect-virt output). Signals derived from the fields above are added by
    /// `facts::virt`.
    pub vm_hints: Vec<VmSignal>,
}

impl Machine {
    /// The disk with this index, created if needed.
    pub fn disk_by_index(&mut self, index: u32) -> &mut Disk {
        if let Some(i) = self.disks.iter().position(|d| d.index == Some(index)) {
            return &mut self.disks[i];
        }
        self.disks.push(Disk {
            index: Some(index),
            ..Disk::default()
        });
        self.disks.last_mut().expect("just pushed")
    }

    /// The NIC with this MAC address (normalised), created if needed. Adapters without a MAC
    /// are always new entries.
    pub fn nic_by_mac(&mut self, mac: Option<&str>) -> &mut Nic {
        if let Some(mac) = mac.map(normalize_mac).filter(|m| !m.is_empty()) {
            if let Some(i) = self.nics.iter().position(|n| n.mac.values().any(|o| o.value == mac)) {
                return &mut self.nics[i];
            }
        }
        self.nics.push(Nic::default());
        self.nics.last_mut().expect("just pushed")
    }
}

/// `00:50:56:c0:00:01`, `00-50-56-C0-00-01`, `005056C00001` → `00-50-56-C0-00-01`; anything
/// that is not 12 hex digits is returned trimmed and upper-cased.
pub fn normalize_mac(mac: &str) -> String {
    let hex: String = mac.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    let only_hex_and_separators = mac
        .trim()
        .chars()
        .all(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '-' | '.'));
    if hex.len() == 12 && only_hex_and_separators {
        let up = hex.to_ascii_uppercase();
        (0..6).map(|i| &up[i * 2..i * 2 + 2]).collect::<Vec<_>>().join("-")
    } else {
        mac.trim().to_ascii_uppercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_are_normalised() {
        assert_eq!(normalize_mac("00:50:56:c0:00:01"), "00-50-56-C0-00-01");
        assert_eq!(normalize_mac(" 005056C00001 "), "00-50-56-C0-00-01");
        assert_eq!(normalize_mac("0050.56c0.0001"), "00-50-56-C0-00-01");
    }
}
