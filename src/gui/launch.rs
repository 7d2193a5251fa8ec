//! One console exe for both ways of starting it.
//!
//! `cmgelog.exe` is a console program, so cmd and PowerShell wait for it, its output goes to
//! their console and its exit code reaches `%ERRORLEVEL%` / `$LASTEXITCODE`, exactly as before.
//! Double-clicked in Explorer (or started from a shortcut or the Start menu) Windows gives it a
//! console of its own; the program sees that it is the only process on that console
//! (`GetConsoleProcessList` answers 1, where a shell would make it 2 or more), hides and frees
//! that console before anything is drawn in it, and shows the window instead. See docs/window.md,
//! "The window", for why this and not a `.com`/`.exe` pair.

use windows_sys::Win32::System::Console::{FreeConsole, GetConsoleProcessList, GetConsoleWindow};
use windows_sys::Win32::UI::WindowsAndMessaging::{ShowWindow, SW_HIDE};

/// How many processes share this process's console: 0 without a console (started detached,
/// by a service, or by a program that gave it pipes and no console), 1 when the console was
/// made for this process alone (Explorer), 2 or more when a shell or another program shares it.
pub fn console_processes() -> u32 {
    let mut pids = [0u32; 4];
    // SAFETY: the buffer holds `len` PIDs; when more processes share the console the call
    // answers their number without writing past the buffer.
    unsafe { GetConsoleProcessList(pids.as_mut_ptr(), pids.len() as u32) }
}

/// Started with no arguments on a console of its own: a double-click.
pub fn double_clicked() -> bool {
    std::env::args_os().len() <= 1 && console_processes() == 1
}

/// Hides the console window Windows made for us and detaches from it; with no process left on
/// it, the console (conhost or Windows Terminal) closes. Child processes started later get no
/// console window either (the collector asks for none when it has no console itself).
pub fn leave_console() {
    // SAFETY: plain calls on this process's own console; a null window (no console, or a
    // terminal without one) is skipped.
    unsafe {
        let console = GetConsoleWindow();
        if !console.is_null() {
            ShowWindow(console, SW_HIDE);
        }
        FreeConsole();
    }
}
