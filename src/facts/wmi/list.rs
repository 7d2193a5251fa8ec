//! `wmic path X get /format:list`: `Key=Value` lines, instances separated by blank lines.

use super::super::formats::{Format, Recognise, Sample};
use super::super::platform::Platform;
use super::{leading_class, Prop, Record, Segment};
use crate::bundle::{Document, Kind, Reading, WmiClass};

/// Parses a list document. A pasted `wmic ... get` line starts a new segment whose class is the
/// command's; lines that are neither `Key=Value` nor blank (prompts, notes) are skipped.
pub(super) fn parse(doc: &Document, class: Option<WmiClass>) -> Vec<Record> {
    let mut segment = Segment::Context(leading_class(doc, class));
    let mut records = Vec::new();
    let mut props: Vec<Prop> = Vec::new();
    for (n, line) in doc.lines() {
        if let Some(next) = Segment::starts_at(line) {
            flush(&mut props, segment, &mut records);
            segment = next;
            continue;
        }
        if line.trim().is_empty() {
            flush(&mut props, segment, &mut records);
            continue;
        }
        let Some((key, value)) = key_value(line) else {
            continue;
        };
        // A repeated key means a new instance whose blank separator was lost (a paste).
        if props.iter().any(|p| p.key.eq_ignore_ascii_case(key)) {
            flush(&mut props, segment, &mut records);
        }
        props.push(Prop {
            key: key.to_string(),
            value: list_value(value),
            line: n,
        });
    }
    flush(&mut props, segment, &mut records);
    records
}

fn flush(props: &mut Vec<Prop>, segment: Segment, records: &mut Vec<Record>) {
    if props.is_empty() {
        return;
    }
    let taken = std::mem::take(props);
    if let Segment::Context(class) = segment {
        records.push(Record::new(taken, None, class));
    }
}

/// `Key=Value` with a WMI property name as key (`Description = Invalid query` from a wmic
/// error is not one).
fn key_value(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once('=')?;
    is_property_name(key).then_some((key, value))
}

