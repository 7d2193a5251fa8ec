//! A real Windows collection: the release `cmgelog.exe` runs the built-in Windows spec under
//! Wine, and this (Linux) build of `cmgelog analyze` reads the zip it wrote.
//!
//! Ignored in a plain `cargo test`: `scripts/test-windows.sh` runs it with `--ignored`, with
//! `CMGELOG_WINDOWS_EXE` naming the exe and a throwaway `WINEPREFIX`; run without them it fails
//! and says what it needs. The exe's folder must let it start
//! under Wine 8.0 (the script puts a `ProcessPrng` shim `bcryptprimitives.dll` next to it).
//!
//! Nothing leaves the machine: the spec is the built-in one with its network-facing items
//! rewritten by [`wine_spec`] (the activation-endpoint probe points at two local ports, the
//! KMS SRV lookup is removed), and the test refuses to run a spec that still has any.
//!
//! Wine's `wmic` answers only `get` with named properties (a bare `get` is "Invalid query")
//! and prints a table whatever `/format` says. The built-in wmic items name their properties,
//! so the items that ship run here unmodified and their real UTF-16LE output is checked.
#![cfg(unix)]

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// Items the built-in spec has that would send traffic off this machine.
const REMOVED: &[&str] = &["net.kms-srv"];

/// The native WMI items whose class and properties Wine's WMI provides.
const NATIVE_OK: &[&str] = &[
    "hw.wmi-bios",
    "hw.wmi-baseboard",
    "hw.wmi-computersystem",
    "hw.wmi-csproduct",
    "hw.wmi-diskdrive",
    "hw.wmi-systemenclosure",
    "hw.wmi-nic",
    "hw.wmi-os",
    "proc.wmi-process",
];

/// The built-in wmic items whose class and properties Wine's WMI provides. The others ask
/// for what Wine 8 lacks: SoftwareLicensingProduct/Service, Win32_SystemEnclosure's
/// SerialNumber, Win32_NetworkAdapter's NetEnabled and NetConnectionID.
const WINE_WMIC: &[&str] = &[
    "bios",
    "baseboard",
    "computersystem",
    "csproduct",
    "diskdrive",
    "nicconfig",
    "os",
];

/// The built-in Windows spec with every network-facing item made local: `probe` items get
/// `endpoints` (local ports) instead of the activation servers, and [`REMOVED`] items
/// (`nslookup -type=srv _vlmcs._tcp` asks the DNS server) are dropped. Panics if an item is
/// left that names a host other than 127.0.0.1, so a new network item in the spec is noticed.
fn wine_spec(endpoints: &[String]) -> String {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("specs/windows.toml")).unwrap();
    let mut spec: toml::Table = text.parse().expect("specs/windows.toml parses");
    let items = spec["item"].as_array_mut().unwrap();
    let before = items.len();
    items.retain(|i| !REMOVED.contains(&i["id"].as_str().unwrap()));
    assert_eq!(
        items.len(),
        before - REMOVED.len(),
        "the items to remove are in the spec"
    );
    let mut probes = 0;
    for item in items.iter_mut() {
        let item = item.as_table_mut().unwrap();
        if item["kind"].as_str() == Some("probe") {
            item.insert("endpoints".into(), endpoints.to_vec().into());
            item.insert("timeout".into(), "20s".into());
            probes += 1;
        }
        let argv = item
            .get("argv")
            .map(|a| a.to_string().to_lowercase())
            .unwrap_or_default();
        assert!(
            !["nslookup", "ping", "test-netconnection", "invoke-webrequest", "curl"]
                .iter()
                .any(|t| argv.contains(t)),
            "{} may reach the network: {argv}",
            item["id"]
        );
    }
    assert_eq!(probes, 1, "the spec's one activation-endpoint probe was rewritten");
    toml::to_string(&spec).unwrap()
}

/// A Unix path as Wine's Z: drive shows it.
fn wine_path(p: &Path) -> String {
    format!("Z:{}", p.display()).replace('/', "\\")
}

fn wine(prefix: &Path) -> Command {
    let mut c = Command::new("wine");
    c.env("WINEPREFIX", prefix)
        .env("WINEDEBUG", "-all")
        .stdin(Stdio::null());
    c
}

/// The test's Wine prefix: the script's, or a new one made here (about 15 s).
fn prefix(scratch: &Path) -> PathBuf {
    if let Some(p) = std::env::var_os("WINEPREFIX") {
        return PathBuf::from(p);
    }
    let p = scratch.join("prefix");
    let ok = wine(&p).args(["wineboot", "--init"]).status().expect("wine runs");
    assert!(ok.success(), "wineboot --init");
    p
}

