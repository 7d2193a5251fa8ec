//! The collector on Windows, with real Windows processes: under Wine in
//! `scripts/test-windows.sh` (built for `x86_64-win7-windows-gnu`, run by cargo's `wine`
//! runner), and unchanged on a real Windows machine. What only Windows has is exercised here:
//! the job object that kills a whole process tree at the timeout, wmic's UTF-16LE output, the
//! console code pages in the manifest, and tools that are missing (PowerShell under Wine).
#![cfg(windows)]

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tempfile::TempDir;
use windows_sys::Win32::Foundation::{CloseHandle, INVALID_HANDLE_VALUE};
use windows_sys::Win32::System::Diagnostics::ToolHelp::{
    CreateToolhelp32Snapshot, Process32FirstW, Process32NextW, PROCESSENTRY32W, TH32CS_SNAPPROCESS,
};

#[path = "common/collected.rs"]
mod collected;

use collected::Collected;

fn spec(dir: &Path, items: &str) -> PathBuf {
    collected::write_spec(dir, "windows", items)
}

fn collect(dir: &Path, spec: &Path) -> Output {
    collected::run_collect(dir, spec, &[])
}

/// The zip's manifest and entries, read from the path `collect` printed.
struct Bundle;

impl Bundle {
    fn from_output(out: &Output) -> Collected {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "collect failed: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        let path = String::from_utf8(out.stdout.clone()).unwrap().trim().to_string();
        assert!(path.ends_with(".zip"), "the zip's path is printed: {path:?}");
        Collected::open(Path::new(&path))
    }
}

/// How many processes run `exe` (case-insensitive), from a Toolhelp snapshot: the Windows
/// way to see processes whose parent is gone (`tasklist` is a stub under Wine).
fn count_processes(exe: &str) -> usize {
    // SAFETY: the snapshot handle is checked and closed; the entry's dwSize is set as the API
    // requires and szExeFile is NUL-terminated within its fixed array.
    unsafe {
        let snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
        assert!(snap != INVALID_HANDLE_VALUE, "{}", std::io::Error::last_os_error());
        let mut entry: PROCESSENTRY32W = std::mem::zeroed();
        entry.dwSize = std::mem::size_of::<PROCESSENTRY32W>() as u32;
        let mut n = 0;
        let mut more = Process32FirstW(snap, &mut entry) != 0;
        while more {
            let len = entry
                .szExeFile
                .iter()
                .position(|&c| c == 0)
                .unwrap_or(entry.szExeFile.len());
            let name = String::from_utf16_lossy(&entry.szExeFile[..len]);
            if name.eq_ignore_ascii_case(exe) {
                n += 1;
            }
            more = Process32NextW(snap, &mut entry) != 0;
        }
        CloseHandle(snap);
        n
    }
}

#[test]
fn a_hung_process_tree_is_killed_through_the_job_object_at_its_timeout() {
    let dir = TempDir::new().unwrap();
    assert_eq!(count_processes("ping.exe"), 0, "no ping.exe before the test");
    // cmd runs a script that leaves a grandchild ping (through `start /b`, whose own process
    // exits at once) and then hangs in a second ping: both must die with the job at 3 s.
    let script = dir.path().join("hang.cmd");
    std::fs::write(
        &script,
        "@echo off\r\necho started\r\nstart /b ping -n 1000 127.0.0.1 >nul\r\nping -n 1000 127.0.0.1\r\n",
    )
    .unwrap();
    let s = spec(
        dir.path(),
        &format!(
            "[[item]]\nid = \"t.hangs\"\ncategory = \"hardware\"\nkind = \"command\"\nargv = ['cmd', '/c', '{}']\ntimeout = \"3s\"\npath = \"hardware/hang.txt\"\n",
            script.display()
        ),
    );

    // Watch the process table while the collector runs: the tree must really have existed.
    let done = AtomicBool::new(false);
    let most_pings = AtomicUsize::new(0);
    let t0 = Instant::now();
    let out = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                most_pings.fetch_max(count_processes("ping.exe"), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        let out = collect(dir.path(), &s);
        done.store(true, Ordering::Relaxed);
        out
    });
    let took = t0.elapsed();
    let mut b = Bundle::from_output(&out);
    assert_eq!(
        most_pings.load(Ordering::Relaxed),
        2,
        "the child and the grandchild ping both ran"
    );
    let r = b.row("t.hangs");
    assert_eq!(r["status"], "timeout", "{r:#}");
    let ms = r["duration_ms"].as_u64().unwrap();
    assert!((3000..10_000).contains(&ms), "killed at its 3 s timeout: {ms} ms");
    assert!(
        took < Duration::from_secs(20),
        "ended near its 3 s timeout, took {took:?}"
    );
    let partial = String::from_utf8_lossy(&b.entry_of("t.hangs")).to_string();
    assert!(partial.contains("started"), "the partial output is kept: {partial:?}");

    // Terminating a job is asynchronous: allow the processes a moment to go.
    let gone = Instant::now();
    while count_processes("ping.exe") > 0 && gone.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(count_processes("ping.exe"), 0, "no process of the tree is left");
}

