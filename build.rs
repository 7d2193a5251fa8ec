//! Embeds the application manifest (windows/cmgelog.exe.manifest: common controls 6,
//! per-monitor DPI awareness, no elevation) and a version block into cmgelog.exe. Nothing is
//! done for other targets.
//!
//! GNU targets (the mingw cross build of scripts/build-windows.sh, or MSYS2): a resource
//! script is written to OUT_DIR and compiled to a COFF object with windres
//! (`$WINDRES`, else `<arch>-w64-mingw32-windres`, else `windres`), which the linker puts
//! into the exe's resource section. MSVC targets: link.exe embeds the manifest itself.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
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
