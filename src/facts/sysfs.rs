//! Linux `/sys/class/dmi/id/*` → system, baseboard, chassis and BIOS facts (windows-facts.md §5.1).
//!
//! Two shapes reach us:
//! - one file per attribute (`.../dmi/id/board_serial`, or `board_serial.txt` as a collector
//!   saved it): the value is the content without its final newline;
//! - a listing from `grep . /sys/class/dmi/id/*` or `grep -r . /sys/class/dmi/id/`: lines
//!   `/sys/class/dmi/id/<attr>:<value>`;
//! - `head /sys/class/dmi/id/*`: a `==> /sys/class/dmi/id/<attr> <==` line, the value on the
//!   next line, a blank line before the next section (a file head could not open has none).
//!
//! The serial files are root-only. A collector run as a normal user leaves either an empty file
//! (`cat ... 2>/dev/null`) or the error text (`cat ... 2>&1`): neither is a value, so neither is
//! recorded. The kernel itself always writes at least "\n", which is an empty-string value.

use super::formats::{Format, Recognise, Sample};
use super::platform::Platform;
use super::{Field, Machine, Source};
use crate::bundle::{Document, Kind, Reading};

const DMI_DIR: &str = "/sys/class/dmi/id/";

/// Text a failed `cat`/`grep` leaves where a value should be.
const DENIED: &str = "Permission denied";

/// What `head` prints before each file's lines.
const HEAD_SECTION: &str = "==> /sys/class/dmi/id/";

pub fn extract(doc: &Document, machine: &mut Machine) {
    if doc.lines().any(|(_, line)| line.starts_with(HEAD_SECTION)) {
        extract_head(doc, machine);
    } else if doc.lines().any(|(_, line)| line.trim_start().starts_with(DMI_DIR)) {
        extract_listing(doc, machine);
    } else if let Some(attr) = sysfs_attr(&doc.path) {
        extract_single(doc, attr, machine);
    }
}

/// One attribute file. Its value is its first line: the kernel writes `"%s\n"`, so a file
/// holding only "\n" is an observed empty string, while a zero-byte file is a failed read.
fn extract_single(doc: &Document, attr: &str, machine: &mut Machine) {
    let Some(text) = doc.text.as_ref() else {
        return;
    };
    if text.text.is_empty() || text.text.contains(DENIED) {
        return;
    }
    // Prefer the first non-empty line, in case a tool wrapped the value in blank lines.
    let Some((line_no, line)) = doc.lines().find(|(_, l)| !l.is_empty()).or_else(|| doc.lines().next()) else {
        return;
    };
    if let Some(field) = field_for(machine, attr) {
        field.push(line, Source::at(doc, line_no, line));
    }
}

/// A `grep`-style listing. Lines that are not `/sys/class/dmi/id/<attr>:` (grep's own error
/// messages, `power/…` files from `grep -r`, attributes we do not model) are skipped.
fn extract_listing(doc: &Document, machine: &mut Machine) {
    let entries: Vec<(usize, &str, &str, &str)> = doc
        .lines()
        .filter_map(|(n, line)| {
            let rest = line.trim_start().strip_prefix(DMI_DIR)?;
            let (attr, value) = rest.split_once(':')?;
            Some((n, line, attr, value))
        })
        .collect();
    // `for f in /sys/class/dmi/id/*; do echo "$f: $(cat $f)"; done` puts one space after
    // every colon; grep never does, and real values (chassis_type, bios_date) do not all
    // start with a space. When every value does, the space is the separator's.
    let echo_style = entries.len() >= 2 && entries.iter().all(|(_, _, _, v)| v.starts_with(' '));
    for (line_no, line, attr, value) in entries {
        let value = if echo_style {
            value.strip_prefix(' ').unwrap_or(value)
        } else {
            value
        };
        if value.contains(DENIED) {
            continue;
        }
        if let Some(field) = field_for(machine, attr) {
            field.push(value, Source::at(doc, line_no, line));
        }
    }
}

/// `head` output: the line after each section header is that attribute's value (an empty
/// line is the empty string the kernel writes; a header right after a header is a file head
/// could not read).
fn extract_head(doc: &Document, machine: &mut Machine) {
    let mut attr: Option<&str> = None;
    for (line_no, line) in doc.lines() {
        if let Some(rest) = line.strip_prefix(HEAD_SECTION) {
            attr = rest.strip_suffix(" <==").map(str::trim);
            continue;
        }
        let Some(a) = attr.take() else { continue };
        if line.contains(DENIED) {
            continue;
        }
        if let Some(field) = field_for(machine, a) {
            field.push(line, Source::at(doc, line_no, line));
        }
    }
}

