//! The window users get when they double-click `cmgelog.exe` (Windows only): the old
//! collector's steps — agree, choose, collect, look at the zip, upload, done — as a native
//! window of Win32 controls. [`launch`] decides at start-up whether this runs at all. The
//! flow itself is `cmgelog::flow`, shared with the terminal wizard: [`model`] shows its steps
//! as [`screen::Screen`]s and turns the user's [`screen::Action`]s into its inputs; the view
//! ([`view`]) only draws screens and reports clicks and keys.

pub mod launch;
mod model;
mod screen;
mod trace;
mod view;
mod win;

use cmgelog::config::Config;
use cmgelog::flow::{Flow, Setup};
use cmgelog::i18n::Lang;
use cmgelog::messages::Messages;

/// The face for Chinese text: the Chinese Windows UI font. On a Chinese Windows it is the
/// system's message font anyway; on another Windows with `language = "zh"` the message font
/// (Segoe UI) would leave Chinese to font fallback.
const CHINESE_FACE: &str = "Microsoft YaHei UI";

/// Shows the window until the user is done; the exit code is the flow's.
///
/// `CMGELOG_SPEC=<file>` replaces the built-in collection spec, as `collect --spec` does (the
/// Wine test runs a spec without network items).
pub fn run() -> u8 {
    launch::leave_console();
    install_panic_box();
    let loaded = Config::load().map(|(c, _)| c);
    let language = loaded.as_ref().ok().and_then(|c| c.language.clone());
    let lang = language.as_deref().map(Lang::from_locale).unwrap_or_else(Lang::detect);
    let title = Messages::new(lang).fill("title", &[("version", &env!("CARGO_PKG_VERSION"))]);
    let mut setup = Setup::new(loaded, lang);
    if let Some(spec) = std::env::var_os("CMGELOG_SPEC") {
        setup = setup.with_spec_file(spec.into());
    }
    let face = lang.is_zh().then_some(CHINESE_FACE);
    view::run(&title, face, move |waker| {
        Box::new(model::WindowFlow::new(Flow::new(setup, Some(waker))))
    })
}

/// With no console, a panic would vanish: show it in a message box before the process ends.
fn install_panic_box() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = win::wide(&format!("cmgelog: {info}"));
        let caption = win::wide("cmgelog");
        // SAFETY: NUL-terminated strings that live for the call; no owner window.
        unsafe {
            windows_sys::Win32::UI::WindowsAndMessaging::MessageBoxW(
                std::ptr::null_mut(),
                text.as_ptr(),
                caption.as_ptr(),
                windows_sys::Win32::UI::WindowsAndMessaging::MB_ICONERROR,
            )
        };
        previous(info);
    }));
}
