//! The JSON the native items write: what `Get-CimInstance ... | ConvertTo-Json` gives (an array
//! of objects, property name → value), with the class named in `__CLASS` as
//! `Get-WmiObject` does, so `facts::wmi::json` reads both without knowing which wrote it.

use serde_json::{Map, Value};

/// One instance of `class` with its properties.
#[cfg_attr(not(windows), allow(dead_code))]
pub fn instance(class: &str, properties: impl IntoIterator<Item = (String, Value)>) -> Value {
    let mut object = Map::new();
    object.insert("__CLASS".into(), Value::String(class.to_string()));
    for (name, value) in properties {
        // WMI returns system properties (`__PATH`, ...) with some queries: not ours to keep.
        if !name.starts_with("__") {
            object.insert(name, value);
        }
    }
    Value::Object(object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::Document;
    use crate::facts::Machine;

    #[test]
    fn the_analyzer_reads_what_a_wmi_item_writes() {
        // The values Wine's WMI gives for Win32_BIOS and Win32_BaseBoard (seen under Wine 8).
        let bios = instance(
            "Win32_BIOS",
            [
                ("Manufacturer".to_string(), Value::from("The Wine Project")),
                ("SerialNumber".to_string(), Value::from("0")),
                ("SMBIOSBIOSVersion".to_string(), Value::from("Wine")),
                ("__PATH".to_string(), Value::from("\\\\VM\\root\\cimv2:Win32_BIOS")),
            ],
        );
        let board = instance(
            "Win32_BaseBoard",
            [
                ("Manufacturer".to_string(), Value::from("The Wine Project")),
                ("Product".to_string(), Value::from("Wine")),
                ("SerialNumber".to_string(), Value::from("")),
            ],
        );
        assert!(bios.get("__PATH").is_none());
        let mut m = Machine::default();
        for (name, v) in [
            ("hardware/wmi-Win32_BIOS.json", bios),
            ("hardware/wmi-Win32_BaseBoard.json", board),
        ] {
            let text = serde_json::to_string_pretty(&Value::Array(vec![v])).unwrap();
            let doc = Document::from_text("bundle.zip", name, &text);
            assert!(doc.kind.is_json(), "{name}: {:?}", doc.kind);
            crate::facts::extract_one(&doc, &mut m);
        }
        assert_eq!(m.bios.vendor.best(), Some("The Wine Project"));
        assert_eq!(m.system.serial.best(), Some("0"));
        assert_eq!(m.baseboard.product.best(), Some("Wine"));
        assert_eq!(m.baseboard.serial.first().map(|o| o.value.as_str()), Some(""));
    }
}
