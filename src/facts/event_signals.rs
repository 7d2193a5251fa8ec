//! Facts from event logs: guest drivers, guest services and guest tools of a hypervisor that
//! show up in the System and Application logs. They are virtual-machine signals of medium
//! strength (windows-facts.md §3.1): strong evidence in practice, but not firmware identity,
//! and host-side components (VMware's NAT/DHCP/USB arbitration services, Hyper-V's in-box
//! integration services that merely exist) are deliberately not on these lists.

use super::inventory::{guest_process, GUEST_PROCESSES};
use super::model::{Basis, Machine, Source, Strength, VmSignal};
use crate::events::{ChunkFilterBuilder, EventRecord, Needle};
use std::collections::BTreeMap;

/// Event providers that are guest drivers or guest tools (lower case) and their hypervisor.
const GUEST_PROVIDERS: &[(&str, &str)] = &[
    ("vmci", "VMware"),
    ("vmhgfs", "VMware"),
    ("vmmouse", "VMware"),
    ("vmmemctl", "VMware"),
    ("vmxnet", "VMware"),
    ("vmxnet3ndis6", "VMware"),
    ("vm3dmp", "VMware"),
    ("vmware tools", "VMware"),
    ("vmtools", "VMware"),
    ("vboxguest", "VirtualBox"),
    ("vboxservice", "VirtualBox"),
    ("vboxmouse", "VirtualBox"),
    ("vboxsf", "VirtualBox"),
    ("vboxvideo", "VirtualBox"),
    ("vboxwddm", "VirtualBox"),
    ("viostor", "QEMU/KVM"),
    ("vioscsi", "QEMU/KVM"),
    ("netkvm", "QEMU/KVM"),
    ("balloon", "QEMU/KVM"),
    ("vioser", "QEMU/KVM"),
    ("qemu-ga", "QEMU/KVM"),
    ("qemu guest agent", "QEMU/KVM"),
    ("xenbus", "Xen"),
    ("xenvbd", "Xen"),
    ("xennet", "Xen"),
    ("xeniface", "Xen"),
    // Hyper-V's guest drivers: the synthetic NIC (netvsc, "Microsoft Hyper-V Network Adapter")
    // and storage (storvsc). The host side is other drivers and providers
    // (Microsoft-Windows-Hyper-V-VmSwitch, vmsmp, Hyper-V-VMMS): no signal. VMBus itself runs in
    // the host's root partition too, so its provider is no guest signal either; the guest's
    // VMBus devices are (DEVICE_IDS).
    ("microsoft-windows-hyper-v-netvsc", "Hyper-V"),
    ("netvsc", "Hyper-V"),
    ("storvsc", "Hyper-V"),
];

/// Guest services and tools named in Service Control Manager and MsiInstaller events (lower
/// case substrings of the service or product name).
const GUEST_SERVICES: &[(&str, &str)] = &[
    ("vmware tools", "VMware"),
    ("vmware snapshot provider", "VMware"),
    ("vmware physical disk helper", "VMware"),
    ("vmware svga", "VMware"),
    ("vmware vmci", "VMware"),
    ("virtualbox guest additions", "VirtualBox"),
    ("vboxservice", "VirtualBox"),
    ("qemu guest agent", "QEMU/KVM"),
    ("qemu-ga", "QEMU/KVM"),
    ("spice agent", "QEMU/KVM"),
    ("redhat virtio", "QEMU/KVM"),
    ("red hat virtio", "QEMU/KVM"),
    ("citrix xen", "Xen"),
    ("xen pv", "Xen"),
    ("parallels tools", "Parallels"),
];

/// Providers whose events name services and products ([`GUEST_SERVICES`] are looked up in them).
const SERVICE_PROVIDERS: &[&str] = &["Service Control Manager", "MsiInstaller"];

/// Vendor ids of virtual hardware in PnP device instance ids (upper case).
const DEVICE_IDS: &[(&str, &str)] = &[
    ("VEN_15AD", "VMware"),
    ("VID_0E0F", "VMware"),
    ("VEN_80EE", "VirtualBox"),
    ("VEN_1AF4", "QEMU/KVM"),
    ("VEN_1B36", "QEMU/KVM"),
    ("VEN_5853", "Xen"),
    ("VEN_1AB8", "Parallels"),
    // Hyper-V synthetic devices of a guest (`VMBUS\{f8615163-...}\...`; windows-facts.md §3:
    // they enumerate under VMBUS\ rather than PCI\). The host's VMBus provider is
    // `ROOT\VMBUS\0000`, which `device_vendor` skips.
    ("VMBUS\\", "Hyper-V"),
];

/// Providers and events whose data names the image of a running process: Security 4688
/// (NewProcessName), 4616 and 4689 (ProcessName), and every Sysmon event (its image fields).
const SECURITY: &str = "Microsoft-Windows-Security-Auditing";
const SYSMON: &str = "Microsoft-Windows-Sysmon";

