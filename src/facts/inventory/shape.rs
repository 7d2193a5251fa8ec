//! Process lists and software lists, recognised by their content (`facts::inventory` reads
//! them). Both only name programs: they are searched for guest tools, never for error codes.

use crate::facts::formats::Sample;
use crate::facts::wmi::wmic_command_alias;

/// Which list a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum List {
    Processes,
    Software,
}

/// A process list: PowerShell JSON of processes, or one of the text layouts below.
pub(super) fn is_processes(s: &Sample) -> bool {
    match s.json() {
        Some(v) => json_list(v) == Some(List::Processes),
        None => is_process_list(&s.head),
    }
}

/// A software list: PowerShell JSON of installed programs, or one of the text layouts below.
pub(super) fn is_software(s: &Sample) -> bool {
    match s.json() {
        Some(v) => json_list(v) == Some(List::Software),
        None => is_software_list(&s.head),
    }
}

/// PowerShell JSON: objects with a process's keys (`Get-Process`, Win32_Process) or an
/// installed program's (the Uninstall keys' `DisplayName`, Win32_Product).
fn json_list(value: &serde_json::Value) -> Option<List> {
    let first = match value {
        serde_json::Value::Array(items) => items.iter().find(|v| v.is_object())?,
        v => v,
    };
    let obj = first.as_object()?;
    let has = |k: &str| obj.keys().any(|x| x.eq_ignore_ascii_case(k));
    if has("ProcessName") || (has("ProcessId") && (has("Name") || has("ExecutablePath"))) {
        Some(List::Processes)
    } else if (has("DisplayName") && (has("DisplayVersion") || has("Publisher") || has("UninstallString")))
        || is_win32_product(&has)
    {
        Some(List::Software)
    } else {
        None
    }
}

/// Win32_Product's keys; Win32_ComputerSystemProduct (csproduct) shares IdentifyingNumber,
/// Name, Vendor and Version but has a UUID and no install data.
fn is_win32_product(has: &dyn Fn(&str) -> bool) -> bool {
    has("IdentifyingNumber")
        && !has("UUID")
        && (has("InstallDate") || has("PackageName") || has("InstallLocation") || has("PackageCache"))
}

fn is_process_list(head: &[&str]) -> bool {
    tasklist_table(head) || tasklist_csv(head) || ps_header(head).is_some() || wmic_process(head)
}

/// `tasklist` (and `/v`, `/svc`): a rule of `=` groups under the (localised) header, then
/// lines naming `.exe` images.
fn tasklist_table(head: &[&str]) -> bool {
    let Some(rule) = head.iter().take(12).position(|l| is_rule(l)) else {
        return false;
    };
    head[rule + 1..]
        .iter()
        .take(50)
        .any(|l| l.to_ascii_lowercase().contains(".exe "))
}

/// A line of three or more groups of `=` (tasklist's rule under its header).
fn is_rule(line: &str) -> bool {
    let groups: Vec<&str> = line.split_whitespace().collect();
    groups.len() >= 3 && groups.iter().all(|g| g.chars().all(|c| c == '='))
}

/// `tasklist /fo csv` (with or without `/nh`, any header language): most lines are
/// `"<image>.exe","<pid>",...`.
fn tasklist_csv(head: &[&str]) -> bool {
    let rows = head.iter().filter(|l| csv_process_row(l)).count();
    rows >= 3 && rows * 2 >= head.len()
}

fn csv_process_row(line: &str) -> bool {
    let mut fields = line.split("\",\"");
    let (Some(image), Some(pid)) = (fields.next(), fields.next()) else {
        return false;
    };
    let image = image.trim_start_matches('"').to_ascii_lowercase();
    let image_ok = image.ends_with(".exe") || matches!(image.as_str(), "system" | "system idle process" | "registry");
    let pid_ok = !pid.is_empty() && pid.chars().all(|c| c.is_ascii_digit()) || pid.eq_ignore_ascii_case("pid");
    image_ok && pid_ok
}

/// `ps aux`, `ps -ef`, `ps -eo ...`: a header with `PID` whose last column is the command.
/// Returns the index of the command column.
fn ps_header(head: &[&str]) -> Option<usize> {
    let header = head.first()?;
    let cols: Vec<&str> = header.split_whitespace().collect();
    let last = cols.last()?;
    let has_pid = cols.contains(&"PID");
    (has_pid && matches!(*last, "COMMAND" | "CMD" | "ARGS" | "COMM") && cols.len() >= 3).then(|| cols.len() - 1)
}

