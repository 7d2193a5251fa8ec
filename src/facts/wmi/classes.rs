//! Applies one record of a known class to the machine (windows-facts.md §1.6.2, §1.6.3).
//!
//! Strings are pushed as printed, empty ones included (an empty serial is the fact that
//! matters most); identifiers (MAC, PnP id, bus) only when present. Booleans that a record
//! does not state are not guessed.

use super::{licensing, Ctx, Prop, Record};
use crate::bundle::WmiClass;
use crate::facts::model::{normalize_mac, Disk, Nic};
use crate::facts::{Field, Flag, Machine};

pub(super) fn apply(r: &Record, cx: &Ctx, m: &mut Machine) {
    let Some(class) = r.class else { return };
    match class {
        WmiClass::Bios => bios(r, cx, m),
        WmiClass::BaseBoard => baseboard(r, cx, m),
        WmiClass::ComputerSystem => computer_system(r, cx, m),
        WmiClass::ComputerSystemProduct => computer_system_product(r, cx, m),
        WmiClass::SystemEnclosure => enclosure(r, cx, m),
        WmiClass::DiskDrive => disk_drive(r, cx, m),
        WmiClass::PhysicalDisk => physical_disk(r, cx, m),
        WmiClass::PnpDeviceProperty => pnp_property(r, cx, m),
        WmiClass::NetworkAdapter => network_adapter(r, cx, m),
        WmiClass::NetAdapter => net_adapter(r, cx, m),
        WmiClass::NetworkAdapterConfiguration => adapter_configuration(r, cx, m),
        WmiClass::OperatingSystem => operating_system(r, cx, m),
        WmiClass::SoftwareLicensingProduct => licensing::product(r, cx, m),
        WmiClass::SoftwareLicensingService => licensing::service(r, cx, m),
    }
}

fn bios(r: &Record, cx: &Ctx, m: &mut Machine) {
    put(&mut m.system.serial, r.get("SerialNumber"), cx);
    put(&mut m.bios.vendor, r.get("Manufacturer"), cx);
    put(&mut m.bios.version, r.best_of(&["SMBIOSBIOSVersion", "Version"]), cx);
    put(&mut m.bios.release_date, r.get("ReleaseDate"), cx);
}

fn baseboard(r: &Record, cx: &Ctx, m: &mut Machine) {
    put(&mut m.baseboard.vendor, r.get("Manufacturer"), cx);
    put(&mut m.baseboard.product, r.get("Product"), cx);
    put(&mut m.baseboard.version, r.get("Version"), cx);
    put(&mut m.baseboard.serial, r.get("SerialNumber"), cx);
}

fn computer_system(r: &Record, cx: &Ctx, m: &mut Machine) {
    put(&mut m.system.vendor, r.get("Manufacturer"), cx);
    put(&mut m.system.model, r.get("Model"), cx);
    put(&mut m.system.family, r.get("SystemFamily"), cx);
    put(&mut m.system.sku, r.get("SystemSKUNumber"), cx);
    put_flag(&mut m.hypervisor_present, r.get("HypervisorPresent"), cx);
    put_id(&mut m.os.hostname, r.best_of(&["DNSHostName", "Name"]), cx);
}

fn computer_system_product(r: &Record, cx: &Ctx, m: &mut Machine) {
    put(&mut m.system.serial, r.get("IdentifyingNumber"), cx);
    put(&mut m.system.uuid, r.get("UUID"), cx);
    put(&mut m.system.vendor, r.get("Vendor"), cx);
    put(&mut m.system.model, r.get("Name"), cx);
    put(&mut m.system.version, r.get("Version"), cx);
}

fn enclosure(r: &Record, cx: &Ctx, m: &mut Machine) {
    put(&mut m.chassis.serial, r.get("SerialNumber"), cx);
    put(&mut m.chassis.vendor, r.get("Manufacturer"), cx);
    put(&mut m.chassis.kind, r.get("ChassisTypes"), cx);
}

fn disk_drive(r: &Record, cx: &Ctx, m: &mut Machine) {
    let index = r
        .text("Index")
        .and_then(|v| v.parse().ok())
        .or_else(|| r.text("DeviceID").and_then(physical_drive_number));
    let disk = disk_for(m, index, r.text("PNPDeviceID"));
    put(&mut disk.model, r.get("Model"), cx);
    put(&mut disk.serial, r.get("SerialNumber"), cx);
    put_id(&mut disk.bus, r.get("InterfaceType"), cx);
    put_id(&mut disk.media_type, r.get("MediaType"), cx);
    put_id(&mut disk.pnp_id, r.get("PNPDeviceID"), cx);
    if let Some((removable, p)) = drive_removable(r) {
        disk.removable.push(removable, cx.source(p.line));
    }
}

