//! What an entry is, decided by its content; the file name is only a hint (it names the WMI
//! class when the keys alone don't, and the sysfs attribute of a one-line file).

mod inventory_shape;
mod linux_shape;
mod log_shape;

mod slmgr_shape;

pub use linux_shape::net_link;

use super::decode::DecodedText;
use serde::Serialize;

/// The source formats the fact extractors and rules know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "class")]
pub enum Kind {
    /// `dmidecode` text output.
    Dmidecode,
    /// One `/sys/class/dmi/id/<attr>` file (attribute from the file name), or `grep . /sys/class/dmi/id/*`
    /// output (`/sys/class/dmi/id/<attr>:<value>` lines).
    SysfsDmi,
    /// `wmic ... get /format:list`: `Key=Value` lines, records separated by blank lines.
    WmicList(Option<WmiClass>),
    /// `wmic ... get` table output: a header of property names, fixed-width columns.
    WmicTable(Option<WmiClass>),
    /// PowerShell `ConvertTo-Json` of CIM instances.
    PsJson(Option<WmiClass>),
    /// `systeminfo` output (any UI language).
    Systeminfo,
    /// `ipconfig /all` output (any UI language).
    Ipconfig,
    /// A Windows event log file.
    Evtx,
    /// `cscript slmgr.vbs /dli`, `/dlv` or `/xpr` output (English or Chinese labels).
    Slmgr,
    /// Windows Setup (Panther) `setupact.log` / `setuperr.log`: `<date> <time>, <level>
    /// [<id>] <component> <message>` lines (`kind::log_shape`).
    SetupLog,
    /// `CBS.log` or `dism.log`: the same line shape, components `CBS`, `CSI`, `DISM`, `DPX`.
    CbsLog,
    /// The `WindowsUpdate.log` that `Get-WindowsUpdateLog` decodes: `<date> <time> <pid>
    /// <tid> <component> <message>`.
    WindowsUpdateLog,
    /// `lsblk -J` output (`{"blockdevices": [...]}`).
    LsblkJson,
    /// `ip -j addr` (or `ip -j link`) output: an array of interfaces.
    IpJson,
    /// `ls -l /sys/class/net/`: each interface and the device its link points to.
    SysClassNet,
    /// `systemd-detect-virt` output (one identifier; the file name must name the tool).
    DetectVirt,
    /// `/etc/os-release`.
    OsRelease,
    /// The output of `hostname`, in a file named `hostname` or `hostname.txt`.
    Hostname,
    /// The collector's `manifest.json` (`"schema": "cmgelog-manifest/1"`).
    Manifest,
    /// A list of running processes: `tasklist` (table, `/v`, `/fo csv`, any UI language),
    /// `ps aux` / `ps -ef`, Win32_Process (`wmic process`, PowerShell JSON), `Get-Process`
    /// (`kind::inventory_shape`). Holds no error codes.
    ProcessList,
    /// A list of installed software: `reg export` of the Uninstall keys, `wmic product`,
    /// PowerShell programs JSON or `Get-ItemProperty` lists (DisplayName), `dpkg -l`, `rpm -qa`.
    /// Holds no error codes.
    SoftwareList,
    /// Any other text (activation client logs, notes pasted by the user).
    Text,
    /// Bytes that are not text.
    Binary,
}

impl Kind {
    /// JSON documents, parsed whole by their extractor rather than read line by line.
    pub fn is_json(&self) -> bool {
        matches!(self, Kind::PsJson(_) | Kind::LsblkJson | Kind::IpJson | Kind::Manifest)
    }

