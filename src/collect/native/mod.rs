//! Windows inventory read in-process, without wmic or PowerShell: WMI over COM (`wmi` items)
//! and device properties through SetupAPI (`devprops` items). wmic is no longer installed on
//! current Windows and PowerShell is often restricted on government machines; when both fail
//! the one fact that explains a case (a serial, "in the local machine container") would be
//! missing. Each writes one JSON document in the shape the analyzer already reads from
//! `Get-CimInstance | ConvertTo-Json` and `Get-PnpDeviceProperty | ConvertTo-Json`.
//!
//! Both run on a thread of their own (`collect::bounded`): a hung WMI provider is abandoned at
//! the item's timeout like a hung command.

#[cfg(windows)]
mod devprops;
mod json;
#[cfg(windows)]
mod wmi;

use super::capture::TailCapture;
use super::command::Produced;
use super::files::produced;
use super::manifest::Status;
use super::spec::WmiQuery;
use std::io::Write;
use std::path::Path;

/// Runs a WMI query and writes its instances as JSON to `staged`.
pub fn wmi_query(query: &WmiQuery, staged: &Path, cap: u64) -> Produced {
    #[cfg(windows)]
    let result = wmi::query(query);
    #[cfg(not(windows))]
    let result: Result<serde_json::Value, String> = {
        let _ = query;
        Err(NOT_WINDOWS.to_string())
    };
    write(result, staged, cap)
}

/// Reads the device properties of disks and network adapters and writes them as JSON.
pub fn device_properties(staged: &Path, cap: u64) -> Produced {
    #[cfg(windows)]
    let result = devprops::read();
    #[cfg(not(windows))]
    let result: Result<serde_json::Value, String> = Err(NOT_WINDOWS.to_string());
    write(result, staged, cap)
}

#[cfg(not(windows))]
const NOT_WINDOWS: &str = "WMI and the configuration manager exist only on Windows";

fn write(result: Result<serde_json::Value, String>, staged: &Path, cap: u64) -> Produced {
    let value = match result {
        Ok(v) => v,
        Err(reason) if cfg!(windows) => return Produced::failed(Status::Failed, reason),
        Err(reason) => return Produced::failed(Status::NotFound, reason),
    };
    let text = serde_json::to_string_pretty(&value).expect("JSON values serialise");
    let written = TailCapture::create(staged, cap).and_then(|mut c| {
        c.write_all(text.as_bytes())?;
        c.finish()
    });
    match written {
        Ok(c) if value.as_array().is_some_and(Vec::is_empty) => {
            let mut p = produced(c);
            p.reason = Some("no instance".into());
            p
        }
        Ok(c) => produced(c),
        Err(e) => Produced::failed(Status::Failed, format!("writing the output: {e}")),
    }
}