/// `\\.\PHYSICALDRIVE3` → 3.
fn physical_drive_number(device_id: &str) -> Option<u32> {
    let upper = device_id.to_ascii_uppercase();
    upper.rsplit_once("PHYSICALDRIVE")?.1.trim().parse().ok()
}

/// Win32_DiskDrive's own removability: MediaType, Capabilities 7 ("Supports Removable Media"),
/// a USB PnP id. `None` when the record holds none of them.
fn drive_removable(r: &Record) -> Option<(bool, &Prop)> {
    let present = |k: &str| r.get(k).filter(|p| !p.value.trim().is_empty());
    let media = present("MediaType");
    let caps = present("Capabilities");
    let pnp = present("PNPDeviceID");
    let removable_media = media.filter(|p| {
        let v = p.value.to_ascii_lowercase();
        v.contains("removable") || v.contains("external")
    });
    let removable_caps = caps.filter(|p| p.value.split(',').any(|c| c.trim() == "7"));
    let usb = pnp.filter(|p| is_usb_id(&p.value));
    match removable_media.or(removable_caps).or(usb) {
        Some(p) => Some((true, p)),
        None => media.or(caps).or(pnp).map(|p| (false, p)),
    }
}

/// STORAGE_BUS_TYPE names, by value (windows-facts.md §1.6.2).
#[rustfmt::skip]
const BUS_TYPES: [&str; 20] = [
    "Unknown", "SCSI", "ATAPI", "ATA", "IEEE 1394", "SSA", "Fibre Channel", "USB", "RAID", "iSCSI",
    "SAS", "SATA", "SD", "MMC", "Virtual", "File Backed Virtual", "Storage Spaces", "NVMe", "SCM", "UFS",
];

fn physical_disk(r: &Record, cx: &Ctx, m: &mut Machine) {
    let index = r
        .best_of(&["DeviceId", "Number"])
        .and_then(|p| p.value.trim().parse().ok());
    let disk = disk_for(m, index, None);
    put(&mut disk.model, r.best_of(&["FriendlyName", "Model"]), cx);
    put(&mut disk.serial, r.get("SerialNumber"), cx);
    if let Some(p) = r.get("BusType").filter(|p| !p.value.trim().is_empty()) {
        let bus = bus_type_name(p.value.trim());
        let removable = ["USB", "SD", "MMC"].iter().any(|b| b.eq_ignore_ascii_case(&bus));
        disk.bus.push(bus, cx.source(p.line));
        disk.removable.push(removable, cx.source(p.line));
    }
    if let Some((system, p)) = system_disk(r) {
        disk.system_disk.push(system, cx.source(p.line));
    }
}

/// `17` → `NVMe`; a name (from a formatted table) or an unknown number stays as printed.
fn bus_type_name(value: &str) -> String {
    value
        .parse::<usize>()
        .ok()
        .and_then(|n| BUS_TYPES.get(n))
        .map_or_else(|| value.to_string(), |s| s.to_string())
}

/// IsBoot or IsSystem: true if either says so, false if those present both say no.
fn system_disk(r: &Record) -> Option<(bool, &Prop)> {
    let said: Vec<(bool, &Prop)> = ["IsBoot", "IsSystem"]
        .iter()
        .filter_map(|k| r.get(k))
        .filter_map(|p| parse_bool(&p.value).map(|b| (b, p)))
        .collect();
    said.iter().find(|(b, _)| *b).or(said.first()).copied()
}

/// The disk a record describes: by index, else by PnP id, else a new one. A disk first seen
/// by its PnP id alone (a container property) takes the index when a record brings one.
fn disk_for<'m>(m: &'m mut Machine, index: Option<u32>, pnp: Option<&str>) -> &'m mut Disk {
    let by_pnp = |d: &Disk| pnp.is_some_and(|id| has_id(&d.pnp_id, id));
    let found = match index {
        Some(i) => m
            .disks
            .iter()
            .position(|d| d.index == Some(i))
            .or_else(|| m.disks.iter().position(|d| d.index.is_none() && by_pnp(d))),
        None => m.disks.iter().position(by_pnp),
    };
    match (found, index) {
        (Some(at), _) => {
            let disk = &mut m.disks[at];
            disk.index = disk.index.or(index);
            disk
        }
        (None, Some(i)) => m.disk_by_index(i),
        (None, None) => {
            m.disks.push(Disk::default());
            let last = m.disks.len() - 1;
            &mut m.disks[last]
        }
    }
}

