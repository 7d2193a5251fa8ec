//! `systeminfo` output (English, Chinese zh-CN and Spanish labels).
//!
//! The format is `Label:<padding>value` at column 0, with continuation lines indented to the
//! value column (processor, hotfix and network card lists, Hyper-V requirements). Labels may
//! contain colons themselves (`Virtual Memory: Max Size:`), so a line is recognised by matching
//! a known label followed by a colon, never by splitting at the first colon.
//!
//! Spanish outputs saved from a console often carry code-page mojibake (`Versi¢n` for
//! `Versión`: CP850 bytes read as another code page), so accented letters in labels match any
//! one or two non-ASCII characters (see [`label_prefix_len`]).
//!
//! Values keep their trailing spaces (they come from WMI strings); the left padding is layout.

use super::formats::{Format, Recognise, Sample};
use super::model::Nic;
use super::nic_kind;
use super::platform::Platform;
use super::{Machine, Source};
use crate::bundle::{Document, Kind, Reading};

/// The labels this extractor reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    HostName,
    OsName,
    OsVersion,
    SystemManufacturer,
    SystemModel,
    BiosVersion,
    SystemLocale,
    NetworkCards,
    HyperV,
}

/// Label spellings: English, zh-CN (real Windows labels), Spanish (with accents; mojibake is
/// tolerated by the matcher).
const LABELS: &[(Label, &[&str])] = &[
    (Label::HostName, &["Host Name", "主机名", "Nombre de host"]),
    (
        Label::OsName,
        &["OS Name", "OS 名称", "操作系统名称", "Nombre del sistema operativo"],
    ),
    (
        Label::OsVersion,
        &["OS Version", "OS 版本", "操作系统版本", "Versión del sistema operativo"],
    ),
    (
        Label::SystemManufacturer,
        &["System Manufacturer", "系统制造商", "Fabricante del sistema"],
    ),
    // "Modelo el sistema" (sic) is what Spanish Windows prints.
    (
        Label::SystemModel,
        &["System Model", "系统型号", "Modelo el sistema", "Modelo del sistema"],
    ),
    (Label::BiosVersion, &["BIOS Version", "BIOS 版本", "Versión del BIOS"]),
    (
        Label::SystemLocale,
        &["System Locale", "系统区域设置", "Configuración regional del sistema"],
    ),
    (Label::NetworkCards, &["Network Card(s)", "网卡", "Tarjeta(s) de red"]),
    (
        Label::HyperV,
        &["Hyper-V Requirements", "Hyper-V 要求", "Requisitos Hyper-V"],
    ),
];

/// Sub-labels inside one network card item.
const CONNECTION_NAME: &[&str] = &["Connection Name", "连接名", "Nombre de conexión"];
const STATUS: &[&str] = &["Status", "状态", "Estado"];

pub fn extract(doc: &Document, machine: &mut Machine) {
    let mut section: Option<Label> = None;
    let mut cards = CardList::default();
    let mut hyperv_seen = false;
    for (n, line) in doc.lines() {
        if is_continuation(line) {
            match section {
                Some(Label::NetworkCards) => cards.read_line(n, line),
                Some(Label::HyperV) if !hyperv_seen => hyperv_seen = hypervisor(doc, machine, n, line, line.trim()),
                _ => {}
            }
            continue;
        }
        cards.flush(doc, machine);
        section = None;
        let Some((label, value)) = top_label(line) else {
            continue;
        };
        section = Some(label);
        let source = Source::at(doc, n, line);
        match label {
            Label::HostName => machine.os.hostname.push(value, source),
            Label::OsName => machine.os.name.push(value, source),
            Label::OsVersion => {
                if let Some(build) = build_of(value) {
                    machine.os.build.push(build, source.clone());
                }
                machine.os.version.push(value, source);
            }
            Label::SystemManufacturer => machine.system.vendor.push(value, source),
            Label::SystemModel => machine.system.model.push(value, source),
            Label::BiosVersion => {
                let (version, date) = split_bios(value);
                machine.bios.version.push(version, source.clone());
                if let Some(date) = date {
                    machine.bios.release_date.push(date, source);
                }
            }
            Label::SystemLocale => machine.os.locale.push(value, source),
            Label::NetworkCards => {}
            Label::HyperV => hyperv_seen = hypervisor(doc, machine, n, line, value),
        }
    }
    cards.flush(doc, machine);
}

