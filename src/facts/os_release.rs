//! `/etc/os-release` → os.name and os.version.
//!
//! `PRETTY_NAME` is what a person reads ("UOS Desktop 20 Professional", "Kylin V10 SP1"), so it
//! is the name; `NAME` stands in when there is no `PRETTY_NAME`. `VERSION_ID` is the
//! version. Values may be quoted with `"` or `'` and use shell escapes (os-release(5)).

use super::formats::{Format, Recognise, Sample};
use super::platform::Platform;
use super::{Machine, Source};
use crate::bundle::{Document, Kind, Reading};

pub fn extract(doc: &Document, machine: &mut Machine) {
    let assignment = |key: &str| {
        doc.lines().find_map(|(n, line)| {
            let (k, v) = line.trim().split_once('=')?;
            (k == key).then(|| (n, line, unquote(v)))
        })
    };
    if let Some((n, line, name)) = assignment("PRETTY_NAME").or_else(|| assignment("NAME")) {
        machine.os.name.push(name, Source::at(doc, n, line));
    }
    if let Some((n, line, version)) = assignment("VERSION_ID") {
        machine.os.version.push(version, Source::at(doc, n, line));
    }
}

/// `"Debian GNU/Linux 12 (bookworm)"` → `Debian GNU/Linux 12 (bookworm)`; `\"`, `\\`, `\$`
/// and `` \` `` inside double quotes lose their backslash.
fn unquote(value: &str) -> String {
    let v = value.trim();
    if let Some(inner) = v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return inner.to_string();
    }
    let Some(inner) = v.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
        return v.to_string();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match (c, chars.clone().next()) {
            ('\\', Some(next @ ('"' | '\\' | '$' | '`'))) => {
                out.push(next);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// `/etc/os-release`: `KEY=value` lines with upper-case keys, among them `ID` and `NAME` or
/// `PRETTY_NAME` (WMI's `Key=Value` lists use CamelCase keys).
pub(crate) const FORMAT: Format = Format {
    kind: Kind::new("os-release", Reading::Lines),
    recognise: Recognise::text(is_os_release),
    extract,
    platform: Some(Platform::Linux),
    codes: false,
};

fn is_os_release(s: &Sample) -> bool {
    fn key(line: &str) -> Option<&str> {
        line.split_once('=').map(|(k, _)| k)
    }
    let assignments: Vec<&str> = s.head.iter().copied().filter(|l| !l.starts_with('#')).collect();
    let all_upper = !assignments.is_empty()
        && assignments.iter().all(|l| {
            key(l).is_some_and(|k| {
                !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            })
        });
    let has = |want: &str| assignments.iter().any(|l| key(l) == Some(want));
    all_upper && has("ID") && (has("NAME") || has("PRETTY_NAME"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &[u8]) -> Machine {
        let doc = Document::from_bytes("t", "system/os-release", text);
        assert_eq!(doc.kind, crate::facts::formats::kind("os-release"));
        let mut m = Machine::default();
        extract(&doc, &mut m);
        m
    }

    #[test]
    fn ci_machine_debian_12() {
        let m = run(fixture!("linux/ci-debian12/system/os-release"));
        let name = m.os.name.first().expect("name");
        assert_eq!(name.value, "Debian GNU/Linux 12 (bookworm)");
        assert_eq!(name.source.line, Some(1));
        assert_eq!(name.source.text, "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"");
        let version = m.os.version.first().expect("version");
        assert_eq!((version.value.as_str(), version.source.line), ("12", Some(3)));
    }

    #[test]
    fn name_without_pretty_name_and_quoting() {
        // Hand-made, in the shape of UOS's os-release (single quotes are os-release(5) syntax too).
        let m = run(b"NAME='UOS'\nID=uos\nVERSION_ID=\"20\"\nVERSION=\"20 \\\"Professional\\\"\"\n");
        assert_eq!(m.os.name.best(), Some("UOS"));
        assert_eq!(m.os.version.best(), Some("20"));
        assert_eq!(unquote("\"20 \\\"Pro\\\" \\\\ x\""), "20 \"Pro\" \\ x");
        assert_eq!(unquote("plain"), "plain");
    }
}
