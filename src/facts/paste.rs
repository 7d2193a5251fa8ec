//! A paste that holds several outputs, split by content so each is read by its own extractor.
//!
//! Users answer "send the output of ipconfig /all and wmic ..." with one text file holding
//! both, often with the prompts they typed. As one document it gets one kind and the second
//! output is lost. The splitter cuts the text where an output starts (a prompt line such as
//! `C:\>wmic bios get serialnumber` or `$ sudo dmidecode`, the `Windows IP Configuration`
//! title, the `# dmidecode` banner, systeminfo's `Host Name:`, a wmic table header after a
//! blank line) and keeps the cut only when the parts are outputs of at least two different
//! known kinds: a file of one output stays one document as before. Each part keeps the file's
//! path and its own first line number ([`DecodedText::first_line`]), so evidence names the
//! lines of the file the user sent. Logs, event exports, JSON and lists are never split.

use super::formats;
use crate::bundle::decode::DecodedText;
use crate::bundle::{Document, Kind, Reading, WmiClass};
use regex::Regex;
use std::sync::LazyLock;

/// A Windows prompt (`C:\>`, `C:\Users\x>`, `PS C:\>`) followed by a command.
static WINDOWS_PROMPT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*(?:PS\s+)?[a-z]:\\[^>]*>\s*\S").expect("literal regex"));

/// A Unix prompt (`$ `, `# `, `user@host:~$ `, `[root@h ~]# `) followed by a tool this
/// program reads the output of. (Other `# ` lines are comments, dmidecode's among them.)
static UNIX_PROMPT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*(?:\[?[\w.-]+@[\w.-]+[^$#\]]*\]?\s*)?[$#]\s+(?:sudo\s+)?(?:dmidecode|lsblk|ip|cat|head|grep|systemd-detect-virt|hostname|ls|lspci)(?:\s|$)",
    )
    .expect("literal regex")
});

/// The kinds a paste is made of; everything else is left whole.
fn splittable(doc: &Document) -> bool {
    doc.kind.reading() == Reading::Pasted
}

/// The document, or its outputs when it holds several of different kinds.
pub fn split(doc: Document) -> Vec<Document> {
    if !splittable(&doc) {
        return vec![doc];
    }
    let Some(text) = doc.text.as_ref() else {
        return vec![doc];
    };
    let lines: Vec<&str> = text.text.split('\n').collect();
    let starts = output_starts(&lines);
    if starts.len() < 2 {
        return vec![doc];
    }
    let mut parts: Vec<(usize, String, Kind)> = Vec::new();
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(lines.len());
        let part = lines[start..end].join("\n");
        let decoded = DecodedText {
            text: part,
            encoding: text.encoding,
            had_errors: text.had_errors,
            first_line: text.first_line + start,
        };
        // Recognised without the prompt that introduces it (`$ cat /etc/os-release` is no
        // key=value line).
        let body: Vec<&str> = lines[start..end]
            .iter()
            .copied()
            .skip_while(|l| is_prompt(l.trim_end_matches('\r')))
            .collect();
        let body = DecodedText {
            text: body.join("\n"),
            ..decoded.clone()
        };
        let kind = formats::recognise(&doc.path, body.text.as_bytes(), Some(&body));
        parts.push((start, decoded.text, kind));
    }
    // A lone prompt line joins the output it introduces.
    let mut merged: Vec<(usize, String, Kind)> = Vec::new();
    for part in parts {
        match merged.last_mut() {
            Some(last) if last.2 == Kind::TEXT && last.1.lines().filter(|l| !l.trim().is_empty()).count() <= 1 => {
                last.1.push('\n');
                last.1.push_str(&part.1);
                last.2 = part.2;
            }
            _ => merged.push(part),
        }
    }
    let known: Vec<&Kind> = merged
        .iter()
        .map(|p| &p.2)
        .filter(|k| **k != Kind::TEXT && **k != Kind::BINARY)
        .collect();
    // Kinds, not classes: two wmic tables of different classes are one wmic paste, which the
    // table reader already takes apart.
    let distinct = known.iter().any(|k| k.name() != known[0].name());
    if known.len() < 2 || !distinct {
        return vec![doc];
    }
    merged
        .into_iter()
        .map(|(start, part, kind)| Document {
            input: doc.input.clone(),
            path: doc.path.clone(),
            kind,
            text: Some(DecodedText {
                text: part,
                encoding: text.encoding,
                had_errors: text.had_errors,
                first_line: text.first_line + start,
            }),
            raw: None,
            code_lines: Default::default(),
        })
        .collect()
}