/// The model field a sysfs attribute fills, if any.
fn field_for<'m>(machine: &'m mut Machine, attr: &str) -> Option<&'m mut Field> {
    let field = match attr {
        "sys_vendor" => &mut machine.system.vendor,
        "product_name" => &mut machine.system.model,
        "product_serial" => &mut machine.system.serial,
        "product_uuid" => &mut machine.system.uuid,
        "product_version" => &mut machine.system.version,
        "product_sku" => &mut machine.system.sku,
        "product_family" => &mut machine.system.family,
        "board_vendor" => &mut machine.baseboard.vendor,
        "board_name" => &mut machine.baseboard.product,
        "board_version" => &mut machine.baseboard.version,
        "board_serial" => &mut machine.baseboard.serial,
        "chassis_vendor" => &mut machine.chassis.vendor,
        "chassis_type" => &mut machine.chassis.kind,
        "chassis_serial" => &mut machine.chassis.serial,
        "bios_vendor" => &mut machine.bios.vendor,
        "bios_version" => &mut machine.bios.version,
        "bios_date" => &mut machine.bios.release_date,
        _ => return None,
    };
    Some(field)
}

/// `/sys/class/dmi/id` attributes: a listing (`grep`, `head`) or one attribute's file.
pub(crate) const FORMAT: Format = Format {
    kind: Kind::new("sysfs-dmi", Reading::Pasted),
    recognise: Recognise::text(is_sysfs),
    extract,
    platform: Some(Platform::Linux),
    codes: false,
};

fn is_sysfs(s: &Sample) -> bool {
    s.head
        .iter()
        .any(|l| (l.starts_with(DMI_DIR) && l.contains(':')) || l.starts_with(HEAD_SECTION))
        || (sysfs_attr(s.path).is_some() && s.head.len() <= 1)
}

const SYSFS_ATTRS: &[&str] = &[
    "bios_vendor",
    "bios_version",
    "bios_date",
    "bios_release",
    "sys_vendor",
    "product_name",
    "product_version",
    "product_serial",
    "product_uuid",
    "product_sku",
    "product_family",
    "board_vendor",
    "board_name",
    "board_version",
    "board_serial",
    "board_asset_tag",
    "chassis_vendor",
    "chassis_type",
    "chassis_version",
    "chassis_serial",
    "chassis_asset_tag",
];

/// The sysfs attribute a path names, if any (`.../dmi/id/board_serial`, `board_serial.txt`).
pub fn sysfs_attr(path: &str) -> Option<&'static str> {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let stem = name.strip_suffix(".txt").unwrap_or(name);
    SYSFS_ATTRS.iter().copied().find(|a| *a == stem)
}

#[cfg(test)]
mod tests {
    //! No real `/sys/class/dmi/id` dump is available (tests/fixtures/dmidecode/README.md), so
    //! these inputs are hand-made, with the values of the Dell PowerEdge R640 dmidecode dump
    //! (tests/fixtures/dmidecode/Dell_PowerEdge-R640.txt) as the kernel would print them.
    use super::*;

    fn doc(path: &str, data: &[u8]) -> Document {
        let doc = Document::from_bytes("t", path, data);
        assert_eq!(
            doc.kind,
            crate::facts::formats::kind("sysfs-dmi"),
            "{path} is not recognised as sysfs"
        );
        doc
    }

    fn run(path: &str, data: &[u8]) -> Machine {
        let mut machine = Machine::default();
        extract(&doc(path, data), &mut machine);
        machine
    }

    fn vals(field: &Field) -> Vec<&str> {
        field.values().map(|o| o.value.as_str()).collect()
    }

    const GREP_LISTING: &str = "\
/sys/class/dmi/id/bios_date:04/09/2020
/sys/class/dmi/id/bios_vendor:Dell Inc.
/sys/class/dmi/id/bios_version:2.6.4
/sys/class/dmi/id/board_name:06NR82
/sys/class/dmi/id/board_serial:.2RJF153.CNIVC0005G0184.
/sys/class/dmi/id/board_vendor:Dell Inc.
/sys/class/dmi/id/board_version:A03
/sys/class/dmi/id/chassis_serial:2RJF153
/sys/class/dmi/id/chassis_type:23
/sys/class/dmi/id/chassis_vendor:Dell Inc.
/sys/class/dmi/id/modalias:dmi:bvnDellInc.:bvr2.6.4:bd04/09/2020:svnDellInc.:pnPowerEdgeR640:
/sys/class/dmi/id/power/control:auto
/sys/class/dmi/id/product_family:PowerEdge
/sys/class/dmi/id/product_name:PowerEdge R640
/sys/class/dmi/id/product_serial:2RJF153
/sys/class/dmi/id/product_sku:SKU=NotProvided;ModelName=PowerEdge R640
/sys/class/dmi/id/product_uuid:4c4c4544-0052-4a10-8046-b2c04f313533
/sys/class/dmi/id/sys_vendor:Dell Inc.
/sys/class/dmi/id/uevent:MODALIAS=dmi:bvnDellInc.:bvr2.6.4:
";

