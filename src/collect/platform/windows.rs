//! Windows: token elevation, the desktop folder, the console code pages (which tell how the
//! console tools' output is encoded: 936 = GBK on zh-CN), and showing a file in Explorer.
//! The tests at the bottom run under Wine in `scripts/test-windows.sh`.

use crate::collect::manifest::OsInfo;
use std::os::windows::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
use windows_sys::Win32::Globalization::GetOEMCP;
use windows_sys::Win32::Security::{GetTokenInformation, TokenElevation, TOKEN_ELEVATION, TOKEN_QUERY};
use windows_sys::Win32::System::Com::CoTaskMemFree;
use windows_sys::Win32::System::Console::GetConsoleOutputCP;
use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};
use windows_sys::Win32::UI::Shell::{FOLDERID_Desktop, SHGetKnownFolderPath};

pub fn elevated() -> bool {
    token_elevated().unwrap_or(false)
}

/// Whether the process token is elevated (UAC); an error when the token cannot be read.
fn token_elevated() -> std::io::Result<bool> {
    // SAFETY: the token handle is checked and closed; the buffer is a TOKEN_ELEVATION of the
    // size we pass.
    unsafe {
        let mut token: HANDLE = std::ptr::null_mut();
        if OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) == 0 {
            return Err(std::io::Error::last_os_error());
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
        let result = if ok == 0 {
            Err(std::io::Error::last_os_error())
        } else {
            Ok(elevation.TokenIsElevated != 0)
        };
        CloseHandle(token);
        result
    }
}

