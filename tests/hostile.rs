//! Hostile inputs (issue 9): zip bombs, names that escape the bundle, duplicate names,
//! encrypted entries, truncated zips, 100 000 entries, a 10 GiB sparse file, a 1 GiB line,
//! broken UTF-16. Each runs the built binary with the DEFAULT caps and checks that it ends in
//! bounded time and memory (the child's peak RSS from `wait4`), that the error names the file
//! and the entry, and that a good sample bundle given in the same call is still analysed.
//!
//! Inputs are built here, in temp dirs: the big ones are deflate streams of repeated blocks
//! (a few MiB on disk for GiBs inflated) or sparse files, so the suite stays fast.
// Peak memory comes from wait4 and /proc: Unix only.
#![cfg(unix)]

mod common;

use common::repo;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

/// A ceiling well under the 1 GiB total cap, so that "held everything in memory" fails.
const RSS_LIMIT_MIB: u64 = 512;

/// The good bundle passed beside every hostile input, and a finding it must still give.
const SAMPLE: &str = "samples/case-a-thin-client-empty-baseboard-serial.zip";
const SAMPLE_FINDING: &str = "hw.baseboard-serial";

/// One run of the binary: exit code, parsed JSON report, wall time, peak RSS.
struct Measured {
    code: i32,
    report: Value,
    stderr: String,
    wall: Duration,
    peak_rss_mib: u64,
}

/// Runs `cmgelog analyze --format json INPUTS... SAMPLE` and measures the child alone:
/// `wait4` returns the peak RSS of exactly that process (RUSAGE_CHILDREN would mix in the
/// other tests' children). Killed, and the test failed, past `time_limit`.
fn analyze_measured(inputs: &[&Path], time_limit: Duration) -> Measured {
    let dir = TempDir::new().unwrap();
    let (out_path, err_path) = (dir.path().join("stdout"), dir.path().join("stderr"));
    let start = Instant::now();
    // Reaped by wait4 below: std's wait() does not return the child's rusage.
    #[allow(clippy::zombie_processes)]
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_cmgelog"))
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "en_US.UTF-8")
        .args(["analyze", "--format", "json", "--lang", "en"])
        .args(inputs)
        .arg(repo(SAMPLE))
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("runs");
    let pid = child.id() as libc::pid_t;
    let mut hwm_kib = 0;
    let (status, usage) = loop {
        hwm_kib = hwm_kib.max(vm_hwm_kib(pid).unwrap_or(0));
        let mut status = 0;
        // SAFETY: an all-zero rusage is a valid value; wait4 only writes into the two
        // out-parameters, which live for the call. The child is ours and not yet reaped.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        assert!(r >= 0, "wait4: {}", std::io::Error::last_os_error());
        if r == pid {
            break (status, usage);
        }
        if start.elapsed() > time_limit {
            // SAFETY: kill on our own unreaped child's pid.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("cmgelog still running after {time_limit:?} on {inputs:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let wall = start.elapsed();
    assert!(libc::WIFEXITED(status), "killed by a signal: {status}");
    let stdout = std::fs::read(&out_path).unwrap();
    let stderr = String::from_utf8_lossy(&std::fs::read(&err_path).unwrap()).into_owned();
    let report: Value = serde_json::from_slice(&stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is JSON ({e}): {}\nstderr: {stderr}",
            String::from_utf8_lossy(&stdout)
        )
    });
    let m = Measured {
        code: libc::WEXITSTATUS(status),
        report,
        stderr,
        wall,
        peak_rss_mib: hwm_kib / 1024,
    };
    // ru_maxrss (KiB) is an upper bound: Linux also counts the test process forked before
    // exec. It catches a peak in the child's last milliseconds that polling could miss.
    let upper_mib = usage.ru_maxrss as u64 / 1024;
    eprintln!(
        "{inputs:?}: exit {}, {:?}, peak RSS {} MiB (VmHWM), {upper_mib} MiB (wait4, upper bound)",
        m.code, m.wall, m.peak_rss_mib
    );
    assert!(upper_mib < RSS_LIMIT_MIB, "wait4 maxrss {upper_mib} MiB");
    m
}

