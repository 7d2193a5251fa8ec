//! Process lists and software lists (`bundle::crate::facts::formats::kind("process-list")`, `SoftwareList`) → medium
//! VM signals for the guest tools of a hypervisor that run or are installed.
//!
//! Only guest-side programs count. Host products are not guest signals: VMware Workstation
//! and Player (`vmware.exe`, `vmware-vmx.exe`), Oracle VM VirtualBox (`VirtualBox.exe`,
//! `VBoxSVC.exe`, `VBoxHeadless.exe`), Hyper-V's `vmms.exe`/`vmwp.exe`, `qemu-system-*` and
//! `libvirtd` run on the machine that hosts virtual machines. Names are matched whole (the
//! file name of a process image, without `.exe`), so no host program matches a guest name.

mod shape;

use super::formats::{Format, Recognise};
use super::model::{Basis, Machine, Source, Strength, VmSignal};
use crate::bundle::{Document, Kind, Reading};

/// A list of running processes: `tasklist` (table, `/v`, `/fo csv`, any UI language),
/// `ps aux` / `ps -ef`, Win32_Process (`wmic process`, PowerShell JSON), `Get-Process`.
/// Searched for guest tools, never for error codes.
pub(crate) const PROCESS_LIST: Format = Format {
    kind: Kind::new("process-list", Reading::Lines),
    recognise: Recognise::text(shape::is_processes),
    extract: extract_processes,
    platform: None,
    codes: false,
};

/// A list of installed software: `reg export` of the Uninstall keys, `wmic product`,
/// PowerShell programs JSON or `Get-ItemProperty` lists (DisplayName), `dpkg -l`, `rpm -qa`.
/// Searched for guest tools, never for error codes.
pub(crate) const SOFTWARE_LIST: Format = Format {
    kind: Kind::new("software-list", Reading::Lines),
    recognise: Recognise::text(shape::is_software),
    extract: extract_software,
    platform: None,
    codes: false,
};

/// Guest tools processes (lower case, without `.exe`), their hypervisor and where the name
/// comes from.
pub const GUEST_PROCESSES: &[(&str, &str)] = &[
    // windows-facts.md §3.1, from al-khaser AntiVM/VMware.cpp and pafish vmware.c.
    ("vmtoolsd", "VMware"),
    ("vmwaretray", "VMware"),
    ("vmwareuser", "VMware"),
    ("vgauthservice", "VMware"),
    ("vmacthlp", "VMware"),
    // VMware Tools' SVGA helper service (vm3dservice.exe runs next to vmtoolsd.exe in the
    // tasklist of a VMware guest in a public Atomic Red Team transcript; index only, unlicensed).
    ("vm3dservice", "VMware"),
    // open-vm-tools on Linux: vmtoolsd (above) and its FUSE helper.
    ("vmware-vmblock-fuse", "VMware"),
    // windows-facts.md §3.1, from al-khaser AntiVM/VirtualBox.cpp.
    ("vboxservice", "VirtualBox"),
    ("vboxtray", "VirtualBox"),
    // The Linux Guest Additions' user session service.
    ("vboxclient", "VirtualBox"),
    // windows-facts.md §3.1: QEMU guest agent, SPICE agent (al-khaser Qemu.cpp).
    ("qemu-ga", "QEMU/KVM"),
    ("vdagent", "QEMU/KVM"),
    ("vdservice", "QEMU/KVM"),
    ("spice-vdagent", "QEMU/KVM"),
    ("spice-vdagentd", "QEMU/KVM"),
    // windows-facts.md §3.1, from al-khaser AntiVM/Parallels.cpp.
    ("prl_cc", "Parallels"),
    ("prl_tools", "Parallels"),
    // windows-facts.md §3.1, from al-khaser AntiVM/Xen.cpp.
    ("xenservice", "Xen"),
    // windows-facts.md §3.1, from al-khaser AntiVM/VirtualPC.cpp.
    ("vmsrvc", "Virtual PC"),
    ("vmusrvc", "Virtual PC"),
    // Linux hyperv-daemons (the kernel's tools/hv): they only start inside Hyper-V guests.
    ("hv_kvp_daemon", "Hyper-V"),
    ("hv_vss_daemon", "Hyper-V"),
    ("hv_fcopy_daemon", "Hyper-V"),
    // The Azure VM agent (a Hyper-V guest in Azure's cloud).
    ("windowsazureguestagent", "Hyper-V (Azure)"),
    ("waappagent", "Hyper-V (Azure)"),
];

