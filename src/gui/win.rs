//! The few Win32 calls the window needs, each wrapped once: wide strings, controls, texts,
//! fonts at a DPI, text measurement, the clipboard. Everything here runs on the UI thread.

use std::ffi::c_void;
use windows_sys::Win32::Foundation::{GlobalFree, HWND, LPARAM, RECT, WPARAM};
use windows_sys::Win32::Graphics::Gdi::{
    CreateFontIndirectW, DeleteObject, DrawTextW, GetDC, ReleaseDC, SelectObject, DT_CALCRECT, DT_NOPREFIX,
    DT_WORDBREAK, FW_BOLD, HFONT, LOGFONTW,
};
use windows_sys::Win32::System::DataExchange::{CloseClipboard, EmptyClipboard, OpenClipboard, SetClipboardData};
use windows_sys::Win32::System::LibraryLoader::GetModuleHandleW;
use windows_sys::Win32::System::Memory::{GlobalAlloc, GlobalLock, GlobalUnlock, GMEM_MOVEABLE};
use windows_sys::Win32::System::Ole::CF_UNICODETEXT;
use windows_sys::Win32::UI::HiDpi::{GetDpiForWindow, SystemParametersInfoForDpi};
use windows_sys::Win32::UI::Input::KeyboardAndMouse::{EnableWindow, IsWindowEnabled};
use windows_sys::Win32::UI::WindowsAndMessaging::{
    CreateWindowExW, GetWindowTextLengthW, GetWindowTextW, IsWindowVisible, SendMessageW, SetWindowPos, SetWindowTextW,
    ShowWindow, NONCLIENTMETRICSW, SPI_GETNONCLIENTMETRICS, SWP_NOACTIVATE, SWP_NOZORDER, SW_HIDE, SW_SHOWNA,
    WINDOW_EX_STYLE, WINDOW_STYLE, WM_SETFONT,
};

/// `s` as a NUL-terminated UTF-16 string.
pub fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

pub fn instance() -> windows_sys::Win32::Foundation::HINSTANCE {
    // SAFETY: null asks for this exe's own module handle, which lives as long as the process.
    unsafe { GetModuleHandleW(std::ptr::null()) }
}

/// A child control with its id; the window procedure hears its WM_COMMAND under that id.
pub fn control(
    parent: HWND,
    class: *const u16,
    text: &str,
    style: WINDOW_STYLE,
    ex_style: WINDOW_EX_STYLE,
    id: u16,
) -> HWND {
    let text = wide(text);
    // SAFETY: class and text are NUL-terminated; the id travels in the menu parameter, as
    // child windows take it; the parent is a live window of this thread.
    let hwnd = unsafe {
        CreateWindowExW(
            ex_style,
            class,
            text.as_ptr(),
            style,
            0,
            0,
            10,
            10,
            parent,
            id as usize as *mut c_void,
            instance(),
            std::ptr::null(),
        )
    };
    assert!(
        !hwnd.is_null(),
        "CreateWindowExW for control {id}: {}",
        std::io::Error::last_os_error()
    );
    hwnd
}

pub fn send(hwnd: HWND, msg: u32, wparam: WPARAM, lparam: LPARAM) -> isize {
    // SAFETY: callers pass messages whose parameters are plain values, or pointers that live
    // for the duration of the call (SendMessage is synchronous).
    unsafe { SendMessageW(hwnd, msg, wparam, lparam) }
}

pub fn text(hwnd: HWND) -> String {
    // SAFETY: the buffer has room for the length asked plus the NUL.
    unsafe {
        let len = GetWindowTextLengthW(hwnd).max(0) as usize;
        let mut buf = vec![0u16; len + 1];
        let n = GetWindowTextW(hwnd, buf.as_mut_ptr(), buf.len() as i32).max(0) as usize;
        String::from_utf16_lossy(&buf[..n.min(len)])
    }
}

/// Sets the text if it differs (no flicker from redrawing the same text on every update).
pub fn set_text(hwnd: HWND, s: &str) {
    if text(hwnd) != s {
        let w = wide(s);
        // SAFETY: NUL-terminated text for a live window.
        unsafe { SetWindowTextW(hwnd, w.as_ptr()) };
    }
}

pub fn show(hwnd: HWND, visible: bool) {
    // SAFETY: plain call on a live window.
    unsafe {
        if (IsWindowVisible(hwnd) != 0) != visible {
            ShowWindow(hwnd, if visible { SW_SHOWNA } else { SW_HIDE });
        }
    }
}

pub fn enabled(hwnd: HWND) -> bool {
    // SAFETY: plain call.
    unsafe { IsWindowEnabled(hwnd) != 0 }
}

/// An edit box with ES_READONLY.
pub fn read_only(hwnd: HWND) -> bool {
    // SAFETY: plain call on a live window.
    let style = unsafe {
        windows_sys::Win32::UI::WindowsAndMessaging::GetWindowLongPtrW(
            hwnd,
            windows_sys::Win32::UI::WindowsAndMessaging::GWL_STYLE,
        )
    };
    style as u32 & windows_sys::Win32::UI::WindowsAndMessaging::ES_READONLY as u32 != 0
}