/// The process's peak resident set so far (`VmHWM` in /proc/PID/status), in KiB.
fn vm_hwm_kib(pid: libc::pid_t) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

impl Measured {
    /// The checks every hostile input shares: exit code 2, bounded memory, the sample beside
    /// it analysed.
    fn assert_contained(&self) {
        assert_eq!(self.code, 2, "something was unreadable: {:#}", self.report["errors"]);
        assert!(
            self.peak_rss_mib < RSS_LIMIT_MIB,
            "peak RSS {} MiB (limit {RSS_LIMIT_MIB})",
            self.peak_rss_mib
        );
        assert!(
            self.report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["rule"] == SAMPLE_FINDING),
            "the sample given alongside is still analysed"
        );
    }

    /// The errors as (input file name, entry, code).
    fn errors(&self) -> Vec<(String, Option<String>, String)> {
        self.report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let input = e["input"].as_str().unwrap();
                (
                    input.rsplit('/').next().unwrap().to_string(),
                    e["entry"].as_str().map(str::to_string),
                    e["code"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    fn has_error(&self, input: &str, entry: Option<&str>, code: &str) -> bool {
        self.errors()
            .iter()
            .any(|(i, e, c)| i == input && e.as_deref() == entry && c == code)
    }

    fn finding_paths(&self, rule: &str) -> Vec<String> {
        self.report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule)
            .flat_map(|f| f["evidence"].as_array().unwrap().iter())
            .map(|e| {
                format!(
                    "{}!{}",
                    e["input"].as_str().unwrap_or(""),
                    e["path"].as_str().unwrap_or("")
                )
            })
            .collect()
    }
}

// ---- A zip writer that can lie ----------------------------------------------------------

/// One member of a hand-made zip. The zip crate refuses to write what hostile zips hold
/// (sizes that lie, the encrypted flag without encryption, duplicate names), so we write the
/// records ourselves (APPNOTE 4.3.7, 4.3.12, 4.3.16).
struct RawEntry {
    name: Vec<u8>,
    /// 0 stored, 8 deflate.
    method: u16,
    /// General purpose flags; bit 0 = encrypted.
    flags: u16,
    crc: u32,
    /// The uncompressed size the headers declare (true or not).
    declared_size: u32,
    data: Vec<u8>,
}

impl RawEntry {
    fn stored(name: &str, data: &[u8]) -> RawEntry {
        RawEntry {
            name: name.as_bytes().to_vec(),
            method: 0,
            flags: 0,
            crc: crc32(data),
            declared_size: data.len() as u32,
            data: data.to_vec(),
        }
    }

    /// `mib` MiB of `byte`, deflated; the headers declare `declared` bytes (`None`: the truth).
    fn deflated_repeat(name: &str, byte: u8, mib: u64, declared: Option<u32>) -> RawEntry {
        let size = mib * MIB;
        RawEntry {
            name: name.as_bytes().to_vec(),
            method: 8,
            flags: 0,
            crc: crc32_repeat(byte, size),
            declared_size: declared.unwrap_or(u32::try_from(size).expect("under 4 GiB")),
            data: deflate_repeat(byte, mib),
        }
    }
}

fn write_raw_zip(path: &Path, entries: &[RawEntry]) {
    let mut out: Vec<u8> = Vec::new();
    let mut central: Vec<u8> = Vec::new();
    for e in entries {
        let offset = out.len() as u32;
        let common = |v: &mut Vec<u8>| {
            v.extend_from_slice(&20u16.to_le_bytes()); // version needed
            v.extend_from_slice(&e.flags.to_le_bytes());
            v.extend_from_slice(&e.method.to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes()); // time
            v.extend_from_slice(&0x21u16.to_le_bytes()); // date 1980-01-01
            v.extend_from_slice(&e.crc.to_le_bytes());
            v.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
            v.extend_from_slice(&e.declared_size.to_le_bytes());
            v.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes()); // extra field length
        };
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        common(&mut out);
        out.extend_from_slice(&e.name);
        out.extend_from_slice(&e.data);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // version made by
        common(&mut central);
        central.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
        central.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(&e.name);
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // disk numbers
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // comment length
    std::fs::write(path, out).unwrap();
}

fn crc32(data: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(data);
    h.finalize()
}

fn crc32_repeat(byte: u8, size: u64) -> u32 {
    let block = vec![byte; MIB as usize];
    let mut h = crc32fast::Hasher::new();
    for _ in 0..size / MIB {
        h.update(&block);
    }
    h.finalize()
}

/// A raw deflate stream of `mib` MiB of `byte`, built without deflating it all: one MiB is
/// compressed by a fresh compressor and sync-flushed (so it ends byte-aligned and refers to
/// nothing before it), that block is repeated, and an empty final block ends the stream.
fn deflate_repeat(byte: u8, mib: u64) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress};
    let input = vec![byte; MIB as usize];
    let mut c = Compress::new(Compression::best(), false);
    let mut block = Vec::with_capacity(64 * 1024);
    while c.total_in() < input.len() as u64 || !block.ends_with(&[0, 0, 0xff, 0xff]) {
        block.reserve(64 * 1024);
        c.compress_vec(&input[c.total_in() as usize..], &mut block, FlushCompress::Sync)
            .unwrap();
    }
    let mut stream = Vec::with_capacity(block.len() * mib as usize + 2);
    for _ in 0..mib {
        stream.extend_from_slice(&block);
    }
    stream.extend_from_slice(&[0x03, 0x00]); // BFINAL, fixed Huffman, end of block
    stream
}