    /// The short name used in rule files (`files = ["kind:text"]`) and reports.
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Dmidecode => "dmidecode",
            Kind::SysfsDmi => "sysfs-dmi",
            Kind::WmicList(_) => "wmic-list",
            Kind::WmicTable(_) => "wmic-table",
            Kind::PsJson(_) => "ps-json",
            Kind::Systeminfo => "systeminfo",
            Kind::Ipconfig => "ipconfig",
            Kind::Evtx => "evtx",
            Kind::Slmgr => "slmgr",
            Kind::SetupLog => "setup-log",
            Kind::CbsLog => "cbs-log",
            Kind::WindowsUpdateLog => "windows-update-log",
            Kind::LsblkJson => "lsblk-json",
            Kind::IpJson => "ip-json",
            Kind::SysClassNet => "sys-class-net",
            Kind::DetectVirt => "detect-virt",
            Kind::OsRelease => "os-release",
            Kind::Hostname => "hostname",
            Kind::Manifest => "manifest",
            Kind::ProcessList => "process-list",
            Kind::SoftwareList => "software-list",
            Kind::Text => "text",
            Kind::Binary => "binary",
        }
    }

    pub const NAMES: &'static [&'static str] = &[
        "dmidecode",
        "sysfs-dmi",
        "wmic-list",
        "wmic-table",
        "ps-json",
        "systeminfo",
        "ipconfig",
        "evtx",
        "slmgr",
        "setup-log",
        "cbs-log",
        "windows-update-log",
        "lsblk-json",
        "ip-json",
        "sys-class-net",
        "detect-virt",
        "os-release",
        "hostname",
        "manifest",
        "process-list",
        "software-list",
        "text",
        "binary",
    ];
}

/// The WMI/CIM classes whose output becomes facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum WmiClass {
    Bios,
    BaseBoard,
    ComputerSystem,
    ComputerSystemProduct,
    SystemEnclosure,
    DiskDrive,
    PhysicalDisk,
    NetworkAdapter,
    NetworkAdapterConfiguration,
    NetAdapter,
    PnpDeviceProperty,
    OperatingSystem,
    SoftwareLicensingProduct,
    SoftwareLicensingService,
}

impl WmiClass {
    /// From a class name as WMI spells it (`Win32_BIOS`, `MSFT_PhysicalDisk`, ...).
    pub fn from_class_name(name: &str) -> Option<WmiClass> {
        let n = name.trim().to_ascii_lowercase();
        let n = n.rsplit(['/', '\\', ':']).next().unwrap_or(&n);
        Some(match n {
            "win32_bios" => WmiClass::Bios,
            "win32_baseboard" => WmiClass::BaseBoard,
            "win32_computersystem" => WmiClass::ComputerSystem,
            "win32_computersystemproduct" => WmiClass::ComputerSystemProduct,
            "win32_systemenclosure" => WmiClass::SystemEnclosure,
            "win32_diskdrive" => WmiClass::DiskDrive,
            "msft_physicaldisk" | "msft_disk" => WmiClass::PhysicalDisk,
            "win32_networkadapter" => WmiClass::NetworkAdapter,
            "win32_networkadapterconfiguration" => WmiClass::NetworkAdapterConfiguration,
            "msft_netadapter" => WmiClass::NetAdapter,
            "win32_pnpdeviceproperty" | "pnpdeviceproperty" => WmiClass::PnpDeviceProperty,
            "win32_operatingsystem" => WmiClass::OperatingSystem,
            "softwarelicensingproduct" => WmiClass::SoftwareLicensingProduct,
            "softwarelicensingservice" => WmiClass::SoftwareLicensingService,
            _ => return None,
        })
    }

    /// From a `wmic` alias (`wmic baseboard get ...`) or `path <class>`.
    pub fn from_wmic_alias(alias: &str) -> Option<WmiClass> {
        Some(match alias.to_ascii_lowercase().as_str() {
            "bios" => WmiClass::Bios,
            "baseboard" => WmiClass::BaseBoard,
            "computersystem" => WmiClass::ComputerSystem,
            "csproduct" => WmiClass::ComputerSystemProduct,
            "systemenclosure" => WmiClass::SystemEnclosure,
            "diskdrive" => WmiClass::DiskDrive,
            "nic" => WmiClass::NetworkAdapter,
            "nicconfig" => WmiClass::NetworkAdapterConfiguration,
            "os" => WmiClass::OperatingSystem,
            other => return WmiClass::from_class_name(other),
        })
    }