/// Indented lines and list items belong to the label above them (pasted outputs sometimes lose
/// the indentation of `[01]:` items).
fn is_continuation(line: &str) -> bool {
    line.is_empty() || line.starts_with([' ', '\t', '[']) || line.trim().is_empty()
}

/// A known label at the start of the line, and the value after its colon (left padding removed).
fn top_label(line: &str) -> Option<(Label, &str)> {
    LABELS
        .iter()
        .find_map(|(label, spellings)| spellings.iter().find_map(|s| value_after(line, s)).map(|v| (*label, v)))
}

/// The value after `label:` if `line` starts with that label (spaces before the colon and a
/// full-width colon are accepted).
fn value_after<'a>(line: &'a str, label: &str) -> Option<&'a str> {
    let rest = line.get(label_prefix_len(line, label)?..)?.trim_start_matches(' ');
    let rest = rest.strip_prefix(':').or_else(|| rest.strip_prefix('：'))?;
    Some(rest.trim_start())
}

/// Byte length of the prefix of `text` that spells `label`. ASCII letters compare without
/// case; an accented Latin letter in the label also matches one or two non-ASCII characters or
/// a `?` in the text, which is what code-page mojibake makes of it (`ó` → `¢`, `Ã³`, `?`).
pub(super) fn label_prefix_len(text: &str, label: &str) -> Option<usize> {
    let mut label_chars = label.chars();
    let Some(want) = label_chars.next() else {
        return Some(0);
    };
    let label_rest = label_chars.as_str();
    let mut text_chars = text.chars();
    let got = text_chars.next()?;
    let after_one = text_chars.as_str();
    let consumed = |rest: &str| text.len() - rest.len();
    if got == want || got.eq_ignore_ascii_case(&want) {
        return label_prefix_len(after_one, label_rest).map(|n| n + consumed(after_one));
    }
    if !is_accented_latin(want) || (got.is_ascii() && got != '?') {
        return None;
    }
    if let Some(n) = label_prefix_len(after_one, label_rest) {
        return Some(n + consumed(after_one));
    }
    // Two characters for one letter: UTF-8 bytes read as a single-byte code page (`Ã³`).
    let second = text_chars.next()?;
    if got.is_ascii() || second.is_ascii() {
        return None;
    }
    let after_two = text_chars.as_str();
    label_prefix_len(after_two, label_rest).map(|n| n + consumed(after_two))
}

/// True if `text` (already trimmed of padding) is exactly `label`, mojibake tolerated.
pub(super) fn label_is(text: &str, label: &str) -> bool {
    label_prefix_len(text, label) == Some(text.len())
}

fn is_accented_latin(c: char) -> bool {
    ('\u{C0}'..='\u{24F}').contains(&c)
}

/// `10.0.26100 N/A Build 26100`, `10.0.17763 N/D Compilación 17763`, `10.0.19045 暂缺 Build
/// 19045`: the build is the last word when it is a number (the keyword differs per language).
fn build_of(version: &str) -> Option<&str> {
    let words: Vec<&str> = version.split_whitespace().collect();
    match words.as_slice() {
        [_, .., last] if last.chars().all(|c| c.is_ascii_digit()) => Some(last),
        _ => None,
    }
}

