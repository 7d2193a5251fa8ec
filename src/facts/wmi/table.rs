//! `wmic <alias> get a,b` tables: a header of property names, then one fixed-width row per
//! instance. wmic pads columns by characters, so rows are cut at the character offsets where
//! the header's names start. A file may hold several pasted commands, each with its table.

use super::super::formats::{Format, Recognise, Sample};
use super::super::platform::Platform;
use super::list::is_property_name;
use super::{leading_class, prompt_command, Prop, Record, Segment};
use crate::bundle::{Document, Kind, Reading, WmiClass};

/// Classes with exactly one instance: a table of one of them with a header and no row at all
/// means the one instance printed nothing (a paste that lost the row of spaces).
const SINGLE_INSTANCE: &[WmiClass] = &[
    WmiClass::Bios,
    WmiClass::BaseBoard,
    WmiClass::ComputerSystem,
    WmiClass::ComputerSystemProduct,
    WmiClass::SystemEnclosure,
    WmiClass::OperatingSystem,
];

pub(super) fn parse(doc: &Document, class: Option<WmiClass>) -> Vec<Record> {
    let lines: Vec<(usize, &str)> = doc.lines().collect();
    let mut records = Vec::new();
    let mut segment = Segment::Context(leading_class(doc, class));
    let mut start = 0;
    for (i, (_, line)) in lines.iter().enumerate() {
        if let Some(next) = Segment::starts_at(line) {
            parse_segment(lines.get(start..i).unwrap_or_default(), segment, &mut records);
            segment = next;
            start = i + 1;
        }
    }
    parse_segment(lines.get(start..).unwrap_or_default(), segment, &mut records);
    records
}

/// One command's output: the first meaningful line is the header; every later non-empty line
/// is a row (a row of spaces is an instance whose values are all empty).
fn parse_segment(lines: &[(usize, &str)], segment: Segment, records: &mut Vec<Record>) {
    let Segment::Context(class) = segment else {
        return;
    };
    let mut rest = lines.iter().filter(|(_, l)| !is_noise(l));
    let Some(&(header_line, header)) = rest.find(|(_, l)| !l.trim().is_empty()) else {
        return;
    };
    let Some(columns) = columns(header) else {
        return;
    };
    let before = records.len();
    for &(n, row) in rest.filter(|(_, l)| !l.is_empty()) {
        let props = columns
            .iter()
            .enumerate()
            .map(|(i, (name, from))| {
                let to = columns.get(i + 1).map(|(_, s)| *s);
                Prop {
                    key: name.to_string(),
                    value: cut(row, *from, to),
                    line: n,
                }
            })
            .collect();
        records.push(Record::new(props, None, class));
    }
    if records.len() == before {
        let props = columns
            .iter()
            .map(|(name, _)| Prop {
                key: name.to_string(),
                value: String::new(),
                line: header_line,
            })
            .collect();
        let record = Record::new(props, None, class);
        if record.class.is_some_and(|c| SINGLE_INSTANCE.contains(&c)) {
            records.push(record);
        }
    }
}

/// The header's property names with the character offset where each starts; `None` when the
/// line is not a header (an error message, a note).
fn columns(header: &str) -> Option<Vec<(&str, usize)>> {
    let mut cols = Vec::new();
    let mut in_word = false;
    for (chars, (byte, c)) in header.char_indices().enumerate() {
        let space = c.is_whitespace();
        if !space && !in_word {
            let word = header.get(byte..)?.split_whitespace().next()?;
            if !is_property_name(word) {
                return None;
            }
            cols.push((word, chars));
        }
        in_word = !space;
    }
    (!cols.is_empty()).then_some(cols)
}

/// Characters `from..to` of a row (to the end when `to` is `None`), trimmed.
fn cut(row: &str, from: usize, to: Option<usize>) -> String {
    let take = to.map_or(usize::MAX, |t| t.saturating_sub(from));
    row.chars().skip(from).take(take).collect::<String>().trim().to_string()
}

/// Lines that are not part of a table: bare shell prompts left in a paste, and wmic's "no
/// instance" message (English and Chinese).
fn is_noise(line: &str) -> bool {
    let t = line.trim();
    prompt_command(t).is_some() || t.starts_with("No Instance(s) Available") || t.starts_with("没有可用实例")
}

