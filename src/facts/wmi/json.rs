//! PowerShell `ConvertTo-Json` of CIM instances (`Get-CimInstance`, `Get-NetAdapter`,
//! `Get-PhysicalDisk`, `Get-PnpDeviceProperty | Select ...`): an object or an array of objects.
//!
//! serde_json gives the values but no positions, so a small scanner walks the text once to find
//! the line of every top-level key of every instance object; the two are matched in order.

use super::super::formats::{Format, Recognise};
use super::super::platform::Platform;
use super::{Prop, Record};
use crate::bundle::{Document, Kind, Reading, WmiClass};
use serde_json::{Map, Value};

pub(super) fn parse(doc: &Document, class: Option<WmiClass>) -> Vec<Record> {
    let Some(text) = doc.text.as_ref().map(|t| t.text.trim_start_matches('\u{feff}')) else {
        return Vec::new();
    };
    let positions = key_lines(text);
    // Several JSON documents one after the other (a loop that converts per item) are read too;
    // reading stops at the first syntax error.
    let objects = serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .map_while(Result::ok)
        .flat_map(|v| match v {
            Value::Object(o) => vec![o],
            Value::Array(items) => items
                .into_iter()
                .filter_map(|i| match i {
                    Value::Object(o) => Some(o),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        });
    objects
        .zip(positions.iter().map(Some).chain(std::iter::repeat(None)))
        .map(|(object, keys)| record(&object, keys.map(Vec::as_slice).unwrap_or_default(), class))
        .collect()
}

/// One instance object → a record. Nested objects are not properties, but some name the class.
fn record(object: &Map<String, Value>, keys: &[(String, usize)], class: Option<WmiClass>) -> Record {
    let first_line = keys.first().map_or(1, |(_, l)| *l);
    let line_of = |key: &str| keys.iter().find(|(k, _)| k == key).map_or(first_line, |(_, l)| *l);
    let mut props: Vec<Prop> = object
        .iter()
        .filter_map(|(key, value)| {
            Some(Prop {
                key: key.clone(),
                value: scalar(value)?,
                line: line_of(key),
            })
        })
        .collect();
    props.sort_by_key(|p| p.line);
    let named = class_name(object);
    Record::new(props, named.as_deref(), class)
}

/// A property value as text: strings as they are, numbers and booleans as JSON prints them,
/// `null` as empty, arrays joined with `,`. `None` for nested objects, except PowerShell 5.1's
/// DateTime-with-DisplayHint object, whose `DateTime` text is the value.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::Null => Some(String::new()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .filter(|i| !i.is_object() && !i.is_array())
                .filter_map(scalar)
                .collect();
            Some(parts.join(","))
        }
        Value::Object(o) => match o.get("DateTime") {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        },
    }
}

/// The class an instance names: `__CLASS` (Get-WmiObject), `CimSystemProperties.ClassName`,
/// `CimClass` (`"root/cimv2:Win32_BIOS"` when shallow, an object with `CimClassName` or
/// `CimSystemProperties.ClassName` when deep), then `CreationClassName`.
fn class_name(object: &Map<String, Value>) -> Option<String> {
    let text = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .map(str::to_string)
            .filter(|s| !s.trim().is_empty())
    };
    let system_class = |o: Option<&Value>| text(o.and_then(|s| s.get("ClassName")));
    let cim_class = object.get("CimClass");
    text(object.get("__CLASS"))
        .or_else(|| system_class(object.get("CimSystemProperties")))
        .or_else(|| text(cim_class))
        .or_else(|| text(cim_class.and_then(|c| c.get("CimClassName"))))
        .or_else(|| system_class(cim_class.and_then(|c| c.get("CimSystemProperties"))))
        .or_else(|| text(object.get("CreationClassName")))
}

/// For every instance object (the top-level object, or each object directly in a top-level
/// array), its own keys with their 1-based lines, in file order.
fn key_lines(text: &str) -> Vec<Vec<(String, usize)>> {
    let mut out: Vec<Vec<(String, usize)>> = Vec::new();
    let mut stack: Vec<char> = Vec::new();
    let mut record_depth = None;
    let mut expect_key = false;
    let mut line = 1;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            '{' => {
                stack.push('{');
                expect_key = true;
                if stack.len() == 1 || (stack.len() == 2 && stack.first() == Some(&'[')) {
                    out.push(Vec::new());
                    record_depth = Some(stack.len());
                }
            }
            '[' => {
                stack.push('[');
                expect_key = false;
            }
            '}' | ']' => {
                stack.pop();
                expect_key = false;
            }
            ',' => expect_key = stack.last() == Some(&'{'),
            '"' => {
                let (s, newlines) = read_string(&mut chars);
                if expect_key && record_depth == Some(stack.len()) {
                    if let Some(keys) = out.last_mut() {
                        keys.push((s, line));
                    }
                }
                line += newlines;
                expect_key = false;
            }
            _ => {}
        }
    }
    out
}