#[test]
fn windows_tools_are_collected_with_their_encodings_and_missing_ones_are_recorded() {
    let dir = TempDir::new().unwrap();
    let s = spec(
        dir.path(),
        r#"
[[item]]
id = "hw.wmic-bios"
category = "hardware"
kind = "command"
argv = ["wmic", "bios", "get", "Manufacturer,SerialNumber", "/format:list"]
path = "hardware/wmic-Win32_BIOS.txt"

[[item]]
id = "hw.ver"
category = "hardware"
kind = "command"
argv = ["cmd", "/c", "ver"]
path = "system/ver.txt"

[[item]]
id = "act.spp-registry"
category = "activation"
kind = "registry"
key = 'HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
path = "activation/CurrentVersion.reg"

[[item]]
id = "hw.cim-bios"
category = "hardware"
kind = "command"
argv = ["powershell.exe", "-NoProfile", "-Command", "Get-CimInstance Win32_BIOS | ConvertTo-Json"]
path = "hardware/Win32_BIOS.json"

[[item]]
id = "t.no-such-tool"
category = "hardware"
kind = "command"
argv = ["cmgelog-no-such-tool.exe"]
path = "hardware/none.txt"

[[item]]
id = "t.no-such-file"
category = "upgrade"
kind = "files"
paths = ['%WINDIR%\Panther\cmgelog-no-such.log']
path = "upgrade/panther"
"#,
    );
    let out = collect(dir.path(), &s);
    let mut b = Bundle::from_output(&out);
    let m = &b.manifest;
    assert_eq!(m["os"]["family"], "windows");
    assert!(
        m["os"]["oem_code_page"].as_u64().is_some_and(|cp| cp > 0),
        "{:#}",
        m["os"]
    );
    assert!(m["elevated"].is_boolean());
    assert!(m["host"].as_str().is_some_and(|h| !h.is_empty()));
    eprintln!("manifest os: {}, elevated: {}", m["os"], m["elevated"]);

    // wmic writes UTF-16LE with a BOM when its output is not a console. (Named properties:
    // Wine's wmic refuses a bare `get`, and prints a table whatever `/format` says.)
    let r = b.row("hw.wmic-bios").clone();
    assert_eq!(r["status"], "ok", "{r:#}");
    assert_eq!(r["encoding"], "UTF-16LE", "{r:#}");
    let data = b.entry_of("hw.wmic-bios");
    assert_eq!(&data[..2], b"\xff\xfe", "starts with the UTF-16LE BOM");
    let text = String::from_utf16_lossy(
        &data[2..]
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect::<Vec<_>>(),
    );
    assert!(text.contains("Manufacturer") && text.contains("SerialNumber"), "{text}");

    let r = b.row("hw.ver").clone();
    assert_eq!(r["status"], "ok", "{r:#}");
    let ver = String::from_utf8_lossy(&b.entry_of("hw.ver")).to_string();
    assert!(ver.contains("Microsoft Windows"), "{ver}");

    // `reg export` writes a UTF-16LE .reg file.
    let r = b.row("act.spp-registry").clone();
    assert_eq!(r["status"], "ok", "{r:#}");
    assert_eq!(r["encoding"], "UTF-16LE", "{r:#}");

    // Missing tools are rows with a reason, never a crash. PowerShell exists on every real
    // Windows 10, so there this row is `ok` (or `failed`); Wine 8.0 has none.
    let r = b.row("hw.cim-bios");
    assert!(
        ["ok", "failed", "not-found"].contains(&r["status"].as_str().unwrap()),
        "{r:#}"
    );
    eprintln!("powershell: {} ({})", r["status"], r["reason"]);
    let r = b.row("t.no-such-tool");
    assert_eq!(r["status"], "not-found", "{r:#}");
    assert!(r["path"].is_null());
    let r = b.row("t.no-such-file");
    assert_eq!(r["status"], "not-found", "{r:#}");
}