/// `wmic ... get` table output: a header of property names, fixed-width columns; or a pasted
/// `wmic <alias> get` command line before it, which names the class.
pub(crate) const FORMAT: Format = Format {
    kind: Kind::new("wmic-table", Reading::Pasted),
    recognise: Recognise::Text {
        test: |s| table_class(s).is_some(),
        class: Some(|s| table_class(s).flatten()),
    },
    extract: |doc, machine| super::apply_all(doc, parse(doc, doc.kind.class()), machine),
    platform: Some(Platform::Windows),
    codes: false,
};

/// `Some(class)` for a table: the class its `wmic` command line names, else the file name's.
fn table_class(s: &Sample) -> Option<Option<WmiClass>> {
    let hint = s.class_hint();
    for l in s.head.iter().take(20) {
        if let Some(alias) = super::wmic_command_alias(l) {
            return Some(WmiClass::from_wmic_alias(alias).or(hint));
        }
    }
    let header = s.head.first()?;
    let words: Vec<&str> = header.split_whitespace().collect();
    let props = words.iter().all(|w| {
        w.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && w.chars().all(|c| c.is_ascii_alphanumeric())
    });
    let known = words.iter().any(|w| {
        [
            "SerialNumber",
            "Manufacturer",
            "Product",
            "Model",
            "MACAddress",
            "IdentifyingNumber",
            "UUID",
            "Vendor",
        ]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(w))
    });
    (props && known).then_some(hint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Machine;

    fn records(path: &str, text: &str) -> Vec<Record> {
        let doc = Document::from_text("t", path, text);
        parse(&doc, WmiClass::from_file_name(path))
    }

    fn value<'a>(r: &'a Record, key: &str) -> Option<&'a str> {
        r.get(key).map(|p| p.value.as_str())
    }

    fn machine(path: &str, text: &str) -> Machine {
        let doc = Document::from_text("t", path, text);
        let mut m = Machine::default();
        crate::facts::extract_one(&doc, &mut m);
        m
    }

    #[test]
    fn empty_baseboard_serial_is_a_row_of_spaces() {
        let text =
            "C:\\Users\\a>wmic baseboard get serialnumber\r\nSerialNumber  \r\n              \r\n\r\nC:\\Users\\a>\r\n";
        let m = machine("note.txt", text);
        let serial: Vec<_> = m
            .baseboard
            .serial
            .values()
            .map(|o| (o.value.as_str(), o.source.line))
            .collect();
        assert_eq!(serial, [("", Some(3))]);
    }

    #[test]
    fn redirected_wmic_table_in_utf16_with_cr_cr_lf() {
        // `wmic baseboard get serialnumber,product > baseboard.txt`: UTF-16LE, BOM, \r\r\n.
        let text = "Product     SerialNumber  \r\r\nSKYBAY      \r\r\n\r\r\n";
        let mut bytes = vec![0xff, 0xfe];
        bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let doc = Document::from_entry(crate::bundle::Entry {
            input: "t".into(),
            path: "baseboard.txt".into(),
            data: bytes.into(),
        });
        assert_eq!(
            doc.kind,
            crate::facts::formats::kind("wmic-table").with_class(Some(WmiClass::BaseBoard))
        );
        let mut m = Machine::default();
        crate::facts::extract_one(&doc, &mut m);
        let serial: Vec<_> = m
            .baseboard
            .serial
            .values()
            .map(|o| (o.value.as_str(), o.source.line))
            .collect();
        assert_eq!(serial, [("", Some(2))]);
        assert_eq!(m.baseboard.product.first().map(|o| o.value.as_str()), Some("SKYBAY"));
    }

    #[test]
    fn header_without_row_is_one_empty_instance_for_single_instance_classes() {
        let recs = records("baseboard.txt", "SerialNumber\n\n");
        assert_eq!(recs.len(), 1);
        assert_eq!(value(&recs[0], "SerialNumber"), Some(""));
        assert_eq!(recs[0].get("SerialNumber").map(|p| p.line), Some(1));
        // Disks are not single-instance: no row means no disk.
        assert!(records("diskdrive.txt", "Model  SerialNumber\n").is_empty());
    }

    #[test]
    fn multi_command_paste() {
        let text = "\
C:\\>wmic bios get serialnumber,manufacturer
Manufacturer  SerialNumber
LENOVO        PF2ABCDE

C:\\>wmic baseboard get serialnumber,manufacturer,product
Manufacturer  Product      SerialNumber
LENOVO        20TBS57S00   L1HF0AB01CD

C:\\>wmic diskdrive get index,model,serialnumber
Index  Model                           SerialNumber
0      Samsung SSD 970 EVO Plus 1TB    S4EWNX0R123456T
1      Kingston DataTraveler 3.0 USB   

C:\\>wmic memorychip get serialnumber
SerialNumber
12345678

C:\\>wmic nonsense get x
No Instance(s) Available.
";
        let m = machine("paste.txt", text);
        let vals = |f: &crate::facts::Field| f.values().map(|o| o.value.clone()).collect::<Vec<_>>();
        assert_eq!(vals(&m.system.serial), ["PF2ABCDE"]);
        assert_eq!(vals(&m.bios.vendor), ["LENOVO"]);
        assert_eq!(vals(&m.baseboard.serial), ["L1HF0AB01CD"]);
        assert_eq!(vals(&m.baseboard.product), ["20TBS57S00"]);
        assert_eq!(m.disks.len(), 2);
        assert_eq!(m.disks[1].index, Some(1));
        assert_eq!(vals(&m.disks[0].serial), ["S4EWNX0R123456T"]);
        assert_eq!(vals(&m.disks[1].serial), [""]);
        assert_eq!(vals(&m.disks[1].model), ["Kingston DataTraveler 3.0 USB"]);
        assert_eq!(m.disks[1].serial.0[0].source.line, Some(12));
    }

    #[test]
    fn another_command_ends_the_wmic_output() {
        let text = "C:\\>wmic baseboard get serialnumber\nSerialNumber\nABC123\n\nC:\\>ipconfig /all\n\n\
                    Windows IP Configuration\n\n   Host Name . . . : PC\n\nPS C:\\> wmic bios list brief\n\
                    Manufacturer  Name  SerialNumber  SMBIOSBIOSVersion  Version\n\
                    LENOVO        X     PF2ABCDE      R1EET55W           LENOVO - 1\n";
        // (Sniffed as ipconfig output, so the table extractor is called directly.)
        let doc = Document::from_text("t", "paste.txt", text);
        let mut m = Machine::default();
        super::super::apply_all(&doc, parse(&doc, None), &mut m);
        let vals = |f: &crate::facts::Field| f.values().map(|o| o.value.clone()).collect::<Vec<_>>();
        assert_eq!(vals(&m.baseboard.serial), ["ABC123"]);
        assert_eq!(vals(&m.system.serial), ["PF2ABCDE"]);
        assert_eq!(vals(&m.bios.version), ["R1EET55W"]);
    }

    #[test]
    fn cjk_values_are_cut_by_characters() {
        // wmic pads with one space per character, whatever its display width.
        let text = "Manufacturer  Product      SerialNumber  \n\
                    联想(北京)有限公司    LNVNB161216  PF2ABCDE      \n";
        let recs = records("Win32_BaseBoard.txt", text);
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].class, Some(WmiClass::BaseBoard));
        assert_eq!(value(&recs[0], "Manufacturer"), Some("联想(北京)有限公司"));
        assert_eq!(value(&recs[0], "Product"), Some("LNVNB161216"));
        assert_eq!(value(&recs[0], "SerialNumber"), Some("PF2ABCDE"));
    }

    #[test]
    fn short_rows_and_bad_headers_do_not_panic() {
        let recs = records("csproduct.txt", "IdentifyingNumber  Name  UUID\nX\n");
        assert_eq!(value(&recs[0], "IdentifyingNumber"), Some("X"));
        assert_eq!(value(&recs[0], "UUID"), Some(""));
        assert!(records("bios.txt", "ERROR:\nDescription = Invalid class\n").is_empty());
        assert_eq!(cut("联想", 1, Some(9)), "想");
        assert_eq!(cut("ab", 5, None), "");
    }
}
