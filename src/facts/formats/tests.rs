//! Recognition across formats: which of several look-alikes wins, by content.

use super::*;
use crate::bundle::decode::decode;

fn kind_of(path: &str, s: &str) -> Kind {
    let d = decode(s.as_bytes());
    recognise(path, s.as_bytes(), Some(&d))
}

#[test]
fn pasted_wmic_command_names_the_class() {
    let k = kind_of(
        "note.txt",
        "C:\\Users\\a>wmic baseboard get serialnumber\nSerialNumber\n            \n",
    );
    assert_eq!(k, kind("wmic-table").with_class(Some(WmiClass::BaseBoard)));
}

#[test]
fn file_name_is_only_a_hint() {
    assert_eq!(kind_of("bios.txt", "just a note\n"), Kind::TEXT);
    assert_eq!(
        kind_of("x.log", "Manufacturer=LENOVO\nModel=20TB\n"),
        kind("wmic-list").with_class(None)
    );
    assert_eq!(
        kind_of("Win32_BIOS.wmi", "SerialNumber=1\n"),
        kind("wmic-list").with_class(Some(WmiClass::Bios))
    );
}

#[test]
fn a_readme_about_dmidecode_is_text() {
    assert_eq!(
        kind_of("README.md", "# dmidecode fixtures\n\nSeven dumps.\n"),
        Kind::TEXT
    );
    assert_eq!(
        kind_of("x", "# dmidecode 3.3\nGetting SMBIOS data from sysfs.\n"),
        kind("dmidecode")
    );
}

fn kind_of_bytes(path: &str, bytes: &[u8]) -> Kind {
    let d = decode(bytes);
    recognise(path, bytes, Some(&d))
}

#[test]
fn linux_collector_outputs_by_content() {
    let cases: [(&[u8], Kind); 9] = [
        (fixture!("linux/ci-debian12/hardware/lsblk.json"), kind("lsblk-json")),
        (fixture!("linux/constructed/lsblk-old-strings.json"), kind("lsblk-json")),
        (fixture!("linux/ci-debian12/network/ip-addr.json"), kind("ip-json")),
        (fixture!("linux/constructed/ip-addr-usb-nic.json"), kind("ip-json")),
        (
            fixture!("linux/ci-debian12/hardware/sys-class-net.txt"),
            kind("sys-class-net"),
        ),
        (
            fixture!("linux/constructed/sys-class-net-usb.txt"),
            kind("sys-class-net"),
        ),
        (fixture!("linux/ci-debian12/system/os-release"), kind("os-release")),
        (fixture!("linux/constructed/manifest-complete.json"), kind("manifest")),
        (fixture!("linux/constructed/manifest-ci-partial.json"), kind("manifest")),
    ];
    // A neutral file name: the content alone decides.
    for (bytes, want) in cases {
        assert_eq!(kind_of_bytes("upload/file-1", bytes), want);
    }
}

#[test]
fn one_word_outputs_need_their_file_name() {
    let virt = fixture!("linux/ci-debian12/hardware/systemd-detect-virt.txt");
    assert_eq!(
        kind_of_bytes("hardware/systemd-detect-virt.txt", virt),
        kind("detect-virt")
    );
    assert_eq!(kind_of_bytes("systemd-detect-virt", b"none\n"), kind("detect-virt"));
    assert_eq!(kind_of_bytes("notes.txt", virt), Kind::TEXT);
    let host = fixture!("linux/ci-debian12/system/hostname.txt");
    assert_eq!(kind_of_bytes("system/hostname.txt", host), kind("hostname"));
    assert_eq!(kind_of_bytes("hostname", b"uos-pc.example.local\n"), kind("hostname"));
    assert_eq!(kind_of_bytes("notes.txt", host), Kind::TEXT);
    // A sentence in a file named hostname.txt is not a host name.
    assert_eq!(kind_of_bytes("hostname.txt", b"see the ticket\n"), Kind::TEXT);
}

#[test]
fn lookalikes_keep_their_old_kinds() {
    // WMI lists use CamelCase keys; os-release keys are upper case.
    assert_eq!(
        kind_of(
            "os.txt",
            "Name=Microsoft Windows 10\nVersion=10.0.19045\nBuildNumber=19045\n"
        ),
        kind("wmic-list").with_class(None)
    );
    assert_eq!(
        kind_of("x.json", "{\"schema\": \"other/1\"}"),
        kind("ps-json").with_class(None)
    );
    assert_eq!(
        kind_of("x.json", "[{\"Name\": \"Ethernet\"}]"),
        kind("ps-json").with_class(None)
    );
    // A symlink listing of another folder is no /sys/class/net listing.
    assert_eq!(
        kind_of("ls.txt", "lrwxrwxrwx 1 root root 7 May 14 09:30 bin -> usr/bin\n"),
        Kind::TEXT
    );
}

#[test]
fn classes_from_keys() {
    assert_eq!(
        WmiClass::from_keys(["Manufacturer", "Product", "SerialNumber"]),
        Some(WmiClass::BaseBoard)
    );
    assert_eq!(
        WmiClass::from_keys(["Manufacturer", "Model", "HypervisorPresent"]),
        Some(WmiClass::ComputerSystem)
    );
    assert_eq!(WmiClass::from_keys(["Foo"]), None);
}

#[test]
fn format_names_are_unique_and_selectable() {
    let names = names();
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "two formats share a name: {names:?}");
    for f in FORMATS {
        assert_eq!(kind(f.kind.name()), f.kind);
        assert!(
            f.kind.class().is_none(),
            "{}: the class is set per document",
            f.kind.name()
        );
    }
}
