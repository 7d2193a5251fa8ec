//! Classification of a network adapter from its description (or name) and, when known, its PnP
//! device id.
//!
//! The activation client wants at least one enabled, physical, non-removable NIC, and refuses
//! virtual machines. An adapter list mixes four kinds of entries, and they mean different things:
//!
//! * real hardware (`Realtek PCIe GbE Family Controller`): physical;
//! * software adapters of the running Windows (TAP, Wi-Fi Direct, Bluetooth PAN, tunnels, VPN
//!   clients, loopback, WAN miniports): not physical, say nothing about virtualisation;
//! * **host-side** adapters that virtualisation software creates on the machine that *runs* it
//!   (VMware `VMnet1/8`, VirtualBox Host-Only, Hyper-V `vEthernet`): not physical, and a hint
//!   that the machine is a host, never that it is a guest (windows-facts.md §3.1, "false-positive
//!   traps"). They get `host_side = true` and `virtual_for = None`;
//! * **guest** NICs that only exist inside a VM (`vmxnet3`, VirtIO, Hyper-V synthetic NIC, AWS
//!   ENA): not physical, `virtual_for` names the hypervisor.
//!
//! Emulated NICs that look like real hardware (`Intel(R) PRO/1000 MT`, `Intel(R) 82574L`,
//! `Realtek RTL8139C+`) are ambiguous from the name alone and count as physical; other signals
//! (DMI strings, MAC OUI) decide about those machines.

use serde::Serialize;

/// What kind of adapter a description / PnP id denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct NicKind {
    /// Real network hardware (not a software, tunnel, host-side or hypervisor guest adapter).
    pub physical: bool,
    /// Attached through USB, Thunderbolt, PCMCIA/ExpressCard (the activation client refuses those).
    pub removable: bool,
    /// For a NIC that only exists inside a virtual machine: the hypervisor ("VMware",
    /// "VirtualBox", "Hyper-V", "QEMU/KVM", "Xen", "Parallels", "Amazon EC2", "Google Compute
    /// Engine"). `None` for everything else, host-side adapters included.
    pub virtual_for: Option<&'static str>,
    /// A host-side adapter of virtualisation software (VMware VMnet, VirtualBox Host-Only,
    /// Hyper-V vEthernet / virtual switch): the machine runs a hypervisor, it is not a guest.
    pub host_side: bool,
}

/// Classifies one adapter. `description` is the adapter description (ipconfig `Description`,
/// Win32_NetworkAdapter.Name/Description, systeminfo's `[01]:` item); a connection name
/// (`vEthernet (WSL)`) also works. `pnp_id` is Win32_NetworkAdapter.PNPDeviceID when known.
pub fn classify(description: &str, pnp_id: Option<&str>) -> NicKind {
    let desc = description.trim().to_lowercase();
    let pnp = pnp_id.map(|p| p.trim().to_ascii_uppercase()).unwrap_or_default();
    let removable = is_removable(&desc, &pnp);

    if is_host_side(&desc) {
        return NicKind {
            physical: false,
            removable,
            virtual_for: None,
            host_side: true,
        };
    }
    if let Some(hv) = guest_hypervisor(&desc, &pnp) {
        return NicKind {
            physical: false,
            removable,
            virtual_for: Some(hv),
            host_side: false,
        };
    }
    let physical = !is_software_adapter(&desc) && !is_software_bus(&pnp);
    NicKind {
        physical,
        removable,
        virtual_for: None,
        host_side: false,
    }
}

/// Classifies a Linux interface by the device its `/sys/class/net/<name>` link points to
/// (`ls -l /sys/class/net/`):
///
/// * `../../devices/virtual/net/<name>`: a software interface (loopback, bridge, veth, tun,
///   ifb, docker0): not physical, says nothing about virtualisation;
/// * a path through a virtio device (`.../0000:00:03.0/virtio2/net/eth0`), the Hyper-V VMBus
///   (`.../VMBUS:00/...`) or a Xen virtual interface (`../../devices/vif-0/net/eth0`): a guest
///   NIC of that hypervisor, not physical;
/// * a path through a USB device (`.../usb2/2-1/2-1:1.0/net/...`): physical and removable;
/// * anything else (a PCI device, an SoC's platform device): physical.
pub fn classify_sysfs_path(target: &str) -> NicKind {
    let path = target.trim().to_ascii_lowercase();
    if path.contains("/devices/virtual/") || path.starts_with("devices/virtual/") {
        return NicKind::default();
    }
    let guest = [("/virtio", "QEMU/KVM"), ("/vmbus", "Hyper-V"), ("/vif-", "Xen")]
        .iter()
        .find(|(part, _)| path.contains(part))
        .map(|(_, hv)| *hv);
    NicKind {
        physical: guest.is_none(),
        removable: path.contains("/usb"),
        virtual_for: guest,
        host_side: false,
    }
}

