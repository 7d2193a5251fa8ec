//! The collector, with real child processes on this machine: hung process trees killed at
//! their timeout, floods capped, missing commands and unreadable files recorded, the global
//! deadline and Ctrl-C honoured, and the zip always valid (or absent).
#![cfg(unix)]

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

#[path = "common/collected.rs"]
mod collected;

use collected::Collected;

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_cmgelog"))
}

fn spec(dir: &Path, items: &str) -> PathBuf {
    collected::write_spec(dir, "linux", items)
}

fn collect(dir: &Path, spec: &Path, extra: &[&str]) -> Output {
    collected::run_collect(dir, spec, extra)
}

/// The one zip in `out`, named `CMGE_Log_<host>_<yyyyMMdd-HHmmss>.zip`, opened.
struct Bundle;

impl Bundle {
    fn open(out: &Path) -> Collected {
        let zips: Vec<PathBuf> = std::fs::read_dir(out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "zip"))
            .collect();
        assert_eq!(zips.len(), 1, "exactly one zip in {}: {zips:?}", out.display());
        let name = zips[0].file_name().unwrap().to_string_lossy().to_string();
        let stamp = name
            .strip_prefix("CMGE_Log_")
            .and_then(|n| n.strip_suffix(".zip"))
            .and_then(|n| n.rsplit_once('_'));
        let ok = stamp.is_some_and(|(host, t)| {
            !host.is_empty()
                && t.len() == 15
                && t.as_bytes()[8] == b'-'
                && t.chars().filter(char::is_ascii_digit).count() == 14
        });
        assert!(ok, "CMGE_Log_<host>_<yyyyMMdd-HHmmss>.zip: {name}");
        Collected::open(&zips[0])
    }
}

/// Processes whose command line contains `marker` (from /proc).
fn processes_with(marker: &str) -> Vec<String> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| {
            let e = e.ok()?;
            e.file_name().to_str()?.parse::<u32>().ok()?;
            let cmd = std::fs::read(e.path().join("cmdline")).ok()?;
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            cmd.contains(marker).then_some(cmd)
        })
        .collect()
}

#[test]
fn a_hung_process_tree_is_killed_at_its_timeout_and_a_finished_commands_leftovers_do_not_cost_its_output() {
    let dir = TempDir::new().unwrap();
    // t.orphan-holds-pipe prints, leaves a grandchild that keeps stdout open, and exits 0: its
    // output is kept and the grandchild stopped a second after the exit, long before the
    // timeout. t.daemon does the same with a grandchild that left the process group (setsid)
    // and ignores SIGTERM. t.hangs hangs itself, t.hangs-setsid with such a grandchild: both
    // end at their 1 s timeout. Nothing of any tree is left running.
    let s = spec(
        dir.path(),
        r#"
[[item]]
id = "t.orphan-holds-pipe"
category = "hardware"
kind = "command"
argv = ["sh", "-c", "echo started; sleep 907.25 & echo forked"]
timeout = "20s"
path = "hardware/orphan.txt"

[[item]]
id = "t.daemon"
category = "hardware"
kind = "command"
argv = ["sh", "-c", "echo up; setsid sh -c 'trap \"\" TERM; sleep 907.27' & echo daemonised"]
timeout = "20s"
path = "hardware/daemon.txt"

[[item]]
id = "t.hangs"
category = "hardware"
kind = "command"
argv = ["sh", "-c", "echo partial; sleep 907.26; echo never"]
timeout = "1s"
path = "hardware/hang.txt"

[[item]]
id = "t.hangs-setsid"
category = "hardware"
kind = "command"
argv = ["sh", "-c", "setsid sh -c 'trap \"\" TERM; sleep 907.28' & echo waiting; sleep 907.29"]
timeout = "1s"
path = "hardware/hang-setsid.txt"

[[item]]
id = "t.quick"
category = "network"
kind = "command"
argv = ["echo", "fine"]
path = "network/quick.txt"
"#,
    );
    let t0 = Instant::now();
    let out = collect(dir.path(), &s, &["--jobs", "5"]);
    let took = t0.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(took < Duration::from_secs(8), "took {took:?}");
    let mut b = Bundle::open(&dir.path().join("out"));
    for (id, path, text) in [
        ("t.orphan-holds-pipe", "hardware/orphan.txt", "started\nforked\n"),
        ("t.daemon", "hardware/daemon.txt", "up\ndaemonised\n"),
    ] {
        let row = b.row(id).clone();
        assert_eq!(row["status"], "ok", "{row:#}");
        assert_eq!(row["exit_code"], 0);
        assert!(
            row["reason"]
                .as_str()
                .unwrap()
                .contains("a process it left running held its output open"),
            "{row:#}"
        );
        assert!(row["duration_ms"].as_u64().unwrap() < 5000, "{row:#}");
        assert_eq!(String::from_utf8(b.entry(path)).unwrap(), text);
    }
    for (id, path, text) in [
        ("t.hangs", "hardware/hang.txt", "partial\n"),
        ("t.hangs-setsid", "hardware/hang-setsid.txt", "waiting\n"),
    ] {
        let row = b.row(id).clone();
        assert_eq!(row["status"], "timeout", "{row:#}");
        assert_eq!(row["reason"], "timeout after 1 s");
        assert!(row["duration_ms"].as_u64().unwrap() >= 1000);
        assert_eq!(row["path"], path, "the partial output is kept");
        assert_eq!(String::from_utf8(b.entry(path)).unwrap(), text);
    }
    assert_eq!(b.row("t.quick")["status"], "ok");
    assert_eq!(b.entry("network/quick.txt"), b"fine\n");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        processes_with("sleep 907.2"),
        Vec::<String>::new(),
        "no process of any tree is left, setsid ones ignoring SIGTERM included"
    );
}

