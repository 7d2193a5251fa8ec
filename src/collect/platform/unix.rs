use crate::collect::manifest::OsInfo;
use std::path::{Path, PathBuf};
use std::process::Child;

pub fn elevated() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// The login name of the effective user, from the password database (services and `sudo`
/// may run without `USER` set).
pub fn user_name() -> Option<String> {
    // SAFETY: getpwuid returns a pointer into static storage or null; we copy the name at once.
    unsafe {
        let pw = libc::getpwuid(libc::geteuid());
        if pw.is_null() || (*pw).pw_name.is_null() {
            return None;
        }
        Some(std::ffi::CStr::from_ptr((*pw).pw_name).to_string_lossy().into_owned())
    }
}

pub fn default_out_dir() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}

pub fn os_info() -> OsInfo {
    let release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let value = |key: &str| {
        release.lines().find_map(|l| {
            l.strip_prefix(key)
                .and_then(|v| v.strip_prefix('='))
                .map(|v| v.trim_matches('"').to_string())
        })
    };
    OsInfo {
        family: std::env::consts::OS,
        name: value("PRETTY_NAME").or_else(|| value("NAME")),
        version: value("VERSION_ID"),
        console_code_page: None,
        oem_code_page: None,
    }
}

/// No file manager is opened on Unix (see `platform::reveal_in_file_manager`).
pub fn reveal(_path: &Path) -> std::io::Result<Option<Child>> {
    Ok(None)
}

/// There is no prompt for rights to show on a terminal: `sudo` is the user's to type.
pub fn restart_elevated() -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

#[cfg(test)]
mod tests {
    #[test]
    fn no_file_manager_is_opened() {
        let child = super::super::reveal_in_file_manager(std::path::Path::new("/tmp/x.zip")).unwrap();
        assert!(child.is_none());
    }
}