/// Adapters that virtualisation software adds to the host it is installed on.
fn is_host_side(desc: &str) -> bool {
    // "VMware Virtual Ethernet Adapter for VMnet1" (the guest NICs are vmxnet/PCnet/e1000).
    (desc.contains("vmware") && (desc.contains("virtual ethernet adapter") || desc.contains("vmnet")))
        || desc.contains("virtualbox host-only")
        || (desc.contains("parallels") && desc.contains("host-only"))
        // "Hyper-V Virtual Ethernet Adapter", "Hyper-V Virtual Switch Extension Adapter"; the
        // guest NIC is "Microsoft Hyper-V Network Adapter".
        || (desc.contains("hyper-v") && (desc.contains("virtual ethernet") || desc.contains("virtual switch")))
        || desc.starts_with("vethernet")
}

/// The hypervisor a guest-only NIC belongs to, by description or PCI vendor / bus.
fn guest_hypervisor(desc: &str, pnp: &str) -> Option<&'static str> {
    const BY_DESC: &[(&str, &str)] = &[
        ("vmxnet", "VMware"),
        ("vmware pci ethernet", "VMware"),
        ("vmware accelerated", "VMware"),
        ("hyper-v network adapter", "Hyper-V"),
        ("virtual machine bus network adapter", "Hyper-V"),
        ("amazon elastic network adapter", "Amazon EC2"),
        ("aws pv network", "Amazon EC2"),
        ("google virtio", "Google Compute Engine"),
        ("google ethernet adapter", "Google Compute Engine"),
        ("gvnic", "Google Compute Engine"),
        ("virtio", "QEMU/KVM"),
        ("qemu", "QEMU/KVM"),
        ("citrix pv", "Xen"),
        ("xenserver pv", "Xen"),
        ("xen pv", "Xen"),
        ("xen net", "Xen"),
        ("parallels", "Parallels"),
    ];
    // PCI vendor ids of hypervisor devices (windows-facts.md §3, "PCI vendor IDs"); 1D0F is
    // Amazon's vendor id, used by the ENA NIC.
    const BY_PCI_VENDOR: &[(&str, &str)] = &[
        ("15AD", "VMware"),
        ("80EE", "VirtualBox"),
        ("1AF4", "QEMU/KVM"),
        ("1B36", "QEMU/KVM"),
        ("5853", "Xen"),
        ("1AB8", "Parallels"),
        ("1D0F", "Amazon EC2"),
    ];
    if let Some((_, hv)) = BY_DESC.iter().find(|(needle, _)| desc.contains(needle)) {
        return Some(hv);
    }
    // Hyper-V synthetic devices sit on the VMBus, not on PCI.
    if pnp.starts_with("VMBUS\\") {
        return Some("Hyper-V");
    }
    if pnp.starts_with("XENVIF\\") || pnp.starts_with("XEN\\") {
        return Some("Xen");
    }
    // `PCI\VEN_xxxx&DEV_...`: only the vendor counts (a SUBSYS id naming VMware also appears
    // on emulated Intel NICs, which stay ambiguous).
    let vendor = pnp.strip_prefix("PCI\\VEN_").and_then(|rest| rest.get(..4))?;
    BY_PCI_VENDOR.iter().find(|(ven, _)| *ven == vendor).map(|(_, hv)| *hv)
}

/// Software adapters of Windows itself, VPN clients and tunnels (lower-cased description).
fn is_software_adapter(desc: &str) -> bool {
    const NEEDLES: &[&str] = &[
        "tap-windows",
        "tap-win32",
        "wi-fi direct",
        "wifi direct",
        "hosted network",
        "kernel debug",
        "wan miniport",
        "miniport",
        "teredo",
        "isatap",
        "6to4",
        "ip-https",
        "pseudo-interface",
        "loopback",
        "bluetooth",
        "蓝牙",
        "个人区域网",
        "personal area network",
        "multiplexor",
        "ras async",
        "tunnel",
        "隧道",
        "wireguard",
        "wintun",
        "openvpn",
        "anyconnect",
        "fortinet",
        "forticlient",
        "sangfor",
        "zerotier",
        "hamachi",
        "tailscale",
        "softether",
        "vpn",
        "virtual",
        "虚拟",
    ];
    desc.starts_with("tap-") || NEEDLES.iter().any(|n| desc.contains(n))
}