/// Whether a process with this PID runs (`leftovers`).
pub fn pid_alive(pid: u32) -> bool {
    use windows_sys::Win32::Foundation::STILL_ACTIVE;
    use windows_sys::Win32::System::Threading::{GetExitCodeProcess, OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION};
    // SAFETY: the handle is checked and closed; the exit code is written to a local.
    unsafe {
        let handle = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
        if handle.is_null() {
            // Gone, or another user's process we may not open: only the first is dead.
            return std::io::Error::last_os_error().raw_os_error() == Some(5);
        }
        let mut code = 0u32;
        let ok = GetExitCodeProcess(handle, &mut code);
        CloseHandle(handle);
        ok != 0 && code == STILL_ACTIVE as u32
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
    // SAFETY: on success the shell allocates a NUL-terminated wide string that we copy; the
    // buffer is freed whether the call succeeded or not, as its documentation asks
    // (CoTaskMemFree accepts null).
    unsafe {
        let mut raw: *mut u16 = std::ptr::null_mut();
        let hr = SHGetKnownFolderPath(&FOLDERID_Desktop, 0, std::ptr::null_mut(), &mut raw);
        let path = (hr == 0 && !raw.is_null()).then(|| {
            let len = (0..).take_while(|&i| *raw.add(i) != 0).count();
            PathBuf::from(String::from_utf16_lossy(std::slice::from_raw_parts(raw, len)))
        });
        CoTaskMemFree(raw.cast());
        path
    }
}

/// Opens an Explorer window on the folder of `path` with the file selected. Explorer parses
/// `/select,"<path>"` itself (not by the C runtime's rules), so the argument is passed raw.
/// The child is returned for a test to watch; a caller simply drops it (real Explorer hands
/// the request to the running shell and exits with code 1 even on success, so its exit code
/// means nothing).
pub fn reveal(path: &Path) -> std::io::Result<Option<Child>> {
    Command::new("explorer.exe")
        .raw_arg(format!("/select,\"{}\"", path.display()))
        .spawn()
        .map(Some)
}

/// `ShellExecuteExW` with the `runas` verb on our own exe, with the same arguments: Windows
/// shows its elevation prompt; a user who declines gets an error (ERROR_CANCELLED).
pub fn restart_elevated() -> std::io::Result<()> {
    use windows_sys::Win32::UI::Shell::{ShellExecuteExW, SHELLEXECUTEINFOW};
    let exe = std::env::current_exe()?;
    let wide = |s: &std::ffi::OsStr| -> Vec<u16> {
        use std::os::windows::ffi::OsStrExt;
        s.encode_wide().chain(std::iter::once(0)).collect()
    };
    let verb = wide(std::ffi::OsStr::new("runas"));
    let file = wide(exe.as_os_str());
    let args: Vec<String> = std::env::args().skip(1).map(|a| format!("\"{a}\"")).collect();
    let params = wide(std::ffi::OsStr::new(&args.join(" ")));
    // SAFETY: a zeroed SHELLEXECUTEINFOW is valid (null pointers, no flags); the strings it
    // points to live until the call returns.
    unsafe {
        let mut info: SHELLEXECUTEINFOW = std::mem::zeroed();
        info.cbSize = std::mem::size_of::<SHELLEXECUTEINFOW>() as u32;
        info.lpVerb = verb.as_ptr();
        info.lpFile = file.as_ptr();
        info.lpParameters = params.as_ptr();
        info.nShow = 1; // SW_SHOWNORMAL
        if ShellExecuteExW(&mut info) == 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

pub fn os_info() -> OsInfo {
    // SAFETY: both calls only read process/system settings.
    let (console, oem) = unsafe { (GetConsoleOutputCP(), GetOEMCP()) };
    // Windows 10/11 keep "Windows 10 Enterprise G" in ProductName (Windows 11 too, for
    // compatibility) and the build in CurrentBuild, UBR the update revision.
    let name = current_version("ProductName").and_then(RegValue::text);
    let display = current_version("DisplayVersion").and_then(RegValue::text);
    let build = current_version("CurrentBuild").and_then(RegValue::text);
    let ubr = current_version("UBR").and_then(RegValue::number);
    // Windows 10+ has the major and minor numbers as DWORDs; before, CurrentVersion ("6.1").
    let major_minor = match (
        current_version("CurrentMajorVersionNumber").and_then(RegValue::number),
        current_version("CurrentMinorVersionNumber").and_then(RegValue::number),
    ) {
        (Some(major), Some(minor)) => Some(format!("{major}.{minor}")),
        _ => current_version("CurrentVersion").and_then(RegValue::text),
    };
    let version = build.map(|b| {
        let mut v = match &major_minor {
            Some(mm) => format!("{mm}.{b}"),
            None => b,
        };
        if let Some(u) = ubr {
            v.push_str(&format!(".{u}"));
        }
        if let Some(d) = display {
            v.push_str(&format!(" ({d})"));
        }
        v
    });
    OsInfo {
        family: "windows",
        name,
        version,
        console_code_page: (console != 0).then_some(console),
        oem_code_page: Some(oem),
    }
}

enum RegValue {
    Text(String),
    Number(u32),
}

impl RegValue {
    fn text(self) -> Option<String> {
        match self {
            RegValue::Text(t) if !t.trim().is_empty() => Some(t.trim().to_string()),
            _ => None,
        }
    }
    fn number(self) -> Option<u32> {
        match self {
            RegValue::Number(n) => Some(n),
            RegValue::Text(_) => None,
        }
    }
}

/// A value of `HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion` (string or DWORD).
fn current_version(value: &str) -> Option<RegValue> {
    use windows_sys::Win32::System::Registry::{RegGetValueW, HKEY_LOCAL_MACHINE, RRF_RT_REG_DWORD, RRF_RT_REG_SZ};
    let wide = |s: &str| s.encode_utf16().chain([0]).collect::<Vec<u16>>();
    let key = wide(r"SOFTWARE\Microsoft\Windows NT\CurrentVersion");
    let name = wide(value);
    let mut buf = [0u16; 256];
    let mut size = std::mem::size_of_val(&buf) as u32;
    let mut kind = 0u32;
    // SAFETY: the buffer and its size in bytes match; the strings are NUL-terminated.
    let ok = unsafe {
        RegGetValueW(
            HKEY_LOCAL_MACHINE,
            key.as_ptr(),
            name.as_ptr(),
            RRF_RT_REG_SZ | RRF_RT_REG_DWORD,
            &mut kind,
            buf.as_mut_ptr().cast(),
            &mut size,
        )
    };
    if ok != 0 {
        return None;
    }
    if kind == 4 {
        // REG_DWORD
        return Some(RegValue::Number(u32::from(buf[0]) | (u32::from(buf[1]) << 16)));
    }
    let units = (size as usize / 2).min(buf.len());
    let end = buf[..units].iter().position(|&u| u == 0).unwrap_or(units);
    Some(RegValue::Text(String::from_utf16_lossy(&buf[..end])))
}

/// These run under Wine (`scripts/test-windows.sh`) and on real Windows alike: they call the
/// real APIs, so a wrong declaration or a failing call shows here, not only in a bundle.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_os_name_and_version_are_read_from_the_registry() {
        let os = os_info();
        let name = os.name.expect("ProductName");
        assert!(name.contains("Windows"), "{name}");
        let version = os.version.expect("CurrentBuild");
        let numbers: Vec<&str> = version.split(' ').next().unwrap().split('.').collect();
        assert!(
            numbers.len() >= 3 && numbers.iter().all(|n| n.parse::<u32>().is_ok()),
            "{version}"
        );
    }

    #[test]
    fn the_desktop_folder_is_found_and_is_a_directory() {
        let desktop = desktop().expect("SHGetKnownFolderPath(FOLDERID_Desktop) succeeds");
        eprintln!("desktop: {}", desktop.display());
        assert!(desktop.is_absolute(), "{}", desktop.display());
        assert!(desktop.is_dir(), "{} is a directory", desktop.display());
        assert_eq!(default_out_dir(), desktop, "the zip goes to the desktop by default");
    }

    #[test]
    fn the_elevation_check_answers() {
        // Either answer is valid (Wine's is printed for the record); what must hold is that
        // the token was read, not that the check failed and fell back to "not elevated".
        let answer = token_elevated().expect("the process token's elevation is readable");
        eprintln!("elevated: {answer}");
        assert_eq!(elevated(), answer);
    }

    #[test]
    fn the_code_pages_are_read() {
        let info = os_info();
        eprintln!(
            "console code page: {:?}, OEM code page: {:?}",
            info.console_code_page, info.oem_code_page
        );
        assert_eq!(info.family, "windows");
        // GetOEMCP always answers (437 under an English locale, 936 on zh-CN); the console
        // code page is 0 (None) when the process has no console, as under a CI runner.
        let oem = info.oem_code_page.expect("GetOEMCP answers");
        assert!(oem > 0);
        if let Some(console) = info.console_code_page {
            assert!(console > 0);
        }
    }

    #[test]
    fn explorer_is_started_on_the_file() {
        // Headless (Wine without a display) Explorer still starts and keeps running as the
        // window it would show; whether the file is selected is not observable here.
        let file = std::env::temp_dir().join(format!("cmgelog reveal {}.txt", std::process::id()));
        std::fs::write(&file, b"x").unwrap();
        let mut child = reveal(&file).expect("explorer.exe starts").expect("a child on Windows");
        std::thread::sleep(std::time::Duration::from_millis(500));
        let still_running = child.try_wait().unwrap().is_none();
        let _ = child.kill();
        let _ = child.wait();
        let _ = std::fs::remove_file(&file);
        // Real Explorer hands the request to the running shell and exits at once, Wine's
        // keeps running; a failure to start returned Err above.
        eprintln!("explorer still running after 0.5 s: {still_running}");
    }
}