    /// From a file name such as `Win32_BaseBoard.txt`, `glpi-agent_x-MSFT_PhysicalDisk.wmi`,
    /// `baseboard.txt` or `hardware/csproduct.json`.
    pub fn from_file_name(path: &str) -> Option<WmiClass> {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path).to_ascii_lowercase();
        // Most specific first: "computersystemproduct" contains "computersystem".
        const HINTS: &[(&str, WmiClass)] = &[
            ("computersystemproduct", WmiClass::ComputerSystemProduct),
            ("csproduct", WmiClass::ComputerSystemProduct),
            ("computersystem", WmiClass::ComputerSystem),
            ("baseboard", WmiClass::BaseBoard),
            ("systemenclosure", WmiClass::SystemEnclosure),
            ("bios", WmiClass::Bios),
            ("physicaldisk", WmiClass::PhysicalDisk),
            ("msft_disk", WmiClass::PhysicalDisk),
            ("diskdrive", WmiClass::DiskDrive),
            ("networkadapterconfiguration", WmiClass::NetworkAdapterConfiguration),
            ("nicconfig", WmiClass::NetworkAdapterConfiguration),
            ("netadapter", WmiClass::NetAdapter),
            ("networkadapter", WmiClass::NetworkAdapter),
            ("pnpdeviceproperty", WmiClass::PnpDeviceProperty),
            ("operatingsystem", WmiClass::OperatingSystem),
            ("softwarelicensingproduct", WmiClass::SoftwareLicensingProduct),
            ("softwarelicensingservice", WmiClass::SoftwareLicensingService),
        ];
        HINTS.iter().find(|(h, _)| name.contains(h)).map(|&(_, c)| c)
    }

    /// From the property names of one record, when they are distinctive enough. (When a
    /// record has `CreationClassName` or `__CLASS`, its value settles it: `from_class_name`.)
    pub fn from_keys<'a>(keys: impl IntoIterator<Item = &'a str> + Clone) -> Option<WmiClass> {
        let has = |k: &str| keys.clone().into_iter().any(|x| x.eq_ignore_ascii_case(k));
        if has("SMBIOSBIOSVersion") || has("BIOSVersion") {
            Some(WmiClass::Bios)
        } else if has("HostingBoard") || (has("Product") && has("SerialNumber") && !has("Model")) {
            Some(WmiClass::BaseBoard)
        } else if has("IdentifyingNumber") {
            Some(WmiClass::ComputerSystemProduct)
        } else if has("ChassisTypes") {
            Some(WmiClass::SystemEnclosure)
        } else if has("HypervisorPresent") || has("PCSystemType") || (has("Model") && has("Domain")) {
            Some(WmiClass::ComputerSystem)
        } else if has("BusType") && has("FriendlyName") {
            Some(WmiClass::PhysicalDisk)
        } else if has("InterfaceType") && has("MediaType") {
            Some(WmiClass::DiskDrive)
        } else if has("KeyName") && has("InstanceId") && has("Data") {
            Some(WmiClass::PnpDeviceProperty)
        } else if has("NdisPhysicalMedium") || has("HardwareInterface") {
            Some(WmiClass::NetAdapter)
        } else if has("PhysicalAdapter") || has("NetConnectionID") {
            Some(WmiClass::NetworkAdapter)
        } else if has("IPEnabled") || has("DefaultIPGateway") {
            Some(WmiClass::NetworkAdapterConfiguration)
        } else if has("PartialProductKey") || has("LicenseStatus") {
            Some(WmiClass::SoftwareLicensingProduct)
        } else if has("ClientMachineID") || has("OA3xOriginalProductKey") {
            Some(WmiClass::SoftwareLicensingService)
        } else if has("BuildNumber") && (has("Caption") || has("Version")) {
            Some(WmiClass::OperatingSystem)
        } else {
            None
        }
    }
}