/// Guest tools in software lists: lower-case substrings of a product or package name.
/// Host products (VMware Workstation/Player, "Oracle VM VirtualBox" without "Guest
/// Additions", XenCenter) contain none of them.
pub const GUEST_SOFTWARE: &[(&str, &str)] = &[
    // windows-facts.md §1.4 and §3.1 (al-khaser: HKLM\SOFTWARE\VMware, Inc.\VMware Tools).
    ("vmware tools", "VMware"),
    ("open-vm-tools", "VMware"),
    // "Oracle VM VirtualBox Guest Additions <version>" (windows-facts.md §3.1, registry key
    // HKLM\SOFTWARE\Oracle\VirtualBox Guest Additions); Debian/Ubuntu virtualbox-guest-*.
    ("virtualbox guest additions", "VirtualBox"),
    ("virtualbox-guest-", "VirtualBox"),
    ("qemu guest agent", "QEMU/KVM"),
    ("qemu-guest-agent", "QEMU/KVM"),
    // "Virtio-win driver installer", "virtio-win-guest-tools" (the Fedora/Red Hat virtio-win ISO).
    ("virtio-win", "QEMU/KVM"),
    ("spice-vdagent", "QEMU/KVM"),
    ("parallels tools", "Parallels"),
    ("xenserver windows management agent", "Xen"),
    ("xenserver pv tools", "Xen"),
    ("xenserver tools", "Xen"),
    ("citrix vm tools", "Xen"),
    ("xe-guest-utilities", "Xen"),
    ("hyperv-daemons", "Hyper-V"),
    ("windows azure vm agent", "Hyper-V (Azure)"),
    ("nutanix guest tools", "Nutanix AHV"),
];

/// The hypervisor whose guest tools a process image is (`C:\...\vmtoolsd.exe`,
/// `/usr/bin/vmtoolsd`, `vmtoolsd`), matched on the whole file name.
pub fn guest_process(image: &str) -> Option<(&'static str, &'static str)> {
    let name = image
        .trim()
        .trim_matches('"')
        .rsplit(['\\', '/'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let stem = name.strip_suffix(".exe").unwrap_or(&name);
    GUEST_PROCESSES.iter().find(|(p, _)| *p == stem).map(|&(p, h)| (p, h))
}

/// How the lines of a process list are laid out.
enum ProcessLayout {
    /// `tasklist` table: the image name is the first column, this many characters wide.
    Table(usize),
    /// `ps`: the command is whitespace-separated field `n`.
    Ps(usize),
    /// Anything else: CSV, `Key=Value`, JSON lines, wmic tables.
    Other,
}

pub fn extract_processes(doc: &Document, machine: &mut Machine) {
    let lines: Vec<(usize, &str)> = doc.lines().collect();
    let head: Vec<&str> = lines
        .iter()
        .map(|(_, l)| l.trim())
        .filter(|l| !l.is_empty())
        .take(20)
        .collect();
    let layout = if let Some(n) = ps_command_column(&head) {
        ProcessLayout::Ps(n)
    } else if let Some(rule) = lines.iter().find(|(_, l)| is_rule(l)) {
        let width = rule
            .1
            .trim_start()
            .split(' ')
            .next()
            .unwrap_or_default()
            .chars()
            .count();
        ProcessLayout::Table(width)
    } else {
        ProcessLayout::Other
    };
    let mut found: Vec<(&'static str, &'static str, Source)> = Vec::new();
    for &(n, line) in &lines {
        for image in images(line, &layout) {
            if let Some((name, hv)) = guest_process(image) {
                if !found.iter().any(|(p, _, _)| *p == name) {
                    found.push((name, hv, Source::at(doc, n, line)));
                }
            }
        }
    }
    for (name, hv, source) in found {
        machine.vm_hints.push(VmSignal {
            hypervisor: hv.into(),
            strength: Strength::Medium,
            basis: Basis::Process,
            what_en: format!("the process list shows “{name}”, a {hv} guest tools process"),
            what_zh: format!("进程列表中有 “{name}”，这是 {hv} 虚拟机工具的进程"),
            source,
        });
    }
}

/// `ps` header (`USER PID ... COMMAND`, `UID PID PPID ... CMD`): the index of the command
/// column (the same test as the recogniser's, `shape.rs`).
fn ps_command_column(head: &[&str]) -> Option<usize> {
    let cols: Vec<&str> = head.first()?.split_whitespace().collect();
    let last = cols.last()?;
    (cols.contains(&"PID") && matches!(*last, "COMMAND" | "CMD" | "ARGS" | "COMM") && cols.len() >= 3)
        .then(|| cols.len() - 1)
}

/// tasklist's rule of `=` groups under its header.
fn is_rule(line: &str) -> bool {
    let groups: Vec<&str> = line.split_whitespace().collect();
    groups.len() >= 3 && groups.iter().all(|g| g.chars().all(|c| c == '='))
}

/// The process image names one line of a process list gives.
fn images<'a>(line: &'a str, layout: &ProcessLayout) -> Vec<&'a str> {
    let t = line.trim();
    match layout {
        ProcessLayout::Ps(n) => t.split_whitespace().nth(*n).into_iter().collect(),
        ProcessLayout::Table(width) => {
            let end = line.char_indices().nth(*width).map_or(line.len(), |(i, _)| i);
            vec![line[..end].trim()]
        }
        ProcessLayout::Other => {
            // `"vmtoolsd.exe","3116",...` (tasklist CSV): the first field.
            if let Some(rest) = t.strip_prefix('"') {
                if let Some((first, after)) = rest.split_once('"') {
                    if after.starts_with(',') {
                        return vec![first];
                    }
                    // `"ProcessName": "vmtoolsd",` (PowerShell JSON).
                    if let Some(v) = after.strip_prefix(':') {
                        let names_an_image = ["name", "processname", "path", "executablepath"]
                            .iter()
                            .any(|k| first.eq_ignore_ascii_case(k));
                        return if names_an_image {
                            vec![v.trim().trim_end_matches(',').trim_matches('"')]
                        } else {
                            Vec::new()
                        };
                    }
                }
            }
            // `Name=vmtoolsd.exe`, `ExecutablePath=C:\...` (wmic list).
            if let Some((k, v)) = t.split_once('=') {
                if k.chars().all(|c| c.is_ascii_alphanumeric()) && !k.is_empty() {
                    let names_an_image = ["name", "executablepath", "caption"]
                        .iter()
                        .any(|x| k.eq_ignore_ascii_case(x));
                    return if names_an_image { vec![v] } else { Vec::new() };
                }
            }
            // wmic tables and anything else: the words that are `.exe` images.
            t.split(|c: char| c.is_whitespace() || c == '"' || c == ',')
                .filter(|w| w.to_ascii_lowercase().ends_with(".exe"))
                .collect()
        }
    }
}

