//! `ipconfig /all` output (English and Chinese labels; other languages partly).
//!
//! Layout: a header block (`Windows IP Configuration` / `Windows IP 配置`) with the host name,
//! then one block per adapter. An adapter block starts with a title at column 0 ending in ':'
//! (`Ethernet adapter Ethernet 2:`, `以太网适配器 以太网 2:`, `Tunnel adapter isatap.lan:`), and
//! holds indented `Label . . . . : value` lines. Deeper-indented lines without a label continue
//! the previous value (extra DNS servers) and are not needed here.
//!
//! ipconfig lists only enabled adapters (a disabled one is absent; a disconnected one is listed
//! with "Media disconnected"), so every adapter read is `enabled = true`.

use super::formats::{Format, Recognise, Sample};
use super::model::{normalize_mac, Nic};
use super::nic_kind;
use super::platform::Platform;
use super::systeminfo::label_is;
use super::{Machine, Source};
use crate::bundle::{Document, Kind, Reading};

const HOST_NAME: &[&str] = &["Host Name", "主机名", "Hostname", "Nombre de host"];
const DESCRIPTION: &[&str] = &["Description", "描述", "Beschreibung", "Descripción"];
const PHYSICAL_ADDRESS: &[&str] = &[
    "Physical Address",
    "物理地址",
    "Physikalische Adresse",
    "Dirección física",
    "Adresse physique",
];

/// A line and its number.
type Line<'a> = (usize, &'a str);

/// One adapter block being read.
struct Adapter<'a> {
    title: Line<'a>,
    name: &'a str,
    tunnel: bool,
    description: Option<(Line<'a>, &'a str)>,
    mac: Option<(Line<'a>, &'a str)>,
}

pub fn extract(doc: &Document, machine: &mut Machine) {
    let mut adapter: Option<Adapter> = None;
    let mut in_header = false;
    for (n, line) in doc.lines() {
        if !line.starts_with([' ', '\t']) && !line.trim().is_empty() {
            // Any text at column 0 ends the block before it: an adapter title, the header title
            // of a second output pasted into the same file, or unrelated text.
            push_adapter(doc, machine, adapter.take());
            adapter = adapter_title(line).map(|(name, tunnel)| Adapter {
                title: (n, line),
                name,
                tunnel,
                description: None,
                mac: None,
            });
            in_header = adapter.is_none() && is_header(line);
            continue;
        }
        let Some((label, value)) = split_label(line) else {
            continue;
        };
        match adapter.as_mut() {
            Some(a) if is_one_of(label, DESCRIPTION) => a.description = Some(((n, line), value)),
            Some(a) if is_one_of(label, PHYSICAL_ADDRESS) => a.mac = Some(((n, line), value)),
            None if in_header && is_one_of(label, HOST_NAME) => {
                machine.os.hostname.push(value, Source::at(doc, n, line))
            }
            _ => {}
        }
    }
    push_adapter(doc, machine, adapter);
}

/// `Windows IP Configuration`, `Windows IP 配置` and the other languages' header lines.
fn is_header(line: &str) -> bool {
    let t = line.trim();
    t.starts_with("Windows IP") || t.starts_with("Windows-IP") || t.contains("IP de Windows")
}

/// The connection name of an adapter title and whether it is a tunnel adapter. The name
/// follows the first "adapter " (`Ethernet adapter VMware Network Adapter VMnet1:`,
/// `Ethernet-Adapter Ethernet:`) or "适配器 "; titles of other languages keep their whole text.
fn adapter_title(line: &str) -> Option<(&str, bool)> {
    let title = line.trim_end();
    let title = title.strip_suffix(':').or_else(|| title.strip_suffix('：'))?.trim_end();
    if title.is_empty() || is_header(title) {
        return None;
    }
    let lower = title.to_ascii_lowercase(); // same byte offsets as `title`
    let tunnel = lower.starts_with("tunnel") || title.starts_with("隧道适配器") || lower.contains("tunneladapter");
    // The earliest keyword wins: the name itself may contain "Adapter"
    // (`以太网适配器 VMware Network Adapter VMnet1`).
    let keyword_end = [
        lower.find("adapter ").map(|i| i + "adapter ".len()),
        title.find("适配器 ").map(|i| i + "适配器 ".len()),
    ]
    .into_iter()
    .flatten()
    .min();
    let name = keyword_end.and_then(|i| title.get(i..));
    Some((name.unwrap_or(title).trim(), tunnel))
}