#[test]
fn a_flood_is_capped_keeping_the_tail_and_missing_or_unreadable_sources_are_rows() {
    let dir = TempDir::new().unwrap();
    let denied = dir.path().join("denied.log");
    std::fs::write(&denied, "secret").unwrap();
    std::fs::set_permissions(&denied, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    let s = spec(
        dir.path(),
        &format!(
            r#"
[[item]]
id = "t.flood"
category = "processes"
kind = "command"
argv = ["seq", "1", "3000000"]
max-bytes = "64KiB"
path = "processes/flood.txt"

[[item]]
id = "t.missing-command"
category = "processes"
kind = "command"
argv = ["cmgelog-no-such-tool", "--x"]
path = "processes/none.txt"

[[item]]
id = "t.files"
category = "upgrade"
kind = "files"
# /proc/self/mem cannot be read from offset 0, not even by root; the 000 file only by root.
paths = ["{denied}", "/proc/self/mem", "{missing}"]
path = "upgrade"

[[item]]
id = "t.fails"
category = "upgrade"
kind = "command"
argv = ["sh", "-c", "echo out; echo 'it broke' >&2; exit 3"]
path = "upgrade/fails.txt"
"#,
            denied = denied.display(),
            missing = dir.path().join("nope/*.log").display()
        ),
    );
    let t0 = Instant::now();
    let out = collect(dir.path(), &s, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let mut b = Bundle::open(&dir.path().join("out"));

    let flood = b.row("t.flood").clone();
    assert_eq!(flood["status"], "truncated");
    assert_eq!(flood["bytes"], 65536);
    let total: u64 = (1..=3_000_000u64).map(|n| n.to_string().len() as u64 + 1).sum();
    assert_eq!(flood["source_bytes"], total);
    let kept = b.entry("processes/flood.txt");
    assert_eq!(kept.len(), 65536);
    assert!(kept.ends_with(b"\n2999999\n3000000\n"), "the tail is kept");
    assert_eq!(flood["sha256"], hex(&Sha256::digest(&kept)));
    assert!(t0.elapsed() < Duration::from_secs(20));

    let missing = b.row("t.missing-command");
    assert_eq!(missing["status"], "not-found");
    assert_eq!(missing["path"], Value::Null);
    assert_eq!(missing["source"], serde_json::json!(["cmgelog-no-such-tool", "--x"]));

    let rows = b.rows("t.files");
    let by_source = |s: &str| {
        rows.iter()
            .find(|r| r["source"] == s)
            .unwrap_or_else(|| panic!("row for {s}: {rows:#?}"))
    };
    let mem = by_source("/proc/self/mem");
    assert!(mem["status"] == "failed" || mem["status"] == "access-denied", "{mem:#}");
    assert!(mem["reason"].as_str().unwrap().contains("/proc/self/mem"));
    let denied_row = by_source(&denied.display().to_string());
    let root = unsafe { libc_geteuid() } == 0;
    assert_eq!(denied_row["status"], if root { "ok" } else { "access-denied" });
    assert_eq!(
        by_source(&dir.path().join("nope/*.log").display().to_string())["status"],
        "not-found"
    );

    let fails = b.row("t.fails");
    assert_eq!(fails["status"], "failed");
    assert_eq!(fails["exit_code"], 3);
    assert_eq!(fails["reason"], "exit code 3: it broke");
    assert_eq!(
        b.entry("upgrade/fails.txt"),
        b"out\n",
        "the output of a failed command is kept"
    );
}

extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid() -> u32;
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Two quick and two slow items; the slow ones sleep `<marker>.5` and `<marker>.6` seconds, so
/// each test looks only for its own processes (tests run in parallel, and the SIGKILL test
/// leaves orphans behind until it cleans them up).
fn slow_items(marker: u32) -> String {
    SLOW_ITEMS.replace("931.", &format!("{marker}."))
}

const SLOW_ITEMS: &str = r#"
[[item]]
id = "t.first"
category = "network"
kind = "command"
argv = ["echo", "first"]
path = "network/first.txt"

[[item]]
id = "t.slow1"
category = "hardware"
kind = "command"
argv = ["sh", "-c", "echo begun; sleep 931.5"]
timeout = "120s"
path = "hardware/slow1.txt"

[[item]]
id = "t.slow2"
category = "hardware"
kind = "command"
argv = ["sleep", "931.6"]
timeout = "120s"
path = "hardware/slow2.txt"

[[item]]
id = "t.later"
category = "event-logs"
kind = "command"
argv = ["echo", "later"]
path = "event-logs/later.txt"
"#;

#[test]
fn the_global_deadline_always_yields_a_valid_zip() {
    let dir = TempDir::new().unwrap();
    let s = spec(dir.path(), &slow_items(931));
    let t0 = Instant::now();
    let out = collect(dir.path(), &s, &["--deadline", "2s", "--jobs", "2"]);
    let took = t0.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(took < Duration::from_secs(2 + 5), "ended {took:?} after start");
    let mut b = Bundle::open(&dir.path().join("out"));
    assert_eq!(b.manifest["deadline_reached"], true);
    assert_eq!(b.manifest["deadline_s"], 2);
    assert_eq!(b.row("t.first")["status"], "ok");
    for id in ["t.slow1", "t.slow2"] {
        let r = b.row(id);
        assert_eq!(r["status"], "interrupted", "{r:#}");
        assert_eq!(r["reason"], "deadline");
    }
    assert_eq!(b.entry("hardware/slow1.txt"), b"begun\n");
    // t.later waited for a worker until the deadline.
    let later = b.row("t.later");
    assert_eq!(
        (later["status"].as_str(), later["reason"].as_str()),
        (Some("skipped"), Some("deadline"))
    );
    assert_eq!(processes_with("sleep 931."), Vec::<String>::new());
}

/// Starts a collection of the slow items and signals it once the slow commands run.
fn start_and_signal(dir: &Path, signal: i32, marker: u32) -> (std::process::ExitStatus, String) {
    let s = spec(dir, &slow_items(marker));
    let mut child = Command::new(bin())
        .args(["collect", "--yes", "--quiet", "--lang", "en", "--jobs", "2", "--out"])
        .arg(dir.join("out"))
        .arg("--spec")
        .arg(&s)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while processes_with(&format!("{marker}.6")).is_empty() && t0.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(200));
    unsafe { kill(child.id() as i32, signal) };
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    let status = child.wait().unwrap();
    (status, stdout)
}

extern "C" {
    fn kill(pid: i32, sig: i32) -> i32;
}

#[test]
fn ctrl_c_finishes_the_zip_with_what_is_there_and_marks_it_interrupted() {
    let dir = TempDir::new().unwrap();
    let t0 = Instant::now();
    let (status, stdout) = start_and_signal(dir.path(), 2 /* SIGINT */, 932);
    assert_eq!(status.code(), Some(130));
    assert!(t0.elapsed() < Duration::from_secs(15));
    let b = Bundle::open(&dir.path().join("out"));
    assert!(stdout.trim().ends_with(".zip"), "the path is printed: {stdout}");
    assert_eq!(b.manifest["interrupted"], true);
    assert_eq!(b.row("t.first")["status"], "ok");
    assert_eq!(b.row("t.slow2")["status"], "interrupted");
    assert_eq!(b.row("t.slow2")["reason"], "interrupted");
    assert_eq!(processes_with("sleep 932."), Vec::<String>::new());
}

#[test]
fn a_killed_collector_leaves_no_zip_under_the_final_name_and_the_next_run_cleans_up_after_it() {
    let dir = TempDir::new().unwrap();
    let (status, _) = start_and_signal(dir.path(), 9 /* SIGKILL */, 933);
    assert_eq!(status.code(), None);
    let names: Vec<String> = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".zip")), "{names:?}");
    assert!(names.iter().any(|n| n.ends_with(".zip.partial")), "{names:?}");
    // The item's own processes died with the collector (PR_SET_PDEATHSIG); the `sleep` its
    // shell started did not, and stays until the next collection.
    std::thread::sleep(Duration::from_millis(300));
    assert!(processes_with("sh -c echo begun; sleep 933.5").is_empty());
    assert!(
        !processes_with("sleep 933.5").is_empty(),
        "the grandchild outlived the collector"
    );
    // The next run cleans up after the dead one: its processes, its partial zip, its staging
    // folder (named in the folder's owner file).
    let staging: Vec<PathBuf> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            std::fs::read_to_string(p.join("owner"))
                .is_ok_and(|o| o.contains(&dir.path().join("out").display().to_string()))
        })
        .collect();
    assert_eq!(staging.len(), 1, "the dead run's staging folder has an owner file");
    let quick = spec(dir.path(), "[[item]]\nid = \"t.q\"\ncategory = \"network\"\nkind = \"command\"\nargv = [\"echo\", \"q\"]\npath = \"network/q.txt\"\n");
    let out = collect(dir.path(), &quick, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(processes_with("sleep 933."), Vec::<String>::new());
    assert!(!staging[0].exists(), "{} removed", staging[0].display());
    let names: Vec<String> = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".partial")), "{names:?}");
    assert_eq!(names.iter().filter(|n| n.ends_with(".zip")).count(), 1, "{names:?}");
}