/// How the lines of a software list name products.
#[derive(PartialEq)]
enum SoftwareLayout {
    /// `reg export`: only `"DisplayName"=` values name a product.
    Reg,
    /// `dpkg -l`: only lines of installed packages (`ii`, `hi`...) count; `rc` lines are removed packages.
    Dpkg,
    Other,
}

pub fn extract_software(doc: &Document, machine: &mut Machine) {
    let first = doc
        .lines()
        .map(|(_, l)| l.trim())
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    let layout = if first.starts_with("Windows Registry Editor") || first.starts_with("REGEDIT4") {
        SoftwareLayout::Reg
    } else if doc
        .lines()
        .any(|(_, l)| l.starts_with("||/ Name") || l.starts_with("ii  "))
    {
        SoftwareLayout::Dpkg
    } else {
        SoftwareLayout::Other
    };
    let mut found: Vec<(&'static str, &'static str, Source)> = Vec::new();
    for (n, line) in doc.lines() {
        let lower = line.trim().to_lowercase();
        let counts = match layout {
            SoftwareLayout::Reg => lower.starts_with("\"displayname\"="),
            SoftwareLayout::Dpkg => {
                let status = lower.split_whitespace().next().unwrap_or_default();
                status.len() >= 2 && status.as_bytes()[1] == b'i'
            }
            SoftwareLayout::Other => true,
        };
        if !counts {
            continue;
        }
        if let Some(&(pattern, hv)) = GUEST_SOFTWARE.iter().find(|(p, _)| lower.contains(p)) {
            if !found.iter().any(|(p, _, _)| *p == pattern) {
                found.push((pattern, hv, Source::at(doc, n, line)));
            }
        }
    }
    for (pattern, hv, source) in found {
        let shown = source.text.clone();
        machine.vm_hints.push(VmSignal {
            hypervisor: hv.into(),
            strength: Strength::Medium,
            basis: Basis::Software,
            what_en: format!("the software list has {hv} guest tools (“{pattern}”): {shown}"),
            what_zh: format!("软件列表中有 {hv} 虚拟机工具（“{pattern}”）：{shown}"),
            source,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::Kind;
    use crate::facts::virt::{assess, Verdict};

    fn run(name: &str, bytes: &[u8]) -> (Kind, Machine) {
        let doc = Document::from_bytes("t", name, bytes);
        let m = crate::facts::extract(std::slice::from_ref(&doc));
        (doc.kind, m)
    }

    /// tasklist's table as it prints it (constructed: no licensed public tasklist of a guest).
    const TASKLIST: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/rules/fixtures/vm.detected/positive/old-layout-processes-software/tasklist.txt"
    ));

    #[test]
    fn tasklist_table_of_a_vmware_guest() {
        let (kind, m) = run("p.txt", TASKLIST);
        assert_eq!(kind, crate::facts::formats::kind("process-list"));
        let got: Vec<(&str, Option<usize>)> = m.vm_hints.iter().map(|s| (s.what_en.as_str(), s.source.line)).collect();
        assert_eq!(
            got,
            [
                (
                    "the process list shows “vgauthservice”, a VMware guest tools process",
                    Some(6)
                ),
                (
                    "the process list shows “vmtoolsd”, a VMware guest tools process",
                    Some(7)
                ),
            ]
        );
        assert!(m.vm_hints.iter().all(|s| s.basis == Basis::Process));
        // One kind of signal from one file: possibly a VM, not more.
        assert_eq!(assess(&m.vm_hints).verdict, Verdict::Possible);
    }

    #[test]
    fn real_ps_of_a_vmware_guest() {
        let (kind, m) = run("ps-axu.out", fixture!("vm/jc_ubuntu-18.04_ps-axu.out"));
        assert_eq!(kind, crate::facts::formats::kind("process-list"));
        let got: Vec<(&str, Option<usize>)> = m
            .vm_hints
            .iter()
            .map(|s| (s.hypervisor.as_str(), s.source.line))
            .collect();
        assert_eq!(got, [("VMware", Some(129)), ("VMware", Some(131))]);
        assert_eq!(assess(&m.vm_hints).verdict, Verdict::Possible);
        // The CentOS one shows no guest tools.
        let (kind, m) = run("ps-axu.out", fixture!("vm/jc_centos-7.7_ps-axu.out"));
        assert_eq!(kind, crate::facts::formats::kind("process-list"));
        assert!(m.vm_hints.is_empty(), "{:?}", m.vm_hints);
    }

    #[test]
    fn real_lists_without_guest_tools() {
        // A Linux `ps` listing (it has a `[kvm-irqfd-clean]` kernel thread: a KVM host module,
        // no guest tool) and a Russian Windows 10 Uninstall export.
        for (name, bytes) in [
            ("ps.txt", &fixture!("inventory/glpi-agent_ps_linux.txt")[..]),
            ("u.reg", &fixture!("inventory/glpi-agent_10_russian-Uninstall.reg")[..]),
        ] {
            let (_, m) = run(name, bytes);
            assert!(m.vm_hints.is_empty(), "{name}: {:?}", m.vm_hints);
        }
    }

    // The formats below are constructed in the exact layout the tools print: no public
    // listing of these formats from a guest was found.
    #[test]
    fn guest_processes_in_every_layout() {
        let cases: &[(&str, &str)] = &[
            (
                "\"映像名称\",\"PID\",\"会话名      \",\"会话#   \",\"内存使用 \"\r\n\"System Idle Process\",\"0\",\"Services\",\"0\",\"8 K\"\r\n\"VBoxService.exe\",\"812\",\"Services\",\"0\",\"6,120 K\"\r\n\"explorer.exe\",\"2516\",\"Console\",\"1\",\"96,116 K\"\r\n",
                "VirtualBox",
            ),
            (
                "USER         PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\nroot           1  0.0  0.1 167744 11520 ?        Ss   09:12   0:01 /sbin/init splash\nroot         702  0.0  0.0  16276  1944 ?        Ss   09:12   0:00 /usr/sbin/hv_kvp_daemon -n\n",
                "Hyper-V",
            ),
            (
                "ExecutablePath=C:\\Program Files\\Qemu-ga\\qemu-ga.exe\r\nName=qemu-ga.exe\r\nProcessId=1880\r\n",
                "QEMU/KVM",
            ),
            (
                "[\r\n    {\r\n        \"ProcessName\":  \"vmtoolsd\",\r\n        \"Id\":  3116\r\n    }\r\n]",
                "VMware",
            ),
        ];
        for (text, hv) in cases {
            let (kind, m) = run("upload/x", text.as_bytes());
            assert_eq!(kind, crate::facts::formats::kind("process-list"), "{text}");
            assert_eq!(m.vm_hints.len(), 1, "{text}: {:?}", m.vm_hints);
            assert_eq!(m.vm_hints[0].hypervisor, *hv);
        }
    }

    #[test]
    fn host_programs_are_no_guest_signal() {
        let text = "\"Image Name\",\"PID\",\"Session Name\",\"Session#\",\"Mem Usage\"\r\n\"vmware.exe\",\"4100\",\"Console\",\"1\",\"80,000 K\"\r\n\"vmware-vmx.exe\",\"4200\",\"Console\",\"1\",\"900,000 K\"\r\n\"VirtualBox.exe\",\"4300\",\"Console\",\"1\",\"60,000 K\"\r\n\"VBoxSVC.exe\",\"4400\",\"Console\",\"1\",\"20,000 K\"\r\n\"vmms.exe\",\"4500\",\"Services\",\"0\",\"30,000 K\"\r\n\"vmwp.exe\",\"4600\",\"Services\",\"0\",\"30,000 K\"\r\n";
        let (kind, m) = run("p.csv", text.as_bytes());
        assert_eq!(kind, crate::facts::formats::kind("process-list"));
        assert!(m.vm_hints.is_empty(), "{:?}", m.vm_hints);
        let ps = "UID          PID    PPID  C STIME TTY          TIME CMD\nroot        1201       1  0 09:12 ?        00:00:09 /usr/sbin/libvirtd --timeout 120\nlibvirt+    2210       1 12 09:13 ?        01:02:03 /usr/bin/qemu-system-x86_64 -name guest=win10 -device virtio-net-pci\nroot        2300    1201  0 09:13 pts/0    00:00:00 grep vmtoolsd\n";
        let (_, m) = run("ps.txt", ps.as_bytes());
        assert!(m.vm_hints.is_empty(), "{:?}", m.vm_hints);
        let sw = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{0F1A2B3C}]\r\n\"DisplayName\"=\"VMware Workstation\"\r\n\"InstallLocation\"=\"C:\\\\Program Files (x86)\\\\VMware\\\\VMware Workstation\\\\\"\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Oracle VM VirtualBox 7.0.14]\r\n\"DisplayName\"=\"Oracle VM VirtualBox 7.0.14\"\r\n";
        let (kind, m) = run("u.reg", sw.as_bytes());
        assert_eq!(kind, crate::facts::formats::kind("software-list"));
        assert!(m.vm_hints.is_empty(), "{:?}", m.vm_hints);
    }

    #[test]
    fn guest_software_in_every_layout() {
        let cases: &[(&str, &str)] = &[
            (
                "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{1A2B}]\r\n\"DisplayName\"=\"VMware Tools\"\r\n\"Publisher\"=\"VMware, Inc.\"\r\n",
                "VMware",
            ),
            (
                "||/ Name                    Version      Architecture Description\n+++-=======================-============-============-==========\nii  virtualbox-guest-utils  7.0.10-dfsg-1 amd64       x86 virtualization solution - non-X11 guest utilities\nrc  qemu-guest-agent        1:7.2+dfsg-7 amd64        Guest-side qemu-system agent\n",
                "VirtualBox",
            ),
            (
                "bash-5.1.8-9.el9.x86_64\nqemu-guest-agent-8.2.0-11.el9_4.x86_64\nkernel-5.14.0-427.13.1.el9_4.x86_64\ntzdata-2024a-1.el9.noarch\nsystemd-252-32.el9_4.x86_64\n",
                "QEMU/KVM",
            ),
            (
                "[{\"DisplayName\": \"Virtio-win driver installer\", \"DisplayVersion\": \"0.1.248\", \"Publisher\": \"Red Hat, Inc.\"}]",
                "QEMU/KVM",
            ),
        ];
        for (text, hv) in cases {
            let (kind, m) = run("upload/x", text.as_bytes());
            assert_eq!(kind, crate::facts::formats::kind("software-list"), "{text}");
            assert_eq!(m.vm_hints.len(), 1, "{text}: {:?}", m.vm_hints);
            assert_eq!(m.vm_hints[0].hypervisor, *hv);
            assert_eq!(m.vm_hints[0].basis, Basis::Software);
        }
    }

    #[test]
    fn old_layout_bundle_process_and_software_lists_agree() {
        let docs = [
            Document::from_bytes(
                "old.zip",
                "processes/tasklist.txt",
                TASKLIST,
            ),
            Document::from_bytes(
                "old.zip",
                "software/programs.json",
                b"[{\"DisplayName\": \"VMware Tools\", \"DisplayVersion\": \"12.3.5.22544099\", \"Publisher\": \"VMware, Inc.\"}]",
            ),
        ];
        let m = crate::facts::extract(&docs);
        let a = assess(&m.vm_hints);
        assert_eq!(a.verdict, Verdict::Likely, "{:?}", m.vm_hints);
        assert_eq!(a.hypervisors, ["VMware"]);
    }
}