/// Decides the kind of an entry from its bytes, its decoded text (if textual) and its path.
pub fn detect(path: &str, bytes: &[u8], text: Option<&DecodedText>) -> Kind {
    if bytes.starts_with(b"ElfFile\0") {
        return Kind::Evtx;
    }
    let Some(text) = text else {
        return Kind::Binary;
    };
    let head: Vec<&str> = text
        .numbered_lines()
        .map(|(_, l)| l.trim())
        .filter(|l| !l.is_empty())
        .take(200)
        .collect();
    let class_hint = WmiClass::from_file_name(path);
    if head
        .iter()
        .any(|l| is_dmidecode_banner(l) || (l.starts_with("Handle 0x") && l.contains("DMI type")))
        || is_quiet_dmidecode(&head)
    {
        return Kind::Dmidecode;
    }
    if head
        .iter()
        .any(|l| (l.starts_with("/sys/class/dmi/id/") && l.contains(':')) || l.starts_with("==> /sys/class/dmi/id/"))
        || is_sysfs_attr_file(path, &head)
    {
        return Kind::SysfsDmi;
    }
    if linux_shape::is_detect_virt(path, &head) {
        return Kind::DetectVirt;
    }
    if linux_shape::is_hostname(path, &head) {
        return Kind::Hostname;
    }
    if linux_shape::is_sys_class_net(&head) {
        return Kind::SysClassNet;
    }
    if linux_shape::is_os_release(&head) {
        return Kind::OsRelease;
    }
    if head.iter().take(5).any(|l| is_ipconfig_title(l)) {
        return Kind::Ipconfig;
    }
    if head.iter().filter(|l| is_systeminfo_label(l)).count() >= 3 {
        return Kind::Systeminfo;
    }
    if slmgr_shape::is_slmgr(&head) {
        return Kind::Slmgr;
    }
    if let Some(first) = head.first() {
        if first.starts_with('{') || first.starts_with('[') {
            if let Ok(value) = serde_json::from_str::<serde_json::Value>(&text.text) {
                return linux_shape::json_kind(&value)
                    .or_else(|| inventory_shape::json_kind(&value))
                    .unwrap_or(Kind::PsJson(class_hint));
            }
        }
    }
    if let Some(kind) = log_shape::detect(path, &head) {
        return kind;
    }
    if let Some(kind) = inventory_shape::detect(&head) {
        return kind;
    }
    let kv = head.iter().filter(|l| is_key_value(l)).count();
    if kv >= 1 && kv * 2 >= head.len() {
        return Kind::WmicList(class_hint);
    }
    if let Some(class) = wmic_table_class(&head, class_hint) {
        return Kind::WmicTable(class);
    }
    Kind::Text
}

/// A date at the start of a line (after an optional `[`), as logs write it: `2024-05-14`,
/// `2024/05/14`, `2024.5.14`, `14.05.2024`, `05/14/2024`.
static LOG_DATE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"(?m)^\[?(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})[ T,\]]")
        .expect("literal regex")
});

/// Whether a text is a log: at least three of its first 100 lines start with a date.
pub fn looks_like_log(text: &str) -> bool {
    let head_end = text.match_indices('\n').nth(99).map_or(text.len(), |(i, _)| i);
    LOG_DATE.find_iter(&text[..head_end]).nth(2).is_some()
}

/// `dmidecode -q`: no banner, no handle lines, the record names alone as headings. Two
/// distinct record names, each followed by an attribute (`Vendor: …`), make a dump.
fn is_quiet_dmidecode(head: &[&str]) -> bool {
    const RECORDS: &[&str] = &[
        "BIOS Information",
        "System Information",
        "Base Board Information",
        "Chassis Information",
        "Processor Information",
        "Memory Device",
    ];
    let mut seen: Vec<&str> = Vec::new();
    for pair in head.windows(2) {
        if RECORDS.contains(&pair[0]) && pair[1].contains(": ") && !seen.contains(&pair[0]) {
            seen.push(pair[0]);
        }
    }
    seen.len() >= 2
}

/// `# dmidecode 3.3`: the banner dmidecode prints, with its version (a README that merely
/// mentions dmidecode is not a dump).
pub(super) fn is_dmidecode_banner(line: &str) -> bool {
    line.strip_prefix("# dmidecode ")
        .is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()))
}

const SYSFS_ATTRS: &[&str] = &[
    "bios_vendor",
    "bios_version",
    "bios_date",
    "bios_release",
    "sys_vendor",
    "product_name",
    "product_version",
    "product_serial",
    "product_uuid",
    "product_sku",
    "product_family",
    "board_vendor",
    "board_name",
    "board_version",
    "board_serial",
    "board_asset_tag",
    "chassis_vendor",
    "chassis_type",
    "chassis_version",
    "chassis_serial",
    "chassis_asset_tag",
];

