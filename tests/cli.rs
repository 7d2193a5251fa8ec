//! End-to-end tests: run the built binary as a user would, parse its JSON output into
//! values and assert field by field.

use assert_cmd::Command;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn cmgelog() -> Command {
    let mut c = Command::cargo_bin("cmgelog").expect("binary built");
    c.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "en_US.UTF-8");
    c
}

/// Runs `analyze --format json` and returns (exit code, parsed report).
fn analyze_json(inputs: &[&Path], extra: &[&str]) -> (i32, Value) {
    let out = cmgelog()
        .arg("analyze")
        .args(["--format", "json", "--lang", "en"])
        .args(extra)
        .args(inputs)
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().expect("exit code"), report)
}

fn rule_ids(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule").to_string())
        .collect()
}

fn finding<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == id)
        .unwrap_or_else(|| panic!("no finding {id}"))
}

#[test]
fn sample_case_a_names_the_empty_baseboard_serial_and_the_server_error() {
    let (code, r) = analyze_json(&[&repo("samples/case-a-thin-client-empty-baseboard-serial.zip")], &[]);
    assert_eq!(code, 1);
    let ids = rule_ids(&r);
    for id in ["hw.baseboard-serial", "act.server-error", "act.code-206"] {
        assert!(ids.contains(&id.to_string()), "{id} missing from {ids:?}");
    }
    // Most severe first: hardware (critical) before the server error (error).
    assert!(ids.iter().position(|i| i == "hw.baseboard-serial") < ids.iter().position(|i| i == "act.server-error"));
    let board = finding(&r, "hw.baseboard-serial");
    let ev = &board["evidence"][0];
    assert_eq!(ev["path"], "hardware/dmidecode.txt");
    assert_eq!(ev["line"], 53, "the type 2 record's Serial Number line");
    let server = finding(&r, "act.server-error");
    assert_eq!(server["evidence"][0]["path"], "activation/CMGE_Activation.log");
    assert_eq!(server["evidence"][0]["line"], 3);
    assert_eq!(
        server["evidence"][0]["text"], "2024-05-14 09:31:06 [ERROR] 在线激活失败， 服务器错误，请联系客服。",
        "GBK decoded"
    );
    assert_eq!(server["match_count"], 2, "both variants of the message");
    assert!(server["related"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x == "hw.baseboard-serial"));
}

