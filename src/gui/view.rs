//! The window: one top-level window with a fixed set of Win32 controls, shown, filled and
//! placed from a [`Screen`]; clicks, keys and the close box become [`Action`]s for the
//! [`Model`]. Nothing here decides what the flow does.
//!
//! Keyboard: Tab and Shift+Tab move between controls (IsDialogMessage in the message loop),
//! Space ticks a checkbox or presses a button, Enter presses the step's default button, Esc
//! its cancel button. Layout is recomputed on every change of size, DPI or text: margins and
//! sizes are in 96-DPI units scaled to the window's monitor, text heights are measured.

use super::screen::{Action, Button, ButtonSpec, NoteKind, Screen};
use super::trace::Trace;
use super::win::{self, Font, Rect};
use std::cell::{Cell, RefCell};
use windows_sys::Win32::Foundation::{HWND, LPARAM, LRESULT, RECT, WPARAM};
use windows_sys::Win32::Graphics::Gdi::{
    GetSysColor, GetSysColorBrush, SetBkColor, SetTextColor, UpdateWindow, COLOR_GRAYTEXT, COLOR_WINDOW,
    COLOR_WINDOWTEXT, HDC,
};
use windows_sys::Win32::System::SystemServices::{SS_ETCHEDHORZ, SS_LEFT, SS_NOPREFIX};
use windows_sys::Win32::UI::Controls::{
    InitCommonControlsEx, BCM_SETSHIELD, BST_CHECKED, BST_UNCHECKED, EM_SETREADONLY, ICC_PROGRESS_CLASS,
    ICC_STANDARD_CLASSES, INITCOMMONCONTROLSEX, PBM_SETMARQUEE, PBM_SETPOS, PBM_SETRANGE32, PBS_MARQUEE, PBS_SMOOTH,
    PROGRESS_CLASSW, WC_BUTTONW, WC_EDITW, WC_STATICW,
};
use windows_sys::Win32::UI::HiDpi::{AdjustWindowRectExForDpi, GetDpiForSystem};
use windows_sys::Win32::UI::Input::KeyboardAndMouse::{GetFocus, SetFocus};
use windows_sys::Win32::UI::WindowsAndMessaging::*;

const CLASS: &str = "cmgelog.window";

// Control ids. IDOK (1) and IDCANCEL (2) are what IsDialogMessage sends for Enter and Esc.
const ID_CHECK: u16 = 100;
const ID_VALUE_BUTTON: u16 = 200;
const ID_NOTE_BUTTON: u16 = 201;
const ID_FOOTER: u16 = 300;
const ID_FIELD: u16 = 400;
const ID_VALUE: u16 = 410;
const ID_DETAILS: u16 = 411;
const CHECKS: usize = 8;
const FOOTER: usize = 4;

/// Posted by worker threads (through the model's waker): something changed, redraw.
pub const WM_APP_UPDATE: u32 = WM_APP + 1;
/// Posted when a resize arrived while the view was busy: lay out again.
const WM_APP_LAYOUT: u32 = WM_APP + 2;
/// The trace's and the status line's timer.
const TIMER_TICK: usize = 1;

/// What the window drives.
pub trait Model {
    /// What to show now.
    fn screen(&self) -> Screen;
    /// The user did something.
    fn act(&mut self, action: Action);
    /// A worker said something changed (called on the UI thread after the waker); also called
    /// once a second, for elapsed times.
    fn poll(&mut self) {}
    /// `Some(exit code)` once the window should close.
    fn finished(&self) -> Option<u8>;
}

/// A function worker threads call to make the window poll the model: it posts a message, so
/// it is cheap and may be called from any thread.
pub type Waker = std::sync::Arc<dyn Fn() + Send + Sync>;

struct Controls {
    step_line: HWND,
    heading: HWND,
    body: HWND,
    checks: Vec<HWND>,
    field_labels: Vec<HWND>,
    fields: Vec<HWND>,
    progress: HWND,
    status: HWND,
    value_label: HWND,
    value: HWND,
    value_button: HWND,
    details_label: HWND,
    details: HWND,
    note: HWND,
    note_button: HWND,
    separator: HWND,
    footer: Vec<HWND>,
}

struct View {
    hwnd: HWND,
    model: Box<dyn Model>,
    c: Controls,
    dpi: u32,
    font: Font,
    heading_font: Font,
    face: Option<&'static str>,
    shown: Option<Screen>,
    trace: Option<Trace>,
    exit_code: Option<u8>,
}

