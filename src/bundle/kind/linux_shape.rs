//! Recognises what the Linux collector stores: `lsblk -J`, `ip -j addr`, `ls -l /sys/class/net/`,
//! `systemd-detect-virt`, `/etc/os-release`, `hostname` and the collection manifest.
//!
//! JSON outputs and listings are told apart by their content alone. `systemd-detect-virt` and
//! `hostname` print one word, which any note could hold too, so those two also need the file
//! name to say what they are.

use super::Kind;
use serde_json::Value;

/// The manifest's `schema` value up to its version.
const MANIFEST_SCHEMA: &str = "cmgelog-manifest/";

/// The kind of a parsed JSON document, when it is one of the Linux tools' outputs or the manifest.
pub fn json_kind(value: &Value) -> Option<Kind> {
    match value {
        Value::Object(o) => {
            if o.get("schema")
                .and_then(Value::as_str)
                .is_some_and(|s| s.starts_with(MANIFEST_SCHEMA))
            {
                Some(Kind::Manifest)
            } else if o.get("blockdevices").is_some_and(Value::is_array) {
                Some(Kind::LsblkJson)
            } else {
                None
            }
        }
        // `ip -j addr`: every element is an interface with a name and a state or addresses
        // (`ip -j link` has no `addr_info`, but its `operstate` is what we read).
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .all(|i| i.get("ifname").is_some() && (i.get("addr_info").is_some() || i.get("operstate").is_some()))
            .then_some(Kind::IpJson),
        _ => None,
    }
}

/// `ls -l /sys/class/net/`: symbolic links `<name> -> ../../devices/.../net/<name>`. `total 0`
/// and regular files (`bonding_masters`) may sit between them.
pub fn is_sys_class_net(head: &[&str]) -> bool {
    let links = head.iter().filter(|l| net_link(l).is_some()).count();
    let other = head
        .iter()
        .filter(|l| net_link(l).is_none() && !l.starts_with("total ") && !l.starts_with('-'))
        .count();
    links >= 1 && other == 0
}

/// `lrwxrwxrwx 1 root root 0 May 14 09:30 eth0 -> ../../devices/pci0000:00/.../net/eth0` →
/// (`eth0`, the link target).
pub fn net_link(line: &str) -> Option<(&str, &str)> {
    if !line.starts_with('l') {
        return None;
    }
    let (left, target) = line.split_once(" -> ")?;
    let name = left.split_whitespace().last()?;
    let target = target.trim();
    (target.contains("devices/") && target.ends_with(&format!("/net/{name}"))).then_some((name, target))
}

/// `systemd-detect-virt` output: one lower-case identifier (`none`, `kvm`, `docker`,
/// `vm-other`), in a file whose name says where it came from.
pub fn is_detect_virt(path: &str, head: &[&str]) -> bool {
    file_name(path).contains("detect-virt") && is_one_identifier(head)
}

/// The output of `hostname`, saved as `hostname` or `hostname.txt`: one host name.
pub fn is_hostname(path: &str, head: &[&str]) -> bool {
    let name = file_name(path);
    let stem = name.strip_suffix(".txt").unwrap_or(&name);
    stem == "hostname"
        && head.len() == 1
        && head[0]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
}

/// `/etc/os-release`: `KEY=value` lines with upper-case keys, among them `ID` and `NAME` or
/// `PRETTY_NAME` (WMI's `Key=Value` lists use CamelCase keys).
pub fn is_os_release(head: &[&str]) -> bool {
    fn key(line: &str) -> Option<&str> {
        line.split_once('=').map(|(k, _)| k)
    }
    let assignments: Vec<&str> = head.iter().copied().filter(|l| !l.starts_with('#')).collect();
    let all_upper = !assignments.is_empty()
        && assignments.iter().all(|l| {
            key(l).is_some_and(|k| {
                !k.is_empty()
                    && k.chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            })
        });
    let has = |want: &str| assignments.iter().any(|l| key(l) == Some(want));
    all_upper && has("ID") && (has("NAME") || has("PRETTY_NAME"))
}

fn is_one_identifier(head: &[&str]) -> bool {
    head.len() == 1
        && !head[0].is_empty()
        && head[0]
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn file_name(path: &str) -> String {
    path.rsplit(['/', '\\']).next().unwrap_or(path).to_ascii_lowercase()
}
