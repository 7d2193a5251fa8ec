//! `dmidecode` text output → BIOS, system, baseboard and chassis facts (windows-facts.md §5.2).
//!
//! A record starts with `Handle 0x0002, DMI type 2, 15 bytes` (dmidecode 2.x adds a final
//! period), then the record name, then indented `Name: value` attributes; list items (BIOS
//! characteristics, board features) are indented one level deeper. dmidecode indents with tabs,
//! but dumps that went through Windows or a copy-paste use spaces, so levels are compared by
//! width, not by counting tabs. `dmidecode -q` drops the handle lines; the record name alone
//! then starts a record.
//!
//! Values are kept raw: everything after `": "`, trailing spaces included, so a whitespace-only
//! serial stays an observation of whitespace and an empty one an observation of "".

use super::formats::{Format, Recognise, Sample};
use super::platform::Platform;
use super::{Basis, Field, Machine, Source, Strength, VmSignal};
use crate::bundle::{Document, Kind, Reading};

/// The line dmidecode prints in the BIOS characteristics when SMBIOS says "virtual machine"
/// (BIOS characteristics extension byte 2, bit 4).
const VM_CHARACTERISTIC: &str = "System is a virtual machine";

/// The record being read.
struct Record {
    /// SMBIOS structure type, if the handle line (or the record name) told it.
    kind: Option<u8>,
    /// The record name line was seen (the next unindented line then ends the record).
    named: bool,
    /// Indent width of the record's attributes; deeper lines are list items.
    attr_indent: Option<usize>,
    /// A repeated record of a type where only the first one counts.
    skip: bool,
}

pub fn extract(doc: &Document, machine: &mut Machine) {
    let mut record: Option<Record> = None;
    // Types whose first record was already read.
    let mut seen: Vec<u8> = Vec::new();
    for (line_no, line) in doc.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let indent = indent_width(line);
        if indent == 0 {
            record = next_record(record, line.trim(), &mut seen);
            continue;
        }
        let Some(rec) = record.as_mut().filter(|r| !r.skip) else {
            continue;
        };
        let Some(kind) = rec.kind else {
            continue;
        };
        let attr_indent = *rec.attr_indent.get_or_insert(indent);
        let source = || Source::at(doc, line_no, line);
        if indent > attr_indent {
            if kind == 0 && line.trim() == VM_CHARACTERISTIC {
                machine.vm_hints.push(vm_bit_signal(source()));
            }
        } else if let Some((key, value)) = split_attribute(line.trim_start()) {
            if let Some(field) = field_for(machine, kind, key) {
                field.push(value, source());
            }
        }
    }
}

/// What an unindented line does to the current record: a handle line starts a new one, the
/// line after it names it, a known record name without a handle (`dmidecode -q`) starts one,
/// and anything else (headers, "End Of Table") ends it.
fn next_record(current: Option<Record>, line: &str, seen: &mut Vec<u8>) -> Option<Record> {
    if line.starts_with("Handle 0x") {
        return Some(start_record(handle_type(line), false, seen));
    }
    let named_kind = type_from_name(line);
    match current {
        Some(mut rec) if !rec.named => {
            rec.named = true;
            if rec.kind.is_none() && named_kind.is_some() {
                rec.kind = named_kind;
                rec.skip = is_repeat(rec.kind, seen);
            }
            Some(rec)
        }
        _ => named_kind.map(|k| start_record(Some(k), true, seen)),
    }
}

fn start_record(kind: Option<u8>, named: bool, seen: &mut Vec<u8>) -> Record {
    let skip = is_repeat(kind, seen);
    Record {
        kind,
        named,
        attr_indent: None,
        skip,
    }
}

/// Types 0, 1 and 3 describe the machine once: a second record of those types (a second
/// dump pasted into the same file, a blade chassis) would only add noise. Type 2 may
/// legitimately repeat (several boards), and each one is kept. Marks the type as seen.
fn is_repeat(kind: Option<u8>, seen: &mut Vec<u8>) -> bool {
    match kind {
        Some(k @ (0 | 1 | 3)) => {
            if seen.contains(&k) {
                return true;
            }
            seen.push(k);
            false
        }
        _ => false,
    }
}