/// `HP N02 Ver. 02.14, 30/05/2016` → version `HP N02 Ver. 02.14`, date `30/05/2016`. The last
/// comma separates them (a version may contain commas, a date does not); a tail without a digit
/// is not a date.
fn split_bios(value: &str) -> (&str, Option<&str>) {
    match value.rsplit_once(',') {
        Some((version, date)) if date.chars().any(|c| c.is_ascii_digit()) => (version, Some(date.trim())),
        _ => (value, None),
    }
}

/// Reads the `Hyper-V Requirements` value (or its first continuation line). "A hypervisor has
/// been detected" → a hypervisor runs (true); the list of requirements ("VM Monitor Mode
/// Extensions: Yes" ...) is only printed when none runs (false). Returns whether it decided.
fn hypervisor(doc: &Document, machine: &mut Machine, n: usize, line: &str, value: &str) -> bool {
    let lower = value.to_lowercase();
    let detected = ["hypervisor", "hipervisor", "hyperviseur", "虚拟机监控程序"]
        .iter()
        .any(|w| lower.contains(w));
    let requirements = ["monitor mode extensions", "modo de monitor", "虚拟机监视器模式扩展"]
        .iter()
        .any(|w| lower.contains(w));
    if detected || requirements {
        machine.hypervisor_present.push(detected, Source::at(doc, n, line));
    }
    detected || requirements
}

/// One `[01]: <description>` item of the network card list, with its sub-lines.
struct Card {
    line: usize,
    text: String,
    description: String,
    name: Option<(usize, String, String)>,
    status: Option<(usize, String, String)>,
}

/// The network card list being read: items are the `[nn]:` lines at the first item's
/// indentation; deeper `[nn]:` lines are IP addresses.
#[derive(Default)]
struct CardList {
    indent: Option<usize>,
    cards: Vec<Card>,
}

impl CardList {
    fn read_line(&mut self, n: usize, line: &str) {
        let text = line.trim_start();
        let indent = line.len() - text.len();
        if let Some(item) = list_item(text) {
            if self.indent.is_none_or(|i| indent <= i) {
                self.indent.get_or_insert(indent);
                self.cards.push(Card {
                    line: n,
                    text: line.to_string(),
                    description: item.to_string(),
                    name: None,
                    status: None,
                });
            }
            return;
        }
        let Some(card) = self.cards.last_mut() else {
            return;
        };
        if let Some(v) = CONNECTION_NAME.iter().find_map(|l| value_after(text, l)) {
            card.name = Some((n, line.to_string(), v.to_string()));
        } else if let Some(v) = STATUS.iter().find_map(|l| value_after(text, l)) {
            card.status = Some((n, line.to_string(), v.to_string()));
        }
    }

    /// Turns the items read so far into NICs. systeminfo prints no MAC, so every item is a new
    /// adapter entry.
    fn flush(&mut self, doc: &Document, machine: &mut Machine) {
        for card in self.cards.drain(..) {
            push_card(doc, machine.nic_by_mac(None), card);
        }
        self.indent = None;
    }
}

fn push_card(doc: &Document, nic: &mut Nic, card: Card) {
    let source = Source::at(doc, card.line, &card.text);
    let kind = nic_kind::classify(&card.description, None);
    nic.description.push(card.description, source.clone());
    nic.physical.push(kind.physical, source.clone());
    nic.removable.push(kind.removable, source.clone());
    if let Some((n, text, name)) = card.name {
        nic.name.push(name, Source::at(doc, n, &text));
    }
    // systeminfo lists adapters that are not usable with "Status: Hardware not present" (the
    // wording for a disabled one is not confirmed; both are read as not enabled).
    match card.status {
        Some((n, text, status)) if is_unusable(&status) => nic.enabled.push(false, Source::at(doc, n, &text)),
        _ => nic.enabled.push(true, source),
    }
}