#[test]
fn deflate_repeat_inflates_to_what_it_claims() {
    let stream = deflate_repeat(b'a', 3);
    let mut out = Vec::with_capacity(3 * MIB as usize + 1);
    let status = flate2::Decompress::new(false)
        .decompress_vec(&stream, &mut out, flate2::FlushDecompress::Finish)
        .unwrap();
    assert_eq!(status, flate2::Status::StreamEnd);
    assert_eq!(out.len() as u64, 3 * MIB);
    assert!(out.iter().all(|&b| b == b'a'));
    assert_eq!(crc32(&out), crc32_repeat(b'a', 3 * MIB));
}

fn path_in(dir: &TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

// ---- The tests ----------------------------------------------------------------------------

#[test]
fn zip_bomb_over_a_gib_is_refused_in_bounded_time_and_memory() {
    let dir = TempDir::new().unwrap();
    let bomb = path_in(&dir, "bomb.zip");
    let mut entries = vec![
        // Declares its 1.5 GiB honestly: refused from the header, nothing inflated.
        RawEntry::deflated_repeat("honest.bin", 0, 1536, None),
        // Declares 1 KiB and inflates to 1 GiB: the read itself must stop.
        RawEntry::deflated_repeat("liar.txt", b'x', 1024, Some(1024)),
        RawEntry::stored("activation/CMGE_Activation.log", b"Device marker binding is Invalid\n"),
    ];
    // Each under the 256 MiB entry cap, together 1.25 GiB of text: compressed over a
    // thousand to one. Holding them all (the 1 GiB total cap) would break the RSS limit.
    for i in 0..5 {
        entries.push(RawEntry::deflated_repeat(&format!("spaces-{i}.log"), b' ', 250, None));
    }
    write_raw_zip(&bomb, &entries);
    assert!(std::fs::metadata(&bomb).unwrap().len() < 16 * MIB);
    let m = analyze_measured(&[&bomb], Duration::from_secs(120));
    m.assert_contained();
    assert!(
        m.has_error("bomb.zip", Some("honest.bin"), "entry-too-large"),
        "{:?}",
        m.errors()
    );
    let liar = m
        .errors()
        .into_iter()
        .find(|(i, e, _)| i == "bomb.zip" && e.as_deref() == Some("liar.txt"));
    assert!(liar.is_some(), "the lying entry is named: {:?}", m.errors());
    for i in 0..5 {
        let name = format!("spaces-{i}.log");
        assert!(
            m.errors()
                .iter()
                .any(|(f, e, _)| f == "bomb.zip" && e.as_deref() == Some(&name)),
            "{name} is refused and named: {:?}",
            m.errors()
        );
    }
    assert!(
        m.finding_paths("act.marker-binding-invalid")
            .iter()
            .any(|p| p.ends_with("bomb.zip!activation/CMGE_Activation.log")),
        "the small entry inside the bomb is read"
    );
}

#[test]
fn names_that_escape_the_bundle_are_refused_by_name() {
    let dir = TempDir::new().unwrap();
    let zip = path_in(&dir, "names.zip");
    let bad = [
        "../x",
        "a/../../x",
        "/etc/x",
        "C:\\x",
        "C:/Windows/x",
        "\\\\server\\share\\x",
    ];
    let mut entries: Vec<RawEntry> = bad
        .iter()
        .map(|n| RawEntry::stored(n, b"Device marker binding is Invalid\n"))
        .collect();
    entries.push(RawEntry::stored("logs/ok.log", b"Device marker binding is Invalid\n"));
    write_raw_zip(&zip, &entries);
    let m = analyze_measured(&[&zip], Duration::from_secs(30));
    m.assert_contained();
    for name in bad {
        assert!(
            m.errors()
                .iter()
                .any(|(i, e, c)| i == "names.zip" && e.as_deref() == Some(name) && c == "unsafe-name"),
            "{name} refused: {:?}",
            m.errors()
        );
    }
    assert_eq!(
        m.finding_paths("act.marker-binding-invalid")
            .iter()
            .filter(|p| p.contains("names.zip!"))
            .collect::<Vec<_>>()
            .len(),
        1,
        "only logs/ok.log is read: {:?}",
        m.finding_paths("act.marker-binding-invalid")
    );
}

#[test]
fn duplicate_names_are_reported_by_name() {
    let dir = TempDir::new().unwrap();
    let zip = path_in(&dir, "dups.zip");
    write_raw_zip(
        &zip,
        &[
            RawEntry::stored("activation/a.log", b"Device marker binding is Invalid\n"),
            RawEntry::stored("activation/a.log", "SN已被另一计算机使用\n".as_bytes()),
            RawEntry::stored("other.log", b"nothing here\n"),
        ],
    );
    let m = analyze_measured(&[&zip], Duration::from_secs(30));
    m.assert_contained();
    assert!(
        m.has_error("dups.zip", Some("activation/a.log"), "duplicate-name"),
        "{:?}",
        m.errors()
    );
    // The zip crate indexes entries by name: the last copy is the one read, and the error
    // says the other was not.
    let in_dups = |rule: &str| m.finding_paths(rule).iter().any(|p| p.contains("dups.zip!"));
    assert!(!in_dups("act.marker-binding-invalid"), "the first copy is not read");
    assert!(in_dups("act.sn-used-elsewhere"), "the last copy is read");
}

#[test]
fn encrypted_entries_are_named_and_the_rest_is_read() {
    let dir = TempDir::new().unwrap();
    let zip = path_in(&dir, "locked.zip");
    let mut secret = RawEntry::stored(
        "hardware/dmidecode.txt",
        b"\x8a\x13\x99 not really ZipCrypto, only the flag",
    );
    secret.flags |= 1; // APPNOTE 4.4.4 bit 0: encrypted
    write_raw_zip(
        &zip,
        &[
            secret,
            RawEntry::stored("activation/a.log", b"Device marker binding is Invalid\n"),
        ],
    );
    let m = analyze_measured(&[&zip], Duration::from_secs(30));
    m.assert_contained();
    assert!(
        m.has_error("locked.zip", Some("hardware/dmidecode.txt"), "encrypted"),
        "{:?}",
        m.errors()
    );
    assert!(m
        .finding_paths("act.marker-binding-invalid")
        .iter()
        .any(|p| p.contains("locked.zip!")));
}

#[test]
fn truncated_zips_are_named() {
    let dir = TempDir::new().unwrap();
    let whole = std::fs::read(repo(SAMPLE)).unwrap();
    let half = path_in(&dir, "half.zip");
    std::fs::write(&half, &whole[..whole.len() / 2]).unwrap();
    let short = path_in(&dir, "short.zip");
    std::fs::write(&short, &whole[..whole.len() - 1]).unwrap();
    let m = analyze_measured(&[&half, &short], Duration::from_secs(30));
    m.assert_contained();
    for name in ["half.zip", "short.zip"] {
        assert!(
            m.errors().iter().any(|(i, _, _)| i == name),
            "{name} named: {:?}",
            m.errors()
        );
    }
}

#[test]
fn a_hundred_thousand_entries_with_the_default_caps() {
    let dir = TempDir::new().unwrap();
    let many = path_in(&dir, "many.zip");
    write_zip_many(&many, 100_000);
    let m = analyze_measured(&[&many], Duration::from_secs(60));
    m.assert_contained();
    assert!(m.has_error("many.zip", None, "too-many-entries"), "{:?}", m.errors());
}

/// `count` empty entries. Past 65 535 the end record needs ZIP64, which the zip crate writes
/// (`write_raw_zip`'s 16-bit count would wrap).
fn write_zip_many(path: &Path, count: usize) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..count {
        z.start_file(format!("f{i}"), opts).unwrap();
    }
    z.finish().unwrap();
}

