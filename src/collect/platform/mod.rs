//! What the collector needs to know about the machine it runs on. The OS-specific parts are
//! small and live in `unix.rs` / `windows.rs`.

#[cfg(windows)]
pub mod kill_on_close;
#[cfg(unix)]
mod unix;
#[cfg(windows)]
mod windows;

#[cfg(unix)]
use unix as os;
#[cfg(windows)]
use windows as os;

use super::manifest::OsInfo;
use std::path::{Path, PathBuf};

/// The computer name, as the zip's name and the manifest show it.
pub fn host() -> String {
    gethostname::gethostname().to_string_lossy().trim().to_string()
}

pub fn user() -> String {
    ["USERNAME", "USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .or_else(os::user_name)
        .unwrap_or_default()
}

/// Whether a process with this PID runs.
#[cfg(windows)]
pub fn pid_alive(pid: u32) -> bool {
    os::pid_alive(pid)
}

/// Running as root / as an elevated administrator.
pub fn elevated() -> bool {
    os::elevated()
}

/// Where the zip goes by default: the desktop on Windows (where the old tool put it and where
/// users look), the current folder elsewhere.
pub fn default_out_dir() -> PathBuf {
    os::default_out_dir()
}

pub fn os_info() -> OsInfo {
    os::os_info()
}

/// Shows `path` selected in the file manager, so the user sees the zip to send (the wizard's
/// last step). Windows: an Explorer window (`explorer /select,`); the child is returned and
/// may simply be dropped. Elsewhere nothing is opened (`None`): the printed path is enough,
/// and no desktop helper such as `xdg-open` is assumed to exist.
pub fn reveal_in_file_manager(path: &Path) -> std::io::Result<Option<std::process::Child>> {
    os::reveal(path)
}

/// Starts this program again with an administrator's rights (Windows asks the user, UAC);
/// the caller then ends. Unsupported elsewhere: on Linux the user runs it with `sudo`.
pub fn restart_elevated() -> std::io::Result<()> {
    os::restart_elevated()
}
