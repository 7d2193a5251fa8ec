//! Renderers of one analysis: text for the terminal, JSON for scripts, Markdown for a ticket
//! reply. Renderers only format; they never re-read files.

pub mod batch;
pub mod fingerprint;
pub mod html;
pub mod html_batch;
pub mod json;
pub mod markdown;
pub mod text;

use crate::bundle::ReadError;
use crate::i18n::Lang;
use crate::rules::Evidence;

/// Makes untrusted text (log lines, file names) safe to print: control characters, which
/// could move the cursor or recolour the terminal, are shown escaped.
pub fn escape_control(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        // Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the marks
        // (U+200E, U+200F) reorder what a terminal shows: a log line could pass itself off as
        // another ("Trojan Source"). Shown escaped like the C0/C1 controls.
        let bidi = matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
        if (c.is_control() && c != '\t') || bidi {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// `path:line` of a piece of evidence; the input is named only when several were given.
pub fn location(input: &str, path: &str, line: Option<usize>, several_inputs: bool) -> String {
    let mut s = if several_inputs && input != path {
        format!("{input}!{path}")
    } else {
        path.to_string()
    };
    if let Some(l) = line {
        s.push_str(&format!(":{l}"));
    }
    escape_control(&s)
}

/// Where a piece of evidence is: `path:line` for a text line, `path #record time provider id`
/// for an event.
pub fn evidence_location(e: &Evidence, several_inputs: bool) -> String {
    let mut s = location(&e.input, &e.path, e.line, several_inputs);
    if let Some(ev) = &e.event {
        if let Some(r) = ev.record_id {
            s.push_str(&format!(" #{r}"));
        }
        for part in [ev.time.as_deref(), ev.provider.as_deref()].into_iter().flatten() {
            s.push(' ');
            s.push_str(&escape_control(part));
        }
        if let Some(id) = ev.event_id {
            s.push_str(&format!(" {id}"));
        }
    }
    s
}

/// One error line in the user's language.
pub fn error_line(e: &ReadError, lang: Lang) -> String {
    format!("{}: {}", escape_control(&e.location()), e.message(lang.is_zh()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape_control("a\u{1b}[31mb\tc"), "a\\u{1b}[31mb\tc");
        // A right-to-left override would show "hw.serial=gnp.exe" as something else.
        assert_eq!(escape_control("x\u{202E}y\u{2066}z"), "x\\u{202e}y\\u{2066}z");
        assert_eq!(escape_control("主板序列号"), "主板序列号");
    }
}