thread_local! {
    static VIEW: RefCell<Option<View>> = const { RefCell::new(None) };
    // What WM_CTLCOLORSTATIC and WM_GETMINMAXINFO need, readable while the view is borrowed
    // (controls send these while the view is changing them).
    static HEADING: Cell<HWND> = const { Cell::new(std::ptr::null_mut()) };
    static STEP_LINE: Cell<HWND> = const { Cell::new(std::ptr::null_mut()) };
    static NOTE: Cell<HWND> = const { Cell::new(std::ptr::null_mut()) };
    static NOTE_COLOR: Cell<Option<u32>> = const { Cell::new(None) };
    static DPI: Cell<u32> = const { Cell::new(96) };
}

fn rgb(r: u8, g: u8, b: u8) -> u32 {
    r as u32 | (g as u32) << 8 | (b as u32) << 16
}

fn px(v: i32, dpi: u32) -> i32 {
    (v * dpi as i32 + 48) / 96
}

/// Opens the window, runs the message loop until the model is finished, returns its exit code.
/// `face` replaces the UI font's face (Chinese on a system whose UI font has none).
pub fn run(title: &str, face: Option<&'static str>, make_model: impl FnOnce(Waker) -> Box<dyn Model>) -> u8 {
    // SAFETY: the Win32 calls below get valid, NUL-terminated strings and structures that
    // live for each call; the window procedure is ours.
    unsafe {
        let icc = INITCOMMONCONTROLSEX {
            dwSize: std::mem::size_of::<INITCOMMONCONTROLSEX>() as u32,
            dwICC: ICC_STANDARD_CLASSES | ICC_PROGRESS_CLASS,
        };
        InitCommonControlsEx(&icc);
        let class = win::wide(CLASS);
        let wc = WNDCLASSEXW {
            cbSize: std::mem::size_of::<WNDCLASSEXW>() as u32,
            style: CS_HREDRAW | CS_VREDRAW,
            lpfnWndProc: Some(wndproc),
            cbClsExtra: 0,
            cbWndExtra: 0,
            hInstance: win::instance(),
            hIcon: LoadIconW(std::ptr::null_mut(), IDI_APPLICATION),
            hCursor: LoadCursorW(std::ptr::null_mut(), IDC_ARROW),
            hbrBackground: GetSysColorBrush(COLOR_WINDOW),
            lpszMenuName: std::ptr::null(),
            lpszClassName: class.as_ptr(),
            hIconSm: std::ptr::null_mut(),
        };
        RegisterClassExW(&wc);

        let dpi = GetDpiForSystem().max(96);
        let style = WS_OVERLAPPEDWINDOW | WS_CLIPCHILDREN;
        let ex_style = WS_EX_CONTROLPARENT;
        let (x, y, w, h) = initial_rect(dpi, style, ex_style);
        let title_w = win::wide(title);
        let hwnd = CreateWindowExW(
            ex_style,
            class.as_ptr(),
            title_w.as_ptr(),
            style,
            x,
            y,
            w,
            h,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            win::instance(),
            std::ptr::null(),
        );
        assert!(!hwnd.is_null(), "CreateWindowExW: {}", std::io::Error::last_os_error());
        let dpi = win::dpi_of(hwnd);
        DPI.with(|d| d.set(dpi));
        let hwnd_value = hwnd as usize;
        let waker: Waker = std::sync::Arc::new(move || {
            // SAFETY: posting to a window that may be gone fails harmlessly.
            PostMessageW(hwnd_value as HWND, WM_APP_UPDATE, 0, 0);
        });
        let model = make_model(waker);
        let c = Controls::create(hwnd);
        HEADING.with(|h| h.set(c.heading));
        STEP_LINE.with(|h| h.set(c.step_line));
        NOTE.with(|h| h.set(c.note));
        let mut view = View {
            hwnd,
            model,
            c,
            dpi,
            font: win::ui_font(dpi, 1.0, false, face),
            heading_font: win::ui_font(dpi, 1.333, false, face),
            face,
            shown: None,
            trace: Trace::from_env(),
            exit_code: None,
        };
        view.apply_fonts();
        view.render();
        VIEW.with(|v| *v.borrow_mut() = Some(view));
        ShowWindow(hwnd, SW_SHOWNORMAL);
        UpdateWindow(hwnd);
        SetForegroundWindow(hwnd);
        SetTimer(hwnd, TIMER_TICK, 250, None);
        VIEW.with(|v| {
            if let Some(view) = v.borrow_mut().as_mut() {
                view.focus_default();
                view.write_trace(true);
            }
        });

        let mut msg: MSG = std::mem::zeroed();
        while GetMessageW(&mut msg, std::ptr::null_mut(), 0, 0) > 0 {
            if IsDialogMessageW(hwnd, &msg) == 0 {
                TranslateMessage(&msg);
                DispatchMessageW(&msg);
            }
        }
        let code = VIEW.with(|v| v.borrow_mut().take().and_then(|view| view.exit_code));
        code.unwrap_or(0)
    }
}