/// `Handle 0x0002, DMI type 2, 15 bytes` → 2.
fn handle_type(line: &str) -> Option<u8> {
    let (_, rest) = line.split_once("DMI type ")?;
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

fn type_from_name(name: &str) -> Option<u8> {
    match name {
        "BIOS Information" => Some(0),
        "System Information" => Some(1),
        "Base Board Information" => Some(2),
        "Chassis Information" => Some(3),
        _ => None,
    }
}

/// Width of the leading whitespace, a tab counting to the next multiple of 8 (as a terminal
/// shows it), so tab- and space-indented dumps nest the same way.
fn indent_width(line: &str) -> usize {
    let mut width = 0;
    for c in line.chars() {
        match c {
            '\t' => width = (width / 8 + 1) * 8,
            ' ' => width += 1,
            _ => break,
        }
    }
    width
}

/// `Serial Number: X` → ("Serial Number", "X"). The single space dmidecode prints after the
/// colon is dropped, nothing else: `Serial Number:  ` gives " ", `Serial Number:` gives "".
fn split_attribute(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    Some((key.trim(), value.strip_prefix(' ').unwrap_or(value)))
}

/// The model field an attribute of a record type fills, if any.
fn field_for<'m>(machine: &'m mut Machine, kind: u8, key: &str) -> Option<&'m mut Field> {
    let field = match (kind, key) {
        (0, "Vendor") => &mut machine.bios.vendor,
        (0, "Version") => &mut machine.bios.version,
        (0, "Release Date") => &mut machine.bios.release_date,
        (1, "Manufacturer") => &mut machine.system.vendor,
        (1, "Product Name") => &mut machine.system.model,
        (1, "Version") => &mut machine.system.version,
        (1, "Serial Number") => &mut machine.system.serial,
        (1, "UUID") => &mut machine.system.uuid,
        (1, "SKU Number") => &mut machine.system.sku,
        (1, "Family") => &mut machine.system.family,
        (2, "Manufacturer") => &mut machine.baseboard.vendor,
        (2, "Product Name") => &mut machine.baseboard.product,
        (2, "Version") => &mut machine.baseboard.version,
        (2, "Serial Number") => &mut machine.baseboard.serial,
        (3, "Manufacturer") => &mut machine.chassis.vendor,
        (3, "Type") => &mut machine.chassis.kind,
        (3, "Serial Number") => &mut machine.chassis.serial,
        _ => return None,
    };
    Some(field)
}

/// The bit alone is medium: some physical firmware sets it (Lenovo A740, IBM 4810 dumps show
/// it). With a hypervisor's firmware strings the machine is virtual anyway, and with another
/// kind of medium signal the verdict is "likely" (`facts::virt::assess`).
fn vm_bit_signal(source: Source) -> VmSignal {
    VmSignal {
        hypervisor: "unknown".to_string(),
        strength: Strength::Medium,
        basis: Basis::VmBit,
        what_en: "SMBIOS BIOS characteristics say 'System is a virtual machine'".to_string(),
        what_zh: "SMBIOS 的 BIOS 特性标明“本系统是虚拟机”（System is a virtual machine）".to_string(),
        source,
    }
}

/// dmidecode output: its banner, a `Handle 0x…, DMI type` line, or the record names of
/// `dmidecode -q`.
pub(crate) const FORMAT: Format = Format {
    kind: Kind::new("dmidecode", Reading::Pasted),
    recognise: Recognise::text(is_dump),
    extract,
    platform: Some(Platform::Linux),
    codes: false,
};

fn is_dump(s: &Sample) -> bool {
    s.head
        .iter()
        .any(|l| is_banner(l) || (l.starts_with("Handle 0x") && l.contains("DMI type")))
        || is_quiet_dump(&s.head)
}