/// Reads a JSON string after its opening quote; returns its raw text (escapes kept) and how
/// many line breaks it spanned (none in valid JSON, but the scanner sees any text).
fn read_string(chars: &mut std::str::Chars) -> (String, usize) {
    let mut s = String::new();
    let mut newlines = 0;
    while let Some(c) = chars.next() {
        match c {
            '"' => break,
            '\\' => {
                if let Some(next) = chars.next() {
                    newlines += usize::from(next == '\n');
                    s.push('\\');
                    s.push(next);
                }
            }
            _ => {
                newlines += usize::from(c == '\n');
                s.push(c);
            }
        }
    }
    (s, newlines)
}

/// PowerShell `ConvertTo-Json` of CIM instances: any JSON no other format claimed. The class
/// comes from the file name when the keys don't say it.
pub(crate) const FORMAT: Format = Format {
    kind: Kind::new("ps-json", Reading::Whole),
    recognise: Recognise::Text {
        test: |s| s.json().is_some(),
        class: Some(|s| s.class_hint()),
    },
    extract: |doc, machine| super::apply_all(doc, parse(doc, doc.kind.class()), machine),
    platform: Some(Platform::Windows),
    codes: false,
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Machine;

    fn doc(path: &str, bytes: &[u8]) -> Document {
        Document::from_bytes("t", path, bytes)
    }

    fn run(d: &Document) -> Machine {
        let mut m = Machine::default();
        crate::facts::extract_one(d, &mut m);
        m
    }

    fn utf16le_bom(s: &str) -> Vec<u8> {
        let mut v = vec![0xff, 0xfe];
        v.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        v
    }

    const BASEBOARD: &[u8] = fixture!("wmi/ps_Win32_BaseBoard.json");

    #[test]
    fn get_ciminstance_baseboard() {
        let d = doc("hardware/baseboard.json", BASEBOARD);
        assert_eq!(
            d.kind,
            crate::facts::formats::kind("ps-json").with_class(Some(WmiClass::BaseBoard))
        );
        let m = run(&d);
        let serial = m.baseboard.serial.first().expect("serial");
        assert_eq!(serial.value, "");
        // The instance's own key, not the `"Name": "SerialNumber"` inside CimInstanceProperties.
        assert_eq!(serial.source.text.trim(), "\"SerialNumber\":  \"\",");
        assert_eq!(
            Some(serial.source.text.as_str()),
            d.line(serial.source.line.unwrap_or(0)).map(str::trim)
        );
        let vendor = m.baseboard.vendor.first().expect("vendor");
        assert_eq!(vendor.value, "LENOVO");
        assert_eq!(vendor.source.line, Some(9));
        assert_eq!(
            m.baseboard.product.first().map(|o| o.value.as_str()),
            Some("20TBS57S00")
        );
        assert_eq!(
            m.baseboard.version.first().map(|o| o.value.as_str()),
            Some("SDK0J40697 WIN")
        );
    }

    #[test]
    fn class_from_cim_system_properties_and_utf16() {
        // Same fixture, UTF-16LE with BOM (PowerShell 5.1 `>`), under a name that hints nothing.
        let text = String::from_utf8_lossy(BASEBOARD).into_owned();
        let d = doc("out.json", &utf16le_bom(text.trim_start_matches('\u{feff}')));
        assert_eq!(d.kind, crate::facts::formats::kind("ps-json").with_class(None));
        let records = parse(&d, None);
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].class, Some(WmiClass::BaseBoard));
        assert!(records[0].get("CimClass").is_none());
        assert_eq!(records[0].get("HostingBoard").map(|p| p.value.as_str()), Some("true"));
    }

    #[test]
    fn shallow_cimclass_string_arrays_and_nulls() {
        let text = r#"[
    {
        "Manufacturer":  "Dell Inc.",
        "SerialNumber":  null,
        "ChassisTypes":  [
                             9,
                             10
                         ],
        "CimClass":  "root/cimv2:Win32_SystemEnclosure"
    },
    {
        "__CLASS":  "Win32_BIOS",
        "SerialNumber":  "7XJ2NB3",
        "ReleaseDate":  "\/Date(1577836800000)\/"
    }
]"#;
        let d = Document::from_text("t", "x.json", text);
        let m = run(&d);
        assert_eq!(m.chassis.kind.first().map(|o| o.value.as_str()), Some("9,10"));
        assert_eq!(m.chassis.kind.first().and_then(|o| o.source.line), Some(5));
        assert_eq!(m.chassis.serial.first().map(|o| o.value.as_str()), Some(""));
        assert_eq!(m.system.serial.first().map(|o| o.value.as_str()), Some("7XJ2NB3"));
        assert_eq!(m.system.serial.first().and_then(|o| o.source.line), Some(13));
        assert_eq!(
            m.bios.release_date.first().map(|o| o.value.as_str()),
            Some("/Date(1577836800000)/")
        );
    }

    #[test]
    fn the_collectors_device_properties_name_their_class() {
        // The shape `collect::native::devprops` writes (with `Class`), other keys included.
        let text = r#"[
  {"InstanceId": "USBSTOR\\DISK&VEN_KINGSTON\\001A&0", "KeyName": "DEVPKEY_Device_FriendlyName", "Type": 18, "Data": "Kingston DataTraveler USB Device", "Class": "DiskDrive"},
  {"InstanceId": "USBSTOR\\DISK&VEN_KINGSTON\\001A&0", "KeyName": "DEVPKEY_Device_InLocalMachineContainer", "Type": 17, "Data": false, "Class": "DiskDrive"},
  {"InstanceId": "PCI\\VEN_8086&DEV_15BB\\3&11583659&0&FE", "KeyName": "DEVPKEY_Device_InLocalMachineContainer", "Type": 17, "Data": true, "Class": "Net"},
  {"InstanceId": "SWD\\MSRRAS\\MS_NDISWANIP", "KeyName": "DEVPKEY_Device_InLocalMachineContainer", "Type": 17, "Data": true, "Class": "Net"}
]"#;
        let d = Document::from_text("t", "hardware/devprops-PnpDeviceProperty.json", text);
        let mut m = Machine::default();
        crate::facts::extract_one(&d, &mut m);
        assert_eq!(m.disks.len(), 1);
        assert_eq!(m.disks[0].in_local_container.any_true(), Some(false));
        // The PCI adapter, not the WAN miniport.
        assert_eq!(m.nics.len(), 1);
        assert_eq!(m.nics[0].in_local_container.any_true(), Some(true));
        assert_eq!(m.nics[0].pnp_id.best(), Some("PCI\\VEN_8086&DEV_15BB\\3&11583659&0&FE"));
    }

    #[test]
    fn pnp_device_property_sets_container_flag() {
        let text = r#"[
    {
        "InstanceId":  "SCSI\\DISK\u0026VEN_NVME\u0026PROD_PC300\\5\u00266FF0B86\u00260\u0026000000",
        "KeyName":  "DEVPKEY_Device_InLocalMachineContainer",
        "Type":  17,
        "Data":  true
    },
    {
        "InstanceId":  "USBSTOR\\DISK\u0026VEN_KINGSTON\\001A\u00260",
        "KeyName":  "{8c7ed206-3f8a-4827-b3ab-ae9e1faefc6c} 4",
        "Type":  17,
        "Data":  false
    },
    {
        "InstanceId":  "PCI\\VEN_8086\u0026DEV_15BB\\3\u002611583659\u00260\u0026FE",
        "KeyName":  "DEVPKEY_Device_InLocalMachineContainer",
        "Type":  17,
        "Data":  true
    }
]"#;
        let d = Document::from_text("t", "pnp.json", text);
        let mut m = Machine::default();
        let disk = m.disk_by_index(0);
        disk.pnp_id.push(
            "scsi\\disk&ven_nvme&prod_pc300\\5&6ff0b86&0&000000",
            crate::facts::Source::at(&d, 1, ""),
        );
        crate::facts::extract_one(&d, &mut m);
        assert_eq!(m.disks.len(), 2);
        assert_eq!(m.disks[0].in_local_container.any_true(), Some(true));
        assert_eq!(m.disks[0].in_local_container.0[0].source.line, Some(6));
        assert_eq!(m.disks[1].index, None);
        assert_eq!(m.disks[1].in_local_container.any_true(), Some(false));
        assert_eq!(
            m.disks[1].pnp_id.first().map(|o| o.value.as_str()),
            Some("USBSTOR\\DISK&VEN_KINGSTON\\001A&0")
        );
        // No NIC with that id is known: nothing is created for it.
        assert!(m.nics.is_empty());
    }

    #[test]
    fn scanner_tolerates_broken_text() {
        assert!(key_lines("{\"a\": \"unterminated").len() == 1);
        assert!(key_lines("}}]]{").len() == 1);
        let d = Document::from_text("t", "x.json", "{\"SerialNumber\": \"1\", \"Product\": ");
        assert!(parse(&d, Some(WmiClass::BaseBoard)).is_empty());
    }
}