#[path = "common/collected.rs"]
mod collected;

use collected::read_entry as read;

#[test]
#[ignore = "needs the Windows exe and Wine: scripts/test-windows.sh runs it"]
fn the_windows_exe_collects_under_wine_and_the_linux_analyzer_reads_the_zip() {
    let Some(exe) = std::env::var_os("CMGELOG_WINDOWS_EXE") else {
        panic!("the Wine collection test needs CMGELOG_WINDOWS_EXE=<cmgelog.exe>: run scripts/test-windows.sh");
    };
    let exe = PathBuf::from(exe);
    assert!(exe.is_file(), "CMGELOG_WINDOWS_EXE={} is not a file", exe.display());
    let dir = TempDir::new().unwrap();
    let prefix = prefix(dir.path());

    // One port that answers (the listener's backlog accepts without an accept call) and one
    // that is closed, so the probe's output shows both outcomes.
    let open = TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let endpoints = vec![
        format!("127.0.0.1:{}", open.local_addr().unwrap().port()),
        format!("127.0.0.1:{closed}"),
    ];
    let spec = dir.path().join("windows-loopback.toml");
    std::fs::write(&spec, wine_spec(&endpoints)).unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();

    let t0 = Instant::now();
    let out = wine(&prefix)
        .arg(&exe)
        .args([
            "collect",
            "--yes",
            "--quiet",
            "--lang",
            "en",
            "--deadline",
            "300s",
            "--out",
        ])
        .arg(wine_path(&out_dir))
        .arg("--spec")
        .arg(wine_path(&spec))
        .output()
        .expect("wine runs cmgelog.exe");
    let took = t0.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!(
        "collect under Wine took {took:?}; stdout {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(out.status.code(), Some(0), "cmgelog.exe collect failed: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let zips: Vec<PathBuf> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(zips.len(), 1, "one zip and nothing else (no .partial): {zips:?}");
    let zip_path = &zips[0];
    let name = zip_path.file_name().unwrap().to_string_lossy();
    assert!(name.starts_with("CMGE_Log_") && name.ends_with(".zip"), "{name}");
    assert!(
        String::from_utf8_lossy(&out.stdout).trim().ends_with(&*name),
        "the zip's path is printed"
    );
    let mut zip = zip::ZipArchive::new(std::fs::File::open(zip_path).unwrap()).expect("a valid zip");
    let manifest: Value = serde_json::from_slice(&read(&mut zip, "manifest.json")).unwrap();
    check_manifest(&manifest, &mut zip, &endpoints);
    check_analysis(zip_path, &manifest, zip.len());
}

fn check_manifest(m: &Value, zip: &mut zip::ZipArchive<std::fs::File>, endpoints: &[String]) {
    assert_eq!(m["schema"], "cmgelog-manifest/1");
    assert_eq!(m["os"]["family"], "windows");
    assert!(m["os"]["oem_code_page"].as_u64().is_some(), "{:#}", m["os"]);
    assert_eq!(m["interrupted"], false);
    assert_eq!(m["deadline_reached"], false);
    eprintln!(
        "Wine: host {}, user {}, elevated {}, os {}",
        m["host"], m["user"], m["elevated"], m["os"]
    );
    let rows = m["items"].as_array().unwrap();
    let row = |id: &str| {
        rows.iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("no row {id}"))
    };
    let mut tally = std::collections::BTreeMap::<String, usize>::new();
    for r in rows {
        *tally.entry(r["status"].as_str().unwrap().to_string()).or_default() += 1;
        eprintln!(
            "  {:<28} {:<10} {:>8} B {:<9} {}",
            r["id"].as_str().unwrap(),
            r["status"].as_str().unwrap(),
            r["bytes"],
            r["encoding"].as_str().unwrap_or("-"),
            r["reason"].as_str().unwrap_or("")
        );
        // Nothing Wine runs hangs, and every stored file is what the manifest says.
        assert!(
            !["timeout", "interrupted"].contains(&r["status"].as_str().unwrap()),
            "{r:#}"
        );
        if let Some(path) = r["path"].as_str() {
            let data = read(zip, path);
            assert_eq!(r["bytes"], data.len(), "{r:#}");
            assert_eq!(r["sha256"].as_str().unwrap(), hex(&Sha256::digest(&data)), "{r:#}");
        }
    }
    eprintln!("{} rows: {tally:?}", rows.len());

    // What Wine provides: real output of the shipped wmic items, in wmic's UTF-16LE.
    for alias in WINE_WMIC {
        let r = row(&format!("hw.wmic-{alias}"));
        assert_eq!(r["status"], "ok", "{r:#}");
        assert_eq!(r["encoding"], "UTF-16LE", "wmic's redirected output: {r:#}");
        assert!(r["bytes"].as_u64().unwrap() > 2, "{r:#}");
    }
    // The native inventory (WMI over COM, SetupAPI): what Wine's WMI has, with real values.
    for id in NATIVE_OK {
        let r = row(id);
        assert_eq!(r["status"], "ok", "{r:#}");
        assert_eq!(r["encoding"], "UTF-8", "{r:#}");
        assert!(r["bytes"].as_u64().unwrap() > 2, "{r:#}");
        assert_eq!(r["source"][0], "wmi", "the manifest names the source: {r:#}");
    }
    // What Wine 8 lacks, each recorded as such: the root\StandardCimv2 namespace
    // (MSFT_NetAdapter), SoftwareLicensingProduct's properties, instances of the Storage
    // classes and of the licensing service, disk and network devices in SetupAPI.
    let netadapter = row("hw.wmi-netadapter");
    assert_eq!(netadapter["status"], "failed", "{netadapter:#}");
    assert!(
        netadapter["reason"]
            .as_str()
            .unwrap()
            .contains(r"WMI namespace root\StandardCimv2"),
        "{netadapter:#}"
    );
    assert_eq!(row("act.wmi-slp")["status"], "failed");
    for id in ["hw.wmi-msft-disk", "hw.wmi-physicaldisk", "act.wmi-sls", "hw.devprops"] {
        let r = row(id);
        assert_eq!(
            (r["status"].as_str(), r["reason"].as_str()),
            (Some("ok"), Some("no instance")),
            "{r:#}"
        );
    }
    for r in rows.iter().filter(|r| r["kind"] == "wmi" || r["kind"] == "devprops") {
        eprintln!("native {}: {} {}", r["id"], r["status"], r["reason"]);
        if r["status"] != "ok" {
            assert_eq!(r["status"], "failed", "{r:#}");
            assert!(r["reason"].is_string(), "a missing class is said so: {r:#}");
        }
    }
    // The others ask for a class or property Wine lacks: recorded with wmic's reason.
    for id in ["hw.wmic-nic", "hw.wmic-systemenclosure", "act.wmic-slp", "act.wmic-sls"] {
        let r = row(id);
        assert_eq!(r["status"], "failed", "{r:#}");
        assert!(r["reason"].is_string(), "{r:#}");
    }
    for id in [
        "net.ipconfig",
        "act.currentversion",
        "hw.hostname",
        "hw.whoami",
        "hw.ver",
    ] {
        let r = row(id);
        assert_eq!(r["status"], "ok", "{r:#}");
        assert!(r["bytes"].as_u64().unwrap() > 0, "{id} printed something: {r:#}");
        assert!(
            r["encoding"].as_str().is_some_and(|e| e != "UTF-16LE" && e != "binary"),
            "{r:#}"
        );
    }
    let hostname = String::from_utf8(read(zip, row("hw.hostname")["path"].as_str().unwrap())).unwrap();
    // Host names are case-insensitive; Wine's hostname.exe prints the NetBIOS name (upper case).
    assert!(
        hostname.trim().eq_ignore_ascii_case(m["host"].as_str().unwrap()),
        "hostname's output {hostname:?} is the manifest's host {}",
        m["host"]
    );

    // What Wine lacks: PowerShell is a stub that prints nothing and exits 0 (recorded `ok`
    // with reason "no output", as a real PowerShell whose query finds nothing would be), or
    // absent (`not-found`); systeminfo and tasklist are stubs that print nothing.
    let powershell: Vec<&Value> = rows.iter().filter(|r| r["source"][0] == "powershell.exe").collect();
    assert!(powershell.len() >= 10);
    for r in powershell {
        assert!(
            is_empty(r) || ["not-found", "failed"].contains(&r["status"].as_str().unwrap()),
            "{r:#}"
        );
    }
    for id in ["hw.systeminfo", "proc.tasklist"] {
        let r = row(id);
        assert!(
            is_empty(r) || ["failed", "not-found"].contains(&r["status"].as_str().unwrap()),
            "{r:#}"
        );
    }
    // gpresult, route and licensingdiag do not exist; wevtutil is a stub that writes no .evtx
    // (failed: "no output file") and prints no events.
    for id in ["gp.gpresult-user", "net.route", "act.licensingdiag"] {
        assert_eq!(row(id)["status"], "not-found", "{:#}", row(id));
    }
    for id in ["ev.system", "ev.application", "ev.setup"] {
        let r = row(&format!("{id}.evtx"));
        assert!(
            ["failed", "not-found"].contains(&r["status"].as_str().unwrap()),
            "{r:#}"
        );
        let r = row(&format!("{id}.xml"));
        assert!(
            is_empty(r) || ["failed", "not-found"].contains(&r["status"].as_str().unwrap()),
            "{r:#}"
        );
    }

    // The probe reached the open local port and not the closed one.
    let r = row("net.probe");
    assert_eq!(r["status"], "ok", "{r:#}");
    let tsv = String::from_utf8(read(zip, r["path"].as_str().unwrap())).unwrap();
    eprintln!("probe:\n{tsv}");
    // endpoint, resolved, connect ("ok" or the error), ms; after a header line.
    let rows: Vec<Vec<&str>> = tsv.lines().skip(1).map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 2, "{tsv}");
    assert_eq!(rows[0][0], endpoints[0], "{tsv}");
    assert_eq!(rows[0][2], "ok", "the listening port answers: {tsv}");
    assert_eq!(rows[1][0], endpoints[1], "{tsv}");
    assert!(rows[1][2].starts_with("error"), "the closed port is refused: {tsv}");
}