/// DEVPKEY_Device_InLocalMachineContainer for a device already known by its PnP id. Disk-like
/// ids that match nothing yet become a disk; other ids (a NIC not seen elsewhere) are left.
fn pnp_property(r: &Record, cx: &Ctx, m: &mut Machine) {
    if !r.text("KeyName").is_some_and(is_container_key) {
        return;
    }
    let (Some(id_prop), Some(data)) = (r.get("InstanceId"), r.get("Data")) else {
        return;
    };
    let (id, Some(value)) = (id_prop.value.trim(), parse_bool(&data.value)) else {
        return;
    };
    if id.is_empty() {
        return;
    }
    let mut found = false;
    for disk in m.disks.iter_mut().filter(|d| has_id(&d.pnp_id, id)) {
        disk.in_local_container.push(value, cx.source(data.line));
        found = true;
    }
    for nic in m.nics.iter_mut().filter(|n| has_id(&n.pnp_id, id)) {
        nic.in_local_container.push(value, cx.source(data.line));
        found = true;
    }
    if found {
        return;
    }
    let upper = id.to_ascii_uppercase();
    // The collector's devprops item names the device class; Get-PnpDeviceProperty does not.
    let class = r.text("Class").map(str::to_ascii_lowercase);
    let disk_like = ["SCSI\\", "IDE\\", "USBSTOR\\", "NVME\\"]
        .iter()
        .any(|p| upper.starts_with(p));
    if class.as_deref() == Some("diskdrive") || (class.is_none() && disk_like) {
        let mut disk = Disk::default();
        disk.pnp_id.push(id, cx.source(id_prop.line));
        disk.in_local_container.push(value, cx.source(data.line));
        m.disks.push(disk);
    } else if class.as_deref() == Some("net") && ["PCI\\", "USB\\"].iter().any(|p| upper.starts_with(p)) {
        // A hardware adapter (not a WAN miniport or a software switch port); the adapter
        // classes read later find it by this PnP id (`nic_for`).
        let nic = m.nic_by_mac(None);
        nic.pnp_id.push(id, cx.source(id_prop.line));
        nic.in_local_container.push(value, cx.source(data.line));
    }
}

fn is_container_key(key: &str) -> bool {
    let key = key
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    key == "devpkey_device_inlocalmachinecontainer" || key == "{8c7ed206-3f8a-4827-b3ab-ae9e1faefc6c} 4"
}

fn network_adapter(r: &Record, cx: &Ctx, m: &mut Machine) {
    let mac = r.text("MACAddress").map(normalize_mac);
    let description = r.best_of(&["Name", "Description"]);
    let nic = nic_for(
        m,
        mac.as_deref(),
        r.text("PNPDeviceID"),
        description.map(|p| p.value.trim()),
    );
    put_id(&mut nic.name, r.get("NetConnectionID"), cx);
    put_id(&mut nic.description, description, cx);
    put_mac(nic, mac, r.get("MACAddress"), cx);
    put_id(&mut nic.pnp_id, r.get("PNPDeviceID"), cx);
    put_flag(&mut nic.physical, r.get("PhysicalAdapter"), cx);
    match r.get("NetEnabled").and_then(|p| parse_bool(&p.value).map(|b| (b, p))) {
        Some((enabled, p)) => nic.enabled.push(enabled, cx.source(p.line)),
        // Code 22 is "This device is disabled" (Device Manager).
        None => {
            if let Some(p) = r.get("ConfigManagerErrorCode").filter(|p| p.value.trim() == "22") {
                nic.enabled.push(false, cx.source(p.line));
            }
        }
    }
    put_usb(&mut nic.removable, r.get("PNPDeviceID"), cx);
}

