//! A WMI query in-process: the `wmi` crate over COM, on the item's own thread. COM is
//! initialised here (multithreaded, default security): the crate does it itself only on
//! Windows 8 and later builds, and the Windows 7-compatible build the Wine tests use needs it.

use super::json::instance;
use crate::collect::spec::WmiQuery;
use serde_json::Value;
use std::collections::HashMap;
use wmi::{Variant, WMIConnection};

pub fn query(q: &WmiQuery) -> Result<Value, String> {
    init_com();
    let connection =
        WMIConnection::with_namespace_path(&q.namespace).map_err(|e| format!("WMI namespace {}: {e}", q.namespace))?;
    let wql = q.wql();
    let rows: Vec<HashMap<String, Variant>> = connection.raw_query(&wql).map_err(|e| format!("{wql}: {e}"))?;
    Ok(Value::Array(
        rows.into_iter()
            .map(|row| {
                // In the order the spec names them (a HashMap has none).
                let mut row = row;
                let props: Vec<(String, Value)> = q
                    .properties
                    .iter()
                    .filter_map(|p| row.remove(p).map(|v| (p.clone(), json(v))))
                    .collect();
                instance(&q.class, props)
            })
            .collect(),
    ))
}

/// Joins this thread to the multithreaded apartment and sets the process's default COM
/// security. "Already done" (S_FALSE, RPC_E_CHANGED_MODE, RPC_E_TOO_LATE) is fine: then the
/// settings in force are used.
fn init_com() {
    use windows_sys::Win32::System::Com::{
        CoInitializeEx, CoInitializeSecurity, COINIT_MULTITHREADED, EOAC_NONE, RPC_C_AUTHN_LEVEL_DEFAULT,
        RPC_C_IMP_LEVEL_IMPERSONATE,
    };
    // SAFETY: both take only null or constant arguments here; their results are advisory.
    unsafe {
        CoInitializeEx(std::ptr::null(), COINIT_MULTITHREADED as u32);
        CoInitializeSecurity(
            std::ptr::null_mut(),
            -1,
            std::ptr::null(),
            std::ptr::null(),
            RPC_C_AUTHN_LEVEL_DEFAULT,
            RPC_C_IMP_LEVEL_IMPERSONATE,
            std::ptr::null(),
            EOAC_NONE as u32,
            std::ptr::null(),
        );
    }
}

fn json(v: Variant) -> Value {
    match v {
        Variant::Empty | Variant::Null => Value::Null,
        Variant::String(s) => Value::String(s),
        Variant::I1(n) => n.into(),
        Variant::I2(n) => n.into(),
        Variant::I4(n) => n.into(),
        Variant::I8(n) => n.into(),
        Variant::UI1(n) => n.into(),
        Variant::UI2(n) => n.into(),
        Variant::UI4(n) => n.into(),
        Variant::UI8(n) => n.into(),
        Variant::R4(n) => serde_json::Number::from_f64(n.into()).map_or(Value::Null, Value::Number),
        Variant::R8(n) => serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number),
        Variant::Bool(b) => Value::Bool(b),
        Variant::Array(items) => Value::Array(items.into_iter().map(json).collect()),
        // Embedded objects and interfaces: not among the properties the specs name.
        Variant::Unknown(_) | Variant::Object(_) => Value::Null,
    }
}

/// These run under Wine (`scripts/test-windows.sh`) and on Windows: real WMI queries.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_gives_the_named_properties_of_each_instance() {
        let q = WmiQuery {
            namespace: r"root\cimv2".into(),
            class: "Win32_BIOS".into(),
            properties: vec!["Manufacturer".into(), "SerialNumber".into()],
            filter: None,
        };
        let v = query(&q).expect("Win32_BIOS");
        let first = &v.as_array().expect("an array")[0];
        assert_eq!(first["__CLASS"], "Win32_BIOS");
        assert!(first["Manufacturer"].is_string(), "{first}");
        assert!(first.get("SerialNumber").is_some(), "{first}");
    }

    #[test]
    fn a_missing_namespace_is_an_error_naming_it() {
        let q = WmiQuery {
            namespace: r"root\NoSuchNamespace".into(),
            class: "X".into(),
            properties: vec!["Y".into()],
            filter: None,
        };
        let e = query(&q).unwrap_err();
        assert!(e.contains(r"root\NoSuchNamespace"), "{e}");
    }
}
