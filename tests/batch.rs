//! Batch analysis, sharding, `find` (with and without the index), `fingerprint` and `diff`,
//! run as a user would on a corpus built from the repository's real files.

mod common;

use common::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// Runs `batch` with `extra` args over `paths`; returns (exit code, parsed JSONL lines).
fn batch_jsonl(paths: &[&Path], extra: &[&str]) -> (i32, Vec<Value>) {
    let out = cmgelog()
        .args(["batch", "--lang", "en", "--jobs", "2"])
        .args(extra)
        .args(paths)
        .output()
        .unwrap();
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    (out.status.code().unwrap(), lines)
}

fn bundles(lines: &[Value]) -> Vec<&Value> {
    lines.iter().filter(|l| l["type"] == "bundle").collect()
}

fn rules_of(v: &Value, key: &str) -> BTreeSet<String> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn batch_of_300_bundles_and_a_broken_zip_gives_one_line_each_and_an_exact_summary() {
    let tmp = TempDir::new().unwrap();
    let corpus = build_corpus(tmp.path(), 300);
    // Joined part by part, so the expected path has the separators the tool prints (Windows: `\`).
    let broken = tmp.path().join("site-0").join("broken.zip");
    std::fs::write(&broken, b"PK\x03\x04 this is not really a zip").unwrap();
    let index = tmp.path().join("index.sqlite");
    let (code, lines) = batch_jsonl(&[tmp.path()], &["--index", index.to_str().unwrap()]);
    assert_eq!(code, 2, "a broken bundle makes exit code 2");

    // One line per bundle, each path once, then the summary as the last line.
    let records = bundles(&lines);
    assert_eq!(records.len(), 301);
    let paths: BTreeSet<&str> = records.iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert_eq!(paths.len(), 301);
    let summary = lines.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["bundles"], 301);
    assert_eq!(summary["failed"], 1);
    assert_eq!(summary["errors"][0]["code"], "not-a-zip");
    assert_eq!(summary["errors"][0]["bundles"], 1);
    assert_eq!(summary["errors"][0]["paths"][0], broken.display().to_string());

    // Expected counts, computed independently: `analyze --format json` on one bundle of each
    // composition, times the number of bundles with that composition.
    let mut first_of: BTreeMap<usize, &PathBuf> = BTreeMap::new();
    let mut per_comp: BTreeMap<usize, u64> = BTreeMap::new();
    for (p, c) in &corpus {
        first_of.entry(*c).or_insert(p);
        *per_comp.entry(*c).or_default() += 1;
    }
    let mut expected: BTreeMap<String, u64> = BTreeMap::new();
    for (c, p) in &first_of {
        let out = cmgelog()
            .args(["analyze", "--format", "json", "--lang", "en"])
            .arg(p)
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let rules = rules_of(&report, "findings");
        // The batch line of that bundle agrees with `analyze` on it.
        let line = records.iter().find(|r| r["path"] == p.display().to_string()).unwrap();
        assert_eq!(rules_of(line, "findings"), rules, "{}", p.display());
        assert_eq!(line["exit_code"], report["exit_code"]);
        for r in rules {
            *expected.entry(r).or_default() += per_comp[c];
        }
    }
    assert!(expected.len() >= 10, "the corpus exercises many causes: {expected:?}");
    let got: BTreeMap<String, u64> = summary["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["rule"].as_str().unwrap().to_string(), c["bundles"].as_u64().unwrap()))
        .collect();
    assert_eq!(got, expected);

    // The summary also equals the counts over the JSONL lines, path for path.
    for cause in summary["causes"].as_array().unwrap() {
        let rule = cause["rule"].as_str().unwrap();
        let with: BTreeSet<&str> = records
            .iter()
            .filter(|r| rules_of(r, "findings").contains(rule))
            .map(|r| r["path"].as_str().unwrap())
            .collect();
        let listed: BTreeSet<&str> = cause["paths"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        assert_eq!(listed, with, "{rule}");
    }
    let with_findings = records
        .iter()
        .filter(|r| !r["findings"].as_array().unwrap().is_empty())
        .count();
    assert_eq!(summary["with_findings"], with_findings as u64);

    // Size and SHA-256 are those of the file.
    let (p, _) = &corpus[7];
    let line = records.iter().find(|r| r["path"] == p.display().to_string()).unwrap();
    assert_eq!(line["size"], std::fs::metadata(p).unwrap().len());
    assert_eq!(line["sha256"].as_str().unwrap().len(), 64);

    // The index holds every bundle, and `find --index` agrees with a scan.
    let conn_out = cmgelog()
        .args([
            "find",
            "--index",
            index.to_str().unwrap(),
            "--host",
            " LENOVO-pc ",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(conn_out.status.code(), Some(0));
    let from_index: Vec<Value> = serde_json::from_slice(&conn_out.stdout).unwrap();
    let scan_out = cmgelog()
        .args(["find", "--host", "lenovo-pc", "--format", "json", "--jobs", "2"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(scan_out.status.code(), Some(2), "the broken zip is reported");
    let from_scan: Vec<Value> = serde_json::from_slice(&scan_out.stdout).unwrap();
    assert_eq!(from_index, from_scan);
    // Every bundle whose JSONL identity names that host, and no other.
    let expected: BTreeSet<&str> = records
        .iter()
        .filter(|r| {
            r["identity"]["host"]
                .as_str()
                .is_some_and(|h| h.eq_ignore_ascii_case("lenovo-pc"))
        })
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    let found: BTreeSet<&str> = from_index.iter().map(|h| h["bundle"].as_str().unwrap()).collect();
    assert!(
        expected.len() >= 50,
        "cases A, healthy and more share that real ipconfig"
    );
    assert_eq!(found, expected);
}

#[test]
fn shards_are_a_disjoint_cover_of_the_bundles() {
    let tmp = TempDir::new().unwrap();
    build_corpus(tmp.path(), 48);
    let (_, all) = batch_jsonl(&[tmp.path()], &[]);
    let all: BTreeSet<String> = bundles(&all)
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(all.len(), 48);
    let mut seen = BTreeSet::new();
    for i in 1..=3 {
        let (_, lines) = batch_jsonl(&[tmp.path()], &["--shard", &format!("{i}/3")]);
        let part: Vec<String> = bundles(&lines)
            .iter()
            .map(|r| r["path"].as_str().unwrap().to_string())
            .collect();
        assert!(!part.is_empty() && part.len() < 48, "shard {i}/3 has {}", part.len());
        for p in part {
            assert!(seen.insert(p.clone()), "{p} is in two shards");
        }
    }
    assert_eq!(seen, all);
    let bad = cmgelog()
        .args(["batch", "--shard", "4/3"])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2), "clap refuses a bad shard");
}

/// A bundle with its own serial, host name and MAC: the healthy sample with those replaced.
fn needle(dir: &Path) -> PathBuf {
    let entries: Vec<(String, Vec<u8>)> = read_zip(&repo("samples/healthy-hp-zbook.zip"))
        .into_iter()
        .map(|(name, data)| {
            let data = match name.as_str() {
                "hardware/dmidecode.txt" => replace_bytes(&data, b"5CD8484V89", b"NDL7Q0001X"),
                "network/ipconfig_all.txt" => replace_bytes(
                    &replace_bytes(&data, b"lenovo-PC", b"NEEDLE-PC01"),
                    b"28-D2-44-19-F8-2A",
                    b"02-1A-2B-3C-4D-5E",
                ),
                _ => data,
            };
            (name, data)
        })
        .collect();
    // Part by part: the tool prints native separators (Windows: `\`).
    let p = dir.join("site-9").join("needle.zip");
    write_zip(&p, &entries);
    p
}

#[test]
fn find_names_the_bundle_and_field_by_serial_mac_and_host_with_and_without_index() {
    let tmp = TempDir::new().unwrap();
    build_corpus(tmp.path(), 24);
    let needle = needle(tmp.path());
    let index = tmp.path().join("ix.sqlite");
    let out = cmgelog()
        .args(["batch", "--format", "csv", "--jobs", "2", "--out"])
        .arg(tmp.path().join("out.csv"))
        .arg("--index")
        .arg(&index)
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = std::fs::read_to_string(tmp.path().join("out.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 25, "header and one row per bundle");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("25 bundles"),
        "summary on stderr"
    );

    let cases: [(&str, &str, &str); 4] = [
        ("--serial", " ndl7q0001x ", "system.serial"),
        ("--mac", "02:1a:2b:3c:4d:5e", "mac"),
        ("--mac", "021A2B3C4D5E", "mac"),
        ("--host", "needle-pc01", "os.hostname"),
    ];
    for (opt, value, field) in cases {
        for with_index in [false, true] {
            let mut cmd = cmgelog();
            cmd.args(["find", opt, value, "--format", "json"]);
            if with_index {
                cmd.arg("--index").arg(&index);
            } else {
                cmd.arg(tmp.path());
            }
            let out = cmd.output().unwrap();
            assert_eq!(out.status.code(), Some(0), "{opt} {value} index={with_index}");
            let hits: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
            let bundles: BTreeSet<&str> = hits.iter().map(|h| h["bundle"].as_str().unwrap()).collect();
            assert_eq!(bundles, BTreeSet::from([needle.to_str().unwrap()]), "{opt} {value}");
            let hit = hits
                .iter()
                .find(|h| h["field"].as_str().unwrap().contains(field))
                .unwrap_or_else(|| panic!("no {field} among {hits:?}"));
            assert!(hit["line"].as_u64().is_some(), "the line it was read on");
        }
    }
    let none = cmgelog()
        .args(["find", "--serial", "NO-SUCH-SERIAL", "--index"])
        .arg(&index)
        .output()
        .unwrap();
    assert_eq!(none.status.code(), Some(1));
    let missing = cmgelog()
        .args(["find", "--serial", "X", "--index"])
        .arg(tmp.path().join("nope.sqlite"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read the index"));
}

fn fingerprint_json(p: &Path) -> Value {
    let out = cmgelog()
        .args(["fingerprint", "--format", "json"])
        .arg(p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn diff_of_a_replaced_disk_names_that_disk_and_the_fingerprint_changes() {
    let tmp = TempDir::new().unwrap();
    let a = repo("samples/case-d-batch-b2-disk-serial.zip");
    // The same machine with its VirtualBox disk replaced: only that disk's serial changes.
    let old = "42566332666666303539622d6632643731622031";
    let new = "WD-WCC4N0RJ7T1X";
    let entries: Vec<(String, Vec<u8>)> = read_zip(&a)
        .into_iter()
        .map(|(n, d)| {
            let d = if n == "hardware/Win32_DiskDrive.wmi" {
                replace_utf16(&d, old, new)
            } else {
                d
            };
            (n, d)
        })
        .collect();
    let b = tmp.path().join("b.zip");
    write_zip(&b, &entries);
    let copy = tmp.path().join("a-copy.zip");
    std::fs::copy(&a, &copy).unwrap();

    let fa = fingerprint_json(&a);
    assert_eq!(fa["hash"], fingerprint_json(&a)["hash"], "stable across runs");
    assert_eq!(
        fa["hash"],
        fingerprint_json(&copy)["hash"],
        "does not depend on the file name"
    );
    assert_ne!(
        fa["hash"],
        fingerprint_json(&b)["hash"],
        "a changed part changes the hash"
    );

    let out = cmgelog()
        .args(["diff", "--format", "json"])
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "parts differ");
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    let diffs = d["differences"].as_array().unwrap();
    assert_eq!(diffs.len(), 1, "{diffs:?}");
    assert_eq!(diffs[0]["key"], "disk.serial");
    assert_eq!(diffs[0]["only_a"][0]["value"], old);
    assert_eq!(diffs[0]["only_b"][0]["value"], new);
    assert_eq!(diffs[0]["only_b"][0]["detail"], "VBOX HARDDISK ATA Device");

    let text = cmgelog()
        .args(["diff", "--lang", "en"])
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains(old) && text.contains(new) && text.contains("VBOX HARDDISK"),
        "{text}"
    );
    let same = cmgelog().arg("diff").arg(&a).arg(&copy).output().unwrap();
    assert_eq!(same.status.code(), Some(0));
}