#[test]
fn a_ten_gib_sparse_file_named_zip_or_not() {
    let dir = TempDir::new().unwrap();
    let mut paths = Vec::new();
    for name in ["huge.zip", "huge.log"] {
        let p = path_in(&dir, name);
        std::fs::File::create(&p).unwrap().set_len(10 * GIB).unwrap();
        paths.push(p);
    }
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let m = analyze_measured(&refs, Duration::from_secs(60));
    m.assert_contained();
    assert!(m.has_error("huge.zip", None, "not-a-zip"), "{:?}", m.errors());
    assert!(m.has_error("huge.log", None, "entry-too-large"), "{:?}", m.errors());
    assert!(
        m.wall < Duration::from_secs(20),
        "a sparse file is not read through: {:?}",
        m.wall
    );
}

#[test]
fn a_gib_single_line_entry_is_bounded() {
    let dir = TempDir::new().unwrap();
    let zip = path_in(&dir, "line.zip");
    write_raw_zip(
        &zip,
        &[
            // Honest headers: refused from the declared size.
            RawEntry::deflated_repeat("one-line.log", b'a', 1024, None),
            // Lying headers: the inflated read stops at the entry cap.
            RawEntry::deflated_repeat("one-line-liar.log", b'a', 1024, Some(100)),
            // Under the entry cap, 64 MiB of one letter: refused for its ratio.
            RawEntry::deflated_repeat("long-a.log", b'a', 64, None),
            // 3 MiB of varied letters on one line, then a marker line: the line is cut at
            // the line cap before any rule scans it, and the next line is still read.
            RawEntry::stored("long-line.log", &long_line_then_marker(3 * MIB as usize)),
            RawEntry::stored("activation/a.log", b"Device marker binding is Invalid\n"),
        ],
    );
    let m = analyze_measured(&[&zip], Duration::from_secs(120));
    m.assert_contained();
    assert!(
        m.has_error("line.zip", Some("one-line.log"), "entry-too-large"),
        "{:?}",
        m.errors()
    );
    assert!(
        m.errors()
            .iter()
            .any(|(i, e, _)| i == "line.zip" && e.as_deref() == Some("one-line-liar.log")),
        "{:?}",
        m.errors()
    );
    assert!(
        m.has_error("line.zip", Some("long-a.log"), "compression-ratio"),
        "{:?}",
        m.errors()
    );
    assert!(
        m.has_error("line.zip", Some("long-line.log"), "line-too-long"),
        "{:?}",
        m.errors()
    );
    let long = m.report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["code"] == "line-too-long")
        .unwrap();
    assert_eq!(long["line"], 1, "the error names the line");
    let found = m.finding_paths("act.marker-binding-invalid");
    assert!(
        found.iter().any(|p| p.ends_with("line.zip!activation/a.log")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|p| p.ends_with("line.zip!long-line.log")),
        "line 2 is read: {found:?}"
    );
}