/// A WMI property name: ASCII letters, digits and `_`, not starting with a digit.
pub(super) fn is_property_name(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The value as printed, with the XML entities glpi's files carry unescaped and `{a,b}` arrays
/// joined as `a,b` (the same shape the JSON parser gives arrays).
fn list_value(raw: &str) -> String {
    let value = unescape(raw);
    match array_items(&value) {
        Some(items) => items.join(","),
        None => value,
    }
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    // `&amp;` last, so that `&amp;lt;` becomes `&lt;` and not `<`.
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// `{3,4}` or `{"fr-FR","en-US"}` → items; `None` for anything else, including a GUID in
/// braces or `{1}\\HOST\root/...` (MSFT ObjectId), which are plain values.
fn array_items(value: &str) -> Option<Vec<String>> {
    let inner = value.strip_prefix('{')?.strip_suffix('}')?;
    let mut items = Vec::new();
    let mut rest = inner;
    while !rest.is_empty() {
        let (item, after) = if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"')?;
            (&quoted[..end], &quoted[end + 1..])
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            let item = &rest[..end];
            if !item.chars().all(|c| c.is_ascii_digit() || c == '-' || c == '.') || item.is_empty() {
                return None;
            }
            (item, &rest[end..])
        };
        items.push(item.to_string());
        rest = match after.strip_prefix(',') {
            Some(r) if !r.is_empty() => r,
            Some(_) => return None,
            None if after.is_empty() => after,
            None => return None,
        };
    }
    Some(items)
}

/// `wmic ... get /format:list`: `Key=Value` lines (at least half of the first lines), records
/// separated by blank lines. The class comes from the file name when the keys don't say it.
pub(crate) const FORMAT: Format = Format {
    kind: Kind::new("wmic-list", Reading::Pasted),
    recognise: Recognise::Text {
        test: is_list,
        class: Some(|s| s.class_hint()),
    },
    extract: |doc, machine| super::apply_all(doc, parse(doc, doc.kind.class()), machine),
    platform: Some(Platform::Windows),
    codes: false,
};

fn is_list(s: &Sample) -> bool {
    let kv = s.head.iter().filter(|l| is_key_value(l)).count();
    kv >= 1 && kv * 2 >= s.head.len()
}

fn is_key_value(line: &str) -> bool {
    match line.split_once('=') {
        Some((k, _)) => {
            !k.is_empty()
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && k.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(path: &str, text: &str) -> Vec<Record> {
        let doc = Document::from_text("t", path, text);
        parse(&doc, WmiClass::from_file_name(path))
    }

    #[test]
    fn arrays_and_plain_braces() {
        assert_eq!(array_items("{3,4}"), Some(vec!["3".into(), "4".into()]));
        assert_eq!(
            array_items("{\"fr-FR\",\"en-US\"}"),
            Some(vec!["fr-FR".into(), "en-US".into()])
        );
        assert_eq!(array_items("{\"a,b\"}"), Some(vec!["a,b".into()]));
        assert_eq!(array_items("{}"), Some(vec![]));
        assert_eq!(array_items("{93a493ca-309c-11eb-a4d6-806e6f6e6963}"), None);
        assert_eq!(array_items("{1}\\\\HOST\\root"), None);
        assert_eq!(array_items("{3,}"), None);
        assert_eq!(array_items("{\"unterminated}"), None);
    }

    #[test]
    fn entities_are_unescaped_once() {
        assert_eq!(
            unescape("A&amp;B &lt;x&gt; &quot;q&quot; &amp;lt;"),
            "A&B <x> \"q\" &lt;"
        );
    }

    #[test]
    fn records_split_on_blank_lines_and_repeated_keys() {
        let recs = parse_text(
            "Win32_DiskDrive.txt",
            "\nIndex=0\nSerialNumber=A \nCapabilities={3,4,7}\n\n\nIndex=1\nSerialNumber=\nIndex=2\nSerialNumber=C\n",
        );
        assert_eq!(recs.len(), 3);
        assert!(recs.iter().all(|r| r.class == Some(WmiClass::DiskDrive)));
        assert_eq!(recs[0].get("serialnumber").map(|p| p.value.as_str()), Some("A "));
        assert_eq!(recs[0].get("Capabilities").map(|p| p.value.as_str()), Some("3,4,7"));
        assert_eq!(recs[0].get("Capabilities").map(|p| p.line), Some(4));
        assert_eq!(recs[1].get("SerialNumber").map(|p| p.value.as_str()), Some(""));
        assert_eq!(recs[2].get("Index").map(|p| p.line), Some(9));
    }

    #[test]
    fn wmic_cr_cr_lf_leaves_no_carriage_return_in_values() {
        let recs = parse_text("baseboard.txt", "\r\r\nProduct=X\r\r\nSerialNumber=\r\r\n\r\r\n");
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].class, Some(WmiClass::BaseBoard));
        assert_eq!(
            recs[0].get("SerialNumber").map(|p| (p.value.as_str(), p.line)),
            Some(("", 3))
        );
    }

    #[test]
    fn pasted_commands_name_their_records() {
        let text = "C:\\>wmic bios get serialnumber /format:list\n\nSerialNumber=PF2ABCDE\n\n\
                    C:\\>wmic memorychip get serialnumber /format:list\n\nSerialNumber=1234\n\n\
                    C:\\>wmic baseboard get serialnumber,product /format:list\n\nProduct=X\nSerialNumber=\n\nC:\\>\n";
        let recs = parse_text("note.txt", text);
        let classes: Vec<_> = recs.iter().map(|r| r.class).collect();
        assert_eq!(classes, [Some(WmiClass::Bios), Some(WmiClass::BaseBoard)]);
        assert_eq!(recs[1].get("SerialNumber").map(|p| p.value.as_str()), Some(""));
    }

    #[test]
    fn error_lines_are_not_properties() {
        let recs = parse_text("x.txt", "Node - PC\nERROR:\nDescription = Invalid query\n");
        assert!(recs.is_empty());
    }
}