fn is_unusable(status: &str) -> bool {
    let lower = status.to_lowercase();
    [
        "not present",
        "disabled",
        "no presente",
        "deshabilitad",
        "不存在",
        "禁用",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// `[01]: Amazon Elastic Network Adapter` → `Amazon Elastic Network Adapter`.
fn list_item(text: &str) -> Option<&str> {
    let rest = text.strip_prefix('[')?;
    let (number, rest) = rest.split_once(']')?;
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(rest.strip_prefix(':')?.trim())
}

/// `systeminfo` output (any UI language): three of its labels.
pub(crate) const FORMAT: Format = Format {
    kind: Kind::new("systeminfo", Reading::Pasted),
    recognise: Recognise::text(|s: &Sample| s.head.iter().filter(|l| is_label(l)).count() >= 3),
    extract,
    platform: Some(Platform::Windows),
    codes: false,
};

/// Labels that `systeminfo` prints in English, Chinese and Spanish (the Spanish sample has
/// CP850 mojibake, so only the unaccented prefix is matched).
fn is_label(line: &str) -> bool {
    const LABELS: &[&str] = &[
        "Host Name:",
        "OS Name:",
        "OS Version:",
        "System Manufacturer:",
        "System Model:",
        "BIOS Version:",
        "主机名:",
        "OS 名称:",
        "OS 版本:",
        "系统制造商:",
        "系统型号:",
        "BIOS 版本:",
        "Nombre de host:",
        "Nombre del sistema operativo:",
        "Fabricante del sistema:",
        "Modelo el sistema:",
        "Modelo del sistema:",
    ];
    LABELS.iter().any(|l| line.starts_with(l))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::Document;

    fn load(name: &str, bytes: &[u8]) -> Machine {
        let doc = Document::from_bytes("t", name, bytes);
        assert_eq!(
            doc.kind,
            crate::facts::formats::kind("systeminfo"),
            "{name} is recognised"
        );
        let mut machine = Machine::default();
        extract(&doc, &mut machine);
        machine
    }

    fn ec2() -> Machine {
        load(
            "Karthika1991_systeminfo_AmazonEC2.txt",
            fixture!("systeminfo/Karthika1991_systeminfo_AmazonEC2.txt"),
        )
    }

    fn hp_es() -> Machine {
        load(
            "sego1_systeminfo_es_HP_ProDesk.txt",
            fixture!("systeminfo/sego1_systeminfo_es_HP_ProDesk.txt"),
        )
    }

    fn first(f: &crate::facts::Field) -> &str {
        f.first().map(|o| o.value.as_str()).unwrap_or("<none>")
    }

    #[test]
    fn english_amazon_ec2() {
        let m = ec2();
        assert_eq!(first(&m.os.hostname), "EC2AMAZ-0A3MS1B");
        assert_eq!(first(&m.os.name), "Microsoft Windows Server 2025 Datacenter");
        assert_eq!(first(&m.os.version), "10.0.26100 N/A Build 26100");
        assert_eq!(first(&m.os.build), "26100");
        assert_eq!(first(&m.system.vendor), "Amazon EC2");
        assert_eq!(first(&m.system.model), "t3.micro");
        assert_eq!(first(&m.bios.version), "Amazon EC2 1.0");
        assert_eq!(first(&m.bios.release_date), "10/16/2017");
        assert_eq!(first(&m.os.locale), "en-us;English (United States)");
        assert_eq!(m.hypervisor_present.any_true(), Some(true));
        let hv = &m.hypervisor_present.0[0].source;
        assert_eq!(hv.line, Some(49));
        assert!(hv
            .text
            .starts_with("Hyper-V Requirements:          A hypervisor has been detected."));
        // Processor and hotfix `[01]:` items are not network cards.
        assert_eq!(m.nics.len(), 1);
        let nic = &m.nics[0];
        assert_eq!(first(&nic.description), "Amazon Elastic Network Adapter");
        assert_eq!(first(&nic.name), "Ethernet");
        assert_eq!(nic.physical.any_true(), Some(false));
        assert_eq!(nic.enabled.any_true(), Some(true));
        assert_eq!(nic.description.0[0].source.line, Some(38));
        assert_eq!(m.system.model.0[0].source.line, Some(14));
        assert_eq!(
            m.system.model.0[0].source.text,
            "System Model:                  t3.micro"
        );
    }

    #[test]
    fn spanish_hp_prodesk_with_mojibake() {
        let m = hp_es();
        // "Nombre de host:" with nothing after it is an observation of an empty host name.
        assert_eq!(m.os.hostname.0.len(), 1);
        assert_eq!(m.os.hostname.0[0].value, "");
        assert_eq!(m.os.hostname.0[0].source.line, Some(2));
        assert_eq!(first(&m.os.name), "Microsoft Windows 10 Pro Education");
        assert_eq!(first(&m.os.version), "10.0.17763 N/D Compilaci¢n 17763");
        assert_eq!(first(&m.os.build), "17763");
        assert_eq!(m.os.version.0[0].source.line, Some(4));
        assert_eq!(first(&m.system.vendor), "HP");
        assert_eq!(
            m.system.vendor.0.len(),
            1,
            "OS manufacturer is not the system manufacturer"
        );
        assert_eq!(first(&m.system.model), "HP ProDesk 600 G2 MT");
        assert_eq!(first(&m.bios.version), "HP N02 Ver. 02.14");
        assert_eq!(first(&m.bios.release_date), "30/05/2016");
        assert_eq!(m.bios.version.0[0].source.line, Some(18));
        assert_eq!(first(&m.os.locale), "es;Espa¤ol (internacional)");
        assert_eq!(m.hypervisor_present.any_true(), Some(false));
        assert_eq!(m.hypervisor_present.0[0].source.line, Some(59));

        assert_eq!(m.nics.len(), 2);
        let intel = &m.nics[0];
        assert_eq!(first(&intel.description), "Intel(R) Ethernet Connection (2) I219-LM");
        assert_eq!(first(&intel.name), "Ethernet");
        assert_eq!(intel.physical.any_true(), Some(true));
        assert_eq!(intel.removable.any_true(), Some(false));
        assert_eq!(intel.enabled.any_true(), Some(true));
        assert_eq!(intel.description.0[0].source.line, Some(46));
        let vbox = &m.nics[1];
        assert_eq!(first(&vbox.description), "VirtualBox Host-Only Ethernet Adapter");
        assert_eq!(first(&vbox.name), "VirtualBox Host-Only Network");
        assert_eq!(vbox.physical.any_true(), Some(false));
        assert_eq!(vbox.description.0[0].source.line, Some(53));
    }

    /// Hand-made: no real zh-CN systeminfo output was found. Labels and wording are those of
    /// Windows 10 zh-CN (`OS 版本: … 暂缺 Build …`, `已检测到虚拟机监控程序`).
    #[test]
    fn chinese_labels_hand_made() {
        let text = r"
主机名:           DESKTOP-TEST01
OS 名称:          Microsoft Windows 10 企业版 G
OS 版本:          10.0.19045 暂缺 Build 19045
OS 制造商:        Microsoft Corporation
系统制造商:       LENOVO
系统型号:         20TBS57S00
系统类型:         x64-based PC
处理器:           安装了 1 个处理器。
                  [01]: Intel64 Family 6 Model 140 Stepping 1 GenuineIntel ~2419 Mhz
BIOS 版本:        LENOVO R1CET62W(1.31 ), 2021/5/10
系统区域设置:     zh-cn;中文(中国)
网卡:             安装了 2 个 NIC。
                  [01]: Intel(R) Ethernet Connection (13) I219-V
                      连接名:      以太网
                      启用 DHCP:   是
                      IP 地址
                        [01]: 192.168.1.100
                  [02]: Bluetooth Device (Personal Area Network)
                      连接名:      蓝牙网络连接
                      状态:        媒体连接已中断
Hyper-V 要求:     已检测到虚拟机监控程序。将不显示 Hyper-V 所需的功能。
"
        .replace('\n', "\r\n");
        let doc = Document::from_text("t", "systeminfo_zh.txt", &text);
        let mut m = Machine::default();
        extract(&doc, &mut m);
        assert_eq!(first(&m.os.hostname), "DESKTOP-TEST01");
        assert_eq!(first(&m.os.name), "Microsoft Windows 10 企业版 G");
        assert_eq!(first(&m.os.build), "19045");
        assert_eq!(first(&m.system.vendor), "LENOVO");
        assert_eq!(first(&m.system.model), "20TBS57S00");
        assert_eq!(first(&m.bios.version), "LENOVO R1CET62W(1.31 )");
        assert_eq!(first(&m.bios.release_date), "2021/5/10");
        assert_eq!(first(&m.os.locale), "zh-cn;中文(中国)");
        assert_eq!(m.hypervisor_present.any_true(), Some(true));
        assert_eq!(m.hypervisor_present.0[0].source.line, Some(22));
        assert_eq!(m.nics.len(), 2);
        assert_eq!(first(&m.nics[0].name), "以太网");
        assert_eq!(m.nics[0].physical.any_true(), Some(true));
        assert_eq!(m.nics[1].physical.any_true(), Some(false));
        assert_eq!(
            m.nics[1].enabled.any_true(),
            Some(true),
            "media disconnected is still enabled"
        );
    }

    #[test]
    fn requirements_list_and_not_present_cards() {
        let text = r"Host Name:                 PC1
Network Card(s):           2 NIC(s) Installed.
                           [01]: Cisco AnyConnect Secure Mobility Client Virtual Miniport Adapter for Windows x64
                                 Connection Name: Ethernet 3
                                 Status:          Hardware not present
                           [02]: Intel(R) Wi-Fi 6 AX201 160MHz
                                 Connection Name: Wi-Fi
Hyper-V Requirements:      VM Monitor Mode Extensions: Yes
                           Virtualization Enabled In Firmware: Yes
";
        let doc = Document::from_text("t", "systeminfo.txt", text);
        let mut m = Machine::default();
        extract(&doc, &mut m);
        assert_eq!(m.nics.len(), 2);
        assert_eq!(m.nics[0].enabled.any_true(), Some(false));
        assert_eq!(m.nics[0].enabled.0[0].source.line, Some(5));
        assert_eq!(m.nics[1].enabled.any_true(), Some(true));
        assert_eq!(m.nics[1].physical.any_true(), Some(true));
        assert_eq!(m.hypervisor_present.any_true(), Some(false));
        assert_eq!(m.hypervisor_present.0.len(), 1);
    }

    #[test]
    fn labels_tolerate_mojibake() {
        assert!(label_is("Versi¢n del BIOS", "Versión del BIOS"));
        assert!(label_is("VersiÃ³n del BIOS", "Versión del BIOS"));
        assert!(label_is("Versi?n del BIOS", "Versión del BIOS"));
        assert!(label_is("Versión del BIOS", "Versión del BIOS"));
        assert!(!label_is("Version del BIOS", "Versión del BIOS"));
        assert!(!label_is("主机", "主机名"));
        assert_eq!(
            value_after("Fabricante del sistema operativo:  Microsoft", "Fabricante del sistema"),
            None
        );
        assert_eq!(build_of("10.0.26100"), None);
        assert_eq!(split_bios("Phoenix"), ("Phoenix", None));
        assert_eq!(list_item("[x]: y"), None);
    }

    #[test]
    fn odd_input_does_not_panic() {
        for text in [
            "",
            ":",
            "Host Name",
            "Host Name:",
            "Network Card(s):\n[",
            "\u{FEFF}Versi",
            "Hyper-V Requirements:\n   ",
        ] {
            let doc = Document::from_text("t", "x.txt", text);
            let mut m = Machine::default();
            extract(&doc, &mut m);
        }
    }
}