/// The sysfs attribute a path names, if any (`.../dmi/id/board_serial`, `board_serial.txt`).
pub fn sysfs_attr(path: &str) -> Option<&'static str> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let stem = name.strip_suffix(".txt").unwrap_or(name);
    SYSFS_ATTRS.iter().copied().find(|a| *a == stem)
}

fn is_sysfs_attr_file(path: &str, head: &[&str]) -> bool {
    sysfs_attr(path).is_some() && head.len() <= 1
}

pub(super) fn is_ipconfig_title(line: &str) -> bool {
    matches!(
        line,
        "Windows IP Configuration" | "Windows IP 配置" | "Configuración IP de Windows"
    ) || line.starts_with("Windows-IP-Konfiguration")
        || line.starts_with("Configuration IP de Windows")
}

/// Labels that `systeminfo` prints in English, Chinese and Spanish (the Spanish sample has
/// CP850 mojibake, so only the unaccented prefix is matched).
fn is_systeminfo_label(line: &str) -> bool {
    const LABELS: &[&str] = &[
        "Host Name:",
        "OS Name:",
        "OS Version:",
        "System Manufacturer:",
        "System Model:",
        "BIOS Version:",
        "主机名:",
        "OS 名称:",
        "OS 版本:",
        "系统制造商:",
        "系统型号:",
        "BIOS 版本:",
        "Nombre de host:",
        "Nombre del sistema operativo:",
        "Fabricante del sistema:",
        "Modelo el sistema:",
        "Modelo del sistema:",
    ];
    LABELS.iter().any(|l| line.starts_with(l))
}

fn is_key_value(line: &str) -> bool {
    match line.split_once('=') {
        Some((k, _)) => {
            !k.is_empty()
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && k.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        }
        None => false,
    }
}

/// A `wmic ... get` table: a `wmic <alias> get` command line (pasted by the user) before the
/// header, or a header of WMI property names.
fn wmic_table_class(head: &[&str], hint: Option<WmiClass>) -> Option<Option<WmiClass>> {
    for l in head.iter().take(20) {
        if let Some(alias) = wmic_command_alias(l) {
            return Some(WmiClass::from_wmic_alias(alias).or(hint));
        }
    }
    let header = head.first()?;
    let words: Vec<&str> = header.split_whitespace().collect();
    let props = words.iter().all(|w| {
        w.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && w.chars().all(|c| c.is_ascii_alphanumeric())
    });
    let known = words.iter().any(|w| {
        [
            "SerialNumber",
            "Manufacturer",
            "Product",
            "Model",
            "MACAddress",
            "IdentifyingNumber",
            "UUID",
            "Vendor",
        ]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(w))
    });
    (props && known).then_some(hint)
}