fn net_adapter(r: &Record, cx: &Ctx, m: &mut Machine) {
    let mac = r.text("MacAddress").map(normalize_mac);
    let description = r.get("InterfaceDescription");
    let nic = nic_for(
        m,
        mac.as_deref(),
        r.text("PnPDeviceID"),
        description.map(|p| p.value.trim()),
    );
    put_id(&mut nic.name, r.get("Name"), cx);
    put_id(&mut nic.description, description, cx);
    put_mac(nic, mac, r.get("MacAddress"), cx);
    put_id(&mut nic.pnp_id, r.get("PnPDeviceID"), cx);
    if let Some((hardware, p)) = bool_prop(r, "HardwareInterface") {
        let virtual_ = bool_prop(r, "Virtual").is_some_and(|(v, _)| v);
        nic.physical.push(hardware && !virtual_, cx.source(p.line));
    }
    if let Some((enabled, p)) = net_adapter_enabled(r) {
        nic.enabled.push(enabled, cx.source(p.line));
    }
    // NotUserRemovable is false for most PCI NICs too, so only the bus tells.
    put_usb(&mut nic.removable, r.get("PnPDeviceID"), cx);
}

/// MSFT_NetAdapter: AdminStatus (1 up, 2 down), else State (1 present, 2 started, 3 disabled),
/// else Get-NetAdapter's Status text, else an operational status of Up. A disconnected cable is
/// still an enabled adapter.
fn net_adapter_enabled(r: &Record) -> Option<(bool, &Prop)> {
    let said = |key: &str, up: &[&str], down: &[&str]| {
        let p = r.get(key)?;
        let v = p.value.trim();
        let is = |set: &[&str]| set.iter().any(|s| s.eq_ignore_ascii_case(v));
        if is(up) {
            Some((true, p))
        } else if is(down) {
            Some((false, p))
        } else {
            None
        }
    };
    said("AdminStatus", &["1", "Up"], &["2", "Down"])
        .or_else(|| said("State", &["1", "2"], &["3"]))
        .or_else(|| said("Status", &["Up", "Disconnected"], &["Disabled", "Not Present"]))
        .or_else(|| said("InterfaceOperationalStatus", &["1", "Up"], &[]))
}

fn adapter_configuration(r: &Record, cx: &Ctx, m: &mut Machine) {
    // Most configurations (WAN miniports, tunnels) have no MAC and say nothing of a real NIC.
    let Some(mac) = r.text("MACAddress").map(normalize_mac) else {
        return;
    };
    let description = r.get("Description");
    let nic = nic_for(m, Some(&mac), None, description.map(|p| p.value.trim()));
    put_id(&mut nic.description, description, cx);
    put_mac(nic, Some(mac), r.get("MACAddress"), cx);
    if let Some((true, p)) = bool_prop(r, "IPEnabled") {
        nic.enabled.push(true, cx.source(p.line));
    }
}

/// The NIC a record describes: by PnP id, else by MAC (preferring the one with the same
/// description, and never one whose different PnP id says it is another adapter: a Hyper-V
/// vEthernet shares its MAC with the physical NIC), else a new one.
fn nic_for<'m>(m: &'m mut Machine, mac: Option<&str>, pnp: Option<&str>, description: Option<&str>) -> &'m mut Nic {
    let by_pnp = pnp.and_then(|id| m.nics.iter().position(|n| has_id(&n.pnp_id, id)));
    let by_mac = || {
        let mac = mac.filter(|x| !x.is_empty())?;
        let candidates: Vec<usize> = (0..m.nics.len())
            .filter(|&i| m.nics[i].mac.values().any(|o| o.value == mac))
            .filter(|&i| pnp.is_none() || !m.nics[i].pnp_id.is_known())
            .collect();
        let same_description =
            |i: &&usize| description.is_some_and(|d| m.nics[**i].description.values().any(|o| o.value.trim() == d));
        candidates.iter().find(same_description).or(candidates.first()).copied()
    };
    match by_pnp.or_else(by_mac) {
        Some(at) => &mut m.nics[at],
        None => m.nic_by_mac(None),
    }
}

fn operating_system(r: &Record, cx: &Ctx, m: &mut Machine) {
    put(&mut m.os.name, r.get("Caption"), cx);
    put(&mut m.os.version, r.get("Version"), cx);
    put(&mut m.os.build, r.get("BuildNumber"), cx);
    put_id(&mut m.os.locale, r.best_of(&["Locale", "OSLanguage"]), cx);
    put_id(&mut m.os.hostname, r.get("CSName"), cx);
}

/// Pushes a value as printed, empty included.
pub(super) fn put(field: &mut Field, prop: Option<&Prop>, cx: &Ctx) {
    if let Some(p) = prop {
        field.push(p.value.clone(), cx.source(p.line));
    }
}

