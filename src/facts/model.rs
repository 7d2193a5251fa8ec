//! The machine model: what the activation client's hardware check looks at, plus identity and
//! OS facts. Every value keeps every observation with its source, because one bundle often
//! holds the same fact from several tools (dmidecode and wmic, systeminfo and ipconfig), and
//! a finding must cite the line it rests on.

use super::platform::Platform;
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
    /// Linux: the device the interface belongs to, the target of its `/sys/class/net/<name>`
    /// link (`../../devices/pci0000:00/0000:00:03.0/virtio2/net/eth0`); see
    /// `nic_kind::classify_sysfs_path`.
    pub device_path: Field,
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
    /// `windows` or `linux`, as the collector's manifest names it.
    pub family: Field,
    pub hostname: Field,
    /// Product name ("Microsoft Windows 10 企业版 G", "Windows 10 Enterprise G").
    pub name: Field,
    pub version: Field,
    pub build: Field,
    pub locale: Field,
}

/// One licence: a SoftwareLicensingProduct instance, or one product block of `slmgr /dli`,
/// `/dlv` or `/xpr`. Values are kept as printed; [`LicensingProduct::status`] reads the status
/// in any spelling (`facts::licensing`). No field ever holds a full product key.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LicensingProduct {
    /// "Windows(R), EnterpriseG edition".
    pub name: Field,
    /// "Windows(R) Operating System, VOLUME_KMSCLIENT channel".
    pub description: Field,
    /// The edition part of the name: "EnterpriseG", "Professional", "ServerStandard".
    pub edition: Field,
    /// The channel part of the description: "VOLUME_KMSCLIENT", "RETAIL", "OEM_DM", "VOLUME_MAK".
    pub channel: Field,
    /// ProductKeyChannel, slmgr's "Product Key Channel": "Volume:GVLK", "Retail", "OEM:DM".
    pub product_key_channel: Field,
    /// As printed: WMI's number ("1") or slmgr's text ("Licensed", "已授权", "Notification").
    pub license_status: Field,
    /// HRESULT as `0xC004F009`: slmgr's "Notification Reason", WMI's LicenseStatusReason.
    pub license_status_reason: Field,
    pub grace_period_minutes: Field,
    /// The last five characters of the installed key, as Windows shows them.
    pub partial_product_key: Field,
    /// The configured KMS host (KeyManagementServiceMachine, "Registered KMS machine name").
    pub kms_machine: Field,
    /// The KMS host found through DNS: name (with port) and IP address.
    pub kms_discovered: Field,
    pub application_id: Field,
    /// The licence's Activation ID (SoftwareLicensingProduct.ID).
    pub activation_id: Field,
    /// EvaluationEndDate, when one is set.
    pub evaluation_end: Field,
}

/// SoftwareLicensingService, and the service-wide lines of `slmgr /dlv`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LicensingService {
    /// "10.0.19041.1" (slmgr: "Software licensing service version").
    pub version: Field,
    /// KeyManagementServiceMachine set for the whole machine.
    pub kms_machine: Field,
    /// KMS client machine ID (CMID).
    pub client_machine_id: Field,
    pub remaining_windows_rearm_count: Field,
    /// OA3xOriginalProductKey is not empty: the firmware holds an OEM product key. The key
    /// itself is never read into the model.
    pub oa3_key_present: Flag,
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

/// What kind of evidence a signal is. Signals of one kind say one thing (sixteen virtual disks
/// of one paste, a NIC's description and its MAC prefix); signals of different kinds are
/// independent evidence (`facts::virt::assess`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// SMBIOS / WMI identity strings of the system, BIOS or baseboard.
    Firmware,
    /// The SMBIOS "System is a virtual machine" BIOS characteristic.
    VmBit,
    /// `systemd-detect-virt` output.
    DetectVirt,
    /// A disk: model, bus or PCI id.
    Disk,
    /// A network adapter: description, PCI id, sysfs device path or MAC prefix.
    Nic,
    /// A device of the hypervisor's virtual hardware named in an event (PnP id).
    Device,
    /// Events of a guest driver (the event provider).
    GuestDriver,
    /// A guest service or guest tools package named in Service Control Manager / MsiInstaller events.
    GuestService,
    /// A guest tools process that runs (process list, process creation events).
    Process,
    /// Guest tools that are installed (software list).
    Software,
    /// A hypervisor runs (also on physical hosts).
    HypervisorFlag,
}