/// 600×540 at 96 DPI (fits 1366×768 with the taskbar at 100 % and 125 %), centred in the
/// primary work area and never larger than it.
fn initial_rect(dpi: u32, style: WINDOW_STYLE, ex_style: WINDOW_EX_STYLE) -> (i32, i32, i32, i32) {
    let mut r = RECT {
        left: 0,
        top: 0,
        right: px(600, dpi),
        bottom: px(540, dpi),
    };
    let mut work = RECT {
        left: 0,
        top: 0,
        right: 1024,
        bottom: 700,
    };
    // SAFETY: both RECTs are ours and live for the calls.
    unsafe {
        AdjustWindowRectExForDpi(&mut r, style, 0, ex_style, dpi);
        SystemParametersInfoW(SPI_GETWORKAREA, 0, (&mut work as *mut RECT).cast(), 0);
    }
    let w = (r.right - r.left).min(work.right - work.left);
    let h = (r.bottom - r.top).min(work.bottom - work.top);
    let x = work.left + (work.right - work.left - w) / 2;
    let y = work.top + (work.bottom - work.top - h) / 2;
    (x, y, w, h)
}

impl Controls {
    /// Every control, in tab order; hidden until a step shows it.
    fn create(parent: HWND) -> Controls {
        let label =
            |id: u16, extra: u32| win::control(parent, WC_STATICW, "", WS_CHILD | SS_LEFT | SS_NOPREFIX | extra, 0, id);
        let button =
            |id: u16, style: i32| win::control(parent, WC_BUTTONW, "", WS_CHILD | WS_TABSTOP | style as u32, 0, id);
        let edit = |id: u16, style: i32| {
            win::control(
                parent,
                WC_EDITW,
                "",
                WS_CHILD | WS_TABSTOP | style as u32,
                WS_EX_CLIENTEDGE,
                id,
            )
        };
        let step_line = label(0xFFFF, 0);
        let heading = label(0xFFFF, 0);
        let body = label(0xFFFF, 0);
        let checks = (0..CHECKS)
            .map(|i| button(ID_CHECK + i as u16, BS_AUTOCHECKBOX))
            .collect();
        let mut field_labels = Vec::new();
        let mut fields = Vec::new();
        for i in 0..3u16 {
            field_labels.push(label(0xFFFF, 0));
            let style = ES_AUTOHSCROLL | if i == 2 { ES_PASSWORD } else { 0 };
            fields.push(edit(ID_FIELD + i, style));
        }
        let progress = win::control(parent, PROGRESS_CLASSW, "", WS_CHILD | PBS_SMOOTH, 0, 0xFFFF);
        let status = label(0xFFFF, 0);
        let value_label = label(0xFFFF, 0);
        let value = edit(ID_VALUE, ES_AUTOHSCROLL | ES_READONLY);
        let value_button = button(ID_VALUE_BUTTON, BS_PUSHBUTTON);
        let details_label = label(0xFFFF, 0);
        let details = edit(
            ID_DETAILS,
            ES_MULTILINE | ES_READONLY | ES_AUTOVSCROLL | WS_VSCROLL as i32,
        );
        let note = label(0xFFFF, 0);
        let note_button = button(ID_NOTE_BUTTON, BS_PUSHBUTTON);
        let separator = label(0xFFFF, SS_ETCHEDHORZ);
        let footer = (0..FOOTER)
            .map(|i| button(ID_FOOTER + i as u16, BS_PUSHBUTTON))
            .collect();
        Controls {
            step_line,
            heading,
            body,
            checks,
            field_labels,
            fields,
            progress,
            status,
            value_label,
            value,
            value_button,
            details_label,
            details,
            note,
            note_button,
            separator,
            footer,
        }
    }

    fn all(&self) -> Vec<HWND> {
        let mut v = vec![
            self.step_line,
            self.heading,
            self.body,
            self.progress,
            self.status,
            self.value_label,
            self.value,
            self.value_button,
            self.details_label,
            self.details,
            self.note,
            self.note_button,
            self.separator,
        ];
        v.extend(&self.checks);
        v.extend(&self.field_labels);
        v.extend(&self.fields);
        v.extend(&self.footer);
        v
    }
}

