//! Device properties of every present disk drive and network adapter through SetupAPI,
//! written as `Get-PnpDeviceProperty | ConvertTo-Json` writes them (`InstanceId`, `KeyName`,
//! `Type`, `Data`, one object per device and key), which `facts::wmi::json` already turns into
//! the container facts ("in the local machine container", 在根容器中) the hardware rules use.
//! A property the device (or Wine) does not have is left out, not invented.

use serde_json::{json, Value};
use windows_sys::core::GUID;
use windows_sys::Win32::Devices::DeviceAndDriverInstallation::{
    SetupDiDestroyDeviceInfoList, SetupDiEnumDeviceInfo, SetupDiGetClassDevsW, SetupDiGetDeviceInstanceIdW,
    SetupDiGetDevicePropertyW, DIGCF_PRESENT, GUID_DEVCLASS_DISKDRIVE, GUID_DEVCLASS_NET, HDEVINFO, SP_DEVINFO_DATA,
};
use windows_sys::Win32::Devices::Properties::{
    DEVPKEY_Device_BusTypeGuid, DEVPKEY_Device_ContainerId, DEVPKEY_Device_FriendlyName,
    DEVPKEY_Device_InLocalMachineContainer, DEVPKEY_Device_RemovalPolicy, DEVPROPTYPE, DEVPROP_TYPE_BOOLEAN,
    DEVPROP_TYPE_GUID, DEVPROP_TYPE_STRING, DEVPROP_TYPE_UINT32,
};
use windows_sys::Win32::Foundation::{DEVPROPKEY, INVALID_HANDLE_VALUE};

const CLASSES: [(GUID, &str); 2] = [(GUID_DEVCLASS_DISKDRIVE, "DiskDrive"), (GUID_DEVCLASS_NET, "Net")];

const KEYS: [(DEVPROPKEY, &str); 5] = [
    (DEVPKEY_Device_FriendlyName, "DEVPKEY_Device_FriendlyName"),
    (
        DEVPKEY_Device_InLocalMachineContainer,
        "DEVPKEY_Device_InLocalMachineContainer",
    ),
    (DEVPKEY_Device_RemovalPolicy, "DEVPKEY_Device_RemovalPolicy"),
    (DEVPKEY_Device_BusTypeGuid, "DEVPKEY_Device_BusTypeGuid"),
    (DEVPKEY_Device_ContainerId, "DEVPKEY_Device_ContainerId"),
];

pub fn read() -> Result<Value, String> {
    let mut out = Vec::new();
    for (class, class_name) in CLASSES {
        // SAFETY: a null enumerator and window are allowed; the set is destroyed below.
        let set: HDEVINFO =
            unsafe { SetupDiGetClassDevsW(&class, std::ptr::null(), std::ptr::null_mut(), DIGCF_PRESENT) };
        if set == INVALID_HANDLE_VALUE as HDEVINFO {
            return Err(format!(
                "SetupDiGetClassDevs({class_name}): {}",
                std::io::Error::last_os_error()
            ));
        }
        let mut index = 0;
        loop {
            let mut info = SP_DEVINFO_DATA {
                cbSize: std::mem::size_of::<SP_DEVINFO_DATA>() as u32,
                ..Default::default()
            };
            // SAFETY: `info` is initialised with its size as SetupAPI requires.
            if unsafe { SetupDiEnumDeviceInfo(set, index, &mut info) } == 0 {
                break;
            }
            index += 1;
            let Some(instance) = instance_id(set, &info) else {
                continue;
            };
            for (key, name) in KEYS {
                if let Some((kind, data)) = property(set, &info, &key) {
                    out.push(json!({
                        "InstanceId": instance,
                        "KeyName": name,
                        "Type": kind,
                        "Data": data,
                        "Class": class_name,
                    }));
                }
            }
        }
        // SAFETY: `set` came from SetupDiGetClassDevsW and is not used after this.
        unsafe { SetupDiDestroyDeviceInfoList(set) };
    }
    Ok(Value::Array(out))
}

fn instance_id(set: HDEVINFO, info: &SP_DEVINFO_DATA) -> Option<String> {
    let mut buf = [0u16; 512];
    let mut needed = 0u32;
    // SAFETY: the buffer and its length in characters match.
    let ok = unsafe { SetupDiGetDeviceInstanceIdW(set, info, buf.as_mut_ptr(), buf.len() as u32, &mut needed) };
    (ok != 0).then(|| utf16(&buf))
}

/// One property, decoded by its type; `None` when the device does not have it.
fn property(set: HDEVINFO, info: &SP_DEVINFO_DATA, key: &DEVPROPKEY) -> Option<(DEVPROPTYPE, Value)> {
    let mut kind: DEVPROPTYPE = 0;
    let mut buf = vec![0u8; 1024];
    let mut needed = 0u32;
    // SAFETY: the buffer and its size in bytes match; flags must be 0.
    let ok = unsafe {
        SetupDiGetDevicePropertyW(
            set,
            info,
            key,
            &mut kind,
            buf.as_mut_ptr(),
            buf.len() as u32,
            &mut needed,
            0,
        )
    };
    if ok == 0 {
        return None;
    }
    buf.truncate(needed as usize);
    let value = match kind {
        DEVPROP_TYPE_BOOLEAN => Value::Bool(buf.first().is_some_and(|&b| b != 0)),
        DEVPROP_TYPE_UINT32 if buf.len() >= 4 => Value::from(u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]])),
        DEVPROP_TYPE_STRING => {
            let units: Vec<u16> = buf.chunks_exact(2).map(|p| u16::from_le_bytes([p[0], p[1]])).collect();
            Value::String(utf16(&units))
        }
        DEVPROP_TYPE_GUID if buf.len() >= 16 => Value::String(guid(&buf)),
        _ => return None,
    };
    Some((kind, value))
}

fn utf16(units: &[u16]) -> String {
    let end = units.iter().position(|&u| u == 0).unwrap_or(units.len());
    String::from_utf16_lossy(&units[..end])
}

/// `{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}` from a GUID's 16 bytes (little-endian fields).
fn guid(b: &[u8]) -> String {
    format!(
        "{{{:08x}-{:04x}-{:04x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}}}",
        u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        u16::from_le_bytes([b[4], b[5]]),
        u16::from_le_bytes([b[6], b[7]]),
        b[8],
        b[9],
        b[10],
        b[11],
        b[12],
        b[13],
        b[14],
        b[15]
    )
}

/// These run under Wine (`scripts/test-windows.sh`) and on Windows: real SetupAPI calls.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_written_as_windows_writes_them() {
        // GUID_DEVCLASS_DISKDRIVE in memory order.
        let g = GUID_DEVCLASS_DISKDRIVE;
        let mut b = Vec::new();
        b.extend_from_slice(&g.data1.to_le_bytes());
        b.extend_from_slice(&g.data2.to_le_bytes());
        b.extend_from_slice(&g.data3.to_le_bytes());
        b.extend_from_slice(&g.data4);
        assert_eq!(guid(&b), "{4d36e967-e325-11ce-bfc1-08002be10318}");
        assert_eq!(utf16(&[0x78, 0x79, 0, 0x7a]), "xy");
    }

    #[test]
    fn the_device_list_is_read() {
        // Wine has no disk or network devices in SetupAPI: an empty list, not an error.
        let v = read().expect("SetupDiGetClassDevs works");
        for d in v.as_array().unwrap() {
            assert!(d["InstanceId"].as_str().is_some_and(|s| !s.is_empty()), "{d}");
            assert!(d["KeyName"].as_str().unwrap().starts_with("DEVPKEY_Device_"), "{d}");
        }
    }
}