/// PnP enumerators of software devices: `ROOT\NET\0000` (TAP, loopback, VMnet), `SWD\` (Wi-Fi
/// Direct, IP-HTTPS), Bluetooth PAN (`BTH\MS_BTHPAN`).
fn is_software_bus(pnp: &str) -> bool {
    ["ROOT\\", "SWD\\", "SW\\", "BTH\\", "BTHENUM\\", "VMBUS\\"]
        .iter()
        .any(|p| pnp.starts_with(p))
}

/// USB, Thunderbolt and card-slot adapters.
fn is_removable(desc: &str, pnp: &str) -> bool {
    const NEEDLES: &[&str] = &[
        "usb",
        "thunderbolt",
        "pcmcia",
        "expresscard",
        "cardbus",
        "remote ndis",
        "rndis",
    ];
    NEEDLES.iter().any(|n| desc.contains(n)) || ["USB\\", "USB4\\", "PCMCIA\\"].iter().any(|p| pnp.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn physical(desc: &str) -> bool {
        classify(desc, None).physical
    }

    /// Descriptions from the ipconfig / systeminfo fixtures (tests/fixtures/ipconfig, systeminfo).
    #[test]
    fn real_fixture_descriptions() {
        for d in [
            "Realtek USB FE Family Controller",
            "Intel(R) Dual Band Wireless-AC 8275",
            "Intel(R) 82579LM Gigabit Network Connection #2",
            "MediaTek Wi-Fi 6 MT7921 Wireless LAN Card",
            "Realtek PCIe GbE Family Controller",
            "Intel(R) Ethernet Connection (2) I219-LM",
        ] {
            let k = classify(d, None);
            assert!(k.physical, "{d}");
            assert_eq!(k.virtual_for, None, "{d}");
            assert!(!k.host_side, "{d}");
        }
        for d in [
            "TAP-Windows Adapter V9",
            "TAP-Windows Adapter V9 #2",
            "Microsoft Wi-Fi Direct Virtual Adapter",
            "Microsoft Wi-Fi Direct Virtual Adapter #2",
            "Bluetooth Device (Personal Area Network)",
            "Bluetooth 设备(个人区域网) #11",
            "Microsoft ISATAP Adapter",
            "Microsoft ISATAP Adapter #5",
            "Teredo Tunneling Pseudo-Interface",
            "Meta Tunnel",
        ] {
            let k = classify(d, None);
            assert!(!k.physical, "{d}");
            assert_eq!(k.virtual_for, None, "{d}");
            assert!(!k.host_side, "{d}");
        }
    }

    #[test]
    fn removable_adapters() {
        let usb = classify("Realtek USB FE Family Controller", None);
        assert!(usb.physical && usb.removable);
        assert!(
            classify(
                "Intel(R) Ethernet Connection I219-LM",
                Some("USB\\VID_0BDA&PID_8153\\000001")
            )
            .removable
        );
        assert!(classify("Thunderbolt(TM) Ethernet", None).removable);
        assert!(!classify("Realtek PCIe GbE Family Controller", Some("PCI\\VEN_10EC&DEV_8168")).removable);
    }

    #[test]
    fn host_side_adapters_are_not_guest_signals() {
        for d in [
            "VMware Virtual Ethernet Adapter for VMnet1",
            "VMware Virtual Ethernet Adapter for VMnet8",
            "VirtualBox Host-Only Ethernet Adapter",
            "Hyper-V Virtual Ethernet Adapter",
            "vEthernet (WSL (Hyper-V firewall))",
        ] {
            let k = classify(d, None);
            assert!(!k.physical, "{d}");
            assert!(k.host_side, "{d}");
            assert_eq!(k.virtual_for, None, "{d}");
        }
    }

    #[test]
    fn guest_nics_name_their_hypervisor() {
        let cases = [
            ("vmxnet3 Ethernet Adapter", "VMware"),
            ("Red Hat VirtIO Ethernet Adapter", "QEMU/KVM"),
            ("Microsoft Hyper-V Network Adapter", "Hyper-V"),
            ("Amazon Elastic Network Adapter", "Amazon EC2"),
            ("AWS PV Network Device #0", "Amazon EC2"),
            ("Citrix PV Network Adapter #0", "Xen"),
            ("XenServer PV Network Device #0", "Xen"),
            ("Parallels Ethernet Adapter", "Parallels"),
        ];
        for (d, hv) in cases {
            let k = classify(d, None);
            assert!(!k.physical, "{d}");
            assert_eq!(k.virtual_for, Some(hv), "{d}");
            assert!(!k.host_side, "{d}");
        }
        // Emulated hardware cannot be told from the real thing by name.
        assert!(physical("Intel(R) PRO/1000 MT Network Connection"));
    }

    #[test]
    fn software_adapters() {
        for d in [
            "Microsoft Kernel Debug Network Adapter",
            "WAN Miniport (IP)",
            "Microsoft 6to4 Adapter",
            "Software Loopback Interface 1",
            "Npcap Loopback Adapter",
            "Microsoft Network Adapter Multiplexor Driver",
            "RAS Async Adapter",
            "WireGuard Tunnel",
            "OpenVPN Data Channel Offload",
            "Cisco AnyConnect Secure Mobility Client Virtual Miniport Adapter for Windows x64",
            "Fortinet SSL VPN Virtual Ethernet Adapter",
            "Sangfor SSL VPN CS Support System VNIC",
        ] {
            assert!(!physical(d), "{d}");
        }
    }

    #[test]
    fn linux_sysfs_paths() {
        // From tests/fixtures/linux: the CI machine and the constructed laptop.
        let virtio = classify_sysfs_path("../../devices/pci0000:00/0000:00:03.0/virtio2/net/eth0");
        assert!(!virtio.physical && !virtio.removable);
        assert_eq!(virtio.virtual_for, Some("QEMU/KVM"));
        let lo = classify_sysfs_path("../../devices/virtual/net/lo");
        assert_eq!(lo, NicKind::default());
        let pci = classify_sysfs_path("../../devices/pci0000:00/0000:00:1f.6/net/enp0s31f6");
        assert!(pci.physical && !pci.removable && pci.virtual_for.is_none());
        let usb = classify_sysfs_path("../../devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/net/enx00e04c680a1b");
        assert!(usb.physical && usb.removable);
        let xen = classify_sysfs_path("../../devices/vif-0/net/eth0");
        assert_eq!((xen.physical, xen.virtual_for), (false, Some("Xen")));
        let hyperv = classify_sysfs_path(
            "../../devices/LNXSYSTM:00/LNXSYBUS:00/ACPI0004:00/VMBUS:00/6b4e7b2c-3a1f-4d2e-9c8b-1a2b3c4d5e6f/net/eth0",
        );
        assert_eq!((hyperv.physical, hyperv.virtual_for), (false, Some("Hyper-V")));
    }

    #[test]
    fn pnp_ids_decide_when_the_name_does_not() {
        let root = classify("Some Adapter", Some("ROOT\\NET\\0000"));
        assert!(!root.physical && root.virtual_for.is_none());
        assert!(!classify("Some Adapter", Some("SWD\\MSRRAS\\MS_NDISWANIP")).physical);
        let vmbus = classify(
            "Some Adapter",
            Some("VMBUS\\{F8615163-DF3E-46C5-913F-F2D2F965ED0E}\\{123}"),
        );
        assert!(!vmbus.physical);
        assert_eq!(vmbus.virtual_for, Some("Hyper-V"));
        let e1000_vmware = classify(
            "Intel(R) PRO/1000 MT Network Connection",
            Some("PCI\\VEN_8086&DEV_100F&SUBSYS_075015AD"),
        );
        assert!(e1000_vmware.physical, "subsystem id alone is not the vendor");
        let vmxnet = classify("Ethernet", Some("PCI\\VEN_15AD&DEV_07B0&SUBSYS_07B015AD&REV_01"));
        assert_eq!(vmxnet.virtual_for, Some("VMware"));
        assert!(classify("Intel(R) Ethernet Connection I219-LM", Some("PCI\\VEN_8086&DEV_15B7")).physical);
    }
}
