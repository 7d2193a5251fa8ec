//! The output of `hostname` (`system/hostname.txt`) → os.hostname.

use super::formats::{Format, Recognise, Sample};
use super::{Machine, Source};
use crate::bundle::{Document, Kind, Reading};

pub fn extract(doc: &Document, machine: &mut Machine) {
    if let Some((n, line)) = doc.lines().find(|(_, l)| !l.trim().is_empty()) {
        machine.os.hostname.push(line.trim(), Source::at(doc, n, line));
    }
}

/// The output of `hostname`, saved as `hostname` or `hostname.txt`: one host name (the file
/// name must say so: any note could hold one word).
pub(crate) const FORMAT: Format = Format {
    kind: Kind::new("hostname", Reading::Lines),
    recognise: Recognise::text(is_hostname),
    extract,
    platform: None,
    codes: false,
};

fn is_hostname(s: &Sample) -> bool {
    let name = s.file_name();
    let stem = name.strip_suffix(".txt").unwrap_or(&name);
    stem == "hostname"
        && s.head.len() == 1
        && s.head[0]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ci_machine_hostname() {
        let doc = Document::from_bytes(
            "t",
            "system/hostname.txt",
            fixture!("linux/ci-debian12/system/hostname.txt"),
        );
        assert_eq!(doc.kind, crate::facts::formats::kind("hostname"));
        let mut m = Machine::default();
        extract(&doc, &mut m);
        let h = m.os.hostname.first().expect("hostname");
        assert_eq!((h.value.as_str(), h.source.line), ("vm", Some(1)));
        assert_eq!(h.source.path, "system/hostname.txt");
    }
}
