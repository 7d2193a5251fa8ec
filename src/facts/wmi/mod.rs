//! WMI output in its three shapes: `wmic ... get /format:list`, `wmic ... get` tables, and
//! PowerShell `ConvertTo-Json` of CIM instances (windows-facts.md §1.6).
//!
//! Each parser turns a document into [`Record`]s (one per WMI instance, every property with its
//! line), and one mapper (`classes`) applies records of known classes to the [`Machine`]. The
//! parsers know nothing about classes beyond naming them; the mapper knows nothing of formats.

mod classes;
mod json;
mod licensing;
mod list;
mod table;

pub(crate) use json::FORMAT as PS_JSON;
pub(crate) use list::FORMAT as WMIC_LIST;
pub(crate) use table::FORMAT as WMIC_TABLE;

use super::{Machine, Source};
use crate::bundle::{Document, WmiClass};

/// One property of one instance, as printed.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Prop {
    pub key: String,
    /// The value as the tool printed it (trailing spaces kept in list and JSON output; arrays
    /// joined with `,`; an empty string when the tool printed nothing or `null`).
    pub value: String,
    /// 1-based line in the original file, for evidence.
    pub line: usize,
}

/// One WMI instance.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Record {
    /// `None` when the class could not be told; such records are ignored.
    pub class: Option<WmiClass>,
    pub props: Vec<Prop>,
    /// The secret properties the instance had, without their values.
    pub secrets: Vec<Secret>,
}

/// A property that holds a full product key: only whether a value was printed, and where.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Secret {
    pub key: String,
    pub present: bool,
    pub line: usize,
}

impl Record {
    /// Builds a record and settles its class: the class the record names itself
    /// (`CreationClassName`, `__CLASS`), else the class of its context (file name, pasted
    /// command), else what its property names suggest.
    pub fn new(props: Vec<Prop>, named: Option<&str>, context: Option<WmiClass>) -> Record {
        let named = named
            .or_else(|| props.iter().find(|p| is_class_key(&p.key)).map(|p| p.value.as_str()))
            .map(str::trim)
            .filter(|n| !n.is_empty());
        let class = match named {
            // A record that names an unknown class (Win32_PhysicalMemory...) is not guessed at.
            Some(name) => class_from_name(name),
            None => context.or_else(|| WmiClass::from_keys(props.iter().map(|p| p.key.as_str()))),
        };
        let (secret, props): (Vec<Prop>, Vec<Prop>) = props.into_iter().partition(|p| is_secret_key(&p.key));
        let secrets = secret
            .into_iter()
            .map(|p| Secret {
                present: !p.value.trim().is_empty(),
                key: p.key,
                line: p.line,
            })
            .collect();
        Record { class, props, secrets }
    }

    /// Whether the instance printed a value for this secret property (`None`: not printed).
    pub fn secret(&self, key: &str) -> Option<&Secret> {
        self.secrets.iter().find(|s| s.key.eq_ignore_ascii_case(key))
    }

    /// The property with this name (WMI names are case-insensitive).
    pub fn get(&self, key: &str) -> Option<&Prop> {
        self.props.iter().find(|p| p.key.eq_ignore_ascii_case(key))
    }

    /// The first of these properties whose value is not blank, else the first one present.
    pub fn best_of(&self, keys: &[&str]) -> Option<&Prop> {
        let present = || keys.iter().filter_map(|k| self.get(k));
        present()
            .find(|p| !p.value.trim().is_empty())
            .or_else(|| present().next())
    }

    /// The value of a property, trimmed, if present and not blank.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.get(key).map(|p| p.value.trim()).filter(|v| !v.is_empty())
    }
}

fn is_class_key(key: &str) -> bool {
    key.eq_ignore_ascii_case("CreationClassName") || key.eq_ignore_ascii_case("__CLASS")
}

/// Full product keys never enter the model, nor even a record (SoftwareLicensingService's
/// OA3xOriginalProductKey is the machine's OEM key).
fn is_secret_key(key: &str) -> bool {
    key.eq_ignore_ascii_case("ProductKey") || key.eq_ignore_ascii_case("OA3xOriginalProductKey")
}

/// `WmiClass::from_class_name`, plus the typed variants that `Get-PnpDeviceProperty` returns
/// without `Select-Object` (`Win32_PnPDevicePropertyBoolean`, `...String`, ...).
fn class_from_name(name: &str) -> Option<WmiClass> {
    let short = name.rsplit(['/', '\\', ':']).next().unwrap_or(name);
    if short.to_ascii_lowercase().starts_with("win32_pnpdeviceproperty") {
        return Some(WmiClass::PnpDeviceProperty);
    }
    WmiClass::from_class_name(name)
}