/// One reason to think the machine is virtual.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VmSignal {
    /// "VMware", "Hyper-V", "QEMU/KVM", "VirtualBox", "Xen", "Amazon EC2", ... or "unknown".
    pub hypervisor: String,
    pub strength: Strength,
    pub basis: Basis,
    /// What was seen, in English and Chinese ("system model is 'VMware Virtual Platform'").
    pub what_en: String,
    pub what_zh: String,
    pub source: Source,
}

/// One Windows Setup (Panther), CBS/DISM or Windows Update log, summarised by
/// `facts::upgrade`. Only counts and the cited lines are kept, never the log itself: CBS logs
/// reach hundreds of megabytes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UpgradeLog {
    pub source_input: String,
    pub source_path: String,
    pub kind: UpgradeLogKind,
    /// Entries: lines with a timestamp (continuation lines belong to the entry above).
    pub entries: usize,
    /// `Error` and `Fatal Error` entries; for Windows Update, lines marked `*FAILED*`.
    pub errors: usize,
    pub warnings: usize,
    /// Timestamps of the first and last entry, as printed.
    pub first_time: Option<String>,
    pub last_time: Option<String>,
    /// Entries per level (`Info`, `Warning`, `Error`, ...), most frequent first. Empty for
    /// Windows Update, whose lines have no level.
    pub levels: Vec<Counted>,
    /// Entries per logging component (`MOUPG`, `SP`, `CBS`, `Agent`; `""` when the line has
    /// none), most frequent first.
    pub components: Vec<Counted>,
    /// Error codes, in order of first appearance.
    pub codes: Vec<CodeSeen>,
    /// The error an engineer would start from (setup, CBS and DISM logs; see
    /// `facts::upgrade::decisive` for how it is chosen).
    pub decisive: Option<DecisiveError>,
    /// The first line that says setup gave up: "Shell application requested abort",
    /// "Abandoning apply due to error", a change to `SetupPhaseError`, a `Fatal Error` entry or
    /// the rollback result 0xC1900101.
    pub failure_marker: Option<Source>,
}

impl UpgradeLog {
    /// The summary of a log with nothing counted yet.
    pub fn empty(doc: &crate::bundle::Document, kind: UpgradeLogKind) -> UpgradeLog {
        UpgradeLog {
            source_input: doc.input.clone(),
            source_path: doc.path.clone(),
            kind,
            entries: 0,
            errors: 0,
            warnings: 0,
            first_time: None,
            last_time: None,
            levels: Vec::new(),
            components: Vec::new(),
            codes: Vec::new(),
            decisive: None,
            failure_marker: None,
        }
    }
}

/// Which log an [`UpgradeLog`] summarises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UpgradeLogKind {
    /// Panther `setupact.log` (all levels).
    SetupAct,
    /// Panther `setuperr.log` (errors and warnings only).
    SetupErr,
    /// `CBS.log` (component-based servicing).
    Cbs,
    /// `dism.log`.
    Dism,
    /// The text `WindowsUpdate.log` that `Get-WindowsUpdateLog` decodes from ETW traces.
    WindowsUpdate,
}

/// A name and how many entries carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counted {
    pub name: String,
    pub count: usize,
}

/// One error code and where it was seen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeSeen {
    /// `0x` and 8 upper-case hex digits (`0x80070490`).
    pub code: String,
    /// Setup's extend code printed after the result code (`0x20017` in `0xC1900101 - 0x20017`),
    /// which names the phase and operation that failed.
    pub extended: Option<String>,
    /// Lines that carry the code (a line that repeats it counts once).
    pub count: usize,
    /// Components that logged it, in order of first appearance.
    pub components: Vec<String>,
    pub first: Source,
    pub last: Source,
}

