//! The output of `hostname` (`system/hostname.txt`) → os.hostname.

use super::{Machine, Source};
use crate::bundle::Document;

pub fn extract(doc: &Document, machine: &mut Machine) {
    if let Some((n, line)) = doc.lines().find(|(_, l)| !l.trim().is_empty()) {
        machine.os.hostname.push(line.trim(), Source::at(doc, n, line));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::Kind;

    #[test]
    fn ci_machine_hostname() {
        let doc = Document::from_bytes(
            "t",
            "system/hostname.txt",
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/linux/ci-debian12/system/hostname.txt"
            )),
        );
        assert_eq!(doc.kind, Kind::Hostname);
        let mut m = Machine::default();
        extract(&doc, &mut m);
        let h = m.os.hostname.first().expect("hostname");
        assert_eq!((h.value.as_str(), h.source.line), ("vm", Some(1)));
        assert_eq!(h.source.path, "system/hostname.txt");
    }
}
