//! Recognition on the shapes real users send (issue 18), one test per case, through the built
//! binary's JSON report: `dmidecode -q`, `head /sys/class/dmi/id/*`, terminal colour codes, a
//! zip inside the bundle, a symlinked folder and a symlink loop, and the inputs that must never
//! get a clean bill of health (empty folder, empty file, random bytes). Provenance of the
//! fixtures: tests/fixtures/recognition/README.md.
#![cfg(unix)]

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use tempfile::TempDir;

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn analyze(inputs: &[&Path]) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_cmgelog"))
        .args(["analyze", "--format", "json", "--lang", "en"])
        .args(inputs)
        .output()
        .expect("runs");
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), report)
}

fn kinds(r: &Value) -> Vec<String> {
    r["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap_or("?").to_string())
        .collect()
}

fn first(v: &Value) -> Option<&str> {
    v[0]["value"].as_str()
}

fn error_codes(r: &Value) -> Vec<String> {
    r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn dmidecode_quiet_output_is_read_as_dmidecode() {
    let (code, r) = analyze(&[&repo("tests/fixtures/recognition/dell-r640-dmidecode-q.txt")]);
    assert_eq!(kinds(&r), ["dmidecode"]);
    assert_eq!(first(&r["facts"]["system"]["serial"]), Some("2RJF153"));
    assert_eq!(
        first(&r["facts"]["baseboard"]["serial"]),
        Some(".2RJF153.CNIVC0005G0184.")
    );
    assert_eq!(first(&r["facts"]["system"]["vendor"]), Some("Dell Inc."));
    // A healthy physical server: nothing to report.
    assert_eq!(
        (code, r["findings"].as_array().unwrap().len()),
        (0, 0),
        "{:#}",
        r["findings"]
    );
}

#[test]
fn head_of_the_sysfs_dmi_folder_is_read_section_by_section() {
    let file = repo("tests/fixtures/recognition/dell-r640-sysfs-head.txt");
    let (code, r) = analyze(&[&file]);
    assert_eq!(kinds(&r), ["sysfs-dmi"]);
    let facts = &r["facts"];
    assert_eq!(first(&facts["system"]["serial"]), Some("2RJF153"));
    assert_eq!(first(&facts["baseboard"]["serial"]), Some(".2RJF153.CNIVC0005G0184."));
    assert_eq!(first(&facts["system"]["model"]), Some("PowerEdge R640"));
    // Evidence points at the value's own line (line 2 is the first section's value).
    let text = std::fs::read_to_string(&file).unwrap();
    let serial_line = text.lines().position(|l| l == "2RJF153").unwrap() + 1;
    assert_eq!(facts["system"]["serial"][0]["source"]["line"], serial_line);
    assert_eq!(code, 0);
}

#[test]
fn terminal_colour_codes_are_text_not_binary() {
    let file = repo("tests/fixtures/goodlogs/misc/glpi_teamviewer-info-15.11.6-RPM.txt");
    assert!(std::fs::read(&file).unwrap().contains(&0x1b), "the fixture has escapes");
    let (_, r) = analyze(&[&file]);
    let doc = &r["documents"][0];
    assert_ne!(doc["kind"], "binary", "{doc:#}");
    assert_ne!(doc["encoding"], "binary", "{doc:#}");
}

#[test]
fn a_zip_inside_the_bundle_is_opened() {
    let dir = TempDir::new().unwrap();
    let sample = repo("samples/case-a-thin-client-empty-baseboard-serial.zip");
    let outer = dir.path().join("from-the-portal.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&outer).unwrap());
    zip.start_file("case-a.zip", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(&std::fs::read(&sample).unwrap()).unwrap();
    zip.finish().unwrap();
    let (_, direct) = analyze(&[&sample]);
    let (code, wrapped) = analyze(&[&outer]);
    let ids = |r: &Value| -> Vec<String> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(ids(&direct).contains(&"hw.baseboard-serial".to_string()));
    assert_eq!(ids(&wrapped), ids(&direct), "the same diagnosis through the outer zip");
    assert_eq!(code, 1);
    let board = wrapped["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "hw.baseboard-serial")
        .unwrap();
    let path = board["evidence"][0]["path"].as_str().unwrap();
    assert!(
        path.starts_with("case-a.zip/") || path.contains("case-a.zip"),
        "the nested path: {path}"
    );
}

#[test]
fn a_symlinked_folder_is_followed_and_a_loop_is_reported() {
    let dir = TempDir::new().unwrap();
    let real = dir.path().join("real");
    std::fs::create_dir(&real).unwrap();
    std::fs::copy(
        repo("tests/fixtures/recognition/dell-r640-dmidecode-q.txt"),
        real.join("dmidecode.txt"),
    )
    .unwrap();
    let bundle = dir.path().join("bundle");
    std::fs::create_dir(&bundle).unwrap();
    std::os::unix::fs::symlink(&real, bundle.join("hardware")).unwrap();
    let (_, r) = analyze(&[&bundle]);
    assert_eq!(
        first(&r["facts"]["system"]["serial"]),
        Some("2RJF153"),
        "read through the link"
    );

    std::os::unix::fs::symlink(&bundle, bundle.join("loop")).unwrap();
    let t0 = Instant::now();
    let (code, r) = analyze(&[&bundle]);
    assert!(t0.elapsed() < Duration::from_secs(10));
    assert_eq!(first(&r["facts"]["system"]["serial"]), Some("2RJF153"));
    let errors = r["errors"].as_array().unwrap();
    assert!(
        errors.iter().any(|e| e["message"].as_str().unwrap().contains("loop")),
        "{errors:#?}"
    );
    assert_eq!(code, 2, "an input part that could not be read is counted");
}

#[test]
fn empty_and_unrecognised_inputs_are_never_a_clean_bill_of_health() {
    let dir = TempDir::new().unwrap();
    let empty_dir = dir.path().join("empty");
    std::fs::create_dir(&empty_dir).unwrap();
    let empty_file = dir.path().join("empty.txt");
    std::fs::write(&empty_file, b"").unwrap();
    let random = dir.path().join("random.bin");
    // Deterministic noise (xorshift): bytes no format starts with.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let noise: Vec<u8> = (0..8192)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    std::fs::write(&random, noise).unwrap();
    for (input, expected) in [(&empty_dir, "empty"), (&empty_file, "empty"), (&random, "not-analysed")] {
        let (code, r) = analyze(&[input]);
        assert_eq!(code, 2, "{input:?}");
        assert_eq!(error_codes(&r), [expected], "{input:?}: {:#}", r["errors"]);
        assert!(r["findings"].as_array().unwrap().is_empty());
        // The text report says so too, never "no known problem".
        let out = Command::new(env!("CARGO_BIN_EXE_cmgelog"))
            .args(["--lang", "en", "analyze"])
            .arg(input)
            .output()
            .unwrap();
        let text =
            String::from_utf8_lossy(&out.stdout).to_lowercase() + &String::from_utf8_lossy(&out.stderr).to_lowercase();
        assert!(!text.contains("no known problem"), "{input:?}: {text}");
        assert!(
            text.contains("nothing was analysed") || text.contains("not analysed"),
            "{input:?}: {text}"
        );
    }
}

#[test]
fn a_paste_of_two_outputs_is_read_as_both_with_the_files_line_numbers() {
    let file = repo("tests/fixtures/recognition/paste-ipconfig-then-wmic-diskdrive.txt");
    let text = std::fs::read_to_string(&file).unwrap();
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let (_, r) = analyze(&[&file]);
    assert_eq!(kinds(&r), ["ipconfig", "wmic-list"]);
    let facts = &r["facts"];
    let mac = facts["nics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["mac"][0]["value"] == "00-0C-29-37-3B-4E")
        .expect("the ipconfig part's adapter");
    assert_eq!(mac["mac"][0]["source"]["line"], line_of("00-0C-29-37-3B-4E"));
    let disk = &facts["disks"][0];
    assert_eq!(first(&disk["model"]), Some("VMware Virtual disk SCSI Disk Device"));
    assert_eq!(disk["model"][0]["source"]["line"], line_of("Model=VMware Virtual disk"));
    assert_eq!(
        disk["model"][0]["source"]["path"],
        "paste-ipconfig-then-wmic-diskdrive.txt"
    );
    // Two independent VMware signals (guest MAC, virtual disk): more than either part alone.
    let rules: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"vm.detected"), "{rules:?}");
}
