//! `lsblk -J -b -o NAME,KNAME,PATH,TYPE,RM,HOTPLUG,TRAN,SUBSYSTEMS,MODEL,SERIAL,...` → disks
//! (windows-facts.md §5.3).
//!
//! Only whole disks (`"type": "disk"`) are read; partitions are their `children` and are
//! skipped with them. zram swap, loop and RAM disks also have type `disk` (zram0 on the CI
//! machine) but are no hardware.
//!
//! Removable is `RM || HOTPLUG || TRAN == usb`: a USB hard disk reports `RM` 0 (the medium is
//! not removable, the device is), older util-linux sets `HOTPLUG` only from the bus, and since
//! 2.39 from the device chain's `removable` attribute; `TRAN usb` holds on every version.
//!
//! `null` is not a value: lsblk reads `SERIAL` (and sometimes `MODEL`) from the udev database,
//! which a container or a minimal system may not have, so `null` means "not known", not "the
//! disk has no serial". An empty string is recorded as the empty value it is.

use super::formats::{Format, Recognise, Sample};
use super::json_lines::member_line;
use super::model::Disk;
use super::platform::Platform;
use super::{Machine, Source};
use crate::bundle::{Document, Kind, Reading};
use serde_json::Value;

/// Kernel block devices that have type `disk` but no hardware behind them.
const SOFTWARE_DISKS: &[&str] = &["zram", "loop", "ram"];

pub fn extract(doc: &Document, machine: &mut Machine) {
    let Some(devices) = parse(doc) else {
        return;
    };
    let mut from_line = 1;
    for dev in devices.iter().filter(|d| is_hardware_disk(d)) {
        let name = text(dev, "name").unwrap_or_default();
        let line = member_line(doc, "name", &name, from_line);
        // Devices are printed in order: the next one is looked for after this one.
        from_line = line.map_or(from_line, |l| l + 1);
        let source = Source {
            line,
            ..Source::at(doc, 0, &summary(dev, &name))
        };
        machine.disks.push(disk(dev, source));
    }
}

fn parse(doc: &Document) -> Option<Vec<Value>> {
    let text = doc.text.as_ref()?.text.trim_start_matches('\u{feff}');
    let value: Value = serde_json::from_str(text).ok()?;
    value.get("blockdevices")?.as_array().cloned()
}

fn is_hardware_disk(dev: &Value) -> bool {
    let name = text(dev, "name").unwrap_or_default();
    text(dev, "type").as_deref() == Some("disk") && !SOFTWARE_DISKS.iter().any(|p| name.starts_with(p))
}

fn disk(dev: &Value, source: Source) -> Disk {
    let mut d = Disk::default();
    if let Some(model) = text(dev, "model") {
        d.model.push(model, source.clone());
    }
    if let Some(serial) = text(dev, "serial") {
        d.serial.push(serial, source.clone());
    }
    if let Some(bus) = bus(dev) {
        d.bus.push(bus, source.clone());
    }
    let usb = text(dev, "tran").as_deref() == Some("usb");
    let rm = flag(dev, "rm");
    let hotplug = flag(dev, "hotplug");
    if rm.is_some() || hotplug.is_some() || usb {
        d.removable
            .push(rm == Some(true) || hotplug == Some(true) || usb, source.clone());
    }
    if let Some(system) = holds_root(dev) {
        d.system_disk.push(system, source);
    }
    d
}

/// Whether `/` is mounted from the disk or anything on it (a partition, an LVM volume or a
/// LUKS mapping below one), when lsblk printed the mount column (`MOUNTPOINT`, or
/// `MOUNTPOINTS` of util-linux 2.37+); unknown without it. The rules check only the system
/// disk when one is known, as on Windows.
fn holds_root(dev: &Value) -> Option<bool> {
    let own = match (dev.get("mountpoint"), dev.get("mountpoints")) {
        (None, None) => None,
        (one, many) => {
            let is_root = |v: &Value| v.as_str() == Some("/");
            Some(one.is_some_and(is_root) || many.and_then(Value::as_array).is_some_and(|a| a.iter().any(is_root)))
        }
    };
    let children = dev.get("children").and_then(Value::as_array);
    let below = children.map(|c| c.iter().filter_map(holds_root).collect::<Vec<_>>());
    match (own, below) {
        (Some(true), _) => Some(true),
        (_, Some(b)) if b.contains(&true) => Some(true),
        (Some(false), _) => Some(false),
        (None, Some(b)) if !b.is_empty() => Some(false),
        _ => None,
    }
}