impl View {
    fn apply_fonts(&self) {
        for h in self.c.all() {
            win::set_font(h, self.font.0);
        }
        win::set_font(self.c.heading, self.heading_font.0);
    }

    fn screen(&self) -> Screen {
        self.model.screen()
    }

    /// Shows the model's screen: texts, states, then the layout.
    fn render(&mut self) {
        let s = self.screen();
        let new_step = self.shown.as_ref().map(|o| o.step) != Some(s.step);
        let c = &self.c;
        win::set_text(c.step_line, &s.step_line);
        win::show(c.step_line, !s.step_line.is_empty());
        win::set_text(c.heading, &s.heading);
        win::show(c.heading, true);
        win::set_text(c.body, &s.body);
        win::show(c.body, !s.body.is_empty());

        for (i, &h) in c.checks.iter().enumerate() {
            match s.checks.get(i) {
                Some(check) => {
                    win::set_text(h, &check.label);
                    let want = if check.checked { BST_CHECKED } else { BST_UNCHECKED };
                    if win::send(h, BM_GETCHECK, 0, 0) as u32 != want {
                        win::send(h, BM_SETCHECK, want as WPARAM, 0);
                    }
                    win::enable(h, check.enabled);
                    win::show(h, true);
                }
                None => win::show(h, false),
            }
        }

        for i in 0..3 {
            let (label, field) = (c.field_labels[i], c.fields[i]);
            match &s.fields {
                Some(fields) => {
                    let f = &fields[i];
                    win::set_text(label, &f.label);
                    // What the user typed stays; the model's value is put in when the step
                    // opens or when the field is not the user's to edit. The password's is
                    // never given.
                    if i < 2 && (new_step || !f.editable) {
                        win::set_text(field, &f.value);
                    }
                    if i == 2 && new_step {
                        win::set_text(field, "");
                    }
                    win::send(field, EM_SETREADONLY, (!f.editable) as WPARAM, 0);
                    win::enable(field, f.editable || i < 2);
                    win::show(label, true);
                    win::show(field, true);
                }
                None => {
                    win::show(label, false);
                    win::show(field, false);
                }
            }
        }

        match s.progress {
            Some(fraction) => {
                self.set_marquee(s.progress_marquee);
                if !s.progress_marquee {
                    win::send(c.progress, PBM_SETRANGE32, 0, 1000);
                    win::send(c.progress, PBM_SETPOS, (fraction.clamp(0.0, 1.0) * 1000.0) as WPARAM, 0);
                }
                win::show(c.progress, true);
            }
            None => win::show(c.progress, false),
        }
        let c = &self.c;
        win::set_text(c.status, &s.status);
        win::show(c.status, !s.status.is_empty());

        match &s.value {
            Some(v) => {
                win::set_text(c.value_label, &v.label);
                win::set_text(c.value, &v.value);
                win::show(c.value_label, true);
                win::show(c.value, true);
                show_button(c.value_button, v.button.as_ref());
            }
            None => {
                for h in [c.value_label, c.value, c.value_button] {
                    win::show(h, false);
                }
            }
        }
        match &s.details {
            Some((label, text)) => {
                win::set_text(c.details_label, label);
                // Edit controls want CRLF line ends.
                win::set_text(c.details, &text.replace("\r\n", "\n").replace('\n', "\r\n"));
                win::show(c.details_label, !label.is_empty());
                win::show(c.details, true);
            }
            None => {
                win::show(c.details_label, false);
                win::show(c.details, false);
            }
        }
        match &s.note {
            Some(note) => {
                NOTE_COLOR.with(|n| {
                    n.set(match note.kind {
                        NoteKind::Info => None,
                        NoteKind::Warning => Some(rgb(0x9d, 0x5d, 0x00)),
                        NoteKind::Error => Some(rgb(0xc4, 0x2b, 0x1c)),
                    })
                });
                win::set_text(c.note, &note.text);
                win::show(c.note, true);
                show_button(c.note_button, note.button.as_ref());
                if note.button.as_ref().map(|b| b.button) == Some(Button::RestartElevated) {
                    win::send(c.note_button, BCM_SETSHIELD, 0, 1);
                }
            }
            None => {
                win::show(c.note, false);
                win::show(c.note_button, false);
            }
        }
        win::show(c.separator, true);
        for (i, &h) in c.footer.iter().enumerate() {
            show_button(h, s.buttons.get(i));
        }
        let default = s.buttons.iter().position(|b| b.enabled);
        for (i, &h) in c.footer.iter().enumerate() {
            let style = if Some(i) == default {
                BS_DEFPUSHBUTTON
            } else {
                BS_PUSHBUTTON
            };
            win::send(h, BM_SETSTYLE, style as WPARAM, 1);
        }
        self.shown = Some(s);
        self.layout();
        // SAFETY: plain call.
        let focus = unsafe { GetFocus() };
        if !new_step && (focus.is_null() || !win::visible(focus) || !win::enabled(focus)) {
            // The focused control went away (a button disabled while work runs).
            self.focus_default();
        }
        if new_step {
            self.focus_default();
            // SAFETY: plain call; the whole client area is redrawn once for the new step.
            unsafe { windows_sys::Win32::Graphics::Gdi::InvalidateRect(self.hwnd, std::ptr::null(), 1) };
            self.write_trace(true);
        }
    }

