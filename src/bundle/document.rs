//! A document: one entry, decoded and recognised. This is what extractors and rules read.
//! Documents are made by the formats (`facts::formats`: `Document::from_entry` and
//! `into_documents`), which recognise their kind.

use super::decode::{split_lines, DecodedText};
use super::kind::{self, Kind, Reading};
use super::Content;
use std::sync::OnceLock;

#[derive(Debug)]
pub struct Document {
    /// The input the entry came from, as the user named it.
    pub input: String,
    /// Path inside the input (`/` separators).
    pub path: String,
    pub kind: Kind,
    /// The decoded text, for every textual entry.
    pub text: Option<DecodedText>,
    /// The raw bytes, kept only for binary formats that are parsed later (EVTX); a large
    /// one in a file (see [`Content`]).
    pub raw: Option<Content>,
    /// See [`Document::code_line_starts`].
    pub(crate) code_lines: OnceLock<Vec<usize>>,
}

impl Document {
    /// An event log: an `.evtx` file, or a text export of events (wevtutil XML, Export-Csv).
    /// Event documents are read as events, not as lines of text.
    pub fn is_events(&self) -> bool {
        self.kind.reading() == Reading::Events
    }

    /// Cuts every line longer than `max` bytes to at most `max` (at a character boundary), for
    /// documents read line by line; returns the number of the first line cut. Event exports
    /// and JSON documents are parsed whole and left alone. Line numbers do not change.
    pub fn cap_lines(&mut self, max: usize) -> Option<usize> {
        if matches!(self.kind.reading(), Reading::Whole | Reading::Events) {
            return None;
        }
        let text = self.text.as_mut()?;
        let first = split_lines(&text.text).position(|l| l.len() > max)? + 1;
        let mut capped = String::with_capacity(text.text.len().min(max * 4));
        for (i, line) in split_lines(&text.text).enumerate() {
            if i > 0 {
                capped.push('\n');
            }
            let mut end = line.len().min(max);
            while !line.is_char_boundary(end) {
                end -= 1;
            }
            capped.push_str(&line[..end]);
        }
        text.text = capped;
        self.code_lines = OnceLock::new();
        Some(first)
    }

    /// The byte offsets of the text's lines that may hold an error code
    /// ([`crate::knowledge::code_line_starts`]), found once for every consumer: the upgrade
    /// logs' code tallies and the rules' code conditions read the same logs.
    pub fn code_line_starts(&self) -> &[usize] {
        self.code_lines.get_or_init(|| {
            self.text
                .as_ref()
                .map_or_else(Vec::new, |t| crate::knowledge::code_line_starts(&t.text))
        })
    }

    /// Whether this tool reads something from the document: a known format, an event log, or
    /// a text log (timestamped lines, such as the activation client's). Binary data and text
    /// that is none of these (a README, a screenshot's bytes) are not.
    pub fn is_recognised(&self) -> bool {
        if self.kind == Kind::BINARY {
            false
        } else if self.kind == Kind::TEXT {
            self.text.as_ref().is_some_and(|t| kind::looks_like_log(&t.text))
        } else {
            true
        }
    }

    /// Numbered lines of a text document; empty for binary ones.
    pub fn lines(&self) -> impl Iterator<Item = (usize, &str)> {
        self.text.iter().flat_map(|t| t.numbered_lines())
    }

    /// The text of one line (1-based), if any.
    pub fn line(&self, n: usize) -> Option<&str> {
        self.lines().nth(n.checked_sub(1)?).map(|(_, l)| l)
    }
}

#[cfg(test)]
mod tests {
    use super::Document;

    #[test]
    fn long_lines_are_cut_at_a_char_boundary_and_line_numbers_stay() {
        let text = format!("short\n{}\nDevice marker binding is Invalid\n", "主".repeat(10));
        let mut doc = Document::from_text("in", "a.log", &text);
        assert_eq!(doc.cap_lines(8), Some(2));
        assert_eq!(doc.line(2), Some("主主"), "8 bytes hold two 3-byte characters");
        assert_eq!(doc.line(3), Some("Device m"), "every line is cut, not only the first");
        assert_eq!(doc.line(1), Some("short"));
        let mut ok = Document::from_text("in", "a.log", "short\nlines\n");
        assert_eq!(ok.cap_lines(8), None);
    }

    #[test]
    fn event_exports_and_json_are_not_cut() {
        let json = format!("{{\"blockdevices\": [{{\"name\": \"{}\"}}]}}", "a".repeat(100));
        let mut doc = Document::from_text("in", "lsblk.json", &json);
        assert!(doc.kind.is_json(), "{:?}", doc.kind);
        assert_eq!(doc.cap_lines(16), None);
        let xml = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/evtx/spp-8198-wevtutil.xml"
        ))
        .unwrap();
        let mut doc = Document::from_bytes("in", "spp.xml", &xml);
        assert!(doc.is_events());
        assert_eq!(doc.cap_lines(16), None);
    }
}
