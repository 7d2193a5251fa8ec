//! Three jobs:
//! - turns the code table (knowledge/codes.toml, 1.1 MB) into Rust data in OUT_DIR, so a run
//!   does not parse a megabyte of TOML before it can load the rules (about 4 ms of every
//!   process; `cmgelog analyze` of one small file took 10 ms). The table is still checked by
//!   the same code at run time (src/knowledge/table.rs), and a unit test compares the
//!   generated table with a parse of the file;
//! - writes the key of the baked built-in rules: a SHA-256 of every source their parse depends
//!   on (the rule files, the rule loader and model, the fact paths, the localized text type,
//!   the code table). The committed src/rules/builtin.postcard holds the parsed rules with the
//!   key they were baked with, and a run loads it only when that key is this one, else parses
//!   the TOML (see src/rules/baked.rs). The build cannot bake them itself: that takes the
//!   crate's own parser;
//! - embeds the application manifest (windows/cmgelog.exe.manifest: common controls 6,
//!   per-monitor DPI awareness, no elevation) and a version block into cmgelog.exe. Nothing is
//!   done for other targets.
//!
//! GNU targets (the mingw cross build of scripts/build-windows.sh, or MSYS2): a resource
//! script is written to OUT_DIR and compiled to a COFF object with windres
//! (`$WINDRES`, else `<arch>-w64-mingw32-windres`, else `windres`), which the linker puts
//! into the exe's resource section. MSVC targets: link.exe embeds the manifest itself.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    generate_code_table();
    generate_rules_key();
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("windows/cmgelog.exe.manifest");
    println!("cargo:rerun-if-changed={}", manifest.display());
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=WINDRES");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("windows") {
        return;
    }
    if std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("msvc") {
        println!("cargo:rustc-link-arg-bins=/MANIFEST:EMBED");
        println!("cargo:rustc-link-arg-bins=/MANIFESTINPUT:{}", manifest.display());
        return;
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let rc = out.join("cmgelog.rc");
    std::fs::write(&rc, resource_script(&manifest)).expect("write the resource script");
    let object = out.join("cmgelog-resources.o");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_else(|_| "x86_64".into());
    let candidates: Vec<String> = match std::env::var("WINDRES") {
        Ok(w) => vec![w],
        Err(_) => vec![format!("{arch}-w64-mingw32-windres"), "windres".into()],
    };
    let mut tried = Vec::new();
    for windres in &candidates {
        match Command::new(windres)
            .arg("--input")
            .arg(&rc)
            .args(["--input-format=rc", "--output-format=coff", "--output"])
            .arg(&object)
            .status()
        {
            Ok(s) if s.success() => {
                // A plain object on the link line: the linker keeps its .rsrc section.
                println!("cargo:rustc-link-arg-bins={}", object.display());
                return;
            }
            Ok(s) => panic!("{windres} failed ({s}) on {}", rc.display()),
            Err(e) => tried.push(format!("{windres}: {e}")),
        }
    }
    panic!(
        "no windres to embed the application manifest ({}); install binutils-mingw-w64 or set WINDRES",
        tried.join("; ")
    );
}

/// Resource 1 of type 24 is the manifest the loader reads for the process; the version block
/// is what Explorer's Properties → Details shows.
fn resource_script(manifest: &Path) -> String {
    let v = |k: &str| std::env::var(k).unwrap_or_else(|_| "0".into());
    let (major, minor, patch) = (
        v("CARGO_PKG_VERSION_MAJOR"),
        v("CARGO_PKG_VERSION_MINOR"),
        v("CARGO_PKG_VERSION_PATCH"),
    );
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    // Forward slashes: windres reads backslashes in strings as escapes.
    let manifest = manifest.display().to_string().replace('\\', "/");
    format!(
        r#"1 24 "{manifest}"

1 VERSIONINFO
FILEVERSION {major},{minor},{patch},0
PRODUCTVERSION {major},{minor},{patch},0
FILEOS 0x40004
FILETYPE 0x1
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904b0"
    BEGIN
      VALUE "CompanyName", "CMGE support"
      VALUE "FileDescription", "CMGE log collector"
      VALUE "FileVersion", "{version}"
      VALUE "InternalName", "cmgelog"
      VALUE "OriginalFilename", "cmgelog.exe"
      VALUE "ProductName", "cmgelog"
      VALUE "ProductVersion", "{version}"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
"#
    )
}

