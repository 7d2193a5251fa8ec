//! Windows: token elevation, the desktop folder, the console code pages (which tell how the
//! console tools' output is encoded: 936 = GBK on zh-CN).

use crate::collect::manifest::OsInfo;
use std::path::PathBuf;
use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
use windows_sys::Win32::Globalization::GetOEMCP;
use windows_sys::Win32::Security::{GetTokenInformation, TokenElevation, TOKEN_ELEVATION, TOKEN_QUERY};
use windows_sys::Win32::System::Com::CoTaskMemFree;
use windows_sys::Win32::System::Console::GetConsoleOutputCP;
use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};
use windows_sys::Win32::UI::Shell::{FOLDERID_Desktop, SHGetKnownFolderPath};

pub fn elevated() -> bool {
    // SAFETY: the token handle is checked and closed; the buffer is a TOKEN_ELEVATION of the
    // size we pass.
    unsafe {
        let mut token: HANDLE = std::ptr::null_mut();
        if OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) == 0 {
            return false;
        }
        let mut elevation = TOKEN_ELEVATION { TokenIsElevated: 0 };
        let mut len = 0u32;
        let ok = GetTokenInformation(
            token,
            TokenElevation,
            (&mut elevation as *mut TOKEN_ELEVATION).cast(),
            std::mem::size_of::<TOKEN_ELEVATION>() as u32,
            &mut len,
        );
        CloseHandle(token);
        ok != 0 && elevation.TokenIsElevated != 0
    }
}

pub fn user_name() -> Option<String> {
    None
}

pub fn default_out_dir() -> PathBuf {
    desktop()
        .or_else(|| std::env::var_os("USERPROFILE").map(|p| PathBuf::from(p).join("Desktop")))
        .filter(|p| p.is_dir())
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The user's desktop as Explorer knows it (it may be redirected, e.g. to OneDrive).
fn desktop() -> Option<PathBuf> {
    // SAFETY: on success the shell allocates a NUL-terminated wide string that we copy and free.
    unsafe {
        let mut raw: *mut u16 = std::ptr::null_mut();
        if SHGetKnownFolderPath(&FOLDERID_Desktop, 0, std::ptr::null_mut(), &mut raw) != 0 || raw.is_null() {
            return None;
        }
        let len = (0..).take_while(|&i| *raw.add(i) != 0).count();
        let path = String::from_utf16_lossy(std::slice::from_raw_parts(raw, len));
        CoTaskMemFree(raw.cast());
        Some(PathBuf::from(path))
    }
}

pub fn os_info() -> OsInfo {
    // SAFETY: both calls only read process/system settings.
    let (console, oem) = unsafe { (GetConsoleOutputCP(), GetOEMCP()) };
    OsInfo {
        family: "windows",
        name: None,
        version: None,
        console_code_page: (console != 0).then_some(console),
        oem_code_page: Some(oem),
    }
}

/// `explorer /select,<path>`: Explorer's own way to open a folder with one file selected.
/// It returns at once (Explorer exits non-zero even on success), so its status is ignored.
pub fn show_in_folder(path: &std::path::Path) {
    use std::os::windows::process::CommandExt;
    // Quoted: desktop paths often hold spaces ("OneDrive - 单位\\Desktop").
    let mut arg = std::ffi::OsString::from("/select,\"");
    arg.push(path.as_os_str());
    arg.push("\"");
    let _ = std::process::Command::new("explorer.exe").raw_arg(arg).spawn();
}