/// A document's lines by number, so that every source can carry its line's text.
pub(super) struct Ctx<'a> {
    doc: &'a Document,
    lines: Vec<&'a str>,
}

impl<'a> Ctx<'a> {
    fn new(doc: &'a Document) -> Ctx<'a> {
        Ctx {
            doc,
            lines: doc.lines().map(|(_, l)| l).collect(),
        }
    }

    /// The source of a 1-based line (a line past the end gets an empty text, never a panic).
    pub fn source(&self, line: usize) -> Source {
        let text = line
            .checked_sub(1)
            .and_then(|i| self.lines.get(i))
            .copied()
            .unwrap_or("");
        Source::at(self.doc, line, text)
    }
}

pub(super) fn apply_all(doc: &Document, records: Vec<Record>, machine: &mut Machine) {
    let cx = Ctx::new(doc);
    for record in &records {
        classes::apply(record, &cx, machine);
    }
}

/// The class of the text before the first pasted `wmic ... get` command: the file name's hint
/// when the file holds such commands (the kind's class then came from the first of them), else
/// the class the caller gave.
fn leading_class(doc: &Document, class: Option<WmiClass>) -> Option<WmiClass> {
    let has_commands = doc.lines().any(|(_, l)| wmic_command_alias(l).is_some());
    if has_commands {
        WmiClass::from_file_name(&doc.path)
    } else {
        class
    }
}

/// The class of the lines after a pasted command line: a `wmic` command names a class we read
/// or one we do not (`wmic memorychip get serialnumber` must not be taken for a baseboard by
/// its keys); any other command at a prompt (`C:\>systeminfo`) ends the wmic output before it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Segment {
    Context(Option<WmiClass>),
    Unread,
}

impl Segment {
    /// The segment a line starts, if it is a command line.
    fn starts_at(line: &str) -> Option<Segment> {
        if let Some(alias) = wmic_command_alias(line).or_else(|| wmic_list_alias(line)) {
            return Some(match WmiClass::from_wmic_alias(alias) {
                Some(c) => Segment::Context(Some(c)),
                None => Segment::Unread,
            });
        }
        prompt_command(line)
            .is_some_and(|c| !c.is_empty())
            .then_some(Segment::Unread)
    }
}

/// `wmic bios list full` → `bios` (list format without `get`).
fn wmic_list_alias(line: &str) -> Option<&str> {
    let lower = line.to_ascii_lowercase();
    let at = lower.find("wmic ")?;
    let rest = line.get(at + 5..)?;
    let mut words = rest.split_whitespace().filter(|w| !w.starts_with('/'));
    let first = words.next()?;
    let (alias, verb) = if first.eq_ignore_ascii_case("path") {
        (words.next()?, words.next()?)
    } else {
        (first, words.next()?)
    };
    verb.eq_ignore_ascii_case("list").then_some(alias)
}

/// The command typed at a cmd or PowerShell prompt (`C:\Users\a>ipconfig`, `PS C:\> dir`),
/// empty for a bare prompt; `None` when the line is not a prompt.
fn prompt_command(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let t = t.strip_prefix("PS ").unwrap_or(t);
    let b = t.as_bytes();
    let drive = b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\';
    if !drive {
        return None;
    }
    t.split_once('>').map(|(_, cmd)| cmd.trim())
}

