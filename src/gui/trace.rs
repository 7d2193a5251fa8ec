//! What the window shows, for the Wine test: with `CMGELOG_GUI_TRACE=<file>` every step shown
//! (and every change, at most four times a second) appends one JSON line naming the step and
//! each visible control with its text, screen rectangle, state and focus. The test reads it to
//! know which step is on screen and where to click, and to look for text pixels where labels
//! are. The password's characters are written as `*`.

use serde::Serialize;
use std::io::Write;

#[derive(Debug, Serialize, PartialEq)]
pub struct Control {
    pub name: String,
    pub text: String,
    /// Left, top, width, height in screen pixels.
    pub rect: [i32; 4],
    pub enabled: bool,
    /// Edit boxes only: shown but not editable (the portal address set by cmgelog.toml).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checked: Option<bool>,
    pub focused: bool,
}

pub struct Trace {
    file: std::fs::File,
    last: String,
}

impl Trace {
    pub fn from_env() -> Option<Trace> {
        let path = std::env::var_os("CMGELOG_GUI_TRACE")?;
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path).ok()?;
        Some(Trace {
            file,
            last: String::new(),
        })
    }

    /// Appends the state unless it is the same as the last one written.
    pub fn write(&mut self, step: &str, window: [i32; 4], dpi: u32, controls: Vec<Control>, _force: bool) {
        let line = serde_json::json!({
            "step": step,
            "window": window,
            "dpi": dpi,
            "controls": controls,
        })
        .to_string();
        if line != self.last {
            let _ = writeln!(self.file, "{line}");
            let _ = self.file.flush();
            self.last = line;
        }
    }
}