/// The error chosen as the one to start from, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisiveError {
    pub code: Option<String>,
    pub extended: Option<String>,
    /// Date and time of the entry, as printed.
    pub time: Option<String>,
    pub level: String,
    pub component: String,
    pub message: String,
    pub basis: DecisiveBasis,
    /// Why this entry was chosen, in English, for the report.
    pub reason: String,
    pub source: Source,
}

/// Which step of the decisive-error search picked the entry, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DecisiveBasis {
    /// Setup printed its result with an extend code (`0xC1900101 - 0x20017`).
    ExtendedResult,
    /// The last error with a code before the first failure marker.
    BeforeFailureMarker,
    /// The failure marker itself (no coded error before it).
    FailureMarker,
    /// No failure marker: only the last error with a code that is not known noise. The log
    /// does not show that setup failed.
    LastError,
}

/// One collection run, from the collector's `manifest.json` (`cmgelog-manifest/1`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Collection {
    /// The manifest itself (line 1).
    pub source: Source,
    pub schema: String,
    pub tool_version: Option<String>,
    pub host: Option<String>,
    pub user: Option<String>,
    /// Run as root / administrator.
    pub elevated: Option<bool>,
    /// The run was stopped (deadline or Ctrl+C) before every item ran.
    pub interrupted: Option<bool>,
    pub deadline_s: Option<u64>,
    pub started: Option<String>,
    pub ended: Option<String>,
    /// The eight categories, in the manifest schema's order, each with its state.
    pub categories: Vec<CategoryState>,
}

/// Whether one category was chosen and collected.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryState {
    /// `group-policy`, `network`, `event-logs`, `software`, `processes`, `activation`,
    /// `upgrade` or `hardware`.
    pub id: String,
    /// Listed in the manifest's `categories`.
    pub chosen: bool,
    /// At least one of its items has status `ok` or `truncated`.
    pub collected: bool,
    /// Listed in the manifest's `not_applicable`: the collector has nothing for it on that OS
    /// (a Linux machine has no group policy), so it is not missing.
    pub not_applicable: bool,
    /// Why a chosen category was not collected: the `reason` of one of its items, else that
    /// item's status. `None` when collected or not chosen.
    pub reason: Option<String>,
    /// An item of the category that explains its state (the first failed one when the category
    /// was not collected), else the `categories` line of the manifest.
    pub source: Source,
}

impl CategoryState {
    /// Chosen but nothing stored, or not chosen at all; never when not applicable.
    pub fn is_missing(&self) -> bool {
        !self.not_applicable && (!self.chosen || !self.collected)
    }
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
    pub licensing_service: LicensingService,
    /// Signals that extractors saw directly (dmidecode's "System is a virtual machine" bit,
    /// systemd-detect-virt output). Signals derived from the fields above are added by
    /// `facts::virt`.
    pub vm_hints: Vec<VmSignal>,
    /// The container the collector ran in, as `systemd-detect-virt` names it (`docker`, `lxc`,
    /// `podman`, `wsl`, ...). Not a VM signal: a container runs on the host's hardware.
    pub container: Field,
    /// What the collector gathered and what it could not, one per manifest read (`facts::manifest`).
    pub collection: Vec<Collection>,
    /// Setup, servicing and Windows Update logs (`facts::upgrade`).
    pub upgrade: Vec<UpgradeLog>,
    /// The operating system the documents come from (`facts::platform`).
    pub platform: Platform,
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

    /// The NIC with this connection / interface name, created if needed (Linux sources name
    /// every interface; `ip -j addr` and `/sys/class/net` meet on it).
    pub fn nic_by_name(&mut self, name: &str) -> &mut Nic {
        if let Some(i) = self.nics.iter().position(|n| n.name.values().any(|o| o.value == name)) {
            return &mut self.nics[i];
        }
        self.nics.push(Nic::default());
        self.nics.last_mut().expect("just pushed")
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