    fn set_marquee(&self, on: bool) {
        // SAFETY: reads and changes the style bits of our own progress bar.
        unsafe {
            let style = GetWindowLongPtrW(self.c.progress, GWL_STYLE) as u32;
            let has = style & PBS_MARQUEE != 0;
            if has != on {
                let style = if on { style | PBS_MARQUEE } else { style & !PBS_MARQUEE };
                SetWindowLongPtrW(self.c.progress, GWL_STYLE, style as isize);
            }
        }
        win::send(self.c.progress, PBM_SETMARQUEE, on as WPARAM, 30);
    }

    /// The default button, or the first field to fill in.
    fn focus_default(&self) {
        let Some(s) = &self.shown else { return };
        let target = match &s.fields {
            Some(fields) => fields
                .iter()
                .enumerate()
                .find(|(i, f)| f.editable && (*i == 2 || f.value.is_empty()))
                .map(|(i, _)| self.c.fields[i]),
            None => None,
        }
        .or_else(|| s.buttons.iter().position(|b| b.enabled).map(|i| self.c.footer[i]));
        if let Some(h) = target {
            // SAFETY: plain call on our own control.
            unsafe { SetFocus(h) };
        }
    }

    /// Places every visible control for the current size and DPI.
    fn layout(&mut self) {
        let Some(s) = &self.shown else { return };
        let dpi = self.dpi;
        let p = |v: i32| px(v, dpi);
        let mut client = RECT {
            left: 0,
            top: 0,
            right: 0,
            bottom: 0,
        };
        // SAFETY: our window, our RECT.
        unsafe { GetClientRect(self.hwnd, &mut client) };
        let (cw, ch) = (client.right, client.bottom);
        let m = p(24);
        let gap = p(10);
        let inner = (cw - 2 * m).max(p(100));
        let font = self.font.0;
        let h = self.hwnd;
        let line = win::measure(h, font, "Ag国", 0).1;
        let wrap = |text: &str, width: i32| win::measure(h, font, text, width).1.max(line);
        let text_w = |text: &str| win::measure(h, font, text, 0).0;
        let button_w = |text: &str| text_w(text).max(0) + p(32);
        let bh = (line + p(12)).max(p(28));
        let eh = line + p(10);
        let c = &self.c;

        // Header.
        let mut y = p(16);
        if !s.step_line.is_empty() {
            win::place(c.step_line, Rect::new(m, y, inner, line));
            y += line + p(4);
        }
        let hh = win::measure(h, self.heading_font.0, &s.heading, inner).1.max(line);
        win::place(c.heading, Rect::new(m, y, inner, hh));
        y += hh + p(14);

        // Footer: the buttons in their order, the group aligned right (OK, then Cancel at the
        // right edge, as Windows dialogs have them), a line above.
        let fy = ch - p(14) - bh;
        let widths: Vec<i32> = s
            .buttons
            .iter()
            .take(FOOTER)
            .map(|b| button_w(&b.label).max(p(88)))
            .collect();
        let mut x = cw - m - widths.iter().sum::<i32>() - p(8) * (widths.len() as i32 - 1).max(0);
        for (i, w) in widths.iter().enumerate() {
            win::place(c.footer[i], Rect::new(x, fy, *w, bh));
            x += w + p(8);
        }
        win::place(c.separator, Rect::new(0, fy - p(14), cw, 2));
        let bottom = fy - p(14) - gap;

        if !s.body.is_empty() {
            let bh2 = wrap(&s.body, inner);
            win::place(c.body, Rect::new(m, y, inner, bh2));
            y += bh2 + p(14);
        }
        if !s.checks.is_empty() {
            let col = (inner - gap) / 2;
            let row = line + p(12);
            for (i, &hc) in c.checks.iter().enumerate().take(s.checks.len()) {
                let (r, k) = ((i / 2) as i32, (i % 2) as i32);
                win::place(hc, Rect::new(m + k * (col + gap), y + r * row, col, row - p(4)));
            }
            y += s.checks.len().div_ceil(2) as i32 * row + gap;
        }
        if let Some(fields) = &s.fields {
            let lw = fields.iter().map(|f| text_w(&f.label)).max().unwrap_or(0) + p(12);
            for i in 0..3 {
                win::place(c.field_labels[i], Rect::new(m, y + (eh - line) / 2, lw, line));
                win::place(c.fields[i], Rect::new(m + lw, y, inner - lw, eh));
                y += eh + p(8);
            }
            y += gap;
        }
        if s.progress.is_some() {
            win::place(c.progress, Rect::new(m, y, inner, p(18)));
            y += p(18) + p(8);
        }
        if !s.status.is_empty() {
            let sh = wrap(&s.status, inner);
            win::place(c.status, Rect::new(m, y, inner, sh));
            y += sh + gap;
        }
        if let Some(v) = &s.value {
            let lw = text_w(&v.label) + p(8);
            let bw = v.button.as_ref().map(|b| button_w(&b.label).max(p(88))).unwrap_or(0);
            let ew = inner - lw - if bw > 0 { bw + p(8) } else { 0 };
            win::place(c.value_label, Rect::new(m, y + (bh - line) / 2, lw, line));
            win::place(c.value, Rect::new(m + lw, y + (bh - eh) / 2, ew, eh));
            if bw > 0 {
                win::place(c.value_button, Rect::new(m + inner - bw, y, bw, bh));
            }
            y += bh + gap;
        }
        // The note sits under the details box, which takes the room that is left.
        let note_h = s.note.as_ref().map_or(0, |n| {
            wrap(&n.text, inner) + gap + if n.button.is_some() { bh + p(6) } else { 0 }
        });
        if let Some((label, _)) = &s.details {
            if !label.is_empty() {
                win::place(c.details_label, Rect::new(m, y, inner, line));
                y += line + p(4);
            }
            let dh = (bottom - y - note_h).max(p(60));
            win::place(c.details, Rect::new(m, y, inner, dh));
            y += dh + gap;
        }
        if let Some(n) = &s.note {
            let nh = wrap(&n.text, inner);
            win::place(c.note, Rect::new(m, y, inner, nh));
            y += nh + p(6);
            if let Some(b) = &n.button {
                win::place(c.note_button, Rect::new(m, y, button_w(&b.label) + p(16), bh));
            }
        }
    }