/// `len` bytes of letters from a xorshift generator (deflate cannot squeeze them much), no
/// newline, then a second line the rules know.
fn long_line_then_marker(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut out: Vec<u8> = (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b'a' + (x % 26) as u8
        })
        .collect();
    out.extend_from_slice(b"\nDevice marker binding is Invalid\n");
    out
}

fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

#[test]
fn invalid_utf16_is_decoded_around_the_damage() {
    let dir = TempDir::new().unwrap();
    // wmic baseboard output (UTF-16LE with BOM) with an empty serial, a lone high surrogate
    // in one value, a lone low surrogate in another, and an odd final byte.
    let mut wmic = vec![0xFF, 0xFE];
    wmic.extend(utf16le("\r\r\n\r\r\nManufacturer=LENOVO"));
    wmic.extend([0x00, 0xD8]); // lone high surrogate
    wmic.extend(utf16le("\r\r\nProduct=X"));
    wmic.extend([0x00, 0xDC]); // lone low surrogate
    wmic.extend(utf16le("\r\r\nSerialNumber=\r\r\n\r\r\n"));
    wmic.push(b'!'); // odd length
                     // The same without BOM (sniffed as UTF-16LE) and odd length.
    let mut no_bom = utf16le("Manufacturer=LENOVO\r\r\nSerialNumber=\r\r\n");
    no_bom.extend([0x00, 0xD8, 0x41]);
    let zip = path_in(&dir, "utf16.zip");
    write_raw_zip(
        &zip,
        &[
            RawEntry::stored("hardware/wmic_baseboard.txt", &wmic),
            RawEntry::stored("hardware/wmic_baseboard_nobom.txt", &no_bom),
        ],
    );
    let m = analyze_measured(&[&zip], Duration::from_secs(30));
    // Lossy decoding is not a read error (GBK logs with a stray byte are common): the
    // documents are analysed, and the report says which were decoded with replacements.
    assert!(
        m.code == 1,
        "findings, no read error: {:#}\n{}",
        m.report["errors"],
        m.stderr
    );
    let docs = m.report["documents"].as_array().unwrap();
    for name in ["hardware/wmic_baseboard.txt", "hardware/wmic_baseboard_nobom.txt"] {
        let d = docs
            .iter()
            .find(|d| d["path"] == name)
            .unwrap_or_else(|| panic!("{name} listed"));
        assert_eq!(d["encoding"], "UTF-16LE", "{d}");
        assert_eq!(d["decode_errors"], true, "{d}");
        assert!(
            m.finding_paths(SAMPLE_FINDING).iter().any(|p| p.ends_with(name)),
            "the empty serial in {name} is found: {:?}",
            m.finding_paths(SAMPLE_FINDING)
        );
    }
}