/// Win32_Process as `wmic process get ... /format:list` or a table, or a pasted `wmic
/// process` command.
fn wmic_process(head: &[&str]) -> bool {
    let list = head.iter().any(|l| l.starts_with("ProcessId="))
        && head
            .iter()
            .any(|l| l.starts_with("Name=") || l.starts_with("ExecutablePath="));
    let table = head
        .first()
        .is_some_and(|h| h.split_whitespace().any(|w| w == "ProcessId") && h.split_whitespace().count() >= 2);
    let command = head
        .iter()
        .take(5)
        .any(|l| wmic_command_alias(l).is_some_and(|a| a.eq_ignore_ascii_case("process")));
    list || table || command
}

fn is_software_list(head: &[&str]) -> bool {
    uninstall_reg(head) || dpkg_list(head) || rpm_list(head) || wmic_product(head) || display_name_list(head)
}

/// `reg export` of an Uninstall key (other registry exports stay text).
fn uninstall_reg(head: &[&str]) -> bool {
    let banner = head
        .first()
        .is_some_and(|l| l.starts_with("Windows Registry Editor Version") || l.starts_with("REGEDIT4"));
    banner
        && head
            .iter()
            .any(|l| l.starts_with('[') && l.to_ascii_lowercase().contains("\\currentversion\\uninstall"))
}

/// `dpkg -l`: its `||/ Name` header, or lines of installed packages (`ii  name  version ...`).
fn dpkg_list(head: &[&str]) -> bool {
    head.iter().take(10).any(|l| l.starts_with("||/ Name"))
        || head.iter().filter(|l| l.starts_with("ii  ")).count() >= 3
}

/// The architectures `rpm -qa` ends package names with.
const RPM_ARCHES: &[&str] = &[
    "x86_64",
    "i686",
    "i586",
    "i386",
    "noarch",
    "aarch64",
    "ppc64le",
    "s390x",
    "loongarch64",
    "mips64el",
    "sw_64",
];

/// `rpm -qa`: one `name-version-release.arch` per line.
fn rpm_list(head: &[&str]) -> bool {
    let rows = head.iter().filter(|l| is_rpm_nvra(l)).count();
    rows >= 5 && rows * 10 >= head.len() * 8
}

fn is_rpm_nvra(line: &str) -> bool {
    if line.contains(char::is_whitespace) {
        return false;
    }
    let Some((rest, arch)) = line.rsplit_once('.') else {
        return false;
    };
    RPM_ARCHES.contains(&arch)
        && rest
            .split('-')
            .filter(|p| p.starts_with(|c: char| c.is_ascii_digit()))
            .count()
            >= 1
}

/// Win32_Product as `wmic product get ...` (pasted command, list or table).
fn wmic_product(head: &[&str]) -> bool {
    let command = head
        .iter()
        .take(5)
        .any(|l| wmic_command_alias(l).is_some_and(|a| a.eq_ignore_ascii_case("product")));
    let keys: Vec<&str> = head
        .iter()
        .filter_map(|l| l.split_once('=').map(|(k, _)| k))
        .chain(head.first().into_iter().flat_map(|h| h.split_whitespace()))
        .collect();
    let has = |k: &str| keys.iter().any(|x| x.eq_ignore_ascii_case(k));
    command || is_win32_product(&has)
}

/// `Get-ItemProperty <Uninstall keys> | Format-List` or `Select DisplayName, ...` tables:
/// `DisplayName : <name>` lines, or a `DisplayName` column header.
fn display_name_list(head: &[&str]) -> bool {
    let list = head
        .iter()
        .filter(|l| {
            l.strip_prefix("DisplayName")
                .is_some_and(|r| r.trim_start().starts_with(':'))
        })
        .count()
        >= 2;
    let table = head.first().is_some_and(|h| {
        let cols: Vec<&str> = h.split_whitespace().collect();
        cols.first() == Some(&"DisplayName") && cols.len() >= 2
    });
    list || table
}

#[cfg(test)]
mod tests {
    use crate::bundle::decode::decode;
    use crate::bundle::Kind;

    fn kind_of(path: &str, bytes: &[u8]) -> Kind {
        let d = decode(bytes);
        crate::facts::formats::recognise(path, bytes, Some(&d))
    }

    #[test]
    fn real_lists_by_content() {
        // Neutral names: the content decides.
        assert_eq!(
            kind_of("f1", fixture!("vm/jc_ubuntu-18.04_ps-axu.out")),
            crate::facts::formats::kind("process-list")
        );
        assert_eq!(
            kind_of("f4", fixture!("vm/jc_ubuntu-18.04_dpkg-l-excerpt.out")),
            crate::facts::formats::kind("software-list")
        );
        assert_eq!(
            kind_of("f2", fixture!("inventory/glpi-agent_ps_linux.txt")),
            crate::facts::formats::kind("process-list")
        );
        // UTF-16LE with BOM, as `reg export` writes.
        assert_eq!(
            kind_of("f3", fixture!("inventory/glpi-agent_10_russian-Uninstall.reg")),
            crate::facts::formats::kind("software-list")
        );
    }