/// `TRAN` (`sata`, `nvme`, `usb`, ...). lsblk knows no transport for virtio-blk and Xen disks
/// (`null` for vda on the CI machine), but their `SUBSYSTEMS` chain names the bus right after
/// `block`: `block:virtio:pci` → `virtio`.
fn bus(dev: &Value) -> Option<String> {
    text(dev, "tran").filter(|t| !t.is_empty()).or_else(|| {
        let subsystems = text(dev, "subsystems")?;
        let mut chain = subsystems.split(':');
        (chain.next() == Some("block"))
            .then(|| chain.next())
            .flatten()
            .map(str::to_string)
    })
}

/// A string member; numbers as printed; `null` and absent are `None`.
fn text(dev: &Value, key: &str) -> Option<String> {
    match dev.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `true`/`false` (util-linux 2.38), `"1"`/`"0"` (older lsblk, which printed every value as a string).
fn flag(dev: &Value, key: &str) -> Option<bool> {
    match dev.get(key)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s == "1" => Some(true),
        Value::String(s) if s == "0" => Some(false),
        Value::Number(n) => n.as_u64().map(|n| n != 0),
        _ => None,
    }
}

/// The evidence text: the device and the columns the facts come from, as lsblk names them
/// (one JSON line such as `"name": "sda",` would not say what was read).
fn summary(dev: &Value, name: &str) -> String {
    let show = |key: &str| match dev.get(key) {
        Some(Value::String(s)) => format!("\"{}\"", s.trim_end()),
        Some(Value::Null) | None => "null".to_string(),
        Some(v) => v.to_string(),
    };
    format!(
        "lsblk {name}: TRAN {}, RM {}, HOTPLUG {}, SUBSYSTEMS {}, MODEL {}, SERIAL {}",
        show("tran"),
        show("rm"),
        show("hotplug"),
        show("subsystems"),
        show("model"),
        show("serial")
    )
}

/// `lsblk -J` output: an object with a `blockdevices` array.
pub(crate) const FORMAT: Format = Format {
    kind: Kind::new("lsblk-json", Reading::Whole),
    recognise: Recognise::text(is_lsblk),
    extract,
    platform: Some(Platform::Linux),
    codes: false,
};