/// The indices of the lines where an output starts (always 0 first).
fn output_starts(lines: &[&str]) -> Vec<usize> {
    let mut starts = vec![0];
    for (i, raw) in lines.iter().enumerate().skip(1) {
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim();
        let after_blank = lines[i - 1].trim().is_empty();
        let prompt = is_prompt(line);
        let title = super::ipconfig::is_title(trimmed)
            || super::dmidecode::is_banner(trimmed)
            || (after_blank && (trimmed.starts_with("Host Name:") || trimmed.starts_with("主机名:")));
        let table = after_blank && is_wmic_header(trimmed);
        // A title right after its own prompt belongs to the same output.
        let prompted = starts.last().is_some_and(|&s| {
            i - s <= 2
                && lines[s..i].iter().all(|l| {
                    let l = l.trim_end_matches('\r');
                    l.trim().is_empty() || is_prompt(l)
                })
        });
        if prompt || ((title || table) && !prompted) {
            starts.push(i);
        }
    }
    starts.dedup();
    starts
}

fn is_prompt(line: &str) -> bool {
    WINDOWS_PROMPT.is_match(line) || UNIX_PROMPT.is_match(line)
}

/// A wmic table header: property names only, naming a class.
fn is_wmic_header(line: &str) -> bool {
    let words: Vec<&str> = line.split_whitespace().collect();
    !words.is_empty()
        && words
            .iter()
            .all(|w| w.starts_with(|c: char| c.is_ascii_uppercase()) && w.chars().all(|c| c.is_ascii_alphanumeric()))
        && WmiClass::from_keys(words.iter().copied()).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, usize)> {
        split(Document::from_text("t", "paste.txt", text))
            .into_iter()
            .map(|d| (d.kind, d.text.unwrap().first_line))
            .collect()
    }

    #[test]
    fn outputs_of_one_kind_stay_one_document() {
        // Two wmic tables with their prompts: one wmic paste, read whole as before.
        let text = "C:\\>wmic bios get serialnumber\nSerialNumber\nABC123\n\nC:\\>wmic baseboard get serialnumber\nSerialNumber\nXYZ\n";
        assert_eq!(kinds(text).len(), 1);
        // A dmidecode dump's own `# ` lines are not prompts.
        let dump = "# dmidecode 3.0\nGetting SMBIOS data from sysfs.\n# SMBIOS implementations newer than version 3.0 are not\n# fully supported by this version of dmidecode.\n\nHandle 0x0001, DMI type 1, 27 bytes\nSystem Information\n\tSerial Number: X\n";
        assert_eq!(kinds(dump), [(crate::facts::formats::kind("dmidecode"), 1)]);
    }

    #[test]
    fn a_unix_paste_is_cut_at_its_prompts() {
        let text = "$ cat /etc/os-release\nNAME=\"UOS\"\nID=uos\nVERSION_ID=\"20\"\nPRETTY_NAME=\"UOS 20\"\n$ sudo dmidecode -t 1\n# dmidecode 3.3\nHandle 0x0001, DMI type 1, 27 bytes\nSystem Information\n\tSerial Number: X\n";
        assert_eq!(
            kinds(text),
            [
                (crate::facts::formats::kind("os-release"), 1),
                (crate::facts::formats::kind("dmidecode"), 6)
            ]
        );
    }
}