#[test]
fn sample_case_b_is_a_virtual_machine_with_each_signal() {
    let (code, r) = analyze_json(&[&repo("samples/case-b-edge-box-virtual-machine.zip")], &[]);
    assert_eq!(code, 1);
    let ids = rule_ids(&r);
    for id in ["vm.detected", "act.marker-binding-invalid", "act.sn-used-elsewhere"] {
        assert!(ids.contains(&id.to_string()), "{id} missing from {ids:?}");
    }
    let vm = finding(&r, "vm.detected");
    let texts: Vec<&str> = vm["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert!(texts.contains(&"Manufacturer=BOCHS_"), "{texts:?}");
    assert!(texts.contains(&"Model=BXPC____"), "{texts:?}");
    assert!(vm["summary"][0].as_str().unwrap().contains("QEMU/KVM"));
    // The activation log is UTF-16LE; the message is still found.
    assert_eq!(
        finding(&r, "act.sn-used-elsewhere")["evidence"][0]["text"],
        "2023-11-20 10:15:42 [ERROR] SN已被另一计算机使用"
    );
}

#[test]
fn sample_case_c_reports_mismatch_and_non_compliant_hardware() {
    let (_, r) = analyze_json(&[&repo("samples/case-c-serial-mismatch-hardware.zip")], &[]);
    let ids = rule_ids(&r);
    for id in [
        "act.sn-mismatch",
        "act.server-error",
        "hw.bios-serial",
        "hw.system-model",
    ] {
        assert!(ids.contains(&id.to_string()), "{id} missing from {ids:?}");
    }
    assert!(
        !ids.contains(&"hw.baseboard-serial".to_string()),
        "the ASUS board has a real serial"
    );
}

#[test]
fn sample_case_d_traces_b2_to_the_disk_serial() {
    let (_, r) = analyze_json(&[&repo("samples/case-d-batch-b2-disk-serial.zip")], &[]);
    let ids = rule_ids(&r);
    for id in ["act.devicebinding-b2", "hw.disk-serial", "hw.baseboard-serial"] {
        assert!(ids.contains(&id.to_string()), "{id} missing from {ids:?}");
    }
    let disk = finding(&r, "hw.disk-serial");
    assert_eq!(disk["evidence"][0]["text"], "SerialNumber=");
    assert!(disk["related"].as_array().unwrap().is_empty());
    assert!(finding(&r, "act.devicebinding-b2")["related"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x == "hw.disk-serial"));
}

#[test]
fn healthy_sample_has_no_finding_and_exits_zero() {
    let (code, r) = analyze_json(&[&repo("samples/healthy-hp-zbook.zip")], &[]);
    assert_eq!(rule_ids(&r), Vec::<String>::new());
    assert_eq!(code, 0);
    assert_eq!(r["facts"]["system"]["serial"][0]["value"], "5CD8484V89");
    assert!(r["errors"].as_array().unwrap().is_empty());
}

#[test]
fn chinese_and_english_text_output() {
    let sample = repo("samples/case-a-thin-client-empty-baseboard-serial.zip");
    let zh = cmgelog()
        .args(["analyze", "--lang", "zh"])
        .arg(&sample)
        .output()
        .unwrap();
    let zh = String::from_utf8(zh.stdout).unwrap();
    assert!(zh.contains("主板序列号为空或为占位值"), "{zh}");
    assert!(zh.contains("wmic baseboard get serialnumber"));
    assert!(!zh.contains('\u{1b}'), "no colour when not a terminal");
    let en = cmgelog()
        .args(["analyze", "--lang", "en"])
        .arg(&sample)
        .output()
        .unwrap();
    assert!(String::from_utf8(en.stdout)
        .unwrap()
        .contains("Baseboard serial number is empty or a placeholder"));
    // The system locale decides without --lang.
    let auto = cmgelog()
        .env("LANG", "zh_CN.UTF-8")
        .arg("analyze")
        .arg(&sample)
        .output()
        .unwrap();
    assert!(String::from_utf8(auto.stdout).unwrap().contains("处理办法"));
}

#[test]
fn markdown_reply_is_chinese_with_evidence_table() {
    let out = cmgelog()
        .args(["analyze", "--format", "md", "--lang", "zh"])
        .arg(repo("samples/case-d-batch-b2-disk-serial.zip"))
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with("您好"));
    assert!(md.contains("| 位置 | 内容 | 说明 |"));
    assert!(md.contains("`activation/batch_server_records.csv:2`"), "{md}");
}

fn write(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, data).unwrap();
    p
}

fn zip_with(path: &Path, entries: &[(&str, &[u8])]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, data) in entries {
        z.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap();
}

#[test]
fn a_non_zip_named_zip_is_a_per_input_error_and_the_rest_is_analysed() {
    let dir = TempDir::new().unwrap();
    let fake = write(dir.path(), "CMGE_Log_fake.zip", b"this is not a zip archive\n");
    let good = repo("rules/fixtures/hw.baseboard-serial/positive/gigabyte-dmidecode.txt");
    let (code, r) = analyze_json(&[&fake, &good], &[]);
    assert_eq!(code, 2, "some input could not be read");
    assert_eq!(r["errors"][0]["code"], "not-a-zip");
    assert!(r["errors"][0]["input"].as_str().unwrap().ends_with("CMGE_Log_fake.zip"));
    assert!(
        rule_ids(&r).contains(&"hw.baseboard-serial".to_string()),
        "the good input is still analysed"
    );
}