    /// The footer button answering Esc.
    fn escape_button(&self) -> Option<Button> {
        let s = self.shown.as_ref()?;
        s.buttons
            .iter()
            .find(|b| {
                b.enabled
                    && matches!(
                        b.button,
                        Button::Cancel | Button::Quit | Button::SkipUpload | Button::Close
                    )
            })
            .map(|b| b.button)
    }

    fn command(&mut self, id: u16) {
        let Some(s) = self.shown.clone() else { return };
        let pressed: Option<Button> = match id {
            1 => s.buttons.iter().find(|b| b.enabled).map(|b| b.button),
            2 => self.escape_button(),
            ID_VALUE_BUTTON => s.value.as_ref().and_then(|v| v.button.as_ref()).map(|b| b.button),
            ID_NOTE_BUTTON => s.note.as_ref().and_then(|n| n.button.as_ref()).map(|b| b.button),
            id if (ID_FOOTER..ID_FOOTER + FOOTER as u16).contains(&id) => s
                .buttons
                .get((id - ID_FOOTER) as usize)
                .filter(|b| b.enabled)
                .map(|b| b.button),
            id if (ID_CHECK..ID_CHECK + CHECKS as u16).contains(&id) => {
                let index = (id - ID_CHECK) as usize;
                if index < s.checks.len() {
                    let checked = win::send(self.c.checks[index], BM_GETCHECK, 0, 0) as u32 == BST_CHECKED;
                    self.model.act(Action::Toggle { index, checked });
                }
                None
            }
            _ => None,
        };
        if let Some(button) = pressed {
            match button {
                Button::Upload if s.fields.is_some() => {
                    let url = win::text(self.c.fields[0]);
                    let user = win::text(self.c.fields[1]);
                    let password = win::text(self.c.fields[2]);
                    win::set_text(self.c.fields[2], "");
                    self.model.act(Action::Submit { url, user, password });
                }
                Button::CopySha256 => {
                    let text = s.value.as_ref().map(|v| v.value.clone()).unwrap_or_default();
                    if win::copy_to_clipboard(self.hwnd, &text) {
                        self.model.act(Action::Press(Button::CopySha256));
                    }
                }
                b => self.model.act(Action::Press(b)),
            }
        }
        self.after_model();
    }