/// `C:\>wmic baseboard get serialnumber` → `baseboard`; `wmic path Win32_BIOS get ...` → `Win32_BIOS`.
pub fn wmic_command_alias(line: &str) -> Option<&str> {
    let lower = line.to_ascii_lowercase();
    let at = lower.find("wmic ")?;
    let rest = &line[at + 5..];
    let mut words = rest.split_whitespace().filter(|w| !w.starts_with('/'));
    let first = words.next()?;
    let alias = if first.eq_ignore_ascii_case("path") {
        words.next()?
    } else {
        first
    };
    rest.to_ascii_lowercase().contains(" get").then_some(alias)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::decode::decode;

    fn kind_of(path: &str, s: &str) -> Kind {
        let d = decode(s.as_bytes());
        detect(path, s.as_bytes(), Some(&d))
    }

    #[test]
    fn pasted_wmic_command_names_the_class() {
        let k = kind_of(
            "note.txt",
            "C:\\Users\\a>wmic baseboard get serialnumber\nSerialNumber\n            \n",
        );
        assert_eq!(k, Kind::WmicTable(Some(WmiClass::BaseBoard)));
    }

    #[test]
    fn file_name_is_only_a_hint() {
        assert_eq!(kind_of("bios.txt", "just a note\n"), Kind::Text);
        assert_eq!(
            kind_of("x.log", "Manufacturer=LENOVO\nModel=20TB\n"),
            Kind::WmicList(None)
        );
        assert_eq!(
            kind_of("Win32_BIOS.wmi", "SerialNumber=1\n"),
            Kind::WmicList(Some(WmiClass::Bios))
        );
    }

    #[test]
    fn a_readme_about_dmidecode_is_text() {
        assert_eq!(
            kind_of("README.md", "# dmidecode fixtures\n\nSeven dumps.\n"),
            Kind::Text
        );
        assert_eq!(
            kind_of("x", "# dmidecode 3.3\nGetting SMBIOS data from sysfs.\n"),
            Kind::Dmidecode
        );
    }

    macro_rules! linux {
        ($p:literal) => {
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/linux/", $p))
        };
    }

    fn kind_of_bytes(path: &str, bytes: &[u8]) -> Kind {
        let d = decode(bytes);
        detect(path, bytes, Some(&d))
    }

    #[test]
    fn linux_collector_outputs_by_content() {
        let cases: [(&[u8], Kind); 9] = [
            (linux!("ci-debian12/hardware/lsblk.json"), Kind::LsblkJson),
            (linux!("constructed/lsblk-old-strings.json"), Kind::LsblkJson),
            (linux!("ci-debian12/network/ip-addr.json"), Kind::IpJson),
            (linux!("constructed/ip-addr-usb-nic.json"), Kind::IpJson),
            (linux!("ci-debian12/hardware/sys-class-net.txt"), Kind::SysClassNet),
            (linux!("constructed/sys-class-net-usb.txt"), Kind::SysClassNet),
            (linux!("ci-debian12/system/os-release"), Kind::OsRelease),
            (linux!("constructed/manifest-complete.json"), Kind::Manifest),
            (linux!("constructed/manifest-ci-partial.json"), Kind::Manifest),
        ];
        // A neutral file name: the content alone decides.
        for (bytes, want) in cases {
            assert_eq!(kind_of_bytes("upload/file-1", bytes), want);
        }
    }

    #[test]
    fn one_word_outputs_need_their_file_name() {
        let virt = linux!("ci-debian12/hardware/systemd-detect-virt.txt");
        assert_eq!(
            kind_of_bytes("hardware/systemd-detect-virt.txt", virt),
            Kind::DetectVirt
        );
        assert_eq!(kind_of_bytes("systemd-detect-virt", b"none\n"), Kind::DetectVirt);
        assert_eq!(kind_of_bytes("notes.txt", virt), Kind::Text);
        let host = linux!("ci-debian12/system/hostname.txt");
        assert_eq!(kind_of_bytes("system/hostname.txt", host), Kind::Hostname);
        assert_eq!(kind_of_bytes("hostname", b"uos-pc.example.local\n"), Kind::Hostname);
        assert_eq!(kind_of_bytes("notes.txt", host), Kind::Text);
        // A sentence in a file named hostname.txt is not a host name.
        assert_eq!(kind_of_bytes("hostname.txt", b"see the ticket\n"), Kind::Text);
    }

    #[test]
    fn lookalikes_keep_their_old_kinds() {
        // WMI lists use CamelCase keys; os-release keys are upper case.
        assert_eq!(
            kind_of(
                "os.txt",
                "Name=Microsoft Windows 10\nVersion=10.0.19045\nBuildNumber=19045\n"
            ),
            Kind::WmicList(None)
        );
        assert_eq!(kind_of("x.json", "{\"schema\": \"other/1\"}"), Kind::PsJson(None));
        assert_eq!(kind_of("x.json", "[{\"Name\": \"Ethernet\"}]"), Kind::PsJson(None));
        // A symlink listing of another folder is no /sys/class/net listing.
        assert_eq!(
            kind_of("ls.txt", "lrwxrwxrwx 1 root root 7 May 14 09:30 bin -> usr/bin\n"),
            Kind::Text
        );
    }

    #[test]
    fn classes_from_keys() {
        assert_eq!(
            WmiClass::from_keys(["Manufacturer", "Product", "SerialNumber"]),
            Some(WmiClass::BaseBoard)
        );
        assert_eq!(
            WmiClass::from_keys(["Manufacturer", "Model", "HypervisorPresent"]),
            Some(WmiClass::ComputerSystem)
        );
        assert_eq!(WmiClass::from_keys(["Foo"]), None);
    }
}
