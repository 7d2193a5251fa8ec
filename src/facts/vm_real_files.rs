//! The VM verdict and the `vm.*` findings on real public files (`tests/fixtures/vm/`, provenance
//! in the README there): guests of every source kind, and the physical machines that used to be
//! taken for virtual ones.

use crate::analysis::analyze;
use crate::bundle::Limits;
use crate::facts::virt::{assess, Verdict};
use crate::rules::RuleSet;

fn verdict_and_findings(file: &str) -> (Verdict, Vec<String>, Vec<String>) {
    let path = format!("{}/tests/fixtures/vm/{file}", env!("CARGO_MANIFEST_DIR"));
    let a = analyze(&[path], &RuleSet::builtin().unwrap(), &Limits::default());
    let verdict = assess(&a.machine.vm_hints).verdict;
    let vm: Vec<String> = a
        .findings
        .iter()
        .map(|f| f.rule.clone())
        .filter(|r| r.starts_with("vm."))
        .collect();
    let hv = assess(&a.machine.vm_hints).hypervisors;
    (verdict, vm, hv)
}

#[test]
fn real_files_get_the_right_verdict() {
    use Verdict::*;
    let cases: &[(&str, Verdict, &[&str], &[&str])] = &[
        // Physical machines whose BIOS sets "System is a virtual machine".
        ("linuxhw_Lenovo-A740_F0AM_9454F0B7EF9B.txt", Unlikely, &[], &[]),
        ("linuxhw_IBM-4810XXX_06748CD3F71E.txt", Unlikely, &[], &[]),
        (
            "linuxhw_NEC_Computers-PC-VJ22MAN5HJR9_C65EE1C5FA0F.txt",
            Unlikely,
            &[],
            &[],
        ),
        ("linuxhw_Toshiba-Satellite_L675_4102AD532F70.txt", Unlikely, &[], &[]),
        (
            "linuxhw_Supermicro-X9DRi-LN4_-X9DR3-LN4__C7B2B32F235E.txt",
            Unlikely,
            &[],
            &[],
        ),
        // A Nutanix hardware node, and an AHV guest.
        ("linuxhw_Nutanix-NX-3050_4373F6BC2F98.txt", Unlikely, &[], &[]),
        (
            "virtwhat_nutanix-ahv-excerpt.txt",
            Virtual,
            &["vm.detected"],
            &["Nutanix AHV"],
        ),
        // ThinkPads with coreboot (and a SeaBIOS payload), a Surface, EC2 bare metal.
        (
            "linuxhw_Lenovo-ThinkPad_X230_2306A27_BB67D88011AE.txt",
            Unlikely,
            &[],
            &[],
        ),
        ("linuxhw_Lenovo-ThinkPad_T440p_088FDAE2C8CA.txt", Unlikely, &[], &[]),
        ("linuxhw_Microsoft-Surface_3_09F7343420B8.txt", Unlikely, &[], &[]),
        ("virtwhat_aws-baremetal-x86-excerpt.txt", Unlikely, &[], &[]),
        // A physical Dell with the Hyper-V role.
        ("jc_windows-10_systeminfo-hyperv.out", Unlikely, &[], &[]),
        // Guests by firmware.
        (
            "linuxhw_QEMU-Standard_PC_418878F10378.txt",
            Virtual,
            &["vm.detected"],
            &["QEMU/KVM"],
        ),
        (
            "linuxhw_Optimized_Hosting-KVM_9112EC3CC44C.txt",
            Virtual,
            &["vm.detected"],
            &["QEMU/KVM"],
        ),
        (
            "virtwhat_rhev-excerpt.txt",
            Virtual,
            &["vm.detected"],
            &["QEMU/KVM", "QEMU/KVM (RHEV)", "QEMU/KVM (Red Hat)"],
        ),
        (
            "glpi_windows-2003R2-Hotfix.txt",
            Virtual,
            &["vm.detected"],
            &["QEMU/KVM", "QEMU/KVM (Red Hat)"],
        ),
        // Guests by one kind of medium signal: a disk list, a process list, process events.
        (
            "glpi_2008-Enterprise-Win32_DiskDrive.wmi",
            Possible,
            &["vm.possible"],
            &["VMware"],
        ),
        ("jc_ubuntu-18.04_ps-axu.out", Possible, &["vm.possible"], &["VMware"]),
        (
            "omerbenamram_security.evtx.zip",
            Possible,
            &["vm.possible"],
            &["VMware"],
        ),
        ("omerbenamram_sysmon.evtx.zip", Possible, &["vm.possible"], &["VMware"]),
        (
            "omerbenamram_Security_with_size_t.evtx.zip",
            Possible,
            &["vm.possible"],
            &["VirtualBox"],
        ),
        (
            "sbousseaden_persistence_sysmon_11_13_1_shime_appfix.evtx.zip",
            Possible,
            &["vm.possible"],
            &["VirtualBox"],
        ),
        // Its one readable record is mimikatz opening lsass; the VBoxService.exe strings are in
        // leftover bytes of the file, not in a record.
        (
            "sbousseaden_sysmon_10_lsass_mimikatz_sekurlsa_logonpasswords.evtx",
            Unlikely,
            &[],
            &[],
        ),
        // System logs with guest drivers, services and device ids: several kinds in one file.
        (
            "omerbenamram_2-vss_7-System.evtx.zip",
            Likely,
            &["vm.detected"],
            &["QEMU/KVM"],
        ),
        ("plaso_System.evtx.zip", Likely, &["vm.detected"], &["VirtualBox"]),
        // Ubuntu's package list has no guest tools.
        ("jc_ubuntu-18.04_dpkg-l-excerpt.out", Unlikely, &[], &[]),
    ];
    let mut wrong = Vec::new();
    for (file, verdict, findings, hypervisors) in cases {
        let got = verdict_and_findings(file);
        if (got.0, got.1.as_slice(), got.2.as_slice())
            != (
                *verdict,
                &findings.iter().map(|s| s.to_string()).collect::<Vec<_>>()[..],
                &hypervisors.iter().map(|s| s.to_string()).collect::<Vec<_>>()[..],
            )
        {
            wrong.push(format!("{file}: got {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