    // Constructed in the formats the tools print (the header and column layout of
    // tasklist /fo csv on zh-CN, `ps -ef`, `dpkg -l`, `rpm -qa`, wmic and PowerShell), because
    // no public file of these formats from a guest was found.
    #[test]
    fn other_formats_by_content() {
        let cases: &[(&str, Kind)] = &[
            (
                "\"映像名称\",\"PID\",\"会话名      \",\"会话#   \",\"内存使用 \"\r\n\"System Idle Process\",\"0\",\"Services\",\"0\",\"8 K\"\r\n\"vmtoolsd.exe\",\"3116\",\"Services\",\"0\",\"24,204 K\"\r\n\"explorer.exe\",\"2516\",\"Console\",\"1\",\"96,116 K\"\r\n",
                crate::facts::formats::kind("process-list"),
            ),
            (
                "UID          PID    PPID  C STIME TTY          TIME CMD\nroot           1       0  0 09:12 ?        00:00:01 /sbin/init\nroot         612       1  0 09:12 ?        00:00:03 /usr/bin/vmtoolsd\n",
                crate::facts::formats::kind("process-list"),
            ),
            (
                "ExecutablePath=C:\\Program Files\\VMware\\VMware Tools\\vmtoolsd.exe\r\nName=vmtoolsd.exe\r\nProcessId=3116\r\n",
                crate::facts::formats::kind("process-list"),
            ),
            (
                "[{\"ProcessName\": \"vmtoolsd\", \"Id\": 3116}, {\"ProcessName\": \"explorer\", \"Id\": 2516}]",
                crate::facts::formats::kind("process-list"),
            ),
            (
                "Desired=Unknown/Install/Remove/Purge/Hold\n| Status=Not/Inst/Conf-files/Unpacked/halF-conf/Half-inst/trig-aWait/Trig-pend\n|/ Err?=(none)/Reinst-required (Status,Err: uppercase=bad)\n||/ Name           Version        Architecture Description\n+++-==============-==============-============-=================================\nii  open-vm-tools  2:12.2.0-1     amd64        Open VMware Tools for virtual machines hosted on VMware (CLI)\n",
                crate::facts::formats::kind("software-list"),
            ),
            (
                "bash-5.1.8-9.el9.x86_64\nopen-vm-tools-12.3.5-2.el9.x86_64\nkernel-5.14.0-427.13.1.el9_4.x86_64\ntzdata-2024a-1.el9.noarch\nsystemd-252-32.el9_4.x86_64\n",
                crate::facts::formats::kind("software-list"),
            ),
            (
                "[{\"DisplayName\": \"VMware Tools\", \"DisplayVersion\": \"12.3.5.22544099\", \"Publisher\": \"VMware, Inc.\"}]",
                crate::facts::formats::kind("software-list"),
            ),
            (
                "DisplayName     : VMware Tools\r\nDisplayVersion  : 12.3.5.22544099\r\n\r\nDisplayName     : 7-Zip 23.01 (x64)\r\nDisplayVersion  : 23.01\r\n",
                crate::facts::formats::kind("software-list"),
            ),
            (
                "C:\\>wmic product get name,version\r\nName                    Version\r\nVMware Tools            12.3.5.22544099\r\n",
                crate::facts::formats::kind("software-list"),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(&kind_of("upload/file", text.as_bytes()), want, "{text}");
        }
    }

    #[test]
    fn lookalikes_keep_their_kinds() {
        // csproduct has IdentifyingNumber, Name, Vendor and Version too.
        assert_eq!(
            kind_of(
                "x.txt",
                b"IdentifyingNumber=PF0ABCDE\r\nName=20TBS57S00\r\nUUID=4C4C4544-0000\r\nVendor=LENOVO\r\nVersion=ThinkPad\r\n"
            ),
            crate::facts::formats::kind("wmic-list").with_class(None)
        );
        // A registry export of another key is no software list.
        assert_eq!(
            kind_of(
                "x.reg",
                b"Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate]\r\n\"WUServer\"=\"http://wsus\"\r\n"
            ),
            Kind::TEXT
        );
        assert_eq!(kind_of("n.txt", b"see ticket 12\nii  then\n"), Kind::TEXT);
    }
}