/// One kind of signal, aggregated over all the events that show it.
#[derive(Debug)]
struct Seen {
    count: usize,
    basis: Basis,
    what_en: String,
    what_zh: String,
    /// The most recent event showing it.
    source: Source,
}

/// Collects event facts while the logs stream past; [`EventFacts::apply`] adds them to the machine.
#[derive(Debug, Default)]
pub struct EventFacts {
    seen: BTreeMap<(String, String), Seen>,
}

impl EventFacts {
    pub fn observe(&mut self, rec: &EventRecord) {
        if let Some((hypervisor, basis, key, en, zh)) = classify(rec) {
            let source = source(rec);
            let entry = self.seen.entry((hypervisor.to_string(), key)).or_insert_with(|| Seen {
                count: 0,
                basis,
                what_en: en,
                what_zh: zh,
                source: source.clone(),
            });
            entry.count += 1;
            entry.source = source;
        }
    }

    /// What a chunk of an `.evtx` must hold for [`classify`] to find something in one of its
    /// records: a guest provider, a virtual vendor id, or a Service Control Manager or
    /// MsiInstaller event together with a guest service name, or a Security or Sysmon event
    /// together with a guest tools process name. All are strings in the log.
    pub fn chunk_needles(builder: &mut ChunkFilterBuilder) {
        let text = |s: &str| Needle::Text(s.to_string());
        for (provider, _) in GUEST_PROVIDERS {
            builder.clause(vec![vec![text(provider)]]);
        }
        for (id, _) in DEVICE_IDS {
            builder.clause(vec![vec![text(id)]]);
        }
        builder.clause(vec![
            SERVICE_PROVIDERS.iter().map(|p| text(p)).collect(),
            GUEST_SERVICES.iter().map(|(s, _)| text(s)).collect(),
        ]);
        builder.clause(vec![
            vec![text(SECURITY), text(SYSMON)],
            GUEST_PROCESSES.iter().map(|(p, _)| text(p)).collect(),
        ]);
    }

    /// Adds one virtual-machine signal per kind of guest component seen.
    pub fn apply(self, machine: &mut Machine) {
        for ((hypervisor, _), s) in self.seen {
            machine.vm_hints.push(VmSignal {
                hypervisor,
                strength: Strength::Medium,
                basis: s.basis,
                what_en: format!("{} ({} event(s); latest shown)", s.what_en, s.count),
                what_zh: format!("{}（{} 个事件，显示最近一个）", s.what_zh, s.count),
                source: s.source,
            });
        }
    }
}