/// `   Physical Address. . . . . . . . . : 00-E0-4C-36-1F-D2` → (`Physical Address`, value).
/// The label ends at the first " : " (values such as IPv6 addresses contain colons, but never
/// " : "); ": " and a final ':' are accepted for outputs whose spacing was changed.
fn split_label(line: &str) -> Option<(&str, &str)> {
    let (label, value) = if let Some((l, v)) = line.split_once(" : ") {
        (l, v)
    } else if let Some((l, v)) = line.split_once(": ") {
        (l, v)
    } else {
        (line.trim_end().strip_suffix(':')?, "")
    };
    let label = label.trim().trim_end_matches(['.', ' ']).trim();
    (!label.is_empty()).then_some((label, value.trim_start()))
}

fn is_one_of(label: &str, spellings: &[&str]) -> bool {
    spellings.iter().any(|s| label_is(label, s))
}

/// Adds one adapter to the machine, merged by MAC with what other documents said about it.
fn push_adapter(doc: &Document, machine: &mut Machine, adapter: Option<Adapter>) {
    let Some(a) = adapter else {
        return;
    };
    let mac = a.mac.map(|(line, value)| (line, normalize_mac(value)));
    let nic = nic_for(doc, machine, mac.as_ref().map_or("", |(_, m)| m.as_str()));
    let title = Source::at(doc, a.title.0, a.title.1);
    nic.name.push(a.name, title.clone());
    nic.enabled.push(true, title.clone());
    if let Some(((n, line), mac)) = mac {
        nic.mac.push(mac, Source::at(doc, n, line));
    }
    match a.description {
        Some(((n, line), description)) => {
            let source = Source::at(doc, n, line);
            let kind = nic_kind::classify(description, None);
            nic.description.push(description, source.clone());
            nic.physical.push(kind.physical && !a.tunnel, source.clone());
            nic.removable.push(kind.removable, source);
        }
        None if a.tunnel => nic.physical.push(false, title),
        None => {}
    }
}

/// The NIC a MAC belongs to. Within one document every block is a different adapter, even when
/// two share an address (a Hyper-V external switch's vEthernet takes the MAC of the NIC it is
/// bound to; ISATAP adapters all show 00-00-00-00-00-00-00-E0), so an address this document
/// already used starts a new entry.
fn nic_for<'m>(doc: &Document, machine: &'m mut Machine, mac: &str) -> &'m mut Nic {
    let used_here = !mac.is_empty()
        && machine.nics.iter().any(|nic| {
            nic.mac
                .values()
                .any(|o| o.value == mac && o.source.input == doc.input && o.source.path == doc.path)
        });
    if used_here {
        machine.nic_by_mac(None)
    } else {
        machine.nic_by_mac(Some(mac))
    }
}

/// `ipconfig /all` output (any UI language): its title among the first lines.
pub(crate) const FORMAT: Format = Format {
    kind: Kind::new("ipconfig", Reading::Pasted),
    recognise: Recognise::text(|s: &Sample| s.head.iter().take(5).any(|l| is_title(l))),
    extract,
    platform: Some(Platform::Windows),
    codes: false,
};