    /// The portal address field lost the focus: the model checks what was typed.
    fn url_left(&mut self) {
        let editable = self
            .shown
            .as_ref()
            .and_then(|s| s.fields.as_ref())
            .is_some_and(|f| f[0].editable);
        if editable {
            let url = win::text(self.c.fields[0]);
            self.model.act(Action::UrlEdited { url });
            self.after_model();
        }
    }

    /// After the model heard something: close if it is done, else show what it shows now.
    fn after_model(&mut self) {
        if let Some(code) = self.model.finished() {
            self.exit_code = Some(code);
            self.write_trace(true);
            // SAFETY: our window; WM_DESTROY is handled without borrowing the view.
            unsafe { DestroyWindow(self.hwnd) };
            return;
        }
        self.render();
    }

    fn dpi_changed(&mut self, dpi: u32, suggested: &RECT) {
        self.dpi = dpi;
        DPI.with(|d| d.set(dpi));
        self.font = win::ui_font(dpi, 1.0, false, self.face);
        self.heading_font = win::ui_font(dpi, 1.333, false, self.face);
        self.apply_fonts();
        // SAFETY: our window; the suggested rectangle comes with the message.
        unsafe {
            SetWindowPos(
                self.hwnd,
                std::ptr::null_mut(),
                suggested.left,
                suggested.top,
                suggested.right - suggested.left,
                suggested.bottom - suggested.top,
                SWP_NOZORDER | SWP_NOACTIVATE,
            )
        };
        self.layout();
    }

    fn write_trace(&mut self, force: bool) {
        let Some(trace) = self.trace.as_mut() else { return };
        let Some(s) = &self.shown else { return };
        let c = &self.c;
        let mut items: Vec<(&str, HWND, Option<bool>)> = vec![
            ("step-line", c.step_line, None),
            ("heading", c.heading, None),
            ("body", c.body, None),
            ("progress", c.progress, None),
            ("status", c.status, None),
            ("value-label", c.value_label, None),
            ("value", c.value, None),
            ("details-label", c.details_label, None),
            ("details", c.details, None),
            ("note", c.note, None),
        ];
        let names: Vec<String> = (0..CHECKS).map(|i| format!("check-{i}")).collect();
        for (i, &h) in c.checks.iter().enumerate() {
            let checked = win::send(h, BM_GETCHECK, 0, 0) as u32 == BST_CHECKED;
            items.push((&names[i], h, Some(checked)));
        }
        let field_names = ["url", "user", "password"];
        let label_names = ["url-label", "user-label", "password-label"];
        for i in 0..3 {
            items.push((label_names[i], c.field_labels[i], None));
            items.push((field_names[i], c.fields[i], None));
        }
        let mut buttons: Vec<(String, HWND)> = Vec::new();
        if let Some(b) = s.value.as_ref().and_then(|v| v.button.as_ref()) {
            buttons.push((format!("button-{}", b.button.id()), c.value_button));
        }
        if let Some(b) = s.note.as_ref().and_then(|n| n.button.as_ref()) {
            buttons.push((format!("button-{}", b.button.id()), c.note_button));
        }
        for (i, b) in s.buttons.iter().enumerate().take(FOOTER) {
            buttons.push((format!("button-{}", b.button.id()), c.footer[i]));
        }
        for (name, h) in &buttons {
            items.push((name, *h, None));
        }
        let focus = unsafe { GetFocus() };
        let controls: Vec<super::trace::Control> = items
            .into_iter()
            .filter(|(_, h, _)| win::visible(*h))
            .map(|(name, h, checked)| super::trace::Control {
                name: name.to_string(),
                // The password's text is never written anywhere.
                text: if name == "password" {
                    "*".repeat(win::text(h).chars().count())
                } else {
                    win::text(h)
                },
                rect: screen_rect(h),
                enabled: win::enabled(h),
                read_only: matches!(name, "url" | "user" | "password").then(|| win::read_only(h)),
                checked,
                focused: focus == h,
            })
            .collect();
        trace.write(s.step.id(), screen_rect(self.hwnd), self.dpi, controls, force);
    }
}