/// `C:\>wmic baseboard get serialnumber` → `baseboard`; `wmic path Win32_BIOS get ...` → `Win32_BIOS`.
pub fn wmic_command_alias(line: &str) -> Option<&str> {
    let lower = line.to_ascii_lowercase();
    let at = lower.find("wmic ")?;
    let rest = &line[at + 5..];
    let mut words = rest.split_whitespace().filter(|w| !w.starts_with('/'));
    let first = words.next()?;
    let alias = if first.eq_ignore_ascii_case("path") {
        words.next()?
    } else {
        first
    };
    rest.to_ascii_lowercase().contains(" get").then_some(alias)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(name: &str, bytes: &[u8]) -> Document {
        Document::from_bytes("t", name, bytes)
    }

    fn run(docs: &[Document]) -> Machine {
        let mut m = Machine::default();
        for d in docs {
            crate::facts::extract_one(d, &mut m);
        }
        m
    }

    fn values(f: &crate::facts::Field) -> Vec<&str> {
        f.values().map(|o| o.value.as_str()).collect()
    }

    #[test]
    fn lenovo_computer_system() {
        let doc = load(
            "glpi-agent_11-AzureAD-Win32_ComputerSystem.wmi",
            fixture!("wmi/glpi-agent_11-AzureAD-Win32_ComputerSystem.wmi"),
        );
        assert_eq!(
            doc.kind,
            crate::facts::formats::kind("wmic-list").with_class(Some(WmiClass::ComputerSystem))
        );
        let m = run(&[doc]);
        assert_eq!(values(&m.system.vendor), ["LENOVO"]);
        assert_eq!(values(&m.system.model), ["20TBS57S00"]);
        assert_eq!(values(&m.system.family), ["ThinkPad E14 Gen 2"]);
        assert_eq!(values(&m.system.sku), ["LENOVO_MT_20TB_BU_Think_FM_ThinkPad E14 Gen 2"]);
        assert_eq!(m.hypervisor_present.any_true(), Some(false));
        assert_eq!(values(&m.os.hostname), ["DESKTOP-EHRK1QO"]);
    }

    #[test]
    fn source_lines_point_into_the_fixture() {
        let doc = load(
            "glpi-agent_11-AzureAD-Win32_ComputerSystem.wmi",
            fixture!("wmi/glpi-agent_11-AzureAD-Win32_ComputerSystem.wmi"),
        );
        let m = run(std::slice::from_ref(&doc));
        let vendor = m.system.vendor.first().expect("vendor");
        // Line 1 is the BOM alone; `Manufacturer=LENOVO` is line 29 (as `grep -n` counts it).
        assert_eq!(vendor.source.line, Some(29));
        assert_eq!(vendor.source.text, "Manufacturer=LENOVO");
        assert_eq!(doc.line(29), Some("Manufacturer=LENOVO"));
        assert_eq!(vendor.source.path, "glpi-agent_11-AzureAD-Win32_ComputerSystem.wmi");
    }

    #[test]
    fn proxmox_placeholder_vendor() {
        let m = run(&[load(
            "glpi-agent_proxmox-Win32_ComputerSystem.wmi",
            fixture!("wmi/glpi-agent_proxmox-Win32_ComputerSystem.wmi"),
        )]);
        assert_eq!(values(&m.system.vendor), ["BOCHS_"]);
        assert_eq!(values(&m.system.model), ["BXPC____"]);
        assert!(!m.hypervisor_present.is_known());
    }

    #[test]
    fn latitude_nvme_disk_merges_across_classes() {
        let m = run(&[
            load(
                "glpi-agent_latitude-7480-Win32_DiskDrive.wmi",
                fixture!("wmi/glpi-agent_latitude-7480-Win32_DiskDrive.wmi"),
            ),
            load(
                "glpi-agent_latitude-7480-MSFT_PhysicalDisk.wmi",
                fixture!("wmi/glpi-agent_latitude-7480-MSFT_PhysicalDisk.wmi"),
            ),
        ]);
        assert_eq!(m.disks.len(), 1);
        let d = &m.disks[0];
        assert_eq!(d.index, Some(0));
        assert_eq!(values(&d.serial), ["ACE4_2E61_9000_7804.", "ACE4_2E61_9000_7804."]);
        assert_eq!(values(&d.bus), ["SCSI", "NVMe"]);
        assert_eq!(
            values(&d.model),
            ["PC300 NVMe SK hynix 512GB", "PC300 NVMe SK hynix 512GB"]
        );
        assert_eq!(values(&d.media_type), ["Fixed hard disk media"]);
        // `&amp;` in glpi's files is unescaped.
        assert_eq!(
            values(&d.pnp_id),
            ["SCSI\\DISK&VEN_NVME&PROD_PC300_NVME_SK_HY\\5&6FF0B86&0&000000"]
        );
        assert_eq!(d.removable.any_true(), Some(false));
        assert_eq!(d.removable.0.len(), 2);
        assert!(!d.system_disk.is_known());
        // The MSFT record's sources point into its own file.
        assert_eq!(d.bus.0[1].source.path, "glpi-agent_latitude-7480-MSFT_PhysicalDisk.wmi");
        assert_eq!(d.bus.0[1].source.text, "BusType=17");
    }

    #[test]
    fn win7_two_disks_second_with_empty_serial() {
        let m = run(&[load(
            "glpi-agent_win7-sp1-x64-Win32_DiskDrive.wmi",
            fixture!("wmi/glpi-agent_win7-sp1-x64-Win32_DiskDrive.wmi"),
        )]);
        assert_eq!(m.disks.len(), 2);
        assert_eq!(m.disks[0].index, Some(0));
        assert_eq!(values(&m.disks[0].serial), ["42566332666666303539622d6632643731622031"]);
        assert_eq!(values(&m.disks[0].bus), ["IDE"]);
        assert_eq!(values(&m.disks[0].model), ["VBOX HARDDISK ATA Device"]);
        assert_eq!(m.disks[1].index, Some(1));
        assert_eq!(values(&m.disks[1].serial), [""]);
        assert_eq!(values(&m.disks[1].model), ["Msft Virtual Disk SCSI Disk Device"]);
        assert_eq!(values(&m.disks[1].bus), ["SCSI"]);
        assert_eq!(m.disks[1].serial.0[0].source.text, "SerialNumber=");
    }

    #[test]
    fn vbox_physical_disk_bus_type_11_is_sata() {
        let m = run(&[load(
            "glpi-agent_win10-edu-2020-fr-MSFT_PhysicalDisk.wmi",
            fixture!("wmi/glpi-agent_win10-edu-2020-fr-MSFT_PhysicalDisk.wmi"),
        )]);
        assert_eq!(m.disks.len(), 1);
        let d = &m.disks[0];
        assert_eq!(d.index, Some(0));
        assert_eq!(values(&d.bus), ["SATA"]);
        assert_eq!(values(&d.serial), ["VB56f85924-28919b73"]);
        assert_eq!(values(&d.model), ["VBOX HARDDISK"]);
        assert_eq!(d.removable.any_true(), Some(false));
    }

    #[test]
    fn office_kms_client_licensing() {
        let m = run(&[load(
            "glpi-agent_office_2016_01-SoftwareLicensingProduct.wmi",
            fixture!("wmi/glpi-agent_office_2016_01-SoftwareLicensingProduct.wmi"),
        )]);
        assert_eq!(m.licensing.len(), 1);
        let p = &m.licensing[0];
        assert_eq!(values(&p.partial_product_key), ["WE9H9"]);
        assert_eq!(values(&p.license_status), ["1"]);
        assert_eq!(values(&p.name), ["Office 16, Office16ProPlusVL_KMS_Client edition"]);
        assert_eq!(values(&p.description), ["Office 16, VOLUME_KMSCLIENT channel"]);
        assert_eq!(values(&p.kms_machine), ["mydomain.ms.com"]);
        assert_eq!(values(&p.grace_period_minutes), ["259174"]);
    }

    #[test]
    fn win7_operating_system() {
        let m = run(&[load(
            "glpi-agent_win7-sp1-x64-Win32_OperatingSystem.wmi",
            fixture!("wmi/glpi-agent_win7-sp1-x64-Win32_OperatingSystem.wmi"),
        )]);
        let name = m.os.name.first().expect("caption");
        assert!(name.value.contains("Windows 7"));
        // Kept as printed, trailing space included.
        assert_eq!(name.value, "Microsoft Windows 7 Professionnel ");
        assert_eq!(values(&m.os.build), ["7600"]);
        assert_eq!(values(&m.os.version), ["6.1.7600"]);
        assert_eq!(values(&m.os.locale), ["040c"]);
        assert_eq!(values(&m.os.hostname), ["LUBIANKA"]);
    }

    #[test]
    fn all_fixtures_together() {
        let m = run(&[
            load(
                "glpi-agent_11-AzureAD-Win32_ComputerSystem.wmi",
                fixture!("wmi/glpi-agent_11-AzureAD-Win32_ComputerSystem.wmi"),
            ),
            load(
                "glpi-agent_latitude-7480-Win32_DiskDrive.wmi",
                fixture!("wmi/glpi-agent_latitude-7480-Win32_DiskDrive.wmi"),
            ),
            load(
                "glpi-agent_latitude-7480-MSFT_PhysicalDisk.wmi",
                fixture!("wmi/glpi-agent_latitude-7480-MSFT_PhysicalDisk.wmi"),
            ),
            load(
                "glpi-agent_win7-sp1-x64-Win32_DiskDrive.wmi",
                fixture!("wmi/glpi-agent_win7-sp1-x64-Win32_DiskDrive.wmi"),
            ),
            load("ps_Win32_BaseBoard.json", fixture!("wmi/ps_Win32_BaseBoard.json")),
        ]);
        // Disk 0 of both machines merge by index (one bundle is one machine; this only checks
        // that nothing is lost or duplicated).
        assert_eq!(m.disks.len(), 2);
        assert_eq!(m.disks[0].serial.0.len(), 3);
        assert_eq!(values(&m.baseboard.vendor), ["LENOVO"]);
    }

    #[test]
    fn unknown_and_secret_properties_are_dropped() {
        let r = Record::new(
            vec![
                Prop {
                    key: "__CLASS".into(),
                    value: "SoftwareLicensingService".into(),
                    line: 1,
                },
                Prop {
                    key: "OA3xOriginalProductKey".into(),
                    value: "XXXXX-XXXXX".into(),
                    line: 2,
                },
            ],
            None,
            None,
        );
        assert_eq!(r.class, Some(WmiClass::SoftwareLicensingService));
        assert_eq!(r.props.len(), 1);
        let named_unknown = Record::new(
            vec![Prop {
                key: "CreationClassName".into(),
                value: "Win32_PhysicalMemory".into(),
                line: 1,
            }],
            None,
            Some(WmiClass::BaseBoard),
        );
        assert_eq!(named_unknown.class, None);
    }
}