fn is_lsblk(s: &Sample) -> bool {
    s.json()
        .and_then(Value::as_object)
        .and_then(|o| o.get("blockdevices"))
        .is_some_and(Value::is_array)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(bytes: &[u8]) -> (Document, Machine) {
        let doc = Document::from_bytes("t", "hardware/lsblk.json", bytes);
        assert_eq!(doc.kind, crate::facts::formats::kind("lsblk-json"));
        let mut m = Machine::default();
        extract(&doc, &mut m);
        (doc, m)
    }

    fn value(f: &crate::facts::Field) -> Option<&str> {
        f.first().map(|o| o.value.as_str())
    }

    #[test]
    fn ci_machine_virtio_disk_without_model_or_serial() {
        let (doc, m) = run(fixture!("linux/ci-debian12/hardware/lsblk.json"));
        // zram0 is type "disk" too, and skipped.
        assert_eq!(m.disks.len(), 1, "{:?}", m.disks);
        let vda = &m.disks[0];
        assert!(!vda.model.is_known(), "null model is unknown, not empty");
        assert!(!vda.serial.is_known(), "null serial is unknown, not empty");
        assert_eq!(value(&vda.bus), Some("virtio"));
        assert_eq!(vda.removable.any_true(), Some(false));
        let src = &vda.bus.0[0].source;
        assert_eq!(src.line, Some(20));
        assert_eq!(doc.line(20).map(str::trim), Some("\"name\": \"vda\","));
        assert_eq!(
            src.text,
            "lsblk vda: TRAN null, RM false, HOTPLUG false, SUBSYSTEMS \"block:virtio:pci\", MODEL null, SERIAL null"
        );
    }

    #[test]
    fn sata_and_usb_disks_with_booleans() {
        let (doc, m) = run(fixture!("linux/constructed/lsblk-sata-usb.json"));
        // loop0 (type loop), sr0 (rom), zram0 and the partitions are not disks.
        let names: Vec<Option<&str>> = m.disks.iter().map(|d| value(&d.model)).collect();
        assert_eq!(names, [Some("Samsung SSD 860 EVO 500GB"), Some("Expansion HDD")]);
        let (sda, sdb) = (&m.disks[0], &m.disks[1]);
        assert_eq!(value(&sda.serial), Some("S3Z9NB0K812345A"));
        assert_eq!(value(&sda.bus), Some("sata"));
        assert_eq!(sda.removable.any_true(), Some(false));
        assert_eq!(value(&sdb.serial), Some("NAAB1234"));
        assert_eq!(value(&sdb.bus), Some("usb"));
        // RM is false for a USB hard disk; HOTPLUG and TRAN say it is removable.
        assert_eq!(sdb.removable.any_true(), Some(true));
        let line = sdb.serial.0[0].source.line.expect("line");
        assert_eq!(doc.line(line).map(str::trim), Some("\"name\": \"sdb\","));
    }

    #[test]
    fn old_lsblk_strings() {
        let (_, m) = run(fixture!("linux/constructed/lsblk-old-strings.json"));
        let got: Vec<(Option<&str>, Option<&str>, Option<bool>)> = m
            .disks
            .iter()
            .map(|d| (value(&d.serial), value(&d.bus), d.removable.any_true()))
            .collect();
        assert_eq!(
            got,
            [
                (Some("ZN1ABCDE"), Some("sata"), Some(false)),
                (Some("4C530001230101110532"), Some("usb"), Some(true)),
                (Some("Y9SS10ABCDEF"), Some("nvme"), Some(false)),
            ]
        );
        // One-line-per-device JSON: every device still has its own line.
        let lines: Vec<Option<usize>> = m.disks.iter().map(|d| d.serial.0[0].source.line).collect();
        assert_eq!(lines, [Some(3), Some(8), Some(13)]);
    }

    #[test]
    fn empty_serial_is_a_value_and_tran_usb_alone_is_removable() {
        let json = r#"{"blockdevices": [{"name": "sdc", "type": "disk", "tran": "usb", "model": "Flash Disk", "serial": ""}]}"#;
        let (_, m) = run(json.as_bytes());
        assert_eq!(value(&m.disks[0].serial), Some(""));
        assert_eq!(m.disks[0].removable.any_true(), Some(true));
    }

    #[test]
    fn the_disk_that_holds_root_is_the_system_disk() {
        // lsblk -J -o NAME,TYPE,MOUNTPOINT (util-linux 2.33, singular) and MOUNTPOINTS (2.38):
        // / on an LVM volume inside a partition of sda; sdb is data; sdc printed no mount column.
        let json = r#"{"blockdevices": [
  {"name": "sda", "type": "disk", "mountpoint": null, "children": [
    {"name": "sda1", "type": "part", "mountpoint": "/boot/efi"},
    {"name": "sda2", "type": "part", "mountpoint": null, "children": [
      {"name": "vg-root", "type": "lvm", "mountpoint": "/"}]}]},
  {"name": "sdb", "type": "disk", "mountpoints": [null], "children": [
    {"name": "sdb1", "type": "part", "mountpoints": ["/data", "/srv"]}]},
  {"name": "sdc", "type": "disk"}
]}"#;
        let doc = Document::from_text("t", "lsblk.json", json);
        let mut m = Machine::default();
        extract(&doc, &mut m);
        let system: Vec<Option<bool>> = m.disks.iter().map(|d| d.system_disk.any_true()).collect();
        assert_eq!(system, [Some(true), Some(false), None]);
    }
}
