//! Helpers of the collector tests (Linux, Windows under Wine, and the Wine collection read on
//! Linux): a spec written from `[[item]]` tables, a `collect` run of the built binary, and a
//! collected zip opened with its manifest. Included with `#[path]`, so it stays free of the
//! other helpers' dependencies.
#![allow(dead_code)] // each test binary uses a different part

use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Writes a spec for `os` whose items are `items` (TOML `[[item]]` tables) into `dir`.
pub fn write_spec(dir: &Path, os: &str, items: &str) -> PathBuf {
    let p = dir.join("spec.toml");
    let text = format!("os = \"{os}\"\n[defaults]\ntimeout = \"30s\"\nmax-bytes = \"1MiB\"\n{items}");
    std::fs::write(&p, text).unwrap();
    p
}

/// `cmgelog collect --yes --quiet --lang en --out <dir>/out --spec <spec> <extra>`, no stdin.
pub fn run_collect(dir: &Path, spec: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cmgelog"))
        .args(["collect", "--yes", "--quiet", "--lang", "en", "--out"])
        .arg(dir.join("out"))
        .arg("--spec")
        .arg(spec)
        .args(extra)
        .stdin(Stdio::null())
        .output()
        .expect("cmgelog runs")
}

/// A collected zip with its manifest.
pub struct Collected {
    pub zip: zip::ZipArchive<std::fs::File>,
    pub manifest: Value,
}

impl Collected {
    pub fn open(path: &Path) -> Collected {
        let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).expect("a valid zip");
        let manifest = serde_json::from_slice(&read_entry(&mut zip, "manifest.json")).expect("manifest is JSON");
        Collected { zip, manifest }
    }

    pub fn entry(&mut self, name: &str) -> Vec<u8> {
        read_entry(&mut self.zip, name)
    }

    /// The file the item `id` stored.
    pub fn entry_of(&mut self, id: &str) -> Vec<u8> {
        let path = self.row(id)["path"]
            .as_str()
            .unwrap_or_else(|| panic!("{id} has a file"))
            .to_string();
        self.entry(&path)
    }

    pub fn row(&self, id: &str) -> &Value {
        self.rows(id)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no row {id}: {:#}", self.manifest))
    }

    pub fn rows(&self, id: &str) -> Vec<&Value> {
        self.manifest["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["id"] == id)
            .collect()
    }
}

pub fn read_entry(zip: &mut zip::ZipArchive<std::fs::File>, name: &str) -> Vec<u8> {
    let mut v = Vec::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("{name} in zip"))
        .read_to_end(&mut v)
        .unwrap();
    v
}
