//! "Restart as administrator": the same exe started again through UAC (the `runas` verb), then
//! this window closes. Started by the shell, the new process gets a console of its own and so
//! opens the window again.

use super::win::wide;
use windows_sys::Win32::Foundation::HWND;
use windows_sys::Win32::UI::Shell::{ShellExecuteExW, SEE_MASK_NOASYNC, SHELLEXECUTEINFOW};
use windows_sys::Win32::UI::WindowsAndMessaging::SW_SHOWNORMAL;

/// True when the elevated copy was started; false when the user said no to UAC or it failed
/// (this window stays).
pub fn restart_elevated(owner: HWND) -> bool {
    let Ok(exe) = std::env::current_exe() else {
        return false;
    };
    let verb = wide("runas");
    let file = wide(&exe.display().to_string());
    let dir = exe.parent().map(|d| wide(&d.display().to_string()));
    // SAFETY: the structure is zeroed and sized; every string lives until the call returns.
    unsafe {
        let mut info: SHELLEXECUTEINFOW = std::mem::zeroed();
        info.cbSize = std::mem::size_of::<SHELLEXECUTEINFOW>() as u32;
        info.fMask = SEE_MASK_NOASYNC;
        info.hwnd = owner;
        info.lpVerb = verb.as_ptr();
        info.lpFile = file.as_ptr();
        info.lpDirectory = dir.as_ref().map_or(std::ptr::null(), |d| d.as_ptr());
        info.nShow = SW_SHOWNORMAL;
        ShellExecuteExW(&mut info) != 0
    }
}