/// Pushes an identifier-like value only when it is not blank.
pub(super) fn put_id(field: &mut Field, prop: Option<&Prop>, cx: &Ctx) {
    if let Some(p) = prop.filter(|p| !p.value.trim().is_empty()) {
        field.push(p.value.clone(), cx.source(p.line));
    }
}

fn put_flag(flag: &mut Flag, prop: Option<&Prop>, cx: &Ctx) {
    if let Some((value, p)) = prop.and_then(|p| parse_bool(&p.value).map(|b| (b, p))) {
        flag.push(value, cx.source(p.line));
    }
}

fn put_mac(nic: &mut Nic, mac: Option<String>, prop: Option<&Prop>, cx: &Ctx) {
    if let (Some(mac), Some(p)) = (mac, prop) {
        nic.mac.push(mac, cx.source(p.line));
    }
}

/// Removable when the PnP id is on the USB bus; not removable for any other bus.
fn put_usb(flag: &mut Flag, pnp: Option<&Prop>, cx: &Ctx) {
    if let Some(p) = pnp.filter(|p| !p.value.trim().is_empty()) {
        flag.push(is_usb_id(&p.value), cx.source(p.line));
    }
}

fn is_usb_id(id: &str) -> bool {
    let upper = id.trim().to_ascii_uppercase();
    upper.starts_with("USB\\") || upper.starts_with("USBSTOR\\")
}

fn bool_prop<'r>(r: &'r Record, key: &str) -> Option<(bool, &'r Prop)> {
    let p = r.get(key)?;
    Some((parse_bool(&p.value)?, p))
}