/// The title `ipconfig` prints first, in the UI languages seen.
pub(crate) fn is_title(line: &str) -> bool {
    matches!(
        line,
        "Windows IP Configuration" | "Windows IP 配置" | "Configuración IP de Windows"
    ) || line.starts_with("Windows-IP-Konfiguration")
        || line.starts_with("Configuration IP de Windows")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::Document;
    use crate::facts::Field;

    fn load(name: &str, bytes: &[u8]) -> Machine {
        let doc = Document::from_bytes("t", name, bytes);
        assert_eq!(
            doc.kind,
            crate::facts::formats::kind("ipconfig"),
            "{name} is recognised"
        );
        let mut machine = Machine::default();
        extract(&doc, &mut machine);
        machine
    }

    fn first(f: &Field) -> &str {
        f.first().map(|o| o.value.as_str()).unwrap_or("<none>")
    }

    fn by_description<'m>(m: &'m Machine, description: &str) -> &'m Nic {
        m.nics
            .iter()
            .find(|n| first(&n.description) == description)
            .unwrap_or_else(|| panic!("no NIC {description}"))
    }

    fn thymolzzw() -> Machine {
        load(
            "Thymolzzw_ipconfig_all_zh-CN_gbk.txt",
            fixture!("ipconfig/Thymolzzw_ipconfig_all_zh-CN_gbk.txt"),
        )
    }

    #[test]
    fn chinese_gbk_thymolzzw() {
        let m = thymolzzw();
        assert_eq!(first(&m.os.hostname), "DESKTOP-B7MJ4LC");
        assert_eq!(m.os.hostname.0[0].source.line, Some(4));
        assert_eq!(
            m.os.hostname.0[0].source.text,
            "主机名  . . . . . . . . . . . . . : DESKTOP-B7MJ4LC"
        );
        assert_eq!(m.nics.len(), 9);

        let tap = by_description(&m, "TAP-Windows Adapter V9");
        assert_eq!(first(&tap.name), "以太网 2");
        assert_eq!(first(&tap.mac), "00-FF-B5-9B-33-46");
        assert_eq!(tap.physical.any_true(), Some(false));
        assert_eq!(
            tap.enabled.any_true(),
            Some(true),
            "media disconnected is still enabled"
        );

        let usb = by_description(&m, "Realtek USB FE Family Controller");
        assert_eq!(first(&usb.name), "以太网 4");
        assert_eq!(first(&usb.mac), "00-E0-4C-36-1F-D2");
        assert_eq!(usb.mac.0[0].source.line, Some(33));
        assert_eq!(usb.description.0[0].source.line, Some(32));
        assert_eq!(usb.name.0[0].source.line, Some(28));
        assert_eq!(usb.physical.any_true(), Some(true));
        assert_eq!(usb.removable.any_true(), Some(true));

        let vmnet1 = by_description(&m, "VMware Virtual Ethernet Adapter for VMnet1");
        assert_eq!(first(&vmnet1.name), "VMware Network Adapter VMnet1");
        assert_eq!(first(&vmnet1.mac), "00-50-56-C0-00-01");
        assert_eq!(vmnet1.physical.any_true(), Some(false));

        let wlan = by_description(&m, "Intel(R) Dual Band Wireless-AC 8275");
        assert_eq!(first(&wlan.name), "WLAN");
        assert_eq!(wlan.physical.any_true(), Some(true));
        assert_eq!(wlan.removable.any_true(), Some(false));

        assert_eq!(
            by_description(&m, "Bluetooth Device (Personal Area Network)")
                .physical
                .any_true(),
            Some(false)
        );
        assert_eq!(
            by_description(&m, "Microsoft Wi-Fi Direct Virtual Adapter #2")
                .physical
                .any_true(),
            Some(false)
        );
    }

    #[test]
    fn chinese_gbk_gkkgithub_tunnels() {
        let m = load(
            "gkkgithub_TXT_ipconfig_all_zh-CN_gbk.txt",
            fixture!("ipconfig/gkkgithub_TXT_ipconfig_all_zh-CN_gbk.txt"),
        );
        assert_eq!(first(&m.os.hostname), "lenovo-PC");
        let lan = by_description(&m, "Intel(R) 82579LM Gigabit Network Connection #2");
        assert_eq!(first(&lan.name), "本地连接 2");
        assert_eq!(first(&lan.mac), "28-D2-44-19-F8-2A");
        assert_eq!(lan.physical.any_true(), Some(true));
        let pan = by_description(&m, "Bluetooth 设备(个人区域网) #11");
        assert_eq!(pan.physical.any_true(), Some(false));
        // Four ISATAP adapters and Teredo share the pseudo address 00-00-00-00-00-00-00-E0 but
        // stay separate entries.
        assert_eq!(m.nics.len(), 7);
        let tunnels: Vec<&Nic> = m
            .nics
            .iter()
            .filter(|n| first(&n.mac) == "00-00-00-00-00-00-00-E0")
            .collect();
        assert_eq!(tunnels.len(), 5);
        assert!(tunnels.iter().all(|n| n.physical.any_true() == Some(false)));
        assert_eq!(first(&tunnels[0].name), "isatap.lan");
        assert_eq!(first(&tunnels[2].name), "Teredo Tunneling Pseudo-Interface");
    }

    #[test]
    fn english_labels_with_gbk_names_youzjuzi() {
        let m = load(
            "youzjuzi_ipconfig_all_en.txt",
            fixture!("ipconfig/youzjuzi_ipconfig_all_en.txt"),
        );
        assert_eq!(first(&m.os.hostname), "youzilite");
        assert_eq!(m.nics.len(), 7);
        let direct = by_description(&m, "Microsoft Wi-Fi Direct Virtual Adapter");
        assert_eq!(first(&direct.name), "本地连接* 1");
        assert_eq!(direct.name.0[0].source.line, Some(24));
        assert_eq!(direct.physical.any_true(), Some(false));

        let meta = by_description(&m, "Meta Tunnel");
        assert_eq!(first(&meta.name), "mihomo");
        assert_eq!(meta.mac.0.len(), 1);
        assert_eq!(meta.mac.0[0].value, "", "an empty Physical Address is an observation");
        assert_eq!(meta.physical.any_true(), Some(false));

        let realtek = by_description(&m, "Realtek PCIe GbE Family Controller");
        assert_eq!(first(&realtek.name), "以太网");
        assert_eq!(first(&realtek.mac), "74-D7-13-A8-BF-A2");
        assert_eq!(realtek.physical.any_true(), Some(true));
        assert_eq!(realtek.removable.any_true(), Some(false));

        let wsl = by_description(&m, "Hyper-V Virtual Ethernet Adapter");
        assert_eq!(first(&wsl.name), "vEthernet (WSL (Hyper-V firewall))");
        assert_eq!(wsl.physical.any_true(), Some(false));
        assert_eq!(
            by_description(&m, "MediaTek Wi-Fi 6 MT7921 Wireless LAN Card")
                .physical
                .any_true(),
            Some(true)
        );
    }

    #[test]
    fn same_mac_in_another_document_merges() {
        let bytes = fixture!("ipconfig/Thymolzzw_ipconfig_all_zh-CN_gbk.txt");
        let mut m = Machine::default();
        for path in ["a/ipconfig.txt", "b/ipconfig.txt"] {
            let doc = Document::from_bytes("t", path, bytes);
            extract(&doc, &mut m);
        }
        assert_eq!(m.nics.len(), 9);
        assert_eq!(
            by_description(&m, "Realtek USB FE Family Controller")
                .description
                .0
                .len(),
            2
        );
    }

    #[test]
    fn odd_spacing_and_garbage() {
        let text = r"Windows IP Configuration

   Host Name:pc-1
   Host Name . . . :

Ethernet adapter :
   Description: X
Ethernet adapter LAN:
   Physical Address. . . : 00:50:56:c0:00:01
:
";
        let doc = Document::from_text("t", "ipconfig.txt", text);
        let mut m = Machine::default();
        extract(&doc, &mut m);
        assert_eq!(m.os.hostname.0.len(), 1);
        assert_eq!(m.os.hostname.0[0].value, "");
        assert_eq!(m.nics.len(), 2);
        assert_eq!(first(&m.nics[1].mac), "00-50-56-C0-00-01");
        assert_eq!(first(&m.nics[1].name), "LAN");
        for text in ["", ":", "\u{FEFF}", "以太网适配器:", "  : ", "x:\n   描述. . . :"] {
            let doc = Document::from_text("t", "x.txt", text);
            extract(&doc, &mut Machine::default());
        }
    }
}