/// The Linux analyzer reads every entry and recognises what Wine's tools printed.
fn check_analysis(zip_path: &Path, manifest: &Value, entries: usize) {
    let t0 = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_cmgelog"))
        .args(["analyze", "--format", "json", "--lang", "en"])
        .arg(zip_path)
        .output()
        .unwrap();
    assert!(t0.elapsed() < Duration::from_secs(60));
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    assert!(out.status.code().unwrap() < 2, "{:#}", report["errors"]);
    assert_eq!(report["errors"], Value::Array(vec![]));
    let docs = report["documents"].as_array().unwrap();
    assert_eq!(docs.len(), entries, "every entry of the zip was read");
    let doc = |path: &str| {
        docs.iter()
            .find(|d| d["path"] == path)
            .unwrap_or_else(|| panic!("{path} among the documents"))
    };
    for path in ["hardware/wmic-Win32_BIOS.txt", "hardware/wmic-Win32_ComputerSystem.txt"] {
        assert_eq!(doc(path)["kind"], "wmic-table", "{:#}", doc(path));
        assert_eq!(doc(path)["encoding"], "UTF-16LE", "{:#}", doc(path));
    }
    assert_eq!(doc("manifest.json")["kind"], "manifest");

    // The facts are what Wine's wmic printed, read back from the zip's own files.
    let facts = &report["facts"];
    let first = |v: &Value| v[0]["value"].as_str().map(str::to_string);
    let bios_vendor = first(&facts["bios"]["vendor"]).expect("facts.bios.vendor");
    let system_vendor = first(&facts["system"]["vendor"]).expect("facts.system.vendor");
    eprintln!(
        "facts: bios.vendor {bios_vendor:?}, system.vendor {system_vendor:?}, system.model {:?}",
        first(&facts["system"]["model"])
    );
    assert!(bios_vendor.contains("Wine"), "{bios_vendor}");
    assert!(system_vendor.contains("Wine"), "{system_vendor}");
    // Read from the native documents as well as from wmic's.
    let sources = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|o| o["source"]["path"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    for (fact, path) in [
        (&facts["bios"]["vendor"], "hardware/wmi-Win32_BIOS.json"),
        (&facts["bios"]["vendor"], "hardware/wmic-Win32_BIOS.txt"),
        (&facts["baseboard"]["vendor"], "hardware/wmi-Win32_BaseBoard.json"),
        (&facts["system"]["vendor"], "hardware/wmi-Win32_ComputerSystem.json"),
    ] {
        assert!(
            sources(fact).iter().any(|p| p == path),
            "{path} among {:?}",
            sources(fact)
        );
    }
    let disk_models: Vec<String> = facts["disks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| sources(&d["model"]))
        .collect();
    assert!(
        disk_models.iter().any(|p| p == "hardware/wmi-Win32_DiskDrive.json"),
        "{disk_models:?}"
    );
    // From hostname.exe (Wine's prints the NetBIOS name, upper case). Wine's `ipconfig /all`
    // lacks the "Windows IP Configuration" title and real Windows' labels, so the analyzer
    // reads it as plain text: a difference of Wine's, not of the Windows the users run.
    let host = first(&facts["os"]["hostname"]).expect("facts.os.hostname");
    assert!(host.eq_ignore_ascii_case(manifest["host"].as_str().unwrap()), "{host}");
    let collection = &facts["collection"][0];
    assert_eq!(collection["host"], manifest["host"]);
}

/// Ran, said nothing: how the manifest records a stub.
fn is_empty(r: &Value) -> bool {
    r["status"] == "ok" && r["bytes"] == 0 && r["reason"] == "no output"
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
