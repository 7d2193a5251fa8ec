#![no_main]
//! `wmic ... get /format:list` output: the first byte picks the WMI class the list is read as
//! (or none, as for a list whose class is unknown), the rest is the entry.

use cmgelog::bundle::WmiClass;
use cmgelog::facts::formats;
use libfuzzer_sys::fuzz_target;

mod extract;

const CLASSES: [Option<WmiClass>; 15] = [
    None,
    Some(WmiClass::Bios),
    Some(WmiClass::BaseBoard),
    Some(WmiClass::ComputerSystem),
    Some(WmiClass::ComputerSystemProduct),
    Some(WmiClass::SystemEnclosure),
    Some(WmiClass::DiskDrive),
    Some(WmiClass::PhysicalDisk),
    Some(WmiClass::NetworkAdapter),
    Some(WmiClass::NetworkAdapterConfiguration),
    Some(WmiClass::NetAdapter),
    Some(WmiClass::PnpDeviceProperty),
    Some(WmiClass::OperatingSystem),
    Some(WmiClass::SoftwareLicensingProduct),
    Some(WmiClass::SoftwareLicensingService),
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let class = CLASSES[pick as usize % CLASSES.len()];
    extract::run("wmic_list.txt", formats::kind("wmic-list").with_class(class), rest);
});