pub fn visible(hwnd: HWND) -> bool {
    // SAFETY: plain call.
    unsafe { IsWindowVisible(hwnd) != 0 }
}

pub fn enable(hwnd: HWND, enabled: bool) {
    // SAFETY: plain calls on a live window.
    unsafe {
        if (IsWindowEnabled(hwnd) != 0) != enabled {
            EnableWindow(hwnd, enabled as i32);
        }
    }
}

pub fn place(hwnd: HWND, r: Rect) {
    // SAFETY: plain call on a live window.
    unsafe {
        SetWindowPos(
            hwnd,
            std::ptr::null_mut(),
            r.x,
            r.y,
            r.w.max(0),
            r.h.max(0),
            SWP_NOZORDER | SWP_NOACTIVATE,
        )
    };
}

pub fn set_font(hwnd: HWND, font: HFONT) {
    send(hwnd, WM_SETFONT, font as WPARAM, 1);
}

/// A rectangle in client pixels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub h: i32,
}

impl Rect {
    pub fn new(x: i32, y: i32, w: i32, h: i32) -> Rect {
        Rect { x, y, w, h }
    }
}

pub fn dpi_of(hwnd: HWND) -> u32 {
    // SAFETY: plain call; 0 (an invalid window) falls back to 96.
    match unsafe { GetDpiForWindow(hwnd) } {
        0 => 96,
        d => d,
    }
}

/// A font owned by the window, deleted when dropped.
pub struct Font(pub HFONT);

impl Drop for Font {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: ours, and no control uses it any more (the window replaced or closed them).
            unsafe { DeleteObject(self.0) };
        }
    }
}

/// The system's message font at `dpi` (Segoe UI 9 pt on an English Windows 10, Microsoft
/// YaHei UI 9 pt on a Chinese one), `scale` times its size, bold if asked. `face` replaces
/// the face name (Chinese text on a system whose UI font has no Chinese).
pub fn ui_font(dpi: u32, scale: f32, bold: bool, face: Option<&str>) -> Font {
    // SAFETY: the structure is zeroed and its size set, as the call requires; the LOGFONT
    // copied from it is plain data.
    unsafe {
        let mut metrics: NONCLIENTMETRICSW = std::mem::zeroed();
        metrics.cbSize = std::mem::size_of::<NONCLIENTMETRICSW>() as u32;
        let ok = SystemParametersInfoForDpi(
            SPI_GETNONCLIENTMETRICS,
            metrics.cbSize,
            (&mut metrics as *mut NONCLIENTMETRICSW).cast(),
            0,
            dpi,
        );
        let mut lf: LOGFONTW = if ok != 0 {
            metrics.lfMessageFont
        } else {
            let mut lf: LOGFONTW = std::mem::zeroed();
            // 9 pt at this DPI.
            lf.lfHeight = -((9 * dpi as i32 + 36) / 72);
            lf
        };
        if let Some(face) = face {
            lf.lfFaceName = [0; 32];
            for (dst, src) in lf.lfFaceName.iter_mut().zip(face.encode_utf16().take(31)) {
                *dst = src;
            }
        }
        lf.lfHeight = (lf.lfHeight as f32 * scale).round() as i32;
        if bold {
            lf.lfWeight = FW_BOLD as i32;
        }
        Font(CreateFontIndirectW(&lf))
    }
}

/// The size `text` takes in `font` when wrapped at `width` pixels (`width` 0: one line, as
/// wide as it is).
pub fn measure(hwnd: HWND, font: HFONT, text: &str, width: i32) -> (i32, i32) {
    let w: Vec<u16> = text.encode_utf16().collect();
    let mut r = RECT {
        left: 0,
        top: 0,
        right: width.max(1),
        bottom: 0,
    };
    let flags = DT_CALCRECT | DT_NOPREFIX | if width > 0 { DT_WORDBREAK } else { 0 };
    // SAFETY: the DC is released and the previous font selected back; the text pointer and
    // length describe a live buffer.
    unsafe {
        let dc = GetDC(hwnd);
        let old = SelectObject(dc, font as _);
        DrawTextW(dc, w.as_ptr(), w.len() as i32, &mut r, flags);
        SelectObject(dc, old);
        ReleaseDC(hwnd, dc);
    }
    (r.right - r.left, r.bottom - r.top)
}

/// Puts `text` on the clipboard; false when another program holds it.
pub fn copy_to_clipboard(owner: HWND, text: &str) -> bool {
    let w = wide(text);
    let bytes = w.len() * 2;
    // SAFETY: the global block is allocated, filled and unlocked before the clipboard takes
    // it; on failure it is freed here, on success the clipboard owns it.
    unsafe {
        if OpenClipboard(owner) == 0 {
            return false;
        }
        EmptyClipboard();
        let mem = GlobalAlloc(GMEM_MOVEABLE, bytes);
        let mut ok = false;
        if !mem.is_null() {
            let dst = GlobalLock(mem) as *mut u16;
            if !dst.is_null() {
                std::ptr::copy_nonoverlapping(w.as_ptr(), dst, w.len());
                GlobalUnlock(mem);
                ok = !SetClipboardData(CF_UNICODETEXT as u32, mem).is_null();
            }
            if !ok {
                GlobalFree(mem);
            }
        }
        CloseClipboard();
        ok
    }
}