/// wmic prints `TRUE`/`FALSE`, JSON `true`/`false`, PowerShell tables `True`/`False`.
fn parse_bool(value: &str) -> Option<bool> {
    let v = value.trim();
    if v.eq_ignore_ascii_case("true") {
        Some(true)
    } else if v.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

fn has_id(field: &Field, id: &str) -> bool {
    field.values().any(|o| o.value.trim().eq_ignore_ascii_case(id.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::Document;

    fn run(path: &str, text: &str) -> Machine {
        let doc = Document::from_text("t", path, text);
        let mut m = Machine::default();
        crate::facts::extract_one(&doc, &mut m);
        m
    }

    #[test]
    fn bus_types_by_number() {
        assert_eq!(bus_type_name("7"), "USB");
        assert_eq!(bus_type_name("15"), "File Backed Virtual");
        assert_eq!(bus_type_name("17"), "NVMe");
        assert_eq!(bus_type_name("99"), "99");
        assert_eq!(bus_type_name("NVMe"), "NVMe");
    }

    #[test]
    fn usb_disk_is_removable() {
        let m = run(
            "Win32_DiskDrive.txt",
            "Index=2\nMediaType=Removable Media\nPNPDeviceID=USBSTOR\\DISK&amp;VEN_KINGSTON\\001A&amp;0\nSerialNumber=001A\n\n\
             DeviceID=\\\\.\\PHYSICALDRIVE3\nMediaType=Fixed hard disk media\nCapabilities={3,4,7}\n",
        );
        assert_eq!(m.disks.len(), 2);
        assert_eq!(m.disks[0].removable.any_true(), Some(true));
        assert_eq!(m.disks[1].index, Some(3));
        assert_eq!(m.disks[1].removable.any_true(), Some(true));
        assert_eq!(m.disks[1].removable.0[0].source.text, "Capabilities={3,4,7}");
    }

    #[test]
    fn msft_disk_usb_and_system_flags() {
        let m = run(
            "MSFT_Disk.txt",
            "Number=1\nFriendlyName=SanDisk Ultra\nBusType=7\nIsBoot=FALSE\nIsSystem=FALSE\nSerialNumber=4C53000\n\n\
             Number=0\nBusType=17\nIsBoot=TRUE\nIsSystem=TRUE\n",
        );
        assert_eq!(m.disks[0].index, Some(1));
        assert_eq!(m.disks[0].removable.any_true(), Some(true));
        assert_eq!(m.disks[0].system_disk.any_true(), Some(false));
        assert_eq!(m.disks[1].system_disk.any_true(), Some(true));
        assert_eq!(m.disks[1].bus.first().map(|o| o.value.as_str()), Some("NVMe"));
    }

    #[test]
    fn network_adapters_merge_by_mac_and_keep_vethernet_apart() {
        let m = run(
            "Win32_NetworkAdapter.txt",
            "MACAddress=00:E0:4C:68:01:02\nName=Realtek USB GbE Family Controller\nNetConnectionID=以太网 2\n\
             NetEnabled=TRUE\nPhysicalAdapter=TRUE\nPNPDeviceID=USB\\VID_0BDA&amp;PID_8153\\000001\n\n\
             MACAddress=8C:16:45:AA:BB:CC\nName=Intel(R) Ethernet Connection I219-V\nNetConnectionID=以太网\n\
             NetEnabled=\nConfigManagerErrorCode=22\nPhysicalAdapter=TRUE\nPNPDeviceID=PCI\\VEN_8086&amp;DEV_15BC\\3&amp;1\n\n\
             MACAddress=8C:16:45:AA:BB:CC\nName=Hyper-V Virtual Ethernet Adapter\nPhysicalAdapter=TRUE\n\
             PNPDeviceID=ROOT\\VMS_MP\\0000\n\n\
             MACAddress=\nName=WAN Miniport (IP)\nPhysicalAdapter=FALSE\nPNPDeviceID=SWD\\MSRRAS\\MS_NDISWANIP\n",
        );
        assert_eq!(m.nics.len(), 4);
        let usb = &m.nics[0];
        assert_eq!(usb.mac.first().map(|o| o.value.as_str()), Some("00-E0-4C-68-01-02"));
        assert_eq!(usb.removable.any_true(), Some(true));
        assert_eq!(usb.enabled.any_true(), Some(true));
        assert_eq!(m.nics[1].enabled.any_true(), Some(false));
        assert_eq!(m.nics[1].removable.any_true(), Some(false));
        assert_eq!(
            m.nics[2].description.first().map(|o| o.value.as_str()),
            Some("Hyper-V Virtual Ethernet Adapter")
        );
        assert!(!m.nics[3].mac.is_known());
    }

    #[test]
    fn nicconfig_and_netadapter_join_the_same_nic() {
        let mut m = run(
            "Win32_NetworkAdapterConfiguration.txt",
            "Description=Intel(R) Ethernet Connection I219-V\nIPEnabled=TRUE\nMACAddress=8C:16:45:AA:BB:CC\n\n\
             Description=WAN Miniport (IP)\nIPEnabled=FALSE\nMACAddress=\n",
        );
        let json = r#"{"Name": "以太网", "InterfaceDescription": "Intel(R) Ethernet Connection I219-V",
            "MacAddress": "8C-16-45-AA-BB-CC", "PnPDeviceID": "PCI\\VEN_8086&DEV_15BC\\3&1",
            "HardwareInterface": true, "Virtual": false, "AdminStatus": 1, "CreationClassName": "MSFT_NetAdapter"}"#;
        crate::facts::extract_one(&Document::from_text("t", "netadapter.json", json), &mut m);
        assert_eq!(m.nics.len(), 1);
        let nic = &m.nics[0];
        assert_eq!(nic.name.first().map(|o| o.value.as_str()), Some("以太网"));
        assert_eq!(nic.physical.any_true(), Some(true));
        assert_eq!(nic.enabled.0.len(), 2);
        assert_eq!(nic.removable.any_true(), Some(false));
    }

    #[test]
    fn bios_prefers_smbios_version_and_product_names_the_system() {
        let m = run(
            "x.txt",
            "C:\\>wmic bios get /format:list\nManufacturer=LENOVO\nReleaseDate=20230115000000.000000+000\n\
             SerialNumber=PF2ABCDE\nSMBIOSBIOSVersion=R1EET55W (1.55 )\nVersion=LENOVO - 1550\n\n\
             C:\\>wmic csproduct get /format:list\nIdentifyingNumber=PF2ABCDE\nName=20TBS57S00\n\
             UUID=1B2A3C4D-0000-0000-0000-000000000000\nVendor=LENOVO\nVersion=ThinkPad E14 Gen 2\n",
        );
        assert_eq!(
            m.bios.version.first().map(|o| o.value.as_str()),
            Some("R1EET55W (1.55 )")
        );
        assert_eq!(m.system.serial.0.len(), 2);
        assert_eq!(m.system.model.first().map(|o| o.value.as_str()), Some("20TBS57S00"));
        assert_eq!(
            m.system.version.first().map(|o| o.value.as_str()),
            Some("ThinkPad E14 Gen 2")
        );
    }
}