    #[test]
    fn grep_listing_fills_every_attribute() {
        let m = run("dmi.txt", GREP_LISTING.as_bytes());
        assert_eq!(vals(&m.bios.release_date), ["04/09/2020"]);
        assert_eq!(vals(&m.bios.vendor), ["Dell Inc."]);
        assert_eq!(vals(&m.bios.version), ["2.6.4"]);
        assert_eq!(vals(&m.baseboard.product), ["06NR82"]);
        assert_eq!(vals(&m.baseboard.serial), [".2RJF153.CNIVC0005G0184."]);
        assert_eq!(vals(&m.baseboard.vendor), ["Dell Inc."]);
        assert_eq!(vals(&m.baseboard.version), ["A03"]);
        assert_eq!(vals(&m.chassis.serial), ["2RJF153"]);
        assert_eq!(vals(&m.chassis.kind), ["23"]);
        assert_eq!(vals(&m.chassis.vendor), ["Dell Inc."]);
        assert_eq!(vals(&m.system.family), ["PowerEdge"]);
        assert_eq!(vals(&m.system.model), ["PowerEdge R640"]);
        assert_eq!(vals(&m.system.serial), ["2RJF153"]);
        assert_eq!(vals(&m.system.sku), ["SKU=NotProvided;ModelName=PowerEdge R640"]);
        assert_eq!(vals(&m.system.uuid), ["4c4c4544-0052-4a10-8046-b2c04f313533"]);
        assert_eq!(vals(&m.system.vendor), ["Dell Inc."]);
        // Absent from the listing (grep . skips empty files): not observed.
        assert!(!m.system.version.is_known());
    }

    #[test]
    fn listing_sources_point_at_their_lines() {
        let d = doc("dmi.txt", GREP_LISTING.as_bytes());
        let mut m = Machine::default();
        extract(&d, &mut m);
        let src = &m.baseboard.serial.0[0].source;
        assert_eq!(src.line, Some(5));
        assert_eq!(d.line(5), Some(src.text.as_str()));
        assert_eq!(src.text, "/sys/class/dmi/id/board_serial:.2RJF153.CNIVC0005G0184.");
    }

    #[test]
    fn non_root_grep_errors_are_not_values() {
        let text = "grep: /sys/class/dmi/id/board_serial: Permission denied\n\
                    /sys/class/dmi/id/board_vendor:Dell Inc.\n\
                    /sys/class/dmi/id/product_serial:cat: /sys/class/dmi/id/product_serial: Permission denied\n";
        let m = run("dmi.txt", text.as_bytes());
        assert!(!m.baseboard.serial.is_known());
        assert!(!m.system.serial.is_known());
        assert_eq!(vals(&m.baseboard.vendor), ["Dell Inc."]);
    }

    #[test]
    fn echo_style_listing_drops_the_separator_space() {
        let text = "/sys/class/dmi/id/board_serial: .2RJF153.CNIVC0005G0184.\n/sys/class/dmi/id/chassis_type: 23\n";
        let m = run("dmi.txt", text.as_bytes());
        assert_eq!(vals(&m.baseboard.serial), [".2RJF153.CNIVC0005G0184."]);
        assert_eq!(vals(&m.chassis.kind), ["23"]);
    }

    #[test]
    fn single_attribute_files() {
        let m = run("dmi/id/board_serial", b".2RJF153.CNIVC0005G0184.\n");
        assert_eq!(vals(&m.baseboard.serial), [".2RJF153.CNIVC0005G0184."]);
        assert_eq!(m.baseboard.serial.0[0].source.line, Some(1));

        let m = run("product_serial.txt", b"2RJF153\n");
        assert_eq!(vals(&m.system.serial), ["2RJF153"]);

        // Trailing spaces are part of the SMBIOS string and are kept.
        let m = run("product_name.txt", b"PowerEdge R640  \n");
        assert_eq!(vals(&m.system.model), ["PowerEdge R640  "]);

        // Saved from Windows with CRLF.
        let m = run("board_name.txt", b"06NR82\r\n");
        assert_eq!(vals(&m.baseboard.product), ["06NR82"]);
    }

    #[test]
    fn newline_only_file_is_an_empty_value() {
        // Dell leaves the system version string absent ("Not Specified" in dmidecode).
        let m = run("product_version", b"\n");
        assert_eq!(vals(&m.system.version), [""]);
    }

    #[test]
    fn failed_reads_are_not_values() {
        let m = run("board_serial.txt", b"");
        assert!(!m.baseboard.serial.is_known());
        let m = run(
            "board_serial.txt",
            b"cat: /sys/class/dmi/id/board_serial: Permission denied\n",
        );
        assert!(!m.baseboard.serial.is_known());
    }

    #[test]
    fn unmodelled_attribute_file_is_ignored() {
        let m = run("board_asset_tag", b"Not Specified\n");
        assert_eq!(m, Machine::default());
    }
}