/// (hypervisor, kind, dedup key, what in English, what in Chinese) for an event that shows a
/// guest component.
type Classified = (&'static str, Basis, String, String, String);

fn classify(rec: &EventRecord) -> Option<Classified> {
    let provider = rec.provider.as_deref().unwrap_or_default();
    let lower = provider.to_ascii_lowercase();
    if let Some((_, h)) = GUEST_PROVIDERS.iter().find(|(p, _)| *p == lower) {
        return Some((
            h,
            Basis::GuestDriver,
            format!("provider:{lower}"),
            format!("the event log has events from “{provider}”, a {h} guest driver or tool"),
            format!("事件日志中有来自 “{provider}” 的事件，这是 {h} 虚拟机的驱动或工具"),
        ));
    }
    // The two providers of SERVICE_PROVIDERS.
    let names_a_service = matches!(
        (provider, rec.event_id),
        ("Service Control Manager", Some(7036 | 7045)) | ("MsiInstaller", Some(1033 | 1034 | 11707 | 11724))
    );
    if names_a_service {
        for (_, value) in rec.data.iter().take(2) {
            let v = value.to_ascii_lowercase();
            if let Some((name, h)) = GUEST_SERVICES.iter().find(|(s, _)| v.contains(s)) {
                return Some((
                    h,
                    Basis::GuestService,
                    format!("service:{provider}:{name}"),
                    format!(
                        "{provider} event {} names “{}”, a {h} guest component",
                        rec.event_id.unwrap_or(0),
                        value.trim()
                    ),
                    format!(
                        "{provider} 事件 {} 提到 “{}”，这是 {h} 虚拟机组件",
                        rec.event_id.unwrap_or(0),
                        value.trim()
                    ),
                ));
            }
        }
    }
    let fields: &[&str] = match (provider, rec.event_id) {
        (SECURITY, Some(4688)) => &["NewProcessName"],
        (SECURITY, Some(4616 | 4689)) => &["ProcessName"],
        // Every image a Sysmon event names is a process that ran: Image (1, 3, 5, 7, ...),
        // ParentImage (1), SourceImage and TargetImage (8, 10).
        (SYSMON, _) => &["Image", "ParentImage", "SourceImage", "TargetImage"],
        _ => &[],
    };
    let found = fields
        .iter()
        .filter_map(|f| rec.field(f))
        .find_map(|image| guest_process(image).map(|g| (image, g)));
    if let Some((image, (name, h))) = found {
        let image = image.trim();
        let id = rec.event_id.unwrap_or(0);
        return Some((
            h,
            Basis::Process,
            format!("process:{name}"),
            format!("{provider} event {id} shows the process “{image}”, a {h} guest tools process"),
            format!("{provider} 事件 {id} 记录了进程 “{image}”，这是 {h} 虚拟机工具的进程"),
        ));
    }
    for (_, value) in &rec.data {
        if let Some((id, h)) = device_vendor(value) {
            return Some((
                h,
                Basis::Device,
                format!("device:{id}"),
                format!("device “{}” has the {h} hardware vendor id {id}", value.trim()),
                format!("设备 “{}” 的硬件厂商 ID {id} 属于 {h}", value.trim()),
            ));
        }
    }
    None
}

/// The virtual hardware vendor id in a PnP device id (`PCI\VEN_15AD&...`, `VMBUS\{...}`);
/// the host's `ROOT\VMBUS` is no guest device.
fn device_vendor(value: &str) -> Option<(&'static str, &'static str)> {
    // Every event's data values pass through here, so no upper-cased copy and no substring
    // searcher per id: every id starts with a V, and only the places of a V are compared.
    let b = value.as_bytes();
    let guest_at = |at: usize, id: &str| {
        b.get(at..at + id.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(id.as_bytes()))
            && !(at >= 5 && b[at - 5..at].eq_ignore_ascii_case(b"ROOT\\"))
    };
    DEVICE_IDS
        .iter()
        .copied()
        .find(|(id, _)| memchr::memchr2_iter(b'V', b'v', b).any(|at| guest_at(at, id)))
}

fn source(rec: &EventRecord) -> Source {
    let mut text = format!(
        "{} {}",
        rec.provider.as_deref().unwrap_or("?"),
        rec.event_id.map_or_else(|| "?".to_string(), |i| i.to_string())
    );
    if let Some(r) = rec.record_id {
        text.push_str(&format!(" #{r}"));
    }
    if let Some(t) = &rec.time {
        text.push_str(&format!(" {t}"));
    }
    Source {
        input: rec.input.clone(),
        path: rec.path.clone(),
        line: None,
        text,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn device_ids_are_found_in_any_case_but_not_under_root() {
        // device_vendor only looks where a V is.
        assert!(DEVICE_IDS.iter().all(|(id, _)| id.starts_with('V')));
        assert_eq!(device_vendor(r"PCI\ven_15ad&DEV_0405"), Some(("VEN_15AD", "VMware")));
        assert_eq!(device_vendor(r"USB\VID_0E0F&PID_0003"), Some(("VID_0E0F", "VMware")));
        assert_eq!(
            device_vendor(r"vmbus\{f8615163-df3e-46c5-913f-f2d2f965ed0e}"),
            Some(("VMBUS\\", "Hyper-V"))
        );
        assert_eq!(device_vendor(r"root\VMBUS\0000"), None);
        assert_eq!(
            device_vendor(r"ROOT\VMBUS\0000 and VMBUS\{x}"),
            Some(("VMBUS\\", "Hyper-V"))
        );
        assert_eq!(device_vendor(r"PCI\VEN_8086&DEV_1234 Service"), None);
        assert_eq!(device_vendor("V"), None);
    }

    use super::*;
    use crate::bundle::Document;
    use crate::events::read_events;

    fn signals(name: &str, bytes: &[u8]) -> Vec<VmSignal> {
        let doc = Document::from_bytes("t", name, bytes);
        let mut facts = EventFacts::default();
        assert!(read_events(&doc, |r| facts.observe(&r)).is_empty());
        let mut m = Machine::default();
        facts.apply(&mut m);
        m.vm_hints
    }

    #[test]
    fn vmware_guest_system_log() {
        let s = signals("system.evtx", fixture!("evtx/system.evtx"));
        assert!(s
            .iter()
            .all(|s| s.hypervisor == "VMware" && s.strength == Strength::Medium));
        let vmci = s
            .iter()
            .find(|s| s.what_en.contains("“vmci”"))
            .expect("vmci driver events");
        assert!(vmci.what_en.contains("(3 event(s)"), "{}", vmci.what_en);
        assert!(s.iter().any(|s| s.what_en.contains("VID_0E0F")));
    }

    #[test]
    fn vmware_tools_in_application_log() {
        let s = signals("app.evtx", fixture!("evtx/many-events-application.evtx"));
        assert!(s
            .iter()
            .any(|s| s.what_en.contains("“VMware Tools”, a VMware guest driver or tool")));
        assert!(s.iter().any(|s| s.what_en.starts_with("MsiInstaller event")));
    }

    #[test]
    fn no_signal_from_a_log_without_guest_components() {
        let s = signals(
            "lp.evtx",
            fixture!("evtx/Microsoft-Windows-LanguagePackSetup%4Operational.evtx"),
        );
        assert!(s.is_empty(), "{s:?}");
    }
}