fn show_button(h: HWND, spec: Option<&ButtonSpec>) {
    match spec {
        Some(b) => {
            win::set_text(h, &b.label);
            win::enable(h, b.enabled);
            win::show(h, true);
        }
        None => win::show(h, false),
    }
}

/// A window's rectangle on the screen (what xdotool clicks in).
fn screen_rect(h: HWND) -> [i32; 4] {
    let mut r = RECT {
        left: 0,
        top: 0,
        right: 0,
        bottom: 0,
    };
    // SAFETY: a live window and our RECT.
    unsafe { GetWindowRect(h, &mut r) };
    [r.left, r.top, r.right - r.left, r.bottom - r.top]
}

/// Runs `f` on the view unless it is already in use (a control notifying us while the view
/// changes it); `None` then.
fn with_view<R>(f: impl FnOnce(&mut View) -> R) -> Option<R> {
    VIEW.with(|v| match v.try_borrow_mut() {
        Ok(mut guard) => guard.as_mut().map(f),
        Err(_) => None,
    })
}

unsafe extern "system" fn wndproc(hwnd: HWND, msg: u32, wparam: WPARAM, lparam: LPARAM) -> LRESULT {
    match msg {
        WM_CTLCOLORSTATIC => {
            let dc = wparam as HDC;
            let control = lparam as HWND;
            let color = if control == HEADING.with(Cell::get) {
                rgb(0x00, 0x33, 0x99)
            } else if control == STEP_LINE.with(Cell::get) {
                GetSysColor(COLOR_GRAYTEXT)
            } else if control == NOTE.with(Cell::get) {
                NOTE_COLOR
                    .with(Cell::get)
                    .unwrap_or_else(|| GetSysColor(COLOR_WINDOWTEXT))
            } else {
                GetSysColor(COLOR_WINDOWTEXT)
            };
            SetTextColor(dc, color);
            SetBkColor(dc, GetSysColor(COLOR_WINDOW));
            return GetSysColorBrush(COLOR_WINDOW) as LRESULT;
        }
        WM_GETMINMAXINFO => {
            let dpi = DPI.with(Cell::get);
            let info = &mut *(lparam as *mut MINMAXINFO);
            info.ptMinTrackSize.x = px(480, dpi);
            info.ptMinTrackSize.y = px(440, dpi);
            return 0;
        }
        WM_DESTROY => {
            PostQuitMessage(0);
            return 0;
        }
        DM_GETDEFID => {
            let id = with_view(|v| {
                v.shown
                    .as_ref()
                    .and_then(|s| s.buttons.iter().position(|b| b.enabled))
                    .map(|i| ID_FOOTER as usize + i)
            })
            .flatten();
            if let Some(id) = id {
                return ((DC_HASDEFID as usize) << 16 | id) as LRESULT;
            }
        }
        _ => {}
    }
    let handled = with_view(|v| -> Option<LRESULT> {
        match msg {
            WM_COMMAND => {
                let id = (wparam & 0xFFFF) as u16;
                let code = ((wparam >> 16) & 0xFFFF) as u32;
                if code == BN_CLICKED || id == 1 || id == 2 {
                    v.command(id);
                } else if code == EN_KILLFOCUS && id == ID_FIELD {
                    v.url_left();
                }
                Some(0)
            }
            WM_SIZE => {
                v.layout();
                Some(0)
            }
            WM_APP_LAYOUT => {
                v.layout();
                Some(0)
            }
            WM_APP_UPDATE => {
                v.model.poll();
                v.after_model();
                Some(0)
            }
            WM_TIMER if wparam == TIMER_TICK => {
                v.model.poll();
                v.after_model();
                v.write_trace(false);
                Some(0)
            }
            WM_CLOSE => {
                v.model.act(Action::Close);
                v.after_model();
                Some(0)
            }
            WM_DPICHANGED => {
                let suggested = *(lparam as *const RECT);
                v.dpi_changed((wparam & 0xFFFF) as u32, &suggested);
                Some(0)
            }
            _ => None,
        }
    });
    match handled {
        Some(Some(r)) => r,
        Some(None) => DefWindowProcW(hwnd, msg, wparam, lparam),
        // The view is busy (a control notifying while the view changes it): a resize is laid
        // out afterwards, a close waits for the user's next try, the rest is the default.
        None => match msg {
            WM_SIZE => {
                PostMessageW(hwnd, WM_APP_LAYOUT, 0, 0);
                DefWindowProcW(hwnd, msg, wparam, lparam)
            }
            WM_CLOSE => 0,
            _ => DefWindowProcW(hwnd, msg, wparam, lparam),
        },
    }
}