// ---- Inputs the fuzzers found -----------------------------------------------------------

/// Every input under tests/fixtures/hostile/<target>/ goes through the same code as the fuzz
/// target of that name (fuzz/fuzz_targets/<target>.rs); each once crashed it (the README there
/// says how). A panic here is the regression.
#[test]
fn inputs_the_fuzzers_found_no_longer_crash() {
    use cmgelog::bundle::{self, Document, Kind, Limits};
    use cmgelog::facts::{self, Machine};
    let run = |path: &str, kind: Kind, data: &[u8]| {
        let doc = Document::from_bytes("fuzz.zip", path, data);
        let _ = facts::extract(std::slice::from_ref(&doc));
        let mut forced = doc;
        forced.kind = kind;
        let mut machine = Machine::default();
        facts::extract_one(&forced, &mut machine);
        facts::virt::add_derived_signals(&mut machine);
    };
    let root = repo("tests/fixtures/hostile");
    let mut seen = 0;
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let target = dir.file_name().unwrap().to_string_lossy().into_owned();
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            let data = std::fs::read(&file).unwrap();
            eprintln!("{target}: {}", file.display());
            seen += 1;
            match target.as_str() {
                "dmidecode" => run("dmidecode.txt", cmgelog::facts::formats::kind("dmidecode"), &data),
                "systeminfo" => run("systeminfo.txt", cmgelog::facts::formats::kind("systeminfo"), &data),
                "ipconfig" => run("ipconfig_all.txt", cmgelog::facts::formats::kind("ipconfig"), &data),
                "manifest" => run("manifest.json", cmgelog::facts::formats::kind("manifest"), &data),
                "wmic_list" => {
                    if let Some((&pick, rest)) = data.split_first() {
                        let class = WMI_CLASSES[pick as usize % WMI_CLASSES.len()];
                        run(
                            "wmic_list.txt",
                            cmgelog::facts::formats::kind("wmic-list").with_class(class),
                            rest,
                        );
                    }
                }
                "setup_log" => {
                    if let Some((&pick, rest)) = data.split_first() {
                        let (path, kind) = match pick % 3 {
                            0 => ("Panther/setupact.log", cmgelog::facts::formats::kind("setup-log")),
                            1 => ("Logs/CBS/CBS.log", cmgelog::facts::formats::kind("cbs-log")),
                            _ => ("WindowsUpdate.log", cmgelog::facts::formats::kind("windows-update-log")),
                        };
                        run(path, kind, rest);
                    }
                }
                "rule_file" => {
                    if let Ok(text) = std::str::from_utf8(&data) {
                        if let Err(d) = cmgelog::rules::parse_rule_file("fuzz.toml", text) {
                            let _ = cmgelog::rules::render_diagnostics(&d);
                        }
                    }
                }
                "collect_spec" => {
                    if let Ok(spec) = std::str::from_utf8(&data)
                        .map_err(|e| e.to_string())
                        .and_then(|t| cmgelog::collect::spec::Spec::parse("fuzz.toml", t))
                    {
                        let _ = spec.tasks(&cmgelog::collect::Category::ALL, &|_| None);
                    }
                }
                "bundle_zip" => {
                    let limits = Limits {
                        max_entry_bytes: 1 << 20,
                        max_total_bytes: 4 << 20,
                        max_entries: 1000,
                        ..Limits::default()
                    };
                    let (docs, _) = facts::into_documents(bundle::read_zip_bytes("fuzz.zip", &data, &limits), &limits);
                    let _ = facts::extract(&docs);
                }
                "evtx_records" => {
                    // As in fuzz/fuzz_targets/evtx_records.rs: the input replaces the records of
                    // the first chunk of the real System log.
                    const FILE_HEADER: usize = 0x1000;
                    const CHUNK: usize = 0x10000;
                    const RECORDS: usize = 512;
                    let log = std::fs::read(repo("tests/fixtures/evtx/system.evtx")).unwrap();
                    let mut file = log[..FILE_HEADER + CHUNK].to_vec();
                    let n = data.len().min(CHUNK - RECORDS);
                    let start = FILE_HEADER + RECORDS;
                    file[start..start + n].copy_from_slice(&data[..n]);
                    let free = u32::try_from(RECORDS + n).unwrap().to_le_bytes();
                    file[FILE_HEADER + 48..FILE_HEADER + 52].copy_from_slice(&free);
                    let doc = Document::from_bytes("fuzz", "fuzz.evtx", &file);
                    let rules = cmgelog::rules::RuleSet::builtin().unwrap();
                    let started = std::time::Instant::now();
                    let mut most = 0;
                    let (errors, _) = cmgelog::events::read_wanted_events(&doc, rules.event_chunk_filter(), |r| {
                        most = most.max(r.data.len())
                    });
                    eprintln!(
                        "  {} errors, at most {most} data fields, in {:?}",
                        errors.len(),
                        started.elapsed()
                    );
                }
                other => panic!("no fuzz target named {other}"),
            }
        }
    }
    assert!(seen > 0 || root.join("README.md").exists());
}

/// As in fuzz/fuzz_targets/wmic_list.rs: the first byte of an input picks the class.
const WMI_CLASSES: [Option<cmgelog::bundle::WmiClass>; 15] = {
    use cmgelog::bundle::WmiClass::*;
    [
        None,
        Some(Bios),
        Some(BaseBoard),
        Some(ComputerSystem),
        Some(ComputerSystemProduct),
        Some(SystemEnclosure),
        Some(DiskDrive),
        Some(PhysicalDisk),
        Some(NetworkAdapter),
        Some(NetworkAdapterConfiguration),
        Some(NetAdapter),
        Some(PnpDeviceProperty),
        Some(OperatingSystem),
        Some(SoftwareLicensingProduct),
        Some(SoftwareLicensingService),
    ]
};