#[test]
fn zip_bomb_path_traversal_and_too_many_entries_are_bounded() {
    let dir = TempDir::new().unwrap();
    // 8 MiB of zeros deflate to a few KiB; with a 1 MiB entry cap it must be refused.
    let bomb = dir.path().join("bomb.zip");
    zip_with(
        &bomb,
        &[
            ("big.txt", &vec![0u8; 8 << 20]),
            ("ok.txt", b"Device marker binding is Invalid\n"),
        ],
    );
    let traversal = dir.path().join("traversal.zip");
    zip_with(&traversal, &[("../../evil.txt", b"x\n"), ("fine/SN.txt", b"SN\xe5\xb7\xb2\xe8\xa2\xab\xe5\x8f\xa6\xe4\xb8\x80\xe8\xae\xa1\xe7\xae\x97\xe6\x9c\xba\xe4\xbd\xbf\xe7\x94\xa8\n")]);
    let many = dir.path().join("many.zip");
    {
        let mut z = zip::ZipWriter::new(std::fs::File::create(&many).unwrap());
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for i in 0..100_000 {
            z.start_file(format!("f{i}"), opts).unwrap();
        }
        z.finish().unwrap();
    }
    let (code, r) = analyze_json(&[&bomb, &traversal, &many], &["--max-entry-bytes", "1048576"]);
    assert_eq!(code, 2);
    let codes: Vec<(&str, &str)> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                // The input as given: `\` separators on Windows.
                e["input"].as_str().unwrap().rsplit(['/', '\\']).next().unwrap(),
                e["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(codes.contains(&("bomb.zip", "entry-too-large")), "{codes:?}");
    assert!(codes.contains(&("traversal.zip", "unsafe-name")), "{codes:?}");
    assert!(codes.contains(&("many.zip", "too-many-entries")), "{codes:?}");
    let ids = rule_ids(&r);
    assert!(
        ids.contains(&"act.marker-binding-invalid".to_string()),
        "entries beside the bomb are read"
    );
    assert!(
        ids.contains(&"act.sn-used-elsewhere".to_string()),
        "entries beside the bad name are read"
    );
}

#[test]
fn folder_and_loose_pasted_wmic_output() {
    let dir = TempDir::new().unwrap();
    let paste = "C:\\>wmic baseboard get serialnumber\r\nSerialNumber\r\n            \r\n\r\n";
    write(dir.path(), "wmic.txt", paste.as_bytes());
    let (_, r) = analyze_json(&[dir.path()], &[]);
    let board = finding(&r, "hw.baseboard-serial");
    assert_eq!(board["evidence"][0]["path"], "wmic.txt");
    assert_eq!(board["evidence"][0]["line"], 3);
}

#[test]
fn rules_lint_reports_every_problem_with_line_and_column() {
    let dir = TempDir::new().unwrap();
    let bad = "[[rule]]\nid = \"x.bad\"\nseverity = \"fatal\"\ntitle = { zh = \"标题\", en = \"t\" }\ncause = { zh = \"原因\", en = \"c\" }\nremedy = { zh = \"办法\", en = \"r {cod}\" }\nwhen = { regex = \"(unclosed\" }\n";
    let file = write(dir.path(), "bad.toml", bad.as_bytes());
    let out = cmgelog().args(["rules", "lint"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("bad.toml:3:12"), "severity at line 3 col 12:\n{err}");
    assert!(err.contains("unknown severity `fatal`"));
    assert!(
        err.contains("bad.toml:7:19"),
        "regex error at the unclosed `(`, line 7 col 19:\n{err}"
    );
    assert!(err.contains("unclosed group"), "the regex engine's own message:\n{err}");
    assert!(err.contains('^'), "a caret under the spot");
    assert!(
        err.contains("bad.toml:6:") && err.contains("holds `{cod}`; the only placeholders are {code} and {codes}"),
        "a misspelt placeholder:\n{err}"
    );
    // A rule file that does not load never gives "no findings".
    let out = cmgelog()
        .args(["analyze", "--rules"])
        .arg(&file)
        .arg(repo("samples/healthy-hp-zbook.zip"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn builtin_rules_lint_clean_and_list() {
    let out = cmgelog().args(["rules", "lint"]).output().unwrap();
    assert!(out.status.success());
    let out = cmgelog().args(["rules", "list"]).output().unwrap();
    let list = String::from_utf8(out.stdout).unwrap();
    for id in [
        "hw.bios-serial",
        "hw.baseboard-serial",
        "hw.baseboard-manufacturer",
        "hw.system-model",
        "hw.disk-serial",
        "hw.disk-removable",
        "hw.nic-physical",
        "hw.nic-removable",
        "vm.detected",
        "act.server-error",
        "act.marker-binding-invalid",
        "act.sn-used-elsewhere",
        "act.sn-mismatch",
        "act.devicebinding-b2",
        "act.code-206",
    ] {
        assert!(list.lines().any(|l| l.starts_with(id)), "{id} not listed");
    }
}

#[test]
fn every_default_rule_passes_its_fixtures() {
    let out = cmgelog()
        .current_dir(repo(""))
        .args(["rules", "test"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}");
    assert!(text.contains(" 0 failed"), "{text}");
    assert!(
        !text.contains("has no"),
        "every rule has positive and negative fixtures:\n{text}"
    );
}

/// A damaged EVTX inside a zip, next to a healthy one: the bad chunks are reported with the file
/// name, every readable record is still analysed (301, as `evtx_dump` 0.15.1 reads), and the
/// exit code says something could not be read.
#[test]
fn damaged_evtx_in_a_zip_is_read_around_the_damage() {
    let dir = TempDir::new().unwrap();
    let bundle = dir.path().join("events.zip");
    let bad = std::fs::read(repo("tests/fixtures/evtx/sample_with_a_bad_chunk_magic.evtx")).unwrap();
    let system = std::fs::read(repo("tests/fixtures/evtx/system.evtx")).unwrap();
    zip_with(
        &bundle,
        &[("eventlogs/AppX.evtx", &bad), ("eventlogs/System.evtx", &system)],
    );
    let (code, report) = analyze_json(&[&bundle], &[]);
    assert_eq!(code, 2);
    let docs = report["documents"].as_array().unwrap();
    let events = |path: &str| docs.iter().find(|d| d["path"] == path).unwrap()["events"].as_u64();
    assert_eq!(events("eventlogs/AppX.evtx"), Some(301));
    assert_eq!(events("eventlogs/System.evtx"), Some(1881));
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 3);
    assert!(errors
        .iter()
        .all(|e| e["code"] == "damaged-events" && e["entry"] == "eventlogs/AppX.evtx"));
    // The healthy log in the same bundle is analysed as usual.
    assert!(rule_ids(&report).contains(&"evt.clock-jump".to_string()));
}

/// 160 DNS timeouts are one finding with the count and the most recent event as evidence.
#[test]
fn repeated_events_are_one_finding_with_count_and_latest() {
    let (code, report) = analyze_json(&[&repo("tests/fixtures/evtx/system.evtx")], &[]);
    assert_eq!(code, 1);
    let f = finding(&report, "evt.dns-timeouts");
    assert_eq!(f["match_count"], 160);
    let ev = f["evidence"].as_array().unwrap();
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["event"]["event_id"], 1014);
    assert_eq!(ev[0]["event"]["provider"], "Microsoft-Windows-DNS-Client");
    assert_eq!(ev[0]["event"]["time"], "2018-03-06T08:13:22.2699463Z");
    assert!(ev[0]["event"]["record_id"].as_u64().is_some());
    assert!(ev[0]["text"].as_str().unwrap().starts_with("QueryName="));
    assert!(f["summary"][0].as_str().unwrap().starts_with("160 matching events"));
}

/// Rule files can count events and window them in time; `at-least` above the count and a
/// window before the events make the rule silent.
#[test]
fn event_rule_counting_and_time_window() {
    let dir = TempDir::new().unwrap();
    let rule = |extra: &str| {
        format!(
            "[[rule]]\nid = \"evt.test\"\nseverity = \"warning\"\ntitle.zh = \"测\"\ntitle.en = \"t\"\n\
             cause.zh = \"测\"\ncause.en = \"t\"\nremedy.zh = \"测\"\nremedy.en = \"t\"\n\
             when = {{ event = {{ provider = \"Microsoft-Windows-WindowsUpdateClient\", id = \"19-20\", level = \"error\"{extra} }} }}\n"
        )
    };
    let system = repo("tests/fixtures/evtx/system.evtx");
    let run = |extra: &str| {
        let file = write(dir.path(), "r.toml", rule(extra).as_bytes());
        let (_, report) = analyze_json(&[&system], &["--no-default-rules", "--rules", file.to_str().unwrap()]);
        report["findings"]
            .as_array()
            .unwrap()
            .first()
            .map(|f| f["match_count"].as_u64().unwrap())
    };
    assert_eq!(run(""), Some(5));
    assert_eq!(run(", at-least = 5"), Some(5));
    assert_eq!(run(", at-least = 6"), None);
    // The newest event of the log is 2018-03-06; the failures are in July and December 2017.
    assert_eq!(run(", within = \"100days\""), Some(1));
    assert_eq!(run(", within = \"30days\""), None);
    assert_eq!(run(", since = \"2017-08-01\""), Some(1));
    assert_eq!(run(", fields = { errorCode = '0x80248007' }"), Some(4));
}

/// Copies a fixture folder (and its subfolders) into `to`.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The values of a fact (a list of observations).
fn values(fact: &Value) -> Vec<Value> {
    fact.as_array()
        .unwrap_or_else(|| panic!("not a fact: {fact}"))
        .iter()
        .map(|o| o["value"].clone())
        .collect()
}

#[test]
fn linux_collector_folder_with_manifest() {
    // The files the CI machine really printed, laid out as the Linux collector stores them,
    // with a constructed manifest for that run (tests/fixtures/linux/README.md).
    let dir = TempDir::new().unwrap();
    let bundle = dir.path().join("bundle");
    copy_tree(&repo("tests/fixtures/linux/ci-debian12"), &bundle);
    std::fs::copy(
        repo("tests/fixtures/linux/constructed/manifest-ci-partial.json"),
        bundle.join("manifest.json"),
    )
    .unwrap();
    let (code, r) = analyze_json(&[&bundle], &[]);
    assert_eq!(code, 1, "critical findings: no physical NIC, a VM");

    // Every file is recognised by its content (and the one-word files by their names).
    let kinds: Vec<(String, String)> = r["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (path, kind) in [
        ("hardware/lsblk.json", "lsblk-json"),
        ("hardware/lsblk-version.txt", "text"),
        ("hardware/sys-class-net.txt", "sys-class-net"),
        ("hardware/systemd-detect-virt.txt", "detect-virt"),
        ("network/ip-addr.json", "ip-json"),
        ("system/os-release", "os-release"),
        ("system/hostname.txt", "hostname"),
        ("manifest.json", "manifest"),
    ] {
        assert!(
            kinds.contains(&(path.into(), kind.into())),
            "{path} as {kind}: {kinds:?}"
        );
    }
    assert_eq!(kinds.len(), 8);

    let facts = &r["facts"];
    // One disk: vda (zram0 is skipped); lsblk printed null model and serial, which are unknown.
    let disks = facts["disks"].as_array().unwrap();
    assert_eq!(disks.len(), 1, "{disks:?}");
    assert_eq!(values(&disks[0]["bus"]), ["virtio"]);
    assert_eq!(values(&disks[0]["removable"]), [false]);
    assert!(values(&disks[0]["model"]).is_empty());
    assert!(values(&disks[0]["serial"]).is_empty());
    let src = &disks[0]["bus"][0]["source"];
    assert_eq!(src["path"], "hardware/lsblk.json");
    assert_eq!(src["line"], 20);
    assert!(src["text"].as_str().unwrap().starts_with("lsblk vda: "), "{src}");

    // NICs from ip -j addr and /sys/class/net, merged by name; lo skipped.
    let nics = facts["nics"].as_array().unwrap();
    let mut names: Vec<String> = nics
        .iter()
        .map(|n| n["name"][0]["value"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    assert_eq!(names, ["eth0", "ifb0", "ifb1"]);
    let eth0 = nics.iter().find(|n| n["name"][0]["value"] == "eth0").unwrap();
    assert_eq!(values(&eth0["mac"]), ["02-FC-00-00-00-01"]);
    assert_eq!(values(&eth0["enabled"]), [true]);
    assert_eq!(values(&eth0["physical"]), [false], "a virtio NIC is a guest adapter");
    assert_eq!(values(&eth0["removable"]), [false]);
    assert_eq!(
        values(&eth0["device_path"]),
        ["../../devices/pci0000:00/0000:00:03.0/virtio2/net/eth0"]
    );
    let ifb0 = nics.iter().find(|n| n["name"][0]["value"] == "ifb0").unwrap();
    assert_eq!(values(&ifb0["enabled"]), [false]);
    assert_eq!(values(&ifb0["physical"]), [false]);

    // Virtualisation: detect-virt says docker (a container, no VM signal); the virtio disk and
    // NIC are two medium signals from two files: likely a VM.
    assert_eq!(values(&facts["container"]), ["docker"]);
    let hints: Vec<(&str, &str, &str)> = facts["vm_hints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["hypervisor"].as_str().unwrap(),
                h["strength"].as_str().unwrap(),
                h["source"]["path"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        hints,
        [
            ("QEMU/KVM", "medium", "hardware/lsblk.json"),
            ("QEMU/KVM", "medium", "hardware/sys-class-net.txt")
        ]
    );
    let vm = finding(&r, "vm.detected");
    assert_eq!(
        vm["summary"][0].as_str().unwrap().split('.').next(),
        Some("Verdict: likely a virtual machine (QEMU/KVM)")
    );
    assert_eq!(vm["match_count"], 2);
    assert_eq!(vm["evidence"][1]["path"], "hardware/sys-class-net.txt");
    assert_eq!(vm["evidence"][1]["line"], 2);
    assert_eq!(
        vm["evidence"][1]["note"],
        "[QEMU/KVM, medium] network interface eth0 is a QEMU/KVM guest device"
    );
    // No physical adapter at all: the virtio NIC and the ifb devices.
    assert_eq!(finding(&r, "hw.nic-physical")["match_count"], 3);

    // OS and host name.
    assert_eq!(values(&facts["os"]["name"]), ["Debian GNU/Linux 12 (bookworm)"]);
    assert_eq!(values(&facts["os"]["version"]), ["12"]);
    assert_eq!(values(&facts["os"]["hostname"]), ["vm"]);
    assert_eq!(facts["os"]["hostname"][0]["source"]["path"], "system/hostname.txt");

    // The manifest: who collected, and what is missing.
    let c = &facts["collection"][0];
    assert_eq!(c["host"], "vm");
    assert_eq!(c["user"], "ci");
    assert_eq!(c["elevated"], false);
    assert_eq!(c["interrupted"], true);
    let upgrade = c["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "upgrade")
        .unwrap();
    assert_eq!(upgrade["chosen"], true);
    assert_eq!(upgrade["collected"], false);
    assert_eq!(upgrade["reason"], "timeout after 60 s");
    let missing = finding(&r, "collect.category-missing");
    assert_eq!(missing["severity"], "info");
    assert_eq!(missing["title"], "Some categories were not collected");
    assert_eq!(missing["match_count"], 5);
    let ev: Vec<(&str, i64, &str)> = missing["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["path"], "manifest.json");
            (
                e["note"].as_str().unwrap(),
                e["line"].as_i64().unwrap(),
                e["text"].as_str().unwrap(),
            )
        })
        .collect();
    let categories = "categories: group-policy, network, event-logs, processes, activation, upgrade, hardware";
    assert_eq!(
        ev,
        [
            (
                "group-policy was not collected: no item of this category was run",
                19,
                categories
            ),
            (
                "event-logs was not collected: time limit reached",
                49,
                "evt.journal [event-logs]: interrupted (deadline)"
            ),
            ("software: not chosen by the user", 19, categories),
            (
                "processes was not collected: status failed",
                70,
                "proc.ps [processes]: failed"
            ),
            (
                "upgrade was not collected: timeout after 60 s",
                121,
                "upg.apt-simulate [upgrade]: timeout (timeout after 60 s)"
            ),
        ]
    );

    // The text report names who collected, in one line.
    let out = cmgelog()
        .args(["analyze", "--lang", "en"])
        .arg(&bundle)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.lines()
            .any(|l| l.trim() == "Collected  on vm by ci, not elevated, interrupted"),
        "{text}"
    );
}

#[test]
fn spec_lint_and_config_check_report_every_problem_with_line_and_column() {
    let dir = TempDir::new().unwrap();
    let out = cmgelog().args(["spec", "lint"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let spec = "os = \"linux\"\n[[item]]\nid = \"a\"\ncategory = \"hardware\"\nkind = \"command\"\nargv = [\"true\"]\nkey = \"HKLM\\\\X\"\npath = \"h/a.txt\"\n\n[[item]]\nid = \"b\"\ncategory = \"group-policy\"\nkind = \"files\"\npath = \"g\"\n";
    let file = write(dir.path(), "spec.toml", spec.as_bytes());
    let out = cmgelog().args(["spec", "lint"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("spec.toml:7:1") && err.contains("unknown key `key` in item `a` (kind `command`)"),
        "{err}"
    );
    // In a category nobody may tick: still checked.
    assert!(
        err.contains("spec.toml:10:1") && err.contains("item `b` (kind `files`) is missing `paths`"),
        "{err}"
    );
    assert!(err.contains("2 problem(s) in 1 file(s)"), "{err}");

    let config = "deadline = \"10 parsecs\"\n[portal]\nprotocol = \"ftp\"\nurl = \"https://u:pw@h/\"\n";
    let file = write(dir.path(), "cmgelog.toml", config.as_bytes());
    let out = cmgelog().args(["config", "check"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("cmgelog.toml:1:12") && err.contains("is not a duration"),
        "{err}"
    );
    assert!(
        err.contains("cmgelog.toml:3:12") && err.contains("`protocol` = \"ftp\" is not known"),
        "{err}"
    );
    assert!(
        err.contains("cmgelog.toml:4:7") && err.contains("must not hold a user name or password"),
        "{err}"
    );
    // The same file as the configuration of a collection: refused before anything runs.
    let out = cmgelog()
        .args(["collect", "--yes", "--quiet", "--out"])
        .arg(dir.path().join("out"))
        .env("CMGELOG_CONFIG", &file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a duration"));
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    // The reader is gone before the first byte: every write is EPIPE.
    for args in [
        vec!["rules", "list"],
        vec!["rules", "lint"],
        vec!["spec", "lint"],
        vec!["explain", "0x80246013"],
        vec!["fingerprint", "samples/case-a-thin-client-empty-baseboard-serial.zip"],
        vec!["analyze", "samples/case-a-thin-client-empty-baseboard-serial.zip"],
    ] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_cmgelog"))
            .args(&args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(
            matches!(out.status.code(), Some(0..=2)),
            "{args:?}: {:?} {err}",
            out.status
        );
    }
}

#[test]
fn surface_says_what_it_did_not_find() {
    // `analyse` is accepted as well as `analyze`.
    let out = cmgelog()
        .args(["--lang", "en", "analyse"])
        .arg(repo("samples/healthy-hp-zbook.zip"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    // A machine with no usable identity (linux-hardware.org anonymised its serials to `--`,
    // the model is "System Product Name"): every such machine gets this hash; exit 1.
    let out = cmgelog()
        .args(["--lang", "en", "fingerprint"])
        .arg(repo(
            "tests/fixtures/goodlogs/dmidecode/linuxhw_ASUSTek_Computer-PRIME_B450M-A_II_03E291FDBDF1.txt",
        ))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no usable identity"));
    // One identifier only (case A: the MAC; its baseboard serial is empty): a warning, exit 0.
    let out = cmgelog()
        .args(["--lang", "en", "fingerprint"])
        .arg(repo("samples/case-a-thin-client-empty-baseboard-serial.zip"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("rests on one identifier only"));
    // `find` with no match says so.
    let out = cmgelog()
        .args(["--lang", "en", "find", "--serial", "NO-SUCH-SERIAL"])
        .arg(repo("samples"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no bundle holds that identifier"));
    // `batch` on a folder without bundles is an error naming it.
    let empty = TempDir::new().unwrap();
    let out = cmgelog()
        .args(["--lang", "en", "batch"])
        .arg(empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&empty.path().display().to_string()));
}
