//! Helpers shared by the batch and HTML tests: the built binary, zip reading and writing, and
//! a corpus of bundles made only from files in this repository (the samples and the real
//! fixtures under tests/fixtures, whose provenance is in their READMEs), so the tests need
//! nothing outside the clone.

#![allow(dead_code)] // each test binary uses a different part

use assert_cmd::Command;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

pub fn cmgelog() -> Command {
    let mut c = Command::cargo_bin("cmgelog").expect("binary built");
    c.env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "en_US.UTF-8");
    c
}

pub fn read_zip(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().unwrap().to_string(), data)
        })
        .collect()
}

pub fn write_zip(path: &Path, entries: &[(String, Vec<u8>)]) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, data) in entries {
        z.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap();
}

pub const SAMPLES: [&str; 5] = [
    "samples/case-a-thin-client-empty-baseboard-serial.zip",
    "samples/case-b-edge-box-virtual-machine.zip",
    "samples/case-c-serial-mismatch-hardware.zip",
    "samples/case-d-batch-b2-disk-serial.zip",
    "samples/healthy-hp-zbook.zip",
];

/// The distinct bundle contents of the corpus: the five samples, and each real dmidecode dump
/// of tests/fixtures with one of the real ipconfig outputs.
pub fn compositions() -> Vec<Vec<(String, Vec<u8>)>> {
    let mut out: Vec<Vec<(String, Vec<u8>)>> = SAMPLES.iter().map(|s| read_zip(&repo(s))).collect();
    let files = |dir: &str, suffix: &str| -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(repo(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(suffix))
            .collect();
        v.sort();
        v
    };
    let dmi = files("tests/fixtures/dmidecode", ".txt");
    let ipconfig = files("tests/fixtures/ipconfig", ".txt");
    assert!(dmi.len() >= 5 && ipconfig.len() >= 3, "fixtures missing");
    for (j, d) in dmi.iter().enumerate() {
        out.push(vec![
            ("hardware/dmidecode.txt".into(), std::fs::read(d).unwrap()),
            (
                "network/ipconfig_all.txt".into(),
                std::fs::read(&ipconfig[j % ipconfig.len()]).unwrap(),
            ),
        ]);
    }
    out
}

/// A corpus of `count` bundles in `dir`, spread over four site folders: bundle `i` has the
/// content of composition `i % compositions().len()`. Returns, per bundle, its path and its
/// composition.
pub fn build_corpus(dir: &Path, count: usize) -> Vec<(PathBuf, usize)> {
    let comps = compositions();
    (0..count)
        .map(|i| {
            let c = i % comps.len();
            let path = dir.join(format!("site-{}", i % 4)).join(format!("bundle-{i:04}.zip"));
            write_zip(&path, &comps[c]);
            (path, c)
        })
        .collect()
}

/// Replaces every occurrence of `from` by `to` in bytes (ASCII in UTF-8, GBK alike).
pub fn replace_bytes(data: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        if data[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(data[i]);
            i += 1;
        }
    }
    out
}

/// Replaces text in a UTF-16LE file with a BOM (wmic /format:list output).
pub fn replace_utf16(data: &[u8], from: &str, to: &str) -> Vec<u8> {
    assert!(data.starts_with(&[0xFF, 0xFE]), "UTF-16LE with BOM");
    let units: Vec<u16> = data[2..].chunks(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    let text = String::from_utf16(&units).unwrap();
    assert!(text.contains(from), "{from} not in the file");
    let mut out = vec![0xFF, 0xFE];
    for u in text.replace(from, to).encode_utf16() {
        out.extend_from_slice(&u.to_le_bytes());
    }
    out
}