#[test]
fn product_keys_are_masked_at_collection_in_every_encoding() {
    let dir = TempDir::new().unwrap();
    let key = "NPPR9-FWDCX-D2C8J-H872K-2YT43";
    let s = spec(
        dir.path(),
        &format!(
            r#"
[[item]]
id = "t.utf8"
category = "activation"
kind = "command"
argv = ["sh", "-c", "echo 'Installed product key {key} successfully.'"]
path = "activation/utf8.txt"

[[item]]
id = "t.utf16"
category = "activation"
kind = "command"
argv = ["sh", "-c", "printf 'OA3xOriginalProductKey={key}\\r\\n' | iconv -f UTF-8 -t UTF-16"]
path = "activation/utf16.txt"
"#
        ),
    );
    let out = collect(dir.path(), &s, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let mut b = Bundle::open(&dir.path().join("out"));
    assert_eq!(
        String::from_utf8(b.entry("activation/utf8.txt")).unwrap(),
        "Installed product key *****-*****-*****-*****-2YT43 successfully.\n"
    );
    let utf16 = b.entry("activation/utf16.txt");
    assert_eq!(b.row("t.utf16")["encoding"], "UTF-16LE");
    assert_eq!(b.row("t.utf16")["masked_keys"], 1);
    let (text, _, _) = encoding_rs::UTF_16LE.decode(&utf16);
    assert_eq!(text, "OA3xOriginalProductKey=*****-*****-*****-*****-2YT43\r\n");
    // Not in any entry, in any encoding.
    let utf16_key: Vec<u8> = key.encode_utf16().flat_map(u16::to_le_bytes).collect();
    for i in 0..b.zip.len() {
        let mut data = Vec::new();
        b.zip.by_index(i).unwrap().read_to_end(&mut data).unwrap();
        assert!(!contains(&data, key.as_bytes()) && !contains(&data, &utf16_key));
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn every_row_has_the_keys_scripts_rely_on_and_sha256_matches_the_entry() {
    let dir = TempDir::new().unwrap();
    let s = spec(
        dir.path(),
        SLOW_ITEMS.split("[[item]]\nid = \"t.slow1\"").next().unwrap(),
    );
    let out = collect(dir.path(), &s, &["--categories", "network,hardware"]);
    assert_eq!(out.status.code(), Some(0));
    let mut b = Bundle::open(&dir.path().join("out"));
    let m = b.manifest.clone();
    assert_eq!(m["schema"], "cmgelog-manifest/1");
    assert_eq!(m["categories"], serde_json::json!(["network", "hardware"]));
    assert_eq!(
        m["not_applicable"],
        serde_json::json!(["hardware"]),
        "the spec has no hardware item"
    );
    for key in ["host", "user", "elevated", "os", "started", "ended", "tool", "spec"] {
        assert!(m.get(key).is_some(), "manifest has {key}");
    }
    let rows = m["items"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "only the chosen categories run: {rows:#?}");
    for r in rows {
        for key in [
            "id",
            "category",
            "kind",
            "source",
            "status",
            "exit_code",
            "started",
            "duration_ms",
            "bytes",
            "sha256",
            "encoding",
            "path",
        ] {
            assert!(r.get(key).is_some(), "row has {key}: {r:#}");
        }
        let data = b.entry(r["path"].as_str().unwrap());
        assert_eq!(r["sha256"], hex(&Sha256::digest(&data)));
        assert_eq!(r["bytes"], data.len());
    }
}

#[test]
fn a_bad_spec_is_named_with_its_line_and_no_zip_is_written() {
    let dir = TempDir::new().unwrap();
    let s = spec(dir.path(), "[[item]]\nid = \"x\"\ncategory = \"printers\"\n");
    let out = collect(dir.path(), &s, &[]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    // Every problem at once, each at its line and column.
    assert!(
        err.contains("spec.toml:7:12") && err.contains("unknown category `printers`"),
        "{err}"
    );
    assert!(
        err.contains("spec.toml:5:1") && err.contains("item `x` is missing `kind`"),
        "{err}"
    );
    assert!(err.contains("item `x` is missing `path`"), "{err}");
    assert!(!err.contains("panicked"));
    assert!(!dir.path().join("out").exists() || std::fs::read_dir(dir.path().join("out")).unwrap().next().is_none());
}

#[test]
fn the_linux_spec_collects_this_machine_and_the_analyzer_reads_the_zip() {
    let dir = TempDir::new().unwrap();
    let out = Command::new(bin())
        .args(["collect", "--yes", "--quiet", "--lang", "en", "--out"])
        .arg(dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let zip_path = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let mut b = Bundle::open(dir.path());
    assert_eq!(b.manifest["spec"], "builtin:linux");
    assert_eq!(b.manifest["not_applicable"], serde_json::json!(["group-policy"]));
    for id in ["hw.lsblk", "net.ip-addr", "proc.ps", "hw.os-release", "hw.hostname"] {
        let r = b.row(id);
        assert!(r["status"] == "ok" || r["status"] == "truncated", "{r:#}");
    }
    let hostname = String::from_utf8(b.entry("system/hostname.txt")).unwrap();

    let analysed = Command::new(bin())
        .args(["analyze", "--format", "json", "--lang", "en", &zip_path])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&analysed.stdout).expect("JSON report");
    assert!(analysed.status.code().unwrap() < 2, "{:#}", report["errors"]);
    let docs = report["documents"].as_array().unwrap();
    assert_eq!(docs.len(), b.zip.len(), "every entry of the zip was read");
    let kind_of = |path: &str| docs.iter().find(|d| d["path"] == path).map(|d| d["kind"].clone());
    assert_eq!(kind_of("hardware/lsblk.json"), Some(Value::from("lsblk-json")));
    assert_eq!(kind_of("network/ip-addr.json"), Some(Value::from("ip-json")));
    assert_eq!(kind_of("manifest.json"), Some(Value::from("manifest")));

    // The facts are this machine's, checked against what the zip itself holds.
    let facts = &report["facts"];
    assert_eq!(facts["os"]["hostname"][0]["value"], hostname.trim());
    let os_release = String::from_utf8(b.entry("system/os-release")).unwrap();
    let pretty = os_release
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .unwrap()
        .trim_matches('"');
    assert_eq!(facts["os"]["name"][0]["value"], pretty);
    let ip: Value = serde_json::from_slice(&b.entry("network/ip-addr.json")).unwrap();
    let macs: Vec<String> = facts["nics"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|n| {
            n["mac"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["value"].as_str().unwrap().to_string())
        })
        .collect();
    for link in ip.as_array().unwrap().iter().filter(|l| l["link_type"] == "ether") {
        let mac = link["address"].as_str().unwrap().to_uppercase().replace(':', "-");
        assert!(
            macs.contains(&mac),
            "{} ({mac}) among the NICs {macs:?}",
            link["ifname"]
        );
    }
    let lsblk: Value = serde_json::from_slice(&b.entry("hardware/lsblk.json")).unwrap();
    let disks = lsblk["blockdevices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["type"] == "disk" && !d["name"].as_str().unwrap().starts_with("zram"))
        .count();
    assert_eq!(facts["disks"].as_array().unwrap().len(), disks);
    let collection = &facts["collection"][0];
    assert_eq!(collection["host"], b.manifest["host"]);
    let gp = collection["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "group-policy")
        .unwrap();
    assert_eq!(
        gp["not_applicable"], true,
        "no group policy on Linux, and not reported missing"
    );
    let missing = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "collect.category-missing")
        .map(|f| f["evidence"].as_array().unwrap().len())
        .unwrap_or(0);
    let not_collected = collection["categories"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["not_applicable"] == false && c["collected"] == false)
        .count();
    assert_eq!(missing, not_collected);
}

/// Runs the collector as an unprivileged user: as root through `setpriv` as `nobody` (with a
/// copy of the binary nobody can execute), otherwise as the user running the tests.
fn collect_unprivileged(dir: &Path, spec: &Path) -> Output {
    use std::os::unix::fs::PermissionsExt;
    let mut cmd = if unsafe { libc_geteuid_() } == 0 {
        let exe = dir.join("cmgelog");
        std::fs::copy(bin(), &exe).unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
            .arg(exe);
        c
    } else {
        Command::new(bin())
    };
    cmd.args(["collect", "--yes", "--quiet", "--lang", "en", "--out"])
        .arg(dir.join("out"))
        .arg("--spec")
        .arg(spec)
        // nobody's home: root's configuration is not readable by nobody.
        .env("HOME", dir)
        .env_remove("XDG_CONFIG_HOME")
        .stdin(Stdio::null())
        .output()
        .expect("cmgelog runs")
}

extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid_() -> u32;
}

#[test]
fn a_file_in_a_folder_the_user_cannot_enter_is_access_denied_not_missing() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o777)).unwrap();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::write(locked.join("act.log"), "x").unwrap();
    // Nobody but its owner may enter: as root the test drops to `nobody`; as another user
    // the owner's own mode 000 locks it.
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let s = spec(
        dir.path(),
        &format!(
            r#"
[[item]]
id = "t.plain"
category = "activation"
kind = "files"
paths = ["{l}/act.log"]
path = "activation/plain"

[[item]]
id = "t.glob"
category = "activation"
kind = "files"
paths = ["{l}/*.log"]
path = "activation/glob"

[[item]]
id = "t.missing"
category = "activation"
kind = "files"
paths = ["{d}/nope/*.log", "{d}/nope.log"]
path = "activation/missing"
"#,
            l = locked.display(),
            d = dir.path().display()
        ),
    );
    std::fs::set_permissions(&s, std::fs::Permissions::from_mode(0o644)).unwrap();
    let result = collect_unprivileged(dir.path(), &s);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(
        result.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let b = Bundle::open(&out);
    for id in ["t.plain", "t.glob"] {
        let row = b.row(id);
        assert_eq!(row["status"], "access-denied", "{row:#}");
        assert_eq!(
            row["reason"].as_str().unwrap(),
            format!("{}: permission denied", locked.display()),
            "names the folder"
        );
    }
    for row in b.rows("t.missing") {
        assert_eq!(row["status"], "not-found", "{row:#}");
    }
}
