//! Secrets never leave in a bundle (issue 9): a collection where a known fake product key
//! appears in command outputs (UTF-8, GBK, UTF-16LE), in a copied file, in a file name and in
//! an argv, with the upload password in the collector's environment; then every byte the
//! collector wrote (each zip entry, the manifest, any other file in the out folder, stdout,
//! stderr) is searched for the key in every encoding and for the password.
//!
//! The uploader (`cmgelog upload`, which reads CMGELOG_PASSWORD) is not in this branch yet;
//! its half of this test belongs with it.
#![cfg(unix)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use tempfile::TempDir;

/// A made-up key in the 5×5 shape (not a real Windows key).
const KEY: &str = "QW3RT-Y7U9P-ASD2F-GH4JK-ZX8CV";
/// What the collector keeps of it: the last group, as Windows shows it.
const MASKED: &str = "*****-*****-*****-*****-ZX8CV";
const PASSWORD: &str = "s3cret-Upl0ad-pa55word-7f1e";

/// The needles: the key as UTF-8/ASCII (also GBK, which keeps ASCII as is), UTF-16LE and
/// UTF-16BE, its lower-case spelling, and the password in UTF-8 and UTF-16LE.
fn needles() -> Vec<(String, Vec<u8>)> {
    let utf16 = |s: &str, le: bool| -> Vec<u8> {
        s.encode_utf16()
            .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
            .collect()
    };
    vec![
        ("key".into(), KEY.as_bytes().to_vec()),
        ("key, lower case".into(), KEY.to_ascii_lowercase().into_bytes()),
        ("key, UTF-16LE".into(), utf16(KEY, true)),
        ("key, UTF-16BE".into(), utf16(KEY, false)),
        ("password".into(), PASSWORD.as_bytes().to_vec()),
        ("password, UTF-16LE".into(), utf16(PASSWORD, true)),
    ]
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Fails naming where a secret was found.
fn assert_clean(what: &str, data: &[u8]) {
    for (name, needle) in needles() {
        assert!(!contains(data, &needle), "the {name} is in {what}");
    }
}

fn spec(dir: &Path, secret_file: &Path, secret_named: &Path) -> PathBuf {
    let p = dir.join("spec.toml");
    let items = format!(
        r#"os = "linux"
[defaults]
timeout = "30s"
max-bytes = "1MiB"

[[item]]
id = "t.utf8"
category = "activation"
kind = "command"
argv = ["sh", "-c", "echo 'Installed product key {KEY} successfully.'"]
path = "activation/utf8.txt"

[[item]]
id = "t.gbk"
category = "activation"
kind = "command"
argv = ["sh", "-c", "printf '产品密钥 {KEY} 已安装。\r\n' | iconv -f UTF-8 -t GBK"]
path = "activation/gbk.txt"

[[item]]
id = "t.utf16"
category = "activation"
kind = "command"
argv = ["sh", "-c", "printf '\\357\\273\\277OA3xOriginalProductKey={KEY}\r\n' | iconv -f UTF-8 -t UTF-16LE"]
path = "activation/utf16.txt"

# The key as an argument: the manifest row's `source` is the argv.
[[item]]
id = "t.argv"
category = "activation"
kind = "command"
argv = ["echo", "slmgr", "/ipk", "{KEY}"]
path = "activation/argv.txt"

# A command that prints its environment (as `set` on Windows would): the upload password
# must not be in it.
[[item]]
id = "t.env"
category = "software"
kind = "command"
argv = ["env"]
path = "software/env.txt"

[[item]]
id = "t.file"
category = "activation"
kind = "files"
paths = ["{file}", "{named}"]
path = "activation/copied"

[[item]]
id = "t.dir"
category = "activation"
kind = "dir"
dir = "{dir}"
path = "activation/listing.txt"
"#,
        file = secret_file.display(),
        named = secret_named.display(),
        dir = secret_named.parent().unwrap().display(),
    );
    std::fs::write(&p, items).unwrap();
    p
}

#[test]
fn no_product_key_or_upload_password_in_anything_the_collector_writes() {
    let dir = TempDir::new().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    let secret_file = src.join("CMGE_Activation.log");
    std::fs::write(&secret_file, format!("2024-05-14 09:31:06 [INFO] key={KEY}\n")).unwrap();
    // A file whose *name* is the key (users save keys as file names too).
    let secret_named = src.join(format!("{KEY}.txt"));
    std::fs::write(&secret_named, "see the name\n").unwrap();
    let s = spec(dir.path(), &secret_file, &secret_named);
    let out_dir = dir.path().join("out");
    let out = Command::new(env!("CARGO_BIN_EXE_cmgelog"))
        .args([
            "collect",
            "--yes",
            "--lang",
            "en",
            "--categories",
            "activation,software",
            "--out",
        ])
        .arg(&out_dir)
        .arg("--spec")
        .arg(&s)
        .env("CMGELOG_PASSWORD", PASSWORD)
        .stdin(Stdio::null())
        .output()
        .expect("cmgelog runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_clean("stdout", &out.stdout);
    assert_clean("stderr", &out.stderr);

    let mut files = Vec::new();
    for e in walkdir::WalkDir::new(&out_dir) {
        let e = e.unwrap();
        if e.file_type().is_file() {
            files.push(e.path().to_path_buf());
        }
    }
    assert_eq!(files.len(), 1, "only the zip is left in the out folder: {files:?}");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&files[0]).unwrap()).unwrap();
    let mut entries = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut member = zip.by_index(i).unwrap();
        let name = member.name().unwrap().to_string();
        assert_clean(&format!("the entry name {name}"), name.as_bytes());
        let mut data = Vec::new();
        member.read_to_end(&mut data).unwrap();
        assert_clean(&format!("the entry {name}"), &data);
        entries.insert(name, data);
    }
    // Then the raw zip: anything outside the entries (local and central headers, comments).
    for f in &files {
        assert_clean(&f.display().to_string(), &std::fs::read(f).unwrap());
        assert_clean("the zip's file name", f.to_string_lossy().as_bytes());
    }

    // The test must have had something to find: each source is in the zip, masked.
    let text = |name: &str| String::from_utf8_lossy(&entries[name]).into_owned();
    assert!(text("activation/utf8.txt").contains(MASKED));
    assert!(text("activation/argv.txt").contains(MASKED));
    let (gbk, _, _) = encoding_rs::GBK.decode(&entries["activation/gbk.txt"]);
    assert!(gbk.contains(&format!("产品密钥 {MASKED}")), "{gbk}");
    let (utf16, _, _) = encoding_rs::UTF_16LE.decode(&entries["activation/utf16.txt"]);
    assert!(utf16.contains(MASKED), "{utf16}");
    let copied: Vec<&String> = entries.keys().filter(|n| n.starts_with("activation/copied/")).collect();
    assert_eq!(copied.len(), 2, "both files copied: {:?}", entries.keys());
    assert!(copied
        .iter()
        .any(|n| entries[*n].windows(MASKED.len()).any(|w| w == MASKED.as_bytes())));
    assert!(
        text("activation/listing.txt").contains(MASKED),
        "{}",
        text("activation/listing.txt")
    );
    let env = text("software/env.txt");
    assert!(env.contains("PATH="), "the env item ran: {env}");
    assert!(!env.contains("CMGELOG_PASSWORD"), "{env}");
}
