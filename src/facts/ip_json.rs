//! `ip -j addr` → network interfaces: name, MAC, enabled.
//!
//! Whether an interface is hardware is not in this output; `/sys/class/net`
//! (`facts::sys_class_net`) says it, and the two meet on the interface name. Loopback is
//! skipped: it is neither an adapter the activation client counts nor a sign of anything.
//!
//! Enabled means what it means on Windows (ipconfig lists a disconnected adapter as enabled,
//! "Media disconnected"): `operstate` `UP`, or the `UP` flag of an interface that is switched
//! on but has no carrier (operstate `DOWN` with `NO-CARRIER`, a laptop's unplugged Ethernet).

use super::formats::{Format, Recognise, Sample};
use super::json_lines::member_line;
use super::model::normalize_mac;
use super::platform::Platform;
use super::{Machine, Source};
use crate::bundle::{Document, Kind, Reading};
use serde_json::Value;

pub fn extract(doc: &Document, machine: &mut Machine) {
    let Some(text) = doc.text.as_ref().map(|t| t.text.trim_start_matches('\u{feff}')) else {
        return;
    };
    let Ok(Value::Array(interfaces)) = serde_json::from_str::<Value>(text) else {
        return;
    };
    for iface in &interfaces {
        let Some(name) = iface.get("ifname").and_then(Value::as_str) else {
            continue;
        };
        if iface.get("link_type").and_then(Value::as_str) == Some("loopback") {
            continue;
        }
        let line = member_line(doc, "ifname", name, 1);
        let source = Source {
            line,
            ..Source::at(doc, 0, &summary(iface, name))
        };
        let nic = machine.nic_by_name(name);
        nic.name.push(name, source.clone());
        if let Some(mac) = hardware_address(iface) {
            nic.mac.push(mac, source.clone());
        }
        nic.enabled.push(is_enabled(iface), source);
    }
}

/// The link-layer address, normalised, when it is a MAC (tunnels print an IP address or
/// nothing; all zeros is no address).
fn hardware_address(iface: &Value) -> Option<String> {
    let mac = normalize_mac(iface.get("address")?.as_str()?);
    (mac.len() == 17 && mac != "00-00-00-00-00-00").then_some(mac)
}

fn is_enabled(iface: &Value) -> bool {
    let up_flag = iface
        .get("flags")
        .and_then(Value::as_array)
        .is_some_and(|f| f.iter().any(|x| x.as_str() == Some("UP")));
    iface.get("operstate").and_then(Value::as_str) == Some("UP") || up_flag
}

/// The evidence text: the interface with what was read of it. `ip -j` prints everything on
/// one line, so that line's text would be the whole file.
fn summary(iface: &Value, name: &str) -> String {
    let s = |key: &str| iface.get(key).and_then(Value::as_str).unwrap_or("-");
    let flags = iface
        .get("flags")
        .and_then(Value::as_array)
        .map(|f| f.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(","))
        .unwrap_or_default();
    format!(
        "ip addr {name}: link/{} {}, state {}, <{flags}>",
        s("link_type"),
        s("address"),
        s("operstate")
    )
}

/// `ip -j addr` (or `ip -j link`) output: an array in which every element is an interface with
/// a name and addresses or a state (`ip -j link` has no `addr_info`, but its `operstate` is
/// what we read).
pub(crate) const FORMAT: Format = Format {
    kind: Kind::new("ip-json", Reading::Whole),
    recognise: Recognise::text(is_ip_json),
    extract,
    platform: Some(Platform::Linux),
    codes: false,
};

fn is_ip_json(s: &Sample) -> bool {
    match s.json() {
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .all(|i| i.get("ifname").is_some() && (i.get("addr_info").is_some() || i.get("operstate").is_some())),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(bytes: &[u8]) -> Machine {
        let doc = Document::from_bytes("t", "network/ip-addr.json", bytes);
        assert_eq!(doc.kind, crate::facts::formats::kind("ip-json"));
        let mut m = Machine::default();
        extract(&doc, &mut m);
        m
    }

    /// (name, mac, enabled) of every NIC.
    fn summary(m: &Machine) -> Vec<(&str, &str, Option<bool>)> {
        m.nics
            .iter()
            .map(|n| {
                (
                    n.name.best().unwrap_or("?"),
                    n.mac.best().unwrap_or("-"),
                    n.enabled.any_true(),
                )
            })
            .collect()
    }

    #[test]
    fn ci_machine_interfaces() {
        let m = run(fixture!("linux/ci-debian12/network/ip-addr.json"));
        // lo is skipped; the ifb devices are down and have no UP flag.
        assert_eq!(
            summary(&m),
            [
                ("ifb0", "5E-14-F2-1B-EC-6E", Some(false)),
                ("ifb1", "CE-A7-A1-DF-93-7B", Some(false)),
                ("eth0", "02-FC-00-00-00-01", Some(true)),
            ]
        );
        let src = &m.nics[2].mac.0[0].source;
        assert_eq!(src.line, Some(1), "ip -j prints one line");
        assert_eq!(
            src.text,
            "ip addr eth0: link/ether 02:fc:00:00:00:01, state UP, <BROADCAST,MULTICAST,UP,LOWER_UP>"
        );
        // Physical or not is /sys/class/net's to say.
        assert!(m.nics.iter().all(|n| !n.physical.is_known()));
    }

    #[test]
    fn unplugged_cable_is_enabled_switched_off_wifi_is_not() {
        let m = run(fixture!("linux/constructed/ip-addr-usb-nic.json"));
        assert_eq!(
            summary(&m),
            [
                ("enp0s31f6", "54-E1-AD-12-34-56", Some(true)),
                ("wlp0s20f3", "A4-C3-F0-12-34-56", Some(false)),
                ("enx00e04c680a1b", "00-E0-4C-68-0A-1B", Some(true)),
                ("docker0", "02-42-5B-8C-11-22", Some(true)),
            ]
        );
    }

    #[test]
    fn merges_with_sys_class_net_by_name_in_either_order() {
        let ip = Document::from_bytes(
            "t",
            "network/ip-addr.json",
            fixture!("linux/constructed/ip-addr-usb-nic.json"),
        );
        let net = Document::from_bytes(
            "t",
            "hardware/sys-class-net.txt",
            fixture!("linux/constructed/sys-class-net-usb.txt"),
        );
        for docs in [[&ip, &net], [&net, &ip]] {
            let mut m = Machine::default();
            for d in docs {
                crate::facts::extract_one(d, &mut m);
            }
            assert_eq!(m.nics.len(), 4, "docker0, enp0s31f6, enx…, wlp0s20f3: {:#?}", m.nics);
            let usb = m
                .nics
                .iter()
                .find(|n| n.name.best() == Some("enx00e04c680a1b"))
                .expect("USB NIC");
            assert_eq!(usb.mac.best(), Some("00-E0-4C-68-0A-1B"));
            assert_eq!(usb.enabled.any_true(), Some(true));
            assert_eq!(usb.physical.any_true(), Some(true));
            assert_eq!(usb.removable.any_true(), Some(true));
        }
    }
}
