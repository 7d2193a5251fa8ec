//! The WMI/CIM classes whose output becomes facts: a WMI document's [`super::Kind`] names one
//! when the keys or the file name tell it.

use serde::Serialize;

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