/// `$OUT_DIR/codes.rs`: the entries of knowledge/codes.toml as a static slice of
/// `table::StaticCode` (spans of one string literal, no parsing at run time). Only the shape is read here;
/// what the entries say is checked by `table::check` when the program builds its table.
fn generate_code_table() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge/codes.toml");
    println!("cargo:rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(&path).expect("read knowledge/codes.toml");
    let table: toml::Table = text
        .parse()
        .unwrap_or_else(|e| panic!("knowledge/codes.toml is not valid TOML: {e}"));
    let entries = table
        .get("code")
        .and_then(|c| c.as_array())
        .expect("knowledge/codes.toml: [[code]] tables");
    let text_of =
        |e: &toml::Table, key: &str| -> Option<String> { e.get(key).and_then(|v| v.as_str()).map(str::to_string) };
    // Every text goes into one string and the entries hold (start, end) spans of it: a table
    // of `&str` fields would be one pointer to relocate per text (6,800 of them) at every
    // start of a position-independent binary, and 120 KB of pages written while doing so.
    let mut strings = String::new();
    let mut span = |text: &str| -> String {
        let start = strings.len();
        strings.push_str(text);
        format!("({start}, {})", strings.len())
    };
    let mut sources_table = String::from("&[");
    let mut source_count = 0;
    let mut rows = String::from("&[\n");
    for (i, entry) in entries.iter().enumerate() {
        let e = entry
            .as_table()
            .unwrap_or_else(|| panic!("knowledge/codes.toml: entry {i} is not a table"));
        let required =
            |key: &str| text_of(e, key).unwrap_or_else(|| panic!("knowledge/codes.toml: entry {i} has no `{key}`"));
        let localized = |key: &str| -> (String, String) {
            let t = e.get(key).and_then(|v| v.as_table());
            let part = |l: &str| t.and_then(|t| t.get(l)).and_then(|v| v.as_str()).map(str::to_string);
            match (part("zh"), part("en")) {
                (Some(zh), Some(en)) => (zh, en),
                _ => panic!("knowledge/codes.toml: entry {i} needs `{key}.zh` and `{key}.en`"),
            }
        };
        let sources: Vec<String> = e
            .get("sources")
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        let (title, meaning, remedy) = (localized("title"), localized("meaning"), localized("remedy"));
        let first_source = source_count;
        for s in &sources {
            sources_table.push_str(&span(s));
            sources_table.push(',');
            source_count += 1;
        }
        let optional = |text: Option<String>, span: &mut dyn FnMut(&str) -> String| {
            text.map_or_else(|| "None".to_string(), |t| format!("Some({})", span(&t)))
        };
        let code = span(&required("code"));
        let extend = optional(text_of(e, "extend"), &mut span);
        let symbol = optional(text_of(e, "symbol"), &mut span);
        let area = span(&required("area"));
        let title = (span(&title.0), span(&title.1));
        let meaning = (span(&meaning.0), span(&meaning.1));
        let remedy = (span(&remedy.0), span(&remedy.1));
        rows.push_str(&format!(
            "StaticCode {{ code: {code}, extend: {extend}, symbol: {symbol}, area: {area}, \
             title: ({}, {}), meaning: ({}, {}), remedy: ({}, {}), sources: ({first_source}, {source_count}) }},\n",
            title.0, title.1, meaning.0, meaning.1, remedy.0, remedy.1,
        ));
    }
    rows.push_str("]\n");
    sources_table.push_str("]\n");
    // `{:?}` writes a Rust string literal with every needed escape.
    let out = format!(
        "/// Every text of the table, one after another.\npub(super) const STRINGS: &str = {strings:?};\n\
         /// The `sources` of every entry, in order.\npub(super) const SOURCES: &[Span] = {sources_table};\n\
         /// The entries.\npub(super) const BUILTIN: &[StaticCode] = {rows};\n"
    );
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("codes.rs");
    std::fs::write(dest, out).expect("write codes.rs");
}

/// `$OUT_DIR/rules_key.rs`: `RULES_KEY`, the SHA-256 of the sources the built-in rules are
/// parsed from and with, each file hashed with its path and length: the rule files
/// (rules/*.toml), the rule model and loader (src/rules/, but the baked rules themselves), the
/// fact paths rules name, the localized text type, and the code table code conditions are
/// checked against (src/knowledge/, knowledge/codes.toml).
fn generate_rules_key() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut rule_files: Vec<PathBuf> = std::fs::read_dir(root.join("rules"))
        .expect("read the rules folder")
        .map(|e| e.expect("read the rules folder").path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    rule_files.sort();
    let mut files = rule_files;
    files.extend(
        files_under(&root.join("src/rules"))
            .into_iter()
            .filter(|p| !p.ends_with("src/rules/builtin.postcard")),
    );
    files.push(root.join("src/facts/paths.rs"));
    files.push(root.join("src/i18n.rs"));
    files.extend(files_under(&root.join("src/knowledge")));
    files.push(root.join("knowledge/codes.toml"));
    // The folders as well, so that a file added to them is seen.
    for dir in ["rules", "src/rules", "src/knowledge"] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }
    let mut hasher = Sha256::new();
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("read {}: {e}", file.display()));
        let name: Vec<String> = file
            .strip_prefix(root)
            .expect("a file of the crate")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        hasher.update(name.join("/").as_bytes());
        hasher.update([0]);
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
    }
    let key: [u8; 32] = hasher.finalize().into();
    let out = format!(
        "/// The key of the current sources of the built-in rules (build.rs).\npub const RULES_KEY: [u8; 32] = {key:?};\n"
    );
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("rules_key.rs");
    std::fs::write(dest, out).expect("write rules_key.rs");
}

/// Every file under `dir`, sorted by path.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("read {}: {e}", d.display())) {
            let path = entry.unwrap_or_else(|e| panic!("read {}: {e}", d.display())).path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}