/// `dmidecode -q`: no banner, no handle lines, the record names alone as headings. Two
/// distinct record names, each followed by an attribute (`Vendor: …`), make a dump.
fn is_quiet_dump(head: &[&str]) -> bool {
    const RECORDS: &[&str] = &[
        "BIOS Information",
        "System Information",
        "Base Board Information",
        "Chassis Information",
        "Processor Information",
        "Memory Device",
    ];
    let mut seen: Vec<&str> = Vec::new();
    for pair in head.windows(2) {
        if RECORDS.contains(&pair[0]) && pair[1].contains(": ") && !seen.contains(&pair[0]) {
            seen.push(pair[0]);
        }
    }
    seen.len() >= 2
}

/// `# dmidecode 3.3`: the banner dmidecode prints, with its version (a README that merely
/// mentions dmidecode is not a dump).
pub(crate) fn is_banner(line: &str) -> bool {
    line.strip_prefix("# dmidecode ")
        .is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::placeholder::{self, Placeholder};

    fn load(name: &str, bytes: &[u8]) -> (Document, Machine) {
        let doc = Document::from_bytes("t", name, bytes);
        assert_eq!(
            doc.kind,
            crate::facts::formats::kind("dmidecode"),
            "{name} is not recognised as dmidecode"
        );
        let mut machine = Machine::default();
        extract(&doc, &mut machine);
        (doc, machine)
    }

    fn parse(text: &str) -> Machine {
        let doc = Document::from_text("t", "dmidecode.txt", text);
        let mut machine = Machine::default();
        extract(&doc, &mut machine);
        machine
    }

    fn vals(field: &Field) -> Vec<&str> {
        field.values().map(|o| o.value.as_str()).collect()
    }

    fn all_fields(m: &Machine) -> Vec<(&'static str, &Field)> {
        vec![
            ("bios.vendor", &m.bios.vendor),
            ("bios.version", &m.bios.version),
            ("bios.release_date", &m.bios.release_date),
            ("system.vendor", &m.system.vendor),
            ("system.model", &m.system.model),
            ("system.version", &m.system.version),
            ("system.serial", &m.system.serial),
            ("system.uuid", &m.system.uuid),
            ("system.sku", &m.system.sku),
            ("system.family", &m.system.family),
            ("baseboard.vendor", &m.baseboard.vendor),
            ("baseboard.product", &m.baseboard.product),
            ("baseboard.version", &m.baseboard.version),
            ("baseboard.serial", &m.baseboard.serial),
            ("chassis.vendor", &m.chassis.vendor),
            ("chassis.kind", &m.chassis.kind),
            ("chassis.serial", &m.chassis.serial),
        ]
    }

    #[test]
    fn qotom_ami_placeholders() {
        let (_, m) = load("Qotom_Q1900G4-M.txt", fixture!("dmidecode/Qotom_Q1900G4-M.txt"));
        assert_eq!(vals(&m.system.vendor), ["To be filled by O.E.M."]);
        assert_eq!(vals(&m.system.serial), ["To be filled by O.E.M."]);
        assert_eq!(vals(&m.system.uuid), ["03000200-0400-0500-0006-000700080009"]);
        assert_eq!(vals(&m.baseboard.vendor), ["AMI Corporation"]);
        assert_eq!(vals(&m.baseboard.product), ["Aptio CRB"]);
        assert_eq!(vals(&m.baseboard.serial), ["To be filled by O.E.M."]);
        assert_eq!(vals(&m.chassis.serial), ["To Be Filled By O.E.M."]);
        assert_eq!(vals(&m.bios.vendor), ["American Megatrends Inc."]);
        assert_eq!(vals(&m.bios.version), ["CLBTM210"]);
        assert_eq!(
            placeholder::serial("To be filled by O.E.M."),
            Some(Placeholder::OemString)
        );
        assert!(placeholder::uuid(&m.system.uuid.0[0].value).is_some());
        assert!(m.vm_hints.is_empty());
    }

    #[test]
    fn gigabyte_whitespace_serials_are_kept_raw() {
        let (_, m) = load("Gigabyte_H61M-DS2.txt", fixture!("dmidecode/Gigabyte_H61M-DS2.txt"));
        assert_eq!(vals(&m.system.vendor), ["Gigabyte Technology Co., Ltd."]);
        assert_eq!(vals(&m.system.model), ["H61M-DS2"]);
        for (name, field) in [
            ("system.serial", &m.system.serial),
            ("baseboard.serial", &m.baseboard.serial),
            ("chassis.serial", &m.chassis.serial),
        ] {
            assert_eq!(vals(field), [" "], "{name}");
            assert_eq!(
                placeholder::serial(&field.0[0].value),
                Some(Placeholder::Empty),
                "{name}"
            );
        }
        assert_eq!(vals(&m.system.uuid), ["Not Present"]);
        assert_eq!(vals(&m.bios.vendor), ["Award Software International, Inc."]);
        assert_eq!(vals(&m.bios.version), ["F4"]);
        assert_eq!(vals(&m.chassis.kind), ["Desktop"]);
    }

    #[test]
    fn asustek_placeholder_system_real_board() {
        let (_, m) = load("ASUSTeK_P5Q.txt", fixture!("dmidecode/ASUSTeK_P5Q.txt"));
        assert_eq!(vals(&m.system.vendor), ["System manufacturer"]);
        assert_eq!(vals(&m.system.model), ["System Product Name"]);
        assert_eq!(vals(&m.system.serial), ["System Serial Number"]);
        assert_eq!(vals(&m.system.sku), ["To Be Filled By O.E.M."]);
        assert_eq!(vals(&m.baseboard.vendor), ["ASUSTeK Computer INC."]);
        assert_eq!(vals(&m.baseboard.product), ["P5Q"]);
        assert_eq!(vals(&m.baseboard.serial), ["MS1C93BB0H00980"]);
        assert_eq!(placeholder::serial("MS1C93BB0H00980"), None);
        // The BIOS version line carries trailing spaces in the dump; they are kept.
        assert_eq!(vals(&m.bios.version), ["2102   "]);
        assert_eq!(vals(&m.chassis.serial), ["Chassis Serial Number"]);
    }

    #[test]
    fn hyperv_space_indented_dump_and_vm_bit() {
        let (doc, m) = load(
            "Microsoft_Virtual-Machine-HyperV-2019.txt",
            fixture!("dmidecode/Microsoft_Virtual-Machine-HyperV-2019.txt"),
        );
        assert_eq!(vals(&m.system.vendor), ["Microsoft Corporation"]);
        assert_eq!(vals(&m.system.model), ["Virtual Machine"]);
        assert_eq!(vals(&m.system.serial), ["3135-4298-3414-7021-8716-7514-85"]);
        assert_eq!(vals(&m.system.uuid), ["f78a0579-5bf5-4de9-a5c7-b5ad2023449b"]);
        assert_eq!(vals(&m.baseboard.serial), ["3135-4298-3414-7021-8716-7514-85"]);
        assert_eq!(vals(&m.baseboard.product), ["Virtual Machine"]);
        // "BIOS Revision" follows the characteristics list: the list ends, attributes go on.
        assert_eq!(vals(&m.bios.version), ["Hyper-V UEFI Release v4.0"]);
        assert_eq!(vals(&m.chassis.kind), ["Desktop"]);
        assert_eq!(m.vm_hints.len(), 1);
        let hint = &m.vm_hints[0];
        assert_eq!(hint.strength, Strength::Medium);
        assert_eq!(hint.hypervisor, "unknown");
        assert_eq!(hint.source.line, Some(18));
        assert_eq!(doc.line(18).map(str::trim), Some(VM_CHARACTERISTIC));
    }

    #[test]
    fn vmware_old_dmidecode() {
        let (_, m) = load(
            "VMware_Virtual-Platform.txt",
            fixture!("dmidecode/VMware_Virtual-Platform.txt"),
        );
        assert_eq!(vals(&m.system.vendor), ["VMware, Inc."]);
        assert_eq!(vals(&m.system.model), ["VMware Virtual Platform"]);
        assert_eq!(
            vals(&m.system.serial),
            ["VMware-50 0c 23 94 04 63 a1 3c-0d d4 f5 37 a6 bb f0 a6"]
        );
        assert_eq!(vals(&m.baseboard.vendor), ["Intel Corporation"]);
        assert_eq!(vals(&m.baseboard.product), ["440BX Desktop Reference Platform"]);
        assert_eq!(vals(&m.baseboard.serial), ["None"]);
        assert_eq!(vals(&m.chassis.vendor), ["No Enclosure"]);
        assert_eq!(vals(&m.chassis.kind), ["Other"]);
        assert_eq!(vals(&m.bios.vendor), ["Phoenix Technologies LTD"]);
        // This old BIOS has no "virtual machine" characteristic bit.
        assert!(m.vm_hints.is_empty());
    }

    #[test]
    fn dell_r640_server() {
        let (_, m) = load("Dell_PowerEdge-R640.txt", fixture!("dmidecode/Dell_PowerEdge-R640.txt"));
        assert_eq!(vals(&m.system.vendor), ["Dell Inc."]);
        assert_eq!(vals(&m.system.model), ["PowerEdge R640"]);
        assert_eq!(vals(&m.system.serial), ["2RJF153"]);
        assert_eq!(vals(&m.system.uuid), ["4C4C4544-0052-4A10-8046-B2C04F313533"]);
        assert_eq!(vals(&m.system.sku), ["SKU=NotProvided;ModelName=PowerEdge R640"]);
        assert_eq!(vals(&m.system.family), ["PowerEdge"]);
        assert_eq!(vals(&m.baseboard.product), ["06NR82"]);
        assert_eq!(vals(&m.baseboard.serial), [".2RJF153.CNIVC0005G0184."]);
        assert_eq!(vals(&m.chassis.kind), ["Rack Mount Chassis"]);
        assert_eq!(vals(&m.bios.release_date), ["04/09/2020"]);
        assert!(m.vm_hints.is_empty());
    }

    #[test]
    fn hp_zbook_laptop() {
        let (_, m) = load("HP_ZBook-15-G5.txt", fixture!("dmidecode/HP_ZBook-15-G5.txt"));
        assert_eq!(vals(&m.system.vendor), ["HP"]);
        assert_eq!(vals(&m.system.model), ["HP ZBook 15 G5"]);
        assert_eq!(vals(&m.system.serial), ["5CD8484V89"]);
        assert_eq!(vals(&m.system.version), [" "]);
        assert_eq!(vals(&m.baseboard.product), ["842A"]);
        assert_eq!(vals(&m.baseboard.serial), ["PHMYU018JBJ02F"]);
        assert_eq!(vals(&m.chassis.kind), ["Notebook"]);
        assert_eq!(vals(&m.bios.version), ["Q70 Ver. 01.04.02"]);
    }

    #[test]
    fn sources_point_at_their_lines() {
        let (doc, m) = load("Dell_PowerEdge-R640.txt", fixture!("dmidecode/Dell_PowerEdge-R640.txt"));
        let serial = &m.baseboard.serial.0[0].source;
        assert_eq!(serial.line, Some(63));
        assert_eq!(serial.text, "Serial Number: .2RJF153.CNIVC0005G0184.");
        assert_eq!(doc.line(63).map(str::trim), Some(serial.text.as_str()));
        assert_eq!(
            (serial.input.as_str(), serial.path.as_str()),
            ("t", "Dell_PowerEdge-R640.txt")
        );

        let all = [
            load("Qotom_Q1900G4-M.txt", fixture!("dmidecode/Qotom_Q1900G4-M.txt")),
            load("Gigabyte_H61M-DS2.txt", fixture!("dmidecode/Gigabyte_H61M-DS2.txt")),
            load("ASUSTeK_P5Q.txt", fixture!("dmidecode/ASUSTeK_P5Q.txt")),
            load(
                "Microsoft_Virtual-Machine-HyperV-2019.txt",
                fixture!("dmidecode/Microsoft_Virtual-Machine-HyperV-2019.txt"),
            ),
            load(
                "VMware_Virtual-Platform.txt",
                fixture!("dmidecode/VMware_Virtual-Platform.txt"),
            ),
            load("Dell_PowerEdge-R640.txt", fixture!("dmidecode/Dell_PowerEdge-R640.txt")),
            load("HP_ZBook-15-G5.txt", fixture!("dmidecode/HP_ZBook-15-G5.txt")),
        ];
        for (doc, m) in &all {
            for (name, field) in all_fields(m) {
                // Every fixture has exactly one record of types 0-3, each with every attribute.
                assert_eq!(field.0.len(), 1, "{} {name}", doc.path);
                let obs = &field.0[0];
                let line = obs.source.line.and_then(|n| doc.line(n)).unwrap_or_default();
                assert_eq!(line.trim(), obs.source.text, "{} {name}", doc.path);
                assert!(line.ends_with(&obs.value), "{} {name}: {line:?}", doc.path);
            }
        }
    }

    #[test]
    fn empty_and_whitespace_values() {
        let m = parse(
            "Handle 0x0002, DMI type 2, 15 bytes\nBase Board Information\n\tManufacturer: X\n\tSerial Number:\n\n\
             Handle 0x0001, DMI type 1, 27 bytes\nSystem Information\n\tSerial Number: \n\tUUID:   \n",
        );
        assert_eq!(vals(&m.baseboard.serial), [""]);
        assert_eq!(vals(&m.system.serial), [""]);
        assert_eq!(vals(&m.system.uuid), ["  "]);
    }

    #[test]
    fn every_board_but_only_first_system() {
        let m = parse(
            "Handle 0x0001, DMI type 1, 27 bytes\nSystem Information\n\tSerial Number: FIRST\n\n\
             Handle 0x0002, DMI type 2, 15 bytes\nBase Board Information\n\tSerial Number: B1\n\n\
             Handle 0x0003, DMI type 2, 15 bytes\nBase Board Information\n\tSerial Number: B2\n\n\
             Handle 0x0004, DMI type 1, 27 bytes\nSystem Information\n\tSerial Number: SECOND\n",
        );
        assert_eq!(vals(&m.system.serial), ["FIRST"]);
        assert_eq!(vals(&m.baseboard.serial), ["B1", "B2"]);
    }

    #[test]
    fn quiet_output_without_handles() {
        let m = parse("System Information\n\tManufacturer: Dell Inc.\n\tSerial Number: 2RJF153\n\nBase Board Information\n\tSerial Number: Q\n");
        assert_eq!(vals(&m.system.serial), ["2RJF153"]);
        assert_eq!(vals(&m.baseboard.serial), ["Q"]);
    }

    #[test]
    fn vm_bit_only_in_bios_characteristics() {
        let m = parse(
            "Handle 0x0000, DMI type 0, 26 bytes\nBIOS Information\n\tCharacteristics:\n\t\tSystem is a virtual machine\n\n\
             Handle 0x0001, DMI type 4, 26 bytes\nProcessor Information\n\tFlags:\n\t\tSystem is a virtual machine\n",
        );
        assert_eq!(m.vm_hints.len(), 1);
        assert_eq!(m.vm_hints[0].source.line, Some(4));
    }

    #[test]
    fn odd_input_never_panics() {
        for text in [
            "Handle 0x",
            "Handle 0xZZ, DMI type 99999999999, x bytes\n\tSerial Number: a",
            "\t\t\tSerial Number: orphan\n",
            "Handle 0x0001, DMI type 1\n\tSerial Number: 序列号\u{1F600}\n\t:\n\t\t:",
            "",
        ] {
            let _ = parse(text);
        }
        let m = parse("\tSerial Number: orphan\n");
        assert!(!m.system.serial.is_known());
    }
}
